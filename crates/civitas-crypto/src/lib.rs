#![doc = include_str!("../README.md")]

mod alg;
pub mod b64;
mod error;
mod file;
mod jwk;
mod key;
mod rng;

pub use alg::Algorithm;
pub use error::{Error, Result};
pub use file::{read_jwk, write_atomic};
pub use jwk::Jwk;
pub use key::{PublicKey, Signer, SigningKey, Verifier};
pub use rng::{Rng, SeededRng, SystemRng};

/// Whether two byte strings are equal, in time that depends only on their lengths
/// (for secrets, digests of secrets and nonces). One function for the workspace.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests;
