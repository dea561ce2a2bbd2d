//! The errors of the [`openid4vp`](crate::openid4vp) module, one enum per concern
//! behind the transparent top-level [`Error`]:
//!
//! | concern | enum | raised in |
//! |---|---|---|
//! | input size and JSON | [`InputError`] | `json.rs`, `form.rs`, every reader |
//! | DCQL rules | [`DcqlError`] | `dcql/read.rs`, `dcql/claim_sets.rs` |
//! | the Authorization Request | [`RequestError`] | `request/`, `form.rs` |
//! | signed objects (Request Objects, receipts) | [`SignedObjectError`] | `jws.rs`, `request/signing.rs`, `receipt.rs` |
//! | wallet-side matching | [`MatchingError`] | `matching.rs` |
//! | the response | [`ResponseError`] | `response/` |
//!
//! Every rejection has its own variant. Its stable code (`"openid4vp.invalid_id"`),
//! which front ends, logs and `civitas verify --json` match on, is derived from the
//! variant name (`openid4vp.` and the name in snake case) by `strum`, and so is its
//! copyable kind; [`Error::kind`] and [`Error::code`] reach them from the top. Messages
//! never echo claim values, and quote at most a few dozen characters of any input.

/// Result alias for the [`openid4vp`](crate::openid4vp) module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Implements `kind()` and `code()` for a concern enum whose kind enum is derived by
/// `strum::EnumDiscriminants` and whose code is derived by `strum::IntoStaticStr`.
macro_rules! concern {
    ($error:ident, $kind:ident) => {
        impl $error {
            /// The kind of this error, without its details.
            pub fn kind(&self) -> $kind {
                self.into()
            }

            /// The stable code of this error, such as `"openid4vp.too_long"`.
            pub fn code(&self) -> &'static str {
                self.into()
            }
        }

        impl $kind {
            /// The stable code of this kind.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}

/// What can go wrong in the [`openid4vp`](crate::openid4vp) module: one variant per concern,
/// each wrapping that concern's enum and showing its message unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`InputError`].
    #[error(transparent)]
    Input(#[from] InputError),
    /// See [`DcqlError`].
    #[error(transparent)]
    Dcql(#[from] DcqlError),
    /// See [`RequestError`].
    #[error(transparent)]
    Request(#[from] RequestError),
    /// See [`SignedObjectError`].
    #[error(transparent)]
    SignedObject(#[from] SignedObjectError),
    /// See [`MatchingError`].
    #[error(transparent)]
    Matching(#[from] MatchingError),
    /// See [`ResponseError`].
    #[error(transparent)]
    Response(#[from] ResponseError),
}

/// The kind of an [`Error`], without its details: copyable, comparable, with a
/// stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`InputErrorKind`].
    Input(InputErrorKind),
    /// See [`DcqlErrorKind`].
    Dcql(DcqlErrorKind),
    /// See [`RequestErrorKind`].
    Request(RequestErrorKind),
    /// See [`SignedObjectErrorKind`].
    SignedObject(SignedObjectErrorKind),
    /// See [`MatchingErrorKind`].
    Matching(MatchingErrorKind),
    /// See [`ResponseErrorKind`].
    Response(ResponseErrorKind),
}

impl Error {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Input(e) => ErrorKind::Input(e.kind()),
            Error::Dcql(e) => ErrorKind::Dcql(e.kind()),
            Error::Request(e) => ErrorKind::Request(e.kind()),
            Error::SignedObject(e) => ErrorKind::SignedObject(e.kind()),
            Error::Matching(e) => ErrorKind::Matching(e.kind()),
            Error::Response(e) => ErrorKind::Response(e.kind()),
        }
    }

    /// The stable code of this error (shorthand for `self.kind().as_str()`).
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }
}

impl ErrorKind {
    /// The stable code, `openid4vp.<snake_case name of the variant>`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Input(k) => k.as_str(),
            ErrorKind::Dcql(k) => k.as_str(),
            ErrorKind::Request(k) => k.as_str(),
            ErrorKind::SignedObject(k) => k.as_str(),
            ErrorKind::Matching(k) => k.as_str(),
            ErrorKind::Response(k) => k.as_str(),
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<civitas_crypto::Error> for Error {
    fn from(e: civitas_crypto::Error) -> Self {
        Error::SignedObject(e.into())
    }
}

impl From<civitas_credential::Error> for Error {
    fn from(e: civitas_credential::Error) -> Self {
        Error::Matching(e.into())
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

/// An input refused for its size or its JSON: too long, not JSON, a wrong type, a missing
/// or unknown member.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "openid4vp.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(InputErrorKind),
    doc = "The kind of a [`InputError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "openid4vp.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum InputError {
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
}

concern!(InputError, InputErrorKind);

/// A DCQL query (OpenID4VP 1.0 §6, §7) that breaks a rule, or a counter's claims that
/// `claim_sets` cannot express.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "openid4vp.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(DcqlErrorKind),
    doc = "The kind of a [`DcqlError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "openid4vp.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum DcqlError {
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
    /// The counter's builder was given more optional claims than `claim_sets` can
    /// express compactly.
    #[error("at most {max} optional claims (each subset becomes a claim set)")]
    TooManyOptionalClaims {
        /// The limit.
        max: usize,
    },
}

concern!(DcqlError, DcqlErrorKind);

/// An Authorization Request (§5) or its URL that Civitas refuses.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "openid4vp.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(RequestErrorKind),
    doc = "The kind of a [`RequestError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "openid4vp.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum RequestError {
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
}

concern!(RequestError, RequestErrorKind);

/// A signed object (a Request Object or a receipt) that is malformed, badly signed,
/// or not the one expected; or signing failed.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "openid4vp.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(SignedObjectErrorKind),
    doc = "The kind of a [`SignedObjectError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "openid4vp.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum SignedObjectError {
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
}

concern!(SignedObjectError, SignedObjectErrorKind);

/// Wallet-side matching: the held credentials against a request, and the holder's
/// choices.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "openid4vp.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(MatchingErrorKind),
    doc = "The kind of a [`MatchingError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "openid4vp.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum MatchingError {
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
}

concern!(MatchingError, MatchingErrorKind);

/// An Authorization Response (§8) that does not answer the request.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "openid4vp.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(ResponseErrorKind),
    doc = "The kind of a [`ResponseError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "openid4vp.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum ResponseError {
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

concern!(ResponseError, ResponseErrorKind);
