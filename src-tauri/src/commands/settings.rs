//! Settings: the ledger (embedded file or node URL), language, theme, text size, the
//! trusted root authorities (given to the wallet at once).

use crate::error::Result;
use crate::settings::Settings;
use crate::state::AppState;
use tauri::State;

/// The settings.
#[tauri::command]
pub(crate) async fn get_settings(state: State<'_, AppState>) -> Result<Settings> {
    state.run(|inner| Ok(inner.settings.clone())).await
}

/// Saves the settings; a new ledger reopens the wallet on it, locked (`Wallet::open`).
#[tauri::command]
pub(crate) async fn set_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings> {
    state
        .run(move |inner| {
            settings.check()?;
            settings.save(&inner.paths.settings)?;
            let ledger_changed = settings.ledger != inner.settings.ledger;
            inner.settings = settings;
            if ledger_changed {
                crate::state::reopen(inner);
            } else if let Some(wallet) = inner.wallet.as_mut() {
                wallet.trust_roots(inner.settings.trusted_roots.clone());
            }
            Ok(inner.settings.clone())
        })
        .await
}
