//! The `openid4vp://` URL forms (§5, §13.1.2): a request by value
//! ([`AuthorizationRequest::to_url`]), a request by reference ([`RequestReference`]),
//! and the strict parser of both ([`RequestUrl::parse`]).

use super::client_id::{ClientId, ClientIdPrefix};
use super::object::AuthorizationRequest;
use crate::openid4vp::dcql::MAX_QUERY_LEN;
use crate::openid4vp::error::{InputError, RequestError, Result, shorten};
use crate::openid4vp::form;
use crate::openid4vp::json::parse_strict;
use crate::openid4vp::limits::MAX_URL_LEN;
use serde_json::{Map, Value};

/// The URL scheme a Wallet registers (§13.1.2, Appendix "openid4vp" URI scheme).
pub const SCHEME: &str = "openid4vp";

impl AuthorizationRequest {
    /// The request by value (§5, §13.1.2): `openid4vp://?client_id=…&response_type=
    /// vp_token&response_mode=direct_post&response_uri=…&nonce=…[&state=…]
    /// &dcql_query=…[&client_metadata=…]`, every value percent-encoded (JSON ones as
    /// compact JSON text).
    pub fn to_url(&self) -> String {
        let params = self.params();
        format!(
            "{SCHEME}://?{}",
            form::serialize(params.iter().map(|(k, v)| (*k, v.as_str())))
        )
    }

    /// Whether the by-value URL is at most `max_len` bytes: the counter shows it when
    /// it fits its QR code, and a reference ([`AuthorizationRequest::reference`])
    /// otherwise. In byte mode at ECC M, a version 25 QR code holds 997 bytes and a
    /// version 40 one 2,331.
    pub fn fits_by_value(&self, max_len: usize) -> bool {
        self.to_url().len() <= max_len
    }

    /// Whether the by-value URL fits one QR code rendered with `options` (at most
    /// `options.max_version`, byte mode).
    pub fn fits_qr(&self, options: &crate::qr::QrOptions) -> bool {
        crate::qr::render(&self.to_url(), options).is_ok()
    }
}

/// How the Wallet fetches a Request Object (§5.1 `request_uri_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestUriMethod {
    /// HTTP GET (the default of RFC 9101).
    Get,
    /// HTTP POST with `wallet_metadata` and `wallet_nonce` (§5.10).
    Post,
}

impl RequestUriMethod {
    /// The parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestUriMethod::Get => "get",
            RequestUriMethod::Post => "post",
        }
    }
}

/// A request by reference: `openid4vp://?client_id=…&request_uri=…
/// [&request_uri_method=post]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestReference {
    pub(super) client_id: ClientId,
    pub(super) request_uri: String,
    pub(super) method: Option<RequestUriMethod>,
}

impl RequestReference {
    /// A reference to the Request Object of `client_id` at `request_uri`. The client
    /// must be able to sign (`decentralized_identifier:`).
    pub fn new(
        client_id: &str,
        request_uri: &str,
        method: Option<RequestUriMethod>,
    ) -> Result<Self> {
        let client_id = ClientId::parse(client_id)?;
        if client_id.prefix() == ClientIdPrefix::RedirectUri {
            return Err(RequestError::CannotSign(ClientIdPrefix::RedirectUri.as_str()).into());
        }
        form::check_uri(request_uri, "request_uri")?;
        Ok(RequestReference {
            client_id,
            request_uri: request_uri.to_string(),
            method,
        })
    }

    /// The Client Identifier.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// Where the Request Object is.
    pub fn request_uri(&self) -> &str {
        &self.request_uri
    }

    /// How to fetch it, if said.
    pub fn method(&self) -> Option<RequestUriMethod> {
        self.method
    }

    /// The URL.
    pub fn to_url(&self) -> String {
        let mut pairs = vec![
            ("client_id", self.client_id.as_str()),
            ("request_uri", self.request_uri.as_str()),
        ];
        if let Some(method) = self.method {
            pairs.push(("request_uri_method", method.as_str()));
        }
        format!("{SCHEME}://?{}", form::serialize(pairs))
    }
}

/// What an `openid4vp:` URL holds.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestUrl {
    /// The whole request.
    ByValue(AuthorizationRequest),
    /// A reference to a signed Request Object.
    ByReference(RequestReference),
}

impl RequestUrl {
    /// Parses a scanned `openid4vp:` URL strictly: the scheme (any case) followed by
    /// `//` and an optional authority and path, a query, no fragment; the query
    /// decoded as `application/x-www-form-urlencoded` with no parameter twice. With
    /// `request_uri` it is a reference (the other parameters, which RFC 9101 lets a
    /// client repeat for compatibility, are not used); otherwise every parameter of a
    /// request by value is checked. A trailing CR/LF (from a keyboard-wedge scanner) is
    /// ignored.
    pub fn parse(url: &str) -> Result<Self> {
        let url = url.trim_end_matches(['\r', '\n']);
        if url.len() > MAX_URL_LEN {
            return Err(InputError::TooLong {
                what: "the request URL",
                len: url.len(),
                max: MAX_URL_LEN,
            }
            .into());
        }
        let scheme_end = url.find(':').ok_or(RequestError::InvalidUrl("no scheme"))?;
        if !url[..scheme_end].eq_ignore_ascii_case(SCHEME) {
            return Err(RequestError::InvalidUrl("the scheme is not openid4vp").into());
        }
        let rest = &url[scheme_end + 1..];
        let (head, query) = rest
            .split_once('?')
            .ok_or(RequestError::InvalidUrl("no query"))?;
        if !head.is_empty() && !head.starts_with("//") {
            return Err(RequestError::InvalidUrl("the scheme must be followed by '//'").into());
        }
        if !head
            .bytes()
            .all(|b| form::is_unreserved(b) || b == b'/' || b == b':')
        {
            return Err(
                RequestError::InvalidUrl("a character not allowed before the query").into(),
            );
        }
        if query.contains('#') {
            return Err(RequestError::InvalidUrl("it has a fragment").into());
        }
        let pairs = form::parse(query)?;
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if get("transaction_data").is_some() {
            return Err(RequestError::TransactionDataUnsupported.into());
        }
        if get("request").is_some() {
            return Err(RequestError::UnsupportedParameter("request").into());
        }
        if let Some(request_uri) = get("request_uri") {
            let client_id = get("client_id").ok_or(RequestError::MissingParameter("client_id"))?;
            let method = match get("request_uri_method") {
                None => None,
                Some("get") => Some(RequestUriMethod::Get),
                Some("post") => Some(RequestUriMethod::Post),
                Some(other) => {
                    return Err(RequestError::InvalidRequestUriMethod(shorten(other, 20)).into());
                }
            };
            return Ok(RequestUrl::ByReference(RequestReference::new(
                client_id,
                request_uri,
                method,
            )?));
        }
        let mut map = Map::new();
        for (name, value) in pairs {
            let value = match name.as_str() {
                "dcql_query" => parse_strict(value.as_bytes(), "dcql_query", MAX_QUERY_LEN)?,
                "client_metadata" => {
                    parse_strict(value.as_bytes(), "client_metadata", MAX_QUERY_LEN)?
                }
                _ => Value::String(value),
            };
            map.insert(name, value);
        }
        Ok(RequestUrl::ByValue(AuthorizationRequest::from_json(&map)?))
    }
}
