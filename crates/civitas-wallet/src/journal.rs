//! The wallet's history operations: read, verify, export, attach receipts.

use crate::history::{self, Event, HistoryItem, IntegrityReport};
use crate::records::{State, StoredReceipt, to_bytes};
use crate::vault::Kind;
use crate::{Error, Result, Wallet};

impl Wallet {
    /// The history, oldest first, with receipts. Entries that fail their checks are
    /// left out (see [`Wallet::verify_history`]).
    pub fn history(&mut self, now: i64) -> Result<Vec<HistoryItem>> {
        let session = self.session(now)?;
        let key = session.key.clone();
        let state = session.state.clone();
        let rows = self.vault.list(&key, Kind::History)?;
        let (_, entries) = history::check_chain(&rows, state.history_count, &state.history_head);
        let mut receipts = std::collections::HashMap::new();
        for (_, opened) in self.vault.list(&key, Kind::Receipt)? {
            if let Some(r) = opened.and_then(|b| serde_json::from_slice::<StoredReceipt>(&b).ok()) {
                receipts.insert((r.seq, r.entry), r.receipt);
            }
        }
        Ok(entries
            .into_iter()
            .map(|(entry, hash)| {
                let receipt = receipts.remove(&(entry.seq, hash.clone()));
                HistoryItem {
                    entry,
                    hash,
                    receipt,
                }
            })
            .collect())
    }

    /// Checks the stored history against its authenticated head again.
    pub fn verify_history(&mut self, now: i64) -> Result<IntegrityReport> {
        let session = self.session(now)?;
        let key = session.key.clone();
        let state: State = session.state.clone();
        let rows = self.vault.list(&key, Kind::History)?;
        let (problems, _) = history::check_chain(&rows, state.history_count, &state.history_head);
        let report = IntegrityReport {
            history_entries: rows.len() as u64,
            problems,
        };
        Ok(report)
    }

    /// The history as JSON: `{"did", "entries": [{seq, time, event, …, prev, hash,
    /// receipt?}], "head": {count, hash}, "intact", "problems"}`. Claim names only,
    /// never values.
    pub fn export_history(&mut self, now: i64) -> Result<String> {
        let did = self.did(now)?;
        let items = self.history(now)?;
        let report = self.verify_history(now)?;
        let state = self.session(now)?.state.clone();
        let json = serde_json::json!({
            "did": did,
            "exported": history::rfc3339(now),
            "head": {"count": state.history_count, "hash": state.history_head},
            "intact": report.is_intact(),
            "problems": report.problems,
            "entries": items,
        });
        serde_json::to_string_pretty(&json).map_err(|e| Error::Storage(e.to_string()))
    }

    /// Stores a verifier's signed receipt with presentation entry `seq`. The receipt is
    /// kept as given (an opaque string); it commits to the entry's chain hash.
    pub fn attach_receipt(&mut self, seq: u64, receipt: &str, now: i64) -> Result<()> {
        let item = self
            .history(now)?
            .into_iter()
            .find(|i| i.entry.seq == seq)
            .ok_or(Error::UnknownHistoryEntry(seq))?;
        if !matches!(item.entry.event, Event::Presented { .. }) {
            return Err(Error::InvalidRequest(format!(
                "history entry #{seq} is not a presentation"
            )));
        }
        let stored = StoredReceipt {
            seq,
            entry: item.hash,
            receipt: receipt.trim().to_string(),
        };
        let bytes = to_bytes(&stored)?;
        self.write(now, |w, _| {
            w.put(Kind::Receipt, &history::receipt_id(seq), &bytes)
        })
    }
}
