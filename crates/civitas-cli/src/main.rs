//! `civitas`: the Civitas command line. Parsing lives in `cli`, each subcommand in
//! `commands/`; this file maps results to exit codes.

mod cli;
mod commands;
mod error;
mod util;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("civitas: {e}");
            e.exit_code()
        }
    }
}
