//! Issuance anchors on the ledger as the evidence that keeps a credential signed by a
//! routinely rotated-out issuer key valid: the anchor of the credential's digest must
//! sit at a lower log index than the DID log entry that retired the key. Log order is
//! something neither the issuer nor a thief holding its old key can change after the
//! fact; the `iat` they sign is not.

use civitas_credential::IssuanceEvidence;
use civitas_did::RetiredKey;
use civitas_ledger::LedgerReader;

/// [`IssuanceEvidence`] read from a ledger's issuance anchors (`issuance` entries).
///
/// A ledger reader that cannot look anchors up (one without an index of its entries)
/// gives no evidence: verification then fails with the reason.
#[derive(Debug, Clone)]
pub struct LedgerAnchors<R> {
    ledger: R,
}

impl<R: LedgerReader> LedgerAnchors<R> {
    /// Evidence from `ledger`, which must be the ledger the issuer's DID log was
    /// resolved from.
    pub fn new(ledger: R) -> Self {
        LedgerAnchors { ledger }
    }
}

impl<R: LedgerReader> IssuanceEvidence for LedgerAnchors<R> {
    fn anchored_before(
        &self,
        issuer: &str,
        jwt_digest: &str,
        retired: &RetiredKey,
    ) -> Result<bool, String> {
        let Some(retired_at) = self
            .ledger
            .did_log_index(issuer, &retired.retired_by)
            .map_err(|e| e.to_string())?
        else {
            return Err(format!(
                "the update that retired the key (version {}) is not on this ledger",
                retired.retired_version
            ));
        };
        let anchored_at = self
            .ledger
            .issuance_anchor(issuer, jwt_digest)
            .map_err(|e| e.to_string())?;
        Ok(anchored_at.is_some_and(|a| a < retired_at))
    }
}
