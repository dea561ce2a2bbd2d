//! Witness proofs (`did-witness.json`, did:webvh 1.0 §"DID Witnesses"), checked by
//! didwebvh-rs's `WitnessProofCollection`.

use super::{LogError, LogState, Result};
use didwebvh_rs::log_entry_state::{LogEntryState, LogEntryValidationStatus};
use didwebvh_rs::parameters::Parameters as RsParameters;
use didwebvh_rs::witness::proofs::WitnessProofCollection;
use didwebvh_rs::witness::{WitnessVerifyOptions, Witnesses};
use serde_json::Value;
use std::sync::Arc;

/// The largest witness file accepted, in bytes.
pub const MAX_WITNESS_BYTES: usize = 1024 * 1024;

impl LogState {
    /// Checks the witness proofs of every entry that needed witnessing: a threshold
    /// of the witnesses then in force must have approved it, by a proof on its
    /// `versionId` or on a later published one (§"Verifying Witness Proofs During
    /// Resolution"). `witness_json` is the `did-witness.json` text; `None` when the
    /// host has none, which is fine only if no entry needs witnessing.
    ///
    /// Proofs for `versionId`s not in this log are ignored, as the spec says: a proof
    /// a witness gave some other DID cannot count here. The proofs themselves
    /// (`eddsa-jcs-2022` over `{"versionId": …}`, by the witness's `did:key`) and the
    /// threshold are checked by didwebvh-rs.
    pub fn verify_witnesses(&self, witness_json: Option<&str>) -> Result<()> {
        if !self.requires_witnesses() {
            return Ok(());
        }
        let text = witness_json.ok_or_else(|| {
            LogError::Witness(
                "the log needs witness proofs and there is no did-witness.json".into(),
            )
        })?;
        if text.len() > MAX_WITNESS_BYTES {
            return Err(LogError::Witness(format!(
                "did-witness.json is {} bytes; the limit is {MAX_WITNESS_BYTES}",
                text.len()
            )));
        }
        let raw: Value = serde_json::from_str(text)
            .map_err(|e| LogError::Witness(format!("did-witness.json is not JSON: {e}")))?;
        let records = raw
            .as_array()
            .ok_or_else(|| LogError::Witness("did-witness.json is not an array".into()))?;
        // Keep only the records of published entries of this log.
        let published: Vec<&str> = self.versions().iter().map(|v| v.version_id()).collect();
        let kept: Vec<Value> = records
            .iter()
            .filter(|r| {
                r.get("versionId")
                    .and_then(Value::as_str)
                    .is_some_and(|id| published.contains(&id))
            })
            .cloned()
            .collect();
        let mut collection: WitnessProofCollection = serde_json::from_value(Value::Array(kept))
            .map_err(|e| LogError::Witness(format!("malformed did-witness.json: {e}")))?;
        let highest = u32::try_from(self.version_number())
            .map_err(|_| LogError::Witness("too many versions".into()))?;
        collection
            .generate_proof_state(highest)
            .map_err(|e| LogError::Witness(e.to_string()))?;
        let options = WitnessVerifyOptions::new();
        for version in self.versions() {
            let Some(rule) = version.witness_rule() else {
                continue;
            };
            let witnesses: Witnesses = serde_json::from_value(rule.clone()).map_err(|e| {
                LogError::Witness(format!("witness rule of version {}: {e}", version.number()))
            })?;
            let entry_state = LogEntryState {
                log_entry: version.rs_entry().clone(),
                version_number: u32::try_from(version.number())
                    .map_err(|_| LogError::Witness("too many versions".into()))?,
                validated_parameters: RsParameters {
                    active_witness: Some(Arc::new(witnesses)),
                    ..RsParameters::default()
                },
                validation_status: LogEntryValidationStatus::LogEntryOnly,
            };
            collection
                .validate_log_entry(&entry_state, highest, &options)
                .map_err(|e| LogError::Witness(format!("version {}: {e}", version.number())))?;
        }
        Ok(())
    }
}
