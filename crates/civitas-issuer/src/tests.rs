//! The service with a memory ledger, an in-memory store, a clock the tests move and
//! a seeded RNG: expiry of offers, tokens, nonces and proofs; PIN attempts; single
//! use; nothing issued on refusal; the status list published once.

use crate::service::{Issuer, IssuerConfig, OfferRequest};
use crate::store::Store;
use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_exchange::openid4vci::{
    CredentialResponse, ErrorCode, OfferRef, ProofKey, TokenRequest, build_proof, parse_offer_url,
};
use civitas_ledger::{
    AccreditationRecord, Entry, Hash, LedgerInfo, LedgerReader, LedgerWriter, Receipt, Result,
};
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

const URL: &str = "https://issuer.example";
const DID: &str = "did:webvh:QmTest:ledger.civitas.example:issuers:city-hall";

/// A ledger that accepts every entry and keeps them in memory.
#[derive(Default)]
struct MemoryLedger {
    entries: Mutex<Vec<Entry>>,
    /// Refuse every append (a ledger that is down).
    down: std::sync::atomic::AtomicBool,
}

impl LedgerReader for MemoryLedger {
    fn info(&self) -> Result<LedgerInfo> {
        Ok(LedgerInfo {
            origin: "test".into(),
            host: "ledger.civitas.example".into(),
            log_key: String::new(),
            size: 0,
            role: "primary".into(),
            source: None,
            checkpoint_time: None,
            synced_at: None,
        })
    }
    fn checkpoint(&self) -> Result<String> {
        Ok(String::new())
    }
    fn checkpoint_at(&self, _: u64) -> Result<Option<String>> {
        Ok(None)
    }
    fn entries(&self, _: u64, _: u64) -> Result<Vec<Vec<u8>>> {
        Ok(Vec::new())
    }
    fn inclusion_proof(&self, _: u64, _: u64) -> Result<Vec<Hash>> {
        Ok(Vec::new())
    }
    fn consistency_proof(&self, _: u64, _: u64) -> Result<Vec<Hash>> {
        Ok(Vec::new())
    }
    fn did_log(&self, _: &str) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn did_at_path(&self, _: &str) -> Result<Option<String>> {
        Ok(None)
    }
    fn accreditations(&self, _: &str) -> Result<Vec<AccreditationRecord>> {
        Ok(Vec::new())
    }
    fn status_list(&self, _: &str) -> Result<Option<String>> {
        let entries = self.entries.lock().unwrap();
        Ok(entries.iter().find_map(|e| match e {
            Entry::StatusList { jws } => Some(jws.clone()),
            _ => None,
        }))
    }
}

impl LedgerWriter for MemoryLedger {
    fn append_batch(&self, entries: &[Entry]) -> Result<Vec<Result<Receipt>>> {
        if self.down.load(Ordering::SeqCst) {
            return Err(civitas_ledger::Error::Closed);
        }
        let mut held = self.entries.lock().unwrap();
        Ok(entries
            .iter()
            .map(|e| {
                held.push(e.clone());
                Ok(Receipt {
                    index: (held.len() - 1) as u64,
                    leaf_hash: String::new(),
                    checkpoint: String::new(),
                })
            })
            .collect())
    }
}

struct Fixture {
    issuer: Issuer,
    ledger: Arc<MemoryLedger>,
    now: Arc<AtomicI64>,
}

impl Fixture {
    fn new() -> Fixture {
        Self::with_store(Store::memory().unwrap())
    }

    fn with_store(store: Store) -> Fixture {
        let now = Arc::new(AtomicI64::new(1_800_000_000));
        let ledger = Arc::new(MemoryLedger::default());
        let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(7)).unwrap();
        let clock = now.clone();
        let issuer = Issuer::new(
            IssuerConfig::new(URL, DID, &format!("{DID}#key-1")),
            key,
            ledger.clone(),
            Arc::new(civitas_did::MethodResolver::local()),
            store,
            Arc::new(move || clock.load(Ordering::SeqCst)),
            Arc::new(SeededRng::new(8)),
        )
        .unwrap();
        Fixture {
            issuer,
            ledger,
            now,
        }
    }

    fn now(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    fn advance(&self, seconds: i64) {
        self.now.fetch_add(seconds, Ordering::SeqCst);
    }

    /// An offer for a PID: (code, PIN).
    fn offer(&self, pin: bool, expires_in: i64) -> (String, Option<String>) {
        let (code, pin, _) = self.offer_with(pin, expires_in, false);
        (code, pin)
    }

    /// An offer for a PID, maybe deferred: (code, PIN, offer id).
    fn offer_with(
        &self,
        pin: bool,
        expires_in: i64,
        deferred: bool,
    ) -> (String, Option<String>, String) {
        let claims: Map<String, Value> = serde_json::from_value(json!({
            "given_name": "Mei", "family_name": "Lin", "birthdate": "1990-05-01",
            "personal_number": "A123456789"
        }))
        .unwrap();
        let created = self
            .issuer
            .offer(&OfferRequest {
                credential_issuer: URL.into(),
                configuration_id: "pid".into(),
                claims,
                expires_in,
                pin,
                deferred,
                holder: None,
            })
            .unwrap();
        let OfferRef::ByValue(offer) = parse_offer_url(&created.offer_uri).unwrap() else {
            panic!()
        };
        let code = offer.pre_authorized().unwrap().pre_authorized_code.clone();
        (code, created.tx_code, created.offer_id)
    }

    fn deferred(
        &self,
        token: &str,
        transaction_id: &str,
    ) -> std::result::Result<CredentialResponse, ErrorCode> {
        let body = json!({"transaction_id": transaction_id});
        self.issuer
            .deferred_credential(
                Some(&format!("Bearer {token}")),
                body.to_string().as_bytes(),
            )
            .map_err(|r| r.code)
    }

    fn notify(&self, token: &str, body: Value) -> std::result::Result<(), ErrorCode> {
        self.issuer
            .notification(
                Some(&format!("Bearer {token}")),
                body.to_string().as_bytes(),
            )
            .map_err(|r| r.code)
    }

    /// A deferred offer redeemed and requested: (token, transaction id, offer id).
    fn deferred_request(&self) -> (String, String, String) {
        let (code, pin, offer_id) = self.offer_with(true, 600, true);
        let token = self.token(&code, pin.as_deref()).unwrap();
        let body = json!({"credential_configuration_id": "pid",
                          "proofs": {"jwt": [self.proof(&holder(), Some(&self.nonce()), self.now())]}});
        let r = self
            .issuer
            .credential(
                Some(&format!("Bearer {token}")),
                body.to_string().as_bytes(),
            )
            .unwrap();
        assert!(r.is_deferred());
        assert!(r.credentials.is_none() && r.notification_id.is_none());
        (token, r.transaction_id.unwrap(), offer_id)
    }

    fn token(&self, code: &str, pin: Option<&str>) -> std::result::Result<String, ErrorCode> {
        self.issuer
            .token(&TokenRequest::pre_authorized(code, pin).to_form())
            .map(|t| t.access_token)
            .map_err(|r| r.code)
    }

    fn credential(&self, token: &str, proof: &str) -> std::result::Result<String, ErrorCode> {
        let body = json!({"credential_configuration_id": "pid", "proofs": {"jwt": [proof]}});
        self.issuer
            .credential(
                Some(&format!("Bearer {token}")),
                body.to_string().as_bytes(),
            )
            .map(|r| r.sd_jwts().unwrap()[0].to_string())
            .map_err(|r| r.code)
    }

    fn proof(&self, key: &SigningKey, nonce: Option<&str>, iat: i64) -> String {
        build_proof(key, &ProofKey::Jwk, URL, nonce, iat).unwrap()
    }

    fn nonce(&self) -> String {
        self.issuer.nonce().unwrap().c_nonce
    }
}

fn holder() -> SigningKey {
    SigningKey::generate(Algorithm::Es256, &SeededRng::new(99)).unwrap()
}

#[test]
fn issues_once_publishes_the_list_once_and_anchors() {
    let f = Fixture::new();
    let (code, pin) = f.offer(true, 600);
    let token = f.token(&code, pin.as_deref()).unwrap();
    let h = holder();
    let sd_jwt = f
        .credential(&token, &f.proof(&h, Some(&f.nonce()), f.now()))
        .unwrap();
    assert!(sd_jwt.contains('~'));
    {
        let entries = f.ledger.entries.lock().unwrap();
        assert!(matches!(entries[0], Entry::StatusList { .. }));
        assert!(matches!(entries[1], Entry::Issuance { .. }));
    }
    // A second offer: the same list, another index, no second publication.
    let (code, pin) = f.offer(true, 600);
    let token = f.token(&code, pin.as_deref()).unwrap();
    f.credential(&token, &f.proof(&h, Some(&f.nonce()), f.now()))
        .unwrap();
    let lists = f
        .ledger
        .entries
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Entry::StatusList { .. }))
        .count();
    assert_eq!(lists, 1);
    let audit = f.issuer.audit().unwrap();
    let indices: Vec<u64> = audit.iter().map(|a| a.status_index).collect();
    // Placed by the store's secret permutation: distinct, anywhere in the list, not
    // the positions 0 and 1 they were handed out as.
    assert_eq!(indices.len(), 2);
    assert_ne!(indices[0], indices[1]);
    assert!(indices.iter().all(|i| *i < 131_072), "{indices:?}");
    assert_ne!(indices, [0, 1]);
    assert!(indices[0].abs_diff(indices[1]) > 1, "{indices:?}");
    assert_eq!(audit[0].anchor_index, Some(1));
    // The audit holds no claim; the claims are gone from the store.
    let text = format!("{audit:?}");
    assert!(!text.contains("Mei"));
    for row in &audit {
        assert!(!f.issuer.holds_claims(&row.offer_id).unwrap());
    }
    assert!(f.issuer.pending().unwrap().is_empty());
}

#[test]
fn a_store_that_gave_indices_in_order_keeps_its_order() {
    // Before placement was random, positions were the indices: a store that already
    // handed some out must not start a permutation that could give one of them again.
    let store = Store::memory().unwrap();
    store.set_meta("status_next", "5").unwrap();
    let f = Fixture::with_store(store);
    let (code, pin) = f.offer(true, 600);
    let token = f.token(&code, pin.as_deref()).unwrap();
    f.credential(&token, &f.proof(&holder(), Some(&f.nonce()), f.now()))
        .unwrap();
    let audit = f.issuer.audit().unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].status_index, 5);
}

#[test]
fn offer_token_and_nonce_expire_by_the_clock() {
    let f = Fixture::new();
    let h = holder();
    // The offer expires; its claims are deleted when the next offer is made.
    let (code, pin) = f.offer(true, 60);
    f.advance(60);
    assert_eq!(f.token(&code, pin.as_deref()), Err(ErrorCode::InvalidGrant));
    let pending = f.issuer.pending().unwrap();
    assert!(pending.is_empty(), "{pending:?}");
    // The access token expires (5 minutes).
    let (code, pin) = f.offer(true, 600);
    let token = f.token(&code, pin.as_deref()).unwrap();
    f.advance(301);
    let proof = f.proof(&h, Some(&f.nonce()), f.now());
    assert_eq!(f.credential(&token, &proof), Err(ErrorCode::InvalidToken));
    // A nonce goes stale after 5 minutes (the token, taken later, is still good).
    let stale = f.nonce();
    f.advance(200);
    let (code, pin) = f.offer(true, 600);
    let token = f.token(&code, pin.as_deref()).unwrap();
    f.advance(101);
    let proof = f.proof(&h, Some(&stale), f.now());
    assert_eq!(f.credential(&token, &proof), Err(ErrorCode::InvalidNonce));
    // A proof whose iat is older than the window.
    let proof = f.proof(&h, Some(&f.nonce()), f.now() - 301);
    assert_eq!(f.credential(&token, &proof), Err(ErrorCode::InvalidProof));
    // Fresh proof and nonce: issued.
    let proof = f.proof(&h, Some(&f.nonce()), f.now());
    assert!(f.credential(&token, &proof).is_ok());
    assert_eq!(f.issuer.audit().unwrap().len(), 1);
}

#[test]
fn pin_attempts_are_limited_and_codes_single_use() {
    let f = Fixture::new();
    let (code, pin) = f.offer(true, 600);
    let pin = pin.unwrap();
    let wrong = if pin == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(f.token(&code, Some(wrong)), Err(ErrorCode::InvalidGrant));
    }
    assert_eq!(f.token(&code, Some(&pin)), Err(ErrorCode::InvalidGrant));
    let (code, pin) = f.offer(true, 600);
    assert_eq!(f.token(&code, None), Err(ErrorCode::InvalidRequest));
    assert!(f.token(&code, pin.as_deref()).is_ok());
    assert_eq!(f.token(&code, pin.as_deref()), Err(ErrorCode::InvalidGrant));
    let (code, _) = f.offer(false, 600);
    assert_eq!(
        f.token(&code, Some("123456")),
        Err(ErrorCode::InvalidRequest)
    );
    assert!(f.token(&code, None).is_ok());
}

#[test]
fn concurrent_wrong_pins_never_exceed_the_limit() {
    let f = Arc::new(Fixture::new());
    let (code, pin) = f.offer(true, 600);
    let pin = pin.unwrap();
    let wrong = if pin == "000000" { "000001" } else { "000000" };
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let f = f.clone();
            let code = code.clone();
            let wrong = wrong.to_string();
            std::thread::spawn(move || {
                for _ in 0..3 {
                    let _ = f.token(&code, Some(&wrong));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(f.token(&code, Some(&pin)), Err(ErrorCode::InvalidGrant));
}

#[test]
fn the_nonce_is_single_use_and_a_refusal_issues_nothing() {
    let f = Fixture::new();
    let h = holder();
    let other = SigningKey::generate(Algorithm::Es256, &SeededRng::new(5)).unwrap();
    let (code, pin) = f.offer(true, 600);
    let token = f.token(&code, pin.as_deref()).unwrap();
    let n = f.nonce();
    // Signed by `other`, naming `h`'s key by value: refused, the nonce not consumed.
    let forged = {
        let good = f.proof(&other, Some(&n), f.now());
        let mut parts = good.split('.');
        let _header = parts.next();
        let header = json!({"typ": "openid4vci-proof+jwt", "alg": "ES256", "jwk": h.public().to_jwk_value()});
        format!(
            "{}.{}.{}",
            civitas_crypto::b64::encode(header.to_string()),
            parts.next().unwrap(),
            parts.next().unwrap()
        )
    };
    assert_eq!(f.credential(&token, &forged), Err(ErrorCode::InvalidProof));
    assert!(f.issuer.audit().unwrap().is_empty());
    assert_eq!(f.ledger.entries.lock().unwrap().len(), 0);
    // The honest proof over the same nonce works once.
    assert!(
        f.credential(&token, &f.proof(&h, Some(&n), f.now()))
            .is_ok()
    );
    let (code, pin) = f.offer(true, 600);
    let token = f.token(&code, pin.as_deref()).unwrap();
    assert_eq!(
        f.credential(&token, &f.proof(&h, Some(&n), f.now())),
        Err(ErrorCode::InvalidNonce)
    );
    assert_eq!(f.issuer.audit().unwrap().len(), 1);
}

#[test]
fn a_ledger_failure_issues_nothing_and_the_wallet_may_retry() {
    let f = Fixture::new();
    let h = holder();
    let (code, pin) = f.offer(true, 600);
    let token = f.token(&code, pin.as_deref()).unwrap();
    f.ledger.down.store(true, Ordering::SeqCst);
    let proof = f.proof(&h, Some(&f.nonce()), f.now());
    assert_eq!(f.credential(&token, &proof), Err(ErrorCode::ServerError));
    assert!(f.issuer.audit().unwrap().is_empty());
    assert_eq!(f.issuer.pending().unwrap().len(), 1);
    f.ledger.down.store(false, Ordering::SeqCst);
    let proof = f.proof(&h, Some(&f.nonce()), f.now());
    assert!(f.credential(&token, &proof).is_ok());
    assert_eq!(f.issuer.audit().unwrap().len(), 1);
}

#[test]
fn one_token_serves_one_credential_request_at_a_time() {
    use crate::store::{NewOffer, Redeem, secret_hash};
    let mut store = Store::memory().unwrap();
    store
        .insert_offer(&NewOffer {
            id: "o-1",
            code_hash: secret_hash("code", "c"),
            pin_hash: None,
            configuration_id: "pid",
            claims: "{}".into(),
            created_at: 0,
            expires_at: 100,
            deferred: false,
            holder: None,
        })
        .unwrap();
    let th = secret_hash("token", "t");
    assert_eq!(
        store.redeem("c", None, 1, &th, 50, 5).unwrap(),
        Redeem::Redeemed("o-1".into())
    );
    assert!(store.issuing(&th, 2).unwrap().is_some());
    // An expired token: refused.
    assert!(store.issuing(&th, 50).unwrap().is_none());
    // Another token: refused.
    assert!(
        store
            .issuing(&secret_hash("token", "u"), 2)
            .unwrap()
            .is_none()
    );
    // The first request to record wins; a second finds the offer issued.
    let row = crate::store::AuditRow {
        seq: 0,
        offer_id: "o-1".into(),
        configuration_id: "pid".into(),
        holder_thumbprint: "t".into(),
        holder_kid: None,
        status_uri: "u".into(),
        status_index: 0,
        credential_digest: "d".into(),
        anchor_index: None,
        issued_at: 2,
    };
    let note = |id: &str| crate::store::Notification {
        id_hash: id.into(),
        token_hash: th.clone(),
        expires_at: 99,
    };
    assert!(
        !store
            .finish_issue(&secret_hash("token", "u"), &row, &note("n0"))
            .unwrap(),
        "another token's request records nothing"
    );
    assert!(store.finish_issue(&th, &row, &note("n1")).unwrap());
    assert!(!store.finish_issue(&th, &row, &note("n2")).unwrap());
    assert_eq!(store.audit().unwrap().len(), 1, "one audit row, not two");
    assert!(
        store.issuing(&th, 2).unwrap().is_none(),
        "issued: the token is gone"
    );
    assert_eq!(
        store.redeem("c", None, 3, &th, 50, 5).unwrap(),
        Redeem::NotOpen
    );
    assert_eq!(
        store.redeem("x", None, 3, &th, 50, 5).unwrap(),
        Redeem::Unknown
    );
}

#[test]
fn deferred_issuance_waits_for_approval_and_is_fetched_once() {
    let f = Fixture::new();
    let (token, tx, offer_id) = f.deferred_request();
    // Nothing signed yet; the pending list says so.
    assert!(f.issuer.audit().unwrap().is_empty());
    let pending = f.issuer.pending().unwrap();
    assert_eq!(pending[0].state, "deferred");
    // Before approval: 202 again, same transaction id and an interval.
    let r = f.deferred(&token, &tx).unwrap();
    assert_eq!(r.transaction_id.as_deref(), Some(tx.as_str()));
    assert!(r.interval.unwrap() > 0);
    // Another token or an unknown id.
    assert_eq!(
        f.deferred("other", &tx).unwrap_err(),
        ErrorCode::InvalidToken
    );
    assert_eq!(
        f.deferred(&token, "nope").unwrap_err(),
        ErrorCode::InvalidTransactionId
    );
    let row = f.issuer.approve(&offer_id, None).unwrap();
    assert_eq!(row.offer_id, offer_id);
    assert!(!f.issuer.holds_claims(&offer_id).unwrap());
    assert!(f.issuer.approve(&offer_id, None).is_err());
    let r = f.deferred(&token, &tx).unwrap();
    assert!(!r.is_deferred());
    assert!(r.sd_jwts().unwrap()[0].contains('~'));
    let nid = r.notification_id.unwrap();
    assert_eq!(
        f.deferred(&token, &tx).unwrap_err(),
        ErrorCode::InvalidTransactionId
    );
    f.notify(
        &token,
        json!({"notification_id": nid, "event": "credential_accepted"}),
    )
    .unwrap();
    let events = f.issuer.events().unwrap();
    assert_eq!(
        events.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["approved", "credential_accepted"]
    );
}

#[test]
fn rejected_deferred_is_denied_once_and_transactions_expire() {
    let f = Fixture::new();
    let (token, tx, offer_id) = f.deferred_request();
    f.issuer.reject(&offer_id).unwrap();
    assert!(f.issuer.approve(&offer_id, None).is_err());
    assert_eq!(
        f.deferred(&token, &tx).unwrap_err(),
        ErrorCode::CredentialRequestDenied
    );
    assert_eq!(
        f.deferred(&token, &tx).unwrap_err(),
        ErrorCode::InvalidTransactionId
    );
    let (token, tx, offer_id) = f.deferred_request();
    f.advance(14 * 86_400);
    assert_eq!(
        f.deferred(&token, &tx).unwrap_err(),
        ErrorCode::InvalidTransactionId
    );
    assert!(f.issuer.approve(&offer_id, None).is_err());
}

#[test]
fn approval_claims_are_checked_against_the_type() {
    let f = Fixture::new();
    let (_, _, offer_id) = f.deferred_request();
    let bad: Map<String, Value> = serde_json::from_value(json!({"blood_type": 7})).unwrap();
    assert!(f.issuer.approve(&offer_id, Some(bad)).is_err());
    assert!(f.issuer.approve(&offer_id, None).is_ok());
}

#[test]
fn notification_refusals() {
    let f = Fixture::new();
    let (code, pin) = f.offer(true, 600);
    let token = f.token(&code, pin.as_deref()).unwrap();
    let body = json!({"credential_configuration_id": "pid",
                      "proofs": {"jwt": [f.proof(&holder(), Some(&f.nonce()), f.now())]}});
    let r = f
        .issuer
        .credential(
            Some(&format!("Bearer {token}")),
            body.to_string().as_bytes(),
        )
        .unwrap();
    let nid = r.notification_id.unwrap();
    assert_eq!(
        f.notify(
            &token,
            json!({"notification_id": "unknown", "event": "credential_accepted"})
        ),
        Err(ErrorCode::InvalidNotificationId)
    );
    assert_eq!(
        f.notify(
            &token,
            json!({"notification_id": nid, "event": "credential_eaten"})
        ),
        Err(ErrorCode::InvalidNotificationRequest)
    );
    assert_eq!(
        f.notify(
            "wrong",
            json!({"notification_id": nid, "event": "credential_accepted"})
        ),
        Err(ErrorCode::InvalidToken)
    );
    assert_eq!(
        f.issuer.notification(None, b"{}").unwrap_err().code,
        ErrorCode::InvalidToken
    );
    f.notify(
        &token,
        json!({"notification_id": nid, "event": "credential_deleted",
                            "event_description": "user removed it"}),
    )
    .unwrap();
    f.advance(86_400);
    assert_eq!(
        f.notify(
            &token,
            json!({"notification_id": nid, "event": "credential_accepted"})
        ),
        Err(ErrorCode::InvalidNotificationId)
    );
}

/// The payload of an SD-JWT's issuer-signed JWT.
fn payload_of(sd_jwt: &str) -> Value {
    let jwt = sd_jwt.split('~').next().unwrap();
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&civitas_crypto::b64::decode(part.as_bytes()).unwrap()).unwrap()
}

impl Fixture {
    /// A credential request with `proofs` for a PID, answered.
    fn batch(
        &self,
        token: &str,
        proofs: &[String],
    ) -> std::result::Result<CredentialResponse, ErrorCode> {
        let body = json!({"credential_configuration_id": "pid", "proofs": {"jwt": proofs}});
        self.issuer
            .credential(
                Some(&format!("Bearer {token}")),
                body.to_string().as_bytes(),
            )
            .map_err(|r| r.code)
    }

    fn fresh_token(&self) -> String {
        let (code, pin) = self.offer(true, 600);
        self.token(&code, pin.as_deref()).unwrap()
    }
}

fn copy_keys(n: u64) -> Vec<SigningKey> {
    (0..n)
        .map(|i| SigningKey::generate(Algorithm::Es256, &SeededRng::new(1000 + i)).unwrap())
        .collect()
}

#[test]
fn metadata_offers_batches_of_copies() {
    let f = Fixture::new();
    let m = f.issuer.metadata();
    assert_eq!(m.batch_credential_issuance.unwrap().batch_size, 10);
    let c = &m.credential_configurations_supported;
    assert_eq!(c["pid"].civitas_copies, Some(10));
    assert_eq!(c["medical_summary"].civitas_copies, Some(10));
    assert_eq!(c["service_record"].civitas_copies, None);
}

#[test]
fn a_batch_gives_one_copy_per_key_sharing_nothing_but_the_claims() {
    let f = Fixture::new();
    let token = f.fresh_token();
    let nonce = f.nonce();
    let keys = copy_keys(10);
    let proofs: Vec<String> = keys
        .iter()
        .map(|k| f.proof(k, Some(&nonce), f.now()))
        .collect();
    let r = f.batch(&token, &proofs).unwrap();
    let copies: Vec<String> = r
        .sd_jwts()
        .unwrap()
        .into_iter()
        .map(str::to_string)
        .collect();
    assert_eq!(copies.len(), 10);
    assert!(r.notification_id.is_some());
    let mut seen = std::collections::HashSet::new();
    for (copy, key) in copies.iter().zip(&keys) {
        let p = payload_of(copy);
        assert_eq!(p["cnf"]["jwk"], key.public().to_jwk_value());
        // Only the day of issuance, common to every credential issued that day.
        assert_eq!(p["iat"].as_i64().unwrap() % 86_400, 0);
        assert!(seen.insert(p["status"]["status_list"]["idx"].to_string()));
        assert!(seen.insert(p["_sd"].to_string()));
        assert!(seen.insert(copy.split('.').nth(2).unwrap().to_string()));
        // Every disclosure (salt and all) is the copy's own.
        for d in copy.split('~').skip(1).filter(|d| !d.is_empty()) {
            assert!(
                seen.insert(d.to_string()),
                "disclosure shared between copies"
            );
        }
    }
    // One audit row per copy, one anchor entry per copy.
    let audit = f.issuer.audit().unwrap();
    assert_eq!(audit.len(), 10);
    let anchors = f
        .ledger
        .entries
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Entry::Issuance { .. }))
        .count();
    assert_eq!(anchors, 10);
    // The token is spent.
    let again = f.batch(&token, &proofs[..1]);
    assert_eq!(again.unwrap_err(), ErrorCode::InvalidToken);
}

#[test]
fn bad_batches_are_refused_and_issue_nothing() {
    let f = Fixture::new();
    let token = f.fresh_token();
    let nonce = f.nonce();
    let keys = copy_keys(11);
    let proof = |k: &SigningKey, n: &str| f.proof(k, Some(n), f.now());
    // More proofs than the PID's ten copies.
    let eleven: Vec<String> = keys.iter().map(|k| proof(k, &nonce)).collect();
    assert_eq!(
        f.batch(&token, &eleven).unwrap_err(),
        ErrorCode::InvalidCredentialRequest
    );
    // Two proofs for one key.
    let twice = vec![proof(&keys[0], &nonce), proof(&keys[0], &nonce)];
    assert_eq!(
        f.batch(&token, &twice).unwrap_err(),
        ErrorCode::InvalidProof
    );
    // Two nonces.
    let other = f.nonce();
    let mixed = vec![proof(&keys[0], &nonce), proof(&keys[1], &other)];
    assert_eq!(
        f.batch(&token, &mixed).unwrap_err(),
        ErrorCode::InvalidNonce
    );
    // A DID kid in a batch: copies bound to one DID could be linked.
    let kid = keys[2].public().did_jwk_url();
    let with_did = vec![
        proof(&keys[1], &nonce),
        build_proof(&keys[2], &ProofKey::Kid(kid), URL, Some(&nonce), f.now()).unwrap(),
    ];
    assert_eq!(
        f.batch(&token, &with_did).unwrap_err(),
        ErrorCode::InvalidProof
    );
    assert!(f.issuer.audit().unwrap().is_empty());
    // None of that spent the nonce or the token: a good batch still works.
    let good: Vec<String> = keys[..3].iter().map(|k| proof(k, &nonce)).collect();
    assert_eq!(f.batch(&token, &good).unwrap().sd_jwts().unwrap().len(), 3);
}

#[test]
fn a_deferred_credential_is_one_copy() {
    let f = Fixture::new();
    let (code, pin, _) = f.offer_with(true, 600, true);
    let token = f.token(&code, pin.as_deref()).unwrap();
    let nonce = f.nonce();
    let proofs: Vec<String> = copy_keys(2)
        .iter()
        .map(|k| f.proof(k, Some(&nonce), f.now()))
        .collect();
    assert_eq!(
        f.batch(&token, &proofs).unwrap_err(),
        ErrorCode::InvalidCredentialRequest
    );
    assert!(f.batch(&token, &proofs[..1]).unwrap().is_deferred());
}
