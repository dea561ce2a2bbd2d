//! Sending a presentation to the counter online: OpenID4VP `direct_post`.
//!
//! [`post_presentation`] wraps the presentation in a `vp_token` keyed by the request's
//! one credential query, posts the form to the request's `response_uri` (rustls with
//! ring, 20 s timeout) and reads the receipt the counter may answer with.
//! [`Wallet::send_presentation`] does that and files the receipt with the
//! presentation's history entry.

use crate::consent::Presentation;
use crate::error::{Error, Result};
use crate::request::presentation_request;
use crate::wallet::Wallet;
use civitas_exchange::openid4vp::{AuthorizationRequest, AuthorizationResponse, VpToken};
use std::time::Duration;

/// How long the counter has to answer.
const TIMEOUT: Duration = Duration::from_secs(20);

/// What the counter answered to a presentation posted online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The HTTP status (2xx: accepted).
    pub status: u16,
    /// The counter's signed receipt, if it sent one.
    pub receipt: Option<String>,
}

/// Posts `presentation` (the SD-JWT text) as the answer to `request`, to its
/// `response_uri`. A non-2xx status or a network failure is [`Error::Send`].
pub fn post_presentation(request: &AuthorizationRequest, presentation: &str) -> Result<Delivery> {
    let (query_id, _) = presentation_request(request)?;
    let mut token = VpToken::new();
    token.insert(&query_id, vec![presentation.to_string()])?;
    let body = AuthorizationResponse::for_request(request, token)?.to_form();
    // Another caller may have installed it already: either way ring is the provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
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
    Ok(Delivery {
        status,
        receipt: receipt_in(&text),
    })
}

impl Wallet {
    /// Posts `presentation` to the counter that sent `request` ([`post_presentation`])
    /// and files the receipt it returns, if any, with the presentation's history entry
    /// ([`Wallet::attach_receipt`]).
    pub fn send_presentation(
        &mut self,
        request: &AuthorizationRequest,
        presentation: &Presentation,
        now: i64,
    ) -> Result<Delivery> {
        let delivery = post_presentation(request, &presentation.text)?;
        if let Some(receipt) = &delivery.receipt {
            self.attach_receipt(presentation.history, receipt, now)?;
        }
        Ok(delivery)
    }
}

/// Whether a presentation for `request` can be sent online (its `response_uri` is an
/// HTTP(S) URL).
pub fn can_send(request: &AuthorizationRequest) -> bool {
    request.response_uri().starts_with("http")
}

/// The host an online answer would go to: the host of `uri` (the request's
/// `response_uri`).
pub fn response_host(uri: &str) -> Option<String> {
    let rest = uri.split_once("://")?.1;
    Some(
        rest.split(['/', '?', '#'])
            .next()
            .unwrap_or(rest)
            .to_string(),
    )
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
            response_host("https://counter-7.city.example/post?x").as_deref(),
            Some("counter-7.city.example")
        );
    }
}
