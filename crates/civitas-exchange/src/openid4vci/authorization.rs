//! The Authorization Code Flow (OpenID4VCI 1.0 §5): the Pushed Authorization Request
//! (RFC 9126) with PKCE (RFC 7636, `S256` only), `authorization_details` of type
//! `openid_credential` or a `scope`, `issuer_state`; the request URI the wallet sends
//! the browser to `/authorize` with; the authorization response with `iss` (RFC 9207)
//! that comes back to the wallet's loopback redirect (RFC 8252).

use super::error::{Error, Result, shorten};
use super::form;
use civitas_crypto::b64;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The prefix of a `request_uri` (RFC 9126 §2.2).
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// The `authorization_details` type of a credential (OpenID4VCI §5.1.1).
pub const OPENID_CREDENTIAL: &str = "openid_credential";

/// The PKCE method: `S256` only (`plain` is refused).
pub const PKCE_S256: &str = "S256";

/// The largest form body a PAR endpoint reads.
pub const MAX_PAR_LEN: usize = 16 * 1024;

/// RFC 7636 §4.2: `BASE64URL(SHA256(ASCII(code_verifier)))`.
pub fn pkce_challenge(verifier: &str) -> String {
    b64::sha256_b64(verifier.as_bytes())
}

/// RFC 7636 §4.1: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.
pub fn check_pkce_value(value: &str, what: &'static str) -> Result<()> {
    let ok = (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if ok {
        Ok(())
    } else {
        Err(Error::malformed(
            what,
            "must be 43 to 128 unreserved characters",
        ))
    }
}

/// A redirect URI a wallet may use: `https://…`, or `http://` to a loopback IP literal
/// with any port (RFC 8252 §7.3); no fragment, no user info, at most 2048 bytes.
pub fn check_redirect_uri(uri: &str) -> Result<()> {
    const WHAT: &str = "redirect_uri";
    if uri.len() > 2048 || uri.contains('#') || uri.chars().any(|c| c.is_whitespace()) {
        return Err(Error::malformed(
            WHAT,
            "longer than 2048 bytes, or a fragment or a space",
        ));
    }
    let rest = if let Some(r) = uri.strip_prefix("https://") {
        r
    } else if let Some(r) = uri.strip_prefix("http://") {
        let authority = r.split(['/', '?']).next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        if !matches!(host, "127.0.0.1" | "::1" | "localhost") {
            return Err(Error::malformed(
                WHAT,
                "plain http only to a loopback address (RFC 8252)",
            ));
        }
        r
    } else {
        return Err(Error::malformed(WHAT, "not an https or loopback http URI"));
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(Error::malformed(WHAT, "no host, or user info"));
    }
    Ok(())
}

/// A Pushed Authorization Request (RFC 9126 §2.1) for credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct PushedAuthorizationRequest {
    /// The wallet (a public client).
    pub client_id: String,
    /// Where the authorization response goes.
    pub redirect_uri: String,
    /// The PKCE challenge (`S256`).
    pub code_challenge: String,
    /// The wallet's `state` (echoed in the response).
    pub state: Option<String>,
    /// The credential configurations asked for by `authorization_details`.
    pub configuration_ids: Vec<String>,
    /// The `scope` (space-separated configuration scopes).
    pub scope: Option<String>,
    /// The offer's `issuer_state`, when the flow began from an offer.
    pub issuer_state: Option<String>,
}

impl std::fmt::Debug for PushedAuthorizationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushedAuthorizationRequest")
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .field("configuration_ids", &self.configuration_ids)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl PushedAuthorizationRequest {
    /// The form body (`response_type=code`, `code_challenge_method=S256`).
    pub fn to_form(&self) -> String {
        let details = (!self.configuration_ids.is_empty()).then(|| {
            Value::Array(
                self.configuration_ids
                    .iter()
                    .map(|id| json!({"type": OPENID_CREDENTIAL, "credential_configuration_id": id}))
                    .collect(),
            )
            .to_string()
        });
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("code_challenge", self.code_challenge.as_str()),
            ("code_challenge_method", PKCE_S256),
        ];
        if let Some(s) = &self.state {
            pairs.push(("state", s));
        }
        if let Some(d) = &details {
            pairs.push(("authorization_details", d));
        }
        if let Some(s) = &self.scope {
            pairs.push(("scope", s));
        }
        if let Some(s) = &self.issuer_state {
            pairs.push(("issuer_state", s));
        }
        form::serialize(pairs)
    }

    /// Parses and checks a PAR form body: `invalid_request` for a missing or bad
    /// parameter, no PKCE, the `plain` method, a non-loopback http redirect, neither
    /// `authorization_details` nor `scope`, a `request` object (not supported).
    pub fn from_form(body: &str) -> Result<Self> {
        const WHAT: &str = "pushed authorization request";
        if body.len() > MAX_PAR_LEN {
            return Err(Error::malformed(WHAT, "larger than 16 KiB"));
        }
        let pairs = form::parse(body, WHAT)?;
        let get = |n: &str| form::get(&pairs, n);
        if get("request").is_some() || get("request_uri").is_some() {
            return Err(Error::malformed(
                WHAT,
                "request objects and request_uri are not accepted at the PAR endpoint",
            ));
        }
        match get("response_type") {
            Some("code") => {}
            Some(other) => {
                return Err(Error::malformed(
                    "response_type",
                    format!("{} is not supported: use code", shorten(other, 40)),
                ));
            }
            None => return Err(Error::malformed(WHAT, "no response_type")),
        }
        let client_id = get("client_id").ok_or_else(|| Error::malformed(WHAT, "no client_id"))?;
        if client_id.len() > 256 || client_id.chars().any(char::is_control) {
            return Err(Error::malformed("client_id", "longer than 256 bytes"));
        }
        let redirect_uri =
            get("redirect_uri").ok_or_else(|| Error::malformed(WHAT, "no redirect_uri"))?;
        check_redirect_uri(redirect_uri)?;
        let code_challenge = get("code_challenge")
            .ok_or_else(|| Error::malformed(WHAT, "no code_challenge: PKCE (S256) is required"))?;
        match get("code_challenge_method") {
            Some(PKCE_S256) => {}
            Some("plain") | None => {
                return Err(Error::malformed(
                    "code_challenge_method",
                    "only S256 is accepted (plain, or a missing method, is refused)",
                ));
            }
            Some(other) => {
                return Err(Error::malformed(
                    "code_challenge_method",
                    format!("{} is not supported: use S256", shorten(other, 20)),
                ));
            }
        }
        check_pkce_value(code_challenge, "code_challenge")?;
        let state = get("state").map(str::to_string);
        if state.as_ref().is_some_and(|s| s.len() > 512) {
            return Err(Error::malformed("state", "longer than 512 bytes"));
        }
        let issuer_state = get("issuer_state").map(str::to_string);
        if issuer_state.as_ref().is_some_and(|s| s.len() > 512) {
            return Err(Error::malformed("issuer_state", "longer than 512 bytes"));
        }
        let scope = get("scope").map(str::to_string);
        if scope.as_ref().is_some_and(|s| s.len() > 1024) {
            return Err(Error::malformed("scope", "longer than 1024 bytes"));
        }
        let configuration_ids = match get("authorization_details") {
            Some(text) => parse_authorization_details(text)?,
            None => Vec::new(),
        };
        if configuration_ids.is_empty() && scope.is_none() {
            return Err(Error::malformed(
                WHAT,
                "neither authorization_details nor scope names a credential",
            ));
        }
        Ok(PushedAuthorizationRequest {
            client_id: client_id.to_string(),
            redirect_uri: redirect_uri.to_string(),
            code_challenge: code_challenge.to_string(),
            state,
            configuration_ids,
            scope,
            issuer_state,
        })
    }
}

/// The configuration ids of `authorization_details` (a JSON array of objects with
/// `type` `openid_credential` and a `credential_configuration_id`).
fn parse_authorization_details(text: &str) -> Result<Vec<String>> {
    const WHAT: &str = "authorization_details";
    let value = civitas_credential::json::parse_strict(text.as_bytes())
        .map_err(|e| Error::malformed(WHAT, shorten(&e, 120)))?;
    let Value::Array(items) = value else {
        return Err(Error::malformed(WHAT, "not a JSON array"));
    };
    if items.is_empty() || items.len() > 8 {
        return Err(Error::malformed(WHAT, "must hold 1 to 8 entries"));
    }
    items
        .iter()
        .map(|d| {
            if d.get("type").and_then(Value::as_str) != Some(OPENID_CREDENTIAL) {
                return Err(Error::malformed(
                    WHAT,
                    "an entry whose type is not openid_credential",
                ));
            }
            match d.get("credential_configuration_id").and_then(Value::as_str) {
                Some(id) if !id.is_empty() && id.len() <= 256 => Ok(id.to_string()),
                _ => Err(Error::malformed(
                    WHAT,
                    "an entry without a credential_configuration_id",
                )),
            }
        })
        .collect()
}

/// The PAR endpoint's answer (RFC 9126 §2.2), HTTP 201.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParResponse {
    /// The request URI (single use).
    pub request_uri: String,
    /// Its lifetime in seconds.
    pub expires_in: u64,
}

impl ParResponse {
    /// Parses a PAR response body (at most 64 KiB).
    pub fn from_json(body: &[u8]) -> Result<Self> {
        if body.len() > 64 * 1024 {
            return Err(Error::malformed("PAR response", "larger than 64 KiB"));
        }
        let r: ParResponse = serde_json::from_slice(body)
            .map_err(|_| Error::malformed("PAR response", "not a PAR response"))?;
        if !r.request_uri.starts_with("urn:") || r.request_uri.len() > 512 {
            return Err(Error::malformed("PAR response", "request_uri is not a URN"));
        }
        Ok(r)
    }
}

/// The authorization endpoint URL for a pushed request: `…?client_id=…&request_uri=…`.
pub fn authorization_url(
    authorization_endpoint: &str,
    client_id: &str,
    request_uri: &str,
) -> String {
    let sep = if authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    format!(
        "{authorization_endpoint}{sep}{}",
        form::serialize([("client_id", client_id), ("request_uri", request_uri)])
    )
}

/// What came back to the wallet's redirect URI.
#[derive(Clone, PartialEq, Eq)]
pub enum AuthorizationResponse {
    /// Authorized: the code (a secret), the wallet's state, the issuer (RFC 9207).
    Code {
        /// The authorization code.
        code: super::token::Secret,
        /// `state`.
        state: Option<String>,
        /// `iss`.
        iss: Option<String>,
    },
    /// Refused.
    Error {
        /// The OAuth error code (`access_denied`, …).
        error: String,
        /// Its description.
        description: Option<String>,
        /// `state`.
        state: Option<String>,
        /// `iss`.
        iss: Option<String>,
    },
}

impl std::fmt::Debug for AuthorizationResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthorizationResponse::Code { iss, .. } => f
                .debug_struct("Code")
                .field("iss", iss)
                .finish_non_exhaustive(),
            AuthorizationResponse::Error { error, iss, .. } => f
                .debug_struct("Error")
                .field("error", error)
                .field("iss", iss)
                .finish_non_exhaustive(),
        }
    }
}

impl AuthorizationResponse {
    /// Parses the query of the redirect (`code`, `state`, `iss`, or `error`).
    pub fn from_query(query: &str) -> Result<Self> {
        const WHAT: &str = "authorization response";
        if query.len() > 8 * 1024 {
            return Err(Error::malformed(WHAT, "larger than 8 KiB"));
        }
        let pairs = form::parse(query, WHAT)?;
        let get = |n: &str| form::get(&pairs, n).map(str::to_string);
        if let Some(error) = get("error") {
            return Ok(AuthorizationResponse::Error {
                error: shorten(&error, 60),
                description: get("error_description").map(|d| shorten(&d, 200)),
                state: get("state"),
                iss: get("iss"),
            });
        }
        let code = get("code").ok_or_else(|| Error::malformed(WHAT, "neither code nor error"))?;
        if code.len() > 1024 {
            return Err(Error::malformed(WHAT, "code longer than 1024 bytes"));
        }
        Ok(AuthorizationResponse::Code {
            code: super::token::Secret::new(&code),
            state: get("state"),
            iss: get("iss"),
        })
    }

    /// The redirect URL carrying this response (the issuer's side).
    pub fn to_redirect(&self, redirect_uri: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let (state, iss) = match self {
            AuthorizationResponse::Code { code, state, iss } => {
                pairs.push(("code", code.expose()));
                (state, iss)
            }
            AuthorizationResponse::Error {
                error,
                description,
                state,
                iss,
            } => {
                pairs.push(("error", error));
                if let Some(d) = description {
                    pairs.push(("error_description", d));
                }
                (state, iss)
            }
        };
        if let Some(s) = state {
            pairs.push(("state", s));
        }
        if let Some(i) = iss {
            pairs.push(("iss", i));
        }
        let sep = if redirect_uri.contains('?') { '&' } else { '?' };
        format!("{redirect_uri}{sep}{}", form::serialize(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openid4vci::ErrorCode;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            pkce_challenge(VERIFIER),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        check_pkce_value(VERIFIER, "code_verifier").unwrap();
        assert!(check_pkce_value("short", "code_verifier").is_err());
        assert!(check_pkce_value(&"a+".repeat(30), "code_verifier").is_err());
    }

    fn par() -> PushedAuthorizationRequest {
        PushedAuthorizationRequest {
            client_id: "civitas-wallet".into(),
            redirect_uri: "http://127.0.0.1:43210/callback".into(),
            code_challenge: pkce_challenge(VERIFIER),
            state: Some("st".into()),
            configuration_ids: vec!["pid".into()],
            scope: None,
            issuer_state: Some("is".into()),
        }
    }

    #[test]
    fn par_round_trip() {
        let p = par();
        assert_eq!(
            PushedAuthorizationRequest::from_form(&p.to_form()).unwrap(),
            p
        );
    }

    #[test]
    fn bad_pars_are_invalid_request() {
        let good = par().to_form();
        let cases = [
            good.replace("code_challenge_method=S256", "code_challenge_method=plain"),
            good.replace("&code_challenge_method=S256", ""),
            good.replace("code_challenge=", "x="),
            good.replace("response_type=code", "response_type=token"),
            good.replace("http%3A%2F%2F127.0.0.1", "http%3A%2F%2Fevil.example"),
            good.replace("authorization_details=", "x="),
            format!("{good}&request=eyJ"),
            "client_id=a&client_id=b".into(),
        ];
        for c in cases {
            let e = PushedAuthorizationRequest::from_form(&c).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidRequest, "{c}");
        }
    }

    #[test]
    fn redirect_uris() {
        check_redirect_uri("http://127.0.0.1:5000/cb").unwrap();
        check_redirect_uri("http://[::1]:5000/cb").unwrap();
        check_redirect_uri("https://wallet.example/cb").unwrap();
        assert!(check_redirect_uri("http://127.0.0.1.evil.example/cb").is_err());
        assert!(check_redirect_uri("myapp:/cb").is_err());
        assert!(check_redirect_uri("https://a@b/cb").is_err());
        assert!(check_redirect_uri("https://b/cb#x").is_err());
    }

    #[test]
    fn authorization_response_round_trip() {
        let r = AuthorizationResponse::Code {
            code: super::super::token::Secret::new("c0de"),
            state: Some("st".into()),
            iss: Some("http://127.0.0.1:8090".into()),
        };
        let url = r.to_redirect("http://127.0.0.1:1/cb");
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        assert_eq!(AuthorizationResponse::from_query(query).unwrap(), r);
        assert!(!format!("{r:?}").contains("c0de"));
        let e = AuthorizationResponse::from_query("error=access_denied&state=st").unwrap();
        assert!(
            matches!(e, AuthorizationResponse::Error { ref error, .. } if error == "access_denied")
        );
        assert!(AuthorizationResponse::from_query("state=st").is_err());
    }
}
