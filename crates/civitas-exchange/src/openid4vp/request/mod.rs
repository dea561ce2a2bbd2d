//! The Authorization Request (OpenID4VP 1.0 §5), one concern a file:
//!
//! - [`client_id`](self::client_id): the Client Identifier and its prefixes (§5.9);
//! - [`object`](self::object): [`AuthorizationRequest`], its parameters, the counter's
//!   builder, every check of a request by value, its JSON form;
//! - [`url`](self::url): the `openid4vp://` URL forms, by value and by reference
//!   ([`RequestUrl`], [`RequestReference`]);
//! - [`signing`](self::signing): signed Request Objects (RFC 9101): signing a request,
//!   verifying the one a reference points to.

pub mod client_id;
pub mod object;
pub mod signing;
pub mod url;

#[cfg(test)]
mod tests;

pub use super::dcql::MAX_OPTIONAL_CLAIMS;
pub use client_id::{ClientId, ClientIdPrefix};
pub use object::{
    AuthorizationRequest, RESPONSE_MODE_DIRECT_POST, RESPONSE_TYPE, civitas_client_metadata,
    generate_nonce,
};
pub use signing::{
    MAX_REQUEST_OBJECT_LEN, REQUEST_OBJECT_SKEW, SELF_ISSUED_AUDIENCE, TYP_REQUEST_OBJECT,
};
pub use url::{RequestReference, RequestUriMethod, RequestUrl, SCHEME};
