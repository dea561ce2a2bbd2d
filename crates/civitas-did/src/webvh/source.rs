//! Where did:webvh logs come from (the ledger), and the resolver over them.

use super::{Did, LogState, replay_verified_log, validate_log};
use crate::syntax::short;
use crate::{Error, KeyHistory, Purpose, Resolution, ResolveOptions, Resolver, Result};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Serves did:webvh logs: implemented by the ledger's backends (which depend on this
/// crate, not the reverse).
///
/// Contract: [`DidLogSource::did_log`] returns the log's entries, oldest first, one
/// JSON line each (without the newline), exactly as published; [`Error::NotFound`]
/// when the DID is unknown; [`Error::Backend`] when the store fails. It need not
/// validate anything: [`WebvhResolver`] replays and checks the whole log.
pub trait DidLogSource: Send + Sync {
    /// The log of `did` (a did:webvh DID), one entry a line.
    fn did_log(&self, did: &str) -> Result<Vec<String>>;

    /// The witness proofs file (`did-witness.json`) of `did`, if the source keeps
    /// one. The default keeps none: logs that need witnesses then fail to resolve.
    fn did_witness(&self, did: &str) -> Result<Option<String>> {
        let _ = did;
        Ok(None)
    }

    /// Whether every entry this source serves was already verified, entry by entry,
    /// by this process's own code (an embedded ledger, a replica that re-checked what
    /// it synced). Then the resolver skips re-checking proof signatures. Default:
    /// false — a remote source is always fully verified.
    fn entries_verified(&self) -> bool {
        false
    }
}

impl<S: DidLogSource + ?Sized> DidLogSource for &S {
    fn did_log(&self, did: &str) -> Result<Vec<String>> {
        (**self).did_log(did)
    }
    fn did_witness(&self, did: &str) -> Result<Option<String>> {
        (**self).did_witness(did)
    }
    fn entries_verified(&self) -> bool {
        (**self).entries_verified()
    }
}

impl<S: DidLogSource + ?Sized> DidLogSource for Arc<S> {
    fn did_log(&self, did: &str) -> Result<Vec<String>> {
        (**self).did_log(did)
    }
    fn did_witness(&self, did: &str) -> Result<Option<String>> {
        (**self).did_witness(did)
    }
    fn entries_verified(&self) -> bool {
        (**self).entries_verified()
    }
}

/// A log's lines and its witness file.
type StoredLog = (Vec<String>, Option<String>);

/// An in-memory [`DidLogSource`], for tests and for wallets that hold their own log.
#[derive(Debug, Default)]
pub struct MemoryLogSource {
    logs: RwLock<HashMap<String, StoredLog>>,
}

impl MemoryLogSource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the log of `did`.
    pub fn insert(&self, did: &str, lines: Vec<String>) {
        if let Ok(mut logs) = self.logs.write() {
            logs.entry(did.to_string()).or_default().0 = lines;
        }
    }

    /// Appends one entry to the log of `did` (unchecked: the resolver checks).
    pub fn push(&self, did: &str, line: &str) {
        if let Ok(mut logs) = self.logs.write() {
            logs.entry(did.to_string())
                .or_default()
                .0
                .push(line.to_string());
        }
    }

    /// Sets the witness proofs file of `did`.
    pub fn set_witness(&self, did: &str, witness_json: &str) {
        if let Ok(mut logs) = self.logs.write() {
            logs.entry(did.to_string()).or_default().1 = Some(witness_json.to_string());
        }
    }
}

impl DidLogSource for MemoryLogSource {
    fn did_log(&self, did: &str) -> Result<Vec<String>> {
        let logs = self
            .logs
            .read()
            .map_err(|_| Error::Backend("log store lock poisoned".into()))?;
        match logs.get(did) {
            Some((lines, _)) if !lines.is_empty() => Ok(lines.clone()),
            _ => Err(Error::NotFound(short(did))),
        }
    }

    fn did_witness(&self, did: &str) -> Result<Option<String>> {
        let logs = self
            .logs
            .read()
            .map_err(|_| Error::Backend("log store lock poisoned".into()))?;
        Ok(logs.get(did).and_then(|(_, w)| w.clone()))
    }
}

type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Resolves did:webvh DIDs from a [`DidLogSource`]: fetches the log, replays and
/// verifies all of it ([`validate_log`]) and its witness proofs, checks that the DID
/// is one the log names, then picks the version asked for.
///
/// Entries are checked as of the resolver's clock (system time unless
/// [`WebvhResolver::with_clock`] says otherwise): a log with an entry dated later
/// than that does not resolve.
pub struct WebvhResolver<S> {
    source: S,
    clock: Clock,
}

impl<S> std::fmt::Debug for WebvhResolver<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebvhResolver").finish_non_exhaustive()
    }
}

impl<S: DidLogSource> WebvhResolver<S> {
    /// A resolver over `source`, checking entry times against the system clock.
    pub fn new(source: S) -> Self {
        WebvhResolver {
            source,
            clock: Arc::new(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            }),
        }
    }

    /// Uses `clock` (Unix seconds) as the current time.
    pub fn with_clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks entry times against a fixed time.
    pub fn at(self, now: i64) -> Self {
        self.with_clock(move || now)
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// Fetches and verifies the log of `did` (and its witness proofs): the verified
    /// state. [`Error::InvalidDid`] for a malformed DID, [`Error::NotFound`] for an
    /// unknown one, [`Error::Webvh`] for a log that fails verification or names
    /// another DID.
    pub fn verified_log(&self, did: &str) -> Result<LogState> {
        let parsed = Did::parse(did).map_err(|e| Error::InvalidDid(e.to_string()))?;
        let lines = self.source.did_log(did)?;
        let state = if self.source.entries_verified() {
            replay_verified_log(&lines, (self.clock)())?
        } else {
            validate_log(&lines, (self.clock)())?
        };
        let witness = self.source.did_witness(did)?;
        state.verify_witnesses(witness.as_deref())?;
        // §"Read (Resolve)" step 6.1: the DID must be the `id` of some version.
        let named =
            parsed.scid() == state.scid() && state.versions().iter().any(|v| v.did() == did);
        if !named {
            return Err(super::LogError::BadDocument {
                version: state.version_number(),
                reason: format!(
                    "the log served for {} is the log of {}",
                    short(did),
                    short(state.did())
                ),
            }
            .into());
        }
        Ok(state)
    }
}

impl<S: DidLogSource> Resolver for WebvhResolver<S> {
    fn resolve(&self, did: &str, options: &ResolveOptions) -> Result<Resolution> {
        crate::validate_did(did)?;
        if !did.starts_with("did:webvh:") {
            return Err(Error::UnsupportedMethod(short(did)));
        }
        self.verified_log(did)?.resolve(options)
    }

    fn key_history(&self, did_url: &str, purpose: Purpose) -> Result<KeyHistory> {
        let (did, _) = crate::split_did_url(did_url)?;
        if !did.starts_with("did:webvh:") {
            return Err(Error::UnsupportedMethod(short(did)));
        }
        self.verified_log(did)?.key_history(did_url, purpose)
    }
}
