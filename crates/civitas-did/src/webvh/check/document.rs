//! The DID document (`state`): its `id` carries the SCID, and changes only when a
//! portable DID moves.

use super::super::did::{Did, short};
use super::super::log::LogState;
use super::super::{LogError, Result};
use serde_json::Value;

/// The document's `id` must be a did:webvh DID with this SCID; it may change only
/// when the DID is portable, naming the previous DID in `alsoKnownAs` (§"DID
/// Portability").
pub(super) fn check_document(
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
