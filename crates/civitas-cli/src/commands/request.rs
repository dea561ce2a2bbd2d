//! `civitas request`: the counter's OpenID4VP request, as a URL and a QR code.

use crate::error::Result;
use crate::qr_file::write_qr;
use crate::request_args::{CounterRequestArgs, request_qr};
use crate::util::out;
use civitas_exchange::qr::TerminalStyle;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) ask: CounterRequestArgs,
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
