//! The staff page on `civitas issuer serve`: `/staff` (the page and its script),
//! `POST /staff/offer` (make an offer: its URI, PIN and QR code as SVG), `GET
//! /staff/pending` (open offers), `POST /staff/approve` and `POST /staff/reject`
//! (deferred ones).
//!
//! Two gates, in this order: the peer must be on this machine (loopback) unless the
//! operator allowed every address ([`Staff::anywhere`]): `403 access_denied`,
//! `staff_loopback_only`; and the request must carry the staff secret (`?k=`, `Authorization: Bearer`, or the
//! `SameSite=Strict` cookie the page sets): none is `401 invalid_token`,
//! `staff_secret_missing`; a wrong one `403 access_denied`, `staff_secret_wrong`. The
//! secret is compared in constant time. Every refusal is `{"error", "error_description",
//! "code"}`. Nothing here is logged: the PIN and the offer go only into the answer to
//! the staff member (`Cache-Control: no-store`).

use crate::service::OfferRequest;
use crate::{Issuer, Refusal};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use civitas_exchange::openid4vci::ErrorCode;
use civitas_exchange::qr::{self, EccLevel, QrOptions};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use zeroize::Zeroizing;

const PAGE: &str = include_str!("staff.html");
const SCRIPT: &str = include_str!("staff.js");
/// The cookie the page keeps the staff secret in.
const COOKIE: &str = "civitas_staff";
/// The largest request body (claims JSON).
const MAX_BODY: usize = 64 * 1024;
/// The shortest staff secret accepted.
pub const MIN_SECRET: usize = 16;

/// Who may use the staff page.
pub struct Staff {
    secret: Zeroizing<String>,
    /// Serve other machines too (not only loopback peers).
    pub anywhere: bool,
}

impl std::fmt::Debug for Staff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staff")
            .field("anywhere", &self.anywhere)
            .finish_non_exhaustive()
    }
}

impl Staff {
    /// Staff access with `secret` (trimmed; at least [`MIN_SECRET`] characters of
    /// visible ASCII, so it fits a URL query and a cookie unchanged).
    pub fn new(secret: &str, anywhere: bool) -> crate::Result<Self> {
        let secret = secret.trim();
        if secret.len() < MIN_SECRET
            || !secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(crate::Error::Invalid(format!(
                "the staff secret must be at least {MIN_SECRET} characters of A-Z, a-z, 0-9, '-' or '_'"
            )));
        }
        Ok(Staff {
            secret: Zeroizing::new(secret.to_string()),
            anywhere,
        })
    }

    /// A fresh secret: 32 random bytes, base64url.
    pub fn generate(rng: &dyn civitas_crypto::Rng, anywhere: bool) -> crate::Result<Self> {
        let mut b = Zeroizing::new([0u8; 32]);
        rng.fill(&mut *b)?;
        Ok(Staff {
            secret: Zeroizing::new(civitas_crypto::b64::encode(&b[..])),
            anywhere,
        })
    }

    /// The secret (to print once at start, in the page's address).
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

struct Shared {
    issuer: Arc<Issuer>,
    staff: Staff,
}

/// `app` (the issuer's [`router`](crate::router)) with the staff routes added.
pub fn with_staff(app: Router, issuer: Arc<Issuer>, staff: Staff) -> Router {
    app.merge(router(issuer, staff))
}

/// The staff routes alone.
pub fn router(issuer: Arc<Issuer>, staff: Staff) -> Router {
    let shared = Arc::new(Shared { issuer, staff });
    Router::new()
        .route("/staff", get(page))
        .route("/staff/staff.js", get(script))
        .route("/staff/offer", post(offer))
        .route("/staff/pending", get(pending))
        .route("/staff/approve", post(approve))
        .route("/staff/reject", post(reject))
        .route_layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            staff_only,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared)
}

/// Whether a peer may reach the staff page: a loopback address (IPv4, IPv6, or IPv4
/// mapped into IPv6), or any address when `anywhere`. An unknown peer is refused.
pub fn peer_allowed(peer: Option<SocketAddr>, anywhere: bool) -> bool {
    if anywhere {
        return true;
    }
    match peer.map(|p| p.ip()) {
        Some(IpAddr::V4(ip)) => ip.is_loopback(),
        Some(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// Equal in constant time (for equal lengths).
pub fn same_secret(a: &str, b: &str) -> bool {
    civitas_crypto::constant_time_eq(a.as_bytes(), b.as_bytes())
}

/// The secret a request carries: `?k=`, `Authorization: Bearer`, or the cookie named
/// `cookie` (the staff page's, and the counter's clerk page's).
pub fn presented_secret<'a>(
    uri: &'a axum::http::Uri,
    headers: &'a HeaderMap,
    cookie: &str,
) -> Option<&'a str> {
    let query = uri
        .query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("k="));
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(cookie)?.strip_prefix('='));
    query.or(bearer).or(from_cookie)
}

/// A refusal: `{"error", "error_description", "code"}` with `status`, never cached.
fn refused(status: StatusCode, error: &str, code: &str, description: &str) -> Response {
    no_store(
        status,
        json!({"error": error, "error_description": description, "code": code}),
    )
}

fn oauth(error: ErrorCode, description: impl Into<String>) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let description = description.into();
    refused(status, error.as_str(), error.as_str(), &description)
}

fn no_store(status: StatusCode, body: Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn staff_only(State(s): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !peer_allowed(peer, s.staff.anywhere) {
        return refused(
            StatusCode::FORBIDDEN,
            "access_denied",
            "staff_loopback_only",
            "the staff page answers only on this machine (loopback); start `civitas issuer serve --staff-anywhere` to open it to other machines",
        );
    }
    match presented_secret(request.uri(), request.headers(), COOKIE) {
        None => refused(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "staff_secret_missing",
            "this is the issuer's staff page: open the address `civitas issuer serve` printed (it carries ?k=SECRET)",
        ),
        Some(k) if !same_secret(k, &s.staff.secret) => refused(
            StatusCode::FORBIDDEN,
            "access_denied",
            "staff_secret_wrong",
            "the staff secret is not this issuer's",
        ),
        Some(_) => next.run(request).await,
    }
}

async fn page(State(s): State<Arc<Shared>>) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            ),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
        .into_response();
    let cookie = format!(
        "{COOKIE}={}; Path=/staff; HttpOnly; SameSite=Strict",
        s.staff.secret()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The page's posts are JSON (a cross-site form cannot send that without a preflight).
fn json_body<T: for<'de> Deserialize<'de>>(headers: &HeaderMap, body: &[u8]) -> Result<T, Refusal> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(Refusal::new(
            ErrorCode::InvalidRequest,
            "the request must be application/json",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| Refusal::new(ErrorCode::InvalidRequest, format!("malformed request: {e}")))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(Refusal::new(ErrorCode::ServerError, "internal failure")))
}

/// The answer: 200 with `value`, or the refusal.
fn answer(result: Result<Value, Refusal>) -> Response {
    match result {
        Ok(v) => no_store(StatusCode::OK, v),
        Err(r) => oauth(r.code, r.description),
    }
}

fn back_office(e: crate::Error) -> Refusal {
    match e {
        crate::Error::Invalid(m) => Refusal::new(ErrorCode::InvalidRequest, m),
        crate::Error::Credential(c) => Refusal::new(ErrorCode::InvalidRequest, c.to_string()),
        _ => Refusal::new(
            ErrorCode::ServerError,
            "the issuer could not do it (see its store and ledger)",
        ),
    }
}

/// `POST /staff/offer`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferForm {
    /// `pid`, `medical`, `service-record` or a configuration id.
    #[serde(rename = "type")]
    kind: String,
    claims: Map<String, Value>,
    #[serde(default = "default_expiry")]
    expires_in: i64,
    #[serde(default = "yes")]
    pin: bool,
    /// Default: deferred for medical summaries.
    #[serde(default)]
    deferred: Option<bool>,
    #[serde(default)]
    holder: Option<String>,
}

fn default_expiry() -> i64 {
    600
}

fn yes() -> bool {
    true
}

async fn offer(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let form: OfferForm = match json_body(&headers, &body) {
        Ok(f) => f,
        Err(r) => return answer(Err(r)),
    };
    let Some(configuration_id) = crate::configuration_id(&form.kind) else {
        return oauth(
            ErrorCode::UnknownCredentialConfiguration,
            "unknown credential type: use pid, medical or service-record",
        );
    };
    let request = OfferRequest {
        credential_issuer: s.issuer.config().public_url.clone(),
        configuration_id: configuration_id.to_string(),
        claims: form.claims,
        expires_in: form.expires_in,
        pin: form.pin,
        deferred: form
            .deferred
            .unwrap_or(configuration_id == "medical_summary"),
        holder: form.holder.filter(|h| !h.trim().is_empty()),
    };
    let issuer = s.issuer.clone();
    answer(
        blocking(move || {
            let created = issuer.offer(&request).map_err(back_office)?;
            let options = QrOptions::default()
                .with_ecc(EccLevel::L)
                .with_max_version(30);
            let svg = qr::render(&created.offer_uri, &options)
                .map(|q| q.to_svg())
                .unwrap_or_default();
            Ok(json!({
                "offer_uri": created.offer_uri,
                "tx_code": created.tx_code,
                "expires_at": created.expires_at,
                "offer_id": created.offer_id,
                "configuration_id": request.configuration_id,
                "svg": svg,
            }))
        })
        .await,
    )
}

async fn pending(State(s): State<Arc<Shared>>) -> Response {
    let issuer = s.issuer.clone();
    answer(
        blocking(move || {
            let list = issuer.pending().map_err(back_office)?;
            Ok(serde_json::to_value(list).unwrap_or_default())
        })
        .await,
    )
}

/// `POST /staff/approve` and `/staff/reject`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    offer_id: String,
    #[serde(default)]
    claims: Option<Map<String, Value>>,
}

async fn approve(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let d: Decision = match json_body(&headers, &body) {
        Ok(d) => d,
        Err(r) => return answer(Err(r)),
    };
    let issuer = s.issuer.clone();
    answer(
        blocking(move || {
            let row = issuer.approve(&d.offer_id, d.claims).map_err(back_office)?;
            Ok(serde_json::to_value(row).unwrap_or_default())
        })
        .await,
    )
}

async fn reject(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let d: Decision = match json_body(&headers, &body) {
        Ok(d) => d,
        Err(r) => return answer(Err(r)),
    };
    if d.claims.is_some() {
        return oauth(ErrorCode::InvalidRequest, "a rejection takes no claims");
    }
    let issuer = s.issuer.clone();
    answer(
        blocking(move || {
            issuer.reject(&d.offer_id).map_err(back_office)?;
            Ok(json!({"rejected": d.offer_id}))
        })
        .await,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_peers_unless_anywhere() {
        let at = |s: &str| Some(s.parse::<SocketAddr>().unwrap());
        assert!(peer_allowed(at("127.0.0.1:5000"), false));
        assert!(peer_allowed(at("127.8.9.10:5000"), false));
        assert!(peer_allowed(at("[::1]:5000"), false));
        assert!(peer_allowed(at("[::ffff:127.0.0.1]:5000"), false));
        assert!(!peer_allowed(at("192.168.1.20:5000"), false));
        assert!(!peer_allowed(at("10.0.0.1:5000"), false));
        assert!(!peer_allowed(at("[2001:db8::1]:5000"), false));
        assert!(!peer_allowed(at("[::ffff:192.168.1.20]:5000"), false));
        assert!(!peer_allowed(None, false));
        assert!(peer_allowed(at("192.168.1.20:5000"), true));
    }

    #[test]
    fn secrets_compare_whole_and_short_ones_are_refused() {
        assert!(same_secret("abcdefghijklmnop", "abcdefghijklmnop"));
        assert!(!same_secret("abcdefghijklmnop", "abcdefghijklmnoq"));
        assert!(!same_secret("abcdefghijklmnop", "abcdefghijklmno"));
        assert!(!same_secret("", "x"));
        assert!(Staff::new("short", false).is_err());
        assert!(Staff::new("has spaces inside it!", false).is_err());
        assert_eq!(
            Staff::new("  abcdefghijklmnop\n", false).unwrap().secret(),
            "abcdefghijklmnop"
        );
        let s = Staff::generate(&civitas_crypto::SystemRng, false).unwrap();
        assert_eq!(s.secret().len(), 43);
        assert!(!format!("{s:?}").contains(s.secret()));
    }

    #[test]
    fn the_secret_is_read_from_query_bearer_or_cookie() {
        let uri: axum::http::Uri = "/staff?x=1&k=abc".parse().unwrap();
        assert_eq!(
            presented_secret(&uri, &HeaderMap::new(), COOKIE),
            Some("abc")
        );
        let uri: axum::http::Uri = "/staff".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; civitas_staff=zzz"),
        );
        assert_eq!(presented_secret(&uri, &h, COOKIE), Some("zzz"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer yyy"),
        );
        assert_eq!(presented_secret(&uri, &h, COOKIE), Some("yyy"));
        assert_eq!(presented_secret(&uri, &HeaderMap::new(), COOKIE), None);
    }
}
