//! The HTTP node (`civitas ledger serve`): axum over the embedded store. Store calls
//! block, so each runs on tokio's blocking pool.
//!
//! [`serve_with`] is the hardened accept loop the node (and `civitas counter serve`)
//! runs behind: a client gets [`Limits::header_timeout`] to send its headers (and an
//! idle keep-alive connection is closed after it), [`Limits::body_timeout`] to send its
//! body (`408 request_timeout`), a body larger than the router's limit is refused
//! before it is read (`413 body_too_large`), at most [`Limits::max_connections`] are
//! served at once (more wait in the listen backlog), and the bodies held in memory at
//! once are bounded by [`Limits::body_budget`], so slow or greedy clients cannot
//! exhaust the node's memory or connections.

use super::{
    AppendRequest, AppendResponse, AppendResult, EntriesResponse, ErrorBody, MAX_POST_BYTES,
    MAX_POST_ENTRIES, ProofResponse,
};
use crate::{Error, LedgerReader, LedgerWriter, SqliteLedger};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};

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

/// Serves `ledger` on `listener` until `shutdown` resolves, with the node's
/// [`Limits`].
pub async fn serve(
    ledger: Arc<SqliteLedger>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(router(ledger), listener, shutdown, Limits::node()).await
}

/// How a server treats slow and greedy clients (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time a client has to send a request's headers; also how long an idle
    /// keep-alive connection is kept.
    pub header_timeout: Duration,
    /// Time a client has to send a request's body once its headers arrived
    /// (including the wait for [`body_budget`](Self::body_budget)).
    pub body_timeout: Duration,
    /// Largest request body, bytes.
    pub max_body: usize,
    /// Request bodies held in memory at once, bytes (each counts its declared length,
    /// a body of unknown length counts `max_body`); at least `max_body`.
    pub body_budget: usize,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Largest read buffer of a connection (bounds the request head), bytes; at least
    /// 8 KiB.
    pub max_head: usize,
}

impl Limits {
    /// The ledger node's: 10 s for headers, 30 s for a body of at most
    /// [`MAX_POST_BYTES`], 64 MiB of bodies in memory, 256 connections, 64 KiB heads.
    pub const fn node() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_body: MAX_POST_BYTES,
            body_budget: 64 * 1024 * 1024,
            max_connections: 256,
            max_head: 64 * 1024,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::node()
    }
}

/// Serves `app` on `listener` with `limits` until `shutdown` resolves, then lets the
/// requests in progress finish (connections stop taking new ones).
pub async fn serve_with(
    app: Router,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    limits: Limits,
) -> std::io::Result<()> {
    let budget = Arc::new(Semaphore::new(units(
        limits.body_budget.max(limits.max_body),
    )));
    let app = app.layer(axum::middleware::from_fn_with_state(
        (limits, budget),
        read_body,
    ));
    let max_connections = limits.max_connections.max(1);
    let connections = Arc::new(Semaphore::new(max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = connections.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => {
                    // Out of file descriptors or a reset in the backlog: wait, go on.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // The peer's address as axum's `ConnectInfo` (the issuer's staff page is loopback-only).
        let service = TowerToHyperService::new(
            app.clone()
                .layer(axum::Extension(axum::extract::ConnectInfo(peer))),
        );
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .max_buf_size(limits.max_head.max(8192));
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            let stopping = tokio::select! {
                _ = conn.as_mut() => false,
                // Shutdown asked (or the server is gone): finish what is in progress.
                _ = stop.wait_for(|s| *s) => true,
            };
            if stopping {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a permit until it ends; the slowest a client may be is
    // bounded by the timeouts.
    let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
    let grace = limits.header_timeout.saturating_add(limits.body_timeout);
    let _ = tokio::time::timeout(grace, connections.acquire_many(all)).await;
    Ok(())
}

/// Bytes in the budget semaphore's units (KiB, rounded up).
fn units(bytes: usize) -> usize {
    bytes.div_ceil(1024).min(Semaphore::MAX_PERMITS)
}

fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(ErrorBody {
            code: code.to_string(),
            message,
        }),
    )
        .into_response()
}

/// Reads the request body within the time and size limits, holding its share of the
/// memory budget while the request is handled; a too large body is refused before it
/// is read.
async fn read_body(
    State((limits, budget)): State<(Limits, Arc<Semaphore>)>,
    request: Request,
    next: Next,
) -> Response {
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the request body exceeds {} bytes", limits.max_body),
        )
    };
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let chunked = parts.headers.contains_key(header::TRANSFER_ENCODING);
    let weight = match (declared, chunked) {
        (Some(n), false) if n > limits.max_body as u64 => return too_large(),
        (Some(0), false) | (None, false) => 0,
        (Some(n), false) => usize::try_from(n).unwrap_or(limits.max_body),
        (_, true) => limits.max_body,
    };
    let read = async {
        let permit = if weight == 0 {
            None
        } else {
            let n = u32::try_from(units(weight)).unwrap_or(u32::MAX);
            Some(budget.clone().acquire_many_owned(n).await)
        };
        (permit, axum::body::to_bytes(body, limits.max_body).await)
    };
    match tokio::time::timeout(limits.body_timeout, read).await {
        Err(_) => refuse(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "the request body did not arrive within {} s",
                limits.body_timeout.as_secs()
            ),
        ),
        Ok((_, Err(_))) => too_large(),
        Ok((Some(Err(_)), _)) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "closed",
            "the server is shutting down".into(),
        ),
        Ok((_permit, Ok(bytes))) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
    }
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
