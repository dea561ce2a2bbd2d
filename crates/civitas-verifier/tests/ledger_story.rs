//! Verification on the ledger, as a story: a root accredits city hall; city hall
//! issues a PID with a status list entry; the counter trusts the root only.
//! 1. the credential verifies, trust coming from the accreditation chain;
//! 2. city hall rotates its key routinely: the credential signed and anchored before
//!    still verifies; one signed with the old key but not anchored before the rotation
//!    (whatever its `iat`) does not;
//! 3. city hall revokes the credential: "revoked";
//! 4. the root revokes city hall's accreditation: the issuer is no longer trusted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_credential::status_list::{StatusList, status};
use civitas_credential::{ClaimPath, Credential, HolderBinding, StatusRef};
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_ledger::sign::{self, AccreditationSpec};
use civitas_ledger::{LedgerWriter, SqliteLedger};
use civitas_testkit::*;
use civitas_verifier::{AccreditationTrust, LedgerStatus, Policy, Request, Verdict, Verifier};
use std::sync::Arc;

struct World {
    ledger: Arc<SqliteLedger>,
    root: Actor,
    hall: Actor,
    holder: SigningKey,
    uri: String,
    list: StatusList,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(new_ledger(dir.path(), T0 + 3600));
    let (root, e) = Actor::create("roots:city", T0);
    ledger.append(&e).unwrap();
    let (hall, e) = Actor::create("issuers:city-hall", T0);
    ledger.append(&e).unwrap();
    ledger
        .append(&sign::root(root.signing(), &[PID], Some("City of Civitas"), T0 + 1).unwrap())
        .unwrap();
    let spec = AccreditationSpec {
        id: "acc-hall",
        subject: &hall.did,
        name: Some("City Hall"),
        vcts: &[PID],
        nbf: None,
        exp: None,
        delegate: false,
    };
    ledger
        .append(&sign::accreditation(root.signing(), &spec, T0 + 2).unwrap())
        .unwrap();
    let uri = sign::status_list_uri(HOST, &hall.did, "pid");
    let list = StatusList::new(2, 1024).unwrap();
    ledger
        .append(&sign::status_list(hall.signing(), &uri, &list, T0 + 3).unwrap())
        .unwrap();
    World {
        ledger,
        root,
        hall,
        holder: SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap(),
        uri,
        list,
        _dir: dir,
    }
}

fn verify(w: &World, sd_jwt: &str, at: i64) -> Verdict {
    let presentation = Credential::parse(sd_jwt)
        .unwrap()
        .present(
            &[ClaimPath::key("age_over_18")],
            &w.holder,
            "n1",
            "counter",
            at,
        )
        .unwrap();
    let resolver = civitas_ledger::resolver(w.ledger.clone(), at);
    let verifier = Verifier::new(
        resolver.clone(),
        AccreditationTrust::new(w.ledger.clone(), vec![w.root.did.clone()]),
        Policy {
            require_status: true,
            ..Policy::default()
        },
    )
    .with_evidence(civitas_verifier::LedgerAnchors::new(w.ledger.clone()))
    .with_status(LedgerStatus::new(w.ledger.clone(), resolver));
    let request = Request {
        nonce: Some("n1".into()),
        aud: Some("counter".into()),
        required: vec![ClaimPath::key("age_over_18")],
    };
    verifier.verify(&presentation, &request, at)
}

#[test]
fn a_credential_lives_through_rotation_revocation_and_lost_accreditation() {
    let mut w = world();
    let holder = HolderBinding::Jwk(w.holder.public().clone());
    let status = |idx| {
        Some(StatusRef {
            idx,
            uri: w.uri.clone(),
        })
    };
    let before = w.hall.issue_pid(holder.clone(), T0 + 10, status(7));
    w.ledger
        .append(&sign::issuance(w.hall.signing(), &[&before], T0 + 11).unwrap())
        .unwrap();

    // 1. Valid, trusted through the accreditation.
    let v = verify(&w, &before, T0 + 20);
    assert!(v.valid, "{:?}", v.reason);
    assert_eq!(v.claims["age_over_18"], true);

    // 2. City hall rotates to key-2.
    let old_key = SigningKey::from_secret(Algorithm::Es256, &w.hall.key.secret_bytes()).unwrap();
    let old_kid = w.hall.kid.clone();
    let rotation = w
        .hall
        .rotate_stating(T0 + 100, Some(civitas_did::RetirementReason::Routine));
    w.ledger.append(&rotation).unwrap();
    let v = verify(&w, &before, T0 + 200);
    assert!(
        v.valid,
        "signed and anchored before the rotation: {:?}",
        v.reason
    );
    // Signed after the rotation with the retired key: not anchored before it.
    // Dated before the rotation (a thief's backdated iat).
    let mut o = civitas_credential::IssueOptions::new(&w.hall.did, &old_kid, PID, T0 + 50);
    o.holder = Some(holder.clone());
    let claims = pid_claims();
    o.nested_sd = civitas_credential::types::PID.nested_sd_for(&claims);
    let after = civitas_credential::issue(&claims, &o, &old_key, &SystemRng).unwrap();
    let v = verify(&w, &after, T0 + 200);
    assert_eq!(v.code, Some("issuer_key_retired"), "{:?}", v.reason);
    // A fresh credential with key-2 verifies.
    let fresh = w.hall.issue_pid(holder.clone(), T0 + 150, status(8));
    assert!(verify(&w, &fresh, T0 + 200).valid);

    // 3. Revocation through the status list.
    w.list.set(7, status::INVALID).unwrap();
    w.ledger
        .append(&sign::status_list(w.hall.signing(), &w.uri, &w.list, T0 + 300).unwrap())
        .unwrap();
    let v = verify(&w, &before, T0 + 400);
    assert_eq!(v.code, Some("revoked"));
    assert!(v.reason.unwrap().starts_with("revoked"));
    assert!(verify(&w, &fresh, T0 + 400).valid, "index 8 is still valid");
    w.list.set(8, status::SUSPENDED).unwrap();
    w.ledger
        .append(&sign::status_list(w.hall.signing(), &w.uri, &w.list, T0 + 450).unwrap())
        .unwrap();
    assert_eq!(verify(&w, &fresh, T0 + 500).code, Some("suspended"));

    // 4. The root withdraws city hall's accreditation.
    let unrelated = w.hall.issue_pid(holder, T0 + 550, None);
    assert!(verify(&w, &unrelated, T0 + 560).valid);
    w.ledger
        .append(&sign::revocation(w.root.signing(), "acc-hall", T0 + 600).unwrap())
        .unwrap();
    let v = verify(&w, &unrelated, T0 + 700);
    assert_eq!(v.code, Some("untrusted_issuer"));
    assert!(v.reason.unwrap().contains("revoked"), "the reason says why");
    // Before the withdrawal it was trusted (time is an input).
    assert!(verify(&w, &unrelated, T0 + 590).valid);
}

#[test]
fn a_status_list_from_another_issuer_is_not_believed() {
    let w = world();
    let (mallory, e) = Actor::create("issuers:mallory", T0);
    w.ledger.append(&e).unwrap();
    let uri = sign::status_list_uri(HOST, &mallory.did, "pid");
    w.ledger
        .append(
            &sign::status_list(
                mallory.signing(),
                &uri,
                &StatusList::new(1, 16).unwrap(),
                T0 + 5,
            )
            .unwrap(),
        )
        .unwrap();
    // City hall's credential points at mallory's list.
    let sd = w.hall.issue_pid(
        HolderBinding::Jwk(w.holder.public().clone()),
        T0 + 10,
        Some(StatusRef { idx: 1, uri }),
    );
    let v = verify(&w, &sd, T0 + 20);
    assert_eq!(v.code, Some("status_unavailable"));
    // And a reference to a list nobody published.
    let sd = w.hall.issue_pid(
        HolderBinding::Jwk(w.holder.public().clone()),
        T0 + 10,
        Some(StatusRef {
            idx: 1,
            uri: "https://nowhere.example/list".into(),
        }),
    );
    assert_eq!(verify(&w, &sd, T0 + 20).code, Some("status_unavailable"));
}

#[test]
fn without_a_chain_to_a_root_nobody_is_trusted() {
    let w = world();
    let (stranger, e) = Actor::create("issuers:stranger", T0);
    w.ledger.append(&e).unwrap();
    let sd = stranger.issue_pid(HolderBinding::Jwk(w.holder.public().clone()), T0 + 10, None);
    let v = verify(&w, &sd, T0 + 20);
    assert_eq!(v.code, Some("untrusted_issuer"));
    assert!(v.reason.unwrap().contains("no accreditation in force"));
}
