//! `civitas request`: the counter's OpenID4VP request, as a URL and a QR code.

use crate::error::{CliError, Result};
use crate::util::out;
use civitas_credential::{ClaimPath, CredentialType};
use civitas_crypto::SystemRng;
use civitas_exchange::openid4vp::{self, AuthorizationRequest};
use civitas_exchange::qr::{self, EccLevel, QrOptions, TerminalStyle};
use std::path::PathBuf;
use std::process::ExitCode;

/// What a counter asks for; shared by `request` and `counter`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Ask {
    /// Claims the citizen must show, by name or path (age_over_18,address.locality).
    #[arg(long, value_name = "NAME[,NAME…]", value_delimiter = ',')]
    pub(crate) claims: Vec<String>,
    /// Claims the citizen may leave out (at most 5).
    #[arg(long, value_name = "NAME[,NAME…]", value_delimiter = ',')]
    pub(crate) optional: Vec<String>,
    /// The credential type asked for: pid, medical, service-record or a vct URI.
    #[arg(long, default_value = "pid")]
    pub(crate) vct: String,
    /// Where online wallets post their answer (`civitas counter serve` listens there).
    #[arg(long, value_name = "URL")]
    pub(crate) response_uri: Option<String>,
    /// This counter's identity (OpenID4VP client_id); default: `redirect_uri:` + the
    /// response URI, or this city's counter address.
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,
}

impl Ask {
    /// A new request with a fresh nonce.
    pub(crate) fn build(&self) -> Result<AuthorizationRequest> {
        let paths = |names: &[String]| -> Result<Vec<ClaimPath>> {
            names
                .iter()
                .filter(|n| !n.trim().is_empty())
                .map(|n| ClaimPath::parse(n).map_err(|e| CliError::Usage(e.to_string())))
                .collect()
        };
        let required = paths(&self.claims)?;
        let optional = paths(&self.optional)?;
        if required.is_empty() && optional.is_empty() {
            return Err(CliError::Usage(
                "ask for at least one claim (--claims)".into(),
            ));
        }
        let vct = CredentialType::lookup(&self.vct).map_or(self.vct.clone(), |t| t.vct.to_string());
        let client_id = match (&self.client_id, &self.response_uri) {
            (Some(c), _) => c.clone(),
            (None, Some(uri)) => format!("redirect_uri:{uri}"),
            (None, None) => "redirect_uri:https://counter.civitas.example/response".to_string(),
        };
        let nonce =
            openid4vp::generate_nonce(&SystemRng).map_err(|e| CliError::Failed(e.to_string()))?;
        AuthorizationRequest::for_counter(
            &client_id,
            self.response_uri.as_deref(),
            &nonce,
            &vct,
            &required,
            &optional,
        )
        .map_err(|e| CliError::Usage(e.to_string()))
    }
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) ask: Ask,
    /// Also write the QR code to FILE (.png or .svg).
    #[arg(long, value_name = "FILE")]
    pub(crate) qr: Option<PathBuf>,
    /// Save the request (JSON) for `civitas counter --request FILE`.
    #[arg(long, value_name = "FILE")]
    pub(crate) save: Option<PathBuf>,
    /// Do not draw the QR code in the terminal.
    #[arg(long)]
    pub(crate) no_terminal: bool,
}

/// The request's QR code.
pub(crate) fn request_qr(request: &AuthorizationRequest) -> Result<qr::QrCode> {
    let options = QrOptions::default()
        .with_ecc(EccLevel::L)
        .with_max_version(30);
    qr::render(&request.to_url(), &options)
        .map_err(|e| CliError::Failed(format!("the request does not fit a QR code: {e}")))
}

pub(crate) fn exec(args: Args) -> Result<ExitCode> {
    let request = args.ask.build()?;
    let code = request_qr(&request)?;
    if let Some(path) = &args.qr {
        write_qr(&code, path)?;
    }
    if let Some(path) = &args.save {
        civitas_crypto::write_atomic(
            path,
            serde_json::Value::Object(request.to_json())
                .to_string()
                .as_bytes(),
            0o644,
            true,
        )?;
    }
    if !args.no_terminal {
        out(&code.to_terminal(TerminalStyle::default()))?;
    }
    let info = code.info();
    eprintln!(
        "QR version {} at ECC {:?}; nonce {}",
        info.version,
        info.ecc,
        request.nonce()
    );
    out(&request.to_url())?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a QR code as PNG or SVG, by the file's extension.
pub(crate) fn write_qr(code: &qr::QrCode, path: &std::path::Path) -> Result<()> {
    let bytes = match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => code.to_svg().into_bytes(),
        Some("png") | None => code
            .to_png(8)
            .map_err(|e| CliError::Failed(e.to_string()))?,
        Some(other) => {
            return Err(CliError::Usage(format!(
                "write QR codes as .png or .svg, not .{other}"
            )));
        }
    };
    civitas_crypto::write_atomic(path, &bytes, 0o644, true)?;
    Ok(())
}
