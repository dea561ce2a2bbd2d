//! The verdict: what the clerk reads and what `--json` prints.

use crate::Error;
use civitas_credential::{ClaimPath, Verified};
use serde_json::{Map, Value, json};

/// The outcome of verifying one presentation.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Whether every check passed.
    pub valid: bool,
    /// The first failure, as a sentence; `None` when valid.
    pub reason: Option<String>,
    /// The failure's stable code; `None` when valid.
    pub code: Option<&'static str>,
    /// The issuer, when the presentation got far enough to say.
    pub issuer: Option<String>,
    /// The credential type.
    pub vct: Option<String>,
    /// Disclosed and always-visible claims (only when valid).
    pub claims: Map<String, Value>,
    /// Paths of the disclosed claims.
    pub disclosed: Vec<ClaimPath>,
    /// Things the clerk should know even when valid (unchecked nonce, stale data).
    pub warnings: Vec<String>,
    /// The verified details (only when valid); its `claims` and `disclosed` are moved
    /// to the verdict's fields of those names.
    pub verified: Option<Box<Verified>>,
}

impl Verdict {
    pub(crate) fn valid(mut verified: Verified, warnings: Vec<String>) -> Self {
        Verdict {
            valid: true,
            reason: None,
            code: None,
            issuer: Some(verified.issuer.clone()),
            vct: Some(verified.vct.clone()),
            // Moved, not copied: `verified.claims` is left empty, `claims` is the one copy.
            claims: std::mem::take(&mut verified.claims),
            disclosed: std::mem::take(&mut verified.disclosed),
            warnings,
            verified: Some(Box::new(verified)),
        }
    }

    pub(crate) fn invalid(error: &Error, warnings: Vec<String>) -> Self {
        Verdict {
            valid: false,
            reason: Some(error.to_string()),
            code: Some(error.code()),
            issuer: None,
            vct: None,
            claims: Map::new(),
            disclosed: Vec::new(),
            warnings,
            verified: None,
        }
    }

    /// A verdict for input that never reached the pipeline (a QR that would not
    /// decode, say).
    pub fn rejected(code: &'static str, reason: String) -> Self {
        Verdict {
            valid: false,
            reason: Some(reason),
            code: Some(code),
            issuer: None,
            vct: None,
            claims: Map::new(),
            disclosed: Vec::new(),
            warnings: Vec::new(),
            verified: None,
        }
    }

    /// The `civitas verify --json` object: `valid`, `reason`, `issuer`, `vct`,
    /// `claims` (the contract), plus `code`, `disclosed` and `warnings`.
    pub fn to_json(&self) -> Value {
        let mut claims = self.claims.clone();
        claims.remove("_sd_alg");
        json!({
            "valid": self.valid,
            "reason": self.reason,
            "code": self.code,
            "issuer": self.issuer,
            "vct": self.vct,
            "claims": claims,
            "disclosed": self.disclosed.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "warnings": self.warnings,
        })
    }
}
