//! `civitas verify`: the counter's check. Exit 0 valid, 1 not valid, 2 usage error or
//! unreadable input (ARCHITECTURE.md, "The verifier CLI contract").

use crate::error::Result;
use crate::util::{out, read_input, time_or_now};
use civitas_credential::types::CredentialType;
use civitas_did::MethodResolver;
use civitas_verifier::{Policy, Request, StaticTrust, Verdict, Verifier};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The nonce this counter issued; a presentation made for another is refused.
    #[arg(long, value_name = "N")]
    pub(crate) nonce: Option<String>,
    /// This counter's identity; a presentation made for another is refused.
    #[arg(long, value_name = "A")]
    pub(crate) aud: Option<String>,
    /// Trust this issuer (repeatable).
    #[arg(long = "trust", value_name = "DID")]
    pub(crate) trust: Vec<String>,
    /// Verify as of this time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Print one JSON object instead of the plain verdict.
    #[arg(long)]
    pub(crate) json: bool,
    /// The presentation: a file, or - / nothing for standard input.
    #[arg(value_name = "INPUT")]
    pub(crate) input: Option<PathBuf>,
}

pub(crate) fn exec(args: Args) -> Result<ExitCode> {
    let now = time_or_now(args.at.as_deref())?;
    let bytes = read_input(args.input.as_deref())?;
    let verifier = Verifier::new(
        MethodResolver::local(),
        StaticTrust::new(args.trust.clone()),
        Policy::default(),
    );
    let request = Request {
        nonce: args.nonce.clone(),
        aud: args.aud.clone(),
        required: Vec::new(),
    };
    let verdict = match std::str::from_utf8(&bytes) {
        Ok(text) => verifier.verify(text, &request, now),
        Err(_) => Verdict::rejected(
            "malformed",
            "malformed presentation: the input is not text".into(),
        ),
    };
    print_verdict(&verdict, args.json)?;
    Ok(if verdict.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Prints a verdict, plain or JSON.
pub(crate) fn print_verdict(verdict: &Verdict, json: bool) -> Result<()> {
    if json {
        return out(&verdict.to_json().to_string());
    }
    out(&plain(verdict))
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
    let known = CredentialType::by_vct(vct);
    if let Some(t) = known {
        s.push_str(&format!("  credential: {}\n", t.name("en")));
    } else {
        s.push_str(&format!("  credential: {vct}\n"));
    }
    s.push_str(&format!(
        "  issuer:     {}\n",
        verdict.issuer.as_deref().unwrap_or_default()
    ));
    if let Some(v) = &verdict.verified {
        if let Some(kb) = &v.key_binding {
            s.push_str(&format!(
                "  presented:  {} to {}\n",
                crate::util::show_time(kb.iat),
                kb.aud
            ));
        }
        let claims = serde_json::Value::Object(verdict.claims.clone());
        s.push_str("  disclosed:\n");
        if verdict.disclosed.is_empty() {
            s.push_str("    (nothing)\n");
        }
        for path in &verdict.disclosed {
            let label = known
                .and_then(|t| t.label(path, "en"))
                .map_or_else(|| path.to_string(), str::to_string);
            let value = path.lookup(&claims).map(show_value).unwrap_or_default();
            s.push_str(&format!("    {label}: {value}\n"));
        }
    }
    for w in &verdict.warnings {
        s.push_str(&format!("  warning: {w}\n"));
    }
    s.trim_end().to_string()
}

fn show_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Bool(true) => "yes".into(),
        serde_json::Value::Bool(false) => "no".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
