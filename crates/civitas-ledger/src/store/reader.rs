//! What a verifier reads from the embedded ledger: [`LedgerReader`] over the pool of
//! read connections.

use super::integrate::{ConnNodes, newest_signed_note, signed_note_at, tree_size};
use super::ledger::SqliteLedger;
use super::schema::meta_get;
use super::state::{
    did_at_path, did_log_index, issuance_index, load_did_log, query_accreditations,
};
use crate::checkpoint_time;
use crate::merkle::{self, Hash};
use crate::traits::{AccreditationRecord, LedgerInfo, LedgerReader};
use crate::{Entry, Error, Result};
use rusqlite::{OptionalExtension, params};

/// Most entries returned by one `entries` call.
pub const MAX_ENTRIES_PER_READ: u64 = 1000;

impl LedgerReader for SqliteLedger {
    fn entries_verified(&self) -> bool {
        true
    }

    fn info(&self) -> Result<LedgerInfo> {
        self.read(|c| {
            let size = tree_size(c)?;
            let note = newest_signed_note(c)?;
            let synced_at = meta_get(c, "synced_at")?.and_then(|s| s.parse().ok());
            Ok(LedgerInfo {
                origin: self.meta.origin.clone(),
                host: self.meta.host.clone(),
                log_key: self.meta.log_key.to_vkey(),
                size,
                role: self.meta.role.clone(),
                source: self.meta.source.clone(),
                checkpoint_time: note.as_deref().and_then(checkpoint_time),
                synced_at,
            })
        })
    }

    fn checkpoint(&self) -> Result<String> {
        self.read(|c| {
            newest_signed_note(c)?.ok_or_else(|| Error::NotFound("no signed checkpoint yet".into()))
        })
    }

    fn checkpoint_at(&self, size: u64) -> Result<Option<String>> {
        self.read(|c| signed_note_at(c, size))
    }

    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>> {
        if end < start {
            return Err(Error::SizesOutOfOrder {
                first: start,
                second: end,
            });
        }
        let end = end.min(start.saturating_add(MAX_ENTRIES_PER_READ));
        self.read(|c| {
            let size = tree_size(c)?;
            if end > size {
                return Err(Error::IndexOutOfRange {
                    index: end.saturating_sub(1),
                    size,
                });
            }
            let mut st = c.prepare_cached(
                "SELECT body FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
            )?;
            let rows = st.query_map(params![start as i64, end as i64], |r| {
                r.get::<_, Vec<u8>>(0)
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        self.read(|c| {
            let held = tree_size(c)?;
            if size > held {
                return Err(Error::IndexOutOfRange {
                    index: size,
                    size: held,
                });
            }
            merkle::inclusion_proof(index, size, &ConnNodes(c))
        })
    }

    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>> {
        self.read(|c| {
            let held = tree_size(c)?;
            if second > held {
                return Err(Error::IndexOutOfRange {
                    index: second,
                    size: held,
                });
            }
            merkle::consistency_proof(first, second, &ConnNodes(c))
        })
    }

    fn did_log(&self, did: &str) -> Result<Vec<String>> {
        self.read(|c| load_did_log(c, did))
    }

    fn did_at_path(&self, path: &str) -> Result<Option<String>> {
        self.read(|c| did_at_path(c, path))
    }

    fn accreditations(&self, did: &str) -> Result<Vec<AccreditationRecord>> {
        self.read(|c| query_accreditations(c, did))
    }

    fn did_log_index(&self, did: &str, version_id: &str) -> Result<Option<u64>> {
        self.read(|c| did_log_index(c, did, version_id))
    }

    fn issuance_anchor(&self, issuer: &str, digest: &str) -> Result<Option<u64>> {
        self.read(|c| issuance_index(c, issuer, digest))
    }

    fn status_list(&self, uri: &str) -> Result<Option<String>> {
        self.read(|c| {
            let body: Option<Vec<u8>> = c
                .query_row(
                    "SELECT e.body FROM status_lists s JOIN entries e ON e.idx = s.idx WHERE s.uri = ?1",
                    [uri],
                    |r| r.get(0),
                )
                .optional()?;
            match body.map(|b| Entry::from_bytes(&b)).transpose()? {
                Some(Entry::StatusList { jws }) => Ok(Some(jws)),
                Some(_) => Err(Error::Storage("status index points at another entry".into())),
                None => Ok(None),
            }
        })
    }
}
