//! The CLI's errors and their exit codes.

use std::process::ExitCode;

/// Result alias for commands.
pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;

/// A command failure. `Usage` and `Input` exit with 2, `Failed` with 1.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The command line is wrong in a way clap cannot see.
    #[error("{0}")]
    Usage(String),
    /// An input file cannot be read.
    #[error("{0}")]
    Input(String),
    /// The operation itself failed.
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) | CliError::Input(_) => ExitCode::from(2),
            CliError::Failed(_) => ExitCode::from(1),
        }
    }
}

impl From<civitas_crypto::Error> for CliError {
    fn from(e: civitas_crypto::Error) -> Self {
        match e {
            civitas_crypto::Error::Io { .. } => CliError::Input(e.to_string()),
            other => CliError::Failed(other.to_string()),
        }
    }
}

impl From<civitas_credential::Error> for CliError {
    fn from(e: civitas_credential::Error) -> Self {
        CliError::Failed(e.to_string())
    }
}

impl From<civitas_did::Error> for CliError {
    fn from(e: civitas_did::Error) -> Self {
        CliError::Failed(e.to_string())
    }
}

impl From<civitas_ledger::Error> for CliError {
    fn from(e: civitas_ledger::Error) -> Self {
        CliError::Failed(e.to_string())
    }
}

/// A wallet failure: unreadable files are input errors (exit 2); anything else fails
/// (exit 1) with the wallet's stable code in brackets.
impl From<civitas_wallet::Error> for CliError {
    fn from(e: civitas_wallet::Error) -> Self {
        match e {
            civitas_wallet::Error::Io { .. } => CliError::Input(e.to_string()),
            other => CliError::Failed(format!("{other} [{}]", other.code())),
        }
    }
}
