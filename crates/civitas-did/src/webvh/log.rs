//! The validated log: [`LogVersion`] (one entry) and [`LogState`] (every version and
//! the parameters in force after the last), and reading and resolving them. How a
//! state is built is in `validate.rs`; each check an entry passes, in `check/`.

use super::did::short;
use crate::retirement::history_over;
use crate::{
    DidDocument, DocumentMetadata, KeyHistory, Purpose, Resolution, ResolveOptions,
    RetirementReason,
};
use chrono::{DateTime, Utc};
use didwebvh_rs::log_entry::{LogEntry as RsLogEntry, LogEntryMethods as _};
use didwebvh_rs::parameters::Parameters as RsParameters;
use serde_json::Value;

/// The parameters in force after an entry (did:webvh 1.0 semantics: an absent
/// parameter keeps its value; defaults apply in the first entry).
#[derive(Debug, Clone)]
pub(crate) struct Active {
    pub(crate) update_keys: Vec<String>,
    pub(crate) next_key_hashes: Vec<String>,
    pub(crate) portable: bool,
    pub(crate) deactivated: bool,
    pub(crate) witness: Value,
    pub(crate) watchers: Vec<String>,
    pub(crate) ttl: u64,
}

/// One verified version of the DID: an entry of the log.
#[derive(Debug, Clone)]
pub struct LogVersion {
    pub(crate) number: u64,
    pub(crate) version_id: String,
    pub(crate) time: DateTime<Utc>,
    pub(crate) time_raw: String,
    pub(crate) line: String,
    pub(crate) did: String,
    pub(crate) document: Value,
    pub(crate) deactivated: bool,
    pub(crate) witness: Option<Value>,
    pub(crate) rs_entry: RsLogEntry,
}

impl LogVersion {
    /// The version number (1 for the genesis entry).
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The `versionId` (`{number}-{entryHash}`).
    pub fn version_id(&self) -> &str {
        &self.version_id
    }

    /// The `versionTime`, Unix seconds (fractions dropped).
    pub fn version_time(&self) -> i64 {
        self.time.timestamp()
    }

    /// The `versionTime` as written in the entry.
    pub fn version_time_str(&self) -> &str {
        &self.time_raw
    }

    /// The DID document of this version (`state`), as signed: without the implicit
    /// `#files` / `#whois` services that resolution adds.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The document's `id`: the DID at this version (it changes only when a portable
    /// DID moves).
    pub fn did(&self) -> &str {
        &self.did
    }

    /// Whether the DID is deactivated as of this version.
    pub fn deactivated(&self) -> bool {
        self.deactivated
    }

    /// The entry, as one JSON line (without the trailing newline).
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The witness rule (`{"threshold": n, "witnesses": [...]}`) this entry must be
    /// approved under, if witnessing was active for it.
    pub fn witness_rule(&self) -> Option<&Value> {
        self.witness.as_ref()
    }

    pub(crate) fn rs_entry(&self) -> &RsLogEntry {
        &self.rs_entry
    }
}

/// The verified state of a did:webvh log after its last entry: the DID, the
/// parameters in force (update keys, pre-rotation commitments, witnesses,
/// deactivation) and every version, for resolution by version or time.
///
/// Build it with [`LogState::genesis`] and [`LogState::append`] (a ledger receiving
/// entries one at a time), or [`validate_log`](super::validate_log) for a whole log.
/// Each check refuses with its own [`LogError`](super::LogError) variant; a refused
/// entry leaves the state unchanged.
///
/// Witness proofs are not part of an entry: check them with
/// [`LogState::verify_witnesses`] when [`LogState::requires_witnesses`].
#[derive(Debug, Clone)]
pub struct LogState {
    pub(crate) scid: String,
    pub(crate) versions: Vec<LogVersion>,
    pub(crate) active: Active,
    pub(crate) rs_params: RsParameters,
    /// Replayed with [`replay_verified_log`]: signatures not re-checked, so it may be
    /// resolved but not extended.
    pub(crate) unverified: bool,
}

impl LogState {
    /// The DID: the `id` of the current document.
    pub fn did(&self) -> &str {
        &self.last().did
    }

    /// The self-certifying identifier.
    pub fn scid(&self) -> &str {
        &self.scid
    }

    /// The `versionId` of the last entry.
    pub fn version_id(&self) -> &str {
        &self.last().version_id
    }

    /// The version number of the last entry.
    pub fn version_number(&self) -> u64 {
        self.last().number
    }

    /// The `versionTime` of the last entry, Unix seconds.
    pub fn version_time(&self) -> i64 {
        self.last().version_time()
    }

    /// When the DID was created (the first entry's `versionTime`), Unix seconds.
    pub fn created(&self) -> i64 {
        self.versions.first().map_or(0, LogVersion::version_time)
    }

    /// Whether the DID is deactivated (no entry may follow).
    pub fn deactivated(&self) -> bool {
        self.active.deactivated
    }

    /// The current DID document (without the implicit services).
    pub fn document(&self) -> &Value {
        &self.last().document
    }

    /// The update keys in force (multikeys). Without pre-rotation they authorize the
    /// next entry; with pre-rotation the next entry must reveal keys committed in
    /// [`LogState::next_key_hashes`] instead.
    pub fn update_keys(&self) -> &[String] {
        &self.active.update_keys
    }

    /// The pre-rotation commitments in force (empty: pre-rotation is off).
    pub fn next_key_hashes(&self) -> &[String] {
        &self.active.next_key_hashes
    }

    /// Whether key pre-rotation is active: the next entry must carry update keys
    /// whose hashes are in [`LogState::next_key_hashes`], and be signed by one of them.
    pub fn pre_rotation_active(&self) -> bool {
        !self.active.next_key_hashes.is_empty()
    }

    /// Whether the DID may move to another host (`portable`).
    pub fn portable(&self) -> bool {
        self.active.portable
    }

    /// The `ttl` parameter in force (seconds a resolver may cache the DID).
    pub fn ttl(&self) -> u64 {
        self.active.ttl
    }

    /// The witness configuration in force, if witnesses are used.
    pub fn witness(&self) -> Option<&Value> {
        non_empty(&self.active.witness)
    }

    /// The watcher URLs in force.
    pub fn watchers(&self) -> &[String] {
        &self.active.watchers
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> &[LogVersion] {
        &self.versions
    }

    /// The log as `did.jsonl` text: one entry a line, each ending with `\n`.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for v in &self.versions {
            out.push_str(&v.line);
            out.push('\n');
        }
        out
    }

    /// Whether some entry must be approved by witnesses, so that
    /// [`LogState::verify_witnesses`] must be called before trusting the log.
    pub fn requires_witnesses(&self) -> bool {
        self.versions.iter().any(|v| v.witness.is_some())
    }

    /// The version a resolution asks for: `version_id` exactly, or the version in
    /// force at `version_time` (the last with `versionTime` ≤ it), or the last one.
    /// [`crate::Error::NotFound`] if there is none (an unknown `versionId`, a time
    /// before the DID was created).
    pub fn version_at(&self, options: &ResolveOptions) -> crate::Result<&LogVersion> {
        if let Some(id) = &options.version_id {
            return self
                .versions
                .iter()
                .find(|v| &v.version_id == id)
                .ok_or_else(|| {
                    crate::Error::NotFound(format!(
                        "{} has no version {}",
                        short(self.did()),
                        short(id)
                    ))
                });
        }
        if let Some(time) = options.version_time {
            return self
                .versions
                .iter()
                .take_while(|v| v.version_time() <= time)
                .last()
                .ok_or_else(|| {
                    crate::Error::NotFound(format!("{} did not exist at {time}", short(self.did())))
                });
        }
        Ok(self.last())
    }

    /// Resolves the DID as of `options` (a version id, or a time, or the latest).
    ///
    /// The document is the version's `state` with the implicit `#files` and `#whois`
    /// services added (through didwebvh-rs), read by [`DidDocument::from_json`]. The
    /// metadata gives the `versionId`, `created` (the first entry's time), `updated`
    /// (this version's time) and `deactivated` as of this version: resolving at a
    /// time before the deactivation gives the document then in force.
    pub fn resolve(&self, options: &ResolveOptions) -> crate::Result<Resolution> {
        let version = self.version_at(options)?;
        let json = version
            .rs_entry
            .get_did_document()
            .map_err(|e| crate::Error::BadDocument(e.to_string()))?;
        let document = DidDocument::from_json(json)?;
        Ok(Resolution {
            document,
            metadata: DocumentMetadata {
                deactivated: version.deactivated,
                version_id: Some(version.version_id.clone()),
                updated: Some(version.version_time()),
                created: Some(self.created()),
            },
        })
    }

    /// The keys `did_url` (`did:…#fragment`) has named for `purpose`: the one the
    /// DID's current (last) version authorizes, and every one an update retired, with
    /// that update and the reason it states ([`crate::RETIREMENT_PROPERTY`]).
    ///
    /// A deactivated DID has no keys at all ([`crate::Error::Deactivated`]), retired or
    /// not. A bare DID (no fragment) names the current key only when exactly one is
    /// authorized. A DID URL no version ever authorized is the current version's
    /// [`crate::Error::KeyNotFound`] / [`crate::Error::NotAuthorized`].
    pub fn key_history(&self, did_url: &str, purpose: Purpose) -> crate::Result<KeyHistory> {
        let (did, fragment) = crate::split_did_url(did_url)?;
        if self.deactivated() {
            return Err(crate::Error::Deactivated(short(did)));
        }
        if fragment.is_none() {
            let current = self.resolve(&ResolveOptions::default())?;
            let mut keys = current.document.keys_for(purpose);
            return match (keys.next(), keys.next()) {
                (Some(vm), None) => Ok(KeyHistory::current(vm.key.clone())),
                _ => Err(crate::Error::KeyNotFound(format!(
                    "{} (no fragment)",
                    short(did)
                ))),
            };
        }
        let versions = self
            .versions
            .iter()
            .map(|v| {
                Ok((
                    DidDocument::from_json(v.document.clone())?,
                    v.version_id.as_str(),
                    v.number,
                    v.version_time(),
                    RetirementReason::stated_by(&v.document),
                ))
            })
            .collect::<crate::Result<Vec<_>>>()?;
        let history = history_over(did_url, purpose, &versions);
        if history.current.is_none() && history.retired.is_empty() {
            // Never authorized: the current document's own reason.
            let last = &versions[versions.len() - 1].0;
            last.key_for(did_url, purpose)?;
        }
        Ok(history)
    }

    pub(crate) fn last(&self) -> &LogVersion {
        // A LogState always holds its genesis entry.
        &self.versions[self.versions.len() - 1]
    }
}

pub(crate) fn non_empty(witness: &Value) -> Option<&Value> {
    match witness.as_object() {
        Some(obj) if !obj.is_empty() => Some(witness),
        _ => None,
    }
}
