//! Offline counters, and any verifier reading a node: pull a ledger's new entries into
//! a local replica, verifying the checkpoint against the pinned log key, the
//! consistency proof from the last checkpoint held and every entry, so that
//! `civitas verify --ledger FILE` needs no network and `--ledger URL` reads only what
//! the pinned key vouches for ([`VerifiedNode`]).

use crate::checkpoint::{Checkpoint, NoteVerifier, SignedNote};
use crate::merkle::{self, Hash};
use crate::store::evidence::record_evidence;
use crate::store::integrate::{
    apply_chunk, record_synced_checkpoint, signed_note_at, tree_root, tree_size,
};
use crate::store::{Clock, MAX_ENTRIES_PER_READ, SqliteLedger};
use crate::traits::{AccreditationRecord, LedgerInfo, LedgerReader};
use crate::{Error, Result};
use rusqlite::TransactionBehavior;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Size held before.
    pub from: u64,
    /// Size held after.
    pub to: u64,
    /// Entries fetched and verified.
    pub fetched: u64,
}

/// Opens `note` as a checkpoint signed by `log_key`, or says why it is not one
/// ([`Error::CheckpointUnverified`]).
fn open_signed(note: &str, log_key: &NoteVerifier) -> Result<Checkpoint> {
    Checkpoint::open(note, log_key).map_err(|e| Error::CheckpointUnverified {
        key: log_key.to_vkey(),
        why: e.to_string(),
    })
}

/// The signing time of a signed note (`None`: none, or not parseable).
fn note_time(note: &str) -> Option<i64> {
    let signed = SignedNote::parse(note).ok()?;
    Checkpoint::parse(signed.text()).ok()?.time()
}

/// Records evidence of misbehaviour, commits it, and returns `err`.
fn refuse<T>(
    tx: rusqlite::Transaction<'_>,
    kind: &str,
    held: &str,
    received: &str,
    now: i64,
    err: Error,
) -> Result<T> {
    record_evidence(&tx, kind, held, received, now)?;
    tx.commit()?;
    Err(err)
}

/// Brings `replica` up to `source`'s newest checkpoint. The checkpoint must be signed
/// by the replica's pinned log key ([`Error::CheckpointUnverified`]); the source must
/// prove it extends what the replica holds (consistency proof); every new entry is
/// re-validated and the recomputed root must equal the signed one. All of it lands in
/// one transaction, or nothing does.
///
/// A source that signed a different checkpoint for a size the replica already holds
/// (a split view, [`Error::SplitView`]), whose signed log is shorter than the copy
/// held (a rollback, [`Error::Rollback`]) or that cannot prove consistency
/// ([`Error::Inconsistent`]) is refused; both signed checkpoints are kept in the
/// replica's evidence table. Concurrent syncs of one replica (two processes sharing a
/// cache) take turns.
pub fn sync(
    source: &dyn LedgerReader,
    replica: &SqliteLedger,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<SyncReport> {
    let log_key = replica.log_key().clone();
    let info = replica.info()?;
    let remote_note = source.checkpoint()?;
    let remote = open_signed(&remote_note, &log_key)?;
    if remote.origin != info.origin {
        return Err(Error::Inconsistent(format!(
            "the source is log {}, this replica holds {}",
            remote.origin, info.origin
        )));
    }
    let mut conn = replica.sync_connection()?;
    // Immediate: what is held is read under the write lock, so two processes syncing
    // one replica never integrate the same entries twice.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let held_size = tree_size(&tx)?;
    let held_root = tree_root(&tx, held_size)?;
    let held = signed_note_at(&tx, held_size)?.unwrap_or_default();
    let now = replica.clock();

    // The source's own checkpoint for the size held must be the one held.
    if held_size > 0
        && let Some(theirs) = source.checkpoint_at(held_size)?
        && let Ok(cp) = Checkpoint::open(&theirs, &log_key)
        && cp.root != held_root
    {
        let err = Error::SplitView {
            size: held_size,
            held: held.clone(),
            received: theirs.clone(),
        };
        return refuse(tx, "split-view", &held, &theirs, now, err);
    }
    if remote.size < held_size {
        let err = Error::Rollback {
            held: held_size,
            received: remote.size,
        };
        return refuse(tx, "rollback", &held, &remote_note, now, err);
    }
    if remote.size == held_size {
        if remote.root != held_root {
            let err = Error::SplitView {
                size: held_size,
                held: held.clone(),
                received: remote_note.clone(),
            };
            return refuse(tx, "split-view", &held, &remote_note, now, err);
        }
        // The same tree, re-signed: keep whichever note is newer, so that an old note
        // served again never makes the data look older than it is.
        if held.is_empty() || note_time(&remote_note) >= note_time(&held) {
            record_synced_checkpoint(&tx, &remote_note, &remote, now)?;
        } else {
            record_synced_checkpoint(&tx, &held, &remote, now)?;
        }
        tx.commit()?;
        return Ok(SyncReport {
            from: held_size,
            to: held_size,
            fetched: 0,
        });
    }
    if held_size > 0 {
        let proof = source.consistency_proof(held_size, remote.size)?;
        if let Err(e) =
            merkle::verify_consistency(held_size, remote.size, &proof, &held_root, &remote.root)
        {
            let err = Error::Inconsistent(format!(
                "the consistency proof from {held_size} to {} does not verify: {e}",
                remote.size
            ));
            return refuse(tx, "inconsistent", &held, &remote_note, now, err);
        }
    }

    let mut cache = HashMap::new();
    let mut start = held_size;
    while start < remote.size {
        let end = start.saturating_add(MAX_ENTRIES_PER_READ).min(remote.size);
        let chunk = source.entries(start, end)?;
        if chunk.len() as u64 != end - start {
            return Err(Error::Inconsistent(format!(
                "asked for entries {start}..{end}, got {}",
                chunk.len()
            )));
        }
        apply_chunk(&tx, start, &chunk, &info.host, now, &mut cache)?;
        progress(end - held_size, remote.size - held_size);
        start = end;
    }
    let root: Hash = tree_root(&tx, remote.size)?;
    if root != remote.root {
        return Err(Error::Inconsistent(format!(
            "the entries received hash to {root}, the signed checkpoint says {}",
            remote.root
        )));
    }
    record_synced_checkpoint(&tx, &remote_note, &remote, now)?;
    tx.commit()?;
    Ok(SyncReport {
        from: held_size,
        to: remote.size,
        fetched: remote.size - held_size,
    })
}

/// The description of a log a replica needs, from its pinned key alone: a Civitas
/// log's key is named after its origin, `<host>/civitas-ledger`.
fn pinned_info(log_key: &NoteVerifier) -> Result<LedgerInfo> {
    let origin = log_key.name().to_string();
    let host = origin
        .strip_suffix("/civitas-ledger")
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            Error::InvalidVerifierKey(format!(
                "{origin} is not a Civitas ledger's key name (<host>/civitas-ledger)"
            ))
        })?
        .to_string();
    Ok(LedgerInfo {
        origin,
        host,
        log_key: log_key.to_vkey(),
        size: 0,
        role: "replica".into(),
        source: None,
        checkpoint_time: None,
        synced_at: None,
    })
}

/// Opens the replica of the node at `source_url` kept at `path`, or creates it pinned
/// to `pin` — its origin and host come from the key's name, nothing from the node —
/// atomically (a concurrent creator's file wins and is opened). No replica and no pin
/// is [`Error::LogKeyRequired`] (never trust on first use); a pin other than the
/// replica's key is [`Error::LogKeyMismatch`].
pub fn open_replica(
    path: &Path,
    source_url: &str,
    pin: Option<&NoteVerifier>,
    clock: Clock,
) -> Result<SqliteLedger> {
    if !path.exists() {
        let Some(pin) = pin else {
            return Err(Error::LogKeyRequired(source_url.to_string()));
        };
        let info = pinned_info(pin)?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::Storage(e.to_string()))?;
        let mut tmp = PathBuf::from(path.as_os_str());
        tmp.as_mut_os_string()
            .push(format!(".{}.new", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        drop(SqliteLedger::create_replica(
            &tmp,
            &info,
            source_url,
            clock.clone(),
        )?);
        // A hard link never replaces a file another process made meanwhile.
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        if let Err(e) = linked
            && !path.exists()
        {
            return Err(Error::Storage(format!("{}: {e}", path.display())));
        }
    }
    let replica = SqliteLedger::open(path, None, clock)?;
    if !replica.is_replica() {
        return Err(Error::InvalidEntry(format!(
            "{} is not a replica",
            path.display()
        )));
    }
    if let Some(pin) = pin
        && pin.to_vkey() != replica.log_key().to_vkey()
    {
        return Err(Error::LogKeyMismatch {
            given: pin.to_vkey(),
            held: replica.log_key().to_vkey(),
        });
    }
    Ok(replica)
}

/// How a [`VerifiedNode`] keeps up with its node.
#[derive(Debug, Clone, Copy)]
pub struct Freshness {
    /// Sync again before a read when the last sync is older than this.
    pub refresh: Duration,
    /// Refuse ([`Error::Stale`]) when the newest checkpoint signed by the pinned key is
    /// older than this many seconds, counted from the verification time.
    pub max_age: Option<i64>,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            refresh: Duration::from_secs(30),
            max_age: None,
        }
    }
}

/// A ledger node read only through a local replica that its pinned log key vouches for:
/// every read first brings the replica up to the node's newest checkpoint with
/// [`sync()`] (at most once per [`Freshness::refresh`]) and then answers from the
/// replica. Nothing the node derives — accreditation records, status lists, DID logs,
/// its own freshness — is ever used; a node that cannot prove what it serves is an
/// error with its own code ([`Error::CheckpointUnverified`], [`Error::Rollback`],
/// [`Error::SplitView`], [`Error::Inconsistent`], [`Error::Remote`]).
pub struct VerifiedNode<S> {
    source: S,
    replica: SqliteLedger,
    freshness: Freshness,
    last_sync: Mutex<Option<Instant>>,
}

impl<S> std::fmt::Debug for VerifiedNode<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedNode")
            .field("replica", &self.replica)
            .finish()
    }
}

impl<S: LedgerReader> VerifiedNode<S> {
    /// The node `source` (at `source_url`) through the replica at `path`: created and
    /// pinned to `pin` if it does not exist (no pin and no replica:
    /// [`Error::LogKeyRequired`]; never trust on first use), else opened, and `pin`,
    /// when given, must be the key it holds ([`Error::LogKeyMismatch`]). Syncs once
    /// before returning, so a lying node fails here.
    pub fn open(
        source: S,
        source_url: &str,
        path: &Path,
        pin: Option<&NoteVerifier>,
        freshness: Freshness,
        clock: Clock,
    ) -> Result<Self> {
        let replica = open_replica(path, source_url, pin, clock)?;
        let node = VerifiedNode {
            source,
            replica,
            freshness,
            last_sync: Mutex::new(None),
        };
        node.refresh()?;
        Ok(node)
    }

    /// The replica reads are answered from.
    pub fn replica(&self) -> &SqliteLedger {
        &self.replica
    }

    /// Syncs when the last sync is older than the refresh interval.
    fn refresh(&self) -> Result<()> {
        let mut last = self.last_sync.lock().map_err(|_| Error::Closed)?;
        if last.is_some_and(|t| t.elapsed() < self.freshness.refresh) {
            return Ok(());
        }
        sync(&self.source, &self.replica, &mut |_, _| {})?;
        *last = Some(Instant::now());
        Ok(())
    }

    /// Checks the age of the newest signed checkpoint held as of `now` against
    /// [`Freshness::max_age`] (with checked arithmetic: a time from outside never
    /// overflows).
    pub fn check_age(&self, now: i64) -> Result<()> {
        let Some(max) = self.freshness.max_age else {
            return Ok(());
        };
        let Some(t) = self.replica.info()?.checkpoint_time else {
            return Err(Error::Stale(
                "the newest signed checkpoint carries no time".into(),
            ));
        };
        match now.checked_sub(t) {
            Some(age) if age <= max => Ok(()),
            Some(age) => Err(Error::Stale(format!(
                "its newest signed checkpoint is {age} s old, at most {max} s is accepted"
            ))),
            None => Err(Error::Stale("its checkpoint time is out of range".into())),
        }
    }
}

impl<S: LedgerReader> LedgerReader for VerifiedNode<S> {
    fn info(&self) -> Result<LedgerInfo> {
        self.refresh()?;
        self.replica.info()
    }
    fn checkpoint(&self) -> Result<String> {
        self.refresh()?;
        self.replica.checkpoint()
    }
    fn checkpoint_at(&self, size: u64) -> Result<Option<String>> {
        self.refresh()?;
        self.replica.checkpoint_at(size)
    }
    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>> {
        self.refresh()?;
        self.replica.entries(start, end)
    }
    fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        self.refresh()?;
        self.replica.inclusion_proof(index, size)
    }
    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>> {
        self.refresh()?;
        self.replica.consistency_proof(first, second)
    }
    fn did_log(&self, did: &str) -> Result<Vec<String>> {
        self.refresh()?;
        self.replica.did_log(did)
    }
    fn did_at_path(&self, path: &str) -> Result<Option<String>> {
        self.refresh()?;
        self.replica.did_at_path(path)
    }
    fn accreditations(&self, did: &str) -> Result<Vec<AccreditationRecord>> {
        self.refresh()?;
        self.replica.accreditations(did)
    }
    fn status_list(&self, uri: &str) -> Result<Option<String>> {
        self.refresh()?;
        self.replica.status_list(uri)
    }
    fn did_log_index(&self, did: &str, version_id: &str) -> Result<Option<u64>> {
        self.refresh()?;
        self.replica.did_log_index(did, version_id)
    }
    fn issuance_anchor(&self, issuer: &str, digest: &str) -> Result<Option<u64>> {
        self.refresh()?;
        self.replica.issuance_anchor(issuer, digest)
    }
    fn entries_verified(&self) -> bool {
        true
    }
}
