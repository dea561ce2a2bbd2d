//! `civitas verify`: the counter's check. Exit 0 valid, 1 not valid, 2 usage error or
//! unreadable input (ARCHITECTURE.md, "The verifier CLI contract").

mod batch;

use crate::error::Result;
use crate::render::print_verdict;
use crate::util::{read_input, time_or_now};
use crate::verifier_args::{OptOuts, build_verifier};
use civitas_verifier::scan::presentation_from_bytes;
use civitas_verifier::{Request, Verdict};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Strict by default: without --nonce and --aud a presentation is NOT VALID \
(code replay_check_missing), and a credential that names a revocation status list is NOT VALID \
unless its status was checked on --ledger (code status_unchecked). --no-replay-check and \
--no-status-check switch these checks off explicitly; the verdict then says \
\"skipped by operator\" (--json: \"replay_check\", \"status_check\").\n\n\
Exit status: 0 valid; 1 not valid, for any reason, malformed input included; 2 usage error \
or unreadable input."
)]
pub(crate) struct Args {
    /// The nonce this counter issued; a presentation made for another is refused.
    /// Required with --aud unless --no-replay-check.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub(crate) nonce: Option<String>,
    /// This counter's identity; a presentation made for another is refused. Required
    /// with --nonce unless --no-replay-check.
    #[arg(long, value_name = "A")]
    pub(crate) aud: Option<String>,
    /// Accept a presentation without --nonce/--aud (what is given is still checked):
    /// it may be a replay, or made for another counter. The verdict says the replay
    /// check was skipped by the operator. Without this flag such a presentation is not
    /// valid (replay_check_missing).
    #[arg(long)]
    pub(crate) no_replay_check: bool,
    /// Accept a credential that names a revocation status list without checking it
    /// when no --ledger is given. The verdict says the status check was skipped by the
    /// operator. Without this flag such a credential is not valid (status_unchecked);
    /// with --ledger the status is always checked.
    #[arg(long)]
    pub(crate) no_status_check: bool,
    /// Trust this issuer (repeatable). Without it, accreditation on the ledger decides.
    #[arg(long = "trust", value_name = "DID")]
    pub(crate) trust: Vec<String>,
    /// Trust issuers accredited (directly or through delegation) by this root
    /// (repeatable; needs --ledger).
    #[arg(long = "root", value_name = "DID", requires = "ledger")]
    pub(crate) roots: Vec<String>,
    /// A policy file: {"roots": [...], "trust": [...], "accepted_types": [...],
    /// "kb_window": 300, "require_status": true} ("require_status": false is the
    /// same explicit opt-out as --no-status-check).
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// The ledger: a file (a synced copy works offline), or a node URL, which needs the
    /// node's pinned checkpoint key (--ledger-key or $CIVITAS_LEDGER_KEY): the node is
    /// synced into a verified local replica and read from there, never trusted on its
    /// word. Resolves did:webvh issuers, checks revocation status and accreditation.
    #[arg(long, value_name = "URL|PATH")]
    pub(crate) ledger: Option<String>,
    #[command(flatten)]
    pub(crate) node_trust: crate::ledger_arg::NodeTrust,
    /// Verify as of this time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Print one JSON object instead of the plain verdict (with --batch: one per line).
    #[arg(long)]
    pub(crate) json: bool,
    /// Verify every line of FILE (one presentation, or one CIV1: payload, a line), for
    /// audits; prints a summary, and with --json one verdict a line.
    #[arg(long, value_name = "FILE", conflicts_with = "input")]
    pub(crate) batch: Option<PathBuf>,
    /// With --batch: also time two raw ring ES256 verifications per presentation (its
    /// issuer and key binding signatures) in the same run, and print the ratio.
    #[arg(long, hide = true, requires = "batch")]
    pub(crate) compare_raw: bool,
    /// The presentation: a file, or - / nothing for standard input.
    #[arg(value_name = "INPUT")]
    pub(crate) input: Option<PathBuf>,
}

pub(crate) fn exec(args: Args) -> Result<ExitCode> {
    let now = time_or_now(args.at.as_deref())?;
    let (verifier, note) = build_verifier(
        &args.trust,
        &args.roots,
        args.policy.as_deref(),
        args.ledger.as_deref(),
        &args.node_trust,
        OptOuts {
            replay_check: args.no_replay_check,
            status_check: args.no_status_check,
        },
        now,
    )?;
    let request = Request {
        nonce: args.nonce.clone(),
        aud: args.aud.clone(),
        required: Vec::new(),
    };
    if let Some(batch) = &args.batch {
        return batch::run(batch, &verifier, &request, now, args.json, args.compare_raw);
    }
    let bytes = read_input(args.input.as_deref())?;
    let verdict = match presentation_from_bytes(&bytes) {
        Ok(text) => verifier.verify(&text, &request, now),
        Err(r) => Verdict::from(r),
    };
    print_verdict(&verdict, args.json, note.as_ref(), now)?;
    Ok(if verdict.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
