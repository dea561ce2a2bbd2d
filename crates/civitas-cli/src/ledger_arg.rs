//! `--ledger URL|PATH`: a node over HTTP, or an embedded ledger file (created on first
//! use, with its checkpoint key beside it).

use crate::error::{CliError, Result};
use civitas_ledger::http::client::HttpLedger;
use civitas_ledger::{LedgerReader, LedgerWriter, SqliteLedger, system_clock};
use std::path::Path;
use std::sync::Arc;

/// The host new embedded ledgers give their DIDs.
pub(crate) const DEFAULT_HOST: &str = "ledger.civitas.example";

/// The default embedded ledger: `$CIVITAS_LEDGER`, or `ledger.db` in the platform data
/// directory (`$XDG_DATA_HOME/civitas`, `~/.local/share/civitas`).
pub(crate) fn default_ledger() -> String {
    if let Some(p) = std::env::var_os("CIVITAS_LEDGER") {
        return p.to_string_lossy().into_owned();
    }
    civitas_wallet::default_data_dir()
        .join("ledger.db")
        .to_string_lossy()
        .into_owned()
}

/// Whether `--ledger` names a node (a URL) rather than a file.
pub(crate) fn is_url(arg: &str) -> bool {
    arg.starts_with("http://") || arg.starts_with("https://")
}

/// A ledger to write to.
pub(crate) fn writer(arg: &str) -> Result<Arc<dyn LedgerWriter>> {
    if is_url(arg) {
        return Ok(Arc::new(HttpLedger::new(arg)?));
    }
    let ledger = SqliteLedger::embedded(Path::new(arg), DEFAULT_HOST, system_clock())?;
    if ledger.is_replica() {
        return Err(CliError::Usage(format!(
            "{arg} is a replica synced from another ledger; write to the origin instead"
        )));
    }
    Ok(Arc::new(ledger))
}

/// A ledger to read.
pub(crate) fn reader(arg: &str) -> Result<Arc<dyn LedgerReader>> {
    if is_url(arg) {
        return Ok(Arc::new(HttpLedger::new(arg)?));
    }
    let path = Path::new(arg);
    if !path.exists() {
        return Err(CliError::Input(format!("no ledger at {arg}")));
    }
    Ok(Arc::new(SqliteLedger::open(path, None, system_clock())?))
}

/// Appends one entry, mapping a refusal to a clear failure.
pub(crate) fn append(
    ledger: &dyn LedgerWriter,
    entry: &civitas_ledger::Entry,
) -> Result<civitas_ledger::Receipt> {
    ledger
        .append(entry)
        .map_err(|e| CliError::Failed(format!("the ledger refused the entry: {e}")))
}
