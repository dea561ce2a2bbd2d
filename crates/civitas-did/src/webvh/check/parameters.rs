//! The entry's `parameters` (did:webvh 1.0 §"DID Method Parameters"): each one's type
//! and where it may appear, applied to those in force before the entry.

use super::super::did::short;
use super::super::log::Active;
use super::super::{LogError, Result};
use civitas_crypto::{Algorithm, PublicKey};
use serde_json::{Map, Value};

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

pub(super) fn bad_param(version: u64, name: &str, reason: impl Into<String>) -> LogError {
    LogError::BadParameter {
        version,
        name: name.into(),
        reason: reason.into(),
    }
}

/// An optional array-of-strings parameter.
pub(super) fn string_array(
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
pub(super) fn apply_parameters(
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
