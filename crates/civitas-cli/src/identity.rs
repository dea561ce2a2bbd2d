//! Keys and identities read from files, shared by the commands that sign or name a
//! holder: a DID's key directory (`did`, `accredit`, `status`) and a public key from
//! a JWK file (`key show|public`, `issue --holder`).

use crate::error::{CliError, Result};
use civitas_crypto::{PublicKey, SigningKey};
use std::path::Path;

/// A DID's key directory.
pub(crate) struct Identity {
    pub(crate) did: String,
    pub(crate) kid: String,
    pub(crate) signing: SigningKey,
}

impl Identity {
    /// Loads `identity.json` and `signing.jwk` from `dir`.
    pub(crate) fn load(dir: &Path) -> Result<Identity> {
        let text = std::fs::read_to_string(dir.join("identity.json")).map_err(|e| {
            CliError::Input(format!("{}: {e}", dir.join("identity.json").display()))
        })?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| CliError::Input(format!("identity.json: {e}")))?;
        let field = |n: &str| {
            v.get(n)
                .and_then(|x| x.as_str())
                .map(str::to_string)
                .ok_or_else(|| CliError::Input(format!("identity.json has no \"{n}\"")))
        };
        Ok(Identity {
            did: field("did")?,
            kid: field("kid")?,
            signing: SigningKey::load(&dir.join("signing.jwk"))?,
        })
    }

    /// The ledger entry signer for this identity.
    pub(crate) fn signing(&self) -> civitas_ledger::sign::Signing<'_> {
        civitas_ledger::sign::Signing {
            did: &self.did,
            kid: &self.kid,
            signer: &self.signing,
        }
    }
}

/// The public key of a JWK file, private or public. A private key is checked (its
/// public part must match) but never printed.
pub(crate) fn read_public_key(file: &Path) -> Result<PublicKey> {
    let jwk = civitas_crypto::read_jwk(file)?;
    if jwk.is_private() {
        Ok(SigningKey::from_jwk(&jwk)?.public().clone())
    } else {
        Ok(PublicKey::from_jwk(&jwk)?)
    }
}
