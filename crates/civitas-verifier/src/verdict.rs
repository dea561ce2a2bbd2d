//! The verdict: what the clerk reads and what `--json` prints.

use crate::Error;
use civitas_credential::{ClaimPath, CredentialType, Verified};
use serde_json::{Map, Value, json};

/// Whether one of the checks an operator may switch off ran for a verdict (the
/// `replay_check` and `status_check` fields of `--json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The check ran.
    Checked,
    /// There was nothing to check (a credential without a `status` reference).
    NotApplicable,
    /// The operator switched the check off explicitly (`--no-replay-check`,
    /// `--no-status-check`): the verdict does not cover it.
    SkippedByOperator,
}

impl Check {
    /// The `--json` value: `"checked"`, `"not applicable"`, `"skipped by operator"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Checked => "checked",
            Check::NotApplicable => "not applicable",
            Check::SkippedByOperator => "skipped by operator",
        }
    }
}

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
    /// Things the clerk should know even when valid (a check the operator skipped,
    /// stale data).
    pub warnings: Vec<String>,
    /// Whether the presentation was bound to this counter's nonce and audience
    /// (`None`: the pipeline did not get that far, or the check was missing).
    pub replay_check: Option<Check>,
    /// Whether the credential's revocation status was checked (`None`: the pipeline
    /// did not get that far).
    pub status_check: Option<Check>,
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
            replay_check: None,
            status_check: None,
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
            replay_check: None,
            status_check: None,
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
            replay_check: None,
            status_check: None,
            verified: None,
        }
    }

    /// The `civitas verify --json` object: `valid`, `reason`, `issuer`, `vct`,
    /// `claims` (the contract), plus `code`, `disclosed`, `warnings`, `replay_check`
    /// and `status_check` (see [`Check::as_str`]; `null` when not reached).
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
            "replay_check": self.replay_check.map(Check::as_str),
            "status_check": self.status_check.map(Check::as_str),
        })
    }

    /// The credential type's English name, when the type is one this city knows.
    pub fn type_name(&self) -> Option<&'static str> {
        self.known_type().map(|t| t.name("en"))
    }

    fn known_type(&self) -> Option<&'static CredentialType> {
        self.vct.as_deref().and_then(CredentialType::by_vct)
    }

    /// The disclosed claims as a clerk reads them, in order: an English label (the
    /// claim's path when the type or the claim is unknown) and the value (`None` when
    /// the path does not resolve).
    pub fn shown(&self) -> Vec<(String, Option<Value>)> {
        let known = self.known_type();
        let claims = Value::Object(self.claims.clone());
        self.disclosed
            .iter()
            .map(|p| {
                let label = known
                    .and_then(|t| t.label(p, "en"))
                    .map_or_else(|| p.to_string(), str::to_string);
                (label, p.lookup(&claims).cloned())
            })
            .collect()
    }

    /// The verdict as a counter's page and its `direct_post` answer show it:
    /// [`to_json`](Self::to_json) plus `shown` (a `{label, value}` per disclosed claim,
    /// see [`shown`](Self::shown)) and `credential` ([`type_name`](Self::type_name), or
    /// `null`).
    pub fn to_counter_json(&self) -> Value {
        let mut v = self.to_json();
        let shown: Vec<Value> = self
            .shown()
            .into_iter()
            .map(|(label, value)| json!({"label": label, "value": value.unwrap_or(Value::Null)}))
            .collect();
        v["shown"] = json!(shown);
        v["credential"] = json!(self.type_name());
        v
    }
}
