//! `civitas counter serve`: the counter's web page (`page.html`, `page.js`) (webcam frames or an uploaded photo
//! are sent to the server, which reads the QR code and verifies) and the OpenID4VP
//! `direct_post` endpoint for online wallets.
//!
//! The clerk's side — the page, `/request` (the open request, with its `state`),
//! `/scan` and `/last` (the last verdict, with claim values) — needs this run's clerk
//! token, made at start and printed in the page's URL (`/?k=TOKEN`); the page sets it
//! as a `SameSite=Strict` cookie, scripts may send `Authorization: Bearer TOKEN`.
//! Without it: `401 clerk_token_missing`; a wrong one: `403 clerk_token_wrong`; even
//! on loopback. Only `/response` (where wallets post) and the page's static script are
//! open. The server runs behind the ledger node's hardened accept loop
//! ([`civitas_ledger::http::server::serve_with`]: header and body timeouts, bounded
//! connections and bodies).

use super::args::CounterArgs;
use super::record::ServiceDesk;
use super::view::verdict_json;
use crate::error::{CliError, Result};
use crate::request_args::request_qr;
use crate::util::out;
use crate::verifier_args::LedgerNote;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use civitas_crypto::{Rng, SigningKey, SystemRng};
use civitas_did::MethodResolver;
use civitas_exchange::openid4vp::{self, DirectPostBody};
use civitas_exchange::qr;
use civitas_issuer::staff::{presented_secret, same_secret};
use civitas_ledger::http::server::{Limits, serve_with};
use civitas_verifier::{CounterSession, ReceiptSigner, Verdict};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// The served counter: its session, the ledger's note, the receipt signer, the last
/// verdict (numbered) for the page to poll, and the clerk's token.
struct Counter {
    session: Mutex<CounterSession<MethodResolver>>,
    note: Option<LedgerNote>,
    signer: ReceiptSigner,
    last: Mutex<(u64, Value)>,
    token: String,
    /// The open request as `/request` answers it (its QR code rendered once per
    /// request, not once per poll).
    shown: Mutex<Option<(String, Value)>>,
    /// Verifications, image decodes and renders run on the blocking pool, a few at a
    /// time (the session is one lock anyway): more would only add threads and memory.
    work: tokio::sync::Semaphore,
    /// The office's issuer (`--issuer-db`): a service record after each valid verdict.
    desk: Option<ServiceDesk>,
    /// When the open request was made (the service record's `requested_at`).
    requested_at: Mutex<i64>,
}

/// Blocking jobs at once.
const WORKERS: usize = 4;

/// Runs `f` on the blocking pool once a worker slot is free; `None` if it panicked.
async fn blocking<T: Send + 'static>(
    c: &Counter,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let _slot = c.work.acquire().await.ok()?;
    tokio::task::spawn_blocking(f).await.ok()
}

type Shared = Arc<Counter>;

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");
/// Largest image or body accepted.
const MAX_BODY: usize = 12 * 1024 * 1024;
/// The cookie the page keeps the clerk's token in.
const COOKIE: &str = "civitas_clerk";

/// A new clerk token: 32 random bytes, base64url. A failing random generator is an
/// error (the counter does not serve), never a guessable token.
fn clerk_token(rng: &dyn Rng) -> Result<String> {
    let mut b = [0u8; 32];
    rng.fill(&mut b).map_err(|_| {
        CliError::Failed("the random number generator failed: cannot make the clerk's token".into())
    })?;
    Ok(civitas_crypto::b64::encode(b))
}

/// Serves the page and the endpoints on `listen` until Ctrl-C.
pub(super) fn serve(
    args: &CounterArgs,
    listen: &str,
    key: Option<&std::path::Path>,
) -> Result<ExitCode> {
    crate::util::serve_on(listen, |listener, addr| async move {
        let mut args = args.clone();
        if args.request.is_none() && args.ask.response_uri.is_none() {
            args.ask.response_uri = Some(format!("http://{addr}/response"));
        }
        let (session, note, desk) = tokio::task::spawn_blocking(move || {
            let (session, note) = args.session()?;
            let session = session.with_state().map_err(|e| {
                CliError::Failed(format!("cannot open the counter ({}): {e}", e.code()))
            })?;
            // The office's issuer is checked now, not after the first citizen.
            let desk = args.record.desk(chrono::Utc::now().timestamp())?;
            Ok::<_, CliError>((session, note, desk))
        })
        .await
        .map_err(|e| CliError::Failed(e.to_string()))??;
        let signer = match key {
            Some(file) => ReceiptSigner::new(SigningKey::load(file)?),
            None => ReceiptSigner::generate()?,
        };
        let token = clerk_token(&SystemRng)?;
        out(&format!(
            "counter page on http://{addr}/?k={token}  (receipts signed by {})",
            signer.did()
        ))?;
        out("The page's address carries this run's clerk token: keep it to the clerk's screen.")?;
        if let Some(d) = &desk {
            out(&d.summary())?;
        }
        let state = Arc::new(Counter {
            session: Mutex::new(session),
            note,
            signer,
            last: Mutex::new((0, Value::Null)),
            token,
            shown: Mutex::new(None),
            work: tokio::sync::Semaphore::new(WORKERS),
            desk,
            requested_at: Mutex::new(chrono::Utc::now().timestamp()),
        });
        let clerk = Router::new()
            .route("/", get(page))
            .route("/request", get(request))
            .route("/scan", post(scan))
            .route("/last", get(last))
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                clerk_only,
            ));
        let app = Router::new()
            .merge(clerk)
            .route("/counter.js", get(script))
            .route("/response", post(response))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
            .with_state(state);
        let limits = Limits {
            max_body: MAX_BODY,
            // Two camera frames or photos at full size; wallets' posts are small.
            body_budget: 2 * MAX_BODY + 8 * 1024 * 1024,
            ..Limits::node()
        };
        serve_with(
            app,
            listener,
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
            limits,
        )
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
        Ok(ExitCode::SUCCESS)
    })
}

/// The clerk's routes refuse a request without this run's token.
async fn clerk_only(State(c): State<Shared>, request: Request, next: Next) -> Response {
    let refused = |status: StatusCode, code: &str, reason: &str| {
        (
            status,
            Json(json!({"status": "refused", "code": code, "reason": reason})),
        )
            .into_response()
    };
    match presented_secret(request.uri(), request.headers(), COOKIE) {
        None => refused(
            StatusCode::UNAUTHORIZED,
            "clerk_token_missing",
            "this is the clerk's side of the counter: open the address `civitas counter serve` printed (it carries ?k=TOKEN)",
        ),
        Some(t) if !same_secret(t, &c.token) => refused(
            StatusCode::FORBIDDEN,
            "clerk_token_wrong",
            "the clerk token is not this counter's (it changes each time the counter starts)",
        ),
        Some(_) => next.run(request).await,
    }
}

async fn page(State(c): State<Shared>) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; style-src 'self' 'unsafe-inline'"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
        .into_response();
    // The page's own requests carry the token as a cookie no other site's page sends.
    let cookie = format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict", c.token);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

/// The scanner's code for an image without a QR code (a webcam frame between
/// citizens).
const NO_QR_FOUND: &str = "qr.no_qr_found";

/// After a VALID verdict (never after a refused one): the service record offered to
/// the citizen, into the clerk's view of the verdict (`service_record`: URI, PIN, QR
/// code), or why none was made (`service_record_error`). The next request's
/// `requested_at` starts now.
fn service_record(c: &Counter, v: &Verdict, now: i64, shown: &mut Value) {
    if !v.valid {
        return;
    }
    let requested = c
        .requested_at
        .lock()
        .map(|mut t| std::mem::replace(&mut *t, now))
        .unwrap_or(now);
    if let Some(desk) = &c.desk {
        match desk.offer(v, requested, now, &SystemRng) {
            Ok(o) => shown["service_record"] = o.to_json(),
            Err(e) => shown["service_record_error"] = json!(e.to_string()),
        }
    }
}

fn record(c: &Counter, v: &Value) {
    if let Ok(mut last) = c.last.lock() {
        last.0 += 1;
        last.1 = v.clone();
    }
}

async fn request(State(c): State<Shared>) -> Response {
    let Ok(request) = c
        .session
        .lock()
        .map(|s| (!s.is_unavailable()).then(|| s.request().clone()))
    else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // A spent request that could not be renewed is never shown again.
    let Some(request) = request else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "refused", "code": "request_unavailable", "reason": "this counter could not make a fresh request (its random generator failed): restart it"})),
        )
            .into_response();
    };
    let url = request.to_url();
    if let Ok(shown) = c.shown.lock()
        && let Some((u, v)) = shown.as_ref()
        && *u == url
    {
        return Json(v.clone()).into_response();
    }
    // Rendering the QR code is CPU work: off the async workers, outside the lock.
    let answer = blocking(&c, move || {
        let svg = request_qr(&request).map(|q| q.to_svg()).unwrap_or_default();
        json!({
            "url": url,
            "nonce": request.nonce(),
            "client_id": request.client_id().as_str(),
            "state": request.state(),
            "svg": svg,
        })
    })
    .await;
    match answer {
        Some(v) => {
            if let (Ok(mut shown), Some(url)) = (c.shown.lock(), v["url"].as_str()) {
                *shown = Some((url.to_string(), v.clone()));
            }
            Json(v).into_response()
        }
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn scan(State(c): State<Shared>, body: axum::body::Bytes) -> Response {
    let c2 = c.clone();
    let result = blocking(&c, move || {
        let now = chrono::Utc::now().timestamp();
        let texts: Vec<String> = if civitas_verifier::scan::is_image(&body) {
            match qr::decode_image(&body) {
                Ok(t) => t,
                // A webcam frame without a code: keep looking, no verdict.
                Err(e) if e.code() == NO_QR_FOUND => return json!({"status": "no_code"}),
                Err(e) => return json!({"status": "verdict", "valid": false, "code": e.code(), "reason": format!("unreadable image: {e}")}),
            }
        } else {
            String::from_utf8_lossy(&body).lines().map(str::to_string).collect()
        };
        let Ok(mut session) = c2.session.lock() else {
            return json!({"status": "error"});
        };
        let mut verdict = None;
        for t in texts.iter().filter(|t| !t.trim().is_empty()) {
            if let Some(v) = session.scan(t, now) {
                verdict = Some(v);
            }
        }
        let Some(v) = verdict else {
            return json!({"status": "partial", "reason": "part of a multi-part code read; show the next one"});
        };
        let mut j = verdict_json(&v, c2.note.as_ref(), now);
        j["status"] = json!("verdict");
        drop(session);
        service_record(&c2, &v, now, &mut j);
        record(&c2, &j);
        j
    })
    .await
    .unwrap_or(json!({"status": "error"}));
    Json(result).into_response()
}

async fn response(State(c): State<Shared>, body: axum::body::Bytes) -> Response {
    let c2 = c.clone();
    let (status, value) = blocking(&c, move || {
        let now = chrono::Utc::now().timestamp();
        let text = String::from_utf8_lossy(&body);
        let invalid = |v: &civitas_verifier::Verdict| {
            json!({"error": "invalid_request", "error_description": v.reason, "code": v.code})
        };
        let parsed = match openid4vp::parse_direct_post(&text) {
            Ok(DirectPostBody::Response(r)) => r,
            Ok(DirectPostBody::Error(e)) => {
                let Ok(session) = c2.session.lock() else {
                    return (StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "server_error"}));
                };
                // Only the open request's wallet may say it declined; the request stays open.
                let v = session.declined(&e);
                drop(session);
                if v.code != Some("wallet_error") {
                    return (StatusCode::BAD_REQUEST, invalid(&v));
                }
                let mut j = verdict_json(&v, c2.note.as_ref(), now);
                j["status"] = json!("verdict");
                record(&c2, &j);
                return (StatusCode::OK, json!({}));
            }
            Err(e) => {
                return (StatusCode::BAD_REQUEST, json!({"error": "invalid_request", "error_description": e.to_string(), "code": e.code()}));
            }
        };
        let Ok(mut session) = c2.session.lock() else {
            return (StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "server_error"}));
        };
        let request = session.request().clone();
        let verdict = session.answer(&parsed, now);
        drop(session);
        // An answer to no open request (a replay, a stale or guessed state) is not the
        // citizen's: refused, not shown to the clerk.
        if matches!(verdict.code, Some("replay" | "request_unavailable")) {
            return (StatusCode::BAD_REQUEST, invalid(&verdict));
        }
        // Anything else answers the open request: the clerk sees it. A failed answer
        // leaves the request open (the citizen's wallet may still answer it).
        let mut j = verdict_json(&verdict, c2.note.as_ref(), now);
        j["status"] = json!("verdict");
        // The clerk's page shows the service record; the wallet's answer does not
        // carry it (its PIN is for the citizen at the counter).
        let mut clerks = j.clone();
        service_record(&c2, &verdict, now, &mut clerks);
        record(&c2, &clerks);
        let receipt = c2.signer.receipt(&request, &verdict, now);
        (StatusCode::OK, json!({"verdict": j, "receipt": receipt}))
    })
    .await
    .unwrap_or((StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "server_error"})));
    (status, Json(value)).into_response()
}

async fn last(State(c): State<Shared>) -> Response {
    let (n, v) = c.last.lock().map(|l| l.clone()).unwrap_or((0, Value::Null));
    Json(json!({"seq": n, "verdict": v})).into_response()
}
