//! How the OpenID4VCI client reaches an issuer: the [`Transport`] trait (so tests can
//! stand in for the network) and [`HttpTransport`], reqwest's blocking client on
//! rustls with ring, a timeout, no redirects and a cap on what it reads.

use crate::{Error, Result};
use std::io::Read;
use std::time::Duration;

/// The most a response body may hold (metadata, tokens, a credential).
pub const MAX_BODY: u64 = 4 * 1024 * 1024;

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The body, at most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

/// What the client needs from HTTP. Implementations must not follow redirects (a
/// redirect could carry a code or token elsewhere) and must not log bodies or the
/// `Authorization` header.
pub trait Transport: Send + Sync {
    /// `GET url`.
    fn get(&self, url: &str) -> Result<HttpResponse>;
    /// `POST url` with `body` (of `content_type`, if given), and `Authorization:
    /// Bearer <bearer>` if given.
    fn post(
        &self,
        url: &str,
        content_type: Option<&str>,
        body: &[u8],
        bearer: Option<&str>,
    ) -> Result<HttpResponse>;
}

/// The network: reqwest (blocking), rustls with ring, 20 s timeout, no redirects.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::blocking::Client,
}

impl HttpTransport {
    /// A transport with a 20 s timeout.
    pub fn new() -> Result<Self> {
        // Another caller may have installed it already: either way ring is the provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| unreachable_issuer(&e))?;
        Ok(HttpTransport { client })
    }

    fn read(resp: reqwest::blocking::Response) -> Result<HttpResponse> {
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        resp.take(MAX_BODY + 1)
            .read_to_end(&mut body)
            .map_err(|e| Error::Issuance {
                code: "issuer_unreachable",
                reason: format!("reading the issuer's answer failed: {e}"),
            })?;
        if body.len() as u64 > MAX_BODY {
            return Err(Error::Issuance {
                code: "invalid_response",
                reason: "the issuer's answer is larger than 4 MiB".into(),
            });
        }
        Ok(HttpResponse { status, body })
    }
}

fn unreachable_issuer(e: &reqwest::Error) -> Error {
    // reqwest's message names the URL, never a body or a header value.
    Error::Issuance {
        code: "issuer_unreachable",
        reason: format!("cannot reach the issuer: {e}"),
    }
}

impl Transport for HttpTransport {
    fn get(&self, url: &str) -> Result<HttpResponse> {
        let resp = self
            .client
            .get(url)
            .header("accept", "application/json")
            .send()
            .map_err(|e| unreachable_issuer(&e))?;
        Self::read(resp)
    }

    fn post(
        &self,
        url: &str,
        content_type: Option<&str>,
        body: &[u8],
        bearer: Option<&str>,
    ) -> Result<HttpResponse> {
        let mut req = self
            .client
            .post(url)
            .header("accept", "application/json")
            .body(body.to_vec());
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let resp = req.send().map_err(|e| unreachable_issuer(&e))?;
        Self::read(resp)
    }
}
