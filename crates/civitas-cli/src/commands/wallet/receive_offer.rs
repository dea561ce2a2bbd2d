//! `civitas wallet receive 'openid-credential-offer://…'`: a credential offered over
//! OpenID4VCI (the Pre-Authorized Code Flow with a PIN), thin over
//! `civitas_wallet::openid4vci`. The PIN comes from `--pin-file`, `CIVITAS_TX_CODE` or
//! a prompt (no echo), and is never printed.

use super::args::WalletArgs;
use super::secrets::secret_file;
use crate::error::{CliError, Result};
use crate::util::out;
use civitas_wallet::Binding;
use civitas_wallet::openid4vci::{Accepted, HttpTransport};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Whether `input` is an offer URL rather than a file.
pub(super) fn is_offer(input: &str) -> bool {
    civitas_exchange::openid4vci::is_offer_url(input)
}

/// Obtains the offered credential, checks and stores it.
pub(super) fn receive_offer(
    args: &WalletArgs,
    offer: &str,
    pin_file: Option<&Path>,
    roots: Vec<String>,
) -> Result<ExitCode> {
    let (mut wallet, now, _) = args.open()?;
    wallet.trust_roots(roots);
    let transport = HttpTransport::new()?;
    let preview = wallet.preview_offer(&transport, offer, now)?;
    eprintln!(
        "{} offers you a {} ({})",
        preview.issuer_name.as_deref().map_or_else(
            || preview.credential_issuer.clone(),
            |n| format!("{n} ({})", preview.credential_issuer)
        ),
        preview.type_name,
        preview.configuration_id
    );
    let pin = if preview.pin_required {
        Some(pin(pin_file, preview.pin_description.as_deref())?)
    } else {
        None
    };
    let got =
        match wallet.accept_offer(&transport, &preview, pin.as_ref().map(|p| p.as_str()), now)? {
            Accepted::Issued(got) => got,
            Accepted::Pending(p) => {
                out(&format!(
                    "pending: {} from {} — run `civitas wallet fetch` later",
                    p.type_name, p.credential_issuer
                ))?;
                return Ok(ExitCode::SUCCESS);
            }
        };
    let r = &got.received;
    out(&format!(
        "Received {} as {}\n  issuer:  {} ({}; its signature checks out)\n  from:    {} over OpenID4VCI\n  bound to {}",
        r.type_name.as_deref().unwrap_or(&r.vct),
        r.id,
        r.issuer,
        r.accreditation.describe(),
        got.credential_issuer,
        match &r.binding {
            Binding::Did { kid } => format!("your DID ({kid})"),
            _ => "this device's key".to_string(),
        }
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// The PIN: from `file`, `CIVITAS_TX_CODE`, or typed at a prompt (no echo).
fn pin(file: Option<&Path>, hint: Option<&str>) -> Result<Zeroizing<String>> {
    if let Some(path) = file {
        return secret_file(path, "PIN");
    }
    if let Ok(p) = std::env::var("CIVITAS_TX_CODE") {
        return Ok(Zeroizing::new(p.trim().to_string()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "the offer needs the PIN the issuer gave you: use --pin-file PATH (or set CIVITAS_TX_CODE)"
                .into(),
        ));
    }
    let prompt = match hint {
        Some(h) => format!(
            "PIN ({}): ",
            h.chars().filter(|c| !c.is_control()).collect::<String>()
        ),
        None => "PIN: ".to_string(),
    };
    rpassword::prompt_password(prompt)
        .map(|p| Zeroizing::new(p.trim().to_string()))
        .map_err(|e| CliError::Input(format!("cannot read the PIN: {e}")))
}
