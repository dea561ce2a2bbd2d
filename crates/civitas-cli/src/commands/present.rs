//! `civitas present`: disclose chosen claims to one counter.

use crate::error::{CliError, Result};
use crate::util::{out, read_input, time_or_now};
use civitas_credential::{ClaimPath, Credential};
use civitas_crypto::SigningKey;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Your private key (the one the credential is bound to).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Claims to disclose, by name or path: age_over_18,address.locality,allergies[0].
    /// Nothing else is revealed.
    #[arg(
        long,
        value_name = "NAME[,NAME…]",
        value_delimiter = ',',
        required = true
    )]
    pub(crate) disclose: Vec<String>,
    /// The counter's nonce (from its request).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub(crate) nonce: String,
    /// The counter's identity (its client id / audience).
    #[arg(long, value_name = "A")]
    pub(crate) aud: String,
    /// Presentation time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// The credential (file, or - for standard input).
    #[arg(value_name = "CREDENTIAL")]
    pub(crate) credential: PathBuf,
}

pub(crate) fn exec(args: Args) -> Result<ExitCode> {
    let key = SigningKey::load(&args.key)?;
    let bytes = read_input(Some(&args.credential))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::Input("the credential is not text".into()))?;
    let credential = Credential::parse(&text)?;
    let selection = args
        .disclose
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| ClaimPath::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let at = time_or_now(args.at.as_deref())?;
    let presentation = credential.present(&selection, &key, &args.nonce, &args.aud, at)?;
    out(&presentation)?;
    Ok(ExitCode::SUCCESS)
}
