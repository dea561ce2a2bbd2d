//! The issuer's errors: [`Refusal`] for what an endpoint answers a client (an OAuth
//! error code and a description without secrets), [`Error`] for the back office and
//! setup.

use civitas_exchange::openid4vci::{ErrorCode, OAuthError};

/// An endpoint's refusal: the OAuth `error` code and a description that never holds
/// a secret (code, PIN, token) or a claim value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The code.
    pub code: ErrorCode,
    /// The description.
    pub description: String,
}

impl Refusal {
    /// A refusal with `code`.
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Refusal {
            code,
            description: description.into(),
        }
    }

    /// The response body.
    pub fn to_oauth(&self) -> OAuthError {
        OAuthError::new(self.code, self.description.clone())
    }

    /// A server-side failure (the cause goes to the operator's log, not the client).
    pub(crate) fn server(what: &str) -> Self {
        Refusal::new(ErrorCode::ServerError, what.to_string())
    }
}

impl From<civitas_exchange::openid4vci::Error> for Refusal {
    fn from(e: civitas_exchange::openid4vci::Error) -> Self {
        Refusal::new(e.code(), e.to_string())
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}

impl std::error::Error for Refusal {}

/// A back-office or setup failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The SQLite store.
    #[error("issuer store: {0}")]
    Store(#[from] rusqlite::Error),
    /// The ledger refused or could not be reached.
    #[error("ledger: {0}")]
    Ledger(String),
    /// Signing or a credential rule.
    #[error("credential: {0}")]
    Credential(#[from] civitas_credential::Error),
    /// Randomness or a key.
    #[error("crypto: {0}")]
    Crypto(#[from] civitas_crypto::Error),
    /// A bad argument (unknown type, claims that do not fit it, no issuer URL).
    #[error("{0}")]
    Invalid(String),
}

/// A result with the issuer's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
