#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The history: what is recorded (claim names, never values), the hash chain, and
//! tampering — an entry edited, deleted, swapped or cut — reported on the next unlock.

mod common;

use civitas_credential::types::{MEDICAL, PID};
use civitas_wallet::{Event, PresentationRequest, Problem, Wallet};
use common::*;
use std::path::{Path, PathBuf};

/// A closed wallet whose history is: 1 initialized, 2–3 received, 4–5 presented
/// (entry 4 with a receipt).
fn wallet_with_history(world: &World) -> PathBuf {
    let (mut w, init) = world.wallet("w", T0 + 10);
    let pid = world.hall.issue(
        PID.vct,
        &pid_claims(),
        did_binding(&init.did),
        None,
        T0 + 11,
    );
    let med = world.hospital.issue(
        MEDICAL.vct,
        &medical_claims(),
        did_binding(&init.did),
        None,
        T0 + 11,
    );
    w.receive(&pid, T0 + 12).unwrap();
    w.receive(&med, T0 + 13).unwrap();
    let r = PresentationRequest::new("n1", COUNTER, "pid", paths(&["age_over_18"]))
        .with_optional(paths(&["address.locality", "nationality"]));
    let consent = w.prepare(&r, T0 + 20).unwrap();
    let p = w
        .present(&consent, &paths(&["nationality"]), T0 + 20)
        .unwrap();
    w.attach_receipt(p.history, &receipt_of_entry_4(), T0 + 21)
        .unwrap();
    let r = PresentationRequest::new(
        "n2",
        "er-desk",
        "medical",
        paths(&["blood_type", "allergies"]),
    );
    let consent = w.prepare(&r, T0 + 22).unwrap();
    w.present(&consent, &[], T0 + 22).unwrap();
    drop(w);
    world.dir("w")
}

const COUNTER: &str = "redirect_uri:https://counter.city.example/post";

/// The counter's receipt for entry 4, signed by the same key every time.
fn receipt_of_entry_4() -> String {
    static RECEIPT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    RECEIPT
        .get_or_init(|| {
            signed_receipt(
                &counter_key(),
                COUNTER,
                "n1",
                PID.vct,
                &["age_over_18", "address.locality"],
                T0 + 21,
            )
        })
        .clone()
}

fn sql(dir: &Path, statement: &str) {
    let conn = rusqlite::Connection::open(dir.join("vault.db")).unwrap();
    conn.execute_batch(statement).unwrap();
}

fn unlock(world: &World, dir: &Path) -> (Wallet, civitas_wallet::IntegrityReport) {
    let mut w = Wallet::open(dir, world.writer()).unwrap();
    let report = w.unlock(PASS, T0 + 100).unwrap();
    (w, report)
}

#[test]
fn presentations_record_who_when_and_claim_names_only() {
    let world = World::new();
    let dir = wallet_with_history(&world);
    let (mut w, report) = unlock(&world, &dir);
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.history_entries, 5);
    let items = w.history(T0 + 100).unwrap();
    assert_eq!(items.len(), 5);
    assert!(matches!(items[0].entry.event, Event::Initialized { .. }));
    match &items[3].entry.event {
        Event::Presented {
            aud, claims, vct, ..
        } => {
            assert_eq!(aud, COUNTER);
            assert_eq!(vct, PID.vct);
            // Nationality was dropped by the citizen; it is not recorded as shown.
            assert_eq!(
                claims,
                &vec!["age_over_18".to_string(), "address.locality".to_string()]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(items[3].entry.time, T0 + 20);
    assert_eq!(
        items[3].receipt.as_deref(),
        Some(receipt_of_entry_4().as_str())
    );
    assert!(items[4].receipt.is_none());
    // Each entry commits to the one before.
    for pair in items.windows(2) {
        assert_eq!(pair[1].entry.prev, pair[0].hash);
    }
    let json = w.export_history(T0 + 100).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["intact"], true);
    assert_eq!(parsed["entries"].as_array().unwrap().len(), 5);
    assert_eq!(parsed["entries"][3]["event"], "presented");
    assert_eq!(parsed["entries"][3]["claims"][0], "age_over_18");
    for value in ["Taipei", "O+", "penicillin", "Mei-Ling", "110"] {
        assert!(
            !json.contains(&format!("\"{value}\"")) && !json.contains(&format!(": {value}")),
            "a claim value ({value}) is in the history export"
        );
    }
    assert!(w.verify_history(T0 + 100).unwrap().into_result().is_ok());
}

#[test]
fn an_edited_entry_is_reported_on_the_next_unlock() {
    let world = World::new();
    let dir = wallet_with_history(&world);
    // Flip one bit inside entry 3's ciphertext.
    sql(
        &dir,
        "UPDATE records SET body = CAST(substr(body, 1, 20) || (CASE WHEN substr(body, 21, 1) = X'00' THEN X'01' ELSE X'00' END) || substr(body, 22) AS BLOB) WHERE id = 'h:000000000003';",
    );
    let (mut w, report) = unlock(&world, &dir);
    assert_eq!(report.problems, vec![Problem::Altered { seq: 3 }]);
    eprintln!("{}", report.summary());
    assert_eq!(
        w.verify_history(T0 + 100)
            .unwrap()
            .into_result()
            .unwrap_err()
            .code(),
        "history_tampered"
    );
    // The wallet still opens: the citizen keeps access, and sees the warning.
    assert_eq!(w.credentials(T0 + 100).unwrap().len(), 2);
    let json: serde_json::Value =
        serde_json::from_str(&w.export_history(T0 + 100).unwrap()).unwrap();
    assert_eq!(json["intact"], false);
}

#[test]
fn a_swapped_entry_is_reported() {
    let world = World::new();
    let dir = wallet_with_history(&world);
    // Entry 4's valid ciphertext put in entry 3's place: bound to its own id, it does
    // not open there.
    sql(
        &dir,
        "UPDATE records SET body = (SELECT body FROM records WHERE id = 'h:000000000004') WHERE id = 'h:000000000003';",
    );
    let (_, report) = unlock(&world, &dir);
    assert_eq!(report.problems, vec![Problem::Altered { seq: 3 }]);
}

#[test]
fn a_deleted_entry_is_reported_on_the_next_unlock() {
    let world = World::new();
    let dir = wallet_with_history(&world);
    sql(&dir, "DELETE FROM records WHERE id = 'h:000000000002';");
    let (_, report) = unlock(&world, &dir);
    assert_eq!(report.problems, vec![Problem::Missing { from: 2, to: 2 }]);
    eprintln!("{}", report.summary());
}

#[test]
fn a_deleted_last_entry_is_reported() {
    let world = World::new();
    let dir = wallet_with_history(&world);
    sql(&dir, "DELETE FROM records WHERE id = 'h:000000000005';");
    let (_, report) = unlock(&world, &dir);
    assert_eq!(report.problems, vec![Problem::Missing { from: 5, to: 5 }]);
}

#[test]
fn a_cut_history_is_reported() {
    let world = World::new();
    let dir = wallet_with_history(&world);
    sql(
        &dir,
        "DELETE FROM records WHERE id IN ('h:000000000004', 'h:000000000005'); DELETE FROM records WHERE kind = 5;",
    );
    let (_, report) = unlock(&world, &dir);
    assert_eq!(
        report.problems,
        vec![Problem::Truncated {
            expected: 5,
            found: 3
        }]
    );
}

#[test]
fn an_altered_receipt_and_a_deleted_credential_are_reported() {
    let world = World::new();
    let dir = wallet_with_history(&world);
    sql(
        &dir,
        "UPDATE records SET body = (SELECT body FROM records WHERE id = 'h:000000000001') WHERE kind = 5;
         DELETE FROM records WHERE id = (SELECT id FROM records WHERE kind = 3 LIMIT 1);",
    );
    let (_, report) = unlock(&world, &dir);
    assert_eq!(
        report.problems,
        vec![
            Problem::ReceiptAltered { seq: 4 },
            Problem::CredentialsMissing {
                expected: 2,
                found: 1
            }
        ]
    );
}
