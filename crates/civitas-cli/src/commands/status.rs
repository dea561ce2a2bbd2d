//! `civitas status publish|revoke|show`: an issuer's Token Status Lists on the ledger.

use crate::error::{CliError, Result};
use crate::identity::Identity;
use crate::ledger_arg::{self, default_ledger};
use crate::util::{out, time_or_now};
use civitas_credential::status_list::{StatusList, parse_status_list_token, status};
use civitas_ledger::sign;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Publish a new, all-valid status list; prints its URI (give it to `civitas issue
    /// --status-list`).
    Publish {
        /// The issuer's key directory.
        #[arg(long, value_name = "DIR")]
        keys: PathBuf,
        /// The list's name, unique for this issuer.
        #[arg(long, default_value = "default")]
        name: String,
        /// Number of credentials it can hold.
        #[arg(long, default_value_t = 131_072)]
        size: usize,
        #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
        ledger: String,
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
    },
    /// Revoke (or suspend, or reinstate) the credential at an index of a list.
    Revoke {
        /// The issuer's key directory.
        #[arg(long, value_name = "DIR")]
        keys: PathBuf,
        /// The list's URI.
        #[arg(long, value_name = "URI")]
        uri: String,
        /// The credential's index in the list.
        #[arg(long, value_name = "N")]
        index: u64,
        /// Suspend instead of revoking for good.
        #[arg(long, conflicts_with = "reinstate")]
        suspend: bool,
        /// Lift a suspension.
        #[arg(long)]
        reinstate: bool,
        #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
        ledger: String,
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
    },
}

pub(crate) fn exec(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Publish {
            keys,
            name,
            size,
            ledger,
            at,
        } => {
            let id = Identity::load(&keys)?;
            let ledger = ledger_arg::writer(&ledger)?;
            let host = ledger
                .info()
                .map_err(|e| CliError::Failed(e.to_string()))?
                .host;
            let uri = sign::status_list_uri(&host, &id.did, &name);
            // Two bits an entry: valid, revoked, suspended.
            let list = StatusList::new(2, size).map_err(|e| CliError::Usage(e.to_string()))?;
            let entry = sign::status_list(id.signing(), &uri, &list, time_or_now(at.as_deref())?)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            let receipt = ledger_arg::append(&*ledger, &entry)?;
            out(&format!(
                "published {size} entries at ledger index {}",
                receipt.index
            ))?;
            out(&uri)?;
        }
        Command::Revoke {
            keys,
            uri,
            index,
            suspend,
            reinstate,
            ledger,
            at,
        } => {
            let id = Identity::load(&keys)?;
            let ledger = ledger_arg::writer(&ledger)?;
            let token = ledger
                .status_list(&uri)
                .map_err(|e| CliError::Failed(e.to_string()))?
                .ok_or_else(|| CliError::Failed(format!("no status list at {uri}")))?;
            let (current, _) =
                parse_status_list_token(&token).map_err(|e| CliError::Failed(e.to_string()))?;
            if current.issuer != id.did {
                return Err(CliError::Failed(format!(
                    "{uri} belongs to {}",
                    current.issuer
                )));
            }
            let mut list = current.list;
            let value = if reinstate {
                status::VALID
            } else if suspend {
                status::SUSPENDED
            } else {
                status::INVALID
            };
            if list.get(index) == Some(status::INVALID) && value != status::INVALID {
                return Err(CliError::Failed(format!(
                    "credential {index} is revoked for good"
                )));
            }
            list.set(index, value)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let now = time_or_now(at.as_deref())?.max(current.iat + 1);
            let entry = sign::status_list(id.signing(), &uri, &list, now)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            let receipt = ledger_arg::append(&*ledger, &entry)?;
            let what = match value {
                status::VALID => "reinstated",
                status::SUSPENDED => "suspended",
                _ => "revoked",
            };
            out(&format!(
                "credential {index} of {uri} {what} (ledger index {})",
                receipt.index
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
