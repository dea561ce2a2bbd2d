#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Consent and presentation: the consent lists exactly what would be disclosed and
//! what is missing; the citizen may drop optional claims only; nothing the request
//! did not ask for is disclosed; each presentation is recorded.

mod common;

use civitas_credential::types::{MEDICAL, PID};
use civitas_credential::{ClaimPath, VerifyOptions, verify};
use civitas_wallet::{Error, Event, PresentationRequest};
use common::*;

#[test]
fn only_what_was_asked_is_disclosed() {
    let world = World::new();
    let (mut w, init) = world.wallet("w", T0 + 10);
    let pid = world.hall.issue(
        PID.vct,
        &pid_claims(),
        did_binding(&init.did),
        None,
        T0 + 11,
    );
    w.receive(&pid, T0 + 12).unwrap();
    let request = PresentationRequest::new("n", "counter", PID.vct, paths(&["age_over_18"]))
        .with_optional(paths(&["address.locality", "nationality", "age_over_21"]));
    let consent = w.prepare(&request, T0 + 20).unwrap();
    let listed = |items: &[civitas_wallet::ConsentClaim]| {
        items.iter().map(|c| c.path.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(listed(&consent.required), ["age_over_18"]);
    assert_eq!(
        listed(&consent.optional),
        ["address.locality", "nationality"]
    );
    assert_eq!(consent.missing_optional, paths(&["age_over_21"]));
    assert!(consent.missing_required.is_empty());
    assert_eq!(consent.required[0].value, true);
    assert_eq!(consent.required[0].label.as_deref(), Some("Over 18"));
    assert_eq!(consent.required[0].label_zh.as_deref(), Some("年滿 18 歲"));
    assert_eq!(consent.type_name.as_deref(), Some("Personal ID"));
    assert_eq!(consent.issuer, world.hall.did);
    for name in ["iss", "vct", "cnf", "iat", "exp"] {
        assert!(consent.always_visible.iter().any(|v| v == name), "{name}");
    }
    assert!(!consent.always_visible.iter().any(|v| v == "given_name"));

    // Dropping a required claim, or one not asked for, is refused.
    let err = w
        .present(&consent, &paths(&["age_over_18"]), T0 + 20)
        .unwrap_err();
    assert_eq!(err.code(), "not_optional");
    let err = w
        .present(&consent, &paths(&["given_name"]), T0 + 20)
        .unwrap_err();
    assert_eq!(err.code(), "not_optional");

    let history_before = w.history(T0 + 20).unwrap().len();
    let p = w
        .present(&consent, &paths(&["nationality"]), T0 + 20)
        .unwrap();
    assert_eq!(p.disclosed, paths(&["age_over_18", "address.locality"]));
    let resolver = civitas_ledger::resolver(world.ledger.clone(), T0 + 21);
    let verified = verify(
        &p.text,
        &resolver,
        &VerifyOptions::at(T0 + 21).for_request("n", "counter"),
    )
    .unwrap();
    let disclosed: Vec<String> = verified.disclosed.iter().map(ToString::to_string).collect();
    assert_eq!(disclosed.len(), 3, "{disclosed:?}");
    for d in &disclosed {
        assert!(
            ["age_over_18", "address", "address.locality"].contains(&d.as_str()),
            "{d} was disclosed without being asked"
        );
    }
    let claims = serde_json::Value::Object(verified.claims.clone());
    for hidden in [
        "given_name",
        "family_name",
        "birthdate",
        "personal_number",
        "nationality",
        "age_over_65",
        "address.street_address",
        "address.postal_code",
    ] {
        assert!(
            !ClaimPath::parse(hidden).unwrap().exists_in(&claims),
            "{hidden} was disclosed"
        );
    }
    // The history recorded the presentation, with claim names.
    let items = w.history(T0 + 21).unwrap();
    assert_eq!(items.len(), history_before + 1);
    match &items.last().unwrap().entry.event {
        Event::Presented {
            aud, nonce, claims, ..
        } => {
            assert_eq!(aud, "counter");
            assert_eq!(nonce, "n");
            assert_eq!(claims, &["age_over_18", "address.locality"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.history, items.last().unwrap().entry.seq);
    // The QR payload carries the same presentation.
    assert_eq!(
        civitas_exchange::qr::decode_payload(&p.qr_payload()).unwrap(),
        p.text
    );
}

#[test]
fn missing_claims_and_unusable_requests() {
    let world = World::new();
    let (mut w, init) = world.wallet("w", T0 + 10);
    let med = world.hospital.issue(
        MEDICAL.vct,
        &medical_claims(),
        did_binding(&init.did),
        None,
        T0 + 11,
    );
    let med_id = w.receive(&med, T0 + 12).unwrap().id;

    // A required claim the credential does not have: listed, and nothing is presented.
    let request =
        PresentationRequest::new("n", "c", "medical", paths(&["blood_type", "rh_factor"]));
    let consent = w.prepare(&request, T0 + 20).unwrap();
    assert!(!consent.can_present());
    assert_eq!(consent.missing_required, paths(&["rh_factor"]));
    let err = w.present(&consent, &[], T0 + 20).unwrap_err();
    assert_eq!(err.code(), "required_claim_missing");

    // Arrays: every allergy, as one claim.
    let request = PresentationRequest::new("n", "c", "medical", paths(&["allergies"]));
    let consent = w.prepare(&request, T0 + 20).unwrap();
    assert_eq!(
        consent.required[0].value,
        serde_json::json!(["penicillin", "peanuts"])
    );
    let p = w.present(&consent, &[], T0 + 20).unwrap();
    let verdict = world.verify(&p.text, "n", "c", &["allergies"], T0 + 21);
    assert!(verdict.valid, "{:?}", verdict.reason);
    assert_eq!(
        verdict.claims["allergies"],
        serde_json::json!(["penicillin", "peanuts"])
    );
    assert!(verdict.claims.get("blood_type").is_none());

    // No credential of the type asked for.
    let request = PresentationRequest::new("n", "c", "pid", paths(&["age_over_18"]));
    assert_eq!(
        w.prepare(&request, T0 + 20).unwrap_err().code(),
        "no_matching_credential"
    );
    // Malformed requests.
    let request = PresentationRequest::new("", "c", "medical", paths(&["blood_type"]));
    assert_eq!(
        w.prepare(&request, T0 + 20).unwrap_err().code(),
        "invalid_request"
    );
    let request = PresentationRequest::new("n", "c", "medical", paths(&["blood_type"]))
        .with_optional(paths(&["blood_type"]));
    assert!(matches!(
        w.prepare(&request, T0 + 20),
        Err(Error::InvalidRequest(_))
    ));
    // A chosen credential that does not exist.
    let request = PresentationRequest::new("n", "c", "medical", paths(&["blood_type"]));
    assert_eq!(
        w.prepare_with(&request, "00000000", T0 + 20)
            .unwrap_err()
            .code(),
        "unknown_credential"
    );
    assert_eq!(
        w.prepare_with(&request, &med_id, T0 + 20)
            .unwrap()
            .credential,
        med_id
    );
    // A credential deleted between consent and presentation.
    let consent = w.prepare(&request, T0 + 20).unwrap();
    w.delete(&med_id, T0 + 21).unwrap();
    assert_eq!(
        w.present(&consent, &[], T0 + 22).unwrap_err().code(),
        "unknown_credential"
    );
}
