//! The command line, parsed by clap. No work happens here.

use clap::{Parser, Subcommand};

/// Civitas: your identity and credentials, on your device, shown only as needed.
///
/// Issue credentials, present a chosen part of them, and check presentations at a
/// service counter — online or offline.
#[derive(Debug, Parser)]
#[command(
    name = "civitas",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Watch the whole story: city hall and a hospital issue credentials, a citizen
    /// shows two facts at a counter, and a forged copy is caught.
    Demo(crate::commands::demo::Args),
    /// Create and inspect signing keys.
    #[command(subcommand)]
    Key(crate::commands::key::Command),
    /// did:webvh identities on the ledger (for issuers and roots).
    #[command(subcommand)]
    Did(crate::commands::did::Command),
    /// Accredit an issuer on the ledger (for root authorities).
    Accredit(crate::commands::accredit::Args),
    /// Publish and update revocation status lists (for issuers).
    #[command(subcommand)]
    Status(crate::commands::status::Command),
    /// Run, inspect, copy and audit the ledger.
    #[command(subcommand)]
    Ledger(crate::commands::ledger::Command),
    /// Make a counter's request (what to show, with a fresh nonce) as a URL and QR code.
    Request(crate::commands::request::Args),
    /// The clerk's counter: scan, verify, show the verdict in large letters. With
    /// `serve`: a web page for a webcam and the endpoint online wallets post to. With
    /// `--issuer-db`: a service-record offer for the citizen after each valid verdict.
    #[command(args_conflicts_with_subcommands = true)]
    Counter {
        #[command(flatten)]
        args: Box<crate::commands::counter::CounterArgs>,
        #[command(subcommand)]
        command: Option<crate::commands::counter::Command>,
    },
    /// Turn a presentation into QR codes and back.
    #[command(subcommand)]
    Qr(crate::commands::qr::Command),
    /// Issue a credential (for issuers: city hall, a hospital).
    Issue(crate::commands::issue::Args),
    /// The OpenID4VCI issuer service and its back office (serve, offer, pending, approve, reject, revoke, audit).
    #[command(subcommand)]
    Issuer(crate::commands::issuer::Command),
    /// Make a presentation: disclose chosen claims to one counter (for citizens).
    Present(crate::commands::present::Args),
    /// Your wallet: keys, credentials, consent, history, backup and recovery.
    #[command(subcommand)]
    Wallet(crate::commands::wallet::Command),
    /// Check a presentation (for counters). Exit status: 0 valid, 1 not valid,
    /// 2 usage error or unreadable input.
    Verify(crate::commands::verify::Args),
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
