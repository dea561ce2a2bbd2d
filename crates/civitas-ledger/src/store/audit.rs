//! The audit: the whole log replayed from entry 0 into a scratch database and
//! re-validated, its root compared with the newest signed checkpoint.

use super::integrate::{apply_chunk, tree_root};
use super::ledger::SqliteLedger;
use super::reader::MAX_ENTRIES_PER_READ;
use super::schema::{SCHEMA, open_conn};
use crate::checkpoint::Checkpoint;
use crate::merkle::Hash;
use crate::traits::LedgerReader;
use crate::{Error, Result};
use rusqlite::OpenFlags;
use std::collections::HashMap;
use std::path::Path;

/// What `audit` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// Entries replayed.
    pub entries: u64,
    /// The recomputed root.
    pub root: Hash,
    /// Whether the newest signed checkpoint matched (false only for an empty log).
    pub checkpoint_verified: bool,
}

impl SqliteLedger {
    /// Replays the whole log from entry 0 into a scratch database beside it: every
    /// entry re-validated against the state before it, the Merkle root recomputed and
    /// compared with the newest signed checkpoint. `progress(done, total)` is called
    /// as it goes. Nothing in the ledger is changed.
    pub fn audit(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<AuditReport> {
        let note = self.checkpoint()?;
        let size = self.info()?.size;
        let scratch_dir = tempfile::Builder::new()
            .prefix(".civitas-audit")
            .tempdir_in(
                self.path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new(".")),
            )
            .map_err(|e| Error::Storage(e.to_string()))?;
        let scratch = open_conn(
            &scratch_dir.path().join("replay.db"),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        scratch.pragma_update(None, "synchronous", "OFF")?;
        scratch.execute_batch(SCHEMA)?;
        let mut cache = HashMap::new();
        let now = self.clock();
        let mut start = 0;
        while start < size {
            let end = (start + MAX_ENTRIES_PER_READ).min(size);
            let chunk = self.entries(start, end)?;
            let tx = scratch.unchecked_transaction()?;
            apply_chunk(&tx, start, &chunk, &self.meta.host, now, &mut cache)?;
            tx.commit()?;
            progress(end, size);
            start = end;
        }
        let root = tree_root(&scratch, size)?;
        let cp = Checkpoint::open(&note, &self.meta.log_key)?;
        if cp.size != size || cp.root != root {
            return Err(Error::Inconsistent(format!(
                "replayed root {root} of size {size} differs from the signed checkpoint (size {}, root {})",
                cp.size, cp.root
            )));
        }
        Ok(AuditReport {
            entries: size,
            root,
            checkpoint_verified: true,
        })
    }
}
