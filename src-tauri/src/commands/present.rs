//! Presenting: read the counter's request, show exactly what would be disclosed, make
//! the proof (a QR code on screen), or send it to the counter online.

use crate::error::{Error, Result};
use crate::qr_image::decode_qr_image;
use crate::state::{AppSession, AppState, now};
use civitas_credential::ClaimPath;
use civitas_exchange::qr::{self, QrOptions};
use civitas_wallet::{Consent, request, send};
use serde::Serialize;
use tauri::State;

/// What the consent screen shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct ConsentView {
    /// Who asks: the request's client identifier (the presentation's audience).
    pub(crate) counter: String,
    /// Where an online answer would go (the host of the response URI).
    pub(crate) response_host: Option<String>,
    /// Exactly what would be disclosed, from which credential.
    #[serde(flatten)]
    pub(crate) consent: Consent,
}

/// Reads the counter's `openid4vp://` request and works out what answering it would
/// disclose (`Wallet::prepare`). Nothing is disclosed yet.
#[tauri::command]
pub(crate) async fn open_request(state: State<'_, AppState>, text: String) -> Result<ConsentView> {
    state.run(move |inner| prepare(inner, &text)).await
}

/// [`open_request`] from a picture of the request's QR code.
#[tauri::command]
pub(crate) async fn open_request_image(
    state: State<'_, AppState>,
    image: Vec<u8>,
) -> Result<ConsentView> {
    let texts = decode_qr_image(&image)?;
    let text = texts
        .into_iter()
        .find(|t| t.to_ascii_lowercase().starts_with("openid4vp:"))
        .ok_or_else(|| {
            Error::UnsupportedRequest("the picture holds no openid4vp:// code".into())
        })?;
    state.run(move |inner| prepare(inner, &text)).await
}

fn prepare(inner: &mut AppSession, text: &str) -> Result<ConsentView> {
    inner.forget_session();
    let request = request::read_request(text)?;
    let (_, wanted) = request::presentation_request(&request)?;
    let consent = inner.wallet()?.prepare(&wanted, now())?;
    let view = ConsentView {
        counter: request.client_id().original().to_string(),
        response_host: send::response_host(request.response_uri()),
        consent: consent.clone(),
    };
    inner.request = Some(request);
    inner.consent = Some(consent);
    Ok(view)
}

/// One QR code of the proof.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct QrImage {
    /// The code as SVG.
    pub(crate) svg: String,
    /// Its QR version (size).
    pub(crate) version: u8,
    /// Its error correction level.
    pub(crate) ecc: String,
}

/// The proof, ready to show.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct Proof {
    /// The code(s): one, or a short sequence for a very large proof.
    pub(crate) codes: Vec<QrImage>,
    /// The claim names disclosed.
    pub(crate) disclosed: Vec<String>,
    /// The history entry recording it.
    pub(crate) history: u64,
    /// Whether it can also be sent to the counter online.
    pub(crate) can_send: bool,
}

/// Makes the presentation the citizen consented to, without the optional claims in
/// `dropped` (`Wallet::present`), and renders it as QR code(s).
#[tauri::command]
pub(crate) async fn present(state: State<'_, AppState>, dropped: Vec<String>) -> Result<Proof> {
    state
        .run(move |inner| {
            let consent = inner.consent.clone().ok_or(Error::NoRequest)?;
            let dropped = dropped
                .iter()
                .map(|d| ClaimPath::parse(d))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| Error::UnsupportedRequest(e.to_string()))?;
            let presentation = inner.wallet()?.present(&consent, &dropped, now())?;
            let codes = qr::render_presentation(&presentation.text, &QrOptions::default())?
                .iter()
                .map(|c| QrImage {
                    svg: c.to_svg(),
                    version: c.info().version,
                    ecc: format!("{:?}", c.info().ecc),
                })
                .collect();
            let proof = Proof {
                codes,
                disclosed: presentation
                    .disclosed
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                history: presentation.history,
                can_send: inner.request.as_ref().is_some_and(send::can_send),
            };
            inner.consent = None;
            inner.presentation = Some(presentation);
            Ok(proof)
        })
        .await
}

/// What the counter answered.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct Sent {
    /// The HTTP status.
    pub(crate) status: u16,
    /// Whether a receipt came back, checked out and was filed with the history entry.
    pub(crate) receipt: bool,
    /// The code of the refusal if the counter's receipt did not check out (not kept;
    /// the history records the refusal).
    pub(crate) receipt_refused: Option<String>,
}

/// Posts the proof to the counter's response URI (OpenID4VP `direct_post`; plain
/// `http` only to this machine) and files the receipt it returns, if it checks out,
/// with the history entry (`Wallet::send_presentation`).
#[tauri::command]
pub(crate) async fn send_online(state: State<'_, AppState>) -> Result<Sent> {
    state
        .run(|inner| {
            let request = inner.request.clone().ok_or(Error::NoRequest)?;
            let presentation = inner.presentation.clone().ok_or(Error::NoRequest)?;
            let delivery = inner
                .wallet()?
                .send_presentation(&request, &presentation, now())?;
            Ok(Sent {
                status: delivery.status,
                receipt: delivery.receipt.is_some(),
                receipt_refused: delivery.receipt_refused,
            })
        })
        .await
}
