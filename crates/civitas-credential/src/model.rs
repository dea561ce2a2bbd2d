//! The SD-JWT VC data model: registered claims, holder binding, status reference.

use crate::{Error, Result};
use civitas_crypto::PublicKey;
use serde_json::{Map, Value, json};

/// The media type (`typ`) of an SD-JWT VC.
pub const TYP_SD_JWT_VC: &str = "dc+sd-jwt";
/// The earlier media type, still accepted.
pub const TYP_SD_JWT_VC_LEGACY: &str = "vc+sd-jwt";
/// The media type of a key binding JWT.
pub const TYP_KB_JWT: &str = "kb+jwt";

/// Claims the SD-JWT VC draft registers and that an issuer sets, never selectively
/// disclosable (§3.2.2): they are always visible. `sub` and `iat` are visible too.
pub const REGISTERED: [&str; 9] = [
    "iss",
    "iat",
    "nbf",
    "exp",
    "cnf",
    "vct",
    "vct#integrity",
    "status",
    "sub",
];

/// How the credential is bound to its holder (`cnf`, RFC 7800).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolderBinding {
    /// Bound to one key by value: `cnf.jwk`.
    Jwk(PublicKey),
    /// Bound to the holder's DID: `cnf.kid` names a verification method; verifiers
    /// accept a key binding JWT only from a key the DID currently authorizes.
    Did(String),
}

impl HolderBinding {
    /// The `cnf` claim value.
    pub fn to_cnf(&self) -> Value {
        match self {
            HolderBinding::Jwk(key) => json!({ "jwk": key.to_jwk_value() }),
            HolderBinding::Did(kid) => json!({ "kid": kid }),
        }
    }

    /// Reads a `cnf` claim.
    pub fn from_cnf(cnf: &Value) -> Result<Self> {
        let bad = |why: &str| Error::BadHolderBinding(why.to_string());
        let obj = cnf.as_object().ok_or_else(|| bad("not an object"))?;
        match (obj.get("jwk"), obj.get("kid")) {
            (Some(jwk), None) => PublicKey::from_jwk_value(jwk)
                .map(HolderBinding::Jwk)
                .map_err(|e| Error::BadHolderBinding(e.to_string())),
            (None, Some(Value::String(kid))) => {
                civitas_did::split_did_url(kid).map_err(|_| bad("cnf.kid is not a DID URL"))?;
                Ok(HolderBinding::Did(kid.clone()))
            }
            (Some(_), Some(_)) => Err(bad("both jwk and kid")),
            _ => Err(bad("neither jwk nor a DID kid")),
        }
    }

    /// The holder's DID, when bound to a DID.
    pub fn did(&self) -> Option<&str> {
        match self {
            HolderBinding::Did(kid) => kid.split('#').next(),
            HolderBinding::Jwk(_) => None,
        }
    }
}

/// A Token Status List reference (draft-ietf-oauth-status-list §6.1):
/// `"status": {"status_list": {"idx": N, "uri": "…"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    /// Index of the credential in the list.
    pub idx: u64,
    /// Where the status list token is published.
    pub uri: String,
}

impl StatusRef {
    /// The `status` claim value.
    pub fn to_claim(&self) -> Value {
        json!({ "status_list": { "idx": self.idx, "uri": self.uri } })
    }

    /// Reads a `status` claim; `Ok(None)` when it has no `status_list`.
    pub fn from_claim(status: &Value) -> Result<Option<Self>> {
        let bad = || Error::BadClaim {
            name: "status",
            expected: "a status_list reference {idx, uri}",
        };
        let obj = status.as_object().ok_or_else(bad)?;
        let Some(list) = obj.get("status_list") else {
            return Ok(None);
        };
        let idx = list.get("idx").and_then(Value::as_u64).ok_or_else(bad)?;
        let uri = list.get("uri").and_then(Value::as_str).ok_or_else(bad)?;
        Ok(Some(StatusRef {
            idx,
            uri: uri.to_string(),
        }))
    }
}

pub(crate) fn opt_time(claims: &Map<String, Value>, name: &'static str) -> Result<Option<i64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or(Error::BadClaim {
            name,
            expected: "a NumericDate (integer seconds)",
        }),
    }
}

pub(crate) fn req_str<'m>(claims: &'m Map<String, Value>, name: &'static str) -> Result<&'m str> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .ok_or(Error::BadClaim {
            name,
            expected: "a string",
        })
}
