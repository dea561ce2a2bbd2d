//! The one error type of the [`openid4vp`](crate::openid4vp) module.
//!
//! Every rejection has its own variant, and [`Error::kind`] gives a copyable
//! [`ErrorKind`] whose [`ErrorKind::as_str`] is a stable code (`"openid4vp.invalid_id"`)
//! that front ends and logs can match on. Messages never echo claim values, and quote
//! at most a few dozen characters of any input.

/// Result alias for the [`openid4vp`](crate::openid4vp) module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong building, parsing, matching, answering or checking OpenID4VP
/// requests and responses, and signing or verifying receipts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- input size and JSON -----
    /// An input is longer than its limit; refused before parsing.
    #[error("{what} is {len} bytes long, more than the {max} accepted")]
    TooLong {
        /// What was too long (`"dcql_query"`, `"the request URL"`).
        what: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A JSON text does not parse: invalid JSON, a duplicate member name, trailing
    /// data.
    #[error("{what} is not valid JSON: {why}")]
    InvalidJson {
        /// Which JSON text.
        what: &'static str,
        /// The parser's reason.
        why: String,
    },
    /// A member or parameter has the wrong JSON type.
    #[error("'{field}' must be {expected}")]
    WrongType {
        /// Where (`credentials[0].meta.vct_values`).
        field: String,
        /// What it must be.
        expected: &'static str,
    },
    /// A required member is missing.
    #[error("'{field}' is required")]
    MissingField {
        /// Where.
        field: String,
    },
    /// An array that must not be empty is.
    #[error("'{field}' must not be empty")]
    EmptyArray {
        /// Where.
        field: String,
    },
    /// An array or string is over its limit.
    #[error("'{field}' has more than {max} entries or characters")]
    TooMany {
        /// Where.
        field: String,
        /// The limit.
        max: usize,
    },
    /// A member of one of our own closed formats (a receipt) that we do not define.
    #[error("'{field}' is not a member of {what}")]
    UnknownMember {
        /// The member name (shortened).
        field: String,
        /// The object it was found in.
        what: &'static str,
    },

    // ----- DCQL -----
    /// An identifier is not a non-empty string of `A-Z a-z 0-9 _ -` (OpenID4VP §6.1,
    /// §6.3).
    #[error("'{field}' is not a valid identifier ('{id}'): only A-Z, a-z, 0-9, '_' and '-'")]
    InvalidId {
        /// Where.
        field: String,
        /// The identifier (shortened).
        id: String,
    },
    /// Two Credential Queries share an `id` (§6.1).
    #[error("two credential queries have the id '{0}'")]
    DuplicateCredentialId(String),
    /// Two Claims Queries of one Credential Query share an `id` (§6.3).
    #[error("credential query '{query}' has two claims with the id '{id}'")]
    DuplicateClaimId {
        /// The Credential Query.
        query: String,
        /// The claim id.
        id: String,
    },
    /// Two Claims Queries of one Credential Query name the same claim (§6.1:
    /// "Verifiers MUST NOT point to the same claim more than once").
    #[error("credential query '{query}' asks for '{path}' twice")]
    DuplicateClaimPath {
        /// The Credential Query.
        query: String,
        /// The claim path (text form).
        path: String,
    },
    /// A `format` this implementation has never heard of.
    #[error("unknown credential format '{0}'")]
    UnknownFormat(String),
    /// A format OpenID4VP 1.0 defines (`mso_mdoc`, `jwt_vc_json`, `ldp_vc`) that Civitas
    /// does not hold or verify: only `dc+sd-jwt` is supported.
    #[error("credential format '{0}' is not supported (only dc+sd-jwt)")]
    UnsupportedFormat(String),
    /// A claims path pointer is malformed (§7): empty, an element that is not a
    /// string, null or non-negative integer, too long, or (for a JSON credential) not
    /// starting with a claim name.
    #[error("'{field}' is not a valid claims path: {why}")]
    InvalidPath {
        /// Where.
        field: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A `values` entry is not a string, an integer or a boolean (§6.3).
    #[error("'{field}' must hold only strings, integers and booleans")]
    InvalidValue {
        /// Where.
        field: String,
    },
    /// `claim_sets` without `claims` (§6.4.1).
    #[error("credential query '{0}' has claim_sets but no claims")]
    ClaimSetsWithoutClaims(String),
    /// A claim without an `id` in a Credential Query that has `claim_sets` (§6.3).
    #[error("credential query '{query}': claim {index} needs an id because claim_sets is present")]
    ClaimWithoutId {
        /// The Credential Query.
        query: String,
        /// Index of the claim in `claims`.
        index: usize,
    },
    /// A `claim_sets` option names a claim id that `claims` does not have.
    #[error("credential query '{query}': claim_sets names the unknown claim id '{id}'")]
    UnknownClaimId {
        /// The Credential Query.
        query: String,
        /// The id.
        id: String,
    },
    /// A `credential_sets` option names a Credential Query that does not exist.
    #[error("credential_sets names the unknown credential query '{0}'")]
    UnknownCredentialId(String),
    /// The same id twice in one `claim_sets` or `credential_sets` option.
    #[error("'{field}' names '{id}' twice")]
    DuplicateInOption {
        /// Where.
        field: String,
        /// The id.
        id: String,
    },

    // ----- the Authorization Request -----
    /// The request URL is not an `openid4vp:` URL with a query.
    #[error("not an OpenID4VP request URL: {0}")]
    InvalidUrl(&'static str),
    /// A character that must be percent-encoded appears raw, or a `%` escape is
    /// broken, or the decoded bytes are not UTF-8.
    #[error("bad percent-encoding in the request or response: {0}")]
    PercentEncoding(&'static str),
    /// A parameter appears twice (RFC 6749 §3.1: "MUST NOT be included more than
    /// once").
    #[error("parameter '{0}' appears more than once")]
    DuplicateParameter(String),
    /// A required parameter is missing.
    #[error("parameter '{0}' is required")]
    MissingParameter(&'static str),
    /// A parameter Civitas refuses to act on: `scope` (no scope aliases are defined),
    /// `request` (Request Objects by value), `redirect_uri` with `direct_post` (§8.2).
    #[error("parameter '{0}' is not supported here")]
    UnsupportedParameter(&'static str),
    /// `transaction_data` is present: a Wallet that does not support it MUST reject
    /// the request (§5.1).
    #[error("transaction_data is not supported")]
    TransactionDataUnsupported,
    /// `response_type` is not `vp_token`.
    #[error("response_type '{0}' is not supported (only vp_token)")]
    UnsupportedResponseType(String),
    /// `response_mode` is not `direct_post`.
    #[error("response_mode '{0}' is not supported (only direct_post)")]
    UnsupportedResponseMode(String),
    /// The Client Identifier Prefix is not one Civitas supports (`redirect_uri`,
    /// `decentralized_identifier`), or is `origin` (reserved, §5.9.3), or absent
    /// (pre-registered clients are not supported).
    #[error("client identifier prefix '{0}' is not supported")]
    UnsupportedClientIdPrefix(String),
    /// The Client Identifier does not fit its prefix (not a URI, not a DID).
    #[error("invalid client_id: {0}")]
    InvalidClientId(&'static str),
    /// With the `redirect_uri` prefix, `response_uri` must be the Client Identifier
    /// without its prefix (§5.9.3).
    #[error("response_uri differs from the redirect_uri client identifier")]
    ResponseUriMismatch,
    /// A URI parameter is not an absolute `https` URI (or `http` to a loopback
    /// address), or has a fragment or user info.
    #[error("'{param}' is not an acceptable URI: {why}")]
    InvalidUri {
        /// Which parameter.
        param: &'static str,
        /// What is wrong.
        why: &'static str,
    },
    /// `nonce`, `state` or `wallet_nonce` has a character outside the ASCII URL-safe set
    /// (letters, digits, `-`, `.`, `_`, `~`), or is empty or too long (§5.2).
    #[error("'{param}' must be 1 to {max} ASCII URL-safe characters (A-Z a-z 0-9 - . _ ~)")]
    InvalidToken {
        /// Which parameter.
        param: &'static str,
        /// The length limit.
        max: usize,
    },
    /// A Credential Query accepts presentations without holder binding, so `state` is
    /// required (§5.3).
    #[error("state is required when a credential query does not require holder binding")]
    MissingState,
    /// `request_uri_method` is neither `get` nor `post` (§5.1).
    #[error("request_uri_method '{0}' is neither 'get' nor 'post'")]
    InvalidRequestUriMethod(String),
    /// `request_uri_method` without `request_uri` (§5.1).
    #[error("request_uri_method is present without request_uri")]
    RequestUriMethodWithoutRequestUri,
    /// A request by reference with a Client Identifier Prefix that cannot sign
    /// (`redirect_uri`): the Request URI response MUST be a signed Request Object
    /// (§5.10.1), and `redirect_uri` requests cannot be signed (§5.9.3).
    #[error(
        "a request by reference needs a signed request object, which the '{0}' prefix cannot have"
    )]
    CannotSign(&'static str),
    /// The counter's builder was given more optional claims than `claim_sets` can
    /// express compactly.
    #[error("at most {max} optional claims (each subset becomes a claim set)")]
    TooManyOptionalClaims {
        /// The limit.
        max: usize,
    },

    // ----- signed objects: Request Objects and receipts -----
    /// Not a compact JWS: parts, base64url, JSON header or payload.
    #[error("malformed {what}: {why}")]
    MalformedJws {
        /// Which object.
        what: &'static str,
        /// What is wrong.
        why: &'static str,
    },
    /// The JWS `alg` is not ES256 or EdDSA.
    #[error("algorithm '{0}' is not allowed (ES256, EdDSA)")]
    AlgorithmNotAllowed(String),
    /// The JWS header carries a member that would let it choose its own key or demand
    /// extensions (`jwk`, `jku`, `x5u`, `x5c`, `crit`, `b64`).
    #[error("header member '{0}' is not accepted")]
    ForbiddenHeader(&'static str),
    /// The JWS `typ` is not the one required.
    #[error("typ is '{found}', expected '{expected}'")]
    WrongTyp {
        /// The required `typ`.
        expected: &'static str,
        /// The `typ` found (or "none").
        found: String,
    },
    /// No `kid` header to find the signing key with.
    #[error("the {0} has no 'kid': its signing key cannot be identified")]
    MissingKid(&'static str),
    /// The `kid` names a key of another DID than the signer it claims to be (`iss` of
    /// a receipt, the DID of a `decentralized_identifier` client).
    #[error("the key {kid} does not belong to {expected}")]
    KidMismatch {
        /// The key id (shortened).
        kid: String,
        /// The DID it should belong to (shortened).
        expected: String,
    },
    /// The signing key could not be resolved (or is not an `assertionMethod` key).
    #[error("cannot resolve the signing key: {0}")]
    KeyResolution(#[source] civitas_did::Error),
    /// The signature does not verify.
    #[error("the signature of the {0} does not verify")]
    BadSignature(&'static str),
    /// The Request Object's `client_id` differs from the request's `client_id`
    /// parameter (§5.10.1).
    #[error("the request object's client_id differs from the client_id parameter")]
    ClientIdMismatch,
    /// The Request Object's `aud` is not `https://self-issued.me/v2` (§5.8).
    #[error("the request object's aud is not https://self-issued.me/v2")]
    AudienceMismatch,
    /// The Request Object lacks the `wallet_nonce` the wallet sent (§5.10).
    #[error("the request object does not carry the wallet_nonce the wallet sent")]
    WalletNonceMismatch,
    /// A signed object has expired.
    #[error("the {0} has expired")]
    Expired(&'static str),
    /// A signed object is dated in the future (beyond the allowed clock skew).
    #[error("the {what} is dated {ahead} s in the future")]
    IssuedInFuture {
        /// Which object.
        what: &'static str,
        /// Seconds ahead of the verification time.
        ahead: i64,
    },
    /// The signer failed.
    #[error("signing failed: {0}")]
    Signing(#[from] civitas_crypto::Error),

    // ----- wallet-side matching -----
    /// A Credential Query id that the request or report does not have.
    #[error("no credential query '{0}'")]
    UnknownQuery(String),
    /// The holder tried to drop a claim the request requires.
    #[error("credential query '{query}': '{path}' is required, it cannot be left out")]
    NotOptional {
        /// The Credential Query.
        query: String,
        /// The claim.
        path: String,
    },
    /// No held credential satisfies this Credential Query.
    #[error("no credential satisfies credential query '{0}'")]
    NotSatisfiable(String),
    /// The credential library refused (selecting or presenting claims).
    #[error(transparent)]
    Credential(#[from] civitas_credential::Error),

    // ----- the response -----
    /// A `vp_token` key that is not a Credential Query of the request.
    #[error("vp_token answers '{0}', which the request did not ask for")]
    UnexpectedCredentialQuery(String),
    /// More than one presentation for a Credential Query without `multiple` (§8.1).
    #[error("vp_token holds {count} presentations for '{query}', which allows one")]
    TooManyPresentations {
        /// The Credential Query.
        query: String,
        /// How many were sent.
        count: usize,
    },
    /// A presentation is not a compact SD-JWT with a key binding JWT.
    #[error("presentation {index} for '{query}' is not an SD-JWT+KB: {why}")]
    MalformedPresentation {
        /// The Credential Query.
        query: String,
        /// Index in the array.
        index: usize,
        /// What is wrong.
        why: &'static str,
    },
    /// The response's `state` is not the request's (§5.3, §8.2).
    #[error("the response's state does not match the request's")]
    StateMismatch,
}

/// The kind of an [`Error`], without its details: copyable, comparable, with a
/// stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is the Error variant of the same name
pub enum ErrorKind {
    TooLong,
    InvalidJson,
    WrongType,
    MissingField,
    EmptyArray,
    TooMany,
    UnknownMember,
    InvalidId,
    DuplicateCredentialId,
    DuplicateClaimId,
    DuplicateClaimPath,
    UnknownFormat,
    UnsupportedFormat,
    InvalidPath,
    InvalidValue,
    ClaimSetsWithoutClaims,
    ClaimWithoutId,
    UnknownClaimId,
    UnknownCredentialId,
    DuplicateInOption,
    InvalidUrl,
    PercentEncoding,
    DuplicateParameter,
    MissingParameter,
    UnsupportedParameter,
    TransactionDataUnsupported,
    UnsupportedResponseType,
    UnsupportedResponseMode,
    UnsupportedClientIdPrefix,
    InvalidClientId,
    ResponseUriMismatch,
    InvalidUri,
    InvalidToken,
    MissingState,
    InvalidRequestUriMethod,
    RequestUriMethodWithoutRequestUri,
    CannotSign,
    TooManyOptionalClaims,
    MalformedJws,
    AlgorithmNotAllowed,
    ForbiddenHeader,
    WrongTyp,
    MissingKid,
    KidMismatch,
    KeyResolution,
    BadSignature,
    ClientIdMismatch,
    AudienceMismatch,
    WalletNonceMismatch,
    Expired,
    IssuedInFuture,
    Signing,
    UnknownQuery,
    NotOptional,
    NotSatisfiable,
    Credential,
    UnexpectedCredentialQuery,
    TooManyPresentations,
    MalformedPresentation,
    StateMismatch,
}

impl ErrorKind {
    /// The stable code, `openid4vp.<snake_case name>`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::TooLong => "openid4vp.too_long",
            ErrorKind::InvalidJson => "openid4vp.invalid_json",
            ErrorKind::WrongType => "openid4vp.wrong_type",
            ErrorKind::MissingField => "openid4vp.missing_field",
            ErrorKind::EmptyArray => "openid4vp.empty_array",
            ErrorKind::TooMany => "openid4vp.too_many",
            ErrorKind::UnknownMember => "openid4vp.unknown_member",
            ErrorKind::InvalidId => "openid4vp.invalid_id",
            ErrorKind::DuplicateCredentialId => "openid4vp.duplicate_credential_id",
            ErrorKind::DuplicateClaimId => "openid4vp.duplicate_claim_id",
            ErrorKind::DuplicateClaimPath => "openid4vp.duplicate_claim_path",
            ErrorKind::UnknownFormat => "openid4vp.unknown_format",
            ErrorKind::UnsupportedFormat => "openid4vp.unsupported_format",
            ErrorKind::InvalidPath => "openid4vp.invalid_path",
            ErrorKind::InvalidValue => "openid4vp.invalid_value",
            ErrorKind::ClaimSetsWithoutClaims => "openid4vp.claim_sets_without_claims",
            ErrorKind::ClaimWithoutId => "openid4vp.claim_without_id",
            ErrorKind::UnknownClaimId => "openid4vp.unknown_claim_id",
            ErrorKind::UnknownCredentialId => "openid4vp.unknown_credential_id",
            ErrorKind::DuplicateInOption => "openid4vp.duplicate_in_option",
            ErrorKind::InvalidUrl => "openid4vp.invalid_url",
            ErrorKind::PercentEncoding => "openid4vp.percent_encoding",
            ErrorKind::DuplicateParameter => "openid4vp.duplicate_parameter",
            ErrorKind::MissingParameter => "openid4vp.missing_parameter",
            ErrorKind::UnsupportedParameter => "openid4vp.unsupported_parameter",
            ErrorKind::TransactionDataUnsupported => "openid4vp.transaction_data_unsupported",
            ErrorKind::UnsupportedResponseType => "openid4vp.unsupported_response_type",
            ErrorKind::UnsupportedResponseMode => "openid4vp.unsupported_response_mode",
            ErrorKind::UnsupportedClientIdPrefix => "openid4vp.unsupported_client_id_prefix",
            ErrorKind::InvalidClientId => "openid4vp.invalid_client_id",
            ErrorKind::ResponseUriMismatch => "openid4vp.response_uri_mismatch",
            ErrorKind::InvalidUri => "openid4vp.invalid_uri",
            ErrorKind::InvalidToken => "openid4vp.invalid_token",
            ErrorKind::MissingState => "openid4vp.missing_state",
            ErrorKind::InvalidRequestUriMethod => "openid4vp.invalid_request_uri_method",
            ErrorKind::RequestUriMethodWithoutRequestUri => {
                "openid4vp.request_uri_method_without_request_uri"
            }
            ErrorKind::CannotSign => "openid4vp.cannot_sign",
            ErrorKind::TooManyOptionalClaims => "openid4vp.too_many_optional_claims",
            ErrorKind::MalformedJws => "openid4vp.malformed_jws",
            ErrorKind::AlgorithmNotAllowed => "openid4vp.algorithm_not_allowed",
            ErrorKind::ForbiddenHeader => "openid4vp.forbidden_header",
            ErrorKind::WrongTyp => "openid4vp.wrong_typ",
            ErrorKind::MissingKid => "openid4vp.missing_kid",
            ErrorKind::KidMismatch => "openid4vp.kid_mismatch",
            ErrorKind::KeyResolution => "openid4vp.key_resolution",
            ErrorKind::BadSignature => "openid4vp.bad_signature",
            ErrorKind::ClientIdMismatch => "openid4vp.client_id_mismatch",
            ErrorKind::AudienceMismatch => "openid4vp.audience_mismatch",
            ErrorKind::WalletNonceMismatch => "openid4vp.wallet_nonce_mismatch",
            ErrorKind::Expired => "openid4vp.expired",
            ErrorKind::IssuedInFuture => "openid4vp.issued_in_future",
            ErrorKind::Signing => "openid4vp.signing",
            ErrorKind::UnknownQuery => "openid4vp.unknown_query",
            ErrorKind::NotOptional => "openid4vp.not_optional",
            ErrorKind::NotSatisfiable => "openid4vp.not_satisfiable",
            ErrorKind::Credential => "openid4vp.credential",
            ErrorKind::UnexpectedCredentialQuery => "openid4vp.unexpected_credential_query",
            ErrorKind::TooManyPresentations => "openid4vp.too_many_presentations",
            ErrorKind::MalformedPresentation => "openid4vp.malformed_presentation",
            ErrorKind::StateMismatch => "openid4vp.state_mismatch",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::TooLong { .. } => ErrorKind::TooLong,
            Error::InvalidJson { .. } => ErrorKind::InvalidJson,
            Error::WrongType { .. } => ErrorKind::WrongType,
            Error::MissingField { .. } => ErrorKind::MissingField,
            Error::EmptyArray { .. } => ErrorKind::EmptyArray,
            Error::TooMany { .. } => ErrorKind::TooMany,
            Error::UnknownMember { .. } => ErrorKind::UnknownMember,
            Error::InvalidId { .. } => ErrorKind::InvalidId,
            Error::DuplicateCredentialId(_) => ErrorKind::DuplicateCredentialId,
            Error::DuplicateClaimId { .. } => ErrorKind::DuplicateClaimId,
            Error::DuplicateClaimPath { .. } => ErrorKind::DuplicateClaimPath,
            Error::UnknownFormat(_) => ErrorKind::UnknownFormat,
            Error::UnsupportedFormat(_) => ErrorKind::UnsupportedFormat,
            Error::InvalidPath { .. } => ErrorKind::InvalidPath,
            Error::InvalidValue { .. } => ErrorKind::InvalidValue,
            Error::ClaimSetsWithoutClaims(_) => ErrorKind::ClaimSetsWithoutClaims,
            Error::ClaimWithoutId { .. } => ErrorKind::ClaimWithoutId,
            Error::UnknownClaimId { .. } => ErrorKind::UnknownClaimId,
            Error::UnknownCredentialId(_) => ErrorKind::UnknownCredentialId,
            Error::DuplicateInOption { .. } => ErrorKind::DuplicateInOption,
            Error::InvalidUrl(_) => ErrorKind::InvalidUrl,
            Error::PercentEncoding(_) => ErrorKind::PercentEncoding,
            Error::DuplicateParameter(_) => ErrorKind::DuplicateParameter,
            Error::MissingParameter(_) => ErrorKind::MissingParameter,
            Error::UnsupportedParameter(_) => ErrorKind::UnsupportedParameter,
            Error::TransactionDataUnsupported => ErrorKind::TransactionDataUnsupported,
            Error::UnsupportedResponseType(_) => ErrorKind::UnsupportedResponseType,
            Error::UnsupportedResponseMode(_) => ErrorKind::UnsupportedResponseMode,
            Error::UnsupportedClientIdPrefix(_) => ErrorKind::UnsupportedClientIdPrefix,
            Error::InvalidClientId(_) => ErrorKind::InvalidClientId,
            Error::ResponseUriMismatch => ErrorKind::ResponseUriMismatch,
            Error::InvalidUri { .. } => ErrorKind::InvalidUri,
            Error::InvalidToken { .. } => ErrorKind::InvalidToken,
            Error::MissingState => ErrorKind::MissingState,
            Error::InvalidRequestUriMethod(_) => ErrorKind::InvalidRequestUriMethod,
            Error::RequestUriMethodWithoutRequestUri => {
                ErrorKind::RequestUriMethodWithoutRequestUri
            }
            Error::CannotSign(_) => ErrorKind::CannotSign,
            Error::TooManyOptionalClaims { .. } => ErrorKind::TooManyOptionalClaims,
            Error::MalformedJws { .. } => ErrorKind::MalformedJws,
            Error::AlgorithmNotAllowed(_) => ErrorKind::AlgorithmNotAllowed,
            Error::ForbiddenHeader(_) => ErrorKind::ForbiddenHeader,
            Error::WrongTyp { .. } => ErrorKind::WrongTyp,
            Error::MissingKid(_) => ErrorKind::MissingKid,
            Error::KidMismatch { .. } => ErrorKind::KidMismatch,
            Error::KeyResolution(_) => ErrorKind::KeyResolution,
            Error::BadSignature(_) => ErrorKind::BadSignature,
            Error::ClientIdMismatch => ErrorKind::ClientIdMismatch,
            Error::AudienceMismatch => ErrorKind::AudienceMismatch,
            Error::WalletNonceMismatch => ErrorKind::WalletNonceMismatch,
            Error::Expired(_) => ErrorKind::Expired,
            Error::IssuedInFuture { .. } => ErrorKind::IssuedInFuture,
            Error::Signing(_) => ErrorKind::Signing,
            Error::UnknownQuery(_) => ErrorKind::UnknownQuery,
            Error::NotOptional { .. } => ErrorKind::NotOptional,
            Error::NotSatisfiable(_) => ErrorKind::NotSatisfiable,
            Error::Credential(_) => ErrorKind::Credential,
            Error::UnexpectedCredentialQuery(_) => ErrorKind::UnexpectedCredentialQuery,
            Error::TooManyPresentations { .. } => ErrorKind::TooManyPresentations,
            Error::MalformedPresentation { .. } => ErrorKind::MalformedPresentation,
            Error::StateMismatch => ErrorKind::StateMismatch,
        }
    }

    /// The stable code of this error (shorthand for `self.kind().as_str()`).
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }
}

/// At most `max` characters of `text`, with `…` when cut: inputs quoted in messages.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let head: String = text.chars().take(max).collect();
        format!("{head}…")
    }
}
