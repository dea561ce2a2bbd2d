//! The recovery secret (the "backup kit"): 256 random bits, shown once as 24 BIP39
//! words and a QR code, and everything derived from it.
//!
//! ```text
//! secret (32 bytes) ── HKDF-SHA256(salt "civitas-recovery-v1") ─┬─ info "civitas update key" ‖ n (u32 BE)
//!                                                               │     → Ed25519 seed of update key n
//!                                                               ├─ info "civitas backup key"
//!                                                               │     → AES-256-GCM key of backup files
//!                                                               └─ info "civitas backup id"
//!                                                                     → 16-byte backup fingerprint
//! ```
//!
//! The vault stores the backup key and the fingerprint (so that `backup` needs no
//! words) but never the secret and never an update key: one-way derivations, so the
//! device alone cannot change its DID.

use crate::seal::{Key, hkdf};
use crate::{Error, Result};
use civitas_crypto::{Algorithm, Rng, SigningKey};
use std::fmt;
use zeroize::Zeroizing;

const SALT: &[u8] = b"civitas-recovery-v1";

/// The recovery secret. Never stored by the wallet; `Debug` does not show it.
#[derive(Clone)]
pub struct RecoverySecret(Zeroizing<[u8; 32]>);

impl fmt::Debug for RecoverySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoverySecret(<redacted>)")
    }
}

impl RecoverySecret {
    /// A new secret from `rng`.
    pub fn generate(rng: &dyn Rng) -> Result<Self> {
        let mut s = Zeroizing::new([0u8; 32]);
        rng.fill(&mut *s)?;
        Ok(RecoverySecret(s))
    }

    /// The 24 words (BIP39 English word list, with its checksum), space-separated,
    /// lower case.
    pub fn to_words(&self) -> Zeroizing<String> {
        // 32 bytes is always a valid BIP39 entropy length.
        match bip39::Mnemonic::from_entropy(&*self.0) {
            Ok(m) => Zeroizing::new(m.to_string()),
            Err(_) => Zeroizing::new(String::new()),
        }
    }

    /// Reads the words back: any case, any whitespace, 24 words of the list with a
    /// valid checksum.
    pub fn from_words(text: &str) -> Result<Self> {
        let normalized = Zeroizing::new(
            text.split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join(" "),
        );
        let count = normalized.split(' ').filter(|w| !w.is_empty()).count();
        if count != 24 {
            return Err(Error::InvalidRecoveryWords(format!(
                "expected 24 words, got {count}"
            )));
        }
        let mnemonic = bip39::Mnemonic::parse_in_normalized(bip39::Language::English, &normalized)
            .map_err(|e| {
                Error::InvalidRecoveryWords(match e {
                    bip39::Error::UnknownWord(i) => format!("word {} is not in the list", i + 1),
                    bip39::Error::InvalidChecksum => {
                        "the checksum does not match (a word is wrong or out of order)".into()
                    }
                    _ => "not a 24-word recovery phrase".into(),
                })
            })?;
        let (entropy, len) = mnemonic.to_entropy_array();
        let mut s = Zeroizing::new([0u8; 32]);
        if len != 32 {
            return Err(Error::InvalidRecoveryWords("not 256 bits".into()));
        }
        s.copy_from_slice(&entropy[..32]);
        Ok(RecoverySecret(s))
    }

    /// The words in upper case, which a QR code holds in alphanumeric mode.
    pub fn qr_text(&self) -> Zeroizing<String> {
        Zeroizing::new(self.to_words().to_uppercase())
    }

    /// The QR code of the words ([`civitas_exchange::qr::render`]).
    pub fn qr(&self) -> Result<civitas_exchange::qr::QrCode> {
        Ok(civitas_exchange::qr::render(
            &self.qr_text(),
            &civitas_exchange::qr::QrOptions::default(),
        )?)
    }

    fn derive(&self, info: &[&[u8]], out: &mut [u8]) -> Result<()> {
        hkdf(SALT, &*self.0, info, out)
    }

    /// Update key `n` of the DID (Ed25519).
    pub fn update_key(&self, n: u32) -> Result<SigningKey> {
        let mut seed = Zeroizing::new([0u8; 32]);
        self.derive(&[b"civitas update key", &n.to_be_bytes()], &mut *seed)?;
        Ok(SigningKey::from_secret(Algorithm::EdDsa, &*seed)?)
    }

    pub(crate) fn backup_key(&self) -> Result<Key> {
        let mut k = Zeroizing::new([0u8; 32]);
        self.derive(&[b"civitas backup key"], &mut *k)?;
        Key::from_slice(&*k).ok_or_else(|| Error::Corrupted("backup key".into()))
    }

    pub(crate) fn backup_id(&self) -> Result<[u8; 16]> {
        let mut id = [0u8; 16];
        self.derive(&[b"civitas backup id"], &mut id)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_crypto::SeededRng;

    #[test]
    fn words_round_trip_and_checksum() {
        let s = RecoverySecret::generate(&SeededRng::new(3)).unwrap();
        let words = s.to_words();
        assert_eq!(words.split(' ').count(), 24);
        let back = RecoverySecret::from_words(&words.to_uppercase()).unwrap();
        assert_eq!(*back.0, *s.0);
        let mut list: Vec<&str> = words.split(' ').collect();
        list.swap(0, 1);
        let swapped = list.join(" ");
        if swapped != *words {
            assert!(matches!(
                RecoverySecret::from_words(&swapped),
                Err(Error::InvalidRecoveryWords(_))
            ));
        }
        assert!(RecoverySecret::from_words("abandon abandon").is_err());
        let bad = format!("{} xyzzy", list[..23].join(" "));
        assert!(RecoverySecret::from_words(&bad).is_err());
    }

    #[test]
    fn derivations_are_deterministic_and_distinct() {
        let s = RecoverySecret::generate(&SeededRng::new(4)).unwrap();
        let a = s.update_key(1).unwrap();
        let b = s.update_key(1).unwrap();
        let c = s.update_key(2).unwrap();
        assert_eq!(a.public(), b.public());
        assert_ne!(a.public(), c.public());
        assert_ne!(s.backup_key().unwrap().as_bytes(), &a.secret_bytes()[..]);
    }
}
