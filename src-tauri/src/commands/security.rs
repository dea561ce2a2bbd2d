//! Security: lock now, auto-lock, change the passphrase, rotate keys after a lost
//! device (with the recovery words), back up, deactivate.

use crate::error::{Error, Result};
use crate::state::{AppState, now};
use civitas_wallet::{BackupInfo, RecoverySecret, Rotation};
use std::path::PathBuf;
use tauri::State;
use zeroize::Zeroizing;

/// Locks now: the vault key and everything decrypted are forgotten (`Wallet::lock`).
#[tauri::command]
pub(crate) async fn lock(state: State<'_, AppState>) -> Result<()> {
    state
        .run(|inner| {
            inner.forget_session();
            if let Some(w) = inner.wallet.as_mut() {
                w.lock();
            }
            Ok(())
        })
        .await
}

/// Sets the idle time after which the wallet locks itself (`Wallet::set_idle_timeout`).
#[tauri::command]
pub(crate) async fn set_auto_lock(state: State<'_, AppState>, seconds: i64) -> Result<()> {
    state
        .wallet(move |w| w.set_idle_timeout(seconds, now()))
        .await
}

/// Changes the passphrase; the current one is needed (`Wallet::change_passphrase`).
#[tauri::command]
pub(crate) async fn change_passphrase(
    state: State<'_, AppState>,
    current: String,
    new: String,
) -> Result<()> {
    let current = Zeroizing::new(current);
    let new = Zeroizing::new(new);
    state
        .wallet(move |w| w.change_passphrase(&current, &new, None, now()))
        .await
}

/// Rotates the DID to this device's key with the recovery words: after a lost device,
/// the old device's key stops working everywhere (`Wallet::rotate`).
#[tauri::command]
pub(crate) async fn rotate_keys(state: State<'_, AppState>, words: String) -> Result<Rotation> {
    let words = Zeroizing::new(words);
    state
        .wallet(move |w| w.rotate(&RecoverySecret::from_words(&words)?, now()))
        .await
}

/// Writes an encrypted backup (`Wallet::backup`); `path` empty: a dated file in the
/// default backup folder. Returns what was written and where.
#[tauri::command]
pub(crate) async fn backup(
    state: State<'_, AppState>,
    path: Option<PathBuf>,
) -> Result<(BackupInfo, String)> {
    state
        .run(move |inner| {
            let path = match path.filter(|p| !p.as_os_str().is_empty()) {
                Some(p) => p,
                None => {
                    let dir = inner.paths.backups.clone();
                    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
                    dir.join(format!("civitas-backup-{}.civitas", now()))
                }
            };
            let info = inner.wallet()?.backup(&path, now())?;
            Ok((info, path.display().to_string()))
        })
        .await
}

/// Deactivates the DID for good, with the recovery words (`Wallet::deactivate`).
#[tauri::command]
pub(crate) async fn deactivate(state: State<'_, AppState>, words: String) -> Result<String> {
    let words = Zeroizing::new(words);
    state
        .wallet(move |w| w.deactivate(&RecoverySecret::from_words(&words)?, now()))
        .await
}
