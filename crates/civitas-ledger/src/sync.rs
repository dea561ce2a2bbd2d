//! Offline counters: pull a ledger's new entries into a local replica, verifying the
//! consistency proof from the last checkpoint held and re-validating every entry, so
//! that `civitas verify --ledger FILE` needs no network.

use crate::checkpoint::Checkpoint;
use crate::merkle::{self, Hash};
use crate::store::evidence::record_evidence;
use crate::store::integrate::{
    apply_chunk, record_synced_checkpoint, signed_note_at, tree_root, tree_size,
};
use crate::store::{MAX_ENTRIES_PER_READ, SqliteLedger};
use crate::{Error, LedgerReader, Result};
use std::collections::HashMap;

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

/// Brings `replica` up to `source`'s newest checkpoint. The checkpoint must be signed
/// by the replica's pinned log key; the source must prove it extends what the replica
/// holds (consistency proof); every new entry is re-validated and the recomputed root
/// must equal the signed one. All of it lands in one transaction, or nothing does.
///
/// A source that signed a different checkpoint for a size the replica already holds
/// (a split view) or that cannot prove consistency is refused; both signed
/// checkpoints are kept in the replica's evidence table.
pub fn sync(
    source: &dyn LedgerReader,
    replica: &SqliteLedger,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<SyncReport> {
    let log_key = replica.log_key().clone();
    let remote_note = source.checkpoint()?;
    let remote = Checkpoint::open(&remote_note, &log_key).map_err(|e| {
        Error::Inconsistent(format!(
            "the source's checkpoint does not verify with the pinned log key: {e}"
        ))
    })?;
    let info = replica.info()?;
    if remote.origin != info.origin {
        return Err(Error::Inconsistent(format!(
            "the source is log {}, this replica holds {}",
            remote.origin, info.origin
        )));
    }
    let mut conn = replica.sync_connection()?;
    let held_size = tree_size(&conn)?;
    let held_root = tree_root(&conn, held_size)?;
    let held_note = signed_note_at(&conn, held_size)?;
    let now = replica.clock();
    let evidence =
        |kind: &str, held: &str, received: &str| record_evidence(&conn, kind, held, received, now);

    // The source's own checkpoint for the size held must be the one held.
    if held_size > 0
        && let Some(theirs) = source.checkpoint_at(held_size)?
        && let Ok(cp) = Checkpoint::open(&theirs, &log_key)
        && cp.root != held_root
    {
        let held = held_note.clone().unwrap_or_default();
        evidence("split-view", &held, &theirs)?;
        return Err(Error::SplitView {
            size: held_size,
            held,
            received: theirs,
        });
    }
    if remote.size < held_size {
        let held = held_note.clone().unwrap_or_default();
        evidence("rollback", &held, &remote_note)?;
        return Err(Error::Inconsistent(format!(
            "the source's log ({} entries) is shorter than the copy held ({held_size})",
            remote.size
        )));
    }
    if remote.size == held_size {
        if remote.root != held_root {
            let held = held_note.clone().unwrap_or_default();
            evidence("split-view", &held, &remote_note)?;
            return Err(Error::SplitView {
                size: held_size,
                held,
                received: remote_note,
            });
        }
        record_synced_checkpoint(&conn, &remote_note, &remote, now)?;
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
            let held = held_note.clone().unwrap_or_default();
            evidence("inconsistent", &held, &remote_note)?;
            return Err(Error::Inconsistent(format!(
                "the consistency proof from {held_size} to {} does not verify: {e}",
                remote.size
            )));
        }
    }

    let tx = conn.transaction()?;
    let mut cache = HashMap::new();
    let mut start = held_size;
    while start < remote.size {
        let end = (start + MAX_ENTRIES_PER_READ).min(remote.size);
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
