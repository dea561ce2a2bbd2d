#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The lost-device story, through the library: init → receive a PID and a medical
//! summary (issuers with did:webvh DIDs on the same embedded ledger, bound to the
//! citizen's DID) → present (passes civitas-verifier) → backup → restore elsewhere →
//! rotate with the recovery words → a presentation made with the old device's key is
//! refused, one from the restored wallet passes → deactivate.

mod common;

use civitas_credential::HolderBinding;
use civitas_credential::types::{MEDICAL, PID};
use civitas_wallet::{
    Binding, CredentialStatus, Error, Event, PresentationRequest, RecoverySecret, Wallet,
};
use common::*;

#[test]
fn lost_device_story() {
    let world = World::new();

    // 1. The citizen creates a wallet: a holder key and a did:webvh DID on the ledger.
    let (mut phone, init) = world.wallet("phone", T0 + 10);
    let did = init.did.clone();
    assert!(did.starts_with("did:webvh:"), "{did}");
    assert!(did.contains(&format!("{HOST}:citizens:")), "{did}");
    let words = init.recovery.to_words();
    assert_eq!(words.split(' ').count(), 24);
    let phone_key = phone.holder_key(T0 + 10).unwrap();
    assert!(phone.device_authorized(T0 + 10).unwrap());

    // 2. City hall issues a PID and the hospital a medical summary, both bound to the
    //    citizen's DID; city hall also issues a PID bound to the phone's key by value.
    let pid = world
        .hall
        .issue(PID.vct, &pid_claims(), did_binding(&did), Some(3), T0 + 15);
    let medical = world.hospital.issue(
        MEDICAL.vct,
        &medical_claims(),
        did_binding(&did),
        Some(5),
        T0 + 15,
    );
    let pid_by_key = world.hall.issue(
        PID.vct,
        &pid_claims(),
        Some(HolderBinding::Jwk(phone_key.clone())),
        Some(4),
        T0 + 15,
    );

    // 3. The wallet receives them, checking each issuer's signature on the ledger.
    world.set_time(T0 + 20);
    let got_pid = phone.receive(&pid, T0 + 20).unwrap();
    assert_eq!(got_pid.issuer, world.hall.did);
    assert_eq!(got_pid.type_name.as_deref(), Some("Personal ID"));
    assert_eq!(
        got_pid.binding,
        Binding::Did {
            kid: format!("{did}#holder-1")
        }
    );
    let got_medical = phone.receive(&medical, T0 + 20).unwrap();
    assert_eq!(got_medical.issuer, world.hospital.did);
    let got_by_key = phone.receive(&pid_by_key, T0 + 20).unwrap();
    assert_eq!(got_by_key.binding, Binding::DeviceKey);
    assert_eq!(phone.credentials(T0 + 20).unwrap().len(), 3);

    // show: claims with labels in both locales, status on the ledger.
    let shown = phone.show(&got_pid.id, T0 + 21).unwrap();
    assert_eq!(shown.summary.type_name_zh.as_deref(), Some("個人身分證明"));
    assert_eq!(shown.status, CredentialStatus::Valid);
    let locality = shown
        .claims
        .iter()
        .find(|c| c.path == "address.locality")
        .unwrap();
    assert_eq!(locality.label.as_deref(), Some("City"));
    assert_eq!(locality.label_zh.as_deref(), Some("城市"));
    assert_eq!(locality.value, "Taipei");

    // 4. A counter asks for "over 18" (and optionally the city): the consent shows
    //    exactly that, the presentation passes the verifier.
    let request =
        PresentationRequest::new("n-0S6_WzA2Mj", "counter-7", "pid", paths(&["age_over_18"]))
            .with_optional(paths(&["address.locality"]));
    let consent = phone.prepare_with(&request, &got_pid.id, T0 + 30).unwrap();
    assert_eq!(consent.required.len(), 1);
    assert_eq!(consent.optional.len(), 1);
    assert!(consent.can_present());
    let shown = phone.present(&consent, &[], T0 + 30).unwrap();
    let verdict = world.verify(
        &shown.text,
        "n-0S6_WzA2Mj",
        "counter-7",
        &["age_over_18"],
        T0 + 31,
    );
    assert!(verdict.valid, "{:?}", verdict.reason);
    assert_eq!(verdict.claims["age_over_18"], true);
    assert_eq!(verdict.claims["address"]["locality"], "Taipei");
    assert!(verdict.claims.get("given_name").is_none());

    let request = PresentationRequest::new("n-2", "er-desk", MEDICAL.vct, paths(&["blood_type"]));
    let consent = phone.prepare(&request, T0 + 32).unwrap();
    assert_eq!(consent.credential, got_medical.id);
    let shown = phone.present(&consent, &[], T0 + 32).unwrap();
    let verdict = world.verify(&shown.text, "n-2", "er-desk", &["blood_type"], T0 + 33);
    assert!(verdict.valid, "{:?}", verdict.reason);
    assert_eq!(verdict.claims["blood_type"], "O+");

    // 5. Backup.
    let backup = world.dir("backup.civitas");
    let info = phone.backup(&backup, T0 + 40).unwrap();
    assert_eq!(info.credentials, 3);

    // 6. The phone is lost. On a new device: restore with the words and the file.
    let recovery = RecoverySecret::from_words(&words).unwrap();
    world.set_time(T0 + 50);
    let (mut laptop, report) = Wallet::restore(
        &world.dir("laptop"),
        "another passphrase, new device",
        &recovery,
        &backup,
        world.writer(),
        &fast(),
        T0 + 50,
    )
    .unwrap();
    assert_eq!(report.did, did);
    assert_eq!(report.credentials, 3);
    assert_eq!(report.bound_to_old_device, 1);
    assert!(report.integrity.is_intact(), "{:?}", report.integrity);
    let laptop_key = laptop.holder_key(T0 + 50).unwrap();
    assert_ne!(
        laptop_key, phone_key,
        "a restored wallet has a new holder key"
    );
    assert!(!laptop.device_authorized(T0 + 50).unwrap());
    let history = laptop.history(T0 + 50).unwrap();
    assert!(
        history
            .iter()
            .any(|i| matches!(i.entry.event, Event::Presented { .. }))
    );
    assert!(matches!(
        history.last().unwrap().entry.event,
        Event::Restored { .. }
    ));

    // Before the rotation the DID still names the lost phone's key: a presentation
    // from the laptop is refused, and the consent warns about it.
    let request = PresentationRequest::new("n-3", "counter-7", "pid", paths(&["age_over_18"]));
    let consent = laptop.prepare_with(&request, &got_pid.id, T0 + 52).unwrap();
    assert!(!consent.warnings.is_empty());
    let early = laptop.present(&consent, &[], T0 + 52).unwrap();
    let verdict = world.verify(&early.text, "n-3", "counter-7", &[], T0 + 52);
    assert!(!verdict.valid);
    assert_eq!(
        verdict.code,
        Some("holder_key_not_authorized"),
        "{:?}",
        verdict.reason
    );

    // The PID bound to the phone's key by value cannot be presented from the laptop.
    let err = laptop
        .prepare_with(&request, &got_by_key.id, T0 + 52)
        .unwrap_err();
    assert!(matches!(err, Error::CredentialUnusable(_)), "{err}");
    assert_eq!(
        laptop
            .show(&got_by_key.id, T0 + 52)
            .unwrap()
            .summary
            .binding,
        Binding::OldDeviceKey
    );

    // 7. A thief holding the phone cannot rotate: the vault has no update key, and no
    //    other secret derives the committed one.
    world.set_time(T0 + 55);
    let thief_secret = RecoverySecret::generate(&civitas_crypto::SystemRng).unwrap();
    let err = phone.rotate(&thief_secret, T0 + 55).unwrap_err();
    assert_eq!(err.code(), "wrong_recovery_secret", "{err}");

    // 8. The citizen rotates with the recovery words: the DID now authorizes the
    //    laptop's key.
    world.set_time(T0 + 60);
    let rotation = laptop.rotate(&recovery, T0 + 60).unwrap();
    assert!(rotation.version.starts_with("2-"), "{}", rotation.version);
    assert!(laptop.device_authorized(T0 + 60).unwrap());

    // 9. A presentation built with the lost phone's key is refused; the laptop's
    //    passes.
    world.set_time(T0 + 70);
    let request = PresentationRequest::new("n-4", "counter-7", "pid", paths(&["age_over_18"]));
    let consent = phone.prepare_with(&request, &got_pid.id, T0 + 70).unwrap();
    let stolen = phone.present(&consent, &[], T0 + 70).unwrap();
    let verdict = world.verify(&stolen.text, "n-4", "counter-7", &["age_over_18"], T0 + 71);
    assert!(!verdict.valid);
    assert_eq!(
        verdict.code,
        Some("holder_key_not_authorized"),
        "{:?}",
        verdict.reason
    );
    eprintln!(
        "old device refused: {}",
        verdict.reason.as_deref().unwrap_or_default()
    );
    let consent = laptop.prepare_with(&request, &got_pid.id, T0 + 70).unwrap();
    assert!(consent.warnings.is_empty());
    let good = laptop.present(&consent, &[], T0 + 70).unwrap();
    let verdict = world.verify(&good.text, "n-4", "counter-7", &["age_over_18"], T0 + 71);
    assert!(verdict.valid, "{:?}", verdict.reason);
    // The medical summary too (bound to the DID as well).
    let request = PresentationRequest::new("n-5", "er-desk", "medical", paths(&["blood_type"]));
    let consent = laptop.prepare(&request, T0 + 72).unwrap();
    let good = laptop.present(&consent, &[], T0 + 72).unwrap();
    assert!(
        world
            .verify(&good.text, "n-5", "er-desk", &[], T0 + 72)
            .valid
    );

    // A second rotation still works (the next committed key).
    world.set_time(T0 + 80);
    let again = laptop.rotate(&recovery, T0 + 80).unwrap();
    assert!(again.version.starts_with("3-"));
    assert!(matches!(
        laptop.history(T0 + 80).unwrap().last().unwrap().entry.event,
        Event::Rotated { .. }
    ));

    // 10. The citizen leaves: deactivation, with the recovery words.
    world.set_time(T0 + 100);
    let err = laptop.deactivate(&thief_secret, T0 + 100).unwrap_err();
    assert_eq!(err.code(), "wrong_recovery_secret");
    laptop.deactivate(&recovery, T0 + 100).unwrap();
    let status = laptop.status(T0 + 101).unwrap();
    assert!(status.deactivated);
    let request = PresentationRequest::new("n-6", "counter-7", "pid", paths(&["age_over_18"]));
    let consent = laptop
        .prepare_with(&request, &got_pid.id, T0 + 101)
        .unwrap();
    let after = laptop.present(&consent, &[], T0 + 101).unwrap();
    let verdict = world.verify(&after.text, "n-6", "counter-7", &[], T0 + 101);
    assert!(!verdict.valid);
    assert_eq!(
        verdict.code,
        Some("holder_key_not_authorized"),
        "{:?}",
        verdict.reason
    );
    assert_eq!(
        laptop.rotate(&recovery, T0 + 110).unwrap_err().code(),
        "deactivated"
    );
}

#[test]
fn status_revocation_is_shown() {
    let world = World::new();
    let (mut w, init) = world.wallet("w", T0 + 10);
    let pid = world.hall.issue(
        PID.vct,
        &pid_claims(),
        did_binding(&init.did),
        Some(7),
        T0 + 11,
    );
    let id = w.receive(&pid, T0 + 12).unwrap().id;
    assert_eq!(
        w.show(&id, T0 + 13).unwrap().status,
        CredentialStatus::Valid
    );
    world.set_time(T0 + 20);
    world.hall.publish_status(&*world.ledger, &[7], T0 + 20);
    assert_eq!(
        w.show(&id, T0 + 21).unwrap().status,
        CredentialStatus::Revoked
    );
    // A credential with no status reference.
    let plain = world.hall.issue(
        PID.vct,
        &pid_claims(),
        did_binding(&init.did),
        None,
        T0 + 22,
    );
    let id = w.receive(&plain, T0 + 23).unwrap().id;
    assert_eq!(
        w.show(&id, T0 + 23).unwrap().status,
        CredentialStatus::NotTracked
    );
}
