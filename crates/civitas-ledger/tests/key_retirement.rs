//! Issue 11, finding 1, on the ledger: a signed entry's key must be authorized by its
//! DID's state at its position in the log, never as of the `iat` the signer chose. A
//! key an update retired (`signer_key_retired`) or any key of a deactivated DID
//! (`signer_key`) signs nothing new, however far back it dates the entry; a delegation
//! revoked earlier in the log delegates nothing. Issuance anchors are indexed by
//! position; audit replays all of it the same way.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_credential::HolderBinding;
use civitas_credential::status_list::StatusList;
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_did::RetirementReason;
use civitas_did::webvh;
use civitas_ledger::sign::{self, AccreditationSpec, Signing};
use civitas_ledger::{Entry, LedgerReader, LedgerWriter, SqliteLedger};
use civitas_testkit::*;

struct World {
    ledger: SqliteLedger,
    root: Actor,
    hall: Actor,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let ledger = new_ledger(dir.path(), T0 + 3600);
    let (root, e) = Actor::create("roots:city", T0);
    ledger.append(&e).unwrap();
    let (hall, e) = Actor::create("issuers:city-hall", T0);
    ledger.append(&e).unwrap();
    ledger
        .append(&sign::root(root.signing(), &[PID], Some("City"), T0 + 1).unwrap())
        .unwrap();
    World {
        ledger,
        root,
        hall,
        _dir: dir,
    }
}

/// The actor's current signing key and kid, kept before a rotation replaces them.
fn keep(actor: &Actor) -> (SigningKey, String) {
    (
        SigningKey::from_secret(Algorithm::Es256, &actor.key.secret_bytes()).unwrap(),
        actor.kid.clone(),
    )
}

fn code_of(ledger: &SqliteLedger, entry: &Entry) -> &'static str {
    let size = ledger.info().unwrap().size;
    let err = ledger.append(entry).expect_err("must be refused");
    assert_eq!(ledger.info().unwrap().size, size, "nothing appended");
    err.code()
}

fn spec<'a>(id: &'a str, subject: &'a str, delegate: bool) -> AccreditationSpec<'a> {
    AccreditationSpec {
        id,
        subject,
        name: None,
        vcts: &[PID],
        nbf: None,
        exp: None,
        delegate,
    }
}

#[test]
fn a_retired_key_signs_nothing_new_whatever_its_iat() {
    let mut w = world();
    let (hall_old, hall_old_kid) = keep(&w.hall);
    let (root_old, root_old_kid) = keep(&w.root);
    let uri = sign::status_list_uri(HOST, &w.hall.did, "pid");
    let list = StatusList::new(1, 64).unwrap();
    // Before the rotations both keys sign.
    w.ledger
        .append(&sign::status_list(w.hall.signing(), &uri, &list, T0 + 5).unwrap())
        .unwrap();
    // A routine rotation of each: the old keys are retired all the same.
    w.ledger
        .append(
            &w.hall
                .rotate_stating(T0 + 100, Some(RetirementReason::Routine)),
        )
        .unwrap();
    w.ledger.append(&w.root.rotate(T0 + 100)).unwrap();
    let hall_thief = Signing {
        did: &w.hall.did,
        kid: &hall_old_kid,
        signer: &hall_old,
    };
    let root_thief = Signing {
        did: &w.root.did,
        kid: &root_old_kid,
        signer: &root_old,
    };
    // A status list "re-published" with the old key, dated before the rotation.
    let mut emptied = StatusList::new(1, 64).unwrap();
    emptied.set(3, 1).unwrap();
    let backdated = sign::status_list(hall_thief, &uri, &emptied, T0 + 50).unwrap();
    assert_eq!(code_of(&w.ledger, &backdated), "signer_key_retired");
    // An accreditation by the root's old key, dated before its rotation.
    let (mallory, e) = Actor::create("issuers:mallory", T0 + 10);
    w.ledger.append(&e).unwrap();
    let acc = sign::accreditation(root_thief, &spec("acc-m", &mallory.did, true), T0 + 20).unwrap();
    assert_eq!(code_of(&w.ledger, &acc), "signer_key_retired");
    // An issuance anchor by the old key.
    let sd = w.hall.issue_pid(
        HolderBinding::Jwk(w.hall.key.public().clone()),
        T0 + 30,
        None,
    );
    let anchor = sign::issuance(hall_thief, &[&sd], T0 + 30).unwrap();
    assert_eq!(code_of(&w.ledger, &anchor), "signer_key_retired");
    // The new keys sign.
    let acc = sign::accreditation(
        w.root.signing(),
        &spec("acc-m", &mallory.did, false),
        T0 + 200,
    )
    .unwrap();
    w.ledger.append(&acc).unwrap();
    w.ledger
        .append(&sign::status_list(w.hall.signing(), &uri, &emptied, T0 + 200).unwrap())
        .unwrap();
    // The audit replays the log in order and agrees.
    let report = w.ledger.audit(&mut |_, _| {}).unwrap();
    assert!(report.checkpoint_verified);
}

#[test]
fn a_deactivated_did_signs_nothing_whatever_its_iat() {
    let w = world();
    let uri = sign::status_list_uri(HOST, &w.hall.did, "pid");
    // Pre-rotation off, then deactivate (two entries).
    let mut state = w.hall.state.clone();
    let off = webvh::rotate(
        &state,
        &[w.hall.next.public().clone()],
        vec![],
        None,
        &w.hall.next,
        T0 + 100,
    )
    .unwrap();
    state.append(off.as_str(), T0 + 100).unwrap();
    let end = webvh::deactivate(&state, &w.hall.next, T0 + 101).unwrap();
    w.ledger.append(&sign::did_log(off.as_str())).unwrap();
    w.ledger.append(&sign::did_log(end.as_str())).unwrap();
    let list = StatusList::new(1, 64).unwrap();
    let backdated = sign::status_list(w.hall.signing(), &uri, &list, T0 + 2).unwrap();
    let err = w.ledger.append(&backdated).unwrap_err();
    assert_eq!(err.code(), "signer_key");
    assert!(err.to_string().contains("deactivated"), "{err}");
    let sd = w.hall.issue_pid(
        HolderBinding::Jwk(w.hall.key.public().clone()),
        T0 + 2,
        None,
    );
    let anchor = sign::issuance(w.hall.signing(), &[&sd], T0 + 2).unwrap();
    assert_eq!(code_of(&w.ledger, &anchor), "signer_key");
}

#[test]
fn a_delegation_revoked_earlier_in_the_log_delegates_nothing() {
    let w = world();
    let (agency, e) = Actor::create("issuers:agency", T0);
    w.ledger.append(&e).unwrap();
    w.ledger
        .append(
            &sign::accreditation(
                w.root.signing(),
                &spec("acc-agency", &agency.did, true),
                T0 + 10,
            )
            .unwrap(),
        )
        .unwrap();
    w.ledger
        .append(&sign::revocation(w.root.signing(), "acc-agency", T0 + 50).unwrap())
        .unwrap();
    // The agency accredits city hall, dating it before its own revocation.
    let backdated = sign::accreditation(
        agency.signing(),
        &spec("acc-hall", &w.hall.did, false),
        T0 + 20,
    )
    .unwrap();
    assert_eq!(code_of(&w.ledger, &backdated), "not_authorized");
}

#[test]
fn issuance_anchors_are_checked_and_indexed_by_position() {
    let mut w = world();
    let holder = HolderBinding::Jwk(
        SigningKey::generate(Algorithm::Es256, &SystemRng)
            .unwrap()
            .public()
            .clone(),
    );
    let a = w.hall.issue_pid(holder.clone(), T0 + 10, None);
    let b = w.hall.issue_pid(holder.clone(), T0 + 11, None);
    let receipt = w
        .ledger
        .append(&sign::issuance(w.hall.signing(), &[&a, &b], T0 + 12).unwrap())
        .unwrap();
    let digest_a = civitas_credential::issuer_jwt_digest(&a);
    let digest_b = civitas_credential::issuer_jwt_digest(&b);
    assert_eq!(
        w.ledger.issuance_anchor(&w.hall.did, &digest_a).unwrap(),
        Some(receipt.index)
    );
    assert_eq!(
        w.ledger.issuance_anchor(&w.hall.did, &digest_b).unwrap(),
        Some(receipt.index)
    );
    // Anchored by one issuer, not by another.
    assert_eq!(
        w.ledger.issuance_anchor(&w.root.did, &digest_a).unwrap(),
        None
    );
    // Anchoring again keeps the first position.
    w.ledger
        .append(&sign::issuance(w.hall.signing(), &[&a], T0 + 13).unwrap())
        .unwrap();
    assert_eq!(
        w.ledger.issuance_anchor(&w.hall.did, &digest_a).unwrap(),
        Some(receipt.index)
    );
    // The rotation's position.
    let rotation = w
        .hall
        .rotate_stating(T0 + 100, Some(RetirementReason::Routine));
    let r = w.ledger.append(&rotation).unwrap();
    let version = w.hall.state.version_id().to_string();
    assert_eq!(
        w.ledger.did_log_index(&w.hall.did, &version).unwrap(),
        Some(r.index)
    );
    assert_eq!(
        w.ledger.did_log_index(&w.hall.did, "9-nothing").unwrap(),
        None
    );

    // Malformed anchors.
    let bad = |digests: serde_json::Value| {
        let payload = serde_json::json!({"iss": w.hall.did, "iat": T0 + 200, "digests": digests});
        Entry::Issuance {
            jws: civitas_credential::jws::sign(
                civitas_ledger::TYP_ISSUANCE,
                &w.hall.kid,
                &payload,
                &w.hall.key,
            )
            .unwrap(),
        }
    };
    for digests in [
        serde_json::json!([]),
        serde_json::json!("not a list"),
        serde_json::json!(["short"]),
        // Not base64url: the first character replaced by '+' (a digest need not contain 'A').
        serde_json::json!([format!("+{}", &digest_a[1..])]),
        serde_json::json!([1]),
        serde_json::json!(vec![
            digest_a.clone();
            civitas_ledger::MAX_ISSUANCE_DIGESTS + 1
        ]),
    ] {
        assert_eq!(
            code_of(&w.ledger, &bad(digests.clone())),
            "invalid_entry",
            "{digests}"
        );
    }
    // A wrong typ is not an anchor.
    let payload = serde_json::json!({"iss": w.hall.did, "iat": T0 + 200, "digests": [digest_a]});
    let wrong_typ = Entry::Issuance {
        jws: civitas_credential::jws::sign(
            civitas_ledger::TYP_ROOT,
            &w.hall.kid,
            &payload,
            &w.hall.key,
        )
        .unwrap(),
    };
    assert_eq!(code_of(&w.ledger, &wrong_typ), "signed_entry_refused");
    let report = w.ledger.audit(&mut |_, _| {}).unwrap();
    assert!(report.checkpoint_verified);
}
