//! The HTTP node (`civitas ledger serve`): axum over the embedded store. Store calls
//! block, so each runs on tokio's blocking pool.

use super::{
    AppendRequest, AppendResponse, AppendResult, EntriesResponse, ErrorBody, MAX_POST_BYTES,
    MAX_POST_ENTRIES, ProofResponse,
};
use crate::{Error, LedgerReader, LedgerWriter, SqliteLedger};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;

type Shared = Arc<SqliteLedger>;

/// The node's routes over `ledger`.
pub fn router(ledger: Arc<SqliteLedger>) -> Router {
    Router::new()
        .route("/v1/info", get(info))
        .route("/v1/checkpoint", get(checkpoint))
        .route("/v1/checkpoint/{size}", get(checkpoint_at))
        .route("/v1/entries", get(entries).post(append))
        .route("/v1/proof/inclusion", get(inclusion))
        .route("/v1/proof/consistency", get(consistency))
        .route("/v1/dids/{did}/log", get(did_log))
        .route("/v1/accreditations/{did}", get(accreditations))
        .route("/v1/status-list", get(status_list))
        .fallback(get(web_path))
        .layer(DefaultBodyLimit::max(MAX_POST_BYTES))
        .with_state(ledger)
}

/// Serves `ledger` on `listener` until `shutdown` resolves.
pub async fn serve(
    ledger: Arc<SqliteLedger>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(ledger))
        .with_graceful_shutdown(shutdown)
        .await
}

struct ApiError(Error);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        (status, Json(body_of(&self.0))).into_response()
    }
}

fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::EntryTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Replay(_) => StatusCode::CONFLICT,
        Error::Storage(_) | Error::Closed => StatusCode::INTERNAL_SERVER_ERROR,
        Error::ReadOnly(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn body_of(e: &Error) -> ErrorBody {
    ErrorBody {
        code: e.code().to_string(),
        message: e.to_string(),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError(Error::Closed))?
        .map_err(ApiError)
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn info(State(l): State<Shared>) -> Result<Response, ApiError> {
    Ok(Json(blocking(move || l.info()).await?).into_response())
}

async fn checkpoint(State(l): State<Shared>) -> Result<Response, ApiError> {
    Ok(text(blocking(move || l.checkpoint()).await?))
}

async fn checkpoint_at(
    State(l): State<Shared>,
    Path(size): Path<u64>,
) -> Result<Response, ApiError> {
    match blocking(move || l.checkpoint_at(size)).await? {
        Some(note) => Ok(text(note)),
        None => Err(ApiError(Error::NotFound(format!(
            "no checkpoint for size {size}"
        )))),
    }
}

#[derive(Deserialize)]
struct Range {
    start: u64,
    end: u64,
}

async fn entries(State(l): State<Shared>, Query(r): Query<Range>) -> Result<Response, ApiError> {
    let bytes = blocking(move || l.entries(r.start, r.end)).await?;
    let entries = bytes
        .into_iter()
        .map(|b| {
            String::from_utf8(b).map_err(|_| ApiError(Error::Storage("entry is not UTF-8".into())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(EntriesResponse { entries }).into_response())
}

async fn append(State(l): State<Shared>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let request: AppendRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError(Error::MalformedEntry(format!("request body: {e}"))))?;
    if request.entries.is_empty() || request.entries.len() > MAX_POST_ENTRIES {
        return Err(ApiError(Error::MalformedEntry(format!(
            "a request carries 1 to {MAX_POST_ENTRIES} entries"
        ))));
    }
    for e in &request.entries {
        let size = e.to_bytes().len();
        if size > crate::MAX_ENTRY_BYTES {
            return Err(ApiError(Error::EntryTooLarge {
                size,
                max: crate::MAX_ENTRY_BYTES,
            }));
        }
    }
    let results = blocking(move || l.append_batch(&request.entries)).await?;
    let results = results
        .into_iter()
        .map(|r| match r {
            Ok(receipt) => AppendResult::Receipt(receipt),
            Err(e) => AppendResult::Error(body_of(&e)),
        })
        .collect();
    Ok(Json(AppendResponse { results }).into_response())
}

#[derive(Deserialize)]
struct InclusionQuery {
    index: u64,
    size: u64,
}

#[derive(Deserialize)]
struct ConsistencyQuery {
    first: u64,
    second: u64,
}

fn proof(hashes: Vec<crate::Hash>) -> Response {
    Json(ProofResponse {
        proof: hashes.iter().map(crate::Hash::to_hex).collect(),
    })
    .into_response()
}

async fn inclusion(
    State(l): State<Shared>,
    Query(q): Query<InclusionQuery>,
) -> Result<Response, ApiError> {
    Ok(proof(
        blocking(move || l.inclusion_proof(q.index, q.size)).await?,
    ))
}

async fn consistency(
    State(l): State<Shared>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Response, ApiError> {
    Ok(proof(
        blocking(move || l.consistency_proof(q.first, q.second)).await?,
    ))
}

fn jsonl(lines: Vec<String>) -> Response {
    let mut body = lines.join("\n");
    body.push('\n');
    ([(header::CONTENT_TYPE, "text/jsonl; charset=utf-8")], body).into_response()
}

async fn did_log(State(l): State<Shared>, Path(did): Path<String>) -> Result<Response, ApiError> {
    let lines = blocking(move || l.did_log(&did)).await?;
    if lines.is_empty() {
        return Err(ApiError(Error::NotFound("no such DID".into())));
    }
    Ok(jsonl(lines))
}

async fn accreditations(
    State(l): State<Shared>,
    Path(did): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(blocking(move || l.accreditations(&did)).await?).into_response())
}

#[derive(Deserialize)]
struct UriQuery {
    uri: String,
}

async fn status_list(
    State(l): State<Shared>,
    Query(q): Query<UriQuery>,
) -> Result<Response, ApiError> {
    match blocking(move || l.status_list(&q.uri)).await? {
        Some(token) => Ok((
            [(header::CONTENT_TYPE, "application/statuslist+jwt")],
            token,
        )
            .into_response()),
        None => Err(ApiError(Error::NotFound(
            "no status list at that URI".into(),
        ))),
    }
}

/// `/{path}/did.jsonl` and `/{path}/did-witness.json`, as did:webvh resolvers ask.
async fn web_path(State(l): State<Shared>, uri: axum::http::Uri) -> Result<Response, ApiError> {
    let path = uri.path().trim_start_matches('/');
    let (dir, file) = match path.rsplit_once('/') {
        Some((d, f)) => (d.to_string(), f),
        None => return Err(ApiError(Error::NotFound("nothing here".into()))),
    };
    let witness = match file {
        "did.jsonl" => false,
        "did-witness.json" => true,
        _ => return Err(ApiError(Error::NotFound("nothing here".into()))),
    };
    let lines = blocking(move || {
        let did = l
            .did_at_path(&dir)?
            .ok_or_else(|| Error::NotFound(format!("no DID at /{dir}")))?;
        l.did_log(&did)
    })
    .await?;
    if witness {
        // No witnesses are configured for DIDs on this ledger: an empty proof list.
        return Ok(([(header::CONTENT_TYPE, "application/json")], "[]").into_response());
    }
    Ok(jsonl(lines))
}
