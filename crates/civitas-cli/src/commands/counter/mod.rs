//! `civitas counter`: the clerk's counter. `args` holds both forms' arguments and
//! builds their [`civitas_verifier::CounterSession`]; `wedge` is the scanner loop,
//! `web` the page and the `direct_post` endpoint (`counter serve`), `view` how a
//! verdict is shown, `record` the service-record offer made after a valid verdict
//! (`--issuer-db`).

mod args;
mod record;
mod view;
mod web;
mod wedge;

pub(crate) use args::{Command, CounterArgs};

use crate::error::Result;
use std::process::ExitCode;

/// Runs `civitas counter [serve]`.
pub(crate) fn exec(args: CounterArgs, cmd: Option<Command>) -> Result<ExitCode> {
    match cmd {
        Some(Command::Serve { args, listen, key }) => web::serve(&args, &listen, key.as_deref()),
        None => wedge::run(&args),
    }
}
