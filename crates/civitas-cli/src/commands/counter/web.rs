//! `civitas counter serve`: the counter's web page (`page.html`, `page.js`) (webcam frames or an uploaded photo
//! are sent to the server, which reads the QR code and verifies) and the OpenID4VP
//! `direct_post` endpoint for online wallets.

use super::args::CounterArgs;
use super::view::verdict_json;
use crate::error::{CliError, Result};
use crate::request_args::request_qr;
use crate::util::out;
use crate::verifier_args::LedgerNote;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use civitas_crypto::SigningKey;
use civitas_did::MethodResolver;
use civitas_exchange::openid4vp::{self, DirectPostBody};
use civitas_exchange::qr;
use civitas_verifier::{CounterSession, ReceiptSigner};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// The served counter: its session, the ledger's note, the receipt signer, and the
/// last verdict (numbered) for the page to poll.
struct Counter {
    session: Mutex<CounterSession<MethodResolver>>,
    note: Option<LedgerNote>,
    signer: ReceiptSigner,
    last: Mutex<(u64, Value)>,
}

type Shared = Arc<Counter>;

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");
/// Largest image or body accepted.
const MAX_BODY: usize = 12 * 1024 * 1024;

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
        let (session, note) = tokio::task::spawn_blocking(move || {
            let (session, note) = args.session()?;
            let session = session
                .with_state()
                .map_err(|e| CliError::Failed(e.to_string()))?;
            Ok::<_, CliError>((session, note))
        })
        .await
        .map_err(|e| CliError::Failed(e.to_string()))??;
        let signer = match key {
            Some(file) => ReceiptSigner::new(SigningKey::load(file)?),
            None => ReceiptSigner::generate()?,
        };
        out(&format!(
            "counter page on http://{addr}/  (receipts signed by {})",
            signer.did()
        ))?;
        let state = Arc::new(Counter {
            session: Mutex::new(session),
            note,
            signer,
            last: Mutex::new((0, Value::Null)),
        });
        let app = Router::new()
            .route("/", get(page))
            .route("/counter.js", get(script))
            .route("/request", get(request))
            .route("/scan", post(scan))
            .route("/response", post(response))
            .route("/last", get(last))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
            .with_state(state);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
        Ok(ExitCode::SUCCESS)
    })
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; style-src 'self' 'unsafe-inline'"),
        ],
        PAGE,
    )
        .into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

fn record(c: &Counter, v: &Value) {
    if let Ok(mut last) = c.last.lock() {
        last.0 += 1;
        last.1 = v.clone();
    }
}

async fn request(State(c): State<Shared>) -> Response {
    let Ok(session) = c.session.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let request = session.request();
    let url = request.to_url();
    let svg = request_qr(request).map(|q| q.to_svg()).unwrap_or_default();
    Json(json!({
        "url": url,
        "nonce": request.nonce(),
        "client_id": request.client_id().as_str(),
        "state": request.state(),
        "svg": svg,
    }))
    .into_response()
}

async fn scan(State(c): State<Shared>, body: axum::body::Bytes) -> Response {
    let c2 = c.clone();
    let result = tokio::task::spawn_blocking(move || {
        let now = chrono::Utc::now().timestamp();
        let texts: Vec<String> = if civitas_verifier::scan::is_image(&body) {
            match qr::decode_image(&body) {
                Ok(t) => t,
                // A webcam frame without a code: keep looking, no verdict.
                Err(e) if e.code() == "qr.no_code_found" => return json!({"status": "no_code"}),
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
        record(&c2, &j);
        j
    })
    .await
    .unwrap_or(json!({"status": "error"}));
    Json(result).into_response()
}

async fn response(State(c): State<Shared>, body: axum::body::Bytes) -> Response {
    let c2 = c.clone();
    let (status, value) = tokio::task::spawn_blocking(move || {
        let now = chrono::Utc::now().timestamp();
        let text = String::from_utf8_lossy(&body);
        let parsed = match openid4vp::parse_direct_post(&text) {
            Ok(DirectPostBody::Response(r)) => r,
            Ok(DirectPostBody::Error(e)) => {
                let v = json!({"status": "verdict", "valid": false, "code": "wallet_error", "reason": format!("the wallet declined: {}", e.error)});
                record(&c2, &v);
                return (StatusCode::OK, json!({}));
            }
            Err(e) => {
                return (StatusCode::BAD_REQUEST, json!({"error": "invalid_request", "error_description": e.to_string()}));
            }
        };
        let Ok(mut session) = c2.session.lock() else {
            return (StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "server_error"}));
        };
        let request = session.request().clone();
        let verdict = session.answer(&parsed, now);
        let mut j = verdict_json(&verdict, c2.note.as_ref(), now);
        drop(session);
        j["status"] = json!("verdict");
        record(&c2, &j);
        if verdict.code == Some("replay") {
            return (StatusCode::BAD_REQUEST, json!({"error": "invalid_request", "error_description": verdict.reason}));
        }
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
