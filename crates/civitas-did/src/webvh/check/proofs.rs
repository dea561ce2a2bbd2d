//! The entry's proofs: at least one, each well formed and made by an authorized key,
//! each signature verified; and the witnesses whose approval the entry needs.

use super::super::log::{Active, LogState, non_empty};
use super::super::proof::{check_proof, verify};
use super::super::{LogError, Result};
use super::chain::SecondOpinion;
use super::entry::ParsedEntry;
use serde_json::Value;

/// Checks every proof's shape and key against `authorized`, then, when
/// `verify_proofs`, every signature didwebvh-rs did not verify (it checks the first).
pub(super) fn check_proofs(
    entry: &ParsedEntry<'_>,
    authorized: &[String],
    verify_proofs: bool,
    opinion: &SecondOpinion,
) -> Result<()> {
    let number = entry.number;
    if entry.proofs.is_empty() {
        return Err(LogError::BadProof {
            version: number,
            reason: "the entry has no proof".into(),
        });
    }
    let mut checked = Vec::with_capacity(entry.proofs.len());
    for proof in entry.proofs {
        let c = check_proof(number, proof)?;
        if !authorized.contains(&c.multikey) {
            return Err(LogError::UnauthorizedKey {
                version: number,
                key: c.multikey,
            });
        }
        checked.push(c);
    }
    if verify_proofs {
        for c in checked.iter().skip(usize::from(opinion.vouched)) {
            verify(number, c, &opinion.unsigned)?;
        }
    }
    Ok(())
}

/// The witnesses whose approval this entry needs (§"DID Witnesses"): those in force
/// before it; or, when it turns witnessing on from `{}`, its own ("the change is
/// immediately active"); or, for the first entry, its own.
pub(super) fn witness_rule(prev: Option<&LogState>, active: &Active) -> Option<Value> {
    match prev.map(|p| &p.active) {
        Some(before) if non_empty(&before.witness).is_some() => Some(before.witness.clone()),
        _ => non_empty(&active.witness).cloned(),
    }
}
