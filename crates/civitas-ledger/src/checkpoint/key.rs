//! Note keys: key names, Ed25519 key IDs and the verifier key string
//! `<name>+<8 hex key ID>+<base64(0x01 || public key)>`.

use crate::{Error, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use civitas_crypto::{Algorithm, PublicKey};
use std::fmt;
use std::str::FromStr;

/// The signature type byte of Ed25519 note signatures.
const ED25519_TYPE: u8 = 0x01;
/// Length of an Ed25519 public key.
const ED25519_KEY_LEN: usize = 32;

/// Checks a signed-note key name: non-empty, no Unicode spaces, no '+', no control
/// characters.
pub fn check_key_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c < ' ');
    if bad {
        Err(Error::InvalidKeyName(name.chars().take(64).collect()))
    } else {
        Ok(())
    }
}

/// The key ID of an Ed25519 note key: the first four bytes, big-endian, of
/// `SHA-256(name || 0x0A || 0x01 || public key)`.
pub fn ed25519_key_id(name: &str, public_key: &[u8; ED25519_KEY_LEN]) -> u32 {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(name.as_bytes());
    ctx.update(&[0x0a, ED25519_TYPE]);
    ctx.update(public_key);
    let digest = ctx.finish();
    let bytes = digest.as_ref();
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

pub(super) fn ed25519_bytes(key: &PublicKey) -> Result<[u8; ED25519_KEY_LEN]> {
    if key.algorithm() != Algorithm::EdDsa {
        return Err(Error::UnsupportedAlgorithm(key.algorithm()));
    }
    <[u8; ED25519_KEY_LEN]>::try_from(key.as_bytes())
        .map_err(|_| Error::InvalidVerifierKey("an Ed25519 key has 32 bytes".into()))
}

/// A known note key: name, key ID and Ed25519 public key. Parsed from, and written as,
/// the verifier key string `<name>+<8 hex key ID>+<base64(0x01 || public key)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: PublicKey,
}

impl NoteVerifier {
    /// A verifier for `key` under `name`; the key must be Ed25519.
    pub fn new(name: impl Into<String>, key: PublicKey) -> Result<Self> {
        let name = name.into();
        check_key_name(&name)?;
        let key_id = ed25519_key_id(&name, &ed25519_bytes(&key)?);
        Ok(NoteVerifier { name, key_id, key })
    }

    /// Parses a verifier key string, strictly: lower-case hex key ID, padded canonical
    /// base64, signature type `0x01`, a 32-byte key, and a key ID that matches the name
    /// and key.
    pub fn parse(vkey: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidVerifierKey(why.into());
        let (name, rest) = vkey
            .split_once('+')
            .ok_or_else(|| bad("expected <name>+<key ID>+<key>"))?;
        check_key_name(name)?;
        let (id_hex, key_b64) = rest
            .split_once('+')
            .ok_or_else(|| bad("expected <name>+<key ID>+<key>"))?;
        if id_hex.len() != 8
            || !id_hex
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(bad("the key ID is not 8 lower-case hex digits"));
        }
        let key_id = u32::from_str_radix(id_hex, 16).map_err(|_| bad("bad key ID"))?;
        let key = STANDARD
            .decode(key_b64)
            .map_err(|_| bad("the key is not padded standard base64"))?;
        let Some((&key_type, public)) = key.split_first() else {
            return Err(bad("the key is empty"));
        };
        if key_type != ED25519_TYPE {
            return Err(bad("the key is not an Ed25519 (0x01) key"));
        }
        let public: [u8; ED25519_KEY_LEN] = public
            .try_into()
            .map_err(|_| bad("an Ed25519 key has 32 bytes"))?;
        if ed25519_key_id(name, &public) != key_id {
            return Err(bad("the key ID does not match the name and key"));
        }
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id,
            key: PublicKey::from_bytes(Algorithm::EdDsa, &public)?,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The verifier key string.
    pub fn to_vkey(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = Vec::with_capacity(1 + ED25519_KEY_LEN);
        key.push(ED25519_TYPE);
        key.extend_from_slice(self.key.as_bytes());
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.key_id,
            STANDARD.encode(key)
        )
    }
}

impl FromStr for NoteVerifier {
    type Err = Error;
    fn from_str(vkey: &str) -> Result<Self> {
        NoteVerifier::parse(vkey)
    }
}
