//! The hashes of RFC 9162 §2.1.1: the [`struct@Hash`] type, leaves and interior nodes.

use crate::{Error, Result};
use ring::digest;
use std::fmt;

/// Length in bytes of a [`struct@Hash`] (SHA-256).
pub const HASH_LEN: usize = 32;

/// A SHA-256 hash: a leaf hash, an interior node hash or a tree root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash([u8; HASH_LEN]);

/// The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
pub const EMPTY_ROOT: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

impl Hash {
    /// A hash from its 32 bytes.
    pub const fn new(bytes: [u8; HASH_LEN]) -> Self {
        Hash(bytes)
    }

    /// A hash from a slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        <[u8; HASH_LEN]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| Error::InvalidHash(format!("{} bytes, not {HASH_LEN}", bytes.len())))
    }

    /// A hash from 64 hex digits (either case).
    pub fn from_hex(hex: &str) -> Result<Self> {
        let bytes = hex.as_bytes();
        if bytes.len() != 2 * HASH_LEN {
            return Err(Error::InvalidHash(format!(
                "{} hex digits, not {}",
                bytes.len(),
                2 * HASH_LEN
            )));
        }
        let mut out = [0u8; HASH_LEN];
        for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let (Some(hi), Some(lo)) = (hex_value(pair[0]), hex_value(pair[1])) else {
                return Err(Error::InvalidHash("not hex".into()));
            };
            *byte = hi << 4 | lo;
        }
        Ok(Hash(out))
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// The 32 bytes, by value.
    pub const fn to_bytes(self) -> [u8; HASH_LEN] {
        self.0
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl From<[u8; HASH_LEN]> for Hash {
    fn from(bytes: [u8; HASH_LEN]) -> Self {
        Hash(bytes)
    }
}

impl From<Hash> for [u8; HASH_LEN] {
    fn from(hash: Hash) -> Self {
        hash.0
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

pub(super) fn sha256(data: &[u8]) -> Hash {
    let digest = digest::digest(&digest::SHA256, data);
    let mut out = [0u8; HASH_LEN];
    out.copy_from_slice(digest.as_ref());
    Hash(out)
}

/// The hash of a leaf: `SHA-256(0x00 || data)` (RFC 9162 §2.1.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(&[0x00]);
    ctx.update(data);
    let digest = ctx.finish();
    let mut out = [0u8; HASH_LEN];
    out.copy_from_slice(digest.as_ref());
    Hash(out)
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)` (RFC 9162 §2.1.1).
/// Allocation-free: the 65 input bytes are laid out on the stack.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut input = [0u8; 1 + 2 * HASH_LEN];
    input[0] = 0x01;
    input[1..=HASH_LEN].copy_from_slice(&left.0);
    input[1 + HASH_LEN..].copy_from_slice(&right.0);
    sha256(&input)
}
