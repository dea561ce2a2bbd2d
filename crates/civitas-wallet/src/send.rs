//! Sending a presentation to the counter online: OpenID4VP `direct_post`.
//!
//! [`post_presentation`] wraps the presentation in a `vp_token` keyed by the request's
//! one credential query, posts the form to the request's `response_uri` (rustls with
//! ring, 20 s timeout; plain `http` only to this machine, [`check_response_uri`]) and
//! reads the receipt the counter may answer with. [`Wallet::send_presentation`] does
//! that, checks the receipt ([`Wallet::attach_receipt`]) and files it with the
//! presentation's history entry — or, if it does not check out, keeps it out and
//! records "receipt refused: <code>" in the history instead.

use crate::consent::Presentation;
use crate::error::{Error, Result};
use crate::request::presentation_request;
use crate::wallet::Wallet;
use civitas_exchange::openid4vp::{AuthorizationRequest, AuthorizationResponse, VpToken};
use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

/// How long the counter has to answer.
const TIMEOUT: Duration = Duration::from_secs(20);

/// What the counter answered to a presentation posted online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The HTTP status (2xx: accepted).
    pub status: u16,
    /// The counter's signed receipt, if it sent one that checks out (stored with the
    /// history entry by [`Wallet::send_presentation`]).
    pub receipt: Option<String>,
    /// The code of the refusal, if the counter sent a receipt that does not check out
    /// (not stored; the history records the refusal).
    pub receipt_refused: Option<String>,
}

/// Refuses a `response_uri` that would carry the presentation unencrypted across the
/// network: `https` is fine, plain `http` only to a loopback host (127.0.0.0/8,
/// `::1`, `localhost`); anything else is [`Error::InsecureResponseUri`].
pub fn check_response_uri(uri: &str) -> Result<()> {
    let insecure = || Error::InsecureResponseUri(shorten(uri));
    let (scheme, rest) = uri.split_once("://").ok_or_else(insecure)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "https" {
        return Ok(());
    }
    if scheme != "http" {
        return Err(insecure());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(insecure());
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if is_loopback(host) {
        Ok(())
    } else {
        Err(insecure())
    }
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => v6 == Ipv6Addr::LOCALHOST,
        Err(_) => false,
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Posts `presentation` (the SD-JWT text) as the answer to `request`, to its
/// `response_uri`. A `response_uri` that is plain `http` to another machine is
/// [`Error::InsecureResponseUri`] (nothing is sent); a non-2xx status or a network
/// failure is [`Error::Send`]. The receipt is returned as the counter sent it,
/// unchecked.
pub fn post_presentation(request: &AuthorizationRequest, presentation: &str) -> Result<Delivery> {
    check_response_uri(request.response_uri())?;
    let (query_id, _) = presentation_request(request)?;
    let mut token = VpToken::new();
    token.insert(&query_id, vec![presentation.to_string()])?;
    let body = AuthorizationResponse::for_request(request, token)?.to_form();
    // Another caller may have installed it already: either way ring is the provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        // A redirect would take the presentation elsewhere: not followed.
        .redirect(reqwest::redirect::Policy::none())
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
        receipt_refused: None,
    })
}

impl Wallet {
    /// Posts `presentation` to the counter that sent `request` ([`post_presentation`])
    /// and checks the receipt it returns, if any: one that checks out is filed with the
    /// presentation's history entry ([`Wallet::attach_receipt`]); one that does not is
    /// kept out, the history records "receipt refused: <code>", and the delivery says
    /// so (`receipt: None`, `receipt_refused: Some(code)`).
    pub fn send_presentation(
        &mut self,
        request: &AuthorizationRequest,
        presentation: &Presentation,
        now: i64,
    ) -> Result<Delivery> {
        let mut delivery = post_presentation(request, &presentation.text)?;
        if let Some(receipt) = delivery.receipt.clone() {
            match self.attach_receipt(presentation.history, &receipt, now) {
                Ok(()) => {}
                Err(Error::ReceiptRefused { code, .. }) => {
                    self.record_refused_receipt(presentation.history, code, now)?;
                    delivery.receipt = None;
                    delivery.receipt_refused = Some(code.to_string());
                }
                Err(e) => return Err(e),
            }
        }
        Ok(delivery)
    }
}

/// Whether a presentation for `request` can be sent online (its `response_uri` is
/// `https`, or `http` to this machine: [`check_response_uri`]).
pub fn can_send(request: &AuthorizationRequest) -> bool {
    check_response_uri(request.response_uri()).is_ok()
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

    #[test]
    fn plain_http_is_refused_except_to_this_machine() {
        for ok in [
            "https://counter-7.city.example/post",
            "HTTPS://counter-7.city.example",
            "http://127.0.0.1:8080/post",
            "http://127.10.0.3/post",
            "http://localhost:9/x?y",
            "http://LOCALHOST/",
            "http://[::1]:8443/post",
        ] {
            assert!(check_response_uri(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://counter-7.city.example/post",
            "http://192.168.1.20:8080/post",
            "http://10.0.0.1/",
            "http://128.0.0.1/",
            "http://[::2]/",
            "http://[::ffff:192.168.1.1]/",
            "http://localhost.evil.example/",
            "http://127.0.0.1@evil.example/",
            "http://evil.example#@127.0.0.1",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
            "counter-7.city.example",
        ] {
            let e = check_response_uri(bad).unwrap_err();
            assert_eq!(e.code(), "insecure_response_uri", "{bad}");
            assert!(matches!(e, Error::InsecureResponseUri(_)), "{bad}");
        }
    }
}
