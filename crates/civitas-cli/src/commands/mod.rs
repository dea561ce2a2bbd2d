//! One module per subcommand: its arguments and an `exec` that calls the libraries.
//! Larger subcommands are folders (`counter/`, `verify/`, `wallet/`). No command
//! module imports another: what several share lives in the crate's top-level modules.

pub(crate) mod accredit;
pub(crate) mod counter;
pub(crate) mod demo;
pub(crate) mod did;
pub(crate) mod issue;
pub(crate) mod issuer;
pub(crate) mod key;
pub(crate) mod ledger;
pub(crate) mod present;
pub(crate) mod qr;
pub(crate) mod request;
pub(crate) mod status;
pub(crate) mod verify;
pub(crate) mod wallet;

use crate::cli::{Cli, Command};
use crate::error::Result;
use std::process::ExitCode;

/// Runs the parsed command.
pub(crate) fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Demo(args) => demo::exec(args),
        Command::Key(cmd) => key::exec(cmd),
        Command::Did(cmd) => did::exec(cmd),
        Command::Accredit(args) => accredit::exec(args),
        Command::Status(cmd) => status::exec(cmd),
        Command::Ledger(cmd) => ledger::exec(cmd),
        Command::Issue(args) => issue::exec(args),
        Command::Issuer(cmd) => issuer::exec(cmd),
        Command::Present(args) => present::exec(args),
        Command::Verify(args) => verify::exec(args),
        Command::Request(args) => request::exec(args),
        Command::Counter { args, command } => counter::exec(*args, command),
        Command::Qr(cmd) => qr::exec(cmd),
        Command::Wallet(cmd) => wallet::exec(cmd),
    }
}
