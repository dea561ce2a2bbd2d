//! How verdicts and claim values read on a terminal, shared by `verify`, `demo`, the
//! counter and the wallet. The `--json` verdict itself is made by
//! `civitas_verifier::Verdict::to_json`; its `ledger` field by
//! `crate::verifier_args::LedgerNote::to_json`.

use crate::error::Result;
use crate::util::{out, show_time};
use crate::verifier_args::LedgerNote;
use civitas_verifier::Verdict;
use serde_json::Value;

/// How [`show_value`] writes an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrays {
    /// As JSON text (`["a","b"]`): the verifier's and the counter's view.
    Json,
    /// An array of plain values as a list (`a, b`); other arrays as JSON: the
    /// wallet's view.
    Listed,
}

/// A claim value as a person reads it: `yes`/`no`, a string without quotes, arrays as
/// `arrays` says, anything else as JSON.
pub(crate) fn show_value(v: &Value, arrays: Arrays) -> String {
    match v {
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::String(s) => s.clone(),
        Value::Array(items)
            if arrays == Arrays::Listed
                && items.iter().all(|i| !i.is_object() && !i.is_array()) =>
        {
            items
                .iter()
                .map(|i| show_value(i, arrays))
                .collect::<Vec<_>>()
                .join(", ")
        }
        other => other.to_string(),
    }
}

/// Prints a verdict: the `--json` object (with the ledger's note as `ledger`), or the
/// clerk's text followed by the ledger's note.
pub(crate) fn print_verdict(
    verdict: &Verdict,
    json_out: bool,
    note: Option<&LedgerNote>,
    now: i64,
) -> Result<()> {
    if json_out {
        let mut v = verdict.to_json();
        if let Some(n) = note {
            v["ledger"] = n.to_json(now);
        }
        return out(&v.to_string());
    }
    let mut text = plain(verdict);
    if let Some(line) = note.and_then(|n| n.plain(now)) {
        text.push_str(&format!("\n  {line}"));
    }
    out(&text)
}

/// The clerk's text: the verdict first, then what was shown.
pub(crate) fn plain(verdict: &Verdict) -> String {
    let mut s = String::new();
    if !verdict.valid {
        s.push_str("NOT VALID: ");
        s.push_str(verdict.reason.as_deref().unwrap_or("unknown reason"));
        return s;
    }
    s.push_str("VALID\n");
    let vct = verdict.vct.as_deref().unwrap_or_default();
    s.push_str(&format!(
        "  credential: {}\n",
        verdict.type_name().unwrap_or(vct)
    ));
    s.push_str(&format!(
        "  issuer:     {}\n",
        verdict.issuer.as_deref().unwrap_or_default()
    ));
    if let Some(v) = &verdict.verified {
        if let Some(kb) = &v.key_binding {
            s.push_str(&format!(
                "  presented:  {} to {}\n",
                show_time(kb.iat),
                kb.aud
            ));
        }
        s.push_str("  disclosed:\n");
        if verdict.disclosed.is_empty() {
            s.push_str("    (nothing)\n");
        }
        for (label, value) in shown_text(verdict) {
            s.push_str(&format!("    {label}: {value}\n"));
        }
    }
    for w in &verdict.warnings {
        s.push_str(&format!("  warning: {w}\n"));
    }
    s.trim_end().to_string()
}

/// The disclosed claims of a verdict as text: English label and value (empty when
/// the path does not resolve), for the clerk's views.
pub(crate) fn shown_text(verdict: &Verdict) -> Vec<(String, String)> {
    verdict
        .shown()
        .into_iter()
        .map(|(label, value)| {
            let value = value
                .map(|v| show_value(&v, Arrays::Json))
                .unwrap_or_default();
            (label, value)
        })
        .collect()
}
