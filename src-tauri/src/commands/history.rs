//! The history: who was shown what and when (claim names, never values), receipts,
//! tamper warnings.

use crate::error::Result;
use crate::state::{AppState, now};
use civitas_credential::{ClaimPath, CredentialType};
use civitas_wallet::{Event, HistoryItem, IntegrityReport};
use serde::Serialize;
use tauri::State;

/// A history entry with the display names of its type and claims (from the type
/// metadata; the values were never recorded).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct HistoryView {
    /// The entry as the wallet keeps it.
    #[serde(flatten)]
    pub(crate) item: HistoryItem,
    /// The credential type's name, English and Traditional Chinese.
    pub(crate) type_names: Option<[&'static str; 2]>,
    /// The labels of the claims shown, English and Traditional Chinese (the path when
    /// the type has no label for it).
    pub(crate) claim_labels: Vec<[String; 2]>,
}

fn view(item: HistoryItem) -> HistoryView {
    let (vct, claims): (Option<&str>, &[String]) = match &item.entry.event {
        Event::Received { vct, .. } | Event::Issued { vct, .. } | Event::Deleted { vct, .. } => {
            (Some(vct), &[])
        }
        Event::Presented { vct, claims, .. } => (Some(vct), claims),
        _ => (None, &[]),
    };
    let t = vct.and_then(CredentialType::by_vct);
    let label = |path: &String, locale: &str| {
        ClaimPath::parse(path)
            .ok()
            .and_then(|p| t.and_then(|t| t.label(&p, locale)))
            .map_or_else(|| path.clone(), str::to_string)
    };
    HistoryView {
        type_names: t.map(|t| [t.name("en-US"), t.name("zh-TW")]),
        claim_labels: claims
            .iter()
            .map(|c| [label(c, "en-US"), label(c, "zh-TW")])
            .collect(),
        item,
    }
}

/// The history, oldest first, with receipts (`Wallet::history`).
#[tauri::command]
pub(crate) async fn history(state: State<'_, AppState>) -> Result<Vec<HistoryView>> {
    let items = state.wallet(|w| w.history(now())).await?;
    Ok(items.into_iter().map(view).collect())
}

/// Checks the stored history against its authenticated head (`Wallet::verify_history`).
#[tauri::command]
pub(crate) async fn verify_history(state: State<'_, AppState>) -> Result<IntegrityReport> {
    state.wallet(|w| w.verify_history(now())).await
}

/// Files a counter's receipt with history entry `seq` (`Wallet::attach_receipt`).
#[tauri::command]
pub(crate) async fn attach_receipt(
    state: State<'_, AppState>,
    seq: u64,
    receipt: String,
) -> Result<()> {
    state
        .wallet(move |w| w.attach_receipt(seq, receipt.trim(), now()))
        .await
}
