//! Parsing an entry once: the size cap, the JSON, the members of a log entry
//! (§"The DID Log File") with their types, and the `versionId` form. Every later check
//! reads the [`ParsedEntry`].

use super::super::did::short;
use super::super::{LogError, Result};
use serde_json::{Map, Value};

/// The largest log entry accepted, in bytes (one JSON line). A Civitas DID document
/// with a few keys is 2–4 KiB; the cap keeps a ledger safe from oversized input.
pub const MAX_ENTRY_BYTES: usize = 64 * 1024;

/// The members of a log entry (§"The DID Log File").
const MEMBERS: [&str; 5] = ["versionId", "versionTime", "parameters", "state", "proof"];

/// The line without its line ending, under [`MAX_ENTRY_BYTES`], parsed as JSON.
pub(super) fn read_json(line: &str) -> Result<(&str, Value)> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.len() > MAX_ENTRY_BYTES {
        return Err(LogError::Oversized {
            len: line.len(),
            max: MAX_ENTRY_BYTES,
        });
    }
    let json = serde_json::from_str(line).map_err(|e| malformed(format!("not JSON: {e}")))?;
    Ok((line, json))
}

fn malformed(why: String) -> LogError {
    LogError::Malformed(why)
}

/// A log entry whose shape was checked: every member present, with its type.
pub(super) struct ParsedEntry<'a> {
    /// The line, as received (without its line ending).
    pub(super) line: &'a str,
    /// The whole entry.
    pub(super) json: &'a Value,
    /// `versionId`.
    pub(super) version_id: &'a str,
    /// The number of `versionId`.
    pub(super) number: u64,
    /// The entryHash of `versionId`.
    pub(super) claimed_hash: &'a str,
    /// `versionTime`, as written.
    pub(super) time_raw: &'a str,
    /// `parameters`.
    pub(super) params: &'a Map<String, Value>,
    /// `state`: the DID document.
    pub(super) document: &'a Value,
    /// `proof`.
    pub(super) proofs: &'a [Value],
}

impl<'a> ParsedEntry<'a> {
    /// Checks the members of `json`, the entry read from `line`.
    pub(super) fn new(line: &'a str, json: &'a Value) -> Result<Self> {
        let obj = json
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
        Ok(ParsedEntry {
            line,
            json,
            version_id,
            number,
            claimed_hash,
            time_raw,
            params,
            document,
            proofs,
        })
    }
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
