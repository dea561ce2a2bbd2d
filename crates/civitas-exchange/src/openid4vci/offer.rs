//! Credential Offers (OpenID4VCI 1.0 §4.1): the object, and the
//! `openid-credential-offer://?credential_offer=…` (by value) or
//! `…?credential_offer_uri=…` (by reference) URL a QR code or link carries.

use super::error::{Error, Result, redacted, shorten};
use super::form;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The custom scheme a wallet registers (§4.1.3).
pub const OFFER_SCHEME: &str = "openid-credential-offer://";
/// The grant type identifier of the Pre-Authorized Code Flow (§3.5).
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// The grant type identifier of the Authorization Code Flow.
pub const AUTHORIZATION_CODE_GRANT: &str = "authorization_code";
/// The longest offer URL accepted (a QR code holds less).
pub const MAX_OFFER_URL_LEN: usize = 16 * 1024;
/// The longest `tx_code.description` (§4.1.1: at most 300 characters).
pub const MAX_TX_CODE_DESCRIPTION: usize = 300;

/// A Credential Offer (§4.1.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialOffer {
    /// The Credential Issuer's identifier (an https URL; http to loopback in tests).
    pub credential_issuer: String,
    /// Keys of `credential_configurations_supported` in the issuer's metadata.
    pub credential_configuration_ids: Vec<String>,
    /// The grants the wallet may use.
    #[serde(default, skip_serializing_if = "Grants::is_empty")]
    pub grants: Grants,
}

/// The `grants` object: the two grant types this module knows; others are kept in
/// `other` (the object is extensible, §4.1.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Grants {
    /// The Pre-Authorized Code grant.
    #[serde(
        rename = "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_code: Option<PreAuthorizedCodeGrant>,
    /// The Authorization Code grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<AuthorizationCodeGrant>,
    /// Grant types this module does not know.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Grants {
    /// No grant at all.
    pub fn is_empty(&self) -> bool {
        self.pre_authorized_code.is_none()
            && self.authorization_code.is_none()
            && self.other.is_empty()
    }
}

/// The Pre-Authorized Code grant's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreAuthorizedCodeGrant {
    /// The code (a secret: short-lived, single use).
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: String,
    /// Present when the token request must carry a Transaction Code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_code: Option<TxCode>,
    /// The Authorization Server to use, when the issuer has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
}

/// The Authorization Code grant's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationCodeGrant {
    /// Binds the authorization request to this offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_state: Option<String>,
    /// The Authorization Server to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
}

/// How the Transaction Code (the PIN) is asked for (§4.1.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TxCode {
    /// `numeric` (the default) or `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_mode: Option<String>,
    /// Its length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Guidance for the user (at most 300 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl TxCode {
    /// A numeric code of `length` digits.
    pub fn numeric(length: u32, description: &str) -> Self {
        TxCode {
            input_mode: Some("numeric".into()),
            length: Some(length),
            description: Some(description.into()),
        }
    }

    /// Whether `code` fits this description (mode and length).
    pub fn accepts(&self, code: &str) -> bool {
        let mode_ok = match self.input_mode.as_deref() {
            None | Some("numeric") => !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()),
            _ => !code.is_empty(),
        };
        let len_ok = self
            .length
            .is_none_or(|n| usize::try_from(n).is_ok_and(|n| code.chars().count() == n));
        mode_ok && len_ok
    }
}

/// What an offer URL carries.
#[derive(Debug, Clone, PartialEq)]
pub enum OfferRef {
    /// The offer itself (`credential_offer`).
    ByValue(CredentialOffer),
    /// Where to fetch it (`credential_offer_uri`, an https URL).
    ByReference(String),
}

impl CredentialOffer {
    /// Parses and checks an offer object (JSON text).
    pub fn from_json(text: &str) -> Result<Self> {
        let value = civitas_credential::json::parse_strict(text.as_bytes())
            .map_err(|e| Error::malformed("credential_offer", shorten(&e, 120)))?;
        Self::from_value(value)
    }

    /// Parses and checks an offer object.
    pub fn from_value(value: Value) -> Result<Self> {
        if !value.is_object() {
            return Err(Error::malformed("credential_offer", "not a JSON object"));
        }
        let offer: CredentialOffer = serde_json::from_value(value)
            .map_err(|e| Error::malformed("credential_offer", redacted(&e)))?;
        offer.check()?;
        Ok(offer)
    }

    /// Checks the members' values: an issuer URL, at least one configuration id, a
    /// grant this module can use, a non-empty pre-authorized code, a sane `tx_code`.
    pub fn check(&self) -> Result<()> {
        check_issuer_url(&self.credential_issuer, "credential_issuer")?;
        if self.credential_configuration_ids.is_empty() {
            return Err(Error::malformed(
                "credential_configuration_ids",
                "no credential configuration offered",
            ));
        }
        if self
            .credential_configuration_ids
            .iter()
            .any(|id| id.is_empty() || id.len() > 256)
        {
            return Err(Error::malformed(
                "credential_configuration_ids",
                "an empty or overlong id",
            ));
        }
        let g = &self.grants;
        if g.pre_authorized_code.is_none() && g.authorization_code.is_none() {
            let names: Vec<String> = g.other.keys().map(|k| shorten(k, 60)).collect();
            return Err(Error::malformed(
                "grants",
                if names.is_empty() {
                    "no grant offered".to_string()
                } else {
                    format!("only unknown grant types: {}", names.join(", "))
                },
            ));
        }
        if let Some(p) = &g.pre_authorized_code {
            if p.pre_authorized_code.is_empty() || p.pre_authorized_code.len() > 512 {
                return Err(Error::malformed(
                    "pre-authorized_code",
                    "empty or longer than 512 bytes",
                ));
            }
            if let Some(tx) = &p.tx_code {
                if let Some(mode) = &tx.input_mode
                    && mode != "numeric"
                    && mode != "text"
                {
                    return Err(Error::malformed(
                        "tx_code",
                        format!("unknown input_mode {}", shorten(mode, 20)),
                    ));
                }
                if tx.length.is_some_and(|n| n == 0 || n > 64) {
                    return Err(Error::malformed("tx_code", "length must be 1 to 64"));
                }
                if tx
                    .description
                    .as_ref()
                    .is_some_and(|d| d.chars().count() > MAX_TX_CODE_DESCRIPTION)
                {
                    return Err(Error::malformed(
                        "tx_code",
                        "description longer than 300 characters",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The offer as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `openid-credential-offer://?credential_offer=<percent-encoded JSON>`.
    pub fn to_uri(&self) -> String {
        format!(
            "{OFFER_SCHEME}?{}",
            form::serialize([("credential_offer", self.to_json().as_str())])
        )
    }

    /// The pre-authorized code grant, or an error naming what is missing.
    pub fn pre_authorized(&self) -> Result<&PreAuthorizedCodeGrant> {
        self.grants
            .pre_authorized_code
            .as_ref()
            .ok_or_else(|| Error::malformed("grants", "no pre-authorized code grant in the offer"))
    }
}

/// Parses an offer URL: the `openid-credential-offer://` scheme, or an https URL
/// (a wallet's universal link), with exactly one of `credential_offer` (by value,
/// checked) and `credential_offer_uri` (by reference, an https URL or http to a
/// loopback host).
pub fn parse_offer_url(url: &str) -> Result<OfferRef> {
    let url = url.trim();
    if url.len() > MAX_OFFER_URL_LEN {
        return Err(Error::malformed(
            "credential offer URL",
            "longer than 16 KiB",
        ));
    }
    let rest = if let Some(rest) = url.strip_prefix(OFFER_SCHEME) {
        rest
    } else if url.starts_with("https://") || url.starts_with("http://") {
        url.split_once("://").map_or("", |(_, r)| r)
    } else {
        return Err(Error::malformed(
            "credential offer URL",
            "not an openid-credential-offer:// or https URL",
        ));
    };
    let query = rest
        .split_once('?')
        .map(|(_, q)| q)
        .ok_or_else(|| Error::malformed("credential offer URL", "no query"))?;
    let query = query.split('#').next().unwrap_or_default();
    let pairs = form::parse(query, "credential offer URL")?;
    match (
        form::get(&pairs, "credential_offer"),
        form::get(&pairs, "credential_offer_uri"),
    ) {
        (Some(json), None) => Ok(OfferRef::ByValue(CredentialOffer::from_json(json)?)),
        (None, Some(uri)) => {
            check_issuer_url(uri, "credential_offer_uri")?;
            Ok(OfferRef::ByReference(uri.to_string()))
        }
        (Some(_), Some(_)) => Err(Error::malformed(
            "credential offer URL",
            "both credential_offer and credential_offer_uri",
        )),
        (None, None) => Err(Error::malformed(
            "credential offer URL",
            "neither credential_offer nor credential_offer_uri",
        )),
    }
}

/// Whether `text` looks like an offer URL (for a CLI that also takes other inputs).
pub fn is_offer_url(text: &str) -> bool {
    let t = text.trim();
    t.starts_with(OFFER_SCHEME)
        || ((t.starts_with("https://") || t.starts_with("http://"))
            && (t.contains("credential_offer=") || t.contains("credential_offer_uri=")))
}

/// Checks a Credential Issuer identifier or offer URI: `https://host…`, or `http://`
/// to a loopback host (a city hall and its desk on one machine, tests), without
/// fragment or user info, at most 2048 bytes.
pub fn check_issuer_url(url: &str, what: &'static str) -> Result<()> {
    if url.len() > 2048 {
        return Err(Error::malformed(what, "longer than 2048 bytes"));
    }
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        let authority = r.split(['/', '?']).next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().map_or("", |h| h),
            None => authority.split(':').next().unwrap_or_default(),
        };
        if !matches!(host, "localhost" | "127.0.0.1" | "::1") {
            return Err(Error::malformed(
                what,
                "plain http is allowed only to a loopback host",
            ));
        }
        r
    } else {
        return Err(Error::malformed(what, "not an https URL"));
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(Error::malformed(what, "no host, or user info"));
    }
    if url.contains('#') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::malformed(
            what,
            "a fragment, a space or a control character",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenID4VCI 1.0 §4.1.1, the pre-authorized example (non-normative).
    const SPEC_OFFER: &str = r#"{
      "credential_issuer": "https://credential-issuer.example.com",
      "credential_configuration_ids": ["UniversityDegreeCredential", "org.iso.18013.5.1.mDL"],
      "grants": {
        "urn:ietf:params:oauth:grant-type:pre-authorized_code": {
          "pre-authorized_code": "oaKazRN8I0IbtZ0C7JuMn5",
          "tx_code": {
            "length": 4,
            "input_mode": "numeric",
            "description": "Please provide the one-time code that was sent via e-mail"
          }
        }
      }
    }"#;

    #[test]
    fn spec_example_parses() {
        let offer = CredentialOffer::from_json(SPEC_OFFER).unwrap();
        assert_eq!(
            offer.credential_issuer,
            "https://credential-issuer.example.com"
        );
        let g = offer.pre_authorized().unwrap();
        assert_eq!(g.pre_authorized_code, "oaKazRN8I0IbtZ0C7JuMn5");
        let tx = g.tx_code.as_ref().unwrap();
        assert_eq!(tx.length, Some(4));
        assert!(tx.accepts("4931"));
        assert!(!tx.accepts("49311"));
        assert!(!tx.accepts("49a1"));
    }

    #[test]
    fn uri_round_trip_by_value() {
        let offer = CredentialOffer::from_json(SPEC_OFFER).unwrap();
        let uri = offer.to_uri();
        assert!(uri.starts_with("openid-credential-offer://?credential_offer=%7B%22"));
        assert!(is_offer_url(&uri));
        assert_eq!(parse_offer_url(&uri).unwrap(), OfferRef::ByValue(offer));
    }

    #[test]
    fn spec_by_reference_example() {
        // §4.1.3: `openid-credential-offer://?credential_offer_uri=https%3A%2F%2F…`
        let url = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fserver%2Eexample%2Ecom%2Fcredential-offer%2FGkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM";
        assert_eq!(
            parse_offer_url(url).unwrap(),
            OfferRef::ByReference(
                "https://server.example.com/credential-offer/GkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM"
                    .into()
            )
        );
    }

    #[test]
    fn malformed_offers_are_refused() {
        let bad = [
            // missing credential_issuer
            r#"{"credential_configuration_ids":["pid"],"grants":{"authorization_code":{}}}"#,
            // empty ids
            r#"{"credential_issuer":"https://i.example","credential_configuration_ids":[],"grants":{"authorization_code":{}}}"#,
            // only an unknown grant
            r#"{"credential_issuer":"https://i.example","credential_configuration_ids":["pid"],"grants":{"urn:example:magic":{}}}"#,
            // no grants
            r#"{"credential_issuer":"https://i.example","credential_configuration_ids":["pid"]}"#,
            // pre-authorized grant without its code
            r#"{"credential_issuer":"https://i.example","credential_configuration_ids":["pid"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{}}}"#,
            // http to a remote host
            r#"{"credential_issuer":"http://i.example","credential_configuration_ids":["pid"],"grants":{"authorization_code":{}}}"#,
            // duplicate member
            r#"{"credential_issuer":"https://i.example","credential_issuer":"https://j.example","credential_configuration_ids":["pid"],"grants":{"authorization_code":{}}}"#,
            // bad tx_code
            r#"{"credential_issuer":"https://i.example","credential_configuration_ids":["pid"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"x","tx_code":{"input_mode":"emoji"}}}}"#,
            "[]",
        ];
        for b in bad {
            let e = CredentialOffer::from_json(b).unwrap_err();
            assert_eq!(e.code(), super::super::ErrorCode::InvalidRequest, "{b}");
        }
        for url in [
            "openid4vp://?credential_offer=%7B%7D",
            "openid-credential-offer://",
            "openid-credential-offer://?x=1",
            "openid-credential-offer://?credential_offer=%7B%7D&credential_offer_uri=https%3A%2F%2Fa",
            "openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fevil.example%2Fo",
            "openid-credential-offer://?credential_offer=%ZZ",
        ] {
            assert!(parse_offer_url(url).is_err(), "{url}");
        }
    }

    #[test]
    fn loopback_http_is_allowed() {
        check_issuer_url("http://127.0.0.1:8090", "x").unwrap();
        check_issuer_url("http://localhost:8090/issuer", "x").unwrap();
        check_issuer_url("http://[::1]:8090", "x").unwrap();
        check_issuer_url("http://[::1]", "x").unwrap();
        assert!(check_issuer_url("http://[::2]:8090", "x").is_err());
        assert!(check_issuer_url("http://localhost.evil.example", "x").is_err());
        assert!(check_issuer_url("http://127.0.0.1.evil.example", "x").is_err());
        assert!(check_issuer_url("https://user@host", "x").is_err());
    }
}
