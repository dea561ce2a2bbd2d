//! `civitas wallet present`: answer a counter's request — the request (from its URL
//! or from flags), the consent text, the presentation and its QR codes.

use super::args::WalletArgs;
use super::render::consent_text;
use super::secrets::confirm;
use crate::error::{CliError, Result};
use crate::util::{claim_paths, out};
use civitas_credential::ClaimPath;
use civitas_exchange::qr;
use civitas_wallet::PresentationRequest;
use std::path::PathBuf;
use std::process::ExitCode;

/// What the citizen chose: claims declined, the credential, consent given, the form.
pub(super) struct PresentChoice {
    pub(super) dropped: Vec<ClaimPath>,
    pub(super) credential: Option<String>,
    pub(super) yes: bool,
    pub(super) civ1: bool,
    pub(super) output: Option<PathBuf>,
    pub(super) qr_png: Option<PathBuf>,
}

/// Prepares the consent, asks, presents.
pub(super) fn present(
    args: &WalletArgs,
    request: &PresentationRequest,
    choice: &PresentChoice,
) -> Result<ExitCode> {
    let (mut wallet, now, _) = args.open()?;
    let consent = match &choice.credential {
        Some(id) => wallet.prepare_with(request, id, now),
        None => wallet.prepare(request, now),
    }?;
    eprint!("{}", consent_text(&consent, &choice.dropped));
    if !consent.can_present() {
        return Err(CliError::Failed(format!(
            "cannot answer: the request requires {} [required_claim_missing]",
            consent
                .missing_required
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if !choice.yes && !confirm("Show this? [y/N] ")? {
        return Err(CliError::Failed("nothing was shown".into()));
    }
    let p = wallet.present(&consent, &choice.dropped, now)?;
    let text = if choice.civ1 {
        p.qr_payload()
    } else {
        p.text.clone()
    };
    if let Some(base) = &choice.qr_png {
        let codes = qr::render_presentation(&p.text, &qr::QrOptions::default())
            .map_err(|e| CliError::Failed(e.to_string()))?;
        let many = codes.len() > 1;
        for (i, code) in codes.iter().enumerate() {
            let path = if many {
                let stem = base.with_extension("");
                PathBuf::from(format!("{}-{}.png", stem.display(), i + 1))
            } else {
                base.clone()
            };
            let png = code
                .to_png(8)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            std::fs::write(&path, png)
                .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
        }
    }
    match &choice.output {
        Some(path) => {
            std::fs::write(path, format!("{text}\n"))
                .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
            eprintln!(
                "Presentation written to {} (history entry #{}).",
                path.display(),
                p.history
            );
        }
        None => out(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The request from `--request URL`, or from `--nonce`, `--aud`, `--type`, `--require`
/// and `--optional`.
pub(super) fn request_from_flags(
    url: Option<&str>,
    nonce: Option<&str>,
    aud: Option<&str>,
    vct: Option<&str>,
    require: &[String],
    optional: &[String],
) -> Result<PresentationRequest> {
    match url {
        Some(url) => request_from_url(url),
        None => Ok(PresentationRequest::new(
            nonce.unwrap_or_default(),
            aud.unwrap_or_default(),
            vct.unwrap_or_default(),
            claim_paths(require)?,
        )
        .with_optional(claim_paths(optional)?)),
    }
}

/// The counter's request from its `openid4vp://` URL, read by the wallet library (as
/// the app reads it). A request the wallet cannot read or answer is a usage error
/// naming `--request`.
fn request_from_url(url: &str) -> Result<PresentationRequest> {
    let request_error = |e: civitas_wallet::Error| match e {
        civitas_wallet::Error::Request(e) => CliError::Usage(format!("--request: {e}")),
        civitas_wallet::Error::UnsupportedRequest(why) => {
            CliError::Usage(format!("--request: {why}"))
        }
        other => CliError::from(other),
    };
    let request = civitas_wallet::request::read_request(url).map_err(request_error)?;
    let (_, wanted) =
        civitas_wallet::request::presentation_request(&request).map_err(request_error)?;
    Ok(wanted)
}
