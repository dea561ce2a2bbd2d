//! Where the holder key lives: the [`KeyStore`] trait, and the software key store
//! that keeps keys in the (encrypted) vault.
//!
//! A hardware key store (TPM, Secure Enclave, StrongBox) generates the key inside the
//! hardware and returns a [`KeyHandle`] whose material is only an alias; the vault
//! stores the handle, sealed like any record, and signing goes through the hardware.
//! The software store's handle material *is* the private key, so it exists only
//! inside the vault's ciphertext and, while signing, in a zeroized buffer.

use crate::{Error, Result};
use civitas_crypto::{Algorithm, PublicKey, Rng, Signer, SigningKey};
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

/// A key as the vault records it: which store holds it, its public key, and the
/// store's material (an alias for hardware; the private key for software).
#[derive(Clone, Serialize, Deserialize)]
pub struct KeyHandle {
    /// The store's name ([`KeyStore::name`]).
    pub store: String,
    /// The public key (a JWK).
    pub public: serde_json::Value,
    /// What the store needs to find or rebuild the key. Secret for the software store.
    material: Zeroizing<String>,
}

impl fmt::Debug for KeyHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyHandle")
            .field("store", &self.store)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl KeyHandle {
    /// A handle for `store` with `material`.
    pub fn new(store: &str, public: &PublicKey, material: Zeroizing<String>) -> Self {
        KeyHandle {
            store: store.to_string(),
            public: public.to_jwk_value(),
            material,
        }
    }

    /// The store's material.
    pub fn material(&self) -> &str {
        &self.material
    }

    /// The public key.
    pub fn public_key(&self) -> Result<PublicKey> {
        Ok(PublicKey::from_jwk_value(&self.public)?)
    }
}

/// Makes and uses holder keys (ES256: what mobile secure elements support).
///
/// Contract: [`KeyStore::generate`] returns a handle whose public key is the new key's;
/// [`KeyStore::signer`] returns a signer for a handle this store made, or
/// [`Error::KeyStore`] for one it cannot use (another store's, a key the hardware
/// lost). Neither may log or return private material except inside the handle of a
/// store whose keys live in the vault.
pub trait KeyStore: Send + Sync {
    /// The store's name, recorded in each handle.
    fn name(&self) -> &'static str;

    /// Creates a new ES256 key.
    fn generate(&self, rng: &dyn Rng) -> Result<KeyHandle>;

    /// A signer for the key behind `handle`.
    fn signer(&self, handle: &KeyHandle) -> Result<Box<dyn Signer>>;

    /// Forgets the key behind `handle` (a hardware store deletes it); the default does
    /// nothing.
    fn delete(&self, _handle: &KeyHandle) -> Result<()> {
        Ok(())
    }
}

/// The default: keys made in software (ring / p256), kept in the vault.
#[derive(Debug, Default, Clone, Copy)]
pub struct SoftwareKeyStore;

impl KeyStore for SoftwareKeyStore {
    fn name(&self) -> &'static str {
        "software"
    }

    fn generate(&self, rng: &dyn Rng) -> Result<KeyHandle> {
        let key = SigningKey::generate(Algorithm::Es256, rng)?;
        let material = Zeroizing::new(civitas_crypto::b64::encode(&*key.secret_bytes()));
        Ok(KeyHandle::new(self.name(), key.public(), material))
    }

    fn signer(&self, handle: &KeyHandle) -> Result<Box<dyn Signer>> {
        if handle.store != self.name() {
            return Err(Error::KeyStore(format!(
                "the key is held by the '{}' key store, not the software one",
                handle.store
            )));
        }
        let secret = Zeroizing::new(
            civitas_crypto::b64::decode(handle.material.as_bytes())
                .map_err(|_| Error::KeyStore("the stored key is unreadable".into()))?,
        );
        let key = SigningKey::from_secret(Algorithm::Es256, &secret)?;
        if key.public() != &handle.public_key()? {
            return Err(Error::KeyStore(
                "the stored key does not match its public key".into(),
            ));
        }
        Ok(Box::new(key))
    }
}
