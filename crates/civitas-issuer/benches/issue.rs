//! Credential endpoint throughput: credentials issued per second on one core by
//! [`Issuer::credential`] — the key proof's signature checked, its nonce consumed,
//! the SD-JWT VC signed, a status-list index allocated, the audit row and the
//! notification id written (SQLite in a temp dir, the status list already published)
//! — next to the same run's floor: one ring ES256 verification plus one ES256
//! signature. Target: ≤ 1.5× the floor.
//!
//! Two issuers: a did:jwk one (no issuance anchor) and a did:webvh one whose anchor
//! (one more ES256 signature) goes to an in-memory ledger.
//!
//! Batch issuance (issue 13): requests carrying ten key proofs, each answered with ten
//! one-time copies (one signature, one status index and one audit row per copy), next
//! to single-copy requests: copies per second and the ratio.
//!
//! ```text
//! cargo bench -p civitas-issuer --bench issue
//! CIVITAS_BENCH_CREDENTIALS=5000 CIVITAS_BENCH_THREADS=16 cargo bench -p civitas-issuer --bench issue
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use civitas_crypto::{Algorithm, PublicKey, Signer, SigningKey, SystemRng, Verifier};
use civitas_exchange::openid4vci::{ProofKey, TokenRequest, build_proof, parse_offer_url};
use civitas_issuer::{Issuer, IssuerConfig, OfferRequest, Store};
use civitas_ledger::{
    AccreditationRecord, Entry, Hash, LedgerInfo, LedgerReader, LedgerWriter, Receipt, Result,
};
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const URL: &str = "https://issuer.example";

/// An in-memory ledger (appends are kept; the status list is found again).
#[derive(Default)]
struct MemoryLedger {
    entries: Mutex<Vec<Entry>>,
}

impl LedgerReader for MemoryLedger {
    fn info(&self) -> Result<LedgerInfo> {
        Ok(LedgerInfo {
            origin: "bench".into(),
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
        let mut held = self.entries.lock().unwrap();
        Ok(entries
            .iter()
            .map(|e| {
                // Keep only status lists: anchors would grow memory for nothing.
                if matches!(e, Entry::StatusList { .. }) {
                    held.push(e.clone());
                }
                Ok(Receipt {
                    index: held.len() as u64,
                    leaf_hash: String::new(),
                    checkpoint: String::new(),
                })
            })
            .collect())
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Credentials per second for `n` requests of `copies` copies each, prepared ahead
/// (offer, token, nonce, one proof per copy), sent by `threads` threads at once.
fn run(
    did: &str,
    kid: &str,
    key: SigningKey,
    (n, copies): (usize, usize),
    threads: usize,
    dir: &std::path::Path,
) -> f64 {
    let mut config = IssuerConfig::new(URL, did, kid);
    config.token_lifetime = 3600;
    config.nonce_lifetime = 3600;
    config.proof_max_age = 3600;
    config.copies.insert("pid".into(), copies as u32);
    let store = Store::open(&dir.join(format!("{}-{threads}-{copies}.db", did.len()))).unwrap();
    let issuer = Issuer::new(
        config,
        key,
        Arc::new(MemoryLedger::default()),
        Arc::new(civitas_did::MethodResolver::local()),
        store,
        Arc::new(now),
        Arc::new(SystemRng),
    )
    .unwrap();
    let claims: Map<String, Value> = serde_json::from_value(json!({
        "given_name": "Mei", "family_name": "Lin", "birthdate": "1990-05-01",
        "personal_number": "A123456789", "age_over_18": true
    }))
    .unwrap();
    let holders: Vec<SigningKey> = (0..copies)
        .map(|_| SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap())
        .collect();
    let prepare = |count: usize| -> Vec<(String, Vec<u8>)> {
        (0..count)
            .map(|_| {
                let created = issuer
                    .offer(&OfferRequest {
                        credential_issuer: URL.into(),
                        configuration_id: "pid".into(),
                        claims: claims.clone(),
                        expires_in: 3600,
                        pin: true,
                        deferred: false,
                        holder: None,
                    })
                    .unwrap();
                let civitas_exchange::openid4vci::OfferRef::ByValue(offer) =
                    parse_offer_url(&created.offer_uri).unwrap()
                else {
                    panic!()
                };
                let code = offer.pre_authorized().unwrap().pre_authorized_code.clone();
                let token = issuer
                    .token(
                        &TokenRequest::pre_authorized(&code, created.tx_code.as_deref()).to_form(),
                    )
                    .unwrap()
                    .access_token;
                let nonce = issuer.nonce().unwrap().c_nonce;
                let proofs: Vec<String> = holders
                    .iter()
                    .map(|h| build_proof(h, &ProofKey::Jwk, URL, Some(&nonce), now()).unwrap())
                    .collect();
                let body = json!({"credential_configuration_id": "pid", "proofs": {"jwt": proofs}});
                (format!("Bearer {token}"), body.to_string().into_bytes())
            })
            .collect()
    };
    // Warm-up: publishes the status list, warms SQLite's cache.
    for (auth, body) in prepare(20) {
        issuer.credential(Some(&auth), &body).unwrap();
    }
    let requests = prepare(n);
    let chunk = n.div_ceil(threads.max(1));
    let start = Instant::now();
    std::thread::scope(|scope| {
        for part in requests.chunks(chunk) {
            let issuer = &issuer;
            scope.spawn(move || {
                for (auth, body) in part {
                    let r = issuer.credential(Some(auth), body).unwrap();
                    assert!(r.notification_id.is_some());
                    assert_eq!(r.sd_jwts().unwrap().len(), copies);
                }
            });
        }
    });
    (n * copies) as f64 / start.elapsed().as_secs_f64()
}

/// One ES256 verification plus one ES256 signature, per second.
fn floor(n: usize, signatures: usize) -> f64 {
    let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    let public: PublicKey = key.public().clone();
    let message = vec![7u8; 600];
    let sig = key.sign(&message).unwrap();
    let start = Instant::now();
    for _ in 0..n {
        public.verify(Algorithm::Es256, &message, &sig).unwrap();
        for _ in 0..signatures {
            std::hint::black_box(key.sign(&message).unwrap());
        }
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let n: usize = std::env::var("CIVITAS_BENCH_CREDENTIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let tmp = tempfile::tempdir().unwrap();
    let floor_1 = floor(n, 1);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    // The floor with every core busy (two vCPUs need not give twice one).
    let floor_all = {
        let start = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..cores {
                scope.spawn(|| floor(n, 1));
            }
        });
        (n * cores) as f64 / start.elapsed().as_secs_f64() / cores as f64
    };
    let floor_2 = floor(n, 2);
    println!("floor: 1 ES256 verification + 1 ES256 signature: {floor_1:.0}/s");
    let threads: usize = std::env::var("CIVITAS_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    let did = key.public().did_jwk();
    let kid = key.public().did_jwk_url();
    let jwk_rate = run(&did, &kid, key, (n, 1), 1, tmp.path());
    println!(
        "did:jwk issuer (no anchor), one request at a time:  {jwk_rate:.0} credentials/s  ratio {:.2}x the floor",
        floor_1 / jwk_rate
    );
    let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    let did = key.public().did_jwk();
    let kid = key.public().did_jwk_url();
    let total = run(&did, &kid, key, (n, 1), threads, tmp.path());
    let per_core = total / cores.min(threads) as f64;
    println!(
        "did:jwk issuer (no anchor), {threads} requests at once on {cores} cores: {total:.0} credentials/s, {per_core:.0} per core  ratio {:.2}x the floor with all cores busy ({floor_all:.0}/s per core)",
        floor_all / per_core
    );
    let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    let did = "did:webvh:QmBench:ledger.civitas.example:issuers:city-hall";
    let webvh_rate = run(did, &format!("{did}#key-1"), key, (n, 1), 1, tmp.path());
    println!(
        "did:webvh issuer (+ anchor sig), one at a time:     {webvh_rate:.0} credentials/s  ratio {:.2}x the floor, {:.2}x the floor with the anchor's signature ({floor_2:.0}/s)",
        floor_1 / webvh_rate,
        floor_2 / webvh_rate
    );
    let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    let did = key.public().did_jwk();
    let kid = key.public().did_jwk_url();
    let batch_rate = run(&did, &kid, key, (n.div_ceil(10), 10), 1, tmp.path());
    println!(
        "did:jwk issuer, batches of 10 one-time copies, one request at a time: {:.0} requests/s, {batch_rate:.0} copies/s  a copy costs {:.2}x a single-copy request, {:.2}x the floor",
        batch_rate / 10.0,
        jwk_rate / batch_rate,
        floor_1 / batch_rate
    );
}
