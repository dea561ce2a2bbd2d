//! Credential Issuer Metadata (OpenID4VCI 1.0 §12.2) and the parts of OAuth 2.0
//! Authorization Server Metadata (RFC 8414, OpenID4VCI §12.3) the flows use.
//!
//! Members this module does not model are ignored when reading (metadata is
//! extensible); `display` and `claims` of a configuration live in
//! `credential_metadata`, as 1.0 final places them.

use super::error::{Error, Result, shorten};
use super::offer::check_issuer_url;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The well-known path of the Credential Issuer Metadata (§12.2.2).
pub const ISSUER_METADATA_PATH: &str = "/.well-known/openid-credential-issuer";
/// The well-known path of the Authorization Server Metadata (RFC 8414 §3).
pub const AUTHORIZATION_SERVER_METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
/// The SD-JWT VC format identifier (Appendix A.3).
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";
/// The `typ` of a JWT key proof (Appendix F.1).
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";

/// The metadata URL of an issuer identifier: the well-known segment goes between the
/// host and the path (§12.2.2), `https://i.example/tenant` →
/// `https://i.example/.well-known/openid-credential-issuer/tenant`.
pub fn well_known_url(identifier: &str, well_known: &str) -> String {
    let id = identifier.trim_end_matches('/');
    let (scheme, rest) = id.split_once("://").unwrap_or(("https", id));
    match rest.split_once('/') {
        Some((host, path)) => format!("{scheme}://{host}{well_known}/{path}"),
        None => format!("{scheme}://{rest}{well_known}"),
    }
}

/// Credential Issuer Metadata (§12.2.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialIssuerMetadata {
    /// The issuer's identifier; must equal the one the metadata was fetched for.
    pub credential_issuer: String,
    /// Authorization Servers; absent: the issuer is its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_servers: Option<Vec<String>>,
    /// The Credential Endpoint.
    pub credential_endpoint: String,
    /// The Nonce Endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce_endpoint: Option<String>,
    /// The Deferred Credential Endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_credential_endpoint: Option<String>,
    /// The Notification Endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_endpoint: Option<String>,
    /// Batch issuance: how many proofs (copies) one request may carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_credential_issuance: Option<BatchCredentialIssuance>,
    /// The issuer's name and logo, per locale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display: Vec<Display>,
    /// What the issuer can issue, by configuration id.
    pub credential_configurations_supported: BTreeMap<String, CredentialConfiguration>,
}

/// `batch_credential_issuance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCredentialIssuance {
    /// At least 2.
    pub batch_size: u32,
}

/// A display entry (issuer or credential): name, locale, optional description, logo
/// and colours.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Display {
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// BCP 47 language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A logo (`{"uri", "alt_text"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<Value>,
    /// Background colour (CSS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_color: Option<String>,
    /// Text colour (CSS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_color: Option<String>,
}

/// One entry of `credential_configurations_supported` (§12.2.4, Appendix A.3.2 for
/// `dc+sd-jwt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialConfiguration {
    /// The format (`dc+sd-jwt`).
    pub format: String,
    /// The OAuth scope for the Authorization Code Flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The SD-JWT VC type (`dc+sd-jwt` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vct: Option<String>,
    /// Algorithms the issuer signs this credential with (JOSE names for `dc+sd-jwt`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credential_signing_alg_values_supported: Vec<Value>,
    /// How the credential is bound to its holder: `jwk`, `did:…`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cryptographic_binding_methods_supported: Vec<String>,
    /// Key proof types, by name (`jwt`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub proof_types_supported: BTreeMap<String, ProofType>,
    /// Display and claim descriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_metadata: Option<CredentialMetadata>,
    /// Civitas extension: how many one-time copies the issuer signs per request for
    /// this configuration (one key proof per copy, each copy bound to its own key), at
    /// most `batch_credential_issuance.batch_size`. Absent: one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub civitas_copies: Option<u32>,
}

/// A key proof type's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProofType {
    /// The algorithms the issuer accepts for the proof.
    pub proof_signing_alg_values_supported: Vec<String>,
    /// Key attestation requirements (not used by Civitas; kept when read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_attestations_required: Option<Value>,
}

/// `credential_metadata`: display and claims of a configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CredentialMetadata {
    /// The credential's display, per locale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display: Vec<Display>,
    /// Claim descriptions (Appendix B.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<ClaimDescription>,
}

/// One claim description: its path and display names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimDescription {
    /// The claims path pointer (strings, non-negative integers, null).
    pub path: Vec<Value>,
    /// Whether the issuer always includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandatory: Option<bool>,
    /// Its name per locale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display: Vec<Display>,
}

impl CredentialIssuerMetadata {
    /// Parses metadata fetched for `expected_issuer` (at most 1 MiB), checking that
    /// `credential_issuer` is that identifier (§12.2.3) and the endpoints are URLs.
    pub fn from_json(body: &[u8], expected_issuer: &str) -> Result<Self> {
        if body.len() > 1024 * 1024 {
            return Err(Error::malformed("issuer metadata", "larger than 1 MiB"));
        }
        let value = civitas_credential::json::parse_strict(body)
            .map_err(|e| Error::malformed("issuer metadata", shorten(&e, 120)))?;
        let meta: CredentialIssuerMetadata = serde_json::from_value(value)
            .map_err(|e| Error::malformed("issuer metadata", shorten(&e.to_string(), 160)))?;
        if meta.credential_issuer != expected_issuer {
            return Err(Error::malformed(
                "issuer metadata",
                format!(
                    "credential_issuer {} is not the offer's issuer {}",
                    shorten(&meta.credential_issuer, 80),
                    shorten(expected_issuer, 80)
                ),
            ));
        }
        check_issuer_url(&meta.credential_endpoint, "credential_endpoint")?;
        for (what, url) in [
            ("nonce_endpoint", &meta.nonce_endpoint),
            (
                "deferred_credential_endpoint",
                &meta.deferred_credential_endpoint,
            ),
            ("notification_endpoint", &meta.notification_endpoint),
        ] {
            if let Some(url) = url {
                check_issuer_url(url, what)?;
            }
        }
        Ok(meta)
    }

    /// The Authorization Server to ask: the offer's choice, else the first listed,
    /// else the issuer itself.
    pub fn authorization_server<'a>(&'a self, from_offer: Option<&'a str>) -> &'a str {
        from_offer
            .or_else(|| {
                self.authorization_servers
                    .as_ref()
                    .and_then(|s| s.first())
                    .map(String::as_str)
            })
            .unwrap_or(&self.credential_issuer)
    }

    /// The issuer's display name for `locale` (exact tag, then language, then first).
    pub fn display_name(&self, locale: &str) -> Option<&str> {
        pick_display(&self.display, locale).and_then(|d| d.name.as_deref())
    }
}

/// The display entry for `locale`: the exact tag, else the same language, else the
/// first.
pub fn pick_display<'a>(entries: &'a [Display], locale: &str) -> Option<&'a Display> {
    let lang = locale.split('-').next().unwrap_or(locale);
    entries
        .iter()
        .find(|d| d.locale.as_deref() == Some(locale))
        .or_else(|| {
            entries.iter().find(|d| {
                d.locale
                    .as_deref()
                    .is_some_and(|l| l.split('-').next() == Some(lang))
            })
        })
        .or_else(|| entries.first())
}

/// Authorization Server Metadata (RFC 8414), the members the flows use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationServerMetadata {
    /// The Authorization Server's identifier.
    pub issuer: String,
    /// The Token Endpoint.
    pub token_endpoint: String,
    /// The Authorization Endpoint (Authorization Code Flow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// The Pushed Authorization Request endpoint (RFC 9126).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// Grant types supported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant_types_supported: Vec<String>,
    /// PKCE methods (`S256`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_challenge_methods_supported: Vec<String>,
    /// Token endpoint client authentication methods (`none` for public wallets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// OpenID4VCI §12.3: the token request may omit `client_id` in the
    /// Pre-Authorized Code Flow.
    #[serde(
        rename = "pre-authorized_grant_anonymous_access_supported",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_grant_anonymous_access_supported: Option<bool>,
}

impl AuthorizationServerMetadata {
    /// Parses metadata fetched for `expected_issuer` (RFC 8414 §3.3: `issuer` must be
    /// identical), at most 1 MiB.
    pub fn from_json(body: &[u8], expected_issuer: &str) -> Result<Self> {
        if body.len() > 1024 * 1024 {
            return Err(Error::malformed(
                "authorization server metadata",
                "larger than 1 MiB",
            ));
        }
        let value = civitas_credential::json::parse_strict(body)
            .map_err(|e| Error::malformed("authorization server metadata", shorten(&e, 120)))?;
        let meta: AuthorizationServerMetadata = serde_json::from_value(value).map_err(|e| {
            Error::malformed(
                "authorization server metadata",
                shorten(&e.to_string(), 160),
            )
        })?;
        if meta.issuer != expected_issuer {
            return Err(Error::malformed(
                "authorization server metadata",
                "issuer is not the server it was fetched from",
            ));
        }
        check_issuer_url(&meta.token_endpoint, "token_endpoint")?;
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped after OpenID4VCI 1.0 Appendix A.3.2 / §12.2.4 examples.
    const SPEC_METADATA: &str = r##"{
      "credential_issuer": "https://credential-issuer.example.com",
      "credential_endpoint": "https://credential-issuer.example.com/credential",
      "nonce_endpoint": "https://credential-issuer.example.com/nonce",
      "display": [{"name": "Example University", "locale": "en-US"}],
      "credential_configurations_supported": {
        "SD_JWT_VC_example_in_OpenID4VCI": {
          "format": "dc+sd-jwt",
          "scope": "SD_JWT_VC_example_in_OpenID4VCI",
          "cryptographic_binding_methods_supported": ["jwk"],
          "credential_signing_alg_values_supported": ["ES256"],
          "proof_types_supported": {
            "jwt": {"proof_signing_alg_values_supported": ["ES256"]}
          },
          "vct": "SD_JWT_VC_example_in_OpenID4VCI",
          "credential_metadata": {
            "display": [{"name": "IdentityCredential", "logo": {"uri": "https://university.example.edu/public/logo.png", "alt_text": "a square logo of a university"}, "locale": "en-US", "background_color": "#12107c", "text_color": "#FFFFFF"}],
            "claims": [
              {"path": ["given_name"], "display": [{"name": "Given Name", "locale": "en-US"}, {"name": "Vorname", "locale": "de-DE"}]},
              {"path": ["address", "street_address"], "display": [{"name": "Street Address", "locale": "en-US"}]}
            ]
          }
        }
      }
    }"##;

    #[test]
    fn spec_metadata_parses() {
        let m = CredentialIssuerMetadata::from_json(
            SPEC_METADATA.as_bytes(),
            "https://credential-issuer.example.com",
        )
        .unwrap();
        let c = &m.credential_configurations_supported["SD_JWT_VC_example_in_OpenID4VCI"];
        assert_eq!(c.format, FORMAT_SD_JWT_VC);
        assert_eq!(
            c.proof_types_supported["jwt"].proof_signing_alg_values_supported,
            ["ES256"]
        );
        let cm = c.credential_metadata.as_ref().unwrap();
        assert_eq!(cm.claims[1].path.len(), 2);
        assert_eq!(m.display_name("en"), Some("Example University"));
        assert_eq!(
            m.authorization_server(None),
            "https://credential-issuer.example.com"
        );
        // Another issuer's metadata is refused.
        assert!(
            CredentialIssuerMetadata::from_json(SPEC_METADATA.as_bytes(), "https://evil.example")
                .is_err()
        );
    }

    #[test]
    fn as_metadata_and_well_known() {
        let body = br#"{"issuer":"https://as.example","token_endpoint":"https://as.example/token","pre-authorized_grant_anonymous_access_supported":true,"response_types_supported":["code"]}"#;
        let m = AuthorizationServerMetadata::from_json(body, "https://as.example").unwrap();
        assert_eq!(
            m.pre_authorized_grant_anonymous_access_supported,
            Some(true)
        );
        assert!(AuthorizationServerMetadata::from_json(body, "https://other.example").is_err());
        assert_eq!(
            well_known_url("https://i.example/tenant", ISSUER_METADATA_PATH),
            "https://i.example/.well-known/openid-credential-issuer/tenant"
        );
        assert_eq!(
            well_known_url("http://127.0.0.1:8090", AUTHORIZATION_SERVER_METADATA_PATH),
            "http://127.0.0.1:8090/.well-known/oauth-authorization-server"
        );
    }
}
