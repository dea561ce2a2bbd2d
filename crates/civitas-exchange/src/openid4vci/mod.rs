//! OpenID for Verifiable Credential Issuance 1.0 (final): the protocol messages both
//! the issuer (`civitas-issuer`) and the wallet (`civitas-wallet`) use.
//!
//! ```text
//!  issuer (back office)                                wallet
//!  CredentialOffer::to_uri ─▶ QR / link (+ PIN apart) ─▶ parse_offer_url
//!  GET /.well-known/openid-credential-issuer ◀────────── CredentialIssuerMetadata::from_json
//!  GET /.well-known/oauth-authorization-server ◀──────── AuthorizationServerMetadata::from_json
//!  POST /token  TokenRequest::from_form ◀─────────────── TokenRequest::pre_authorized(code, PIN)
//!               TokenResponse ─────────────────────────▶ TokenResponse::from_json
//!  POST /nonce  NonceResponse ─────────────────────────▶ NonceResponse::from_json
//!  POST /credential CredentialRequest::from_json ◀────── build_proof + CredentialRequest
//!               check_proof (+ nonce consumed)
//!               CredentialResponse ────────────────────▶ CredentialResponse::from_json
//!  any refusal: OAuthError {error, error_description} ─▶ OAuthError::from_body
//! ```
//!
//! Supported: the Pre-Authorized Code Flow with a Transaction Code, offers by value
//! and by reference, the Nonce Endpoint, `dc+sd-jwt` credentials, JWT key proofs with
//! `jwk` or a DID URL `kid`, deferred issuance (`POST /deferred_credential` with a
//! `transaction_id`: 202 with `interval` while pending) and the Notification Endpoint.
//! The Authorization Code Flow (§5): PAR (RFC 9126), PKCE `S256` (RFC 7636), `iss` in the
//! authorization response (RFC 9207), loopback redirects (RFC 8252). Encryption comes
//! later.

mod authorization;
mod credential;
mod deferred;
mod error;
pub mod form;
mod metadata;
mod offer;
mod proof;
mod token;

pub use authorization::{
    AuthorizationResponse, MAX_PAR_LEN, OPENID_CREDENTIAL, PKCE_S256, ParResponse,
    PushedAuthorizationRequest, REQUEST_URI_PREFIX, authorization_url, check_pkce_value,
    check_redirect_uri, pkce_challenge,
};
pub use credential::{
    CredentialRequest, CredentialResponse, IssuedCredential, MAX_PROOF_LEN, MAX_PROOFS,
    NonceResponse, Requested,
};
pub use deferred::{
    DeferredCredentialRequest, MAX_EVENT_DESCRIPTION, MAX_ID_LEN, NotificationError,
    NotificationEvent, NotificationRequest,
};
pub use error::{Error, ErrorCode, OAuthError, Result};
pub use metadata::{
    AUTHORIZATION_SERVER_METADATA_PATH, AuthorizationServerMetadata, BatchCredentialIssuance,
    ClaimDescription, CredentialConfiguration, CredentialIssuerMetadata, CredentialMetadata,
    Display, FORMAT_SD_JWT_VC, ISSUER_METADATA_PATH, PROOF_TYP, ProofType, pick_display,
    well_known_url,
};
pub use offer::{
    AUTHORIZATION_CODE_GRANT, AuthorizationCodeGrant, CredentialOffer, Grants, MAX_OFFER_URL_LEN,
    MAX_TX_CODE_DESCRIPTION, OFFER_SCHEME, OfferRef, PRE_AUTHORIZED_GRANT, PreAuthorizedCodeGrant,
    TxCode, check_issuer_url, is_offer_url, parse_offer_url,
};
pub use proof::{CheckedProof, HolderKey, ProofCheck, ProofKey, build_proof, check_proof};
pub use token::{Secret, TokenRequest, TokenResponse};
