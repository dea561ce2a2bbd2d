//! Onboarding: create a wallet, show and check the recovery kit, restore a backup,
//! unlock.

use crate::error::{Error, Result};
use crate::state::{AppState, has_wallet, now, open_ledger};
use civitas_wallet::{InitOptions, IntegrityReport, RecoverySecret, RestoreReport, Wallet};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::State;
use zeroize::Zeroizing;

/// Where the app stands: what the first screen depends on.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct AppStatus {
    /// A wallet exists on this device.
    pub(crate) has_wallet: bool,
    /// It is unlocked now.
    pub(crate) unlocked: bool,
    /// A recovery kit is waiting to be confirmed.
    pub(crate) recovery_pending: bool,
    /// Why the wallet could not be opened, if it could not.
    pub(crate) open_error: Option<String>,
    /// The wallet directory.
    pub(crate) wallet_dir: String,
    /// Where backups go by default.
    pub(crate) backup_dir: String,
}

/// Where the app stands (`Wallet::is_locked`).
#[tauri::command]
pub(crate) async fn app_state(state: State<'_, AppState>) -> Result<AppStatus> {
    crate::startup_probe();
    state
        .run(|inner| {
            Ok(AppStatus {
                has_wallet: inner.wallet.is_some() || has_wallet(&inner.paths.wallet),
                unlocked: inner.wallet.as_ref().is_some_and(|w| !w.is_locked(now())),
                recovery_pending: inner.recovery.is_some(),
                open_error: inner.open_error.clone(),
                wallet_dir: inner.paths.wallet.display().to_string(),
                backup_dir: inner.paths.backups.display().to_string(),
            })
        })
        .await
}

/// A new wallet.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct Created {
    /// The citizen's new DID.
    pub(crate) did: String,
}

/// Creates the wallet (`Wallet::init`); it stays unlocked, and its recovery secret is
/// kept in this process until the citizen confirms the kit was written down.
#[tauri::command]
pub(crate) async fn create_wallet(
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<Created> {
    let passphrase = Zeroizing::new(passphrase);
    state
        .run(move |inner| {
            let ledger = open_ledger(&inner.paths, &inner.settings.ledger)?;
            let (wallet, init) = Wallet::init(
                &inner.paths.wallet,
                &passphrase,
                ledger,
                &InitOptions::default(),
                now(),
            )?;
            let mut wallet = wallet;
            wallet.trust_roots(inner.paths.roots.clone());
            inner.wallet = Some(wallet);
            inner.open_error = None;
            inner.recovery = Some(init.recovery);
            Ok(Created { did: init.did })
        })
        .await
}

/// The recovery kit, shown once.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct RecoveryKit {
    /// The 24 words, in order.
    pub(crate) words: Vec<String>,
    /// The words as a QR code (SVG).
    pub(crate) qr_svg: String,
}

/// The recovery kit of the wallet just created (`RecoverySecret::to_words`). This is
/// the one secret that crosses into the web view, because the citizen must read it;
/// the front end drops it when the kit is confirmed.
#[tauri::command]
pub(crate) async fn recovery_kit(state: State<'_, AppState>) -> Result<RecoveryKit> {
    state
        .run(|inner| {
            let secret = inner.recovery.as_ref().ok_or(Error::NoRecoveryKit)?;
            let words = secret.to_words();
            Ok(RecoveryKit {
                words: words.split_whitespace().map(str::to_string).collect(),
                qr_svg: secret.qr()?.to_svg(),
            })
        })
        .await
}

/// One word typed back: its position (from 1) and the word.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct WordCheck {
    /// Position in the kit, from 1.
    pub(crate) position: usize,
    /// The word as typed.
    pub(crate) word: String,
}

/// Checks words typed back against the kit (`RecoverySecret::to_words`); when they all
/// match, the secret is dropped from memory for good.
#[tauri::command]
pub(crate) async fn confirm_recovery(
    state: State<'_, AppState>,
    answers: Vec<WordCheck>,
) -> Result<()> {
    state
        .run(move |inner| {
            let secret = inner.recovery.as_ref().ok_or(Error::NoRecoveryKit)?;
            let words = secret.to_words();
            let words: Vec<&str> = words.split_whitespace().collect();
            if answers.is_empty() {
                return Err(Error::RecoveryWordMismatch(0));
            }
            for a in &answers {
                let typed = Zeroizing::new(a.word.trim().to_lowercase());
                if a.position == 0 || words.get(a.position - 1) != Some(&typed.as_str()) {
                    return Err(Error::RecoveryWordMismatch(a.position));
                }
            }
            inner.recovery = None;
            Ok(())
        })
        .await
}

/// Restores a backup file into a new wallet on this device (`Wallet::restore`).
#[tauri::command]
pub(crate) async fn restore_wallet(
    state: State<'_, AppState>,
    backup: PathBuf,
    words: String,
    passphrase: String,
) -> Result<RestoreReport> {
    let words = Zeroizing::new(words);
    let passphrase = Zeroizing::new(passphrase);
    state
        .run(move |inner| {
            let secret = RecoverySecret::from_words(&words)?;
            let ledger = open_ledger(&inner.paths, &inner.settings.ledger)?;
            let (wallet, report) = Wallet::restore(
                &inner.paths.wallet,
                &passphrase,
                &secret,
                &backup,
                ledger,
                &InitOptions::default(),
                now(),
            )?;
            let mut wallet = wallet;
            wallet.trust_roots(inner.paths.roots.clone());
            inner.wallet = Some(wallet);
            inner.open_error = None;
            Ok(report)
        })
        .await
}

/// Unlocks with the passphrase (`Wallet::unlock`); returns what the integrity check
/// of the history found (tampering is shown, not fatal).
#[tauri::command]
pub(crate) async fn unlock(
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<IntegrityReport> {
    let passphrase = Zeroizing::new(passphrase);
    state
        .run(move |inner| {
            if inner.wallet.is_none() {
                crate::state::reopen(inner);
            }
            let report = inner.wallet()?.unlock(&passphrase, now())?;
            inner.forget_session();
            Ok(report)
        })
        .await
}
