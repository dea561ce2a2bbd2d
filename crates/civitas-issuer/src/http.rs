//! The HTTP face of the [`Issuer`]: an axum router. The blocking work (SQLite, the
//! ledger, signatures) runs on the blocking pool; every refusal is
//! `{"error","error_description"}` with its status (401 and `WWW-Authenticate` for
//! `invalid_token`); successful token, nonce and credential responses carry
//! `Cache-Control: no-store`.

use crate::error::Refusal;
use crate::service::Issuer;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use civitas_exchange::openid4vci::{
    AUTHORIZATION_SERVER_METADATA_PATH, CredentialResponse, ErrorCode, ISSUER_METADATA_PATH,
};
use serde::Serialize;
use std::sync::Arc;

/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;

/// The issuer's routes.
pub fn router(issuer: Arc<Issuer>) -> Router {
    Router::new()
        .route(ISSUER_METADATA_PATH, get(issuer_metadata))
        .route(AUTHORIZATION_SERVER_METADATA_PATH, get(as_metadata))
        .route("/token", post(token))
        .route("/nonce", post(nonce))
        .route("/credential", post(credential))
        .route("/deferred_credential", post(deferred_credential))
        .route("/notification", post(notification))
        // helper M: the authorization code flow (crate::authorize).
        .route("/par", post(crate::authorize::par_endpoint))
        .route("/authorize", get(crate::authorize::authorize_endpoint))
        .route("/login/callback", get(crate::authorize::callback_endpoint))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(issuer)
}

fn json<T: Serialize>(status: StatusCode, value: &T, no_store: bool) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if no_store {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn refusal(r: &Refusal) -> Response {
    let status = StatusCode::from_u16(r.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json(status, &r.to_oauth(), true);
    if r.code == ErrorCode::InvalidToken {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    response
}

fn answer<T: Serialize>(result: Result<T, Refusal>) -> Response {
    match result {
        Ok(v) => json(StatusCode::OK, &v, true),
        Err(r) => refusal(&r),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(Refusal::new(ErrorCode::ServerError, "internal failure")))
}

fn content_type_is(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

async fn issuer_metadata(State(issuer): State<Arc<Issuer>>) -> Response {
    json(StatusCode::OK, &issuer.metadata(), false)
}

async fn as_metadata(State(issuer): State<Arc<Issuer>>) -> Response {
    let mut metadata = serde_json::to_value(issuer.authorization_server_metadata())
        .unwrap_or(serde_json::Value::Null);
    crate::authorize::extend_metadata(&issuer, &mut metadata);
    json(StatusCode::OK, &metadata, false)
}

/// Reads the body (at most [`MAX_BODY`]); an oversized or broken body is an OAuth
/// error too (413 / 400).
async fn read_body(body: Body, code: ErrorCode) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        let mut r = refusal(&Refusal::new(
            code,
            format!("the body is unreadable or larger than {MAX_BODY} bytes"),
        ));
        *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        r
    })
}

async fn token(State(issuer): State<Arc<Issuer>>, headers: HeaderMap, body: Body) -> Response {
    let body = match read_body(body, ErrorCode::InvalidRequest).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !content_type_is(&headers, "application/x-www-form-urlencoded") {
        return refusal(&Refusal::new(
            ErrorCode::InvalidRequest,
            "the token request must be application/x-www-form-urlencoded",
        ));
    }
    let Ok(form) = String::from_utf8(body.to_vec()) else {
        return refusal(&Refusal::new(
            ErrorCode::InvalidRequest,
            "body is not UTF-8",
        ));
    };
    answer(blocking(move || issuer.token(&form)).await)
}

async fn nonce(State(issuer): State<Arc<Issuer>>) -> Response {
    answer(blocking(move || issuer.nonce()).await)
}

async fn credential(State(issuer): State<Arc<Issuer>>, headers: HeaderMap, body: Body) -> Response {
    let body = match read_body(body, ErrorCode::InvalidCredentialRequest).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if authorization.is_some() && !content_type_is(&headers, "application/json") {
        return refusal(&Refusal::new(
            ErrorCode::InvalidCredentialRequest,
            "the credential request must be application/json",
        ));
    }
    credential_answer(blocking(move || issuer.credential(authorization.as_deref(), &body)).await)
}

/// A credential response: 202 Accepted when deferred (`transaction_id`, `interval`).
fn credential_answer(result: Result<CredentialResponse, Refusal>) -> Response {
    match result {
        Ok(v) if v.is_deferred() => json(StatusCode::ACCEPTED, &v, true),
        other => answer(other),
    }
}

/// The Authorization header, and a refusal when a JSON body is announced otherwise.
fn json_request(headers: &HeaderMap, code: ErrorCode) -> Result<Option<String>, Refusal> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if authorization.is_some() && !content_type_is(headers, "application/json") {
        return Err(Refusal::new(code, "the request must be application/json"));
    }
    Ok(authorization)
}

async fn deferred_credential(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match read_body(body, ErrorCode::InvalidRequest).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let authorization = match json_request(&headers, ErrorCode::InvalidRequest) {
        Ok(a) => a,
        Err(r) => return refusal(&r),
    };
    credential_answer(
        blocking(move || issuer.deferred_credential(authorization.as_deref(), &body)).await,
    )
}

async fn notification(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match read_body(body, ErrorCode::InvalidNotificationRequest).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let authorization = match json_request(&headers, ErrorCode::InvalidNotificationRequest) {
        Ok(a) => a,
        Err(r) => return refusal(&r),
    };
    match blocking(move || issuer.notification(authorization.as_deref(), &body)).await {
        Ok(()) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(r) => refusal(&r),
    }
}

async fn not_found() -> Response {
    json(
        StatusCode::NOT_FOUND,
        &Refusal::new(ErrorCode::InvalidRequest, "no such endpoint").to_oauth(),
        false,
    )
}

async fn method_not_allowed() -> Response {
    json(
        StatusCode::METHOD_NOT_ALLOWED,
        &Refusal::new(ErrorCode::InvalidRequest, "method not allowed").to_oauth(),
        false,
    )
}
