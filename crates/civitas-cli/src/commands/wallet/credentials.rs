//! `civitas wallet status|receive|list|show`: what the wallet holds.

use super::args::WalletArgs;
use super::render::{binding_text, claim_label, json_out, show_value_listed};
use crate::error::{CliError, Result};
use crate::util::{out, read_input, show_time};
use civitas_exchange::qr;
use civitas_wallet::{Binding, CredentialStatus};
use serde_json::Value;
use std::path::Path;
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Your DID, this device's key, what the ledger says, counts.
pub(super) fn status(args: &WalletArgs, json: bool) -> Result<ExitCode> {
    let (mut wallet, now, report) = args.open()?;
    let status = wallet.status(now)?;
    if json {
        let mut v = serde_json::to_value(&status)
            .map_err(|e| CliError::Failed(format!("cannot print JSON: {e}")))?;
        v["integrity"] = serde_json::to_value(&report).unwrap_or(Value::Null);
        v["wallet"] = Value::String(wallet.dir().display().to_string());
        json_out(Ok(v))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = format!(
        "wallet:       {}\nDID:          {}\nledger:       {}\nholder key:   {} ({})\n",
        wallet.dir().display(),
        status.did,
        status.ledger_host.as_deref().unwrap_or("(unreachable)"),
        status.holder_key,
        status.key_store
    );
    match (&status.ledger_error, status.device_authorized, status.deactivated) {
        (Some(e), _, _) => s.push_str(&format!("DID state:    cannot read the ledger: {e}\n")),
        (None, _, true) => s.push_str("DID state:    DEACTIVATED\n"),
        (None, Some(true), false) => s.push_str(&format!(
            "DID state:    version {}; authorizes this device's key\n",
            status.did_version.as_deref().unwrap_or("?")
        )),
        (None, _, false) => s.push_str(&format!(
            "DID state:    version {}; does NOT authorize this device's key yet (run `civitas wallet rotate --recovery`)\n",
            status.did_version.as_deref().unwrap_or("?")
        )),
    }
    s.push_str(&format!(
        "credentials:  {}\nhistory:      {} entries, {}\nvault:        {}, {} bytes, idle lock {} s\nlast backup:  {}",
        status.credentials,
        status.history_entries,
        if report.is_intact() {
            "intact".to_string()
        } else {
            format!("TAMPERED: {}", report.summary())
        },
        status.kdf,
        status.vault_bytes,
        status.idle_timeout,
        status.last_backup.map_or_else(|| "never".to_string(), show_time)
    ));
    out(&s)?;
    Ok(ExitCode::SUCCESS)
}

/// Receives a credential from a file, a QR payload or a photo of the code.
pub(super) fn receive(
    args: &WalletArgs,
    input: Option<&Path>,
    roots: Vec<String>,
) -> Result<ExitCode> {
    let bytes = read_input(input)?;
    let text = Zeroizing::new(if civitas_verifier::scan::is_image(&bytes) {
        qr::decode_image(&bytes)
            .map_err(|e| CliError::Input(format!("no readable QR code in the image: {e}")))?
            .join("\n")
    } else {
        String::from_utf8(bytes)
            .map_err(|_| CliError::Input("the credential is not text".into()))?
    });
    let (mut wallet, now, _) = args.open()?;
    wallet.trust_roots(roots);
    let got = wallet.receive(&text, now)?;
    // A name only through a chain to a trusted root; a ledger that cannot be read is
    // "could not check", never "not accredited".
    let accredited = got.accreditation.describe();
    out(&format!(
        "Received {} as {}\n  issuer:  {} ({accredited}; its signature checks out)\n  bound to {}",
        got.type_name.as_deref().unwrap_or(&got.vct),
        got.id,
        got.issuer,
        match &got.binding {
            Binding::Did { kid } => format!("your DID ({kid})"),
            _ => "this device's key".to_string(),
        }
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Lists the credentials.
pub(super) fn list(args: &WalletArgs, json: bool) -> Result<ExitCode> {
    let (mut wallet, now, _) = args.open()?;
    let creds = wallet.credentials(now)?;
    if json {
        json_out(serde_json::to_value(&creds))?;
        return Ok(ExitCode::SUCCESS);
    }
    if creds.is_empty() {
        out("No credentials yet (receive one with `civitas wallet receive FILE`).")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    for c in &creds {
        s.push_str(&format!(
            "{}  {:<18} {}  issued by {}{}\n",
            c.id,
            c.type_name.as_deref().unwrap_or(&c.vct),
            c.type_name_zh.as_deref().unwrap_or(""),
            c.issuer,
            if c.valid_now { "" } else { "  (not valid now)" }
        ));
    }
    out(s.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

/// Shows one credential.
pub(super) fn show(args: &WalletArgs, id: &str, locale: &str, json: bool) -> Result<ExitCode> {
    let (mut wallet, now, _) = args.open()?;
    let d = wallet.show(id, now)?;
    if json {
        json_out(serde_json::to_value(&d))?;
        return Ok(ExitCode::SUCCESS);
    }
    let name = if locale.starts_with("zh") {
        d.summary.type_name_zh.as_deref()
    } else {
        d.summary.type_name.as_deref()
    };
    let mut s = format!(
        "{} ({})\n  type:      {}\n  issuer:    {}\n  issued:    {}\n  expires:   {}\n  validity:  {}\n  status:    {}\n  bound to:  {}\n  received:  {}\n  claims:\n",
        name.unwrap_or(&d.summary.vct),
        d.summary.id,
        d.summary.vct,
        d.summary.issuer,
        d.summary.issued_at.map_or_else(|| "-".into(), show_time),
        d.summary.expires.map_or_else(|| "never".into(), show_time),
        d.validity.as_deref().unwrap_or("valid now"),
        match &d.status {
            CredentialStatus::NotTracked => "not tracked (no status list)".to_string(),
            CredentialStatus::Valid => "valid (checked on the ledger)".to_string(),
            CredentialStatus::Revoked => "REVOKED by its issuer".to_string(),
            CredentialStatus::Suspended => "SUSPENDED by its issuer".to_string(),
            CredentialStatus::Other(v) => format!("status value 0x{v:02x}"),
            CredentialStatus::Unavailable(why) => format!("unknown: {why}"),
        },
        binding_text(&d.summary.binding),
        show_time(d.summary.received),
    );
    for c in &d.claims {
        s.push_str(&format!(
            "    {}: {}{}\n",
            claim_label(c, locale),
            show_value_listed(&c.value),
            if c.selectively_disclosable {
                ""
            } else {
                "  (always shown)"
            }
        ));
    }
    out(s.trim_end())?;
    Ok(ExitCode::SUCCESS)
}
