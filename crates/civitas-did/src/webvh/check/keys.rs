//! Which keys may sign the entry (§"Authorized Keys"): the first entry's own update
//! keys; then those in force before it; while pre-rotation is active, the keys the
//! entry reveals, each committed to in the previous `nextKeyHashes`.

use super::super::hash::multihash_b58;
use super::super::log::{Active, LogState};
use super::super::{LogError, Result};
use super::entry::ParsedEntry;
use super::parameters::bad_param;

/// The update keys that may sign `entry`; `entry_update_keys` is the entry's own
/// `updateKeys` parameter, `active` the parameters in force after it.
pub(super) fn authorized_keys(
    prev: Option<&LogState>,
    entry: &ParsedEntry<'_>,
    entry_update_keys: Option<Vec<String>>,
    active: &Active,
) -> Result<Vec<String>> {
    match prev {
        None => Ok(active.update_keys.clone()),
        Some(prev) if !prev.active.next_key_hashes.is_empty() => {
            pre_rotated_keys(prev, entry, entry_update_keys)
        }
        Some(prev) => Ok(prev.active.update_keys.clone()),
    }
}

/// While pre-rotation is active: the entry must list its update keys and the next
/// commitments, and every key it lists must have been committed to.
fn pre_rotated_keys(
    prev: &LogState,
    entry: &ParsedEntry<'_>,
    entry_update_keys: Option<Vec<String>>,
) -> Result<Vec<String>> {
    let number = entry.number;
    let keys = entry_update_keys.filter(|k| !k.is_empty()).ok_or_else(|| {
        bad_param(
            number,
            "updateKeys",
            "must list the pre-rotated keys while pre-rotation is active",
        )
    })?;
    if !entry.params.contains_key("nextKeyHashes") {
        return Err(bad_param(
            number,
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
    Ok(keys)
}
