//! What the sealed records hold (their plaintext JSON).

use crate::keystore::KeyHandle;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub(crate) const IDENTITY_ID: &str = "identity";
pub(crate) const SETTINGS_ID: &str = "settings";
pub(crate) const STATE_ID: &str = "state";

/// The citizen's identity.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Identity {
    pub(crate) did: String,
    /// Fragment of the holder key in the DID document (`holder-1`).
    pub(crate) fragment: String,
    /// Record id of this device's holder key.
    pub(crate) holder_key: String,
    /// Index of the update key currently in force (the next committed one is +1).
    pub(crate) update_index: u32,
    /// Backup key (derived from the recovery secret), base64url.
    pub(crate) backup_key: Zeroizing<String>,
    /// Backup fingerprint (derived from the recovery secret), base64url.
    pub(crate) backup_id: String,
    pub(crate) created: i64,
    pub(crate) deactivated: bool,
    /// Public keys of earlier devices (JWK), for telling which credentials they bind.
    #[serde(default)]
    pub(crate) old_keys: Vec<serde_json::Value>,
    /// When the last backup was written.
    #[serde(default)]
    pub(crate) last_backup: Option<i64>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("did", &self.did)
            .finish_non_exhaustive()
    }
}

/// A holder key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredKey {
    pub(crate) handle: KeyHandle,
    pub(crate) created: i64,
}

/// A credential as kept.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct StoredCredential {
    /// The SD-JWT VC as issued (every disclosure, no key binding).
    pub(crate) compact: Zeroizing<String>,
    pub(crate) received: i64,
    /// SHA-256 (hex) of `compact`, to refuse duplicates.
    pub(crate) digest: String,
    /// Where to tell the issuer that it was deleted (OpenID4VCI §11), if it came with a
    /// `notification_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) notification: Option<crate::openid4vci::StoredNotification>,
}

/// Settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Settings {
    /// Idle time after which the wallet locks itself, seconds.
    pub(crate) idle_timeout: i64,
    /// Display locale (`en-US`, `zh-TW`).
    pub(crate) locale: String,
    /// Root authorities the citizen trusts: an issuer's accreditation is shown by name
    /// only when a chain of accreditations leads from it to one of these.
    #[serde(default)]
    pub(crate) trusted_roots: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_timeout: crate::DEFAULT_IDLE_TIMEOUT,
            locale: "en-US".into(),
            trusted_roots: Vec::new(),
        }
    }
}

/// The authenticated head of what can be counted: the history chain and the number of
/// credentials. Every initialised wallet has one (written with its first entry); a
/// wallet found without it gets one rebuilt from what is left, marked `rebuilt` for
/// good, so that the loss stays reported ([`crate::Problem::StateMissing`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) history_count: u64,
    pub(crate) history_head: String,
    pub(crate) credentials: u64,
    /// The state record was once found missing and rebuilt from the records present:
    /// the history before that point cannot be proven complete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) rebuilt: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            history_count: 0,
            history_head: crate::history::GENESIS.to_string(),
            credentials: 0,
            rebuilt: false,
        }
    }
}

/// A stored receipt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredReceipt {
    pub(crate) seq: u64,
    /// The chain hash of the entry it belongs to.
    pub(crate) entry: String,
    pub(crate) receipt: String,
}

pub(crate) fn to_bytes<T: Serialize>(value: &T) -> crate::Result<Zeroizing<Vec<u8>>> {
    serde_json::to_vec(value)
        .map(Zeroizing::new)
        .map_err(|e| crate::Error::Storage(format!("cannot serialize a record: {e}")))
}

pub(crate) fn from_bytes<T: for<'de> Deserialize<'de>>(
    bytes: &[u8],
    kind: &'static str,
) -> crate::Result<T> {
    serde_json::from_slice(bytes).map_err(|_| crate::Error::RecordCorrupted { kind })
}
