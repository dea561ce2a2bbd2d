//! Compact JWS for the other signed objects Civitas publishes (status lists, ledger
//! accreditations, counter receipts): the same strict parser and allow-list as the
//! SD-JWT core, with the `typ` checked.

use crate::error::Part;
use crate::{Error, Result};
use civitas_crypto::{Algorithm, PublicKey, Signer, Verifier as _};
use serde_json::{Map, Value};

/// A parsed compact JWS whose signature is still to be checked.
#[derive(Debug, Clone)]
pub struct Jws {
    /// Protected header.
    pub header: Map<String, Value>,
    /// Payload claims.
    pub payload: Map<String, Value>,
    alg: Algorithm,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jws {
    /// Parses `token`, requiring header `typ` = `typ` and an allowed `alg`.
    pub fn parse(token: &str, typ: &'static str) -> Result<Self> {
        let token = token.trim();
        if token.len() > 16 * 1024 * 1024 {
            return Err(Error::Malformed("token too large".into()));
        }
        let jws = crate::sd::parse_jws(token, Part::Issuer)?;
        match jws.header.get("typ").and_then(Value::as_str) {
            Some(t) if t == typ => {}
            other => {
                return Err(Error::WrongType {
                    part: Part::Issuer,
                    expected: typ,
                    found: other.unwrap_or("none").chars().take(40).collect(),
                });
            }
        }
        Ok(Jws {
            alg: jws.alg,
            signing_input: jws.signing_input.to_string(),
            signature: jws.signature,
            header: jws.header,
            payload: jws.payload,
        })
    }

    /// The `kid` header.
    pub fn kid(&self) -> Result<&str> {
        self.header
            .get("kid")
            .and_then(Value::as_str)
            .ok_or(Error::MissingKid)
    }

    /// The `iss` claim, which must be the DID of `kid`.
    pub fn issuer(&self) -> Result<&str> {
        let iss = crate::model::req_str(&self.payload, "iss")?;
        let kid = self.kid()?;
        if kid.split('#').next() != Some(iss) {
            return Err(Error::KidNotIssuer {
                kid: kid.to_string(),
                iss: iss.to_string(),
            });
        }
        Ok(iss)
    }

    /// A string claim.
    pub fn str_claim(&self, name: &'static str) -> Result<&str> {
        crate::model::req_str(&self.payload, name)
    }

    /// An integer time claim.
    pub fn time_claim(&self, name: &'static str) -> Result<Option<i64>> {
        crate::model::opt_time(&self.payload, name)
    }

    /// Checks the signature with `key`.
    pub fn verify(&self, key: &PublicKey) -> Result<()> {
        key.verify(self.alg, self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| Error::IssuerSignature)
    }
}

/// Signs a compact JWS with header `{alg, typ, kid}` and `payload`.
pub fn sign(typ: &str, kid: &str, payload: &Value, signer: &dyn Signer) -> Result<String> {
    let header = serde_json::json!({"alg": signer.algorithm().jose_name(), "typ": typ, "kid": kid});
    crate::issue::sign_jws(&header, payload, signer)
}
