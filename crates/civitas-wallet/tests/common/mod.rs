//! Fixtures: an embedded ledger with a settable clock, issuers with did:webvh DIDs on
//! it (city hall, a hospital), credentials they issue, a verifier.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use civitas_credential::status_list::StatusList;
use civitas_credential::{ClaimPath, HolderBinding, IssueOptions, StatusRef, issue};
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_did::Purpose;
use civitas_did::webvh::{self, DocKey};
use civitas_ledger::sign::{self, Signing};
use civitas_ledger::{LedgerWriter, SqliteLedger};
use civitas_verifier::{LedgerStatus, Policy, Request, StaticTrust, Verdict, Verifier};
use civitas_wallet::{InitOptions, KdfParams, Wallet};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub const HOST: &str = "ledger.civitas.test";
/// 2026-11-25T10:00:00Z
pub const T0: i64 = 1_795_600_800;
pub const PASS: &str = "correct horse battery staple";

/// The floor parameters: the tests unlock often.
pub fn fast() -> InitOptions {
    InitOptions {
        kdf: KdfParams::MINIMUM,
        ..InitOptions::default()
    }
}

pub struct Issuer {
    pub did: String,
    pub kid: String,
    pub key: SigningKey,
    pub status_uri: String,
}

impl Issuer {
    pub fn create(ledger: &dyn LedgerWriter, path: &str, t: i64) -> Issuer {
        let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
        let update = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
        let next = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
        let keys = [DocKey::new(
            "key-1",
            key.public().clone(),
            &[Purpose::AssertionMethod],
        )];
        let (did, entry) = webvh::create(
            &format!("{HOST}:{path}"),
            &keys,
            &update,
            vec![webvh::next_key_hash(next.public())],
            t,
        )
        .unwrap();
        ledger.append(&sign::did_log(entry.as_str())).unwrap();
        let did = did.as_str().to_string();
        Issuer {
            kid: format!("{did}#key-1"),
            status_uri: sign::status_list_uri(HOST, &did, "1"),
            did,
            key,
        }
    }

    pub fn signing(&self) -> Signing<'_> {
        Signing {
            did: &self.did,
            kid: &self.kid,
            signer: &self.key,
        }
    }

    /// Publishes a status list of 64 entries with `revoked` set to INVALID.
    pub fn publish_status(&self, ledger: &dyn LedgerWriter, revoked: &[u64], t: i64) {
        let mut list = StatusList::new(1, 64).unwrap();
        for i in revoked {
            list.set(*i, civitas_credential::status_list::status::INVALID)
                .unwrap();
        }
        ledger
            .append(&sign::status_list(self.signing(), &self.status_uri, &list, t).unwrap())
            .unwrap();
    }

    pub fn issue(
        &self,
        vct: &str,
        claims: &Value,
        holder: Option<HolderBinding>,
        status_idx: Option<u64>,
        t: i64,
    ) -> String {
        let claims = claims.as_object().unwrap();
        let mut options = IssueOptions::new(&self.did, &self.kid, vct, t);
        options.exp = Some(t + 365 * 86_400);
        options.holder = holder;
        options.status = status_idx.map(|idx| StatusRef {
            idx,
            uri: self.status_uri.clone(),
        });
        if let Some(ty) = civitas_credential::types::CredentialType::by_vct(vct) {
            options.nested_sd = ty.nested_sd_for(claims);
        }
        issue(claims, &options, &self.key, &SystemRng).unwrap()
    }
}

pub fn pid_claims() -> Value {
    json!({
        "given_name": "Mei-Ling",
        "family_name": "Chen",
        "birthdate": "1958-03-14",
        "age_over_18": true,
        "age_over_65": true,
        "nationality": "TW",
        "address": {"street_address": "1 Shifu Road", "locality": "Taipei", "postal_code": "110"},
        "personal_number": "A123456789"
    })
}

pub fn medical_claims() -> Value {
    json!({
        "blood_type": "O+",
        "allergies": ["penicillin", "peanuts"],
        "vaccinations": [{"vaccine": "MMR", "date": "1960-05-01", "dose": 1}],
        "organ_donor": true,
        "chronic_conditions": ["hypertension"]
    })
}

/// Claim values that must never appear in plaintext on disk.
pub fn secret_claim_values() -> Vec<&'static str> {
    vec![
        "Mei-Ling",
        "1958-03-14",
        "1 Shifu Road",
        "A123456789",
        "penicillin",
        "hypertension",
    ]
}

pub struct World {
    pub tmp: tempfile::TempDir,
    pub clock: Arc<AtomicI64>,
    pub ledger: Arc<SqliteLedger>,
    pub hall: Issuer,
    pub hospital: Issuer,
}

impl World {
    pub fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let clock = Arc::new(AtomicI64::new(T0));
        let c = clock.clone();
        let ledger_key = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
        let ledger = Arc::new(
            SqliteLedger::create(
                &tmp.path().join("ledger.db"),
                HOST,
                ledger_key,
                Arc::new(move || c.load(Ordering::SeqCst)),
            )
            .unwrap(),
        );
        let hall = Issuer::create(&*ledger, "issuers:city-hall", T0);
        let hospital = Issuer::create(&*ledger, "issuers:hospital", T0);
        hall.publish_status(&*ledger, &[], T0 + 1);
        hospital.publish_status(&*ledger, &[], T0 + 1);
        World {
            tmp,
            clock,
            ledger,
            hall,
            hospital,
        }
    }

    pub fn set_time(&self, t: i64) {
        self.clock.store(t, Ordering::SeqCst);
    }

    pub fn dir(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn ledger_path(&self) -> PathBuf {
        self.tmp.path().join("ledger.db")
    }

    pub fn writer(&self) -> Arc<dyn LedgerWriter> {
        self.ledger.clone()
    }

    /// A new wallet at `name`, at time `t`.
    pub fn wallet(&self, name: &str, t: i64) -> (Wallet, civitas_wallet::Initialized) {
        self.set_time(t);
        Wallet::init(&self.dir(name), PASS, self.writer(), &fast(), t).unwrap()
    }

    pub fn verify(
        &self,
        presentation: &str,
        nonce: &str,
        aud: &str,
        required: &[&str],
        now: i64,
    ) -> Verdict {
        // Strict, as a counter: revocation status is checked on the ledger.
        let resolver = civitas_ledger::resolver(self.ledger.clone(), now);
        let verifier = Verifier::new(
            resolver.clone(),
            StaticTrust::new([self.hall.did.clone(), self.hospital.did.clone()]),
            Policy::default(),
        )
        .with_status(LedgerStatus::new(self.ledger.clone(), resolver));
        verifier.verify(
            presentation,
            &Request {
                nonce: Some(nonce.into()),
                aud: Some(aud.into()),
                required: required
                    .iter()
                    .map(|p| ClaimPath::parse(p).unwrap())
                    .collect(),
            },
            now,
        )
    }
}

pub fn did_binding(did: &str) -> Option<HolderBinding> {
    Some(HolderBinding::Did(format!("{did}#holder-1")))
}

pub fn paths(list: &[&str]) -> Vec<ClaimPath> {
    list.iter().map(|p| ClaimPath::parse(p).unwrap()).collect()
}

/// Every file in `dir` (recursively) with its bytes.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Asserts two snapshots are identical, naming what differs (never dumping bytes).
pub fn assert_same(before: &[(String, Vec<u8>)], after: &[(String, Vec<u8>)]) {
    let names = |s: &[(String, Vec<u8>)]| {
        s.iter()
            .map(|(n, b)| (n.clone(), b.len()))
            .collect::<Vec<_>>()
    };
    let changed: Vec<&String> = before
        .iter()
        .zip(after)
        .filter(|(a, b)| a.0 == b.0 && a.1 != b.1)
        .map(|(a, _)| &a.0)
        .collect();
    assert!(
        names(before) == names(after) && changed.is_empty(),
        "files were written: before {:?}, after {:?}, changed {:?}",
        names(before),
        names(after),
        changed
    );
}

/// A ledger that forwards to `inner` but fails the reads named in `failing`
/// (`"accreditations"`, `"did_log"`, `"status_list"`) with a remote error: a node that
/// cannot be reached for those.
pub struct Flaky {
    pub inner: Arc<SqliteLedger>,
    pub failing: Vec<&'static str>,
}

impl Flaky {
    pub fn new(inner: Arc<SqliteLedger>, failing: &[&'static str]) -> Arc<Flaky> {
        Arc::new(Flaky {
            inner,
            failing: failing.to_vec(),
        })
    }

    fn fail(&self, what: &str) -> civitas_ledger::Result<()> {
        if self.failing.contains(&what) {
            Err(civitas_ledger::Error::Remote(
                "connection refused (node unreachable)".into(),
            ))
        } else {
            Ok(())
        }
    }
}

impl civitas_ledger::LedgerReader for Flaky {
    fn info(&self) -> civitas_ledger::Result<civitas_ledger::LedgerInfo> {
        self.inner.info()
    }
    fn checkpoint(&self) -> civitas_ledger::Result<String> {
        self.inner.checkpoint()
    }
    fn checkpoint_at(&self, size: u64) -> civitas_ledger::Result<Option<String>> {
        self.inner.checkpoint_at(size)
    }
    fn entries(&self, start: u64, end: u64) -> civitas_ledger::Result<Vec<Vec<u8>>> {
        self.inner.entries(start, end)
    }
    fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> civitas_ledger::Result<Vec<civitas_ledger::Hash>> {
        self.inner.inclusion_proof(index, size)
    }
    fn consistency_proof(
        &self,
        first: u64,
        second: u64,
    ) -> civitas_ledger::Result<Vec<civitas_ledger::Hash>> {
        self.inner.consistency_proof(first, second)
    }
    fn did_log(&self, did: &str) -> civitas_ledger::Result<Vec<String>> {
        self.fail("did_log")?;
        self.inner.did_log(did)
    }
    fn did_at_path(&self, path: &str) -> civitas_ledger::Result<Option<String>> {
        self.inner.did_at_path(path)
    }
    fn accreditations(
        &self,
        did: &str,
    ) -> civitas_ledger::Result<Vec<civitas_ledger::AccreditationRecord>> {
        self.fail("accreditations")?;
        self.inner.accreditations(did)
    }
    fn status_list(&self, uri: &str) -> civitas_ledger::Result<Option<String>> {
        self.fail("status_list")?;
        self.inner.status_list(uri)
    }
    fn entries_verified(&self) -> bool {
        self.inner.entries_verified()
    }
}

impl LedgerWriter for Flaky {
    fn append_batch(
        &self,
        entries: &[civitas_ledger::Entry],
    ) -> civitas_ledger::Result<Vec<civitas_ledger::Result<civitas_ledger::Receipt>>> {
        self.inner.append_batch(entries)
    }
}

/// A counter's receipt signer (what `civitas counter serve` signs with).
pub fn counter_key() -> SigningKey {
    SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap()
}

/// A receipt signed by `key` (its did:jwk) saying `client_id`'s request `nonce` was
/// answered with `vct`, showing `disclosed`.
pub fn signed_receipt(
    key: &SigningKey,
    client_id: &str,
    nonce: &str,
    vct: &str,
    disclosed: &[&str],
    iat: i64,
) -> String {
    let did = key.public().did_jwk();
    let receipt = civitas_exchange::openid4vp::Receipt::new(
        &did,
        client_id,
        nonce,
        true,
        vec![vct.to_string()],
        &paths(disclosed),
        iat,
        &SystemRng,
    )
    .unwrap();
    civitas_exchange::openid4vp::sign_receipt(&receipt, &format!("{did}#0"), key).unwrap()
}
