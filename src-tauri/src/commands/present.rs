//! Presenting: read the counter's request, show exactly what would be disclosed, make
//! the proof (a QR code on screen), or send it to the counter online.

use crate::error::{Error, Result};
use crate::state::{AppState, Inner, now};
use civitas_credential::ClaimPath;
use civitas_exchange::openid4vp::{AuthorizationResponse, VpToken};
use civitas_exchange::qr::{self, QrOptions};
use civitas_wallet::Consent;
use serde::Serialize;
use tauri::State;

/// What the consent screen shows.
#[derive(Debug, Clone, Serialize)]
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
    if image.len() > super::credentials::MAX_IMAGE {
        return Err(Error::InvalidSetting(
            "the image is too large (16 MB at most)".into(),
        ));
    }
    let texts = qr::decode_image(&image)?;
    let text = texts
        .into_iter()
        .find(|t| t.to_ascii_lowercase().starts_with("openid4vp:"))
        .ok_or_else(|| {
            Error::UnsupportedRequest("the picture holds no openid4vp:// code".into())
        })?;
    state.run(move |inner| prepare(inner, &text)).await
}

fn prepare(inner: &mut Inner, text: &str) -> Result<ConsentView> {
    inner.forget_session();
    let request = crate::request::parse(text)?;
    let (_, wanted) = crate::request::to_presentation_request(&request)?;
    let consent = inner.wallet()?.prepare(&wanted, now())?;
    let view = ConsentView {
        counter: request.client_id().original().to_string(),
        response_host: host_of(request.response_uri()),
        consent: consent.clone(),
    };
    inner.request = Some(request);
    inner.consent = Some(consent);
    Ok(view)
}

/// One QR code of the proof.
#[derive(Debug, Clone, Serialize)]
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
                can_send: inner
                    .request
                    .as_ref()
                    .is_some_and(|r| r.response_uri().starts_with("http")),
            };
            inner.consent = None;
            inner.presentation = Some(presentation);
            Ok(proof)
        })
        .await
}

/// What the counter answered.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Sent {
    /// The HTTP status.
    pub(crate) status: u16,
    /// Whether a receipt came back and was filed with the history entry.
    pub(crate) receipt: bool,
}

/// Posts the proof to the counter's response URI (OpenID4VP `direct_post`) and files
/// the receipt it returns, if any, with the history entry (`Wallet::attach_receipt`).
#[tauri::command]
pub(crate) async fn send_online(state: State<'_, AppState>) -> Result<Sent> {
    state
        .run(|inner| {
            let request = inner.request.clone().ok_or(Error::NoRequest)?;
            let presentation = inner.presentation.clone().ok_or(Error::NoRequest)?;
            let (query_id, _) = crate::request::to_presentation_request(&request)?;
            let mut token = VpToken::new();
            token.insert(&query_id, vec![presentation.text.clone()])?;
            let body = AuthorizationResponse::for_request(&request, token)?.to_form();
            let _ = rustls::crypto::ring::default_provider().install_default();
            let client = reqwest::blocking::Client::builder()
                .timeout(std::time::Duration::from_secs(20))
                .build()
                .map_err(|e| Error::Send(e.to_string()))?;
            let resp = client
                .post(request.response_uri())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .map_err(|e| Error::Send(e.to_string()))?;
            let status = resp.status().as_u16();
            let text = resp.text().unwrap_or_default();
            if !(200..300).contains(&status) {
                return Err(Error::Send(format!("the counter answered HTTP {status}")));
            }
            let receipt = receipt_in(&text);
            if let Some(r) = &receipt {
                inner
                    .wallet()?
                    .attach_receipt(presentation.history, r, now())?;
            }
            Ok(Sent {
                status,
                receipt: receipt.is_some(),
            })
        })
        .await
}

/// A receipt in the counter's answer: `{"receipt": "…"}`, or the bare JWS.
fn receipt_in(body: &str) -> Option<String> {
    let body = body.trim();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        return v
            .get("receipt")
            .and_then(|r| r.as_str())
            .map(str::to_string);
    }
    (body.split('.').count() == 3 && !body.contains(char::is_whitespace)).then(|| body.to_string())
}

fn host_of(uri: &str) -> Option<String> {
    let rest = uri.split_once("://")?.1;
    Some(
        rest.split(['/', '?', '#'])
            .next()
            .unwrap_or(rest)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn receipts_and_hosts_are_read() {
        assert_eq!(
            receipt_in(r#"{"receipt":"a.b.c"}"#).as_deref(),
            Some("a.b.c")
        );
        assert_eq!(receipt_in("a.b.c\n").as_deref(), Some("a.b.c"));
        assert_eq!(receipt_in("ok"), None);
        assert_eq!(
            host_of("https://counter-7.city.example/post?x").as_deref(),
            Some("counter-7.city.example")
        );
    }
}
