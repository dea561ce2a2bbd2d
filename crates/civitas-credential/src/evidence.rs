//! Evidence that a credential existed before its issuer retired the key that signed
//! it: what keeps a credential signed by a routinely rotated-out key valid.
//!
//! The verifier judges the issuer's key by the DID's *current* state. A key the DID
//! no longer authorizes was retired by some update; if that update states a routine
//! rotation, a credential it signed survives only if something the signer cannot
//! forge shows it is older than the update — on a Civitas ledger, an issuance anchor
//! (the SHA-256 of the issuer-signed JWT, signed by the issuer's then-current key)
//! at a lower log index than the DID log entry that retired the key. This crate does
//! not know the ledger: the caller supplies an [`IssuanceEvidence`].

use civitas_did::RetiredKey;

/// Tells whether a credential provably existed before its signing key was retired.
///
/// Contract: `Ok(true)` only when the evidence is something neither the issuer's old
/// key nor anyone holding it can make after the retirement (e.g. a ledger position);
/// `Ok(false)` when there is none; `Err(reason)` when the evidence could not be read
/// (the verification then fails too). Never panics.
pub trait IssuanceEvidence: Send + Sync {
    /// Whether `issuer` anchored the issuer-signed JWT whose digest is `jwt_digest`
    /// ([`issuer_jwt_digest`]) before the DID update `retired.retired_by`.
    fn anchored_before(
        &self,
        issuer: &str,
        jwt_digest: &str,
        retired: &RetiredKey,
    ) -> Result<bool, String>;
}

impl std::fmt::Debug for dyn IssuanceEvidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuanceEvidence")
    }
}

/// The digest an issuance anchor records for a credential: SHA-256 of the
/// issuer-signed JWT (the compact SD-JWT up to its first `~`), base64url without
/// padding. Disclosures and key bindings are not covered: the issuer's signature
/// covers their digests.
pub fn issuer_jwt_digest(sd_jwt: &str) -> String {
    let jwt = sd_jwt.split('~').next().unwrap_or_default();
    civitas_crypto::b64::sha256_b64(jwt.trim())
}
