//! Receiving from an issuer (OpenID4VCI, pre-authorized code with a PIN): read the
//! offer and show who offers what (`Wallet::preview_offer`: only metadata requests
//! reach the issuer), then, once the citizen typed the PIN, obtain, check and store
//! the credential (`Wallet::accept_offer`). The preview is kept in the Rust process
//! between the two (its pre-authorized code never reaches the web view); a new
//! preview replaces it, and a credential obtained ends it.
//!
//! An offer is previewed only when the citizen trusts at least one root authority
//! (Settings): with none, no issuer could be checked, and an empty list never means
//! "trust every issuer".
//!
//! Deferred issuance: `pending_credentials` lists what the wallet waits for
//! (`Wallet::pending`), `fetch_pending` asks the issuers (`Wallet::fetch_deferred`:
//! the ones due, or all of them when the citizen presses "check now").

use crate::error::{Error, Result};
use crate::qr_image::decode_qr_image;
use crate::state::{AppSession, AppState, now};
use civitas_wallet::openid4vci::{
    Accepted, FetchOutcome, HttpTransport, OfferPreview, PendingIssuance,
};
use tauri::State;
use zeroize::Zeroizing;

/// Reads an `openid-credential-offer://` link (or an https URL carrying
/// `credential_offer` / `credential_offer_uri`) and the issuer's metadata; nothing but
/// metadata requests is sent to the issuer.
#[tauri::command]
pub(crate) async fn preview_offer(state: State<'_, AppState>, uri: String) -> Result<OfferPreview> {
    let uri = Zeroizing::new(uri);
    state.run(move |inner| preview(inner, &uri)).await
}

/// [`preview_offer`] from a picture of the offer's QR code.
#[tauri::command]
pub(crate) async fn preview_offer_image(
    state: State<'_, AppState>,
    image: Vec<u8>,
) -> Result<OfferPreview> {
    let texts = decode_qr_image(&image)?;
    let uri = texts
        .into_iter()
        .find(|t| is_offer(t))
        .map(Zeroizing::new)
        .ok_or(Error::NoOfferInImage)?;
    state.run(move |inner| preview(inner, &uri)).await
}

/// Obtains the previewed credential with the PIN the issuer gave the citizen (empty:
/// none), checks it and stores it, or keeps the issuer's promise (deferred).
#[tauri::command]
pub(crate) async fn accept_offer(state: State<'_, AppState>, pin: String) -> Result<Accepted> {
    let pin = Zeroizing::new(pin);
    state
        .run(move |inner| {
            let offer = inner.offer.clone().ok_or(Error::NoOffer)?;
            let transport = HttpTransport::new()?;
            let pin = pin.trim();
            let pin = (!pin.is_empty()).then_some(pin);
            let accepted = inner
                .wallet()?
                .accept_offer(&transport, &offer, pin, now())?;
            // Used once it worked; after a refusal the citizen may type the PIN again
            // (the issuer decides whether its code is still good).
            inner.offer = None;
            Ok(accepted)
        })
        .await
}

/// The credentials the wallet waits for (deferred by their issuer), oldest first.
#[tauri::command]
pub(crate) async fn pending_credentials(
    state: State<'_, AppState>,
) -> Result<Vec<PendingIssuance>> {
    state.wallet(|w| w.pending(now())).await
}

/// Asks the issuers for the credentials the wallet waits for: those due (`force`
/// false: when the app opens or unlocks), or every one ("check now").
#[tauri::command]
pub(crate) async fn fetch_pending(
    state: State<'_, AppState>,
    force: bool,
) -> Result<Vec<FetchOutcome>> {
    state
        .run(move |inner| {
            let wallet = inner.wallet()?;
            if wallet.pending(now())?.is_empty() {
                return Ok(Vec::new());
            }
            let transport = HttpTransport::new()?;
            Ok(wallet.fetch_deferred(&transport, now(), force)?)
        })
        .await
}

/// Refuses when no root authority is trusted (no issuer could be checked).
pub(crate) fn require_roots(roots: &[String]) -> Result<()> {
    if roots.is_empty() {
        return Err(Error::NoTrustedRoots);
    }
    Ok(())
}

/// Whether `text` looks like a credential offer link.
pub(crate) fn is_offer(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    t.starts_with("openid-credential-offer:")
        || (t.starts_with("https://") || t.starts_with("http://"))
            && (t.contains("credential_offer=") || t.contains("credential_offer_uri="))
}

fn preview(inner: &mut AppSession, uri: &str) -> Result<OfferPreview> {
    inner.offer = None;
    require_roots(&inner.wallet()?.trusted_roots(now())?)?;
    let transport = HttpTransport::new()?;
    let preview = inner
        .wallet()?
        .preview_offer(&transport, uri.trim(), now())?;
    inner.offer = Some(preview.clone());
    Ok(preview)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn offer_links_are_recognised() {
        assert!(is_offer(
            "openid-credential-offer://?credential_offer=%7B%7D"
        ));
        assert!(is_offer(
            "  OPENID-CREDENTIAL-OFFER://?credential_offer_uri=x"
        ));
        assert!(is_offer(
            "https://issuer.example/offer?credential_offer_uri=x"
        ));
        assert!(!is_offer("openid4vp://?request=x"));
        assert!(!is_offer("CIV1:abc"));
        assert!(!is_offer("https://issuer.example/"));
    }

    #[test]
    fn no_trusted_root_refuses_every_offer() {
        let e = require_roots(&[]).unwrap_err();
        assert_eq!(e.code(), "no_trusted_roots");
        assert!(require_roots(&["did:webvh:QmRoot:ledger.example:root".into()]).is_ok());
    }
}
