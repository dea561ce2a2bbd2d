//! The Authorization Response (OpenID4VP 1.0 §8): the VP Token, the `direct_post`
//! body, and the check that verified presentations satisfy the DCQL query.
//!
//! Verifying each presentation (signatures, key binding to the request's `nonce` and
//! Client Identifier, trust, status) is `civitas-verifier`'s work, above this crate;
//! [`check_dcql_satisfied`] takes its results and does the rest of §8.6.
//!
//! # Layout
//!
//! - [`vp_token`](self::vp_token): the VP Token, its JSON form and the shape of each
//!   presentation;
//! - [`direct_post`](self::direct_post): the response, the error response and the
//!   `direct_post` body;
//! - [`dcql_check`](self::dcql_check): whether verified presentations satisfy the DCQL
//!   query ([`check_dcql_satisfied`], [`Unmet`]), and assigning scanned presentations
//!   to Credential Queries.

pub mod dcql_check;
pub mod direct_post;
pub mod vp_token;

pub use dcql_check::{
    DcqlCheck, Unmet, VerifiedClaims, assign_to_queries, check_dcql, check_dcql_satisfied,
};
pub use direct_post::{AuthorizationResponse, DirectPostBody, ErrorResponse, parse_direct_post};
pub use vp_token::{MAX_BODY_LEN, MAX_PRESENTATION_LEN, MAX_PRESENTATIONS, VpToken};
