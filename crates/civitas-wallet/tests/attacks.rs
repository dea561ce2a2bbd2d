#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Attacks on the wallet's integrity and on what it tells the citizen (issue 11,
//! findings 5 and 6): a deleted state record, a deleted or edited wrong-passphrase
//! counter, an unreachable ledger taken for "not accredited" or "authorized", a
//! self-declared root's chosen name, and a counter's forged receipt. Each is detected
//! or reported with its own code.

mod common;

use civitas_credential::types::PID;
use civitas_exchange::openid4vp::{AuthorizationRequest, DirectPostBody, parse_direct_post};
use civitas_ledger::LedgerWriter;
use civitas_ledger::sign::{self, AccreditationSpec};
use civitas_wallet::vault::{ATTEMPTS_FILE, MAX_DELAY};
use civitas_wallet::{Accreditation, Error, Event, PresentationRequest, Problem, Wallet, send};
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

fn sql(dir: &Path, statement: &str) {
    let conn = rusqlite::Connection::open(dir.join("vault.db")).unwrap();
    conn.execute_batch(statement).unwrap();
}

/// A closed wallet with 1 initialized, 2 received (a PID bound to the DID), 3
/// presented.
fn used_wallet(world: &World) -> PathBuf {
    let (mut w, init) = world.wallet("w", T0 + 10);
    let pid = world.hall.issue(
        PID.vct,
        &pid_claims(),
        did_binding(&init.did),
        None,
        T0 + 11,
    );
    w.receive(&pid, T0 + 12).unwrap();
    let r = PresentationRequest::new(
        "n1",
        "redirect_uri:https://counter.city.example/post",
        "pid",
        paths(&["age_over_18"]),
    );
    let consent = w.prepare(&r, T0 + 20).unwrap();
    w.present(&consent, &[], T0 + 20).unwrap();
    drop(w);
    world.dir("w")
}

fn unlock(world: &World, dir: &Path, t: i64) -> (Wallet, civitas_wallet::IntegrityReport) {
    let mut w = Wallet::open(dir, world.writer()).unwrap();
    let report = w.unlock(PASS, t).unwrap();
    (w, report)
}

// ---- finding 5: the state record -------------------------------------------------

#[test]
fn a_deleted_state_record_with_its_history_is_reported_as_tampered() {
    let world = World::new();
    let dir = used_wallet(&world);
    // Before the fix, this left a wallet that reported itself intact with an empty
    // history: the state became a default that matched the (now empty) chain.
    sql(
        &dir,
        "DELETE FROM records WHERE kind = 7; DELETE FROM records WHERE kind IN (3, 4, 5);",
    );
    let (mut w, report) = unlock(&world, &dir, T0 + 100);
    assert_eq!(report.problems, vec![Problem::StateMissing]);
    assert!(!report.is_intact());
    assert_eq!(
        report.clone().into_result().unwrap_err().code(),
        "history_tampered"
    );
    assert!(report.summary().contains("state record was deleted"));
    // verify_history says the same, and so does the export.
    assert_eq!(
        w.verify_history(T0 + 100).unwrap().problems,
        vec![Problem::StateMissing]
    );
    let export: serde_json::Value =
        serde_json::from_str(&w.export_history(T0 + 100).unwrap()).unwrap();
    assert_eq!(export["intact"], false);
    assert_eq!(export["problems"][0]["problem"], "state-missing");
    // A write persists a rebuilt state; the loss stays reported on every unlock.
    let pid = world.hall.issue(
        PID.vct,
        &pid_claims(),
        did_binding(&w.did(T0 + 101).unwrap()),
        None,
        T0 + 101,
    );
    w.receive(&pid, T0 + 102).unwrap();
    drop(w);
    let (mut w, report) = unlock(&world, &dir, T0 + 200);
    assert_eq!(report.problems, vec![Problem::StateMissing]);
    assert_eq!(w.history(T0 + 200).unwrap().len(), 1);
}

#[test]
fn a_deleted_state_record_alone_is_reported_and_the_history_goes_on_after_it() {
    let world = World::new();
    let dir = used_wallet(&world);
    sql(&dir, "DELETE FROM records WHERE kind = 7;");
    let (mut w, report) = unlock(&world, &dir, T0 + 100);
    assert_eq!(report.problems, vec![Problem::StateMissing]);
    // The next entry follows entry 3 instead of overwriting entry 1.
    w.change_passphrase(PASS, PASS, None, T0 + 101).unwrap();
    let items = w.history(T0 + 101).unwrap();
    assert_eq!(items.len(), 4);
    assert!(matches!(items[0].entry.event, Event::Initialized { .. }));
    assert_eq!(items[3].entry.event, Event::PassphraseChanged);
    assert_eq!(items[3].entry.prev, items[2].hash);
}

#[test]
fn cutting_the_last_entries_is_reported_by_the_state() {
    let world = World::new();
    let dir = used_wallet(&world);
    sql(
        &dir,
        "DELETE FROM records WHERE id IN ('h:000000000002', 'h:000000000003');",
    );
    let (_, report) = unlock(&world, &dir, T0 + 100);
    assert_eq!(
        report.problems,
        vec![Problem::Truncated {
            expected: 3,
            found: 1
        }]
    );
}

// ---- finding 5 and 7: the wrong-passphrase counter -------------------------------

fn closed_wallet(world: &World) -> PathBuf {
    let (w, _) = world.wallet("w", T0 + 10);
    drop(w);
    world.dir("w")
}

#[test]
fn every_wallet_has_a_counter_from_the_start() {
    let world = World::new();
    let dir = closed_wallet(&world);
    let counter: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(ATTEMPTS_FILE)).unwrap()).unwrap();
    assert_eq!(counter["failures"], 0);
    let (_, report) = unlock(&world, &dir, T0 + 100);
    assert!(report.is_intact());
}

#[test]
fn deleting_the_counter_after_wrong_guesses_costs_the_longest_delay() {
    let world = World::new();
    let dir = closed_wallet(&world);
    let t = T0 + 1000;
    let mut w = Wallet::open(&dir, world.writer()).unwrap();
    for _ in 0..3 {
        assert_eq!(
            w.unlock("a wrong guess", t).unwrap_err().code(),
            "wrong_passphrase"
        );
    }
    assert!(matches!(
        w.unlock(PASS, t + 1).unwrap_err(),
        Error::RateLimited { retry_after: 29 }
    ));
    // The attacker deletes the counter to guess again at once.
    std::fs::remove_file(dir.join(ATTEMPTS_FILE)).unwrap();
    let err = w.unlock("another guess", t + 2).unwrap_err();
    assert_eq!(err.code(), "rate_limited");
    assert!(
        matches!(err, Error::RateLimited { retry_after } if retry_after == MAX_DELAY),
        "{err:?}"
    );
    // Deleting it again starts the longest delay again, from now.
    std::fs::remove_file(dir.join(ATTEMPTS_FILE)).unwrap();
    assert!(matches!(
        w.unlock(PASS, t + 500).unwrap_err(),
        Error::RateLimited { retry_after } if retry_after == MAX_DELAY
    ));
    // After it, the right passphrase opens the wallet.
    assert!(w.unlock(PASS, t + 500 + MAX_DELAY).unwrap().is_intact());
}

#[test]
fn an_edited_counter_neither_overflows_nor_frees_guesses() {
    let world = World::new();
    let dir = closed_wallet(&world);
    let t = T0 + 1000;
    for (content, wait) in [
        // Huge numbers: checked arithmetic, the longest delay at most.
        (
            format!(r#"{{"failures": {}, "last": {}}}"#, u32::MAX, i64::MAX),
            MAX_DELAY,
        ),
        // Out of range or not a counter: taken as deleted.
        (r#"{"failures": 1e40, "last": 0}"#.to_string(), MAX_DELAY),
        (
            r#"{"failures": 99999999999999999999, "last": -99999999999999999999}"#.to_string(),
            MAX_DELAY,
        ),
        ("garbage".to_string(), MAX_DELAY),
    ] {
        std::fs::write(dir.join(ATTEMPTS_FILE), &content).unwrap();
        let mut w = Wallet::open(&dir, world.writer()).unwrap();
        let err = w.unlock(PASS, t).unwrap_err();
        assert_eq!(err.code(), "rate_limited", "{content}");
        assert!(
            matches!(err, Error::RateLimited { retry_after } if retry_after == wait),
            "{content}: {err:?}"
        );
    }
    // A counter at its maximum with the last failure long ago: one more wrong guess
    // saturates instead of wrapping to zero.
    std::fs::write(
        dir.join(ATTEMPTS_FILE),
        format!(r#"{{"failures": {}, "last": {}}}"#, u32::MAX, i64::MIN),
    )
    .unwrap();
    let mut w = Wallet::open(&dir, world.writer()).unwrap();
    let err = w.unlock("a wrong guess", i64::MAX).unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongPassphrase {
                failures: u32::MAX,
                retry_after
            } if retry_after == MAX_DELAY
        ),
        "{err:?}"
    );
}

// ---- finding 5: an unreachable ledger --------------------------------------------

#[test]
fn an_unreadable_ledger_is_could_not_check_not_unaccredited() {
    let world = World::new();
    let (w, init) = world.wallet("w", T0 + 10);
    drop(w);
    let pid = world.hall.issue(
        PID.vct,
        &pid_claims(),
        did_binding(&init.did),
        None,
        T0 + 11,
    );
    let ledger = Flaky::new(world.ledger.clone(), &["accreditations"]);
    let mut w = Wallet::open(&world.dir("w"), ledger).unwrap();
    w.unlock(PASS, T0 + 12).unwrap();
    let got = w.receive(&pid, T0 + 12).unwrap();
    match &got.accreditation {
        Accreditation::Unchecked { reason } => {
            assert!(reason.contains("node unreachable"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        got.accreditation
            .describe()
            .starts_with("could not check: "),
        "{}",
        got.accreditation.describe()
    );
}

#[test]
fn an_unreachable_ledger_is_said_on_the_consent_screen() {
    let world = World::new();
    let dir = used_wallet(&world);
    let request = PresentationRequest::new(
        "n2",
        "redirect_uri:https://counter.city.example/post",
        "pid",
        paths(&["age_over_18"]),
    );
    // Reachable and authorized: no warning.
    let (mut w, _) = unlock(&world, &dir, T0 + 100);
    assert!(w.prepare(&request, T0 + 100).unwrap().warnings.is_empty());
    drop(w);
    // Unreachable: said, not taken for "authorized".
    let ledger = Flaky::new(world.ledger.clone(), &["did_log"]);
    let mut w = Wallet::open(&dir, ledger).unwrap();
    w.unlock(PASS, T0 + 100).unwrap();
    let consent = w.prepare(&request, T0 + 100).unwrap();
    assert_eq!(consent.warnings.len(), 1, "{:?}", consent.warnings);
    assert!(
        consent.warnings[0].starts_with("could not check the device's authorization: "),
        "{}",
        consent.warnings[0]
    );
}

// ---- finding 5: a self-declared root ---------------------------------------------

#[test]
fn a_self_declared_root_gets_no_name_and_a_trusted_chain_does() {
    let world = World::new();
    let (w, init) = world.wallet("w", T0 + 10);
    drop(w);
    let t = T0 + 20;
    world.set_time(t + 10);
    // The hospital declares itself a root for PIDs and accredits a twin of the city
    // hall under the city hall's name; the twin issues a PID.
    world
        .ledger
        .append(
            &sign::root(
                world.hospital.signing(),
                &[PID.vct],
                Some("Ministry of the Interior"),
                t,
            )
            .unwrap(),
        )
        .unwrap();
    let twin = Issuer::create(&*world.ledger, "issuers:twin", t);
    let spec = AccreditationSpec {
        id: "acc-twin-1",
        subject: &twin.did,
        name: Some("Taipei City Hall"),
        vcts: &[PID.vct],
        nbf: None,
        exp: None,
        delegate: false,
    };
    world
        .ledger
        .append(&sign::accreditation(world.hospital.signing(), &spec, t + 1).unwrap())
        .unwrap();
    let by_twin = twin.issue(PID.vct, &pid_claims(), did_binding(&init.did), None, t + 1);
    let mut w = Wallet::open(&world.dir("w"), world.writer()).unwrap();
    w.unlock(PASS, t + 2).unwrap();
    let got = w.receive(&by_twin, t + 2).unwrap();
    assert_eq!(got.accreditation, Accreditation::SelfDeclared);
    assert_eq!(
        got.accreditation.describe(),
        "self-declared, not accredited by a trusted root"
    );
    assert!(!got.accreditation.describe().contains("Taipei"));
    // The self-made root itself has no accreditation for PIDs.
    assert_eq!(
        w.accreditation(&world.hospital.did, PID.vct, t + 2)
            .unwrap(),
        Accreditation::NotAccredited
    );
    // A root the citizen trusts (the city's) accredits the city hall by name.
    let root = Issuer::create(&*world.ledger, "roots:city", t);
    world
        .ledger
        .append(&sign::root(root.signing(), &[PID.vct], Some("City of Taipei"), t + 3).unwrap())
        .unwrap();
    let spec = AccreditationSpec {
        id: "acc-hall-1",
        subject: &world.hall.did,
        name: Some("Taipei City Hall, household registration"),
        vcts: &[PID.vct],
        nbf: None,
        exp: None,
        delegate: false,
    };
    world
        .ledger
        .append(&sign::accreditation(root.signing(), &spec, t + 4).unwrap())
        .unwrap();
    let by_hall = world
        .hall
        .issue(PID.vct, &pid_claims(), did_binding(&init.did), None, t + 5);
    // Without trusted roots, nobody is named.
    assert_eq!(
        w.receive(&by_hall, t + 6).unwrap().accreditation,
        Accreditation::SelfDeclared
    );
    // Trusted for this process (the CLI's --root).
    w.trust_roots(vec![root.did.clone()]);
    assert_eq!(
        w.accreditation(&world.hall.did, PID.vct, t + 6).unwrap(),
        Accreditation::Accredited {
            names: vec!["Taipei City Hall, household registration".into()],
            root: root.did.clone()
        }
    );
    assert_eq!(
        w.accreditation(&twin.did, PID.vct, t + 6).unwrap(),
        Accreditation::SelfDeclared
    );
    // Stored in the settings, it survives the process.
    w.set_trusted_roots(vec![root.did.clone()], t + 7).unwrap();
    drop(w);
    let mut w = Wallet::open(&world.dir("w"), world.writer()).unwrap();
    w.unlock(PASS, t + 8).unwrap();
    assert_eq!(w.trusted_roots(t + 8).unwrap(), vec![root.did.clone()]);
    let a = w.accreditation(&world.hall.did, PID.vct, t + 8).unwrap();
    assert_eq!(
        a.describe(),
        format!(
            "accredited as Taipei City Hall, household registration (trusted root {})",
            root.did
        )
    );
    // The trusted root itself.
    assert_eq!(
        w.accreditation(&root.did, PID.vct, t + 8).unwrap(),
        Accreditation::Accredited {
            names: vec![],
            root: root.did.clone()
        }
    );
    // An issuer with no accreditation at all.
    assert_eq!(
        w.accreditation(&world.hall.did, "https://example.org/other", t + 8)
            .unwrap(),
        Accreditation::NotAccredited
    );
}

// ---- finding 6: receipts ---------------------------------------------------------

/// A counter on loopback answering each `direct_post` with `answer(vp_token)`;
/// returns its response URI.
fn counter_server(answer: impl Fn(&str) -> String + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0u8; len];
            reader.read_exact(&mut body).unwrap();
            let body = String::from_utf8(body).unwrap();
            let token = match parse_direct_post(&body).unwrap() {
                DirectPostBody::Response(r) => r.vp_token.iter().next().unwrap().1[0].clone(),
                DirectPostBody::Error(_) => String::new(),
            };
            let reply = answer(&token);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/post")
}

/// What the test counter knows when it answers: the request, the presentation, and
/// the ledger and city hall to verify it against.
struct Counter<'a> {
    client_id: &'a str,
    nonce: &'a str,
    token: &'a str,
    ledger: &'a std::sync::Arc<civitas_ledger::SqliteLedger>,
    hall: &'a str,
}

struct Sent {
    world: World,
    wallet: Wallet,
    delivery: send::Delivery,
    presented: u64,
}

/// A wallet that presents its PID's age_over_18 to a loopback counter answering with
/// `receipt(counter)`.
fn send_to(receipt: impl Fn(&Counter<'_>) -> String + Send + Sync + 'static) -> Sent {
    send_asking(&["age_over_18"], receipt)
}

/// [`send_to`] for a request of `required` claims.
fn send_asking(
    required: &[&str],
    receipt: impl Fn(&Counter<'_>) -> String + Send + Sync + 'static,
) -> Sent {
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
    let cell = std::sync::Arc::new(std::sync::OnceLock::<(String, String)>::new());
    let c2 = cell.clone();
    let ledger = world.ledger.clone();
    let hall = world.hall.did.clone();
    let uri = counter_server(move |token| {
        let (client_id, nonce) = c2.get().unwrap();
        receipt(&Counter {
            client_id,
            nonce,
            token,
            ledger: &ledger,
            hall: &hall,
        })
    });
    let client_id = format!("redirect_uri:{uri}");
    let request = AuthorizationRequest::for_counter(
        &client_id,
        None,
        "nonce-0123456789",
        PID.vct,
        &paths(required),
        &[],
    )
    .unwrap();
    cell.set((client_id, request.nonce().to_string())).unwrap();
    assert!(send::can_send(&request));
    let (_, wanted) = civitas_wallet::request::presentation_request(&request).unwrap();
    let consent = w.prepare(&wanted, T0 + 20).unwrap();
    let p = w.present(&consent, &[], T0 + 20).unwrap();
    let delivery = w.send_presentation(&request, &p, T0 + 21).unwrap();
    Sent {
        world,
        wallet: w,
        delivery,
        presented: p.history,
    }
}

fn assert_refused(mut sent: Sent, code: &str) {
    assert_eq!(sent.delivery.receipt, None);
    assert_eq!(sent.delivery.receipt_refused.as_deref(), Some(code));
    let items = sent.wallet.history(T0 + 30).unwrap();
    let presented = items
        .iter()
        .find(|i| i.entry.seq == sent.presented)
        .unwrap();
    assert!(presented.receipt.is_none(), "a refused receipt was stored");
    let last = items.last().unwrap();
    assert_eq!(
        last.entry.event,
        Event::ReceiptRefused {
            entry: sent.presented,
            code: code.to_string()
        }
    );
    assert_eq!(
        last.entry.event.describe(),
        format!(
            "receipt refused: {code} (the counter's receipt for entry #{} was not kept)",
            sent.presented
        )
    );
    assert!(sent.wallet.verify_history(T0 + 30).unwrap().is_intact());
    drop(sent.world);
}

#[test]
fn a_genuine_receipt_from_the_counter_is_checked_and_kept() {
    let key = counter_key();
    let mut sent = send_to(move |c: &Counter<'_>| {
        let (client_id, nonce, token) = (c.client_id, c.nonce, c.token);
        // What `civitas counter serve` does: verify, then sign the verdict.
        assert!(token.contains('~'));
        let r = signed_receipt(&key, client_id, nonce, PID.vct, &["age_over_18"], T0 + 21);
        serde_json::json!({"verdict": {"valid": true}, "receipt": r}).to_string()
    });
    assert_eq!(sent.delivery.status, 200);
    assert_eq!(sent.delivery.receipt_refused, None);
    let kept = sent.delivery.receipt.clone().unwrap();
    let items = sent.wallet.history(T0 + 30).unwrap();
    assert_eq!(
        items.last().unwrap().receipt.as_deref(),
        Some(kept.as_str())
    );
    assert!(sent.wallet.verify_history(T0 + 30).unwrap().is_intact());
}

#[test]
fn the_real_counters_receipt_for_a_nested_claim_is_kept() {
    // The counter's own verifier and receipt signer, as `civitas counter serve` uses
    // them; the presentation shows address.locality (and so its `address` container).
    let signer = civitas_verifier::ReceiptSigner::generate().unwrap();
    let wanted = ["age_over_18", "address.locality"];
    let mut sent = send_asking(&wanted, move |c: &Counter<'_>| {
        let verifier = civitas_verifier::Verifier::new(
            civitas_ledger::resolver(c.ledger.clone(), T0 + 21),
            civitas_verifier::StaticTrust::new([c.hall.to_string()]),
            civitas_verifier::Policy::default(),
        );
        let verdict = verifier.verify(
            c.token,
            &civitas_verifier::Request {
                nonce: Some(c.nonce.into()),
                aud: Some(c.client_id.into()),
                required: paths(&wanted),
            },
            T0 + 21,
        );
        assert!(verdict.valid, "{:?}", verdict.reason);
        let request = AuthorizationRequest::for_counter(
            c.client_id,
            None,
            c.nonce,
            PID.vct,
            &paths(&wanted),
            &[],
        )
        .unwrap();
        let receipt = signer.receipt(&request, &verdict, T0 + 21).unwrap();
        serde_json::json!({ "receipt": receipt }).to_string()
    });
    assert_eq!(sent.delivery.receipt_refused, None);
    let kept = sent.delivery.receipt.clone().unwrap();
    let items = sent.wallet.history(T0 + 30).unwrap();
    assert_eq!(
        items.last().unwrap().receipt.as_deref(),
        Some(kept.as_str())
    );
}

#[test]
fn a_receipt_signed_by_another_key_is_refused() {
    let claimed = counter_key();
    let forger = counter_key();
    let sent = send_to(move |c: &Counter<'_>| {
        let (client_id, nonce, _) = (c.client_id, c.nonce, c.token);
        // The receipt names the counter's did:jwk but is signed by another key.
        let did = claimed.public().did_jwk();
        let receipt = civitas_exchange::openid4vp::Receipt::new(
            &did,
            client_id,
            nonce,
            true,
            vec![PID.vct.to_string()],
            &paths(&["age_over_18"]),
            T0 + 21,
            &civitas_crypto::SystemRng,
        )
        .unwrap();
        let token =
            civitas_exchange::openid4vp::sign_receipt(&receipt, &format!("{did}#0"), &forger)
                .unwrap();
        serde_json::json!({ "receipt": token }).to_string()
    });
    let code = sent.delivery.receipt_refused.clone().unwrap();
    assert!(code.starts_with("openid4vp."), "{code}");
    assert!(code.contains("signature"), "{code}");
    assert_refused(sent, &code);
}

#[test]
fn a_receipt_for_another_request_is_refused() {
    let key = counter_key();
    let sent = send_to(move |c: &Counter<'_>| {
        let (client_id, _, _) = (c.client_id, c.nonce, c.token);
        let r = signed_receipt(
            &key,
            client_id,
            "another-nonce",
            PID.vct,
            &["age_over_18"],
            T0 + 21,
        );
        serde_json::json!({ "receipt": r }).to_string()
    });
    assert_refused(sent, "receipt_wrong_nonce");
}

#[test]
fn a_receipt_for_another_counter_is_refused() {
    let key = counter_key();
    let sent = send_to(move |c: &Counter<'_>| {
        let (_, nonce, _) = (c.client_id, c.nonce, c.token);
        let r = signed_receipt(
            &key,
            "redirect_uri:https://elsewhere.example/post",
            nonce,
            PID.vct,
            &["age_over_18"],
            T0 + 21,
        );
        serde_json::json!({ "receipt": r }).to_string()
    });
    assert_refused(sent, "receipt_wrong_client");
}

#[test]
fn a_receipt_claiming_more_was_shown_is_refused() {
    let key = counter_key();
    let sent = send_to(move |c: &Counter<'_>| {
        let (client_id, nonce, _) = (c.client_id, c.nonce, c.token);
        let r = signed_receipt(
            &key,
            client_id,
            nonce,
            PID.vct,
            &["age_over_18", "personal_number"],
            T0 + 21,
        );
        serde_json::json!({ "receipt": r }).to_string()
    });
    assert_refused(sent, "receipt_wrong_claims");
}

#[test]
fn a_garbage_receipt_is_refused() {
    let sent = send_to(|_: &Counter<'_>| "eyJhbGciOiJub25lIn0.e30.c2ln".to_string());
    let code = sent.delivery.receipt_refused.clone().unwrap();
    assert!(code.starts_with("openid4vp."), "{code}");
    assert_refused(sent, &code);
}

#[test]
fn attaching_a_bad_receipt_by_hand_is_refused_and_stores_nothing() {
    let world = World::new();
    let dir = used_wallet(&world);
    let (mut w, _) = unlock(&world, &dir, T0 + 100);
    let key = counter_key();
    let counter = "redirect_uri:https://counter.city.example/post";
    let cases = [
        (
            3,
            signed_receipt(
                &key,
                counter,
                "n1",
                "https://example.org/vct/other",
                &[],
                T0 + 21,
            ),
            "receipt_wrong_type",
        ),
        (
            2,
            signed_receipt(&key, counter, "n1", PID.vct, &["age_over_18"], T0 + 21),
            "receipt_not_a_presentation",
        ),
        (3, "not a receipt".to_string(), ""),
    ];
    for (seq, receipt, inner) in cases {
        let err = w.attach_receipt(seq, &receipt, T0 + 100).unwrap_err();
        assert_eq!(err.code(), "receipt_refused", "{err}");
        match &err {
            Error::ReceiptRefused { code, .. } if !inner.is_empty() => assert_eq!(*code, inner),
            Error::ReceiptRefused { code, .. } => assert!(code.starts_with("openid4vp.")),
            other => panic!("{other:?}"),
        }
    }
    assert!(
        w.history(T0 + 100)
            .unwrap()
            .iter()
            .all(|i| i.receipt.is_none())
    );
    // The right one is kept.
    let good = signed_receipt(&key, counter, "n1", PID.vct, &["age_over_18"], T0 + 21);
    w.attach_receipt(3, &good, T0 + 100).unwrap();
    assert_eq!(
        w.history(T0 + 100).unwrap()[2].receipt.as_deref(),
        Some(good.as_str())
    );
}
