//! Strict by default (issue 11, finding 3), through the library: a [`Policy::default`]
//! verifier refuses a presentation it cannot bind to this counter (no nonce or no
//! audience: `replay_check_missing`) and a credential whose revocation status it did
//! not check (a `status` reference and no status source: `status_unchecked`). Each is
//! accepted only under an explicit opt-out in the policy, and the verdict then says
//! the check was skipped (`replay_check` / `status_check`: "skipped by operator", and
//! a warning). A status source that answers is used; one that fails refuses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_credential::status_list::{StatusList, status};
use civitas_credential::{ClaimPath, Credential, HolderBinding, StatusRef};
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_did::MethodResolver;
use civitas_ledger::{LedgerWriter, SqliteLedger, sign};
use civitas_testkit::*;
use civitas_verifier::{
    Check, CredentialStatus, Error, LedgerStatus, Policy, Request, StaticTrust, StatusSource,
    Verdict, Verifier,
};
use std::sync::Arc;

const NONCE: &str = "n-strict-1";
const AUD: &str = "https://counter-7.city-hall.example";

struct World {
    ledger: Arc<SqliteLedger>,
    hall: Actor,
    holder: SigningKey,
    uri: String,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(new_ledger(dir.path(), T0 + 3600));
    let (hall, e) = Actor::create("issuers:city-hall", T0);
    ledger.append(&e).unwrap();
    let uri = sign::status_list_uri(HOST, &hall.did, "pid");
    let mut list = StatusList::new(2, 64).unwrap();
    list.set(9, status::INVALID).unwrap();
    ledger
        .append(&sign::status_list(hall.signing(), &uri, &list, T0 + 3).unwrap())
        .unwrap();
    World {
        ledger,
        hall,
        holder: SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap(),
        uri,
        _dir: dir,
    }
}

impl World {
    /// A presentation of a PID (with a status reference at `idx`, or none) to this
    /// counter's nonce and audience.
    fn present(&self, idx: Option<u64>) -> String {
        let status = idx.map(|idx| StatusRef {
            idx,
            uri: self.uri.clone(),
        });
        let sd_jwt = self.hall.issue_pid(
            HolderBinding::Jwk(self.holder.public().clone()),
            T0 + 10,
            status,
        );
        Credential::parse(&sd_jwt)
            .unwrap()
            .present(
                &[ClaimPath::key("age_over_18")],
                &self.holder,
                NONCE,
                AUD,
                T0 + 20,
            )
            .unwrap()
    }

    fn verifier(&self, policy: Policy) -> Verifier<MethodResolver> {
        Verifier::new(
            civitas_ledger::resolver(self.ledger.clone(), T0 + 20),
            StaticTrust::new([self.hall.did.clone()]),
            policy,
        )
    }

    fn with_ledger_status(&self, policy: Policy) -> Verifier<MethodResolver> {
        let resolver = civitas_ledger::resolver(self.ledger.clone(), T0 + 20);
        self.verifier(policy)
            .with_status(LedgerStatus::new(self.ledger.clone(), resolver))
    }
}

fn bound() -> Request {
    Request {
        nonce: Some(NONCE.into()),
        aud: Some(AUD.into()),
        required: Vec::new(),
    }
}

fn refused(v: &Verdict, code: &str) {
    assert!(!v.valid, "accepted; expected {code}");
    assert_eq!(v.code, Some(code), "{:?}", v.reason);
    assert!(v.claims.is_empty(), "a refusal shows no claims");
}

#[test]
fn the_default_policy_is_strict() {
    let p = Policy::default();
    assert!(p.require_replay_check);
    assert!(p.require_status);
}

#[test]
fn without_nonce_or_audience_a_presentation_is_refused() {
    let w = world();
    let p = w.present(None);
    let verifier = w.verifier(Policy::default());
    for (nonce, aud, missing) in [
        (None, None, "no nonce or audience"),
        (None, Some(AUD), "no nonce "),
        (Some(NONCE), None, "no audience"),
    ] {
        let request = Request {
            nonce: nonce.map(str::to_string),
            aud: aud.map(str::to_string),
            required: Vec::new(),
        };
        let v = verifier.verify(&p, &request, T0 + 20);
        refused(&v, "replay_check_missing");
        let reason = v.reason.as_deref().unwrap();
        assert!(reason.contains(missing), "{reason}");
        assert!(reason.contains("--no-replay-check"), "says how to opt out");
        assert_eq!(v.replay_check, None);
        let json = v.to_json();
        assert_eq!(json["code"], "replay_check_missing");
        assert_eq!(json["replay_check"], serde_json::Value::Null);
    }
    // The same presentation bound to this counter is valid, and says it was checked.
    let v = verifier.verify(&p, &bound(), T0 + 20);
    assert!(v.valid, "{:?}", v.reason);
    assert_eq!(v.replay_check, Some(Check::Checked));
    assert_eq!(v.status_check, Some(Check::NotApplicable));
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    assert_eq!(v.to_json()["replay_check"], "checked");
}

#[test]
fn the_replay_opt_out_is_explicit_and_said_in_the_verdict() {
    let w = world();
    let p = w.present(None);
    let verifier = w.verifier(Policy {
        require_replay_check: false,
        ..Policy::default()
    });
    let v = verifier.verify(&p, &Request::default(), T0 + 20);
    assert!(v.valid, "{:?}", v.reason);
    assert_eq!(v.replay_check, Some(Check::SkippedByOperator));
    assert_eq!(v.to_json()["replay_check"], "skipped by operator");
    assert_eq!(v.warnings.len(), 1, "{:?}", v.warnings);
    assert!(
        v.warnings[0].starts_with("replay check skipped by operator"),
        "{:?}",
        v.warnings
    );
    // What is given is still checked under the opt-out: a wrong nonce is refused.
    let v = verifier.verify(
        &p,
        &Request {
            nonce: Some("another-counters-nonce".into()),
            ..Request::default()
        },
        T0 + 20,
    );
    refused(&v, "nonce_mismatch");
    assert_eq!(v.replay_check, Some(Check::SkippedByOperator));
    // And with both given, the opt-out changes nothing: checked, no warning.
    let v = verifier.verify(&p, &bound(), T0 + 20);
    assert!(v.valid);
    assert_eq!(v.replay_check, Some(Check::Checked));
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
}

#[test]
fn a_credential_with_a_status_reference_and_no_status_source_is_refused() {
    let w = world();
    let p = w.present(Some(9)); // revoked on the ledger: exactly what goes unseen
    let v = w.verifier(Policy::default()).verify(&p, &bound(), T0 + 20);
    refused(&v, "status_unchecked");
    assert!(v.reason.as_deref().unwrap().contains("--no-status-check"));
    assert_eq!(v.status_check, None);
    assert_eq!(v.to_json()["code"], "status_unchecked");
    // Refused under the opt-out only of the replay check too: the two are separate.
    let v = w
        .verifier(Policy {
            require_replay_check: false,
            ..Policy::default()
        })
        .verify(&p, &bound(), T0 + 20);
    refused(&v, "status_unchecked");
}

#[test]
fn the_status_opt_out_is_explicit_and_said_in_the_verdict() {
    let w = world();
    let p = w.present(Some(3));
    let v = w
        .verifier(Policy {
            require_status: false,
            ..Policy::default()
        })
        .verify(&p, &bound(), T0 + 20);
    assert!(v.valid, "{:?}", v.reason);
    assert_eq!(v.status_check, Some(Check::SkippedByOperator));
    assert_eq!(v.replay_check, Some(Check::Checked));
    assert_eq!(v.to_json()["status_check"], "skipped by operator");
    assert_eq!(v.warnings.len(), 1, "{:?}", v.warnings);
    assert!(
        v.warnings[0].starts_with("status check skipped by operator"),
        "{:?}",
        v.warnings
    );
}

#[test]
fn a_status_source_is_used_whatever_the_opt_out() {
    let w = world();
    for require_status in [true, false] {
        let verifier = w.with_ledger_status(Policy {
            require_status,
            ..Policy::default()
        });
        let v = verifier.verify(&w.present(Some(3)), &bound(), T0 + 20);
        assert!(v.valid, "{:?}", v.reason);
        assert_eq!(v.status_check, Some(Check::Checked));
        assert_eq!(v.to_json()["status_check"], "checked");
        assert!(v.warnings.is_empty(), "{:?}", v.warnings);
        let v = verifier.verify(&w.present(Some(9)), &bound(), T0 + 20);
        refused(&v, "revoked");
        assert_eq!(v.status_check, Some(Check::Checked));
    }
}

/// A status source that cannot answer (a node down, a list that does not verify).
struct Failing;

impl StatusSource for Failing {
    fn status(&self, _: &str, _: &StatusRef, _: i64) -> civitas_verifier::Result<CredentialStatus> {
        Err(Error::StatusUnavailable("the node did not answer".into()))
    }
}

#[test]
fn a_status_source_that_fails_refuses_even_under_the_opt_out() {
    let w = world();
    for require_status in [true, false] {
        let verifier = w
            .verifier(Policy {
                require_status,
                ..Policy::default()
            })
            .with_status(Failing);
        let v = verifier.verify(&w.present(Some(3)), &bound(), T0 + 20);
        refused(&v, "status_unavailable");
        // A credential without a status reference does not ask the source.
        let v = verifier.verify(&w.present(None), &bound(), T0 + 20);
        assert!(v.valid, "{:?}", v.reason);
        assert_eq!(v.status_check, Some(Check::NotApplicable));
    }
}
