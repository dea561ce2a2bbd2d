//! The ledger's two faces: what a verifier reads and what an issuer or wallet writes.
//! The embedded SQLite ledger and the HTTP client implement both; one conformance
//! suite (tests/conformance.rs) runs against each.

use crate::{Entry, Hash, Result};
use serde::{Deserialize, Serialize};

/// What a ledger is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerInfo {
    /// The log's origin line (its name in checkpoints).
    pub origin: String,
    /// The host its DIDs live on (`did:webvh:{SCID}:{host}:…`).
    pub host: String,
    /// The checkpoint key, as a C2SP verifier key (`name+hex+base64`).
    pub log_key: String,
    /// Number of entries.
    pub size: u64,
    /// `primary` (takes appends) or `replica` (a synced copy).
    pub role: String,
    /// For a replica: where it syncs from.
    pub source: Option<String>,
    /// When the newest checkpoint held was signed (Unix seconds).
    pub checkpoint_time: Option<i64>,
    /// For a replica: when it last synced.
    pub synced_at: Option<i64>,
}

/// An accepted append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The entry's index.
    pub index: u64,
    /// Its leaf hash (hex).
    pub leaf_hash: String,
    /// The signed checkpoint that includes it.
    pub checkpoint: String,
}

/// An accreditation as the ledger indexed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccreditationRecord {
    /// Index of the accreditation entry.
    pub index: u64,
    /// Its id (`jti`).
    pub id: String,
    /// The accreditor.
    pub issuer: String,
    /// The accredited DID.
    pub subject: String,
    /// Display name of the accredited party, if given.
    pub name: Option<String>,
    /// Credential types covered.
    pub vcts: Vec<String>,
    /// Valid from.
    pub nbf: i64,
    /// Valid until.
    pub exp: Option<i64>,
    /// Whether the subject may accredit others for these types.
    pub delegate: bool,
    /// When it was revoked (the revocation's `iat`), if it was.
    pub revoked_at: Option<i64>,
}

impl AccreditationRecord {
    /// Whether it is in force at `t` for `vct`.
    pub fn covers(&self, vct: &str, t: i64) -> bool {
        self.vcts.iter().any(|v| v == vct)
            && self.nbf <= t
            && self.exp.is_none_or(|exp| t < exp)
            && self.revoked_at.is_none_or(|r| t < r)
    }
}

/// Reading a ledger. Every method is a pure read; failures are [`crate::Error`]
/// (`NotFound` for what does not exist, `Storage`/`Remote` for the backend).
pub trait LedgerReader: Send + Sync {
    /// What the ledger is and how big.
    fn info(&self) -> Result<LedgerInfo>;
    /// The newest signed checkpoint (a C2SP signed note).
    fn checkpoint(&self) -> Result<String>;
    /// The signed checkpoint for exactly `size`, if held.
    fn checkpoint_at(&self, size: u64) -> Result<Option<String>>;
    /// The canonical bytes of entries `start..end` (at most 1,000 at a time).
    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>>;
    /// Inclusion proof of entry `index` in the tree of `size`.
    fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>>;
    /// Consistency proof between tree sizes `first` and `second`.
    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>>;
    /// The did:webvh log of `did`, one JSON line per entry.
    fn did_log(&self, did: &str) -> Result<Vec<String>>;
    /// The DID published at web path `path` (`people/alice`, `.well-known`).
    fn did_at_path(&self, path: &str) -> Result<Option<String>>;
    /// Accreditations whose subject is `did`, with their revocation state.
    fn accreditations(&self, did: &str) -> Result<Vec<AccreditationRecord>>;
    /// The newest status list token published at `uri`.
    fn status_list(&self, uri: &str) -> Result<Option<String>>;

    /// The log index of the entry of `did`'s did:webvh log whose `versionId` is
    /// `version_id`, if it is on this ledger. The default cannot tell (an error): a
    /// reader that does not index its entries gives no evidence.
    fn did_log_index(&self, did: &str, version_id: &str) -> Result<Option<u64>> {
        let _ = (did, version_id);
        Err(crate::Error::NotFound(
            "this ledger reader does not index DID log entries (use a local copy: civitas ledger sync)"
                .into(),
        ))
    }

    /// The log index of the first issuance anchor by `issuer` of the credential digest
    /// `digest` (see [`crate::Entry::Issuance`]), if there is one. The default cannot
    /// tell (an error).
    fn issuance_anchor(&self, issuer: &str, digest: &str) -> Result<Option<u64>> {
        let _ = (issuer, digest);
        Err(crate::Error::NotFound(
            "this ledger reader does not index issuance anchors (use a local copy: civitas ledger sync)"
                .into(),
        ))
    }

    /// Whether this process validated every entry this reader serves (an embedded
    /// ledger or a replica: both check each entry before writing it). Resolvers then
    /// skip re-checking DID log signatures. Default false (a remote node).
    fn entries_verified(&self) -> bool {
        false
    }
}

/// Writing to a ledger. An entry is appended only if it is valid against the current
/// state; an accepted append is durable when this returns.
pub trait LedgerWriter: LedgerReader {
    /// Appends entries, each accepted or refused on its own (in order).
    fn append_batch(&self, entries: &[Entry]) -> Result<Vec<Result<Receipt>>>;

    /// Appends one entry.
    fn append(&self, entry: &Entry) -> Result<Receipt> {
        self.append_batch(std::slice::from_ref(entry))?
            .pop()
            .unwrap_or(Err(crate::Error::Closed))
    }
}

impl<R: LedgerReader + ?Sized> LedgerReader for std::sync::Arc<R> {
    fn info(&self) -> Result<LedgerInfo> {
        (**self).info()
    }
    fn checkpoint(&self) -> Result<String> {
        (**self).checkpoint()
    }
    fn checkpoint_at(&self, size: u64) -> Result<Option<String>> {
        (**self).checkpoint_at(size)
    }
    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>> {
        (**self).entries(start, end)
    }
    fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        (**self).inclusion_proof(index, size)
    }
    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>> {
        (**self).consistency_proof(first, second)
    }
    fn did_log(&self, did: &str) -> Result<Vec<String>> {
        (**self).did_log(did)
    }
    fn did_at_path(&self, path: &str) -> Result<Option<String>> {
        (**self).did_at_path(path)
    }
    fn accreditations(&self, did: &str) -> Result<Vec<AccreditationRecord>> {
        (**self).accreditations(did)
    }
    fn status_list(&self, uri: &str) -> Result<Option<String>> {
        (**self).status_list(uri)
    }
    fn did_log_index(&self, did: &str, version_id: &str) -> Result<Option<u64>> {
        (**self).did_log_index(did, version_id)
    }
    fn issuance_anchor(&self, issuer: &str, digest: &str) -> Result<Option<u64>> {
        (**self).issuance_anchor(issuer, digest)
    }
    fn entries_verified(&self) -> bool {
        (**self).entries_verified()
    }
}

impl<W: LedgerWriter + ?Sized> LedgerWriter for std::sync::Arc<W> {
    fn append_batch(&self, entries: &[Entry]) -> Result<Vec<Result<Receipt>>> {
        (**self).append_batch(entries)
    }
}

/// Any ledger is a did:webvh log source, so `WebvhResolver` resolves through it.
#[derive(Debug, Clone)]
pub struct LedgerLogSource<R>(pub R);

impl<R: LedgerReader> civitas_did::DidLogSource for LedgerLogSource<R> {
    fn did_log(&self, did: &str) -> civitas_did::Result<Vec<String>> {
        match self.0.did_log(did) {
            Ok(lines) if lines.is_empty() => Err(civitas_did::Error::NotFound(did.to_string())),
            Ok(lines) => Ok(lines),
            Err(crate::Error::NotFound(_)) => Err(civitas_did::Error::NotFound(did.to_string())),
            Err(e) => Err(civitas_did::Error::Backend(e.to_string())),
        }
    }

    fn entries_verified(&self) -> bool {
        self.0.entries_verified()
    }
}

/// A resolver for did:jwk, did:key and the did:webvh DIDs of `ledger`.
///
/// Which version of a DID answers is chosen by the resolution options (the time a
/// credential was issued, say). The log itself is re-validated as of the later of
/// `now` and the wall clock: entries were checked against the ledger's clock when
/// appended, so verifying a presentation as of an earlier time must not make a later,
/// valid rotation look like it comes from the future.
pub fn resolver<R: LedgerReader + 'static>(ledger: R, now: i64) -> civitas_did::MethodResolver {
    civitas_did::MethodResolver::local().with(
        "webvh",
        civitas_did::WebvhResolver::new(LedgerLogSource(ledger))
            .with_clock(move || now.max(chrono::Utc::now().timestamp())),
    )
}
