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

#[cfg(test)]
mod tests;
