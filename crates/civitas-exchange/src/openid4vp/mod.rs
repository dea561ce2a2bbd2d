//! OpenID for Verifiable Presentations 1.0 (final, 2025), the subset a service counter
//! and the citizen's wallet need: SD-JWT VCs (`dc+sd-jwt`) asked for with a DCQL
//! query, answered by `direct_post`.
//!
//! ```text
//!  counter                                          wallet
//!  ───────                                          ──────
//!  AuthorizationRequest::for_counter ─▶ to_url ─▶ QR ─▶ RequestUrl::parse
//!    (too large for the QR: sign ─▶ serve at         │ (ByReference: fetch, then
//!     request_uri; reference(..).to_url)             │  verify_request_object)
//!                                                    ▼
//!                                          match_request(&request, &credentials)
//!                                            ─▶ MatchReport: candidates, what is
//!                                               disclosed, what is missing, optional
//!                                          holder leaves out optional claims
//!                                            ─▶ MatchReport::present (KB-JWT: aud =
//!                                               client_id, nonce = request nonce)
//!                                          VpToken ─▶ AuthorizationResponse::to_form
//!  parse_direct_post ◀── POST response_uri ─────────┘
//!  AuthorizationResponse::check (state, shape)
//!  civitas-verifier on each presentation (nonce, aud = client_id)   [in the CLI]
//!  check_dcql_satisfied (types, claims, values, credential sets)
//!  sign_receipt ──────────────────────────────▶ verify_receipt (the citizen's record)
//! ```
//!
//! # What is supported, exactly
//!
//! - **Request** (§5): `response_type=vp_token`, `response_mode=direct_post` with
//!   `response_uri` (§8.2), `nonce` (required, URL-safe characters), `state`
//!   (required when a query accepts presentations without holder binding, §5.3),
//!   `dcql_query`, `client_metadata` (an object), and in Request Objects
//!   `wallet_nonce`. Client Identifier Prefixes (§5.9): `redirect_uri:` (unsigned; the
//!   Response URI may then be omitted and must equal it when given) and
//!   `decentralized_identifier:` (signed Request Objects, the key found from the
//!   `kid` DID URL). Refused, each with its own error: other prefixes, `origin:`,
//!   pre-registered clients, `scope`, `request` (Request Objects by value),
//!   `redirect_uri` with `direct_post`, `transaction_data` (a Wallet that does not
//!   support it MUST refuse, §5.1), other response types and modes. Unknown
//!   parameters are ignored, as §5 requires; a parameter twice is refused (RFC 6749
//!   §3.1).
//! - **URL forms**: by value, `openid4vp://?client_id=…&response_type=vp_token&
//!   response_mode=direct_post&response_uri=…&nonce=…&dcql_query=…` (JSON values as
//!   compact JSON text, every value percent-encoded); by reference,
//!   `openid4vp://?client_id=decentralized_identifier%3A…&request_uri=…` whose Request
//!   URI serves a signed Request Object (`typ` `oauth-authz-req+jwt`, §5.10.1).
//!   [`AuthorizationRequest::fits_by_value`] lets the counter choose.
//! - **DCQL** (§6, §7): see [`dcql`]. Only `dc+sd-jwt`; `trusted_authorities` is kept
//!   and passed on, not evaluated (trust is the counter's decision).
//! - **Matching** (§6.4): see [`matching`].
//! - **Response** (§8): [`VpToken`], the form body, [`check_dcql_satisfied`]; see
//!   [`response`].
//! - **Receipts** (Civitas): see [`receipt`].
//!
//! # A counter without network
//!
//! The request needs no network to reach the wallet: the counter shows it by value
//! (a reference needs the Request URI, so it is not for offline counters; a request
//! too large for one code can use a QR version up to 40, 2,331 bytes). The response
//! cannot be posted; the wallet shows each presentation as a `CIV1` QR code instead
//! ([`crate::qr`]), still bound to the request's nonce and, as `aud`, its Client
//! Identifier. The counter scans them, verifies each, assigns them to the Credential
//! Queries with [`assign_to_queries`] (a VP Token's keys are not carried) and then runs
//! [`check_dcql_satisfied`] as for a posted response. No new wire format is needed.
//!
//! Not supported: encrypted responses (`direct_post.jwt`), the Digital Credentials
//! API, `mso_mdoc` and W3C formats, SD-JWT VC type inheritance in `vct_values`.

mod error;
mod form;
mod json;
mod jws;
mod limits;

pub mod dcql;
pub mod matching;
pub mod receipt;
pub mod request;
pub mod response;

pub use dcql::{ClaimsQuery, CredentialQuery, CredentialSetQuery, DcqlQuery, TrustedAuthority};
pub use error::{
    DcqlError, DcqlErrorKind, Error, ErrorKind, InputError, InputErrorKind, MatchingError,
    MatchingErrorKind, RequestError, RequestErrorKind, ResponseError, ResponseErrorKind, Result,
    SignedObjectError, SignedObjectErrorKind,
};
pub use limits::{MAX_TOKEN_LEN, MAX_URI_LEN, MAX_URL_LEN};
pub use matching::{
    Candidate, MatchReport, MissingClaim, MissingReason, QueryMatch, RequestedClaim, SetMatch,
    Unusable, match_query, match_request,
};
pub use receipt::{Receipt, sign_receipt, verify_receipt};
pub use request::{
    AuthorizationRequest, ClientId, ClientIdPrefix, RequestReference, RequestUriMethod, RequestUrl,
    civitas_client_metadata, generate_nonce,
};
pub use response::{
    AuthorizationResponse, DcqlCheck, DirectPostBody, ErrorResponse, Unmet, VpToken,
    assign_to_queries, check_dcql, check_dcql_satisfied, parse_direct_post,
};
