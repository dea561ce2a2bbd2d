//! The one error type of this crate.

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a DID or DID URL could not be resolved to what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not a syntactically valid DID or DID URL.
    #[error("invalid DID: {0}")]
    InvalidDid(String),
    /// No resolver for this DID method.
    #[error("DID method '{0}' is not supported here")]
    UnsupportedMethod(String),
    /// The DID does not exist (or not at the requested version/time).
    #[error("DID not found: {0}")]
    NotFound(String),
    /// The DID has been deactivated.
    #[error("DID {0} is deactivated")]
    Deactivated(String),
    /// The DID document has no verification method with this id.
    #[error("DID document has no verification method {0}")]
    KeyNotFound(String),
    /// The verification method exists but is not authorized for the purpose.
    #[error("key {id} is not authorized for {purpose}")]
    NotAuthorized {
        /// The verification method id.
        id: String,
        /// The verification relationship asked for.
        purpose: &'static str,
    },
    /// A verification method's key is malformed or of an unsupported type.
    #[error("verification method {id}: {source}")]
    BadKey {
        /// The verification method id.
        id: String,
        /// The key error.
        source: civitas_crypto::Error,
    },
    /// The resolved DID document is malformed.
    #[error("malformed DID document: {0}")]
    BadDocument(String),
    /// The resolver's backing store failed (network, database).
    #[error("DID resolution failed: {0}")]
    Backend(String),
    /// A did:webvh log (or one of its entries) failed verification, or could not be
    /// written: the specific reason is in the [`crate::webvh::LogError`].
    #[error(transparent)]
    Webvh(#[from] crate::webvh::LogError),
}
