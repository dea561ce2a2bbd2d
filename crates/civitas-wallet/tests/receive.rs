#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Receiving: each refusal with its reason (not a credential, forged, unknown
//! issuer, expired, no holder binding, someone else's binding, a duplicate), and the
//! accepted forms (compact, pasted with whitespace, a `CIV1:` payload, multi-part
//! QR codes), nothing stored on refusal.

mod common;

use civitas_credential::types::{MEDICAL, PID};
use civitas_credential::{HolderBinding, IssueOptions, issue};
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_exchange::qr::{QrOptions, encode_parts, encode_payload};
use civitas_wallet::{Binding, Error};
use common::*;

fn refused(w: &mut civitas_wallet::Wallet, input: &str, code: &str) -> Error {
    let before = w.credentials(T0 + 20).unwrap().len();
    let history = w.history(T0 + 20).unwrap().len();
    let err = w.receive(input, T0 + 20).unwrap_err();
    eprintln!("{code}: {err}");
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(
        w.credentials(T0 + 20).unwrap().len(),
        before,
        "nothing stored"
    );
    assert_eq!(
        w.history(T0 + 20).unwrap().len(),
        history,
        "nothing recorded"
    );
    err
}

#[test]
fn refusals_each_have_their_reason() {
    let world = World::new();
    let (mut w, init) = world.wallet("w", T0 + 10);
    let did = init.did.clone();

    refused(
        &mut w,
        "hello, this is not a credential",
        "not_a_credential",
    );
    refused(&mut w, "", "not_a_credential");
    refused(&mut w, "CIV1:NOT-BASE45!!", "qr");

    // Forged: the issuer's signature does not cover the altered payload.
    let good = world
        .hall
        .issue(PID.vct, &pid_claims(), did_binding(&did), None, T0 + 11);
    let (jwt, rest) = good.split_once('~').unwrap();
    let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&civitas_crypto::b64::decode(&parts[1]).unwrap()).unwrap();
    payload["exp"] = (T0 + 100 * 365 * 86_400).into();
    parts[1] = civitas_crypto::b64::encode(payload.to_string());
    let forged = format!("{}~{rest}", parts.join("."));
    let err = refused(&mut w, &forged, "credential_refused");
    match err {
        Error::CredentialRefused(inner) => assert_eq!(inner.code(), "issuer_signature_invalid"),
        other => panic!("{other:?}"),
    }

    // An issuer whose DID is not on this ledger.
    let stranger_key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    let unknown = "did:webvh:QmUnknownScid111111111111111111111111111111111:ledger.civitas.test:issuers:nobody";
    let mut options = IssueOptions::new(unknown, &format!("{unknown}#key-1"), PID.vct, T0 + 11);
    options.holder = did_binding(&did);
    let text = issue(
        pid_claims().as_object().unwrap(),
        &options,
        &stranger_key,
        &SystemRng,
    )
    .unwrap();
    let err = refused(&mut w, &text, "credential_refused");
    assert!(err.to_string().contains("issuer"), "{err}");

    // Expired.
    let mut options = IssueOptions::new(&world.hall.did, &world.hall.kid, PID.vct, T0 + 1);
    options.exp = Some(T0 + 15);
    options.holder = did_binding(&did);
    let expired = issue(
        pid_claims().as_object().unwrap(),
        &options,
        &world.hall.key,
        &SystemRng,
    )
    .unwrap();
    match refused(&mut w, &expired, "credential_refused") {
        Error::CredentialRefused(inner) => assert_eq!(inner.code(), "expired"),
        other => panic!("{other:?}"),
    }

    // No holder binding: anyone with a copy could present it.
    let unbound = world
        .hall
        .issue(PID.vct, &pid_claims(), None, None, T0 + 11);
    refused(&mut w, &unbound, "no_holder_binding");

    // Bound to someone else's DID, to a key we do not hold, to a fragment our DID
    // does not have.
    let other = world.hall.issue(
        PID.vct,
        &pid_claims(),
        did_binding(&world.hospital.did),
        None,
        T0 + 11,
    );
    refused(&mut w, &other, "not_our_binding");
    let someone = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    let by_key = world.hall.issue(
        PID.vct,
        &pid_claims(),
        Some(HolderBinding::Jwk(someone.public().clone())),
        None,
        T0 + 11,
    );
    refused(&mut w, &by_key, "not_our_binding");
    let wrong_fragment = world.hall.issue(
        PID.vct,
        &pid_claims(),
        Some(HolderBinding::Did(format!("{did}#holder-9"))),
        None,
        T0 + 11,
    );
    refused(&mut w, &wrong_fragment, "not_our_binding");

    // Accepted once; the same credential again is a duplicate.
    let id = w.receive(&good, T0 + 20).unwrap().id;
    let err = refused(&mut w, &good, "duplicate_credential");
    assert!(err.to_string().contains(&id));
}

#[test]
fn accepted_forms() {
    let world = World::new();
    let (mut w, init) = world.wallet("w", T0 + 10);
    let did = init.did.clone();
    let key = w.holder_key(T0 + 10).unwrap();
    let pid = world
        .hall
        .issue(PID.vct, &pid_claims(), did_binding(&did), None, T0 + 11);
    // Pasted, with surrounding whitespace.
    let got = w.receive(&format!("\n  {pid}  \n"), T0 + 20).unwrap();
    assert_eq!(got.vct, PID.vct);
    // A CIV1 QR payload.
    let med = world.hospital.issue(
        MEDICAL.vct,
        &medical_claims(),
        did_binding(&did),
        None,
        T0 + 11,
    );
    let got = w.receive(&encode_payload(&med), T0 + 20).unwrap();
    assert_eq!(got.type_name.as_deref(), Some("Medical summary"));
    // Multi-part QR codes, one per line.
    let by_key = world.hall.issue(
        PID.vct,
        &pid_claims(),
        Some(HolderBinding::Jwk(key)),
        None,
        T0 + 12,
    );
    let parts = encode_parts(&by_key, &QrOptions::default().with_max_version(10)).unwrap();
    assert!(parts.len() > 1);
    let got = w.receive(&parts.join("\n"), T0 + 20).unwrap();
    assert_eq!(got.binding, Binding::DeviceKey);
    // An issuer with no accreditation is reported as such, not refused.
    assert_eq!(
        got.accreditation,
        civitas_wallet::Accreditation::NotAccredited
    );
    // A did:jwk issuer (nothing to anchor) verifies too.
    let jwk_issuer = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    let jwk_did = jwk_issuer.public().did_jwk();
    let mut options = IssueOptions::new(
        &jwk_did,
        &format!("{jwk_did}#0"),
        "https://example.org/vct/library-card",
        T0 + 11,
    );
    options.holder = did_binding(&did);
    let card = issue(
        serde_json::json!({"member": "yes"}).as_object().unwrap(),
        &options,
        &jwk_issuer,
        &SystemRng,
    )
    .unwrap();
    let got = w.receive(&card, T0 + 20).unwrap();
    assert_eq!(got.issuer, jwk_did);
    assert_eq!(got.type_name, None);
    let list = w.credentials(T0 + 20).unwrap();
    assert_eq!(list.len(), 4);
    assert!(list.iter().all(|c| c.valid_now));
    // Delete.
    w.delete(&got.id, T0 + 21).unwrap();
    assert_eq!(w.credentials(T0 + 21).unwrap().len(), 3);
    assert_eq!(
        w.delete(&got.id, T0 + 22).unwrap_err().code(),
        "unknown_credential"
    );
    assert_eq!(
        w.show("nope", T0 + 22).unwrap_err().code(),
        "unknown_credential"
    );
}
