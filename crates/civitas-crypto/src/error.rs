//! The one error type of this crate.

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong with keys and signatures. Messages never contain private material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The JOSE algorithm is not one Civitas allows (ES256, EdDSA).
    #[error("algorithm '{0}' is not allowed (allowed: ES256, EdDSA)")]
    UnsupportedAlgorithm(String),
    /// A JWK is malformed or describes a key type Civitas does not use.
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    /// A well-formed key of a type Civitas does not use (RSA, X25519, secp256k1…).
    #[error("unsupported key type: {0}")]
    UnsupportedKeyType(String),
    /// The private and public parts of a key do not belong together, or the private
    /// part is not a valid scalar/seed.
    #[error("the private key is invalid or does not match its public key")]
    InvalidPrivateKey,
    /// A signature did not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The signature has the wrong length for its algorithm.
    #[error("signature has {got} bytes, {alg} signatures have {want}")]
    SignatureLength {
        /// The algorithm name.
        alg: &'static str,
        /// Expected length.
        want: usize,
        /// Actual length.
        got: usize,
    },
    /// The key's algorithm differs from the one the signature claims.
    #[error("a {key} key cannot verify an {sig} signature")]
    AlgorithmMismatch {
        /// Algorithm of the key.
        key: &'static str,
        /// Algorithm claimed for the signature.
        sig: String,
    },
    /// The random number generator failed.
    #[error("the random number generator failed")]
    Rng,
    /// Signing failed inside the backend.
    #[error("signing failed")]
    Signing,
    /// A key file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A private key file is readable by other users.
    #[error(
        "{path}: permissions {mode:04o} are too open; a private key must be readable only by its owner (chmod 600)"
    )]
    KeyFilePermissions {
        /// The file.
        path: String,
        /// Its mode bits.
        mode: u32,
    },
    /// Refusing to overwrite an existing key file.
    #[error("{0} already exists; refusing to overwrite a key file")]
    KeyFileExists(String),
    /// A key file holds only a public key where a private key was needed.
    #[error("{0} holds a public key; a private key (with \"d\") is needed here")]
    NotAPrivateKey(String),
    /// A DID string could not be decoded into a key.
    #[error("invalid DID: {0}")]
    InvalidDid(String),
}
