//! `civitas wallet …` (placeholder until the wallet lands).

use crate::error::{CliError, Result};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show the wallet's state.
    Status,
}

pub(crate) fn exec(_cmd: Command) -> Result<ExitCode> {
    Err(CliError::Failed("the wallet is not built yet".into()))
}
