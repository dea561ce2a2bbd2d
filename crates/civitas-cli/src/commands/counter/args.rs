//! `civitas counter` and `civitas counter serve`: their arguments, and the session
//! they describe.

use crate::error::{CliError, Result};
use crate::request_args::CounterRequestArgs;
use crate::verifier_args::{LedgerNote, build_verifier};
use civitas_did::MethodResolver;
use civitas_exchange::openid4vp::AuthorizationRequest;
use civitas_verifier::CounterSession;
use clap::Subcommand;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CounterArgs {
    #[command(flatten)]
    pub(crate) ask: CounterRequestArgs,
    /// Use this saved request (from `civitas request --save`) instead of --claims.
    #[arg(long, value_name = "FILE", conflicts_with = "claims")]
    pub(crate) request: Option<PathBuf>,
    /// Trust this issuer (repeatable).
    #[arg(long = "trust", value_name = "DID")]
    pub(crate) trust: Vec<String>,
    /// Trust issuers accredited by this root (repeatable; needs --ledger).
    #[arg(long = "root", value_name = "DID")]
    pub(crate) roots: Vec<String>,
    /// A policy file (see `civitas verify --help`).
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// The ledger (a synced file works offline; a node URL needs --ledger-key, see
    /// `civitas verify --help`).
    #[arg(long, value_name = "URL|PATH")]
    pub(crate) ledger: Option<String>,
    #[command(flatten)]
    pub(crate) node_trust: crate::ledger_arg::NodeTrust,
    #[command(flatten)]
    pub(crate) record: super::record::RecordArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Serve the counter's web page (webcam scanning) and the direct_post endpoint.
    ///
    /// The clerk's side (the page, /request, /scan, /last) needs this run's clerk
    /// token: open the address printed at start (http://ADDR/?k=TOKEN); without it a
    /// request is refused (401 clerk_token_missing, 403 clerk_token_wrong), on loopback
    /// too. Wallets post to /response: an answer that does not verify leaves the request
    /// open; a wallet's error needs the request's state.
    ///
    /// With --issuer-db (and --service), each valid verdict on the page comes with a
    /// service-record offer for the citizen: its QR code and PIN, on the clerk's side
    /// only.
    Serve {
        #[command(flatten)]
        args: CounterArgs,
        /// Address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
        listen: String,
        /// The counter's signing key for receipts (ES256 JWK); default: a new one for
        /// this run. Receipts name its did:jwk.
        // Its own id: `--ledger-key` (flattened above) has the id `key`.
        #[arg(id = "receipt_key", long = "key", value_name = "FILE")]
        key: Option<PathBuf>,
    },
}

impl CounterArgs {
    /// The counter session these arguments describe (a saved `--request`, or a new
    /// request from `--claims` renewed after each success), and the ledger's note.
    pub(crate) fn session(&self) -> Result<(CounterSession<MethodResolver>, Option<LedgerNote>)> {
        let now = chrono::Utc::now().timestamp();
        let (verifier, note) = build_verifier(
            &self.trust,
            &self.roots,
            self.policy.as_deref(),
            self.ledger.as_deref(),
            &self.node_trust,
            crate::verifier_args::OptOuts::default(),
            now,
        )?;
        let session = match &self.request {
            Some(file) => {
                let text = crate::util::read_text(file)?;
                let value: serde_json::Map<String, Value> = serde_json::from_str(&text)
                    .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
                let request = AuthorizationRequest::from_json(&value)
                    .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
                CounterSession::new(verifier, request)
            }
            None => {
                let ask = self.ask.clone();
                CounterSession::new(verifier, self.ask.build()?)
                    .renewing_with(Box::new(move || ask.build().ok()))
            }
        };
        Ok((session, note))
    }
}
