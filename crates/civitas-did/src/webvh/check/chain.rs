//! The hash chain: didwebvh-rs's second opinion on the entry, the SCID the first entry
//! certifies, and each entry's `entryHash` over its predecessor.

use super::super::did::short;
use super::super::hash::{entry_hash, scid_of};
use super::super::log::LogState;
use super::super::{LogError, Result};
use super::entry::ParsedEntry;
use didwebvh_rs::Version as RsVersion;
use didwebvh_rs::log_entry::{LogEntry as RsLogEntry, LogEntryMethods as _};
use didwebvh_rs::parameters::Parameters as RsParameters;
use serde_json::Value;

/// didwebvh-rs's typed model of the entry, and its own verification of it: a second,
/// independent opinion that re-checks the chain, the SCID, parameters, authorization
/// and the first proof's signature. It can only refuse more: its refusal is returned
/// after all of ours ([`SecondOpinion::parameters`]), so that ours give the specific
/// reason.
pub(super) struct SecondOpinion {
    /// The typed entry.
    pub(super) rs_entry: RsLogEntry,
    /// The received entry without `proof`: what the proofs sign.
    pub(super) unsigned: Value,
    /// didwebvh-rs's verdict (`None` when proofs are not verified): the parameters it
    /// derived, or why it refused.
    verdict: Option<std::result::Result<RsParameters, String>>,
    /// Whether didwebvh-rs accepted the entry *and* its typed model is the received
    /// entry, value for value: then what it checked (SCID, entryHash, the first
    /// proof's signature) is not checked twice.
    pub(super) vouched: bool,
}

impl SecondOpinion {
    /// Reads the entry with didwebvh-rs and, when `verify_proofs`, has it verify the
    /// entry against the previous one.
    pub(super) fn ask(
        prev: Option<&LogState>,
        entry: &ParsedEntry<'_>,
        verify_proofs: bool,
    ) -> Result<SecondOpinion> {
        let rs_entry = RsLogEntry::deserialize_string(entry.line, Some(RsVersion::V1_0))
            .map_err(|e| LogError::Malformed(format!("didwebvh-rs cannot read it: {e}")))?;
        let mut unsigned = entry.json.clone();
        if let Some(o) = unsigned.as_object_mut() {
            o.remove("proof");
        }
        let verdict = verify_proofs.then(|| {
            rs_entry
                .verify_log_entry(prev.map(|p| &p.last().rs_entry), prev.map(|p| &p.rs_params))
                .map_err(|e| e.to_string())
        });
        // What didwebvh-rs accepted is not checked twice (the hashes and the signature
        // are most of an append's cost; it computes them with the same JCS and Data
        // Integrity libraries as we do) — but only when its typed model is the received
        // entry, value for value: a normalising parse would otherwise have it hash and
        // check a document other than the one stored.
        let vouched = matches!(verdict, Some(Ok(_))) && {
            let mut typed = rs_entry.clone();
            typed.clear_proofs();
            serde_json::to_value(&typed).is_ok_and(|v| v == unsigned)
        };
        Ok(SecondOpinion {
            rs_entry,
            unsigned,
            verdict,
            vouched,
        })
    }

    /// didwebvh-rs's parameters after the entry ([`LogError::Rejected`] if it alone
    /// refused the entry); those before it when it was not asked.
    pub(super) fn parameters(
        &mut self,
        prev: Option<&LogState>,
        version: u64,
    ) -> Result<RsParameters> {
        match self.verdict.take() {
            None => Ok(prev.map(|p| p.rs_params.clone()).unwrap_or_default()),
            Some(outcome) => outcome.map_err(|reason| LogError::Rejected { version, reason }),
        }
    }
}

/// The SCID: the previous entries', or, for the first entry, its `scid` parameter,
/// which the entry must hash to.
pub(super) fn check_scid(
    prev: Option<&LogState>,
    entry: &ParsedEntry<'_>,
    vouched: bool,
) -> Result<String> {
    if let Some(prev) = prev {
        return Ok(prev.scid.clone());
    }
    let scid = entry
        .params
        .get("scid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let computed = if vouched {
        scid.clone()
    } else {
        scid_of(entry.json, &scid)?
    };
    if computed != scid {
        return Err(LogError::WrongScid(format!(
            "the first entry hashes to {computed}, not to its scid {}",
            short(&scid)
        )));
    }
    Ok(scid)
}

/// The `entryHash` of the `versionId`: the hash of the entry chained to the previous
/// `versionId` (the SCID for the first entry).
pub(super) fn check_entry_hash(
    prev: Option<&LogState>,
    entry: &ParsedEntry<'_>,
    scid: &str,
    vouched: bool,
) -> Result<()> {
    let predecessor = prev.map_or(scid, |p| p.last().version_id.as_str());
    let computed = if vouched {
        entry.claimed_hash.to_string()
    } else {
        entry_hash(entry.json, predecessor)?
    };
    if computed != entry.claimed_hash {
        return Err(LogError::BrokenChain {
            version: entry.number,
            computed,
            found: entry.claimed_hash.to_string(),
        });
    }
    Ok(())
}
