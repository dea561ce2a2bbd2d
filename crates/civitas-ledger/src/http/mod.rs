//! The ledger over HTTP: the node (`server`) and a client (`client`) implementing
//! the same [`LedgerReader`](crate::LedgerReader) / [`LedgerWriter`](crate::LedgerWriter)
//! traits as the embedded store.
//!
//! | method | path | answer |
//! |---|---|---|
//! | GET | `/v1/info` | [`LedgerInfo`](crate::LedgerInfo) JSON |
//! | GET | `/v1/checkpoint` | newest signed checkpoint (C2SP note, text) |
//! | GET | `/v1/checkpoint/{size}` | the checkpoint for that size, or 404 |
//! | GET | `/v1/entries?start=&end=` | `{"entries": ["<canonical JSON>", …]}` (≤ 1,000) |
//! | POST | `/v1/entries` | body `{"entries": [entry, …]}`; `{"results": [{"receipt": …} \| {"error": {code, message}}]}` |
//! | GET | `/v1/proof/inclusion?index=&size=` | `{"proof": ["<hex>", …]}` |
//! | GET | `/v1/proof/consistency?first=&second=` | `{"proof": ["<hex>", …]}` |
//! | GET | `/v1/dids/{did}/log` | the DID's `did.jsonl` |
//! | GET | `/v1/accreditations/{did}` | accreditations of the DID, JSON |
//! | GET | `/v1/status-list?uri=` | the newest `statuslist+jwt` at that URI |
//! | GET | `/{path}/did.jsonl`, `/.well-known/did.jsonl` | did:webvh log for standard resolvers |
//! | GET | `/{path}/did-witness.json` | the DID's witness proofs (`[]`: none) |
//!
//! The checkpoint, entries and proofs are what a verifier checks (against the pinned
//! log key, [`crate::VerifiedNode`]); the DID log, accreditation and status list
//! answers are conveniences for resolvers and wallets, unsigned on their own.
//!
//! Errors are `{"code": "…", "message": "…"}` with 400 (refused), 404, 413 (too large),
//! 409 (replay) or 500.

use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod server;

/// An error body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorBody {
    /// Stable code ([`crate::Error::code`]).
    pub code: String,
    /// Readable message.
    pub message: String,
}

/// One result of a POST.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppendResult {
    /// Accepted.
    Receipt(crate::Receipt),
    /// Refused.
    Error(ErrorBody),
}

/// The POST body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppendRequest {
    /// Entries to append, in order.
    pub entries: Vec<crate::Entry>,
}

/// The POST answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppendResponse {
    /// One result per entry.
    pub results: Vec<AppendResult>,
}

/// Entries read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntriesResponse {
    /// Canonical JSON of each entry.
    pub entries: Vec<String>,
}

/// A proof.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProofResponse {
    /// Hashes, hex.
    pub proof: Vec<String>,
}

/// Most entries one POST may carry.
pub const MAX_POST_ENTRIES: usize = 1000;
/// Largest POST body, bytes.
pub const MAX_POST_BYTES: usize = 8 * 1024 * 1024;
