//! The HTTP client: a remote node behind the same traits as the embedded store.
//! Blocking (reqwest's blocking client): call it from plain threads, not from inside a
//! tokio runtime.
//!
//! Use it to write (appends) and as the source of a [`crate::sync()`]. Its derived reads
//! — [`LedgerReader::info`], accreditation records, status lists, DID logs — are the
//! node's unsigned word: a verifier reads a node only through
//! [`crate::VerifiedNode`], which syncs it into a replica pinned to the log key
//! ([`LedgerReader::entries_verified`] is false, and the verifier's trust and status
//! sources refuse such a reader).

use super::{
    AppendRequest, AppendResponse, AppendResult, EntriesResponse, ErrorBody, ProofResponse,
};
use crate::traits::{AccreditationRecord, LedgerInfo, LedgerReader, LedgerWriter, Receipt};
use crate::{Entry, Error, Hash, Result};
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};

/// A ledger node at a base URL (`http://127.0.0.1:8080`).
#[derive(Debug, Clone)]
pub struct HttpLedger {
    base: String,
    client: Client,
}

/// Largest response read, bytes.
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

impl HttpLedger {
    /// A client for the node at `base`.
    pub fn new(base: &str) -> Result<Self> {
        // ring as rustls's provider (no aws-lc-sys); harmless if already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .user_agent(concat!("civitas/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Remote(e.to_string()))?;
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::Remote(format!("{base} is not an http(s) URL")));
        }
        Ok(HttpLedger { base, client })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Response> {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .query(query)
            .send()
            .map_err(|e| Error::Remote(format!("{}: {e}", self.base)))?;
        check(resp)
    }

    fn get_text(&self, path: &str, query: &[(&str, String)]) -> Result<String> {
        let bytes = read(self.get(path, query)?)?;
        String::from_utf8(bytes).map_err(|_| Error::Remote("answer is not UTF-8".into()))
    }

    fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let bytes = read(self.get(path, query)?)?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Remote(format!("bad answer: {e}")))
    }

    fn optional_text(&self, path: &str, query: &[(&str, String)]) -> Result<Option<String>> {
        match self.get_text(path, query) {
            Ok(t) => Ok(Some(t)),
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn read(resp: Response) -> Result<Vec<u8>> {
    if resp
        .content_length()
        .is_some_and(|l| l as usize > MAX_RESPONSE)
    {
        return Err(Error::Remote("answer too large".into()));
    }
    let bytes = resp.bytes().map_err(|e| Error::Remote(e.to_string()))?;
    if bytes.len() > MAX_RESPONSE {
        return Err(Error::Remote("answer too large".into()));
    }
    Ok(bytes.to_vec())
}

/// Maps an error answer back to the error the node reported.
fn check(resp: Response) -> Result<Response> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let body: Option<ErrorBody> = read(resp)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let message = body
        .map(|b| b.message)
        .unwrap_or_else(|| status.to_string());
    Err(match status {
        StatusCode::NOT_FOUND => Error::NotFound(message),
        _ => Error::Remote(message),
    })
}

fn hashes(p: ProofResponse) -> Result<Vec<Hash>> {
    p.proof.iter().map(|h| Hash::from_hex(h)).collect()
}

impl LedgerReader for HttpLedger {
    fn info(&self) -> Result<LedgerInfo> {
        self.get_json("/v1/info", &[])
    }

    fn checkpoint(&self) -> Result<String> {
        self.get_text("/v1/checkpoint", &[])
    }

    fn checkpoint_at(&self, size: u64) -> Result<Option<String>> {
        self.optional_text(&format!("/v1/checkpoint/{size}"), &[])
    }

    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>> {
        let r: EntriesResponse = self.get_json(
            "/v1/entries",
            &[("start", start.to_string()), ("end", end.to_string())],
        )?;
        Ok(r.entries.into_iter().map(String::into_bytes).collect())
    }

    fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        hashes(self.get_json(
            "/v1/proof/inclusion",
            &[("index", index.to_string()), ("size", size.to_string())],
        )?)
    }

    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>> {
        hashes(self.get_json(
            "/v1/proof/consistency",
            &[("first", first.to_string()), ("second", second.to_string())],
        )?)
    }

    fn did_log(&self, did: &str) -> Result<Vec<String>> {
        match self.get_text(&format!("/v1/dids/{}/log", encode(did)), &[]) {
            Ok(text) => Ok(text
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()),
            Err(Error::NotFound(_)) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    fn did_at_path(&self, path: &str) -> Result<Option<String>> {
        let Some(text) = self.optional_text(&format!("/{path}/did.jsonl"), &[])? else {
            return Ok(None);
        };
        let first = text.lines().next().unwrap_or_default();
        let v: serde_json::Value =
            serde_json::from_str(first).map_err(|e| Error::Remote(e.to_string()))?;
        Ok(v.pointer("/state/id")
            .and_then(|d| d.as_str())
            .map(str::to_string))
    }

    fn accreditations(&self, did: &str) -> Result<Vec<AccreditationRecord>> {
        self.get_json(&format!("/v1/accreditations/{}", encode(did)), &[])
    }

    fn status_list(&self, uri: &str) -> Result<Option<String>> {
        self.optional_text("/v1/status-list", &[("uri", uri.to_string())])
    }
}

impl LedgerWriter for HttpLedger {
    fn append_batch(&self, entries: &[Entry]) -> Result<Vec<Result<Receipt>>> {
        let resp = self
            .client
            .post(format!("{}/v1/entries", self.base))
            .json(&AppendRequest {
                entries: entries.to_vec(),
            })
            .send()
            .map_err(|e| Error::Remote(format!("{}: {e}", self.base)))?;
        let status = resp.status();
        let bytes = read(resp)?;
        if !status.is_success() {
            let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
            return Err(remote_error(body, status));
        }
        let answer: AppendResponse = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Remote(format!("bad answer: {e}")))?;
        if answer.results.len() != entries.len() {
            return Err(Error::Remote("answer does not match the request".into()));
        }
        Ok(answer
            .results
            .into_iter()
            .map(|r| match r {
                AppendResult::Receipt(receipt) => Ok(receipt),
                AppendResult::Error(e) => Err(remote_error(Some(e), StatusCode::BAD_REQUEST)),
            })
            .collect())
    }
}

/// The node's refusal, as the closest local error (the message is the node's).
fn remote_error(body: Option<ErrorBody>, status: StatusCode) -> Error {
    match body {
        Some(b) => match b.code.as_str() {
            "not_found" => Error::NotFound(b.message),
            "replay" => Error::Replay(b.message),
            "not_authorized" => Error::NotAuthorized(b.message),
            "entry_too_large" | "malformed_entry" => Error::MalformedEntry(b.message),
            "read_only" => Error::ReadOnly(b.message),
            _ => Error::Remote(format!("{} ({})", b.message, b.code)),
        },
        None => Error::Remote(status.to_string()),
    }
}

/// Percent-encodes a path segment (DIDs contain `:` and `%`).
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
