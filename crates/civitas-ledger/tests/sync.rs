//! Offline counters: a replica syncs from a node over HTTP, verifying consistency and
//! every entry; a node that signs two views of the log is caught with the evidence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_ledger::http::client::HttpLedger;
use civitas_ledger::{
    Error, Freshness, Hash, LedgerReader, LedgerWriter, NoteVerifier, SqliteLedger, VerifiedNode,
    sync,
};
use civitas_testkit::*;
use std::sync::Arc;

fn key_pair() -> (SigningKey, SigningKey) {
    let k = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
    let copy = SigningKey::from_secret(Algorithm::EdDsa, &k.secret_bytes()).unwrap();
    (k, copy)
}

fn append_people(ledger: &SqliteLedger, prefix: &str, n: usize) {
    let entries: Vec<_> = (0..n)
        .map(|i| Actor::create(&format!("{prefix}:{i}"), T0).1)
        .collect();
    for r in ledger.append_batch(&entries).unwrap() {
        r.unwrap();
    }
}

#[test]
fn a_replica_syncs_incrementally_and_serves_reads_offline() {
    let dir = tempfile::tempdir().unwrap();
    let primary = Arc::new(new_ledger(dir.path(), T0 + 60));
    append_people(&primary, "people:a", 30);
    let node = Node::start(primary.clone());
    let remote = HttpLedger::new(&node.url).unwrap();
    let info = remote.info().unwrap();
    let replica = SqliteLedger::create_replica(
        &dir.path().join("counter.db"),
        &info,
        &node.url,
        clock(T0 + 100),
    )
    .unwrap();
    let mut calls = 0;
    let r = sync(&remote, &replica, &mut |_, _| calls += 1).unwrap();
    assert_eq!((r.from, r.to, r.fetched), (0, 30, 30));
    assert!(calls >= 1);
    append_people(&primary, "people:b", 1200);
    let r = sync(&remote, &replica, &mut |_, _| {}).unwrap();
    assert_eq!((r.from, r.to), (30, 1230));
    // Up to date: nothing to do.
    assert_eq!(sync(&remote, &replica, &mut |_, _| {}).unwrap().fetched, 0);
    // Offline: the node is gone, the replica answers and audits.
    drop(node);
    assert_eq!(replica.checkpoint().unwrap(), primary.checkpoint().unwrap());
    let did = primary.did_at_path("people/b/7").unwrap().unwrap();
    assert_eq!(
        replica.did_log(&did).unwrap(),
        primary.did_log(&did).unwrap()
    );
    let info = replica.info().unwrap();
    assert_eq!(info.role, "replica");
    assert_eq!(info.synced_at, Some(T0 + 100));
    assert_eq!(info.checkpoint_time, Some(T0 + 60));
    assert_eq!(replica.audit(&mut |_, _| {}).unwrap().entries, 1230);
    // A replica takes no appends.
    let (_, e) = Actor::create("people:late", T0);
    assert!(matches!(replica.append(&e), Err(Error::ReadOnly(_))));
}

#[test]
fn a_split_view_is_refused_with_both_checkpoints_as_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let (k, copy) = key_pair();
    // One operator key, two diverging logs: what a node showing different histories to
    // different counters would have.
    let a = Arc::new(SqliteLedger::create(&dir.path().join("a.db"), HOST, k, clock(T0)).unwrap());
    let b =
        Arc::new(SqliteLedger::create(&dir.path().join("b.db"), HOST, copy, clock(T0)).unwrap());
    append_people(&a, "people:a", 5);
    append_people(&b, "people:b", 5);
    let node_a = Node::start(a.clone());
    let node_b = Node::start(b.clone());
    let info = HttpLedger::new(&node_a.url).unwrap().info().unwrap();
    let replica =
        SqliteLedger::create_replica(&dir.path().join("c.db"), &info, &node_a.url, clock(T0))
            .unwrap();
    sync(
        &HttpLedger::new(&node_a.url).unwrap(),
        &replica,
        &mut |_, _| {},
    )
    .unwrap();
    let held = replica.checkpoint().unwrap();
    // Same size, another root.
    let err = sync(
        &HttpLedger::new(&node_b.url).unwrap(),
        &replica,
        &mut |_, _| {},
    )
    .unwrap_err();
    let Error::SplitView {
        size,
        held: h,
        received,
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(size, 5);
    assert_eq!(h, held);
    assert_eq!(received, b.checkpoint().unwrap());
    // B grows: its signed checkpoint for size 5 still betrays it.
    append_people(&b, "people:b2", 3);
    let err = sync(
        &HttpLedger::new(&node_b.url).unwrap(),
        &replica,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, Error::SplitView { size: 5, .. }), "{err}");
    let evidence = replica.evidence().unwrap();
    assert_eq!(evidence.len(), 2);
    assert!(
        evidence
            .iter()
            .all(|(kind, held, _)| kind == "split-view" && *held == h)
    );
    // Nothing of B was taken.
    assert_eq!(replica.checkpoint().unwrap(), held);
    assert_eq!(replica.info().unwrap().size, 5);
}

#[test]
fn a_log_signed_by_another_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = Arc::new(new_ledger(dir.path(), T0));
    append_people(&a, "people:a", 2);
    let other_dir = tempfile::tempdir().unwrap();
    let impostor = Arc::new(new_ledger(other_dir.path(), T0));
    append_people(&impostor, "people:x", 2);
    let node_a = Node::start(a.clone());
    let node_x = Node::start(impostor);
    let info = HttpLedger::new(&node_a.url).unwrap().info().unwrap();
    let replica =
        SqliteLedger::create_replica(&dir.path().join("c.db"), &info, &node_a.url, clock(T0))
            .unwrap();
    let err = sync(
        &HttpLedger::new(&node_x.url).unwrap(),
        &replica,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("pinned log key"), "{err}");
    assert!(matches!(err, Error::CheckpointUnverified { .. }), "{err}");
    assert_eq!(err.code(), "checkpoint_unverified");
    assert_eq!(replica.info().unwrap().size, 0);
}

/// A reader that answers like `inner`, except for the newest checkpoint.
struct OldCheckpoint<R> {
    inner: R,
    note: String,
}

impl<R: LedgerReader> LedgerReader for OldCheckpoint<R> {
    fn info(&self) -> civitas_ledger::Result<civitas_ledger::LedgerInfo> {
        self.inner.info()
    }
    fn checkpoint(&self) -> civitas_ledger::Result<String> {
        Ok(self.note.clone())
    }
    fn checkpoint_at(&self, size: u64) -> civitas_ledger::Result<Option<String>> {
        self.inner.checkpoint_at(size)
    }
    fn entries(&self, start: u64, end: u64) -> civitas_ledger::Result<Vec<Vec<u8>>> {
        self.inner.entries(start, end)
    }
    fn inclusion_proof(&self, index: u64, size: u64) -> civitas_ledger::Result<Vec<Hash>> {
        self.inner.inclusion_proof(index, size)
    }
    fn consistency_proof(&self, first: u64, second: u64) -> civitas_ledger::Result<Vec<Hash>> {
        self.inner.consistency_proof(first, second)
    }
    fn did_log(&self, did: &str) -> civitas_ledger::Result<Vec<String>> {
        self.inner.did_log(did)
    }
    fn did_at_path(&self, path: &str) -> civitas_ledger::Result<Option<String>> {
        self.inner.did_at_path(path)
    }
    fn accreditations(
        &self,
        did: &str,
    ) -> civitas_ledger::Result<Vec<civitas_ledger::AccreditationRecord>> {
        self.inner.accreditations(did)
    }
    fn status_list(&self, uri: &str) -> civitas_ledger::Result<Option<String>> {
        self.inner.status_list(uri)
    }
}

#[test]
fn a_rollback_is_refused_with_both_checkpoints_as_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let primary = Arc::new(new_ledger(dir.path(), T0));
    append_people(&primary, "people:a", 3);
    let old = primary.checkpoint().unwrap();
    append_people(&primary, "people:b", 2);
    let node = Node::start(primary.clone());
    let remote = HttpLedger::new(&node.url).unwrap();
    let replica = SqliteLedger::create_replica(
        &dir.path().join("c.db"),
        &remote.info().unwrap(),
        &node.url,
        clock(T0),
    )
    .unwrap();
    sync(&remote, &replica, &mut |_, _| {}).unwrap();
    let held = replica.checkpoint().unwrap();
    let lying = OldCheckpoint {
        inner: remote,
        note: old.clone(),
    };
    let err = sync(&lying, &replica, &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Rollback {
                held: 5,
                received: 3
            }
        ),
        "{err}"
    );
    assert_eq!(err.code(), "rollback");
    assert_eq!(
        replica.evidence().unwrap(),
        vec![("rollback".to_string(), held.clone(), old)]
    );
    assert_eq!(replica.checkpoint().unwrap(), held);
}

#[test]
fn an_older_note_for_the_size_held_does_not_make_the_data_older() {
    let dir = tempfile::tempdir().unwrap();
    let (k, copy) = key_pair();
    let primary =
        Arc::new(SqliteLedger::create(&dir.path().join("a.db"), HOST, k, clock(T0)).unwrap());
    append_people(&primary, "people:a", 2);
    let node = Node::start(primary.clone());
    let remote = HttpLedger::new(&node.url).unwrap();
    let replica = SqliteLedger::create_replica(
        &dir.path().join("c.db"),
        &remote.info().unwrap(),
        &node.url,
        clock(T0),
    )
    .unwrap();
    sync(&remote, &replica, &mut |_, _| {}).unwrap();
    // The same tree, signed again earlier by the same key.
    let signer = civitas_ledger::NoteSigner::new(format!("{HOST}/civitas-ledger"), copy).unwrap();
    let current =
        civitas_ledger::Checkpoint::open(&primary.checkpoint().unwrap(), replica.log_key())
            .unwrap();
    let mut earlier = current.clone();
    earlier.extensions = vec![format!("time {}", T0 - 3600)];
    let lying = OldCheckpoint {
        inner: HttpLedger::new(&node.url).unwrap(),
        note: signer.sign_checkpoint(&earlier).unwrap(),
    };
    assert_eq!(sync(&lying, &replica, &mut |_, _| {}).unwrap().fetched, 0);
    assert_eq!(replica.info().unwrap().checkpoint_time, Some(T0));
    // A newer one is taken.
    let mut later = current;
    later.extensions = vec![format!("time {}", T0 + 3600)];
    let fresh = OldCheckpoint {
        inner: HttpLedger::new(&node.url).unwrap(),
        note: signer.sign_checkpoint(&later).unwrap(),
    };
    sync(&fresh, &replica, &mut |_, _| {}).unwrap();
    assert_eq!(replica.info().unwrap().checkpoint_time, Some(T0 + 3600));
}

#[test]
fn a_verified_node_needs_a_pin_and_answers_from_its_replica() {
    let dir = tempfile::tempdir().unwrap();
    let primary = Arc::new(new_ledger(dir.path(), T0));
    append_people(&primary, "people:a", 3);
    let node = Node::start(primary.clone());
    let path = dir.path().join("cache/node.db");
    let open = |pin: Option<&NoteVerifier>| {
        VerifiedNode::open(
            HttpLedger::new(&node.url).unwrap(),
            &node.url,
            &path,
            pin,
            Freshness {
                refresh: std::time::Duration::ZERO,
                max_age: Some(60),
            },
            clock(T0),
        )
    };
    // No pin, no replica: refused, and nothing is pinned on the way.
    let err = open(None).unwrap_err();
    assert!(matches!(err, Error::LogKeyRequired(_)), "{err}");
    assert_eq!(err.code(), "ledger_key_required");
    assert!(!path.exists());
    // Another key's pin: the node's checkpoint does not verify.
    let other = new_ledger(tempfile::tempdir().unwrap().path(), T0);
    let err = open(Some(other.log_key())).unwrap_err();
    assert_eq!(err.code(), "checkpoint_unverified", "{err}");
    std::fs::remove_file(&path).unwrap();
    let verified = open(Some(primary.log_key())).unwrap();
    assert!(verified.entries_verified());
    assert_eq!(verified.info().unwrap().size, 3);
    assert_eq!(verified.info().unwrap().role, "replica");
    // Reads sync first (refresh 0 here): a new entry is seen.
    append_people(&primary, "people:b", 1);
    let did = primary.did_at_path("people/b/0").unwrap().unwrap();
    assert_eq!(
        verified.did_log(&did).unwrap(),
        primary.did_log(&did).unwrap()
    );
    // Freshness from the signed checkpoint, with checked arithmetic.
    verified.check_age(T0 + 60).unwrap();
    assert_eq!(
        verified.check_age(T0 + 61).unwrap_err().code(),
        "ledger_stale"
    );
    // Out-of-range verification times are a refusal, never an overflow.
    for t in [i64::MIN, i64::MAX] {
        assert_eq!(verified.check_age(t).unwrap_err().code(), "ledger_stale");
    }
    drop(verified);
    // The replica keeps the pin: no key needed again; another key is refused.
    assert!(open(None).is_ok());
    let err = open(Some(other.log_key())).unwrap_err();
    assert_eq!(err.code(), "log_key_mismatch", "{err}");
}

#[test]
fn an_idle_node_re_signs_its_checkpoint_and_replicas_see_the_newer_time() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(T0));
    let t = now.clone();
    let key = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
    let primary = Arc::new(
        SqliteLedger::create(
            &dir.path().join("ledger.db"),
            HOST,
            key,
            Arc::new(move || t.load(Ordering::SeqCst)),
        )
        .unwrap(),
    );
    append_people(&primary, "people:a", 3);
    let first = primary.checkpoint().unwrap();
    assert_eq!(primary.info().unwrap().checkpoint_time, Some(T0));
    // Younger than the limit: kept as it is.
    now.store(T0 + 59, Ordering::SeqCst);
    primary.refresh_checkpoint(60).unwrap();
    assert_eq!(primary.checkpoint().unwrap(), first);
    // Old enough: the same tree, signed again with the time now.
    now.store(T0 + 61, Ordering::SeqCst);
    primary.refresh_checkpoint(60).unwrap();
    let second = primary.checkpoint().unwrap();
    assert_ne!(second, first);
    let info = primary.info().unwrap();
    assert_eq!((info.size, info.checkpoint_time), (3, Some(T0 + 61)));
    let (cp1, cp2) = (
        civitas_ledger::Checkpoint::open(&first, &primary.log_key().clone()).unwrap(),
        civitas_ledger::Checkpoint::open(&second, &primary.log_key().clone()).unwrap(),
    );
    assert_eq!((cp1.size, cp1.root), (cp2.size, cp2.root));
    assert_eq!(primary.audit(&mut |_, _| {}).unwrap().entries, 3);
    // A replica syncing from the node takes the newer note: its data is as fresh as
    // the node's signature says, and nothing counts as a split view.
    let node = Node::start(primary.clone());
    let remote = HttpLedger::new(&node.url).unwrap();
    let replica = SqliteLedger::create_replica(
        &dir.path().join("counter.db"),
        &remote.info().unwrap(),
        &node.url,
        clock(T0 + 100),
    )
    .unwrap();
    sync(&remote, &replica, &mut |_, _| {}).unwrap();
    assert_eq!(replica.info().unwrap().checkpoint_time, Some(T0 + 61));
    now.store(T0 + 200, Ordering::SeqCst);
    primary.refresh_checkpoint(60).unwrap();
    sync(&remote, &replica, &mut |_, _| {}).unwrap();
    assert_eq!(replica.info().unwrap().checkpoint_time, Some(T0 + 200));
    assert!(replica.evidence().unwrap().is_empty());
    // A replica signs nothing.
    assert!(matches!(
        replica.refresh_checkpoint(0),
        Err(Error::ReadOnly(_))
    ));
}
