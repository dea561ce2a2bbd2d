//! Where the wallet is (`--wallet`, `--ledger`, `--at`) and opening it: unlocked with
//! the passphrase for the command's own duration.

use super::args::WalletArgs;
use super::secrets::passphrase;
use crate::error::{CliError, Result};
use crate::util::time_or_now;
use civitas_wallet::{IntegrityReport, Wallet};
use std::path::{Path, PathBuf};

impl WalletArgs {
    /// `--wallet`, `$CIVITAS_WALLET`, or `wallet` in the platform data directory.
    pub(super) fn dir(&self) -> PathBuf {
        if let Some(d) = &self.wallet {
            return d.clone();
        }
        if let Some(d) = std::env::var_os("CIVITAS_WALLET") {
            return PathBuf::from(d);
        }
        civitas_wallet::default_data_dir().join("wallet")
    }

    /// `--ledger`, or the default ledger.
    fn ledger_arg(&self) -> String {
        match &self.ledger {
            Some(l) => l.clone(),
            None => crate::ledger_arg::default_ledger(),
        }
    }

    /// The ledger; an embedded file must exist unless `create`.
    pub(super) fn ledger(
        &self,
        create: bool,
    ) -> Result<std::sync::Arc<dyn civitas_ledger::LedgerWriter>> {
        let arg = self.ledger_arg();
        if !create && !crate::ledger_arg::is_url(&arg) && !Path::new(&arg).exists() {
            return Err(CliError::Input(format!(
                "no ledger at {arg} (give the one your DID lives on with --ledger)"
            )));
        }
        crate::ledger_arg::writer(&arg)
    }

    /// `--at`, or the clock.
    pub(super) fn now(&self) -> Result<i64> {
        time_or_now(self.at.as_deref())
    }

    /// Opens and unlocks the wallet, printing tamper warnings.
    pub(super) fn open(&self) -> Result<(Wallet, i64, IntegrityReport)> {
        let now = self.now()?;
        let dir = self.dir();
        let ledger = self.ledger(false)?;
        let mut wallet = Wallet::open(&dir, ledger)?;
        let passphrase = passphrase(
            self.passphrase_file.as_deref(),
            "CIVITAS_PASSPHRASE",
            "Passphrase: ",
        )?;
        let report = wallet.unlock(&passphrase, now)?;
        warn_tampered(&report);
        Ok((wallet, now, report))
    }
}

fn warn_tampered(report: &IntegrityReport) {
    for p in &report.problems {
        eprintln!("WARNING: {p}");
    }
}
