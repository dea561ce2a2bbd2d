//! Credentials: the identity at a glance, the list and details, receiving (pasted
//! text, a QR image, a dropped file), deleting, and the demo issuer.

use crate::error::{Error, Result};
use crate::qr_image::decode_qr_image;
use crate::state::{AppState, now};
use civitas_wallet::{CredentialDetails, CredentialSummary, Received, Status};
use serde::Serialize;
use tauri::State;
use zeroize::Zeroizing;

/// The wallet at a glance: DID, whether the ledger sees it, counts (`Wallet::status`).
#[tauri::command]
pub(crate) async fn identity(state: State<'_, AppState>) -> Result<Status> {
    state.wallet(|w| w.status(now())).await
}

/// This device's holder key, public, for an issuer to bind a credential to.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct HolderKey {
    /// The public JWK.
    #[cfg_attr(test, ts(type = "unknown"))]
    pub(crate) jwk: serde_json::Value,
    /// Its RFC 7638 thumbprint.
    pub(crate) thumbprint: String,
}

/// This device's public holder key (`Wallet::holder_key`).
#[tauri::command]
pub(crate) async fn holder_key(state: State<'_, AppState>) -> Result<HolderKey> {
    state
        .wallet(|w| w.holder_key(now()))
        .await
        .map(|k| HolderKey {
            jwk: k.to_jwk_value(),
            thumbprint: k.thumbprint(),
        })
}

/// The credentials held (`Wallet::credentials`).
#[tauri::command]
pub(crate) async fn list_credentials(state: State<'_, AppState>) -> Result<Vec<CredentialSummary>> {
    state.wallet(|w| w.credentials(now())).await
}

/// One credential in full: claims, issuer, validity, status (`Wallet::show`).
#[tauri::command]
pub(crate) async fn credential_details(
    state: State<'_, AppState>,
    id: String,
) -> Result<CredentialDetails> {
    state.wallet(move |w| w.show(&id, now())).await
}

/// Receives a pasted credential, `CIV1:` payload or dropped file's text
/// (`Wallet::receive`).
#[tauri::command]
pub(crate) async fn receive_credential(
    state: State<'_, AppState>,
    text: String,
) -> Result<Received> {
    let text = Zeroizing::new(text);
    state.wallet(move |w| w.receive(&text, now())).await
}

/// Receives the credential in a QR image (PNG or JPEG; several codes of a multi-part
/// sequence in one image are joined) (`Wallet::receive`).
#[tauri::command]
pub(crate) async fn receive_qr_image(
    state: State<'_, AppState>,
    image: Vec<u8>,
) -> Result<Received> {
    let texts = decode_qr_image(&image)?;
    let text = Zeroizing::new(texts.join("\n"));
    state.wallet(move |w| w.receive(&text, now())).await
}

/// Deletes a credential (`Wallet::delete`).
#[tauri::command]
pub(crate) async fn delete_credential(state: State<'_, AppState>, id: String) -> Result<()> {
    state.wallet(move |w| w.delete(&id, now())).await
}

/// Receives the demo issuer's sample PID and medical summary (`Wallet::receive`, once
/// per credential). The demo issuer is anchored on the ledger the wallet uses.
#[tauri::command]
pub(crate) async fn demo_credentials(state: State<'_, AppState>) -> Result<Vec<Received>> {
    state
        .run(|inner| {
            let dir = inner.paths.demo.clone();
            let ledger_id = serde_json::to_string(&inner.settings.ledger)
                .map_err(|e| Error::Demo(e.to_string()))?;
            let wallet = inner.wallet()?;
            let t = now();
            let did = wallet.did(t)?;
            let (issuer, key) =
                crate::demo::ensure_issuer(&dir, &**wallet.ledger(), &ledger_id, t)?;
            let mut received = Vec::new();
            for credential in crate::demo::issue_samples(&issuer, &key, &did, t)? {
                received.push(wallet.receive(&credential, t)?);
            }
            Ok(received)
        })
        .await
}
