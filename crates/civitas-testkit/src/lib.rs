#![doc = include_str!("../README.md")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_did::Purpose;
use civitas_did::webvh::{self, DocKey, LogState};
use civitas_ledger::sign::Signing;
use civitas_ledger::{Entry, SqliteLedger};
use std::path::Path;
use std::sync::Arc;

pub const HOST: &str = "ledger.civitas.test";
pub const PID: &str = "https://civitas.example/credentials/pid/v1";
pub const MEDICAL: &str = "https://civitas.example/credentials/medical-summary/v1";
/// 2026-11-25T10:00:00Z
pub const T0: i64 = 1_795_600_800;

pub fn clock(t: i64) -> civitas_ledger::Clock {
    Arc::new(move || t)
}

/// An issuer, root or citizen with a did:webvh DID on the ledger: an ES256 key for
/// signing credentials and entries, an Ed25519 update key, and the committed next one.
pub struct Actor {
    pub did: String,
    pub kid: String,
    pub key: SigningKey,
    pub update: SigningKey,
    pub next: SigningKey,
    pub state: LogState,
}

impl Actor {
    pub fn create(path: &str, t: i64) -> (Actor, Entry) {
        let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
        let update = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
        let next = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
        let keys = [DocKey::new(
            "key-1",
            key.public().clone(),
            &[Purpose::AssertionMethod, Purpose::Authentication],
        )];
        let (did, entry) = webvh::create(
            &format!("{HOST}:{path}"),
            &keys,
            &update,
            vec![webvh::next_key_hash(next.public())],
            t,
        )
        .unwrap();
        let state = LogState::genesis(entry.as_str(), t).unwrap();
        let did = did.as_str().to_string();
        let actor = Actor {
            kid: format!("{did}#key-1"),
            did,
            key,
            update,
            next,
            state,
        };
        (actor, civitas_ledger::sign::did_log(entry.as_str()))
    }

    pub fn signing(&self) -> Signing<'_> {
        Signing {
            did: &self.did,
            kid: &self.kid,
            signer: &self.key,
        }
    }

    /// Rotates to the committed key, with a new signing key `key-2` and a new next key,
    /// stating no reason (so the old signing key counts as compromised).
    pub fn rotate(&mut self, t: i64) -> Entry {
        self.rotate_stating(t, None)
    }

    /// [`Actor::rotate`], stating why the old signing key is retired.
    pub fn rotate_stating(
        &mut self,
        t: i64,
        reason: Option<civitas_did::RetirementReason>,
    ) -> Entry {
        let new_key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
        let new_next = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
        let keys = [DocKey::new(
            "key-2",
            new_key.public().clone(),
            &[Purpose::AssertionMethod, Purpose::Authentication],
        )];
        let mut document = webvh::did_document(&self.did, &keys);
        if let Some(reason) = reason {
            civitas_did::state_retirement(&mut document, reason);
        }
        let entry = webvh::rotate_with_document(
            &self.state,
            &[self.next.public().clone()],
            vec![webvh::next_key_hash(new_next.public())],
            document,
            &self.next,
            t,
        )
        .unwrap();
        self.state.append(entry.as_str(), t).unwrap();
        self.update = std::mem::replace(&mut self.next, new_next);
        self.key = new_key;
        self.kid = format!("{}#key-2", self.did);
        civitas_ledger::sign::did_log(entry.as_str())
    }
}

pub fn new_ledger(dir: &Path, t: i64) -> SqliteLedger {
    let key = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
    SqliteLedger::create(&dir.join("ledger.db"), HOST, key, clock(t)).unwrap()
}

/// A node serving `ledger` on a loopback port; dropped, it shuts down.
pub struct Node {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Node {
    pub fn start(ledger: Arc<SqliteLedger>) -> Node {
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                url_tx
                    .send(format!("http://{}", listener.local_addr().unwrap()))
                    .unwrap();
                civitas_ledger::http::server::serve(ledger, listener, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        Node {
            url: url_rx.recv().unwrap(),
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sample PID claims.
pub fn pid_claims() -> serde_json::Map<String, serde_json::Value> {
    civitas_credential::samples::pid_claims()
}

impl Actor {
    /// Issues a PID to `holder` at `iat`, signed with this actor's current key, with an
    /// optional status list reference.
    pub fn issue_pid(
        &self,
        holder: civitas_credential::HolderBinding,
        iat: i64,
        status: Option<civitas_credential::StatusRef>,
    ) -> String {
        let claims = pid_claims();
        let mut o = civitas_credential::IssueOptions::new(&self.did, &self.kid, PID, iat);
        o.holder = Some(holder);
        o.status = status;
        o.exp = Some(iat + 365 * 86_400);
        civitas_credential::types::PID.configure(&mut o, &claims);
        civitas_credential::issue(&claims, &o, &self.key, &SystemRng).unwrap()
    }
}
