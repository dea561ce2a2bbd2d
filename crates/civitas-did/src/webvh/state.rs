//! The validated state of a did:webvh log, built one entry at a time.

use super::did::{Did, short};
use super::hash::{entry_hash, format_time, multihash_b58, parse_time, scid_of, to_datetime};
use super::proof::{check_proof, verify};
use super::{LogError, Result};
use crate::{DidDocument, DocumentMetadata, Resolution, ResolveOptions};
use chrono::{DateTime, Utc};
use civitas_crypto::{Algorithm, PublicKey};
use didwebvh_rs::Version as RsVersion;
use didwebvh_rs::log_entry::{LogEntry as RsLogEntry, LogEntryMethods as _};
use didwebvh_rs::parameters::Parameters as RsParameters;
use serde_json::{Map, Value};

/// The largest log entry accepted, in bytes (one JSON line). A Civitas DID document
/// with a few keys is 2–4 KiB; the cap keeps a ledger safe from oversized input.
pub const MAX_ENTRY_BYTES: usize = 64 * 1024;

/// The only `method` value did:webvh 1.0 defines.
pub const METHOD: &str = "did:webvh:1.0";

/// The parameters did:webvh 1.0 defines (§"DID Method Parameters"); any other is an
/// error.
const PARAMETERS: [&str; 9] = [
    "method",
    "scid",
    "updateKeys",
    "nextKeyHashes",
    "portable",
    "deactivated",
    "witness",
    "watchers",
    "ttl",
];

/// The members of a log entry (§"The DID Log File").
const MEMBERS: [&str; 5] = ["versionId", "versionTime", "parameters", "state", "proof"];

/// The parameters in force after an entry (did:webvh 1.0 semantics: an absent
/// parameter keeps its value; defaults apply in the first entry).
#[derive(Debug, Clone)]
struct Active {
    update_keys: Vec<String>,
    next_key_hashes: Vec<String>,
    portable: bool,
    deactivated: bool,
    witness: Value,
    watchers: Vec<String>,
    ttl: u64,
}

/// One verified version of the DID: an entry of the log.
#[derive(Debug, Clone)]
pub struct LogVersion {
    number: u64,
    version_id: String,
    time: DateTime<Utc>,
    time_raw: String,
    line: String,
    did: String,
    document: Value,
    deactivated: bool,
    witness: Option<Value>,
    rs_entry: RsLogEntry,
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
/// entries one at a time), or [`validate_log`] for a whole log. Each check refuses
/// with its own [`LogError`] variant; a refused entry leaves the state unchanged.
///
/// Witness proofs are not part of an entry: check them with
/// [`LogState::verify_witnesses`] when [`LogState::requires_witnesses`].
#[derive(Debug, Clone)]
pub struct LogState {
    scid: String,
    versions: Vec<LogVersion>,
    active: Active,
    rs_params: RsParameters,
    /// Replayed with [`replay_verified_log`]: signatures not re-checked, so it may be
    /// resolved but not extended.
    unverified: bool,
}

/// Replays a log that a trusted store already validated entry by entry (the embedded
/// ledger, which checks every entry before writing it, or a replica that re-checked
/// every entry when it synced): structure, chain, SCID, parameters and authorization
/// are checked again, but not the proof signatures or didwebvh-rs's second opinion,
/// which are most of the cost. The state can be resolved, not appended to.
pub fn replay_verified_log<I, L>(lines: I, now: i64) -> Result<LogState>
where
    I: IntoIterator<Item = L>,
    L: AsRef<str>,
{
    let mut lines = lines.into_iter();
    let first = lines.next().ok_or(LogError::EmptyLog)?;
    let (version, active, rs_params, scid) = check_entry(None, first.as_ref(), now, false)?;
    let mut state = LogState {
        scid,
        versions: vec![version],
        active,
        rs_params,
        unverified: true,
    };
    for line in lines {
        let (version, active, rs_params, _) = check_entry(Some(&state), line.as_ref(), now, false)?;
        state.versions.push(version);
        state.active = active;
        state.rs_params = rs_params;
    }
    Ok(state)
}

/// Validates a whole log, replaying it from its first entry, as of `now` (Unix
/// seconds: no `versionTime` may be later). Each item is one entry (a JSON line).
pub fn validate_log<I, L>(lines: I, now: i64) -> Result<LogState>
where
    I: IntoIterator<Item = L>,
    L: AsRef<str>,
{
    let mut lines = lines.into_iter();
    let first = lines.next().ok_or(LogError::EmptyLog)?;
    let mut state = LogState::genesis(first.as_ref(), now)?;
    for line in lines {
        state.append(line.as_ref(), now)?;
    }
    Ok(state)
}

/// Validates a `did.jsonl` file's text (entries separated by `\n`; a final newline is
/// allowed, blank lines elsewhere are malformed entries).
pub fn validate_jsonl(text: &str, now: i64) -> Result<LogState> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Err(LogError::EmptyLog);
    }
    validate_log(text.split('\n'), now)
}

impl LogState {
    /// Verifies the first entry of a log (version 1, which carries the SCID) as of
    /// `now` (Unix seconds).
    pub fn genesis(line: &str, now: i64) -> Result<LogState> {
        let (version, active, rs_params, scid) = check_entry(None, line, now, true)?;
        Ok(LogState {
            scid,
            versions: vec![version],
            active,
            rs_params,
            unverified: false,
        })
    }

    /// Verifies the next entry against this state as of `now` (Unix seconds) and, if
    /// it passes, adds it. On error the state is unchanged.
    pub fn append(&mut self, line: &str, now: i64) -> Result<()> {
        if self.unverified {
            return Err(LogError::Rejected {
                version: self.version_number() + 1,
                reason: "this state was replayed without re-checking signatures; validate the whole log before extending it".into(),
            });
        }
        let (version, active, rs_params, _) = check_entry(Some(self), line, now, true)?;
        self.versions.push(version);
        self.active = active;
        self.rs_params = rs_params;
        Ok(())
    }

    /// Like [`LogState::append`], on a copy: the state after `line`.
    pub fn appended(&self, line: &str, now: i64) -> Result<LogState> {
        let mut next = self.clone();
        next.append(line, now)?;
        Ok(next)
    }

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

    fn last(&self) -> &LogVersion {
        // A LogState always holds its genesis entry.
        &self.versions[self.versions.len() - 1]
    }
}

fn non_empty(witness: &Value) -> Option<&Value> {
    match witness.as_object() {
        Some(obj) if !obj.is_empty() => Some(witness),
        _ => None,
    }
}

/// Every check of an entry, in an order that gives the most specific reason first.
fn check_entry(
    prev: Option<&LogState>,
    line: &str,
    now: i64,
    verify_proofs: bool,
) -> Result<(LogVersion, Active, RsParameters, String)> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.len() > MAX_ENTRY_BYTES {
        return Err(LogError::Oversized {
            len: line.len(),
            max: MAX_ENTRY_BYTES,
        });
    }
    let malformed = |why: String| LogError::Malformed(why);

    // 1. The shape of a log entry.
    let entry: Value =
        serde_json::from_str(line).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let obj = entry
        .as_object()
        .ok_or_else(|| malformed("not a JSON object".into()))?;
    if let Some(unknown) = obj.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
        return Err(malformed(format!("unknown member {}", short(unknown))));
    }
    let version_id = obj
        .get("versionId")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("versionId is missing or not a string".into()))?;
    let time_raw = obj
        .get("versionTime")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("versionTime is missing or not a string".into()))?;
    let params = obj
        .get("parameters")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("parameters is missing or not an object".into()))?;
    let document = obj
        .get("state")
        .filter(|s| s.is_object())
        .ok_or_else(|| malformed("state is missing or not an object".into()))?;
    let proofs = obj
        .get("proof")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("proof is missing or not an array".into()))?;
    let (number, claimed_hash) = parse_version_id(version_id).ok_or_else(|| {
        malformed(format!(
            "versionId {} is not {{number}}-{{entryHash}}",
            short(version_id)
        ))
    })?;

    // 2. Sequence: a replay, an entry after deactivation, a skipped or repeated number.
    if let Some(prev) = prev {
        if prev.versions.iter().any(|v| v.version_id == version_id) {
            return Err(LogError::Replay {
                version_id: version_id.to_string(),
            });
        }
        if prev.active.deactivated {
            let deactivated_at = prev
                .versions
                .iter()
                .find(|v| v.deactivated)
                .map_or(prev.version_number(), |v| v.number);
            return Err(LogError::AfterDeactivation { deactivated_at });
        }
    }
    let expected = prev.map_or(1, |p| p.version_number() + 1);
    if number != expected {
        return Err(LogError::WrongVersionNumber {
            expected,
            found: number,
        });
    }

    // 3. Time: strictly after the previous entry, not after `now`.
    let time = parse_time(time_raw).ok_or_else(|| {
        malformed(format!(
            "versionTime {} is not an ISO 8601 UTC time",
            short(time_raw)
        ))
    })?;
    if let Some(prev) = prev
        && time <= prev.last().time
    {
        return Err(LogError::TimeNotIncreasing {
            version: number,
            time: time_raw.to_string(),
            previous: prev.last().time_raw.clone(),
        });
    }
    if time > to_datetime(now)? {
        return Err(LogError::TimeInFuture {
            version: number,
            time: time_raw.to_string(),
            now: format_time(now)?,
        });
    }

    // 4. Parameters.
    let entry_update_keys = string_array(number, params, "updateKeys")?;
    let active = apply_parameters(number, prev.map(|p| &p.active), params)?;

    // didwebvh-rs's typed model of the entry, and its own verification of it: a second,
    // independent opinion that re-checks the chain, the SCID, parameters, authorization
    // and the first proof's signature. It can only refuse more: its refusal is
    // returned after all of ours, so that ours give the specific reason.
    let rs_entry = RsLogEntry::deserialize_string(line, Some(RsVersion::V1_0))
        .map_err(|e| malformed(format!("didwebvh-rs cannot read it: {e}")))?;
    let mut unsigned = entry.clone();
    if let Some(o) = unsigned.as_object_mut() {
        o.remove("proof");
    }
    let second_opinion = verify_proofs.then(|| {
        rs_entry.verify_log_entry(prev.map(|p| &p.last().rs_entry), prev.map(|p| &p.rs_params))
    });
    // What didwebvh-rs accepted is not checked twice (the hashes and the signature
    // are most of an append's cost; it computes them with the same JCS and Data
    // Integrity libraries as we do) — but only when its typed model is the received
    // entry, value for value: a normalising parse would otherwise have it hash and
    // check a document other than the one stored.
    let vouched = matches!(second_opinion, Some(Ok(_))) && {
        let mut typed = rs_entry.clone();
        typed.clear_proofs();
        serde_json::to_value(&typed).is_ok_and(|v| v == unsigned)
    };

    // 5. SCID (first entry) and the entryHash chain.
    let scid = match prev {
        Some(prev) => prev.scid.clone(),
        None => {
            let scid = params
                .get("scid")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let computed = if vouched {
                scid.clone()
            } else {
                scid_of(&entry, &scid)?
            };
            if computed != scid {
                return Err(LogError::WrongScid(format!(
                    "the first entry hashes to {computed}, not to its scid {}",
                    short(&scid)
                )));
            }
            scid
        }
    };
    let predecessor = prev.map_or(scid.as_str(), |p| p.last().version_id.as_str());
    let computed = if vouched {
        claimed_hash.to_string()
    } else {
        entry_hash(&entry, predecessor)?
    };
    if computed != claimed_hash {
        return Err(LogError::BrokenChain {
            version: number,
            computed,
            found: claimed_hash.to_string(),
        });
    }

    // 6. The DID document.
    let did = check_document(number, prev, document, &scid)?;

    // 7. Which keys may sign (§"Authorized Keys"), and pre-rotation commitments.
    let authorized: Vec<String> = match prev {
        None => active.update_keys.clone(),
        Some(prev) if !prev.active.next_key_hashes.is_empty() => {
            let bad = |name: &str, reason: &str| LogError::BadParameter {
                version: number,
                name: name.into(),
                reason: reason.into(),
            };
            let keys = entry_update_keys.filter(|k| !k.is_empty()).ok_or_else(|| {
                bad(
                    "updateKeys",
                    "must list the pre-rotated keys while pre-rotation is active",
                )
            })?;
            if !params.contains_key("nextKeyHashes") {
                return Err(bad(
                    "nextKeyHashes",
                    "must be present while pre-rotation is active",
                ));
            }
            for key in &keys {
                if !prev
                    .active
                    .next_key_hashes
                    .contains(&multihash_b58(key.as_bytes()))
                {
                    return Err(LogError::KeyNotPreRotated {
                        version: number,
                        key: key.clone(),
                    });
                }
            }
            keys
        }
        Some(prev) => prev.active.update_keys.clone(),
    };

    // 8. Proofs: shape, authorization, signature.
    if proofs.is_empty() {
        return Err(LogError::BadProof {
            version: number,
            reason: "the entry has no proof".into(),
        });
    }
    let mut checked = Vec::with_capacity(proofs.len());
    for proof in proofs {
        let c = check_proof(number, proof)?;
        if !authorized.contains(&c.multikey) {
            return Err(LogError::UnauthorizedKey {
                version: number,
                key: c.multikey,
            });
        }
        checked.push(c);
    }

    // 9. Signatures: every proof didwebvh-rs did not verify (it checks the first).
    if verify_proofs {
        for c in checked.iter().skip(usize::from(vouched)) {
            verify(number, c, &unsigned)?;
        }
    }
    let rs_params = match second_opinion {
        None => prev.map(|p| p.rs_params.clone()).unwrap_or_default(),
        Some(outcome) => outcome.map_err(|e| LogError::Rejected {
            version: number,
            reason: e.to_string(),
        })?,
    };

    // The witnesses whose approval this entry needs (§"DID Witnesses"): those in
    // force before it; or, when it turns witnessing on from `{}`, its own
    // ("the change is immediately active"); or, for the first entry, its own.
    let witness = match prev.map(|p| &p.active) {
        Some(before) if non_empty(&before.witness).is_some() => Some(before.witness.clone()),
        _ => non_empty(&active.witness).cloned(),
    };

    let version = LogVersion {
        number,
        version_id: version_id.to_string(),
        time,
        time_raw: time_raw.to_string(),
        line: line.to_string(),
        did,
        document: document.clone(),
        deactivated: active.deactivated,
        witness,
        rs_entry,
    };
    Ok((version, active, rs_params, scid))
}

/// `{number}-{entryHash}`, the number without a sign or leading zero.
fn parse_version_id(version_id: &str) -> Option<(u64, &str)> {
    let (number, hash) = version_id.split_once('-')?;
    let canonical = !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && !(number.len() > 1 && number.starts_with('0'));
    if !canonical || hash.is_empty() {
        return None;
    }
    Some((number.parse().ok()?, hash))
}

fn bad_param(version: u64, name: &str, reason: impl Into<String>) -> LogError {
    LogError::BadParameter {
        version,
        name: name.into(),
        reason: reason.into(),
    }
}

/// An optional array-of-strings parameter.
fn string_array(
    version: u64,
    params: &Map<String, Value>,
    name: &str,
) -> Result<Option<Vec<String>>> {
    let Some(value) = params.get(name) else {
        return Ok(None);
    };
    let items = value
        .as_array()
        .ok_or_else(|| bad_param(version, name, "must be an array of strings"))?;
    items
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| bad_param(version, name, "must be an array of strings"))
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// Applies an entry's `parameters` to those in force (did:webvh 1.0 §"DID Method
/// Parameters"), checking each one's type and where it may appear.
fn apply_parameters(
    version: u64,
    prev: Option<&Active>,
    params: &Map<String, Value>,
) -> Result<Active> {
    let genesis = prev.is_none();
    for (name, value) in params {
        if !PARAMETERS.contains(&name.as_str()) {
            return Err(bad_param(version, name, "is not a did:webvh 1.0 parameter"));
        }
        if value.is_null() {
            return Err(bad_param(
                version,
                name,
                "null is not allowed (did:webvh 1.0)",
            ));
        }
    }
    match params.get("method") {
        Some(Value::String(m)) if m == METHOD => {}
        Some(other) => {
            return Err(bad_param(
                version,
                "method",
                format!("{other} is not {METHOD}"),
            ));
        }
        None if genesis => {
            return Err(bad_param(
                version,
                "method",
                "is required in the first entry",
            ));
        }
        None => {}
    }
    match (params.get("scid"), genesis) {
        (Some(Value::String(s)), true) if !s.is_empty() => {}
        (_, true) => {
            return Err(bad_param(
                version,
                "scid",
                "a string is required in the first entry",
            ));
        }
        (Some(_), false) => {
            return Err(bad_param(
                version,
                "scid",
                "may appear only in the first entry",
            ));
        }
        (None, false) => {}
    }
    let update_keys = string_array(version, params, "updateKeys")?;
    if let Some(keys) = &update_keys {
        for key in keys {
            let ok = PublicKey::from_multikey(key).is_ok_and(|k| k.algorithm() == Algorithm::EdDsa);
            if !ok {
                return Err(bad_param(
                    version,
                    "updateKeys",
                    format!("{} is not an Ed25519 multikey", short(key)),
                ));
            }
        }
    }
    let next_key_hashes = string_array(version, params, "nextKeyHashes")?;
    let watchers = string_array(version, params, "watchers")?;
    let flag = |name: &str| -> Result<Option<bool>> {
        match params.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(bad_param(version, name, "must be true or false")),
        }
    };
    let portable = flag("portable")?;
    let deactivated = flag("deactivated")?;
    let ttl = match params.get("ttl") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|t| *t <= u64::from(u32::MAX))
                .ok_or_else(|| {
                    bad_param(version, "ttl", "must be a non-negative integer (seconds)")
                })?,
        ),
    };
    let witness = params
        .get("witness")
        .map(|w| check_witness(version, w))
        .transpose()?;

    let mut active = match prev {
        Some(prev) => prev.clone(),
        None => {
            let keys = update_keys
                .clone()
                .filter(|k| !k.is_empty())
                .ok_or_else(|| {
                    bad_param(
                        version,
                        "updateKeys",
                        "at least one key is required in the first entry",
                    )
                })?;
            Active {
                update_keys: keys,
                next_key_hashes: Vec::new(),
                portable: false,
                deactivated: false,
                witness: Value::Object(Map::new()),
                watchers: Vec::new(),
                ttl: 3600,
            }
        }
    };
    if portable == Some(true) && !genesis {
        return Err(bad_param(
            version,
            "portable",
            "may be set to true only in the first entry",
        ));
    }
    if deactivated == Some(true) && genesis {
        return Err(bad_param(
            version,
            "deactivated",
            "the first entry cannot deactivate the DID",
        ));
    }
    if let Some(keys) = update_keys {
        active.update_keys = keys;
    }
    if let Some(hashes) = next_key_hashes {
        active.next_key_hashes = hashes;
    }
    if let Some(p) = portable {
        active.portable = p;
    }
    if let Some(d) = deactivated {
        active.deactivated = d;
    }
    if let Some(w) = watchers {
        active.watchers = w;
    }
    if let Some(t) = ttl {
        active.ttl = t;
    }
    if let Some(w) = witness {
        active.witness = w;
    }
    Ok(active)
}

/// `{}` or `{"threshold": n, "witnesses": [{"id": "did:key:…"}, …]}` with
/// 1 ≤ n ≤ the number of witnesses, which are distinct Ed25519 `did:key`s.
fn check_witness(version: u64, witness: &Value) -> Result<Value> {
    let bad = |reason: &str| bad_param(version, "witness", reason);
    let obj = witness
        .as_object()
        .ok_or_else(|| bad("must be an object"))?;
    if obj.is_empty() {
        return Ok(witness.clone());
    }
    if let Some(unknown) = obj.keys().find(|k| *k != "threshold" && *k != "witnesses") {
        return Err(bad(&format!("unknown member {}", short(unknown))));
    }
    let threshold = obj
        .get("threshold")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("threshold must be a positive integer"))?;
    let list = obj
        .get("witnesses")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| bad("witnesses must be a non-empty array"))?;
    let mut ids = Vec::new();
    for w in list {
        let w = w
            .as_object()
            .ok_or_else(|| bad("a witness is not an object"))?;
        if w.keys().any(|k| k != "id") {
            return Err(bad("a witness has members other than id"));
        }
        let id = w
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("a witness has no id"))?;
        let key_ok = id.strip_prefix("did:key:").is_some_and(|mk| {
            PublicKey::from_multikey(mk).is_ok_and(|k| k.algorithm() == Algorithm::EdDsa)
        });
        if !key_ok {
            return Err(bad("a witness id is not an Ed25519 did:key"));
        }
        if ids.contains(&id) {
            return Err(bad("a witness is listed twice"));
        }
        ids.push(id);
    }
    if threshold == 0 || threshold > ids.len() as u64 {
        return Err(bad(
            "threshold must be between 1 and the number of witnesses",
        ));
    }
    Ok(witness.clone())
}

/// The document's `id` must be a did:webvh DID with this SCID; it may change only
/// when the DID is portable, naming the previous DID in `alsoKnownAs` (§"DID
/// Portability").
fn check_document(
    version: u64,
    prev: Option<&LogState>,
    document: &Value,
    scid: &str,
) -> Result<String> {
    let bad = |reason: String| LogError::BadDocument { version, reason };
    let id = document
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no id".into()))?;
    let did = Did::parse(id).map_err(|e| bad(e.to_string()))?;
    if did.scid() != scid {
        return Err(LogError::WrongScid(format!(
            "the document id {} does not carry the SCID {scid}",
            short(id)
        )));
    }
    if let Some(prev) = prev {
        let before = prev.did();
        if id != before {
            if !prev.active.portable {
                return Err(bad(format!(
                    "the DID changed from {} to {} but the DID is not portable",
                    short(before),
                    short(id)
                )));
            }
            let listed = document
                .get("alsoKnownAs")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(before)));
            if !listed {
                return Err(bad(format!(
                    "a moved DID must list its previous DID {} in alsoKnownAs",
                    short(before)
                )));
            }
        }
    }
    Ok(id.to_string())
}
