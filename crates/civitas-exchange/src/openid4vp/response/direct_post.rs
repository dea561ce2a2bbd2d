//! The Authorization Response and the `direct_post` body (§8.2): building the form a
//! wallet posts, and parsing what a counter receives.

use super::vp_token::{MAX_BODY_LEN, VpToken};
use crate::openid4vp::error::{Error, InputError, RequestError, ResponseError, Result};
use crate::openid4vp::form;
use crate::openid4vp::limits::MAX_TOKEN_LEN;
use crate::openid4vp::request::AuthorizationRequest;

/// A successful Authorization Response: the VP Token and the request's `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationResponse {
    /// The presentations.
    pub vp_token: VpToken,
    /// The request's `state`, echoed.
    pub state: Option<String>,
}

/// An Authorization Error Response (§8.5, RFC 6749 §4.1.2.1), as a Wallet posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The error code (`access_denied`, `invalid_request`, `vp_formats_not_supported`…).
    pub error: String,
    /// A human-readable description, if given.
    pub error_description: Option<String>,
    /// The request's `state`, echoed.
    pub state: Option<String>,
}

/// What a Wallet posts to the Response URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectPostBody {
    /// Presentations.
    Response(AuthorizationResponse),
    /// A refusal or failure.
    Error(ErrorResponse),
}

impl AuthorizationResponse {
    /// The response to `request`: `vp_token` checked against its query
    /// ([`VpToken::check_against`]), its `state` echoed.
    pub fn for_request(request: &AuthorizationRequest, vp_token: VpToken) -> Result<Self> {
        vp_token.check_against(request.dcql_query())?;
        Ok(AuthorizationResponse {
            vp_token,
            state: request.state().map(str::to_string),
        })
    }

    /// The `application/x-www-form-urlencoded` body: `vp_token=…[&state=…]`.
    pub fn to_form(&self) -> String {
        let token = self.vp_token.to_json();
        let mut pairs = vec![("vp_token", token.as_str())];
        if let Some(state) = &self.state {
            pairs.push(("state", state.as_str()));
        }
        form::serialize(pairs)
    }

    /// Checks the response against the request it answers: the same `state` (none if
    /// the request had none), and the VP Token's shape.
    pub fn check(&self, request: &AuthorizationRequest) -> Result<()> {
        if self.state.as_deref() != request.state() {
            return Err(ResponseError::StateMismatch.into());
        }
        self.vp_token.check_against(request.dcql_query())
    }
}

/// Parses a `direct_post` body (§8.2): form-encoded, UTF-8, no parameter twice, at
/// most [`MAX_BODY_LEN`] bytes. `vp_token` makes a response, `error` an error
/// response; both, or neither, is refused, and so is `response` (the encrypted
/// `direct_post.jwt`, not supported). Other parameters are ignored (§8.1).
pub fn parse_direct_post(body: &str) -> Result<DirectPostBody> {
    if body.len() > MAX_BODY_LEN {
        return Err(InputError::TooLong {
            what: "the direct_post body",
            len: body.len(),
            max: MAX_BODY_LEN,
        }
        .into());
    }
    let body = body.trim_end_matches(['\r', '\n']);
    let pairs = form::parse(body)?;
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if get("response").is_some() {
        return Err(RequestError::UnsupportedResponseMode("direct_post.jwt".into()).into());
    }
    let state = get("state")
        .map(|s| {
            if s.len() > MAX_TOKEN_LEN || !s.bytes().all(form::is_unreserved) {
                Err(Error::from(RequestError::InvalidToken {
                    param: "state",
                    max: MAX_TOKEN_LEN,
                }))
            } else {
                Ok(s.to_string())
            }
        })
        .transpose()?;
    match (get("vp_token"), get("error")) {
        (Some(_), Some(_)) => Err(RequestError::UnsupportedParameter("error").into()),
        (None, None) => Err(RequestError::MissingParameter("vp_token").into()),
        (Some(token), None) => Ok(DirectPostBody::Response(AuthorizationResponse {
            vp_token: VpToken::parse(token)?,
            state,
        })),
        (None, Some(error)) => {
            // RFC 6749 §4.1.2.1: error and error_description use %x20-21 / %x23-5B /
            // %x5D-7E.
            let ok = |s: &str| {
                s.len() <= 1024
                    && s.bytes()
                        .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\')
            };
            let description = get("error_description");
            if !ok(error) || description.is_some_and(|d| !ok(d)) {
                return Err(InputError::WrongType {
                    field: "error".into(),
                    expected: "printable ASCII without '\"' or '\\'",
                }
                .into());
            }
            Ok(DirectPostBody::Error(ErrorResponse {
                error: error.to_string(),
                error_description: description.map(str::to_string),
                state,
            }))
        }
    }
}
