//! OAuth error bodies (RFC 6749 §5.2, RFC 6750 §3.1, OpenID4VCI 1.0 §6.3, §7.3, §8.3.1.2,
//! §9.3) and the errors of this module's parsers, each mapped to its OAuth code.

use serde::{Deserialize, Serialize};

/// The `error` codes a Credential Issuer and its Authorization Server answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// RFC 6749 §5.2: a missing, repeated or malformed parameter.
    InvalidRequest,
    /// RFC 6749 §5.2: the client could not be authenticated (anonymous access refused).
    InvalidClient,
    /// RFC 6749 §5.2: the grant (pre-authorized code, `tx_code`) is invalid, expired,
    /// used or revoked.
    InvalidGrant,
    /// RFC 6749 §5.2: the grant type is not supported.
    UnsupportedGrantType,
    /// RFC 6750 §3.1: the access token is missing, expired or unknown (HTTP 401).
    InvalidToken,
    /// OpenID4VCI §8.3.1.2: the Credential Request is missing a parameter or malformed.
    InvalidCredentialRequest,
    /// OpenID4VCI §8.3.1.2: the `credential_configuration_id` is unknown or not granted.
    UnknownCredentialConfiguration,
    /// OpenID4VCI §8.3.1.2: the `credential_identifier` is unknown.
    UnknownCredentialIdentifier,
    /// OpenID4VCI §8.3.1.2: a key proof is missing or invalid.
    InvalidProof,
    /// OpenID4VCI §8.3.1.2: a key proof's `nonce` is not a valid `c_nonce`.
    InvalidNonce,
    /// OpenID4VCI §8.3.1.2: the request was understood and refused.
    CredentialRequestDenied,
    /// Drafts before 1.0 only: the deferred Credential is not ready yet (1.0 final
    /// answers 202 with `transaction_id` and `interval` instead; kept for parsing).
    IssuancePending,
    /// OpenID4VCI §9.3: the `transaction_id` is unknown or expired.
    InvalidTransactionId,
    /// OpenID4VCI §11.3: the `notification_id` is unknown.
    InvalidNotificationId,
    /// OpenID4VCI §11.3: the notification request is malformed (an unknown `event`).
    InvalidNotificationRequest,
    /// RFC 6749 §5.2 (as a server-side failure): the server could not answer.
    ServerError,
}

impl ErrorCode {
    /// Every code, for parsing.
    pub const ALL: [ErrorCode; 16] = [
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidClient,
        ErrorCode::InvalidGrant,
        ErrorCode::UnsupportedGrantType,
        ErrorCode::InvalidToken,
        ErrorCode::InvalidCredentialRequest,
        ErrorCode::UnknownCredentialConfiguration,
        ErrorCode::UnknownCredentialIdentifier,
        ErrorCode::InvalidProof,
        ErrorCode::InvalidNonce,
        ErrorCode::CredentialRequestDenied,
        ErrorCode::IssuancePending,
        ErrorCode::InvalidTransactionId,
        ErrorCode::InvalidNotificationId,
        ErrorCode::InvalidNotificationRequest,
        ErrorCode::ServerError,
    ];

    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InvalidCredentialRequest => "invalid_credential_request",
            ErrorCode::UnknownCredentialConfiguration => "unknown_credential_configuration",
            ErrorCode::UnknownCredentialIdentifier => "unknown_credential_identifier",
            ErrorCode::InvalidProof => "invalid_proof",
            ErrorCode::InvalidNonce => "invalid_nonce",
            ErrorCode::CredentialRequestDenied => "credential_request_denied",
            ErrorCode::IssuancePending => "issuance_pending",
            ErrorCode::InvalidTransactionId => "invalid_transaction_id",
            ErrorCode::InvalidNotificationId => "invalid_notification_id",
            ErrorCode::InvalidNotificationRequest => "invalid_notification_request",
            ErrorCode::ServerError => "server_error",
        }
    }

    /// Parses a wire code (`None` for a code this module does not know).
    pub fn parse(code: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The HTTP status an endpoint answers this code with: 401 for `invalid_token`
    /// and `invalid_client`, 500 for `server_error`, 400 otherwise.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidToken | ErrorCode::InvalidClient => 401,
            ErrorCode::ServerError => 500,
            _ => 400,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OAuth error response body: `{"error": "…", "error_description": "…"}`.
///
/// `error` is kept as text so that a wallet can report a code this module does not
/// know; [`OAuthError::code`] maps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    /// The error code.
    pub error: String,
    /// A human-readable explanation (never a secret or a claim value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl OAuthError {
    /// An error with `code` and a description.
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        OAuthError {
            error: code.as_str().to_string(),
            error_description: Some(description.into()),
        }
    }

    /// The code, when known.
    pub fn code(&self) -> Option<ErrorCode> {
        ErrorCode::parse(&self.error)
    }

    /// Parses an error body (at most 64 KiB); `None` when it is not one.
    pub fn from_body(body: &[u8]) -> Option<Self> {
        if body.len() > 64 * 1024 {
            return None;
        }
        let e: OAuthError = serde_json::from_slice(body).ok()?;
        (!e.error.is_empty()).then_some(e)
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error_description {
            Some(d) => write!(f, "{}: {d}", self.error),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for OAuthError {}

/// What went wrong reading or checking an OpenID4VCI message, with the OAuth code the
/// receiving endpoint answers with ([`Error::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A message is malformed: not the expected JSON, form or URL, a member of the
    /// wrong type, a missing required member, too long.
    #[error("{what}: {why}")]
    Malformed {
        /// Which message or member.
        what: &'static str,
        /// Why (never the offending secret).
        why: String,
    },
    /// The token request names a grant type this server does not process.
    #[error("unsupported grant type {0}")]
    UnsupportedGrantType(String),
    /// The Credential Request is malformed.
    #[error("credential request: {0}")]
    CredentialRequest(String),
    /// A key proof is invalid.
    #[error("key proof: {0}")]
    Proof(String),
    /// A key proof has no `nonce`, or not the expected one.
    #[error("key proof nonce: {0}")]
    Nonce(String),
    /// Building a message failed (a signer error).
    #[error("{0}")]
    Build(String),
}

impl Error {
    pub(crate) fn malformed(what: &'static str, why: impl Into<String>) -> Self {
        Error::Malformed {
            what,
            why: why.into(),
        }
    }

    /// The OAuth code an endpoint answers this error with.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Malformed { .. } => ErrorCode::InvalidRequest,
            Error::UnsupportedGrantType(_) => ErrorCode::UnsupportedGrantType,
            Error::CredentialRequest(_) => ErrorCode::InvalidCredentialRequest,
            Error::Proof(_) => ErrorCode::InvalidProof,
            Error::Nonce(_) => ErrorCode::InvalidNonce,
            Error::Build(_) => ErrorCode::ServerError,
        }
    }

    /// The error as an OAuth error body.
    pub fn to_oauth(&self) -> OAuthError {
        OAuthError::new(self.code(), self.to_string())
    }
}

/// A result with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The first `max` characters of `text` (for error messages about outside input).
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let mut s: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        s.push('…');
    }
    s
}

/// A serde error message with every quoted value replaced by `"…"`: a value that
/// failed to parse may be a secret (a code) or a claim, and must not reach a log.
pub(crate) fn redacted(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    shorten(&out, 160)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_statuses() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
        }
        assert_eq!(ErrorCode::InvalidToken.http_status(), 401);
        assert_eq!(ErrorCode::InvalidGrant.http_status(), 400);
        let body = serde_json::to_string(&OAuthError::new(ErrorCode::InvalidGrant, "used"))
            .unwrap_or_default();
        assert_eq!(
            body,
            r#"{"error":"invalid_grant","error_description":"used"}"#
        );
        let back = OAuthError::from_body(br#"{"error":"invalid_nonce"}"#);
        assert_eq!(back.and_then(|e| e.code()), Some(ErrorCode::InvalidNonce));
        assert_eq!(OAuthError::from_body(b"{}"), None);
    }

    #[test]
    fn serde_errors_are_redacted() {
        let e = serde_json::from_str::<u32>(r#""secret-code""#).unwrap_err();
        let r = redacted(&e);
        assert!(!r.contains("secret-code"), "{r}");
        assert!(r.contains("invalid type"), "{r}");
    }
}
