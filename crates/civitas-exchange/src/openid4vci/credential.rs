//! The Nonce Response (OpenID4VCI 1.0 §7), the Credential Request (§8.2) and the
//! Credential Response (§8.3).

use super::error::{Error, Result, redacted, shorten};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The most key proofs one request may carry (a batch of one-time copies; an issuer
/// allows at most its `batch_credential_issuance.batch_size`).
pub const MAX_PROOFS: usize = 100;
/// The longest key proof JWT accepted.
pub const MAX_PROOF_LEN: usize = 8 * 1024;

/// The Nonce Endpoint's response: `{"c_nonce": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceResponse {
    /// The nonce the next key proof must carry.
    pub c_nonce: String,
}

impl NonceResponse {
    /// Parses a Nonce Response (at most 4 KiB).
    pub fn from_json(body: &[u8]) -> Result<Self> {
        if body.len() > 4096 {
            return Err(Error::malformed("nonce response", "larger than 4 KiB"));
        }
        let r: NonceResponse = serde_json::from_slice(body)
            .map_err(|_| Error::malformed("nonce response", "no c_nonce"))?;
        if r.c_nonce.is_empty() {
            return Err(Error::malformed("nonce response", "empty c_nonce"));
        }
        Ok(r)
    }
}

/// Which credential a request asks for: exactly one of the two (§8.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    /// `credential_configuration_id` (no `authorization_details` in the token).
    ConfigurationId(String),
    /// `credential_identifier` (from the token's `authorization_details`).
    Identifier(String),
}

/// A Credential Request: what, and the key proofs (`proofs.jwt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRequest {
    /// The credential asked for.
    pub requested: Requested,
    /// Compact JWT key proofs (`proofs: {"jwt": […]}`), one per credential.
    pub proofs: Vec<String>,
}

impl CredentialRequest {
    /// A request for configuration `id` with one JWT key proof.
    pub fn for_configuration(id: &str, proof_jwt: String) -> Self {
        CredentialRequest {
            requested: Requested::ConfigurationId(id.to_string()),
            proofs: vec![proof_jwt],
        }
    }

    /// The JSON body.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        match &self.requested {
            Requested::ConfigurationId(id) => {
                m.insert("credential_configuration_id".into(), id.clone().into())
            }
            Requested::Identifier(id) => {
                m.insert("credential_identifier".into(), id.clone().into())
            }
        };
        m.insert("proofs".into(), serde_json::json!({ "jwt": self.proofs }));
        Value::Object(m)
    }

    /// Parses a request body (at most 64 KiB): `invalid_credential_request` for a
    /// malformed body, both or neither of the two ids, `proofs` that is not an object
    /// with exactly one type `jwt` holding 1..=[`MAX_PROOFS`] strings, or the legacy
    /// `proof`; `invalid_proof` when no proof is given.
    pub fn from_json(body: &[u8]) -> Result<Self> {
        let bad = |why: &str| Error::CredentialRequest(why.to_string());
        if body.len() > 64 * 1024 {
            return Err(bad("larger than 64 KiB"));
        }
        let value = civitas_credential::json::parse_strict(body)
            .map_err(|e| Error::CredentialRequest(format!("not JSON: {}", shorten(&e, 100))))?;
        let obj = value.as_object().ok_or_else(|| bad("not a JSON object"))?;
        let text = |name: &str| -> Result<Option<String>> {
            match obj.get(name) {
                None => Ok(None),
                Some(Value::String(s)) if !s.is_empty() && s.len() <= 256 => Ok(Some(s.clone())),
                Some(_) => Err(Error::CredentialRequest(format!(
                    "{name} is not a non-empty string of at most 256 bytes"
                ))),
            }
        };
        let requested = match (
            text("credential_configuration_id")?,
            text("credential_identifier")?,
        ) {
            (Some(id), None) => Requested::ConfigurationId(id),
            (None, Some(id)) => Requested::Identifier(id),
            (Some(_), Some(_)) => {
                return Err(bad(
                    "both credential_configuration_id and credential_identifier",
                ));
            }
            (None, None) => {
                return Err(bad(
                    "neither credential_configuration_id nor credential_identifier",
                ));
            }
        };
        if obj.contains_key("proof") {
            return Err(bad(
                "\"proof\" is not part of OpenID4VCI 1.0: use \"proofs\"",
            ));
        }
        if obj.contains_key("credential_response_encryption") {
            return Err(bad("credential response encryption is not supported"));
        }
        let proofs = match obj.get("proofs") {
            None => return Err(Error::Proof("no proofs in the credential request".into())),
            Some(Value::Object(p)) => p,
            Some(_) => return Err(bad("proofs is not an object")),
        };
        if proofs.len() != 1 {
            return Err(bad("proofs must hold exactly one proof type"));
        }
        let jwts = match proofs.get("jwt") {
            Some(Value::Array(a)) => a,
            Some(_) => return Err(bad("proofs.jwt is not an array")),
            None => return Err(Error::Proof("only the jwt proof type is supported".into())),
        };
        if jwts.is_empty() {
            return Err(Error::Proof("proofs.jwt is empty".into()));
        }
        if jwts.len() > MAX_PROOFS {
            return Err(bad("more proofs than the batch size allows"));
        }
        let proofs = jwts
            .iter()
            .map(|j| match j {
                Value::String(s) if s.len() <= MAX_PROOF_LEN => Ok(s.clone()),
                Value::String(_) => Err(Error::Proof("a key proof longer than 8 KiB".into())),
                _ => Err(bad("a proofs.jwt element is not a string")),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(CredentialRequest { requested, proofs })
    }
}

/// One issued credential in a Credential Response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCredential {
    /// The credential: for `dc+sd-jwt`, the compact SD-JWT VC text.
    pub credential: Value,
}

/// A Credential Response (§8.3): credentials now, or a `transaction_id` for the
/// Deferred Credential Endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialResponse {
    /// The issued credentials (HTTP 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Vec<IssuedCredential>>,
    /// Deferred issuance (HTTP 202).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// Seconds to wait before asking the Deferred Credential Endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<u64>,
    /// For the Notification Endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<String>,
}

impl CredentialResponse {
    /// An immediate response with one credential.
    pub fn issued(credential: String) -> Self {
        Self::issued_batch(vec![credential])
    }

    /// An immediate response with several credentials (a batch: one per key proof).
    pub fn issued_batch(credentials: Vec<String>) -> Self {
        CredentialResponse {
            credentials: Some(
                credentials
                    .into_iter()
                    .map(|c| IssuedCredential {
                        credential: Value::String(c),
                    })
                    .collect(),
            ),
            transaction_id: None,
            interval: None,
            notification_id: None,
        }
    }

    /// A deferred response (HTTP 202): the `transaction_id` and the seconds to wait.
    pub fn deferred(transaction_id: String, interval: u64) -> Self {
        CredentialResponse {
            credentials: None,
            transaction_id: Some(transaction_id),
            interval: Some(interval),
            notification_id: None,
        }
    }

    /// Whether this is a deferred (202) response.
    pub fn is_deferred(&self) -> bool {
        self.transaction_id.is_some()
    }

    /// Parses a response body (at most 4 MiB): exactly one of a non-empty
    /// `credentials` array and a `transaction_id` (with `interval`).
    pub fn from_json(body: &[u8]) -> Result<Self> {
        if body.len() > 4 * 1024 * 1024 {
            return Err(Error::malformed("credential response", "larger than 4 MiB"));
        }
        let r: CredentialResponse = serde_json::from_slice(body)
            .map_err(|e| Error::malformed("credential response", redacted(&e)))?;
        match (&r.credentials, &r.transaction_id) {
            (Some(c), None) if !c.is_empty() => Ok(r),
            (None, Some(t)) if !t.is_empty() => Ok(r),
            _ => Err(Error::malformed(
                "credential response",
                "neither credentials nor a transaction_id",
            )),
        }
    }

    /// The credentials as compact SD-JWT texts (`dc+sd-jwt` credentials are strings).
    pub fn sd_jwts(&self) -> Result<Vec<&str>> {
        self.credentials
            .iter()
            .flatten()
            .map(|c| {
                c.credential.as_str().ok_or_else(|| {
                    Error::malformed("credential response", "a credential that is not a string")
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openid4vci::ErrorCode;

    #[test]
    fn spec_credential_request_example() {
        // §8.2, non-normative example (1.0 final: `proofs`).
        let body = br#"{
          "credential_configuration_id": "UniversityDegreeCredential",
          "proofs": {
            "jwt": ["eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwiY3J2IjoiUC0yNTYiLCJ4IjoiblVXQW9BdjNYWml0aDhFN2kxOU9kYXhPTFlGT3dNLVoyRXVNMDJUaXJUNCIsInkiOiJIc2tIVThCalVpMVU5WHFpN1N3bWo4Z3dBS18weGtjRGpFV183MVNvc0VZIn19.eyJhdWQiOiJodHRwczovL2NyZWRlbnRpYWwtaXNzdWVyLmV4YW1wbGUuY29tIiwiaWF0IjoxNzAxOTYwNDQ0LCJub25jZSI6IkxhclJHU2JtVVBZdFJZTzZCUTR5bjgifQ.-a3EDsxClUB4O3LeDD5DVGEnNMT01FCQW4P6-2-BNBqc_Zxf0Qw4CWayLEpqkAomlkLb9zioZoipdP-jvh1WlA"]
          }
        }"#;
        let r = CredentialRequest::from_json(body).unwrap();
        assert_eq!(
            r.requested,
            Requested::ConfigurationId("UniversityDegreeCredential".into())
        );
        assert_eq!(r.proofs.len(), 1);
        let back = CredentialRequest::from_json(r.to_json().to_string().as_bytes()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn bad_credential_requests() {
        let cases: [(&[u8], ErrorCode); 8] = [
            (b"[]", ErrorCode::InvalidCredentialRequest),
            (b"{", ErrorCode::InvalidCredentialRequest),
            (br#"{"proofs":{"jwt":["a"]}}"#, ErrorCode::InvalidCredentialRequest),
            (
                br#"{"credential_configuration_id":"pid","credential_identifier":"x","proofs":{"jwt":["a"]}}"#,
                ErrorCode::InvalidCredentialRequest,
            ),
            (
                br#"{"credential_configuration_id":"pid","proof":{"proof_type":"jwt","jwt":"a"}}"#,
                ErrorCode::InvalidCredentialRequest,
            ),
            (br#"{"credential_configuration_id":"pid"}"#, ErrorCode::InvalidProof),
            (
                br#"{"credential_configuration_id":"pid","proofs":{"jwt":[]}}"#,
                ErrorCode::InvalidProof,
            ),
            (
                br#"{"credential_configuration_id":"pid","proofs":{"jwt":["a"],"attestation":["b"]}}"#,
                ErrorCode::InvalidCredentialRequest,
            ),
        ];
        for (body, code) in cases {
            let e = CredentialRequest::from_json(body).unwrap_err();
            assert_eq!(e.code(), code, "{}", String::from_utf8_lossy(body));
        }
        // A batch: up to MAX_PROOFS proofs, not one more.
        let batch = |n: usize| {
            serde_json::json!({"credential_configuration_id": "pid",
                               "proofs": {"jwt": vec!["a"; n]}})
            .to_string()
        };
        let r = CredentialRequest::from_json(batch(MAX_PROOFS).as_bytes()).unwrap();
        assert_eq!(r.proofs.len(), MAX_PROOFS);
        let e = CredentialRequest::from_json(batch(MAX_PROOFS + 1).as_bytes()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidCredentialRequest);
    }

    #[test]
    fn spec_credential_responses() {
        // §8.3 examples.
        let r = CredentialResponse::from_json(
            br#"{"credentials":[{"credential":"LUpixVCWJk0eOt4CXQe1NXK....WZwmhmn9OQp6YxX0a2L"}]}"#,
        )
        .unwrap();
        assert_eq!(r.sd_jwts().unwrap().len(), 1);
        let d =
            CredentialResponse::from_json(br#"{"transaction_id":"8xLOxBtZp8","interval":3600}"#)
                .unwrap();
        assert_eq!(d.interval, Some(3600));
        assert!(CredentialResponse::from_json(br#"{"credentials":[]}"#).is_err());
        assert!(CredentialResponse::from_json(b"{}").is_err());
        let n = NonceResponse::from_json(br#"{"c_nonce":"wKI4LT17ac15ES9bw8ac4"}"#).unwrap();
        assert_eq!(n.c_nonce, "wKI4LT17ac15ES9bw8ac4");
        assert!(NonceResponse::from_json(br#"{"c_nonce":""}"#).is_err());
    }
}
