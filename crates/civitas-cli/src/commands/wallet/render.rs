//! How the wallet's answers read: JSON output, bindings, claim labels, the consent
//! text.

use crate::error::{CliError, Result};
use crate::render::{Arrays, show_value};
use crate::util::out;
use civitas_credential::ClaimPath;
use civitas_wallet::{Binding, ClaimView, Consent};
use serde_json::Value;

/// Prints a value as pretty JSON.
pub(super) fn json_out(value: serde_json::Result<Value>) -> Result<()> {
    let value = value.map_err(|e| CliError::Failed(format!("cannot print JSON: {e}")))?;
    out(&serde_json::to_string_pretty(&value)
        .map_err(|e| CliError::Failed(format!("cannot print JSON: {e}")))?)
}

/// What a credential is bound to, in words.
pub(super) fn binding_text(b: &Binding) -> &'static str {
    match b {
        Binding::Did { .. } => "your DID",
        Binding::DeviceKey => "this device's key",
        Binding::OldDeviceKey => "an earlier device's key (cannot be presented here)",
        Binding::Foreign => "a key this wallet does not hold",
    }
}

/// A claim's label in `locale` (en or zh), or its path.
pub(super) fn claim_label<'a>(c: &'a ClaimView, locale: &str) -> &'a str {
    let label = if locale.starts_with("zh") {
        c.label_zh.as_deref()
    } else {
        c.label.as_deref()
    };
    label.unwrap_or(&c.path)
}

/// What a counter asks to see, as the citizen reads it before consenting.
pub(super) fn consent_text(c: &Consent, dropped: &[ClaimPath]) -> String {
    let mut s = format!(
        "{} asks to see, from your {} ({}, issued by {}):\n",
        c.request.aud,
        c.type_name.as_deref().unwrap_or(&c.vct),
        c.credential,
        c.issuer
    );
    let line = |s: &mut String, tag: &str, item: &civitas_wallet::ConsentClaim| {
        s.push_str(&format!(
            "  {tag:<9} {}: {}\n",
            item.label
                .as_deref()
                .map_or_else(|| item.path.to_string(), str::to_string),
            show_value_listed(&item.value)
        ));
    };
    for item in &c.required {
        line(&mut s, "required", item);
    }
    for item in &c.optional {
        let tag = if dropped.contains(&item.path) {
            "declined"
        } else {
            "optional"
        };
        line(&mut s, tag, item);
    }
    for p in &c.missing_required {
        s.push_str(&format!(
            "  MISSING   {p} (required; your credential does not have it)\n"
        ));
    }
    for p in &c.missing_optional {
        s.push_str(&format!("  missing   {p} (optional)\n"));
    }
    s.push_str(&format!("  and, always: {}\n", c.always_visible.join(", ")));
    for w in &c.warnings {
        s.push_str(&format!("  WARNING: {w}\n"));
    }
    s
}

/// A claim value as the wallet shows it (arrays of plain values as a list).
pub(super) fn show_value_listed(v: &Value) -> String {
    show_value(v, Arrays::Listed)
}
