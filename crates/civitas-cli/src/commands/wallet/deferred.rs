//! `civitas wallet pending|fetch|delete`: deferred OpenID4VCI issuance (what the
//! issuers will deliver later, and asking for it) and deleting a credential (with the
//! issuer's `credential_deleted` notification when it asked for one), thin over
//! `civitas_wallet::openid4vci`.

use super::args::WalletArgs;
use super::render::json_out;
use crate::error::Result;
use crate::util::{out, show_time};
use civitas_wallet::openid4vci::{FetchOutcome, HttpTransport, PendingIssuance};
use std::process::ExitCode;

fn pending_line(p: &PendingIssuance) -> String {
    format!(
        "{}  {:<18} from {}  next ask {}  gives up {}",
        p.id,
        p.type_name,
        p.credential_issuer,
        show_time(p.next_poll),
        show_time(p.expires)
    )
}

/// Lists the pending issuances.
pub(super) fn pending(args: &WalletArgs, json: bool) -> Result<ExitCode> {
    let (mut wallet, now, _) = args.open()?;
    let pending = wallet.pending(now)?;
    if json {
        json_out(serde_json::to_value(&pending))?;
        return Ok(ExitCode::SUCCESS);
    }
    if pending.is_empty() {
        out("Nothing pending.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let lines: Vec<String> = pending.iter().map(pending_line).collect();
    out(&lines.join("\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// Asks the issuers for what they deferred. Exit 1 when something could not be asked
/// for or ended without a credential.
pub(super) fn fetch(
    args: &WalletArgs,
    all: bool,
    roots: Vec<String>,
    json: bool,
) -> Result<ExitCode> {
    let (mut wallet, now, _) = args.open()?;
    wallet.trust_roots(roots);
    let transport = HttpTransport::new()?;
    let outcomes = wallet.fetch_deferred(&transport, now, all)?;
    let bad = outcomes
        .iter()
        .any(|o| matches!(o, FetchOutcome::Ended { .. } | FetchOutcome::Failed { .. }));
    let code = if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if json {
        json_out(serde_json::to_value(&outcomes))?;
        return Ok(code);
    }
    if outcomes.is_empty() {
        let waiting = wallet.pending(now)?.len();
        out(&if waiting == 0 {
            "Nothing pending.".to_string()
        } else {
            format!("Nothing due yet ({waiting} pending; `--all` asks now).")
        })?;
        return Ok(code);
    }
    let mut lines = Vec::new();
    for o in &outcomes {
        lines.push(match o {
            FetchOutcome::Received { pending, issued } => format!(
                "received: {} as {} from {} ({}; its signature checks out)",
                pending.type_name,
                issued.received.id,
                issued.credential_issuer,
                issued.received.accreditation.describe()
            ),
            FetchOutcome::StillPending { pending } => format!(
                "still pending: {} from {} — asks again after {}",
                pending.type_name,
                pending.credential_issuer,
                show_time(pending.next_poll)
            ),
            FetchOutcome::Ended {
                pending,
                code,
                reason,
            } => format!(
                "refused: {} from {} ({code}): {reason}; removed",
                pending.type_name, pending.credential_issuer
            ),
            FetchOutcome::Failed {
                pending,
                code,
                reason,
            } => format!(
                "not reached: {} from {} ({code}): {reason}; kept",
                pending.type_name, pending.credential_issuer
            ),
        });
    }
    out(&lines.join("\n"))?;
    Ok(code)
}

/// Deletes a credential; its issuer is told if it asked to be.
pub(super) fn delete(args: &WalletArgs, id: &str) -> Result<ExitCode> {
    let (mut wallet, now, _) = args.open()?;
    let transport = HttpTransport::new()?;
    let notified = wallet.delete_notifying(&transport, id, now)?;
    out(&if notified {
        format!("Deleted {id}; its issuer was told (credential_deleted).")
    } else {
        format!("Deleted {id}.")
    })?;
    Ok(ExitCode::SUCCESS)
}
