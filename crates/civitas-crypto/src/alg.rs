//! The JOSE algorithms Civitas allows.

use crate::{Error, Result};
use std::fmt;

/// A signature algorithm on the allow-list. There is deliberately no `none` and no HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA over P-256 with SHA-256 (JOSE `ES256`), signatures as raw `r || s`.
    Es256,
    /// Ed25519 (JOSE `EdDSA`).
    EdDsa,
}

impl Algorithm {
    /// Every allowed algorithm.
    pub const ALL: [Algorithm; 2] = [Algorithm::Es256, Algorithm::EdDsa];

    /// The JOSE `alg` name.
    pub fn jose_name(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// Parses a JOSE `alg` value; anything off the allow-list is an error.
    pub fn from_jose(name: &str) -> Result<Self> {
        match name {
            "ES256" => Ok(Algorithm::Es256),
            "EdDSA" | "Ed25519" => Ok(Algorithm::EdDsa),
            other => Err(Error::UnsupportedAlgorithm(
                other.chars().take(32).collect(),
            )),
        }
    }

    /// Length in bytes of a signature.
    pub fn signature_len(self) -> usize {
        64
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jose_name())
    }
}

impl std::str::FromStr for Algorithm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Algorithm::from_jose(s)
    }
}
