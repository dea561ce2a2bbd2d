//! Why a presentation is refused beyond the credential's own checks.

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A reason to refuse a presentation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The credential or presentation itself is invalid.
    #[error(transparent)]
    Credential(#[from] civitas_credential::Error),
    /// The issuer is not trusted for this type of credential.
    #[error("issuer {issuer} is not trusted for {vct}{why}")]
    UntrustedIssuer {
        /// The issuer DID.
        issuer: String,
        /// The credential type.
        vct: String,
        /// Extra explanation, starting with ": " when present.
        why: String,
    },
    /// The credential type is not one this counter accepts.
    #[error("credential type {0} is not accepted here")]
    TypeNotAccepted(String),
    /// The issuer has revoked the credential.
    #[error("revoked: the issuer has revoked this credential")]
    Revoked,
    /// The issuer has suspended the credential.
    #[error("suspended: the issuer has suspended this credential")]
    Suspended,
    /// The credential's status could not be established.
    #[error("the credential's revocation status cannot be checked: {0}")]
    StatusUnavailable(String),
    /// A requested claim was not disclosed.
    #[error("the presentation does not disclose {0}, which this request requires")]
    MissingClaim(String),
    /// No nonce or no audience to bind the presentation to this counter, and the
    /// operator did not opt out ([`Policy::require_replay_check`](crate::Policy)): a
    /// replayed presentation would pass.
    #[error(
        "no {0} was given, so a presentation made for another counter or shown before would pass: give this counter's nonce and audience (--nonce, --aud), or opt out explicitly (--no-replay-check)"
    )]
    ReplayCheckMissing(&'static str),
    /// The credential names a status list but no status source was configured, and the
    /// operator did not opt out ([`Policy::require_status`](crate::Policy)).
    #[error(
        "the credential's revocation status was not checked: it names a status list, but no status source is configured (--ledger URL|PATH); opt out explicitly with --no-status-check"
    )]
    StatusUnchecked,
}

impl Error {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Credential(e) => e.code(),
            Error::UntrustedIssuer { .. } => "untrusted_issuer",
            Error::TypeNotAccepted(_) => "type_not_accepted",
            Error::Revoked => "revoked",
            Error::Suspended => "suspended",
            Error::StatusUnavailable(_) => "status_unavailable",
            Error::MissingClaim(_) => "missing_claim",
            Error::ReplayCheckMissing(_) => "replay_check_missing",
            Error::StatusUnchecked => "status_unchecked",
        }
    }
}
