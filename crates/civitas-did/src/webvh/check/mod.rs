//! Every check a log entry passes, as named steps over an entry parsed once.
//!
//! [`check_entry`] runs them in an order that gives the most specific reason first;
//! each refusal is its own [`LogError`](super::LogError) variant:
//!
//! | step | file | checks |
//! |---|---|---|
//! | parse | `entry.rs` | size cap, JSON, the entry's members and their types, `versionId` form |
//! | sequence | `sequence.rs` | replay, entry after deactivation, version number, `versionTime` order and not in the future |
//! | parameters | `parameters.rs` | each parameter's type and where it may appear; witness rules |
//! | second opinion, chain | `chain.rs` | didwebvh-rs's own verification; the SCID; the `entryHash` chain |
//! | document | `document.rs` | the document `id` carries the SCID; moves only when portable |
//! | keys | `keys.rs` | which update keys may sign; pre-rotation commitments (`nextKeyHashes`) |
//! | proofs | `proofs.rs` | proof shape, authorized key, signatures; witnesses the entry needs |

mod chain;
mod document;
mod entry;
mod keys;
mod parameters;
mod proofs;
mod sequence;

pub use entry::MAX_ENTRY_BYTES;
pub use parameters::METHOD;

use super::Result;
use super::log::{Active, LogState, LogVersion};
use chain::{SecondOpinion, check_entry_hash, check_scid};
use didwebvh_rs::parameters::Parameters as RsParameters;
use entry::{ParsedEntry, read_json};
use parameters::{apply_parameters, string_array};
use sequence::{check_not_deactivated, check_not_replayed, check_time, check_version_number};

/// What an entry that passed every check adds to the log.
pub(crate) struct CheckedEntry {
    /// The new version.
    pub(crate) version: LogVersion,
    /// The parameters in force after it.
    pub(crate) active: Active,
    /// didwebvh-rs's parameters after it.
    pub(crate) rs_params: RsParameters,
    /// The DID's SCID.
    pub(crate) scid: String,
}

/// Every check of an entry, in an order that gives the most specific reason first.
/// `prev` is the state before it (`None` for the first entry); `verify_proofs`
/// `false` skips the signatures and didwebvh-rs's second opinion (a log a trusted
/// store already validated).
pub(crate) fn check_entry(
    prev: Option<&LogState>,
    line: &str,
    now: i64,
    verify_proofs: bool,
) -> Result<CheckedEntry> {
    let (line, json) = read_json(line)?;
    let entry = ParsedEntry::new(line, &json)?;
    check_not_replayed(prev, &entry)?;
    check_not_deactivated(prev)?;
    check_version_number(prev, &entry)?;
    let time = check_time(prev, &entry, now)?;
    let entry_update_keys = string_array(entry.number, entry.params, "updateKeys")?;
    let active = apply_parameters(entry.number, prev.map(|p| &p.active), entry.params)?;
    let mut opinion = SecondOpinion::ask(prev, &entry, verify_proofs)?;
    let scid = check_scid(prev, &entry, opinion.vouched)?;
    check_entry_hash(prev, &entry, &scid, opinion.vouched)?;
    let did = document::check_document(entry.number, prev, entry.document, &scid)?;
    let authorized = keys::authorized_keys(prev, &entry, entry_update_keys, &active)?;
    proofs::check_proofs(&entry, &authorized, verify_proofs, &opinion)?;
    let rs_params = opinion.parameters(prev, entry.number)?;
    let witness = proofs::witness_rule(prev, &active);
    let version = LogVersion {
        number: entry.number,
        version_id: entry.version_id.to_string(),
        time,
        time_raw: entry.time_raw.to_string(),
        line: line.to_string(),
        did,
        document: entry.document.clone(),
        deactivated: active.deactivated,
        witness,
        rs_entry: opinion.rs_entry,
    };
    Ok(CheckedEntry {
        version,
        active,
        rs_params,
        scid,
    })
}
