//! `civitas verify`: the counter's check. Exit 0 valid, 1 not valid, 2 usage error or
//! unreadable input (ARCHITECTURE.md, "The verifier CLI contract").

use crate::error::{CliError, Result};
use crate::util::{out, read_input, show_time, time_or_now};
use civitas_credential::types::CredentialType;
use civitas_did::MethodResolver;
use civitas_ledger::LedgerReader;
use civitas_verifier::{
    AccreditationTrust, LedgerStatus, Policy, Request, StaticTrust, Verdict, Verifier,
};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The nonce this counter issued; a presentation made for another is refused.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub(crate) nonce: Option<String>,
    /// This counter's identity; a presentation made for another is refused.
    #[arg(long, value_name = "A")]
    pub(crate) aud: Option<String>,
    /// Trust this issuer (repeatable). Without it, accreditation on the ledger decides.
    #[arg(long = "trust", value_name = "DID")]
    pub(crate) trust: Vec<String>,
    /// Trust issuers accredited (directly or through delegation) by this root
    /// (repeatable; needs --ledger).
    #[arg(long = "root", value_name = "DID", requires = "ledger")]
    pub(crate) roots: Vec<String>,
    /// A policy file: {"roots": [...], "trust": [...], "accepted_types": [...],
    /// "kb_window": 300, "require_status": false}.
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// The ledger: a node URL, or a file (a synced copy works offline). Resolves
    /// did:webvh issuers, checks revocation status and accreditation.
    #[arg(long, value_name = "URL|PATH")]
    pub(crate) ledger: Option<String>,
    /// Verify as of this time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Print one JSON object instead of the plain verdict (with --batch: one per line).
    #[arg(long)]
    pub(crate) json: bool,
    /// Verify every line of FILE (one presentation, or one CIV1: payload, a line), for
    /// audits; prints a summary, and with --json one verdict a line.
    #[arg(long, value_name = "FILE", conflicts_with = "input")]
    pub(crate) batch: Option<PathBuf>,
    /// With --batch: also time two raw ring ES256 verifications per presentation (its
    /// issuer and key binding signatures) in the same run, and print the ratio.
    #[arg(long, hide = true, requires = "batch")]
    pub(crate) compare_raw: bool,
    /// The presentation: a file, or - / nothing for standard input.
    #[arg(value_name = "INPUT")]
    pub(crate) input: Option<PathBuf>,
}

/// What the ledger said about its own freshness.
#[derive(Debug, Clone, Default)]
pub(crate) struct LedgerNote {
    /// When its newest checkpoint was signed.
    pub(crate) checkpoint_time: Option<i64>,
    /// For a synced copy, when it was synced.
    pub(crate) synced_at: Option<i64>,
    /// "primary" or "replica".
    pub(crate) role: String,
}

impl LedgerNote {
    pub(crate) fn to_json(&self, now: i64) -> serde_json::Value {
        json!({
            "role": self.role,
            "checkpoint_time": self.checkpoint_time.map(show_time),
            "synced_at": self.synced_at.map(show_time),
            "age_seconds": self.checkpoint_time.map(|t| (now - t).max(0)),
        })
    }

    pub(crate) fn plain(&self, now: i64) -> Option<String> {
        let t = self.checkpoint_time?;
        let mut s = format!(
            "ledger data as of {} ({} old)",
            show_time(t),
            age((now - t).max(0))
        );
        if let Some(synced) = self.synced_at {
            s.push_str(&format!(", synced {}", show_time(synced)));
        }
        Some(s)
    }
}

fn age(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// The verifier `args` describe, and the ledger's note when one is used.
pub(crate) fn build_verifier(
    trust: &[String],
    roots: &[String],
    policy_file: Option<&std::path::Path>,
    ledger_arg: Option<&str>,
    now: i64,
) -> Result<(Verifier<MethodResolver>, Option<LedgerNote>)> {
    let mut trust = trust.to_vec();
    let mut roots = roots.to_vec();
    let mut policy = Policy::default();
    if let Some(path) = policy_file {
        let p = crate::util::read_json_object(path)?;
        let list = |k: &str| -> Result<Vec<String>> {
            match p.get(k) {
                None => Ok(Vec::new()),
                Some(v) => serde_json::from_value(v.clone()).map_err(|_| {
                    CliError::Input(format!("policy: \"{k}\" must be a list of strings"))
                }),
            }
        };
        roots.extend(list("roots")?);
        trust.extend(list("trust")?);
        policy.accepted_types = list("accepted_types")?
            .into_iter()
            .map(|t| CredentialType::lookup(&t).map_or(t, |ty| ty.vct.to_string()))
            .collect();
        if let Some(w) = p.get("kb_window") {
            policy.kb_window =
                w.as_i64()
                    .filter(|w| (0..=86_400).contains(w))
                    .ok_or_else(|| {
                        CliError::Input("policy: kb_window must be 0..86400 seconds".into())
                    })?;
        }
        if let Some(r) = p.get("require_status") {
            policy.require_status = r.as_bool().ok_or_else(|| {
                CliError::Input("policy: require_status must be true or false".into())
            })?;
        }
    }
    let Some(ledger_arg) = ledger_arg else {
        if !roots.is_empty() {
            return Err(CliError::Usage(
                "roots need a ledger (--ledger URL|PATH)".into(),
            ));
        }
        return Ok((
            Verifier::new(MethodResolver::local(), StaticTrust::new(trust), policy),
            None,
        ));
    };
    let ledger: Arc<dyn LedgerReader> = crate::ledger_arg::reader(ledger_arg)?;
    let info = ledger
        .info()
        .map_err(|e| CliError::Input(format!("cannot read the ledger: {e}")))?;
    let note = LedgerNote {
        checkpoint_time: info.checkpoint_time,
        synced_at: info.synced_at,
        role: info.role,
    };
    let resolver = civitas_ledger::resolver(ledger.clone(), now);
    let verifier = if roots.is_empty() {
        Verifier::new(resolver.clone(), StaticTrust::new(trust), policy)
    } else {
        Verifier::new(
            resolver.clone(),
            AccreditationTrust::new(ledger.clone(), roots).with_trusted(trust),
            policy,
        )
    }
    .with_status(LedgerStatus::new(ledger, resolver));
    Ok((verifier, Some(note)))
}

pub(crate) fn exec(args: Args) -> Result<ExitCode> {
    let now = time_or_now(args.at.as_deref())?;
    let (verifier, note) = build_verifier(
        &args.trust,
        &args.roots,
        args.policy.as_deref(),
        args.ledger.as_deref(),
        now,
    )?;
    let request = Request {
        nonce: args.nonce.clone(),
        aud: args.aud.clone(),
        required: Vec::new(),
    };
    if let Some(batch) = &args.batch {
        return crate::commands::batch::run(
            batch,
            &verifier,
            &request,
            now,
            args.json,
            args.compare_raw,
        );
    }
    let bytes = read_input(args.input.as_deref())?;
    let verdict = match crate::input::presentation_from_bytes(&bytes) {
        Ok(text) => verifier.verify(&text, &request, now),
        Err(r) => Verdict::rejected(r.code, r.reason),
    };
    print_verdict(&verdict, args.json, note.as_ref(), now)?;
    Ok(if verdict.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Prints a verdict, plain or JSON.
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
                show_time(kb.iat),
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
