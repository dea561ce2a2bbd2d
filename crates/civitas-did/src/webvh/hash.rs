//! SCID, entryHash and pre-rotation hashes: `base58btc(multihash(SHA-256, …))` over
//! JCS (RFC 8785), and versionTime handling.

use super::did::SCID_PLACEHOLDER;
use super::{LogError, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use civitas_crypto::PublicKey;
use serde_json::Value;

/// did:webvh 1.0's only hash: SHA-256 (multicodec 0x12, 32 bytes), as base58btc.
pub(crate) fn multihash_b58(data: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&[0x12, 0x20]);
    bytes.extend_from_slice(digest.as_ref());
    bs58::encode(bytes).into_string()
}

/// JCS (RFC 8785) of a JSON value, through `serde_json_canonicalizer`, the
/// implementation didwebvh-rs uses.
pub(crate) fn jcs(value: &Value) -> Result<String> {
    serde_json_canonicalizer::to_string(value)
        .map_err(|e| LogError::Malformed(format!("cannot canonicalize (JCS): {e}")))
}

/// The entryHash of `entry` (an entry object, `proof` ignored) chained to
/// `predecessor` (the previous `versionId`, or the SCID for the first entry):
/// did:webvh 1.0 §"Entry Hash Generation and Verification". Computed over the entry
/// exactly as received, not over a re-serialisation.
pub(crate) fn entry_hash(entry: &Value, predecessor: &str) -> Result<String> {
    let mut input = entry.clone();
    let obj = input
        .as_object_mut()
        .ok_or_else(|| LogError::Malformed("entry is not an object".into()))?;
    obj.remove("proof");
    obj.insert("versionId".into(), Value::String(predecessor.to_string()));
    Ok(multihash_b58(jcs(&input)?.as_bytes()))
}

/// The SCID a genesis entry certifies: the hash of the entry with `proof` removed,
/// `versionId` set to `{SCID}` and every occurrence of `scid` replaced by `{SCID}`
/// (did:webvh 1.0 §"Verify SCID", steps 4–7).
pub(crate) fn scid_of(entry: &Value, scid: &str) -> Result<String> {
    let mut input = entry.clone();
    let obj = input
        .as_object_mut()
        .ok_or_else(|| LogError::Malformed("entry is not an object".into()))?;
    obj.remove("proof");
    obj.insert("versionId".into(), Value::String(SCID_PLACEHOLDER.into()));
    if scid.is_empty() {
        return Err(LogError::WrongScid("the scid parameter is empty".into()));
    }
    let text = serde_json::to_string(&input)
        .map_err(|e| LogError::Malformed(e.to_string()))?
        .replace(scid, SCID_PLACEHOLDER);
    let preliminary: Value =
        serde_json::from_str(&text).map_err(|e| LogError::Malformed(e.to_string()))?;
    Ok(multihash_b58(jcs(&preliminary)?.as_bytes()))
}

/// The `nextKeyHashes` entry committing to `key` as a future update key:
/// `base58btc(multihash(SHA-256, multikey))` (did:webvh 1.0 §"Pre-Rotation Key Hash
/// Generation and Verification"). Computed by didwebvh-rs
/// (`Secret::base58_hash_string`).
pub fn next_key_hash(key: &PublicKey) -> String {
    let multikey = key.multikey();
    didwebvh_rs::prelude::Secret::base58_hash_string(&multikey)
        .unwrap_or_else(|_| multihash_b58(multikey.as_bytes()))
}

/// A `versionTime`: an RFC 3339 / ISO 8601 timestamp in UTC, written with `Z`.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if !text.ends_with('Z') || !text.contains('T') {
        return None;
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Unix seconds as a `versionTime` (`2025-01-02T03:04:05Z`).
pub(crate) fn format_time(unix: i64) -> Result<String> {
    Ok(to_datetime(unix)?.to_rfc3339_opts(SecondsFormat::Secs, true))
}

pub(crate) fn to_datetime(unix: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(unix, 0)
        .ok_or_else(|| LogError::Malformed(format!("time {unix} is out of range")))
}
