//! The counter's library on its own, without the CLI: a [`CounterSession`] accepts a
//! presentation that answers its request once, refuses a second showing (replay) and
//! one that does not answer the request, renews its nonce after a success, and reads
//! scanned lines; the verdict's counter JSON carries display labels; a
//! [`ReceiptSigner`] signs a receipt naming its did:jwk.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_credential::{ClaimPath, Credential, HolderBinding};
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_did::MethodResolver;
use civitas_exchange::openid4vp::AuthorizationRequest;
use civitas_ledger::LedgerWriter;
use civitas_testkit::*;
use civitas_verifier::{CounterSession, Policy, ReceiptSigner, StaticTrust, Verifier};
use std::sync::Arc;

const AUD: &str = "redirect_uri:https://counter.civitas.example/response";

struct World {
    hall: Actor,
    holder: SigningKey,
    ledger: Arc<civitas_ledger::SqliteLedger>,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(new_ledger(dir.path(), T0 + 3600));
    let (hall, e) = Actor::create("issuers:city-hall", T0);
    ledger.append(&e).unwrap();
    World {
        hall,
        holder: SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap(),
        ledger,
        _dir: dir,
    }
}

fn verifier(w: &World, at: i64) -> Verifier<MethodResolver> {
    Verifier::new(
        civitas_ledger::resolver(w.ledger.clone(), at),
        StaticTrust::new([w.hall.did.clone()]),
        Policy::default(),
    )
}

fn request(nonce: &str, claims: &[&str]) -> AuthorizationRequest {
    let required: Vec<ClaimPath> = claims.iter().map(|c| ClaimPath::key(c)).collect();
    AuthorizationRequest::for_counter(AUD, None, nonce, PID, &required, &[]).unwrap()
}

fn present(w: &World, disclose: &[&str], nonce: &str, at: i64) -> String {
    let sd_jwt = w
        .hall
        .issue_pid(HolderBinding::Jwk(w.holder.public().clone()), T0 + 10, None);
    let selection: Vec<ClaimPath> = disclose.iter().map(|c| ClaimPath::key(c)).collect();
    Credential::parse(&sd_jwt)
        .unwrap()
        .present(&selection, &w.holder, nonce, AUD, at)
        .unwrap()
}

#[test]
fn a_presentation_is_accepted_once_then_refused_as_a_replay() {
    let w = world();
    let at = T0 + 20;
    let mut session = CounterSession::new(verifier(&w, at), request("nonce-1", &["age_over_18"]));
    let p = present(&w, &["age_over_18"], "nonce-1", at);
    let v = session.check(&p, at);
    assert!(v.valid, "{:?}", v.reason);
    // Without renewal (a saved request) the nonce stays; the same showing is a replay.
    assert_eq!(session.request().nonce(), "nonce-1");
    let again = session.check(&p, at);
    assert!(!again.valid);
    assert_eq!(again.code, Some("replay"));
}

#[test]
fn a_success_renews_the_nonce_and_the_old_one_is_refused() {
    let w = world();
    let at = T0 + 20;
    let mut session = CounterSession::new(verifier(&w, at), request("nonce-1", &["age_over_18"]))
        .renewing_with(Box::new(|| Some(request("nonce-2", &["age_over_18"]))));
    let v = session.check(&present(&w, &["age_over_18"], "nonce-1", at), at);
    assert!(v.valid, "{:?}", v.reason);
    assert_eq!(session.request().nonce(), "nonce-2");
    // A second presentation made for the spent nonce is not valid.
    let stale = session.check(&present(&w, &["age_over_18"], "nonce-1", at), at);
    assert!(!stale.valid);
    assert_eq!(session.request().nonce(), "nonce-2");
}

#[test]
fn a_presentation_that_does_not_answer_the_request_is_refused() {
    let w = world();
    let at = T0 + 20;
    let mut session = CounterSession::new(
        verifier(&w, at),
        request("nonce-1", &["age_over_18", "nationality"]),
    );
    let v = session.check(&present(&w, &["age_over_18"], "nonce-1", at), at);
    assert!(!v.valid);
    // The verifier refuses a required claim that was not disclosed.
    assert_eq!(v.code, Some("missing_claim"), "{:?}", v.reason);
}

#[test]
fn with_state_gives_the_request_a_state() {
    let w = world();
    let session = CounterSession::new(verifier(&w, T0), request("nonce-1", &["age_over_18"]))
        .with_state()
        .unwrap();
    assert!(session.request().state().is_some());
}

#[test]
fn scanned_lines_are_read_or_refused_with_a_code() {
    let w = world();
    let at = T0 + 20;
    let mut session = CounterSession::new(verifier(&w, at), request("nonce-1", &["age_over_18"]));
    let other_prefix = session.scan("HC1:NCFOXN%TS3DH", at).unwrap();
    assert_eq!(other_prefix.code, Some("qr.prefix"));
    let junk = session.scan("abc\u{7}def", at).unwrap();
    assert_eq!(junk.code, Some("malformed"));
    let p = present(&w, &["age_over_18"], "nonce-1", at);
    let v = session.scan(&format!("{p}\r\n"), at).unwrap();
    assert!(v.valid, "{:?}", v.reason);
}

#[test]
fn the_counter_json_labels_what_was_shown() {
    let w = world();
    let at = T0 + 20;
    let mut session = CounterSession::new(verifier(&w, at), request("nonce-1", &["age_over_18"]));
    let v = session.check(&present(&w, &["age_over_18"], "nonce-1", at), at);
    assert!(v.valid, "{:?}", v.reason);
    let j = v.to_counter_json();
    assert_eq!(j["valid"], true);
    assert_eq!(j["shown"][0]["label"], "Over 18");
    assert_eq!(j["shown"][0]["value"], true);
    assert_eq!(j["credential"], serde_json::json!(v.type_name()));
    assert!(j["credential"].is_string());
}

#[test]
fn a_receipt_names_the_signers_did_jwk() {
    let w = world();
    let at = T0 + 20;
    let req = request("nonce-1", &["age_over_18"]);
    let mut session = CounterSession::new(verifier(&w, at), req.clone());
    let v = session.check(&present(&w, &["age_over_18"], "nonce-1", at), at);
    let signer = ReceiptSigner::generate().unwrap();
    assert!(signer.did().starts_with("did:jwk:"));
    let receipt = signer.receipt(&req, &v, at).unwrap();
    assert_eq!(receipt.split('.').count(), 3);
}
