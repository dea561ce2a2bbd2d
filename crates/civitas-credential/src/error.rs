//! The one error type of this crate: every reason a credential or presentation is
//! refused, each distinct and readable, plus issuance failures.

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which JWT of a presentation a failure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The issuer-signed JWT.
    Issuer,
    /// The Key Binding JWT.
    KeyBinding,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Part::Issuer => "issuer-signed JWT",
            Part::KeyBinding => "key binding JWT",
        })
    }
}

/// Why a credential or presentation was refused (or could not be made).
///
/// `Display` gives the sentence a clerk reads; [`Error::code`] a stable identifier for
/// scripts and tests.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not an SD-JWT at all (garbage, truncated, wrong separators).
    #[error("malformed presentation: {0}")]
    Malformed(String),
    /// A JWT part is not base64url JSON, or its JSON is invalid (duplicate members too).
    #[error("malformed {part}: {why}")]
    MalformedJwt {
        /// Which JWT.
        part: Part,
        /// What is wrong.
        why: String,
    },
    /// The JWS `alg` is not on the allow-list (ES256, EdDSA): `none`, HMAC and others.
    #[error("{part} uses algorithm '{alg}', which is not allowed (allowed: ES256, EdDSA)")]
    AlgorithmNotAllowed {
        /// Which JWT.
        part: Part,
        /// The algorithm found.
        alg: String,
    },
    /// The JWS header carries a member Civitas refuses (`crit`, `jku`, `x5u`, `jwk`…).
    #[error("{part} header member \"{member}\" is not accepted")]
    ForbiddenHeader {
        /// Which JWT.
        part: Part,
        /// The member.
        member: String,
    },
    /// The `typ` header is wrong.
    #[error("{part} has typ '{found}', expected '{expected}'")]
    WrongType {
        /// Which JWT.
        part: Part,
        /// The value required.
        expected: &'static str,
        /// The value found (or "none").
        found: String,
    },
    /// The issuer JWT has no `kid` to find the issuer's key with.
    #[error("the issuer-signed JWT has no 'kid': the issuer's key cannot be identified")]
    MissingKid,
    /// The `kid` names a key of another DID than `iss`.
    #[error("the signing key {kid} does not belong to the issuer {iss}")]
    KidNotIssuer {
        /// The key id.
        kid: String,
        /// The claimed issuer.
        iss: String,
    },
    /// The issuer's key could not be resolved.
    #[error("cannot resolve the issuer's key: {0}")]
    IssuerKey(#[source] civitas_did::Error),
    /// The issuer's signature does not verify.
    #[error("the issuer's signature does not verify (altered credential or forged issuer)")]
    IssuerSignature,
    /// The credential is signed by a key its issuer's DID no longer authorizes: an
    /// update retired it (for compromise, or routinely without proof that the
    /// credential is older than the update).
    #[error(
        "the issuer's key {kid} was retired ({reason}) by version {version} of the issuer's DID: {why}"
    )]
    IssuerKeyRetired {
        /// The key id.
        kid: String,
        /// Why the issuer retired it.
        reason: civitas_did::RetirementReason,
        /// The DID version that retired it.
        version: u64,
        /// Why the credential is not saved by it.
        why: String,
    },
    /// The issuer's DID is deactivated: none of its signatures count any more.
    #[error("the issuer's DID {0} is deactivated: none of its credentials are valid")]
    IssuerDeactivated(String),
    /// A required claim is missing or has the wrong type.
    #[error("claim '{name}' is missing or not {expected}")]
    BadClaim {
        /// The claim.
        name: &'static str,
        /// What it should be.
        expected: &'static str,
    },
    /// `_sd_alg` names a hash other than sha-256.
    #[error("unsupported _sd_alg '{0}' (only sha-256)")]
    UnsupportedSdAlg(String),
    /// A disclosure is not a well-formed `[salt, name, value]` / `[salt, value]` array.
    #[error("malformed disclosure: {0}")]
    MalformedDisclosure(String),
    /// A disclosure's digest is not referenced anywhere in the signed payload: altered,
    /// or taken from another credential.
    #[error(
        "disclosure of '{0}' is not referenced by the issuer's signed digests (altered or foreign)"
    )]
    UnreferencedDisclosure(String),
    /// The same disclosure is sent twice.
    #[error("disclosure of '{0}' appears more than once")]
    DuplicateDisclosure(String),
    /// A digest appears more than once in the signed payload or disclosures.
    #[error("digest {0} appears more than once in the credential")]
    DuplicateDigest(String),
    /// A disclosure uses a reserved claim name (`_sd`, `...`).
    #[error("disclosure uses the reserved claim name '{0}'")]
    ReservedClaimName(String),
    /// A disclosed claim name already exists at its level.
    #[error("disclosed claim '{0}' collides with a claim already present")]
    ClaimCollision(String),
    /// A required claim was not disclosed.
    #[error("claim {0} was requested but not disclosed")]
    NotDisclosed(String),
    /// The credential is not bound to a holder key, but binding is required.
    #[error("the credential has no holder binding (cnf)")]
    NoHolderBinding,
    /// The holder binding (`cnf`) is malformed or its key unusable.
    #[error("holder binding (cnf) is invalid: {0}")]
    BadHolderBinding(String),
    /// The holder's key named by `cnf.kid` could not be resolved or is no longer
    /// authorized by the holder's DID.
    #[error("the holder's key is not currently authorized by the holder's DID: {0}")]
    HolderKey(#[source] civitas_did::Error),
    /// No Key Binding JWT, but holder binding must be proven.
    #[error("no key binding JWT: the holder did not prove possession of the key")]
    MissingKeyBinding,
    /// The Key Binding JWT's signature does not verify with the holder's key.
    #[error("the key binding JWT is not signed by the credential's holder key")]
    KeyBindingSignature,
    /// The Key Binding JWT's `sd_hash` does not match the presentation.
    #[error("the key binding JWT does not cover this presentation (sd_hash mismatch)")]
    SdHashMismatch,
    /// The Key Binding JWT's nonce is not the verifier's.
    #[error("wrong nonce: the presentation was made for another request (replay?)")]
    NonceMismatch,
    /// The Key Binding JWT's audience is not this verifier.
    #[error("wrong audience: the presentation was made for '{0}'")]
    AudienceMismatch(String),
    /// The Key Binding JWT is older than the allowed window.
    #[error(
        "the key binding JWT is stale: made {age} s before the verification time (max {max} s)"
    )]
    KeyBindingStale {
        /// Seconds before the verification time.
        age: i64,
        /// The allowed window.
        max: i64,
    },
    /// The Key Binding JWT claims to be made in the future.
    #[error("the key binding JWT is dated {ahead} s in the future (max {max} s)")]
    KeyBindingFuture {
        /// Seconds after the verification time.
        ahead: i64,
        /// The allowed window.
        max: i64,
    },
    /// The credential has expired.
    #[error("the credential expired at {0}")]
    Expired(String),
    /// The credential is not valid yet.
    #[error("the credential is not valid before {0}")]
    NotYetValid(String),
    /// The credential's `iat` is in the future.
    #[error("the credential is dated in the future ({0})")]
    IssuedInFuture(String),
    /// Claims given for issuance do not fit the credential type or SD-JWT rules.
    #[error("invalid claims: {0}")]
    InvalidClaims(String),
    /// A selection path names nothing in the credential.
    #[error("the credential has no claim {0}")]
    NoSuchClaim(String),
    /// The signer failed.
    #[error("signing failed: {0}")]
    Signing(#[from] civitas_crypto::Error),
}

impl Error {
    /// A stable, machine-readable code for the failure.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "malformed",
            Error::MalformedJwt { .. } => "malformed_jwt",
            Error::AlgorithmNotAllowed { .. } => "algorithm_not_allowed",
            Error::ForbiddenHeader { .. } => "forbidden_header",
            Error::WrongType { .. } => "wrong_typ",
            Error::MissingKid => "missing_kid",
            Error::KidNotIssuer { .. } => "kid_not_issuer",
            Error::IssuerKey(_) => "issuer_key_unresolved",
            Error::IssuerSignature => "issuer_signature_invalid",
            Error::IssuerKeyRetired { .. } => "issuer_key_retired",
            Error::IssuerDeactivated(_) => "issuer_deactivated",
            Error::BadClaim { .. } => "bad_claim",
            Error::UnsupportedSdAlg(_) => "unsupported_sd_alg",
            Error::MalformedDisclosure(_) => "malformed_disclosure",
            Error::UnreferencedDisclosure(_) => "unreferenced_disclosure",
            Error::DuplicateDisclosure(_) => "duplicate_disclosure",
            Error::DuplicateDigest(_) => "duplicate_digest",
            Error::ReservedClaimName(_) => "reserved_claim_name",
            Error::ClaimCollision(_) => "claim_collision",
            Error::NotDisclosed(_) => "not_disclosed",
            Error::NoHolderBinding => "no_holder_binding",
            Error::BadHolderBinding(_) => "bad_holder_binding",
            Error::HolderKey(_) => "holder_key_not_authorized",
            Error::MissingKeyBinding => "missing_key_binding",
            Error::KeyBindingSignature => "key_binding_signature_invalid",
            Error::SdHashMismatch => "sd_hash_mismatch",
            Error::NonceMismatch => "nonce_mismatch",
            Error::AudienceMismatch(_) => "aud_mismatch",
            Error::KeyBindingStale { .. } => "key_binding_stale",
            Error::KeyBindingFuture { .. } => "key_binding_future",
            Error::Expired(_) => "expired",
            Error::NotYetValid(_) => "not_yet_valid",
            Error::IssuedInFuture(_) => "issued_in_future",
            Error::InvalidClaims(_) => "invalid_claims",
            Error::NoSuchClaim(_) => "no_such_claim",
            Error::Signing(_) => "signing_failed",
        }
    }
}

/// Formats Unix seconds as RFC 3339 UTC for messages.
pub(crate) fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| t.to_string())
}
