//! The history: what the wallet did and showed, as a hash chain.
//!
//! Each entry is one sealed record (`h:` + its 12-digit sequence number); its
//! plaintext JSON carries `prev`, the hash of the previous entry's plaintext, and the
//! chain's head (count and last hash) lives in the sealed `state` record, written in
//! the same transaction as the entry. So on unlock:
//!
//! - an entry changed on disk fails authentication (AES-GCM, bound to its id): *altered*;
//! - an entry removed leaves a gap in the numbers, or, if it was the last, a count
//!   below the head's: *missing* / *truncated*;
//! - an entry replaced by another valid entry (from elsewhere in the chain) breaks the
//!   `prev` link or the id binding.
//!
//! Presentations are recorded as the verifier's `aud` (client id), the time, the
//! credential type and the claim *names* (paths) — never their values (EU ARF,
//! the "dashboard" of the wallet).

use crate::seal::{hex, sha256};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
#[non_exhaustive]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Event {
    /// The wallet was created with this DID.
    Initialized {
        /// The citizen's DID.
        did: String,
    },
    /// A credential was received and stored.
    Received {
        /// The wallet's id of the credential.
        credential: String,
        /// Its type.
        vct: String,
        /// Its issuer.
        issuer: String,
    },
    /// A credential was obtained from an issuer over OpenID4VCI, checked and stored.
    Issued {
        /// The wallet's id of the credential.
        credential: String,
        /// Its type.
        vct: String,
        /// Its issuer (the DID that signed it).
        issuer: String,
        /// The Credential Issuer it came from (its URL).
        credential_issuer: String,
    },
    /// Claims were shown to a verifier.
    Presented {
        /// The wallet's id of the credential.
        credential: String,
        /// Its type.
        vct: String,
        /// The verifier (its client id / audience).
        aud: String,
        /// The verifier's nonce.
        nonce: String,
        /// The claim names (paths) disclosed; never their values.
        claims: Vec<String>,
    },
    /// An issuer will deliver a credential later (OpenID4VCI deferred issuance); the
    /// wallet keeps a pending record and asks again (`fetch_deferred`).
    Pending {
        /// The pending record's id.
        pending: String,
        /// The type expected.
        vct: String,
        /// The Credential Issuer (its URL).
        credential_issuer: String,
    },
    /// A deferred credential arrived, was checked and stored.
    IssuedDeferred {
        /// The wallet's id of the credential.
        credential: String,
        /// Its type.
        vct: String,
        /// Its issuer (the DID that signed it).
        issuer: String,
        /// The Credential Issuer it came from (its URL).
        credential_issuer: String,
    },
    /// A deferred issuance ended without a credential: the issuer refused it, it
    /// expired, or the wallet refused what came.
    PendingEnded {
        /// The pending record's id.
        pending: String,
        /// The type expected.
        vct: String,
        /// The Credential Issuer (its URL).
        credential_issuer: String,
        /// Why: the OAuth code or the wallet's own.
        code: String,
    },
    /// A notification to an issuer (OpenID4VCI §11) could not be delivered.
    NotificationFailed {
        /// `credential_accepted`, `credential_deleted` or `credential_failure`.
        notification: String,
        /// The Credential Issuer (its URL).
        credential_issuer: String,
        /// Why: the code.
        code: String,
    },
    /// A credential was deleted.
    Deleted {
        /// The wallet's id of the credential.
        credential: String,
        /// Its type.
        vct: String,
    },
    /// The DID was rotated with the recovery secret.
    Rotated {
        /// The new DID log version.
        version: String,
    },
    /// The wallet was restored from a backup onto this device.
    Restored {
        /// When the backup was made.
        backup_created: i64,
    },
    /// The DID was deactivated.
    Deactivated {
        /// The final DID log version.
        version: String,
    },
    /// The passphrase was changed.
    PassphraseChanged,
    /// A backup file was written.
    BackedUp,
    /// A counter answered a presentation with a receipt that does not check out; it
    /// was not stored.
    ReceiptRefused {
        /// The presentation's history entry.
        entry: u64,
        /// Why: the refusal's specific code (`receipt_wrong_nonce`, `openid4vp.…`).
        code: String,
    },
}

impl Event {
    /// A one-line description.
    pub fn describe(&self) -> String {
        match self {
            Event::Initialized { did } => format!("wallet created, DID {did}"),
            Event::Received {
                credential,
                vct,
                issuer,
            } => format!("received {} ({credential}) from {issuer}", type_name(vct)),
            Event::Issued {
                credential,
                vct,
                issuer,
                credential_issuer,
            } => format!(
                "received {} ({credential}) from {issuer} over OpenID4VCI ({credential_issuer})",
                type_name(vct)
            ),
            Event::Presented {
                credential,
                vct,
                aud,
                claims,
                ..
            } => format!(
                "showed {} from {} ({credential}) to {aud}",
                if claims.is_empty() {
                    "no claims".to_string()
                } else {
                    claims.join(", ")
                },
                type_name(vct)
            ),
            Event::Pending {
                pending,
                vct,
                credential_issuer,
            } => format!(
                "pending {} from {credential_issuer} ({pending}): the issuer will deliver it later",
                type_name(vct)
            ),
            Event::IssuedDeferred {
                credential,
                vct,
                issuer,
                credential_issuer,
            } => format!(
                "received {} ({credential}) from {issuer} over OpenID4VCI ({credential_issuer}) (deferred)",
                type_name(vct)
            ),
            Event::PendingEnded {
                pending,
                vct,
                credential_issuer,
                code,
            } => format!(
                "pending {} from {credential_issuer} ({pending}) refused: {code}",
                type_name(vct)
            ),
            Event::NotificationFailed {
                notification,
                credential_issuer,
                code,
            } => format!("could not notify {credential_issuer} of {notification}: {code}"),
            Event::Deleted { credential, vct } => {
                format!("deleted {} ({credential})", type_name(vct))
            }
            Event::Rotated { version } => {
                format!("DID rotated with the recovery secret (version {version})")
            }
            Event::Restored { backup_created } => {
                format!(
                    "restored onto this device from a backup made {}",
                    rfc3339(*backup_created)
                )
            }
            Event::Deactivated { version } => format!("DID deactivated (version {version})"),
            Event::PassphraseChanged => "passphrase changed".into(),
            Event::BackedUp => "backup written".into(),
            Event::ReceiptRefused { entry, code } => {
                format!(
                    "receipt refused: {code} (the counter's receipt for entry #{entry} was not kept)"
                )
            }
        }
    }
}

fn type_name(vct: &str) -> String {
    civitas_credential::CredentialType::by_vct(vct)
        .map_or_else(|| vct.to_string(), |t| t.name("en-US").to_string())
}

pub(crate) fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| t.to_string())
}

/// One history entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    /// Its number, from 1.
    pub seq: u64,
    /// When (Unix seconds).
    pub time: i64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
    /// Hash of the previous entry (hex SHA-256 of its stored form); [`GENESIS`] for
    /// the first.
    pub prev: String,
}

impl HistoryEntry {
    /// The chain hash of an entry's stored bytes.
    pub(crate) fn hash_of(stored: &[u8]) -> String {
        hex(&sha256(&[b"civitas-history-v1\0", stored]))
    }
}

/// An entry with what was stored beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryItem {
    /// The entry.
    #[serde(flatten)]
    pub entry: HistoryEntry,
    /// Its chain hash.
    pub hash: String,
    /// The verifier's signed receipt, if the counter sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub receipt: Option<String>,
}

/// A problem found in the stored history or records on unlock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
#[non_exhaustive]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Problem {
    /// Entry `seq` was changed on disk (it fails authentication or is not what its
    /// place says).
    Altered {
        /// The entry.
        seq: u64,
    },
    /// Entries `from..=to` are gone.
    Missing {
        /// First missing.
        from: u64,
        /// Last missing.
        to: u64,
    },
    /// Entry `seq` does not follow the entry before it (its `prev` differs): one of the
    /// two was replaced.
    BrokenLink {
        /// The entry whose link is broken.
        seq: u64,
    },
    /// The last entries were cut: the authenticated head says `expected`, the vault
    /// has `found`.
    Truncated {
        /// Entries the head counts.
        expected: u64,
        /// Entries present.
        found: u64,
    },
    /// The last entry is not the one the authenticated head names.
    HeadMismatch,
    /// Credentials were removed from the vault behind the wallet's back.
    CredentialsMissing {
        /// How many the wallet recorded.
        expected: u64,
        /// How many are there.
        found: u64,
    },
    /// A receipt fails authentication or belongs to no entry.
    ReceiptAltered {
        /// The entry it is filed under.
        seq: u64,
    },
    /// The wallet's state record (the authenticated head of the history and the
    /// credential count) was deleted: whatever else was deleted with it cannot be
    /// told. Once found, this stays reported.
    StateMissing,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Altered { seq } => write!(f, "history entry #{seq} was altered"),
            Problem::Missing { from, to } if from == to => {
                write!(f, "history entry #{from} was deleted")
            }
            Problem::Missing { from, to } => {
                write!(f, "history entries #{from} to #{to} were deleted")
            }
            Problem::BrokenLink { seq } => write!(
                f,
                "history entry #{seq} does not follow the entry before it (one of them was replaced)"
            ),
            Problem::Truncated { expected, found } => write!(
                f,
                "the history was cut: {expected} entries were recorded, {found} remain"
            ),
            Problem::HeadMismatch => write!(f, "the last history entry was replaced"),
            Problem::CredentialsMissing { expected, found } => write!(
                f,
                "credentials were removed behind the wallet's back: {expected} recorded, {found} present"
            ),
            Problem::ReceiptAltered { seq } => {
                write!(f, "the receipt of history entry #{seq} was altered")
            }
            Problem::StateMissing => write!(
                f,
                "the wallet's state record was deleted: history entries and credentials removed with it cannot be told"
            ),
        }
    }
}

/// The result of checking the history (and record counts) on unlock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntegrityReport {
    /// History entries present.
    pub history_entries: u64,
    /// What is wrong; empty when intact.
    pub problems: Vec<Problem>,
}

impl IntegrityReport {
    /// Whether nothing is wrong.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// `Ok` when intact, [`crate::Error::HistoryTampered`] otherwise: for callers that
    /// must not go on with a tampered history (an export for a dispute, say).
    pub fn into_result(self) -> crate::Result<()> {
        if self.is_intact() {
            Ok(())
        } else {
            Err(crate::Error::HistoryTampered(self.summary()))
        }
    }

    /// The problems as one sentence.
    pub fn summary(&self) -> String {
        self.problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The id of entry `seq`.
pub(crate) fn entry_id(seq: u64) -> String {
    format!("h:{seq:012}")
}

/// The id of the receipt of entry `seq`.
pub(crate) fn receipt_id(seq: u64) -> String {
    format!("r:{seq:012}")
}

pub(crate) fn seq_of(id: &str, prefix: &str) -> Option<u64> {
    id.strip_prefix(prefix)?.parse().ok()
}

/// Checks a chain given as `(id, opened bytes or None)` in id order against the head.
/// Returns the problems, the entries that could be read (with their hashes) and the
/// hash of the last entry read.
pub(crate) fn check_chain(
    rows: &[(String, Option<zeroize::Zeroizing<Vec<u8>>>)],
    head_count: u64,
    head_hash: &str,
) -> (Vec<Problem>, Vec<(HistoryEntry, String)>) {
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    let mut expected_seq = 1u64;
    let mut prev: Option<String> = Some(GENESIS.to_string());
    let mut last_hash = GENESIS.to_string();
    let mut last_seq = 0u64;
    for (id, opened) in rows {
        let Some(seq) = seq_of(id, "h:") else {
            problems.push(Problem::Altered { seq: 0 });
            continue;
        };
        if seq > expected_seq {
            problems.push(Problem::Missing {
                from: expected_seq,
                to: seq - 1,
            });
            prev = None;
        }
        expected_seq = seq + 1;
        last_seq = seq;
        let parsed = opened.as_ref().and_then(|bytes| {
            serde_json::from_slice::<HistoryEntry>(bytes)
                .ok()
                .filter(|e| e.seq == seq)
                .map(|e| (e, HistoryEntry::hash_of(bytes)))
        });
        match parsed {
            None => {
                problems.push(Problem::Altered { seq });
                prev = None;
                last_hash = String::new();
            }
            Some((entry, hash)) => {
                if let Some(p) = &prev
                    && &entry.prev != p
                {
                    problems.push(Problem::BrokenLink { seq });
                }
                prev = Some(hash.clone());
                last_hash = hash.clone();
                entries.push((entry, hash));
            }
        }
    }
    if last_seq < head_count {
        if last_seq + 1 == head_count {
            problems.push(Problem::Missing {
                from: head_count,
                to: head_count,
            });
        } else {
            problems.push(Problem::Truncated {
                expected: head_count,
                found: entries.len() as u64,
            });
        }
    } else if last_seq > head_count {
        // Entries beyond the head: written behind the wallet's back.
        problems.push(Problem::Altered { seq: last_seq });
    } else if head_count > 0 && !last_hash.is_empty() && last_hash != head_hash {
        problems.push(Problem::HeadMismatch);
    }
    (problems, entries)
}
