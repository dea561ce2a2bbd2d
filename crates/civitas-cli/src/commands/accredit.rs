//! `civitas accredit`: roots declare themselves, accredit issuers, and withdraw
//! accreditations, on the ledger.

use crate::error::{CliError, Result};
use crate::identity::Identity;
use crate::ledger_arg::{self, default_ledger};
use crate::util::{out, parse_time, time_or_now};
use civitas_credential::CredentialType;
use civitas_ledger::sign::{self, AccreditationSpec};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The accreditor's key directory (from `civitas did create`).
    #[arg(long, value_name = "DIR")]
    pub(crate) keys: PathBuf,
    /// The issuer to accredit.
    #[arg(long, value_name = "DID", required_unless_present_any = ["root", "revoke"])]
    pub(crate) subject: Option<String>,
    /// Credential types: pid, medical, service-record or vct URIs (repeatable).
    #[arg(long = "vct", value_name = "TYPE")]
    pub(crate) vcts: Vec<String>,
    /// Display name of the accredited issuer (or of the root, with --root).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Let the issuer accredit others for these types.
    #[arg(long)]
    pub(crate) delegate: bool,
    /// Valid until, RFC 3339.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) exp: Option<String>,
    /// The accreditation's id (default: generated).
    #[arg(long)]
    pub(crate) id: Option<String>,
    /// Declare the key directory's DID a root authority for --vct instead.
    #[arg(long, conflicts_with_all = ["subject", "revoke"])]
    pub(crate) root: bool,
    /// Withdraw the accreditation with this id instead.
    #[arg(long, value_name = "ID", conflicts_with = "subject")]
    pub(crate) revoke: Option<String>,
    /// The ledger: a file (embedded, the default) or a node URL.
    #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
    pub(crate) ledger: String,
    /// Signing time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
}

fn vct_uris(names: &[String]) -> Result<Vec<String>> {
    if names.is_empty() {
        return Err(CliError::Usage("give at least one --vct".into()));
    }
    names
        .iter()
        .map(|n| match CredentialType::lookup(n) {
            Some(t) => Ok(t.vct.to_string()),
            None if n.contains(':') => Ok(n.clone()),
            None => Err(CliError::Usage(format!("unknown credential type {n}"))),
        })
        .collect()
}

pub(crate) fn exec(args: Args) -> Result<ExitCode> {
    let id = Identity::load(&args.keys)?;
    let ledger = ledger_arg::writer(&args.ledger)?;
    let now = time_or_now(args.at.as_deref())?;
    let entry = if args.root {
        let vcts = vct_uris(&args.vcts)?;
        let refs: Vec<&str> = vcts.iter().map(String::as_str).collect();
        sign::root(id.signing(), &refs, args.name.as_deref(), now)
    } else if let Some(revoke) = &args.revoke {
        sign::revocation(id.signing(), revoke, now)
    } else {
        let vcts = vct_uris(&args.vcts)?;
        let refs: Vec<&str> = vcts.iter().map(String::as_str).collect();
        let generated = format!(
            "acc-{}",
            &civitas_crypto::b64::sha256_b64(format!("{}{now}{:?}", id.did, args.subject))[..12]
        );
        let spec = AccreditationSpec {
            id: args.id.as_deref().unwrap_or(&generated),
            subject: args.subject.as_deref().unwrap_or_default(),
            name: args.name.as_deref(),
            vcts: &refs,
            nbf: None,
            exp: args.exp.as_deref().map(parse_time).transpose()?,
            delegate: args.delegate,
        };
        let entry = sign::accreditation(id.signing(), &spec, now);
        if entry.is_ok() {
            out(&format!("accreditation id: {}", spec.id))?;
        }
        entry
    }
    .map_err(|e| CliError::Failed(e.to_string()))?;
    let receipt = ledger_arg::append(&*ledger, &entry)?;
    out(&format!("recorded at ledger index {}", receipt.index))?;
    Ok(ExitCode::SUCCESS)
}
