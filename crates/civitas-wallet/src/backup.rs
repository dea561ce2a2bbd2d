//! Backup and restore.
//!
//! A backup file holds the credentials, the history (entries byte for byte, so the
//! chain carries over), receipts, settings and the public side of the identity (the
//! DID, the update-key index, earlier devices' public keys). It holds **no private
//! key**: no update key (those exist only as derivations of the recovery secret) and
//! no holder key (a restored wallet makes a new one; the old device's key must be
//! considered the thief's).
//!
//! ```text
//! file = "CIVITAS-BACKUP-1" (16 bytes) ‖ backup id (16) ‖ nonce (12) ‖ AES-256-GCM(
//!          key = HKDF(recovery secret, "civitas backup key"),
//!          aad = the 32 bytes before the nonce,
//!          JSON contents) ‖ tag (16)
//! backup id = HKDF(recovery secret, "civitas backup id")  (tells "wrong words" from
//!                                                          "damaged file")
//! ```

use crate::create::InitOptions;
use crate::history::{self, Event, HistoryEntry};
use crate::keystore::{KeyStore, SoftwareKeyStore};
use crate::records::{
    IDENTITY_ID, Identity, SETTINGS_ID, STATE_ID, Settings, State, StoredCredential, StoredKey,
    StoredReceipt, from_bytes, to_bytes,
};
use crate::recovery::RecoverySecret;
use crate::seal::Key;
use crate::vault::{Kind, Vault};
use crate::wallet::{append_history, check_passphrase};
use crate::{Error, IntegrityReport, Result, Wallet};
use civitas_crypto::{Rng, SystemRng, b64};
use civitas_ledger::LedgerWriter;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

const MAGIC: &[u8; 16] = b"CIVITAS-BACKUP-1";
const FORMAT: u32 = 1;
/// Largest backup file read (bytes).
const MAX_BACKUP: u64 = 256 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Contents {
    format: u32,
    created: i64,
    did: String,
    fragment: String,
    update_index: u32,
    identity_created: i64,
    deactivated: bool,
    /// Public keys (JWK) of the devices this wallet lived on.
    device_keys: Vec<serde_json::Value>,
    settings: Settings,
    credentials: Vec<BackupCredential>,
    /// Each history entry as stored (UTF-8 JSON).
    history: Vec<Zeroizing<String>>,
    receipts: Vec<StoredReceipt>,
}

#[derive(Serialize, Deserialize)]
struct BackupCredential {
    id: String,
    compact: Zeroizing<String>,
    received: i64,
    digest: String,
}

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupInfo {
    /// Credentials in it.
    pub credentials: usize,
    /// History entries in it.
    pub history_entries: usize,
    /// Its size, bytes.
    pub bytes: usize,
}

/// What a restore brought back.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RestoreReport {
    /// The citizen's DID.
    pub did: String,
    /// Credentials restored.
    pub credentials: usize,
    /// Of which bound to an earlier device's key (cannot be presented from here).
    pub bound_to_old_device: usize,
    /// History entries restored (before the restore's own entry).
    pub history_entries: usize,
    /// What the check of the restored history found.
    pub integrity: IntegrityReport,
    /// Thumbprint of this device's new holder key.
    pub holder_key: String,
}

impl Wallet {
    /// Writes an encrypted backup to `path` (atomically, mode 0600), under the backup
    /// key derived from the recovery secret (the vault keeps that derived key, not the
    /// secret, so no words are needed here).
    pub fn backup(&mut self, path: &Path, now: i64) -> Result<BackupInfo> {
        let session = self.session(now)?;
        let key = session.key.clone();
        let identity = session.identity.clone();
        let settings = session.settings.clone();
        let mut device_keys = identity.old_keys.clone();
        device_keys.push(self.holder_key(now)?.to_jwk_value());
        let mut credentials = Vec::new();
        for (id, opened) in self.vault.list(&key, Kind::Credential)? {
            let bytes = opened.ok_or(Error::RecordCorrupted { kind: "credential" })?;
            let c: StoredCredential = from_bytes(&bytes, "credential")?;
            credentials.push(BackupCredential {
                id: id.strip_prefix("c:").unwrap_or(&id).to_string(),
                compact: c.compact,
                received: c.received,
                digest: c.digest,
            });
        }
        let mut history_rows = Vec::new();
        for (_, opened) in self.vault.list(&key, Kind::History)? {
            let bytes = opened.ok_or(Error::RecordCorrupted { kind: "history" })?;
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| Error::RecordCorrupted { kind: "history" })?;
            history_rows.push(Zeroizing::new(text));
        }
        let receipts = self
            .vault
            .list(&key, Kind::Receipt)?
            .into_iter()
            .filter_map(|(_, o)| o.and_then(|b| serde_json::from_slice(&b).ok()))
            .collect();
        let contents = Contents {
            format: FORMAT,
            created: now,
            did: identity.did.clone(),
            fragment: identity.fragment.clone(),
            update_index: identity.update_index,
            identity_created: identity.created,
            deactivated: identity.deactivated,
            device_keys,
            settings,
            credentials,
            history: history_rows,
            receipts,
        };
        let plaintext = to_bytes(&contents)?;
        let backup_key = Key::from_slice(
            &b64::decode(identity.backup_key.as_bytes())
                .map_err(|_| Error::RecordCorrupted { kind: "identity" })?,
        )
        .ok_or(Error::RecordCorrupted { kind: "identity" })?;
        let backup_id = b64::decode(&identity.backup_id)
            .map_err(|_| Error::RecordCorrupted { kind: "identity" })?;
        let mut head = MAGIC.to_vec();
        head.extend_from_slice(&backup_id);
        let sealed = backup_key.seal(&*self.rng, &head, &plaintext)?;
        let mut file = head;
        file.extend_from_slice(&sealed);
        civitas_crypto::write_atomic(path, &file, 0o600, true)?;
        let info = BackupInfo {
            credentials: contents.credentials.len(),
            history_entries: contents.history.len(),
            bytes: file.len(),
        };
        let mut identity = identity;
        identity.last_backup = Some(now);
        self.save_identity(identity, Some(Event::BackedUp), now)?;
        Ok(info)
    }

    /// Restores a backup into a new wallet at `dir` (new passphrase, software key
    /// store): everything comes back, with a **new** holder key. The DID still
    /// authorizes the old device's key until [`Wallet::rotate`] is run with the same
    /// recovery secret. Refused: wrong words ([`Error::BackupMismatch`]), a damaged or
    /// altered file ([`Error::BackupCorrupted`]).
    pub fn restore(
        dir: &Path,
        passphrase: &str,
        recovery: &RecoverySecret,
        backup: &Path,
        ledger: Arc<dyn LedgerWriter>,
        options: &InitOptions,
        now: i64,
    ) -> Result<(Wallet, RestoreReport)> {
        Self::restore_with(
            dir,
            passphrase,
            recovery,
            backup,
            ledger,
            Arc::new(SoftwareKeyStore),
            Arc::new(SystemRng),
            options,
            now,
        )
    }

    /// [`Wallet::restore`] with a chosen key store and randomness.
    #[allow(clippy::too_many_arguments)]
    pub fn restore_with(
        dir: &Path,
        passphrase: &str,
        recovery: &RecoverySecret,
        backup: &Path,
        ledger: Arc<dyn LedgerWriter>,
        keystore: Arc<dyn KeyStore>,
        rng: Arc<dyn Rng>,
        options: &InitOptions,
        now: i64,
    ) -> Result<(Wallet, RestoreReport)> {
        check_passphrase(passphrase)?;
        let contents = read_backup(backup, recovery)?;
        let (vault, key) = Vault::create(dir, passphrase.as_bytes(), options.kdf, &*rng)?;
        Wallet::fill_new(vault, ledger, keystore, rng, |w| {
            w.import(key, contents, recovery, now)
        })
    }

    fn import(
        &mut self,
        key: Key,
        contents: Contents,
        recovery: &RecoverySecret,
        now: i64,
    ) -> Result<RestoreReport> {
        let handle = self.keystore.generate(&*self.rng)?;
        let holder = handle.public_key()?;
        let key_id = self.new_id("k:")?;
        let identity = Identity {
            did: contents.did.clone(),
            fragment: contents.fragment.clone(),
            holder_key: key_id.clone(),
            update_index: contents.update_index,
            backup_key: Zeroizing::new(b64::encode(recovery.backup_key()?.as_bytes())),
            backup_id: b64::encode(recovery.backup_id()?),
            created: contents.identity_created,
            deactivated: contents.deactivated,
            old_keys: contents.device_keys.clone(),
            last_backup: Some(contents.created),
        };
        // The history as it was, checked.
        let rows: Vec<(String, Option<Zeroizing<Vec<u8>>>)> = contents
            .history
            .iter()
            .map(|text| {
                let seq = serde_json::from_str::<HistoryEntry>(text)
                    .map(|e| e.seq)
                    .unwrap_or(0);
                (
                    history::entry_id(seq),
                    Some(Zeroizing::new(text.as_bytes().to_vec())),
                )
            })
            .collect();
        let last = rows
            .last()
            .map(|(_, b)| b.as_ref().map(|b| HistoryEntry::hash_of(b)));
        let count = contents.history.len() as u64;
        let head = last
            .flatten()
            .unwrap_or_else(|| history::GENESIS.to_string());
        let (problems, _) = history::check_chain(&rows, count, &head);
        let mut state = State {
            history_count: count,
            history_head: head,
            credentials: contents.credentials.len() as u64,
            rebuilt: false,
        };
        let stored_key = StoredKey {
            handle,
            created: now,
        };
        let rng = self.rng.clone();
        let old_keys: Vec<civitas_crypto::PublicKey> = contents
            .device_keys
            .iter()
            .filter_map(|k| civitas_crypto::PublicKey::from_jwk_value(k).ok())
            .collect();
        let mut bound_to_old_device = 0;
        for c in &contents.credentials {
            if let Ok(cred) = civitas_credential::Credential::parse(&c.compact)
                && let Ok(Some(civitas_credential::HolderBinding::Jwk(k))) = cred.holder()
                && old_keys.contains(&k)
            {
                bound_to_old_device += 1;
            }
        }
        self.vault.write(&key, &*rng, |w| {
            w.put(Kind::Key, &key_id, &to_bytes(&stored_key)?)?;
            w.put(Kind::Identity, IDENTITY_ID, &to_bytes(&identity)?)?;
            w.put(Kind::Settings, SETTINGS_ID, &to_bytes(&contents.settings)?)?;
            for c in &contents.credentials {
                let stored = StoredCredential {
                    compact: c.compact.clone(),
                    received: c.received,
                    digest: c.digest.clone(),
                    notification: None,
                };
                w.put(
                    Kind::Credential,
                    &format!("c:{}", c.id),
                    &to_bytes(&stored)?,
                )?;
            }
            for (id, bytes) in &rows {
                if let Some(bytes) = bytes {
                    w.put(Kind::History, id, bytes)?;
                }
            }
            for r in &contents.receipts {
                w.put(Kind::Receipt, &history::receipt_id(r.seq), &to_bytes(r)?)?;
            }
            append_history(
                w,
                &mut state,
                Event::Restored {
                    backup_created: contents.created,
                },
                now,
            )?;
            w.put(Kind::State, STATE_ID, &to_bytes(&state)?)?;
            Ok(())
        })?;
        self.session = Some(crate::wallet::Unlocked::new(
            key,
            identity,
            contents.settings.clone(),
            state,
            now,
        ));
        Ok(RestoreReport {
            did: contents.did,
            credentials: contents.credentials.len(),
            bound_to_old_device,
            history_entries: contents.history.len(),
            integrity: IntegrityReport {
                history_entries: count,
                problems,
            },
            holder_key: holder.thumbprint(),
        })
    }
}

fn read_backup(path: &Path, recovery: &RecoverySecret) -> Result<Contents> {
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_BACKUP {
        return Err(Error::BackupCorrupted(format!(
            "{len} bytes is larger than any backup"
        )));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    if bytes.len() < 16 || &bytes[..16] != MAGIC {
        return Err(Error::BackupCorrupted("not a Civitas backup file".into()));
    }
    if bytes.len() < 32 + 12 + 16 {
        return Err(Error::BackupCorrupted("the file is truncated".into()));
    }
    if bytes[16..32] != recovery.backup_id()? {
        return Err(Error::BackupMismatch);
    }
    let plaintext = recovery
        .backup_key()?
        .open(&bytes[..32], &bytes[32..])
        .ok_or_else(|| {
            Error::BackupCorrupted(
                "it fails authentication: the file was damaged, truncated or altered".into(),
            )
        })?;
    let contents: Contents = serde_json::from_slice(&plaintext)
        .map_err(|_| Error::BackupCorrupted("its contents are unreadable".into()))?;
    if contents.format != FORMAT {
        return Err(Error::BackupCorrupted(format!(
            "format {} is not one this version reads",
            contents.format
        )));
    }
    Ok(contents)
}
