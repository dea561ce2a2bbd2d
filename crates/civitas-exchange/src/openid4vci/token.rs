//! The Token Request and Response (OpenID4VCI 1.0 §6), for the Pre-Authorized Code
//! grant and the Authorization Code grant with PKCE (form-encoded, RFC 6749 §4.1.3 /
//! §5.1, RFC 7636 §4.5).

use super::error::{Error, Result};
use super::form;
use super::offer::{AUTHORIZATION_CODE_GRANT, PRE_AUTHORIZED_GRANT};
use serde::{Deserialize, Serialize};

/// A Token Request.
#[derive(Clone, PartialEq, Eq)]
pub enum TokenRequest {
    /// `grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code`.
    PreAuthorizedCode {
        /// The code from the offer (a secret).
        pre_authorized_code: Secret,
        /// The Transaction Code the user typed (a secret).
        tx_code: Option<Secret>,
        /// The client, when not anonymous.
        client_id: Option<String>,
    },
    /// `grant_type=authorization_code` (RFC 6749 §4.1.3) with the PKCE verifier.
    AuthorizationCode {
        /// The authorization code (a secret).
        code: Secret,
        /// The redirect URI of the authorization request.
        redirect_uri: Option<String>,
        /// The PKCE `code_verifier` (a secret).
        code_verifier: Option<Secret>,
        /// The (public) client.
        client_id: Option<String>,
    },
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenRequest::PreAuthorizedCode {
                tx_code, client_id, ..
            } => f
                .debug_struct("PreAuthorizedCode")
                .field("pre_authorized_code", &"…")
                .field("tx_code", &tx_code.as_ref().map(|_| "…"))
                .field("client_id", client_id)
                .finish(),
            TokenRequest::AuthorizationCode {
                redirect_uri,
                client_id,
                ..
            } => f
                .debug_struct("AuthorizationCode")
                .field("code", &"…")
                .field("redirect_uri", redirect_uri)
                .field("client_id", client_id)
                .finish_non_exhaustive(),
        }
    }
}

impl TokenRequest {
    /// A pre-authorized code request.
    pub fn pre_authorized(code: &str, tx_code: Option<&str>) -> Self {
        TokenRequest::PreAuthorizedCode {
            pre_authorized_code: Secret::new(code),
            tx_code: tx_code.map(Secret::new),
            client_id: None,
        }
    }

    /// An authorization code request with its PKCE verifier.
    pub fn authorization_code(
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
        client_id: &str,
    ) -> Self {
        TokenRequest::AuthorizationCode {
            code: Secret::new(code),
            redirect_uri: Some(redirect_uri.to_string()),
            code_verifier: Some(Secret::new(code_verifier)),
            client_id: Some(client_id.to_string()),
        }
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn to_form(&self) -> String {
        match self {
            TokenRequest::PreAuthorizedCode {
                pre_authorized_code,
                tx_code,
                client_id,
            } => {
                let mut pairs = vec![
                    ("grant_type", PRE_AUTHORIZED_GRANT),
                    ("pre-authorized_code", pre_authorized_code.expose()),
                ];
                if let Some(tx) = tx_code {
                    pairs.push(("tx_code", tx.expose()));
                }
                if let Some(c) = client_id {
                    pairs.push(("client_id", c));
                }
                form::serialize(pairs)
            }
            TokenRequest::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
                client_id,
            } => {
                let mut pairs = vec![
                    ("grant_type", AUTHORIZATION_CODE_GRANT),
                    ("code", code.expose()),
                ];
                if let Some(r) = redirect_uri {
                    pairs.push(("redirect_uri", r));
                }
                if let Some(v) = code_verifier {
                    pairs.push(("code_verifier", v.expose()));
                }
                if let Some(c) = client_id {
                    pairs.push(("client_id", c));
                }
                form::serialize(pairs)
            }
        }
    }

    /// Parses a form body (at most 8 KiB): `invalid_request` for a malformed body or a
    /// missing code, `unsupported_grant_type` for another grant.
    pub fn from_form(body: &str) -> Result<Self> {
        if body.len() > 8 * 1024 {
            return Err(Error::malformed("token request", "larger than 8 KiB"));
        }
        let pairs = form::parse(body, "token request")?;
        let grant = form::get(&pairs, "grant_type")
            .ok_or_else(|| Error::malformed("token request", "no grant_type"))?;
        if grant == AUTHORIZATION_CODE_GRANT {
            let code = form::get(&pairs, "code")
                .ok_or_else(|| Error::malformed("token request", "no code"))?;
            return Ok(TokenRequest::AuthorizationCode {
                code: Secret::new(code),
                redirect_uri: form::get(&pairs, "redirect_uri").map(str::to_string),
                code_verifier: form::get(&pairs, "code_verifier").map(Secret::new),
                client_id: form::get(&pairs, "client_id").map(str::to_string),
            });
        }
        if grant != PRE_AUTHORIZED_GRANT {
            return Err(Error::UnsupportedGrantType(super::error::shorten(
                grant, 80,
            )));
        }
        let code = form::get(&pairs, "pre-authorized_code")
            .ok_or_else(|| Error::malformed("token request", "no pre-authorized_code"))?;
        Ok(TokenRequest::PreAuthorizedCode {
            pre_authorized_code: Secret::new(code),
            tx_code: form::get(&pairs, "tx_code").map(Secret::new),
            client_id: form::get(&pairs, "client_id").map(str::to_string),
        })
    }
}

/// A successful Token Response (§6.2). (1.0 final returns no `c_nonce` here: the
/// wallet asks the Nonce Endpoint.)
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token (a secret).
    pub access_token: String,
    /// `Bearer` (or `DPoP`).
    pub token_type: String,
    /// Lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// Authorization details with `credential_identifiers`, when the server uses them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<serde_json::Value>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"…")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

impl TokenResponse {
    /// Parses a response body (at most 64 KiB), requiring a Bearer token.
    pub fn from_json(body: &[u8]) -> Result<Self> {
        if body.len() > 64 * 1024 {
            return Err(Error::malformed("token response", "larger than 64 KiB"));
        }
        let r: TokenResponse = serde_json::from_slice(body)
            .map_err(|_| Error::malformed("token response", "not a token response"))?;
        if r.access_token.is_empty() || !r.token_type.eq_ignore_ascii_case("bearer") {
            return Err(Error::malformed(
                "token response",
                "no access token, or not a Bearer token",
            ));
        }
        Ok(r)
    }
}

/// A small owned secret string: redacted in `Debug`, wiped on drop.
mod zeroize_lite {
    use zeroize::Zeroizing;

    /// A secret string.
    #[derive(Clone, PartialEq, Eq)]
    pub struct Secret(Zeroizing<String>);

    impl Secret {
        /// Wraps `text`.
        pub fn new(text: &str) -> Self {
            Secret(Zeroizing::new(text.to_string()))
        }
        /// The secret text.
        pub fn expose(&self) -> &str {
            &self.0
        }
    }

    impl std::fmt::Debug for Secret {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Secret(…)")
        }
    }
}

pub use zeroize_lite::Secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_token_request_example() {
        // §6.1: grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code
        //       &pre-authorized_code=SplxlOBeZQQYbYS6WxSbIA&tx_code=493536
        let body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=SplxlOBeZQQYbYS6WxSbIA&tx_code=493536";
        let r = TokenRequest::from_form(body).unwrap();
        let TokenRequest::PreAuthorizedCode {
            pre_authorized_code,
            tx_code,
            ..
        } = &r
        else {
            panic!("not a pre-authorized code request");
        };
        assert_eq!(pre_authorized_code.expose(), "SplxlOBeZQQYbYS6WxSbIA");
        assert_eq!(tx_code.as_ref().map(|t| t.expose()), Some("493536"));
        assert_eq!(r.to_form(), body);
        assert!(!format!("{r:?}").contains("493536"));
    }

    #[test]
    fn bad_token_requests() {
        use super::super::ErrorCode;
        let e = TokenRequest::from_form("grant_type=password&username=x").unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnsupportedGrantType);
        let e = TokenRequest::from_form("grant_type=authorization_code").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        let e = TokenRequest::from_form(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code",
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        let e = TokenRequest::from_form("tx_code=1&tx_code=2").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        assert_eq!(
            TokenRequest::from_form("").unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn authorization_code_request_round_trip() {
        let r = TokenRequest::authorization_code(
            "SplxlOBeZQQYbYS6WxSbIA",
            "http://127.0.0.1:5000/cb",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "wallet",
        );
        let body = r.to_form();
        assert!(body.starts_with("grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA"));
        assert_eq!(TokenRequest::from_form(&body).unwrap(), r);
        let debug = format!("{r:?}");
        assert!(!debug.contains("SplxlOBeZQQYbYS6WxSbIA") && !debug.contains("dBjft"));
    }

    #[test]
    fn spec_token_response_example() {
        // §6.2 (1.0 final, without c_nonce).
        let body = br#"{"access_token":"eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp..sHQ","token_type":"Bearer","expires_in":86400}"#;
        let r = TokenResponse::from_json(body).unwrap();
        assert_eq!(r.expires_in, Some(86400));
        assert!(TokenResponse::from_json(br#"{"access_token":"x","token_type":"MAC"}"#).is_err());
    }
}
