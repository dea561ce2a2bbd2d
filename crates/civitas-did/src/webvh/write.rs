//! Making log entries: create, update, rotate, deactivate.
//!
//! Every entry made here is checked with [`LogState::append`] (or
//! [`LogState::genesis`]) before it is returned, so a writer can never hand out an
//! entry a Civitas ledger would refuse; a refusal comes back as the same
//! [`LogError`] the ledger would give.

use super::check::METHOD;
use super::did::{Did, SCID_PLACEHOLDER};
use super::hash::{entry_hash, format_time, jcs, multihash_b58, to_datetime};
use super::proof::sign_entry;
use super::{LogError, LogState, Result};
use crate::Purpose;
use civitas_crypto::{Algorithm, PublicKey, Signer};
use serde_json::{Map, Value, json};
use std::fmt;

/// A key to publish in the DID document, under `#{fragment}`, for some purposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocKey {
    fragment: String,
    key: PublicKey,
    purposes: Vec<Purpose>,
    jwk: bool,
}

impl DocKey {
    /// A verification method `#{fragment}` with `key` (ES256 or EdDSA), published as a
    /// `Multikey` (`publicKeyMultibase`), listed under each of `purposes`.
    pub fn new(fragment: impl Into<String>, key: PublicKey, purposes: &[Purpose]) -> Self {
        DocKey {
            fragment: fragment.into(),
            key,
            purposes: purposes.to_vec(),
            jwk: false,
        }
    }

    /// Publishes the key as a `JsonWebKey2020` (`publicKeyJwk`) instead.
    pub fn as_jwk(mut self) -> Self {
        self.jwk = true;
        self
    }

    /// The fragment (without `#`).
    pub fn fragment(&self) -> &str {
        &self.fragment
    }

    /// The key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }
}

impl<F: Into<String>> From<(F, PublicKey, &[Purpose])> for DocKey {
    /// `(fragment, key, purposes)`, as a `Multikey`.
    fn from((fragment, key, purposes): (F, PublicKey, &[Purpose])) -> Self {
        DocKey::new(fragment, key, purposes)
    }
}

/// A DID document for `did` listing `keys`: `verificationMethod` entries with
/// absolute ids (`{did}#{fragment}`), referenced from `authentication` and
/// `assertionMethod` as their purposes say.
pub fn did_document(did: &str, keys: &[DocKey]) -> Value {
    let mut contexts = vec![
        json!("https://www.w3.org/ns/did/v1"),
        json!("https://w3id.org/security/multikey/v1"),
    ];
    if keys.iter().any(|k| k.jwk) {
        contexts.push(json!("https://w3id.org/security/suites/jws-2020/v1"));
    }
    let mut methods = Vec::new();
    let mut authentication = Vec::new();
    let mut assertion = Vec::new();
    for k in keys {
        let id = format!("{did}#{}", k.fragment);
        let method = if k.jwk {
            json!({"id": id, "type": "JsonWebKey2020", "controller": did,
                   "publicKeyJwk": k.key.to_jwk_value()})
        } else {
            json!({"id": id, "type": "Multikey", "controller": did,
                   "publicKeyMultibase": k.key.multikey()})
        };
        methods.push(method);
        for p in &k.purposes {
            match p {
                Purpose::Authentication => authentication.push(json!(id)),
                Purpose::AssertionMethod => assertion.push(json!(id)),
            }
        }
    }
    let mut doc = Map::new();
    doc.insert("@context".into(), Value::Array(contexts));
    doc.insert("id".into(), json!(did));
    doc.insert("verificationMethod".into(), Value::Array(methods));
    if !authentication.is_empty() {
        doc.insert("authentication".into(), Value::Array(authentication));
    }
    if !assertion.is_empty() {
        doc.insert("assertionMethod".into(), Value::Array(assertion));
    }
    Value::Object(doc)
}

/// A signed did:webvh log entry: one JSON line, ready to append to `did.jsonl` (add
/// the `\n`) or to send to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    line: String,
    version_id: String,
    number: u64,
}

impl LogEntry {
    /// The entry as one JSON line (no trailing newline).
    pub fn as_str(&self) -> &str {
        &self.line
    }

    /// The entry's `versionId`.
    pub fn version_id(&self) -> &str {
        &self.version_id
    }

    /// The entry's version number.
    pub fn version_number(&self) -> u64 {
        self.number
    }

    /// The JSON line.
    pub fn into_string(self) -> String {
        self.line
    }
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

impl AsRef<str> for LogEntry {
    fn as_ref(&self) -> &str {
        &self.line
    }
}

/// Creates a DID: the genesis entry (version 1) with its SCID, for the DID
/// `did:webvh:{SCID}:{host_path}`, at `time` (Unix seconds).
///
/// - `host_path`: where the log will be served, in DID form: `{host}[%3A{port}]`
///   followed by `:`-separated path segments (`ledger.example:people:alice`).
/// - `doc_keys`: the keys of the DID document (P-256 or Ed25519).
/// - `update_key`: the Ed25519 key authorized to update the DID; it signs this entry.
/// - `next_key_hashes`: pre-rotation commitments ([`super::next_key_hash`] of the
///   next update keys); pre-rotation is on when non-empty.
pub fn create(
    host_path: &str,
    doc_keys: &[DocKey],
    update_key: &dyn Signer,
    next_key_hashes: Vec<String>,
    time: i64,
) -> Result<(Did, LogEntry)> {
    let placeholder_did = Did::placeholder(host_path)?;
    check_doc_keys(1, doc_keys)?;
    let update_multikey = ed25519_multikey(&update_key.public_key())?;
    let mut params = Map::new();
    params.insert("method".into(), json!(METHOD));
    params.insert("scid".into(), json!(SCID_PLACEHOLDER));
    params.insert("updateKeys".into(), json!([update_multikey]));
    if !next_key_hashes.is_empty() {
        params.insert("nextKeyHashes".into(), json!(next_key_hashes));
    }
    let version_time = format_time(time)?;
    // §"Create (Register)" steps 4–5: the preliminary entry with placeholders hashes
    // to the SCID, which then replaces every placeholder.
    let preliminary = json!({
        "versionId": SCID_PLACEHOLDER,
        "versionTime": version_time,
        "parameters": params,
        "state": did_document(&placeholder_did, doc_keys),
    });
    let scid = multihash_b58(jcs(&preliminary)?.as_bytes());
    let text = serde_json::to_string(&preliminary)
        .map_err(|e| LogError::Malformed(e.to_string()))?
        .replace(SCID_PLACEHOLDER, &scid);
    let entry: Value =
        serde_json::from_str(&text).map_err(|e| LogError::Malformed(e.to_string()))?;
    let line = finish(entry, &scid, 1, update_key, time)?;
    // The entry must verify as a genesis entry before it leaves this function.
    let state = LogState::genesis(&line.line, time)?;
    let did = Did::parse(state.did())?;
    Ok((did, line))
}

/// A new version of the document made of `doc_keys` (same DID), signed by an update
/// key in force. With pre-rotation active every entry must reveal a committed key:
/// use [`rotate`] then ([`LogError::PreRotationActive`]).
pub fn update(
    state: &LogState,
    doc_keys: &[DocKey],
    signer: &dyn Signer,
    time: i64,
) -> Result<LogEntry> {
    check_doc_keys(state.version_number() + 1, doc_keys)?;
    update_document(state, did_document(state.did(), doc_keys), signer, time)
}

/// A new version with `document` as the DID document (its `id` must stay the DID,
/// unless the DID is portable), signed by an update key in force.
pub fn update_document(
    state: &LogState,
    document: Value,
    signer: &dyn Signer,
    time: i64,
) -> Result<LogEntry> {
    if state.pre_rotation_active() {
        return Err(LogError::PreRotationActive(
            "each new entry must reveal a key committed in nextKeyHashes: use rotate()".into(),
        ));
    }
    next_entry(state, Map::new(), document, signer, time)
}

/// Rotates the update keys to `new_update_keys` (Ed25519), committing to
/// `new_next_key_hashes` for the following rotation (empty: pre-rotation off from the
/// next entry), optionally with a new document (`None` keeps the current one).
///
/// With pre-rotation active, `signer` must hold a key whose hash the previous entry
/// committed, and every new update key must be such a key: a thief holding only the
/// current update key cannot rotate. Without pre-rotation, `signer` must be a current
/// update key.
pub fn rotate(
    state: &LogState,
    new_update_keys: &[PublicKey],
    new_next_key_hashes: Vec<String>,
    new_doc_keys: Option<&[DocKey]>,
    signer: &dyn Signer,
    time: i64,
) -> Result<LogEntry> {
    let document = match new_doc_keys {
        Some(keys) => {
            check_doc_keys(state.version_number() + 1, keys)?;
            did_document(state.did(), keys)
        }
        None => state.document().clone(),
    };
    rotate_with_document(
        state,
        new_update_keys,
        new_next_key_hashes,
        document,
        signer,
        time,
    )
}

/// [`rotate`] with `document` as the new DID document: e.g. one that states why the
/// keys it drops are retired ([`crate::state_retirement`]).
pub fn rotate_with_document(
    state: &LogState,
    new_update_keys: &[PublicKey],
    new_next_key_hashes: Vec<String>,
    document: Value,
    signer: &dyn Signer,
    time: i64,
) -> Result<LogEntry> {
    let keys = new_update_keys
        .iter()
        .map(ed25519_multikey)
        .collect::<Result<Vec<_>>>()?;
    let mut params = Map::new();
    params.insert("updateKeys".into(), json!(keys));
    if state.pre_rotation_active() || !new_next_key_hashes.is_empty() {
        params.insert("nextKeyHashes".into(), json!(new_next_key_hashes));
    }
    next_entry(state, params, document, signer, time)
}

/// Deactivates the DID: `deactivated: true` and no update keys left (§"Deactivate").
/// With pre-rotation active the spec needs two entries, the first turning
/// pre-rotation off: [`rotate`] to the committed key with no new commitments first
/// ([`LogError::PreRotationActive`] otherwise).
pub fn deactivate(state: &LogState, signer: &dyn Signer, time: i64) -> Result<LogEntry> {
    if state.pre_rotation_active() {
        return Err(LogError::PreRotationActive(
            "turn pre-rotation off first: rotate() to the committed key with no nextKeyHashes, then deactivate()"
                .into(),
        ));
    }
    let mut params = Map::new();
    params.insert("deactivated".into(), json!(true));
    params.insert("updateKeys".into(), json!([]));
    next_entry(state, params, state.document().clone(), signer, time)
}

fn next_entry(
    state: &LogState,
    params: Map<String, Value>,
    document: Value,
    signer: &dyn Signer,
    time: i64,
) -> Result<LogEntry> {
    let entry = json!({
        "versionId": state.version_id(),
        "versionTime": format_time(time)?,
        "parameters": params,
        "state": document,
    });
    let line = finish(
        entry,
        state.version_id(),
        state.version_number() + 1,
        signer,
        time,
    )?;
    // The entry must extend this state before it leaves this function.
    state.appended(&line.line, time)?;
    Ok(line)
}

/// A next entry signed by `signer` *without* checking it against `state`: what a thief
/// or a buggy client could send. For tests of the refusal paths (a ledger must refuse
/// what this makes unless it happens to be valid); never use it to write a real log.
pub fn unchecked_next_entry(
    state: &LogState,
    params: Map<String, Value>,
    document: Value,
    signer: &dyn Signer,
    time: i64,
) -> Result<LogEntry> {
    let entry = json!({
        "versionId": state.version_id(),
        "versionTime": format_time(time)?,
        "parameters": params,
        "state": document,
    });
    finish(
        entry,
        state.version_id(),
        state.version_number() + 1,
        signer,
        time,
    )
}

/// Sets the `versionId` (`{number}-{entryHash}` chained to `predecessor`), signs, and
/// serialises the entry as one line.
fn finish(
    mut entry: Value,
    predecessor: &str,
    number: u64,
    signer: &dyn Signer,
    time: i64,
) -> Result<LogEntry> {
    if signer.algorithm() != Algorithm::EdDsa {
        return Err(LogError::UnsupportedKey(signer.algorithm().jose_name()));
    }
    let version_id = format!("{number}-{}", entry_hash(&entry, predecessor)?);
    let obj = entry
        .as_object_mut()
        .ok_or_else(|| LogError::Malformed("entry is not an object".into()))?;
    obj.insert("versionId".into(), json!(version_id));
    let proof = sign_entry(&entry, signer, to_datetime(time)?)?;
    if let Some(obj) = entry.as_object_mut() {
        obj.insert("proof".into(), json!([proof]));
    }
    let line = serde_json::to_string(&entry).map_err(|e| LogError::Malformed(e.to_string()))?;
    Ok(LogEntry {
        line,
        version_id,
        number,
    })
}

/// Fragments must be distinct, non-empty, and of unreserved URI characters, so that
/// `{did}#{fragment}` is a valid DID URL.
fn check_doc_keys(version: u64, keys: &[DocKey]) -> Result<()> {
    for (i, k) in keys.iter().enumerate() {
        let ok = !k.fragment.is_empty()
            && k.fragment.len() <= 64
            && k.fragment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !ok {
            return Err(LogError::BadDocument {
                version,
                reason: format!("invalid key fragment {:?}", super::did::short(&k.fragment)),
            });
        }
        if keys[..i].iter().any(|other| other.fragment == k.fragment) {
            return Err(LogError::BadDocument {
                version,
                reason: format!("key fragment {} is used twice", k.fragment),
            });
        }
    }
    Ok(())
}

fn ed25519_multikey(key: &PublicKey) -> Result<String> {
    if key.algorithm() != Algorithm::EdDsa {
        return Err(LogError::UnsupportedKey(key.algorithm().jose_name()));
    }
    Ok(key.multikey())
}
