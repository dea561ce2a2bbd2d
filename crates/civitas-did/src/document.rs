//! DID documents reduced to what verification needs.

use crate::{Error, Result};
use civitas_crypto::PublicKey;
use serde_json::Value;

/// A verification relationship (W3C DID Core §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// May sign credentials (the issuer's key).
    AssertionMethod,
    /// May authenticate as the subject (the holder's key-binding key).
    Authentication,
}

impl Purpose {
    /// The DID document property name.
    pub fn property(self) -> &'static str {
        match self {
            Purpose::AssertionMethod => "assertionMethod",
            Purpose::Authentication => "authentication",
        }
    }
}

/// A verification method with a key Civitas can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationMethod {
    /// Absolute DID URL of the method.
    pub id: String,
    /// Controller DID.
    pub controller: String,
    /// The public key.
    pub key: PublicKey,
}

/// A DID document: its id, usable verification methods, and which of them serve
/// which purpose. The JSON it came from is kept in `json`.
#[derive(Debug, Clone)]
pub struct DidDocument {
    /// The DID.
    pub id: String,
    /// Verification methods whose keys are ES256 or EdDSA (others are skipped).
    pub verification_methods: Vec<VerificationMethod>,
    /// Ids of methods in `assertionMethod`.
    pub assertion_method: Vec<String>,
    /// Ids of methods in `authentication`.
    pub authentication: Vec<String>,
    /// The document as resolved.
    pub json: Value,
}

/// Document metadata (W3C DID Resolution §7.1.3) that verification looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentMetadata {
    /// The DID has been deactivated.
    pub deactivated: bool,
    /// Version id of the resolved document, if the method has versions.
    pub version_id: Option<String>,
    /// When this version took effect (Unix seconds), if known.
    pub updated: Option<i64>,
    /// When the DID was created (Unix seconds), if known.
    pub created: Option<i64>,
}

/// The result of resolving a DID.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The document.
    pub document: DidDocument,
    /// Its metadata.
    pub metadata: DocumentMetadata,
}

impl DidDocument {
    /// Reads a DID document from JSON. Relative ids (`#key-1`) are made absolute;
    /// methods with keys of other types are skipped, not errors.
    pub fn from_json(json: Value) -> Result<Self> {
        let id = json
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::BadDocument("no \"id\"".into()))?
            .to_string();
        let absolute = |reference: &str| -> String {
            if reference.starts_with('#') {
                format!("{id}{reference}")
            } else {
                reference.to_string()
            }
        };
        let mut verification_methods = Vec::new();
        let mut read_method = |vm: &Value| -> Result<Option<String>> {
            let vm_id = vm
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::BadDocument("verification method without id".into()))?;
            let vm_id = absolute(vm_id);
            let controller = vm
                .get("controller")
                .and_then(Value::as_str)
                .unwrap_or(&id)
                .to_string();
            let parsed = if let Some(jwk) = vm.get("publicKeyJwk") {
                Some(PublicKey::from_jwk_value(jwk))
            } else {
                vm.get("publicKeyMultibase")
                    .and_then(Value::as_str)
                    .map(PublicKey::from_multikey)
            };
            let key = match parsed {
                None => None,
                Some(Ok(key)) => Some(key),
                // Keys of other types (X25519 keyAgreement, RSA…) are skipped.
                Some(Err(civitas_crypto::Error::UnsupportedKeyType(_))) => None,
                Some(Err(source)) => {
                    return Err(Error::BadKey {
                        id: vm_id.clone(),
                        source,
                    });
                }
            };
            if let Some(key) = key {
                verification_methods.push(VerificationMethod {
                    id: vm_id.clone(),
                    controller,
                    key,
                });
            }
            Ok(Some(vm_id))
        };
        if let Some(list) = json.get("verificationMethod") {
            let list = list
                .as_array()
                .ok_or_else(|| Error::BadDocument("verificationMethod is not an array".into()))?;
            for vm in list {
                read_method(vm)?;
            }
        }
        let mut relationship = |name: &str| -> Result<Vec<String>> {
            let mut ids = Vec::new();
            let Some(list) = json.get(name) else {
                return Ok(ids);
            };
            let list = list
                .as_array()
                .ok_or_else(|| Error::BadDocument(format!("{name} is not an array")))?;
            for entry in list {
                match entry {
                    Value::String(reference) => ids.push(absolute(reference)),
                    Value::Object(_) => {
                        if let Some(vm_id) = read_method(entry)? {
                            ids.push(vm_id);
                        }
                    }
                    _ => return Err(Error::BadDocument(format!("bad entry in {name}"))),
                }
            }
            Ok(ids)
        };
        let assertion_method = relationship("assertionMethod")?;
        let authentication = relationship("authentication")?;
        Ok(DidDocument {
            id,
            verification_methods,
            assertion_method,
            authentication,
            json,
        })
    }

    /// The key of verification method `id` (absolute DID URL), if the method is
    /// authorized for `purpose`.
    pub fn key_for(&self, id: &str, purpose: Purpose) -> Result<&PublicKey> {
        let vm = self
            .verification_methods
            .iter()
            .find(|vm| vm.id == id)
            .ok_or_else(|| Error::KeyNotFound(crate::syntax::short(id)))?;
        let allowed = match purpose {
            Purpose::AssertionMethod => &self.assertion_method,
            Purpose::Authentication => &self.authentication,
        };
        if !allowed.iter().any(|a| a == id) {
            return Err(Error::NotAuthorized {
                id: crate::syntax::short(id),
                purpose: purpose.property(),
            });
        }
        Ok(&vm.key)
    }

    /// Every key authorized for `purpose`, with its method id.
    pub fn keys_for(&self, purpose: Purpose) -> impl Iterator<Item = &VerificationMethod> {
        let allowed = match purpose {
            Purpose::AssertionMethod => &self.assertion_method,
            Purpose::Authentication => &self.authentication,
        };
        self.verification_methods
            .iter()
            .filter(move |vm| allowed.contains(&vm.id))
    }
}
