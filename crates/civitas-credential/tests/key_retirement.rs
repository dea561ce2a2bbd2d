//! Issue 11, finding 1, in the library: the issuer's key is judged by the DID's
//! current state, never as of the `iat` the signer chose. A key an update retired is
//! refused (`issuer_key_retired`) unless the update states a routine rotation and
//! the evidence hook shows the credential was anchored before it; a deactivated DID
//! refuses everything (`issuer_deactivated`). Also finding 7: times from the input
//! cannot overflow.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_credential::{
    ClaimPath, Credential, HolderBinding, IssuanceEvidence, IssueOptions, VerifyOptions, issue,
    issuer_jwt_digest, verify,
};
use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_did::webvh::{self, DocKey, LogState, MemoryLogSource, WebvhResolver};
use civitas_did::{MethodResolver, Purpose, RetiredKey, RetirementReason, state_retirement};
use std::sync::{Arc, Mutex};

const T0: i64 = 1_750_000_000;
const VCT: &str = "https://civitas.example/credentials/test/v1";
const BOTH: [Purpose; 2] = [Purpose::AssertionMethod, Purpose::Authentication];

struct Issuer {
    state: LogState,
    update: SigningKey,
    key: SigningKey,
    kid: String,
    rng: SeededRng,
}

impl Issuer {
    fn new(seed: u64) -> Issuer {
        let rng = SeededRng::new(seed);
        let update = SigningKey::generate(Algorithm::EdDsa, &rng).unwrap();
        let key = SigningKey::generate(Algorithm::Es256, &rng).unwrap();
        let keys = [DocKey::new("key-1", key.public().clone(), &BOTH)];
        let (did, genesis) =
            webvh::create("ledger.example:issuers:hall", &keys, &update, vec![], T0).unwrap();
        Issuer {
            state: LogState::genesis(genesis.as_str(), T0).unwrap(),
            update,
            kid: format!("{}#key-1", did.as_str()),
            key,
            rng,
        }
    }

    fn did(&self) -> String {
        self.state.did().to_string()
    }

    /// Replaces the signing key by `key-2`, stating `reason` (or nothing); returns the
    /// old key.
    fn rotate_signing_key(&mut self, reason: Option<RetirementReason>, t: i64) -> SigningKey {
        let new = SigningKey::generate(Algorithm::Es256, &self.rng).unwrap();
        let mut doc = webvh::did_document(
            self.state.did(),
            &[DocKey::new("key-2", new.public().clone(), &BOTH)],
        );
        if let Some(r) = reason {
            state_retirement(&mut doc, r);
        }
        let entry = webvh::update_document(&self.state, doc, &self.update, t).unwrap();
        self.state.append(entry.as_str(), t).unwrap();
        self.kid = format!("{}#key-2", self.did());
        std::mem::replace(&mut self.key, new)
    }

    fn deactivate(&mut self, t: i64) {
        let entry = webvh::deactivate(&self.state, &self.update, t).unwrap();
        self.state.append(entry.as_str(), t).unwrap();
    }

    fn resolver(&self) -> MethodResolver {
        let source = MemoryLogSource::new();
        source.insert(
            self.state.did(),
            self.state
                .versions()
                .iter()
                .map(|v| v.line().to_string())
                .collect(),
        );
        MethodResolver::local().with("webvh", WebvhResolver::new(source).at(T0 + 100_000))
    }
}

fn holder() -> SigningKey {
    SigningKey::generate(Algorithm::Es256, &SeededRng::new(99)).unwrap()
}

/// A credential signed by `key` under `kid`, dated `iat`.
fn credential(did: &str, kid: &str, key: &SigningKey, iat: i64) -> String {
    let mut o = IssueOptions::new(did, kid, VCT, iat);
    o.holder = Some(HolderBinding::Jwk(holder().public().clone()));
    let mut claims = serde_json::Map::new();
    claims.insert("age_over_18".into(), true.into());
    issue(&claims, &o, key, &SeededRng::new(5)).unwrap()
}

fn present(sd_jwt: &str, at: i64) -> String {
    Credential::parse(sd_jwt)
        .unwrap()
        .present(&[ClaimPath::key("age_over_18")], &holder(), "n", "aud", at)
        .unwrap()
}

/// The ledger, reduced to what the hook sees: anchors as (issuer, digest, position)
/// and DID updates as (versionId, position).
#[derive(Default)]
struct Anchors {
    anchors: Mutex<Vec<(String, String, u64)>>,
    updates: Mutex<Vec<(String, u64)>>,
    fail: bool,
}

impl IssuanceEvidence for Anchors {
    fn anchored_before(
        &self,
        issuer: &str,
        jwt_digest: &str,
        retired: &RetiredKey,
    ) -> Result<bool, String> {
        if self.fail {
            return Err("the ledger is unreachable".into());
        }
        let updates = self.updates.lock().unwrap();
        let Some((_, retired_at)) = updates.iter().find(|(v, _)| *v == retired.retired_by) else {
            return Ok(false);
        };
        Ok(self
            .anchors
            .lock()
            .unwrap()
            .iter()
            .any(|(i, d, pos)| i == issuer && d == jwt_digest && pos < retired_at))
    }
}

fn verify_at(
    issuer: &Issuer,
    presentation: &str,
    at: i64,
    evidence: Option<Arc<dyn IssuanceEvidence>>,
) -> Result<(), civitas_credential::Error> {
    let mut options = VerifyOptions::at(at).for_request("n", "aud");
    options.evidence = evidence;
    verify(presentation, &issuer.resolver(), &options).map(|_| ())
}

fn code(r: Result<(), civitas_credential::Error>) -> &'static str {
    match r {
        Ok(()) => "valid",
        Err(e) => e.code(),
    }
}

#[test]
fn the_retired_key_with_a_backdated_iat_is_refused_after_a_compromise() {
    let mut hall = Issuer::new(1);
    let before = credential(&hall.did(), &hall.kid, &hall.key, T0 + 10);
    let old_kid = hall.kid.clone();
    let old = hall.rotate_signing_key(Some(RetirementReason::Compromise), T0 + 100);
    // The thief signs with the stolen key, dated before the rotation.
    let forged = credential(&hall.did(), &old_kid, &old, T0 + 20);
    let anchors = Arc::new(Anchors::default());
    for sd in [&before, &forged] {
        let p = present(sd, T0 + 200);
        assert_eq!(
            code(verify_at(&hall, &p, T0 + 200, Some(anchors.clone()))),
            "issuer_key_retired"
        );
    }
    // Even anchored before the rotation: compromise voids every signature.
    let anchors = Arc::new(Anchors::default());
    anchors
        .anchors
        .lock()
        .unwrap()
        .push((hall.did(), issuer_jwt_digest(&before), 1));
    anchors
        .updates
        .lock()
        .unwrap()
        .push((hall.state.version_id().to_string(), 2));
    let p = present(&before, T0 + 200);
    let err = verify_at(&hall, &p, T0 + 200, Some(anchors)).unwrap_err();
    assert_eq!(err.code(), "issuer_key_retired");
    assert!(err.to_string().contains("compromise"), "{err}");
    // The new key works.
    let fresh = credential(&hall.did(), &hall.kid, &hall.key, T0 + 150);
    assert_eq!(
        code(verify_at(&hall, &present(&fresh, T0 + 200), T0 + 200, None)),
        "valid"
    );
}

#[test]
fn no_stated_reason_is_a_compromise() {
    let mut hall = Issuer::new(2);
    let before = credential(&hall.did(), &hall.kid, &hall.key, T0 + 10);
    hall.rotate_signing_key(None, T0 + 100);
    let anchors = Arc::new(Anchors::default());
    anchors
        .anchors
        .lock()
        .unwrap()
        .push((hall.did(), issuer_jwt_digest(&before), 1));
    anchors
        .updates
        .lock()
        .unwrap()
        .push((hall.state.version_id().to_string(), 2));
    let p = present(&before, T0 + 200);
    assert_eq!(
        code(verify_at(&hall, &p, T0 + 200, Some(anchors))),
        "issuer_key_retired"
    );
}

#[test]
fn a_routine_rotation_keeps_what_was_anchored_before_it() {
    let mut hall = Issuer::new(3);
    let anchored = credential(&hall.did(), &hall.kid, &hall.key, T0 + 10);
    let not_anchored = credential(&hall.did(), &hall.kid, &hall.key, T0 + 11);
    let old_kid = hall.kid.clone();
    let old = hall.rotate_signing_key(Some(RetirementReason::Routine), T0 + 100);
    // Made after the rotation with the old key, dated before, anchored after.
    let late = credential(&hall.did(), &old_kid, &old, T0 + 12);
    let anchors = Arc::new(Anchors::default());
    anchors
        .anchors
        .lock()
        .unwrap()
        .push((hall.did(), issuer_jwt_digest(&anchored), 1));
    anchors
        .updates
        .lock()
        .unwrap()
        .push((hall.state.version_id().to_string(), 2));
    anchors
        .anchors
        .lock()
        .unwrap()
        .push((hall.did(), issuer_jwt_digest(&late), 3));
    let hook: Arc<dyn IssuanceEvidence> = anchors;
    let at = T0 + 200;
    assert_eq!(
        code(verify_at(
            &hall,
            &present(&anchored, at),
            at,
            Some(hook.clone())
        )),
        "valid"
    );
    assert_eq!(
        code(verify_at(
            &hall,
            &present(&not_anchored, at),
            at,
            Some(hook.clone())
        )),
        "issuer_key_retired"
    );
    assert_eq!(
        code(verify_at(
            &hall,
            &present(&late, at),
            at,
            Some(hook.clone())
        )),
        "issuer_key_retired"
    );
    // No evidence source (static trust): nothing can prove it, refused.
    assert_eq!(
        code(verify_at(&hall, &present(&anchored, at), at, None)),
        "issuer_key_retired"
    );
    // An evidence source that fails: refused, saying so.
    let failing: Arc<dyn IssuanceEvidence> = Arc::new(Anchors {
        fail: true,
        ..Anchors::default()
    });
    let err = verify_at(&hall, &present(&anchored, at), at, Some(failing)).unwrap_err();
    assert_eq!(err.code(), "issuer_key_retired");
    assert!(err.to_string().contains("unreachable"), "{err}");
    // Another issuer's anchor of the same digest proves nothing for this one.
    let foreign = Arc::new(Anchors::default());
    foreign.anchors.lock().unwrap().push((
        "did:webvh:Qm:other.example".into(),
        issuer_jwt_digest(&anchored),
        1,
    ));
    foreign
        .updates
        .lock()
        .unwrap()
        .push((hall.state.version_id().to_string(), 2));
    assert_eq!(
        code(verify_at(&hall, &present(&anchored, at), at, Some(foreign))),
        "issuer_key_retired"
    );
}

#[test]
fn a_deactivated_issuer_refuses_everything_whatever_the_iat() {
    let mut hall = Issuer::new(4);
    let before = credential(&hall.did(), &hall.kid, &hall.key, T0 + 10);
    let backdated = credential(&hall.did(), &hall.kid, &hall.key, T0 - 1_000_000);
    hall.deactivate(T0 + 100);
    for sd in [&before, &backdated] {
        assert_eq!(
            code(verify_at(&hall, &present(sd, T0 + 200), T0 + 200, None)),
            "issuer_deactivated"
        );
    }
}

#[test]
fn a_tampered_credential_under_a_retired_kid_is_a_bad_signature() {
    let mut hall = Issuer::new(5);
    let old_kid = hall.kid.clone();
    hall.rotate_signing_key(Some(RetirementReason::Routine), T0 + 100);
    // Signed by a key the DID never had, under the retired kid.
    let stranger = SigningKey::generate(Algorithm::Es256, &SeededRng::new(77)).unwrap();
    let forged = credential(&hall.did(), &old_kid, &stranger, T0 + 10);
    assert_eq!(
        code(verify_at(
            &hall,
            &present(&forged, T0 + 200),
            T0 + 200,
            None
        )),
        "issuer_signature_invalid"
    );
}

/// Finding 7: `iat` = i64::MIN (or MAX) in the issuer JWT and the key binding JWT is a
/// clean refusal, not an overflow.
#[test]
fn extreme_times_do_not_overflow() {
    let hall = Issuer::new(6);
    for iat in [i64::MIN, i64::MIN + 1, i64::MAX] {
        let sd = credential(&hall.did(), &hall.kid, &hall.key, iat);
        // The issuer JWT's iat: far past is fine (the key is current), far future is not.
        let r = verify_at(&hall, &present(&sd, T0 + 200), T0 + 200, None);
        let expected = if iat == i64::MAX {
            "issued_in_future"
        } else {
            "valid"
        };
        assert_eq!(code(r), expected, "iat {iat}");
        // The key binding JWT's iat.
        let p = Credential::parse(&sd).unwrap().present(
            &[ClaimPath::key("age_over_18")],
            &holder(),
            "n",
            "aud",
            iat,
        );
        let p = p.unwrap();
        let r = verify_at(&hall, &p, T0 + 200, None);
        let expected = if iat == i64::MAX {
            "key_binding_future"
        } else {
            "key_binding_stale"
        };
        assert_eq!(code(r), expected, "kb iat {iat}");
    }
    // A verification time at the edge of i64 with a window does not overflow either.
    let sd = credential(&hall.did(), &hall.kid, &hall.key, T0);
    let p = present(&sd, T0);
    let mut options = VerifyOptions::at(i64::MAX).for_request("n", "aud");
    options.kb_window = i64::MAX;
    let r = verify(&p, &hall.resolver(), &options).map(|_| ());
    assert_eq!(code(r), "valid");
}
