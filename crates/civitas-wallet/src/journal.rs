//! The wallet's history operations: read, verify, export, attach receipts (checked:
//! signed by their issuer, about this presentation).

use crate::history::{self, Event, HistoryItem, IntegrityReport};
use crate::records::{State, StoredReceipt, to_bytes};
use crate::vault::Kind;
use crate::wallet::append_history;
use crate::{Error, Result, Wallet};
use civitas_credential::ClaimPath;
use civitas_exchange::openid4vp::{Receipt, verify_receipt};

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

    /// Checks the stored history against its authenticated head again (and the
    /// receipts against their entries).
    pub fn verify_history(&mut self, now: i64) -> Result<IntegrityReport> {
        let session = self.session(now)?;
        let key = session.key.clone();
        let state: State = session.state.clone();
        self.check_history(&key, &state)
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

    /// Checks a counter's receipt for presentation entry `seq` and stores it with the
    /// entry. The receipt must verify ([`verify_receipt`]: a compact JWS by a key of
    /// its `iss`, resolved through this wallet's ledger) and be about this
    /// presentation: the entry's nonce and verifier (`client_id`), its credential
    /// type, and no claim the wallet did not disclose. Anything else is
    /// [`Error::ReceiptRefused`] with the specific code, and nothing is stored.
    pub fn attach_receipt(&mut self, seq: u64, receipt: &str, now: i64) -> Result<()> {
        let item = self
            .history(now)?
            .into_iter()
            .find(|i| i.entry.seq == seq)
            .ok_or(Error::UnknownHistoryEntry(seq))?;
        let receipt = receipt.trim();
        self.check_receipt(&item, receipt, now)?;
        let stored = StoredReceipt {
            seq,
            entry: item.hash,
            receipt: receipt.to_string(),
        };
        let bytes = to_bytes(&stored)?;
        self.write(now, |w, _| {
            w.put(Kind::Receipt, &history::receipt_id(seq), &bytes)
        })
    }

    /// Records in the history that the counter's receipt for entry `seq` was refused
    /// (with the refusal's code); returns the new entry's number.
    pub(crate) fn record_refused_receipt(&mut self, seq: u64, code: &str, now: i64) -> Result<u64> {
        let event = Event::ReceiptRefused {
            entry: seq,
            code: code.to_string(),
        };
        self.write(now, |w, state| append_history(w, state, event, now))
    }

    /// Whether `token` is a receipt, signed by its issuer, for the presentation
    /// recorded in `item`.
    fn check_receipt(&self, item: &HistoryItem, token: &str, now: i64) -> Result<Receipt> {
        let refused = |code: &'static str, reason: String| Error::ReceiptRefused { code, reason };
        let Event::Presented {
            vct,
            aud,
            nonce,
            claims,
            ..
        } = &item.entry.event
        else {
            return Err(refused(
                "receipt_not_a_presentation",
                format!("history entry #{} is not a presentation", item.entry.seq),
            ));
        };
        let receipt = verify_receipt(token, &self.resolver(now), now)
            .map_err(|e| refused(e.code(), e.to_string()))?;
        if &receipt.nonce != nonce {
            return Err(refused(
                "receipt_wrong_nonce",
                "it names another request's nonce, not this presentation's".into(),
            ));
        }
        if &receipt.client_id != aud {
            return Err(refused(
                "receipt_wrong_client",
                format!(
                    "it is about a request of {}, not of {aud}",
                    shorten(&receipt.client_id)
                ),
            ));
        }
        if receipt.valid && !receipt.vct.iter().any(|v| v == vct) {
            return Err(refused(
                "receipt_wrong_type",
                "it names other credential types than the one presented".into(),
            ));
        }
        let shown: Vec<ClaimPath> = claims
            .iter()
            .filter_map(|c| ClaimPath::parse(c).ok())
            .collect();
        for d in &receipt.disclosed {
            // A receipt may name a claim shown or an object holding one
            // (`address` for `address.locality`); never one that was not shown.
            let ok = ClaimPath::parse(d).is_ok_and(|d| shown.iter().any(|s| s.0.starts_with(&d.0)));
            if !ok {
                return Err(refused(
                    "receipt_wrong_claims",
                    format!(
                        "it says {} was shown, which this presentation did not show",
                        shorten(d)
                    ),
                ));
            }
        }
        Ok(receipt)
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}
