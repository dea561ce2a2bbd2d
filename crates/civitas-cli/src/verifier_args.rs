//! The verifier every checking command builds from its flags (`--trust`, `--root`,
//! `--policy`, `--ledger`): `verify` and `counter` share it, as ripgrep's `hiargs`
//! builds the searcher for every command. Also what the ledger said about its own
//! freshness, for the verdict's `ledger` field and the clerk's note.

use crate::error::{CliError, Result};
use crate::util::show_time;
use civitas_credential::types::CredentialType;
use civitas_did::MethodResolver;
use civitas_ledger::LedgerReader;
use civitas_verifier::{AccreditationTrust, LedgerStatus, Policy, StaticTrust, Verifier};
use serde_json::json;
use std::sync::Arc;

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
            "age_seconds": self.checkpoint_time.map(|t| now.saturating_sub(t).max(0)),
        })
    }

    pub(crate) fn plain(&self, now: i64) -> Option<String> {
        let t = self.checkpoint_time?;
        let mut s = format!(
            "ledger data as of {} ({} old)",
            show_time(t),
            age(now.saturating_sub(t).max(0))
        );
        if let Some(synced) = self.synced_at {
            s.push_str(&format!(", synced {}", show_time(synced)));
        }
        Some(s)
    }
}

pub(crate) fn age(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// The checks an operator switched off explicitly (`civitas verify --no-replay-check`,
/// `--no-status-check`). The default switches nothing off: a counter always passes it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OptOuts {
    /// Accept a presentation without a nonce or an audience to check.
    pub(crate) replay_check: bool,
    /// Accept a credential whose status reference was not checked (no `--ledger`).
    pub(crate) status_check: bool,
}

/// The verifier `args` describe, and the ledger's note when one is used. Strict by
/// default ([`Policy::default`]); only `opt_outs` (or a policy file's
/// `"require_status": false`) relax it, and the verdict then says so.
pub(crate) fn build_verifier(
    trust: &[String],
    roots: &[String],
    policy_file: Option<&std::path::Path>,
    ledger_arg: Option<&str>,
    node_trust: &crate::ledger_arg::NodeTrust,
    opt_outs: OptOuts,
    now: i64,
) -> Result<(Verifier<MethodResolver>, Option<LedgerNote>)> {
    let mut trust = trust.to_vec();
    let mut roots = roots.to_vec();
    let mut policy = Policy {
        require_replay_check: !opt_outs.replay_check,
        require_status: !opt_outs.status_check,
        ..Policy::default()
    };
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
            // `false` is an explicit opt-out, as --no-status-check; `true` (the default)
            // never overrides that flag.
            let required = r.as_bool().ok_or_else(|| {
                CliError::Input("policy: require_status must be true or false".into())
            })?;
            policy.require_status &= required;
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
    let ledger: Arc<dyn LedgerReader> = crate::ledger_arg::verified_reader(ledger_arg, node_trust)?;
    let info = ledger
        .info()
        .map_err(|e| CliError::Input(format!("cannot read the ledger: {e}")))?;
    crate::ledger_arg::check_age(ledger_arg, &info, node_trust, now)?;
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
    .with_evidence(civitas_verifier::LedgerAnchors::new(ledger.clone()))
    .with_status(LedgerStatus::new(ledger, resolver));
    Ok((verifier, Some(note)))
}
