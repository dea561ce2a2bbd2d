//! JSON Web Keys (RFC 7517) for the two key types Civitas uses, and RFC 7638 thumbprints.

use crate::{Algorithm, Error, Result, b64};
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

/// A JWK as it appears on the wire or in a key file. Members Civitas does not use are
/// ignored on input, as RFC 7517 §4 asks. The private member `d` is wiped on drop and
/// never printed by `Debug`.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Jwk {
    /// Key type: `EC` or `OKP`.
    pub kty: String,
    /// Curve: `P-256` or `Ed25519`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// Public x coordinate (EC) or public key (OKP), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Public y coordinate (EC), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Private scalar (EC) or seed (OKP), base64url. Present only in private keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<Zeroizing<String>>,
    /// The algorithm the key is meant for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Key identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty)
            .field("crv", &self.crv)
            .field("x", &self.x)
            .field("y", &self.y)
            .field("d", &self.d.as_ref().map(|_| "<redacted>"))
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish()
    }
}

impl Jwk {
    /// Parses a JWK from JSON text.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::InvalidJwk(e.to_string()))
    }

    /// Parses a JWK from a JSON value.
    pub fn from_value(value: &serde_json::Value) -> Result<Self> {
        Jwk::deserialize(value).map_err(|e| Error::InvalidJwk(e.to_string()))
    }

    /// Whether the JWK carries private material.
    pub fn is_private(&self) -> bool {
        self.d.is_some()
    }

    /// The same key without its private member (and without `kid`/`alg`).
    pub fn to_public(&self) -> Jwk {
        Jwk {
            kty: self.kty.clone(),
            crv: self.crv.clone(),
            x: self.x.clone(),
            y: self.y.clone(),
            d: None,
            alg: None,
            kid: None,
        }
    }

    /// Algorithm implied by the key type and curve; checks `alg` agrees if present.
    pub fn algorithm(&self) -> Result<Algorithm> {
        let implied = match (self.kty.as_str(), self.crv.as_deref()) {
            ("EC", Some("P-256")) => Algorithm::Es256,
            ("OKP", Some("Ed25519")) => Algorithm::EdDsa,
            (kty, crv) => {
                return Err(Error::UnsupportedKeyType(format!(
                    "{kty}/{} (Civitas uses EC P-256 and OKP Ed25519)",
                    crv.unwrap_or("no curve")
                )));
            }
        };
        if let Some(alg) = &self.alg {
            let stated = Algorithm::from_jose(alg)?;
            if stated != implied {
                return Err(Error::InvalidJwk(format!(
                    "\"alg\" {alg} does not fit a {} key",
                    implied.jose_name()
                )));
            }
        }
        Ok(implied)
    }

    /// The canonical public JSON: required members only, in lexicographic order. This
    /// is RFC 7638's thumbprint input and the did:jwk encoding (DIDKit and ssi use the
    /// same JCS form).
    pub fn canonical_public_json(&self) -> Result<String> {
        let alg = self.algorithm()?;
        let x = self.x.as_deref().unwrap_or_default();
        Ok(match alg {
            Algorithm::Es256 => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{}"}}"#,
                self.y.as_deref().unwrap_or_default()
            ),
            Algorithm::EdDsa => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#),
        })
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url).
    pub fn thumbprint(&self) -> Result<String> {
        Ok(b64::sha256_b64(self.canonical_public_json()?))
    }
}

pub(crate) fn decode_coordinate(name: &str, value: Option<&str>, len: usize) -> Result<Vec<u8>> {
    let text = value.ok_or_else(|| Error::InvalidJwk(format!("missing \"{name}\"")))?;
    let bytes = b64::decode(text)
        .map_err(|_| Error::InvalidJwk(format!("\"{name}\" is not canonical base64url")))?;
    if bytes.len() != len {
        return Err(Error::InvalidJwk(format!(
            "\"{name}\" has {} bytes, expected {len}",
            bytes.len()
        )));
    }
    Ok(bytes)
}
