//! `civitas verify`: the counter's check. Exit 0 valid, 1 not valid, 2 usage error or
//! unreadable input (ARCHITECTURE.md, "The verifier CLI contract").

mod batch;

use crate::error::Result;
use crate::render::print_verdict;
use crate::util::{read_input, time_or_now};
use crate::verifier_args::build_verifier;
use civitas_verifier::scan::presentation_from_bytes;
use civitas_verifier::{Request, Verdict};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The nonce this counter issued; a presentation made for another is refused.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub(crate) nonce: Option<String>,
    /// This counter's identity; a presentation made for another is refused.
    #[arg(long, value_name = "A")]
    pub(crate) aud: Option<String>,
    /// Trust this issuer (repeatable). Without it, accreditation on the ledger decides.
    #[arg(long = "trust", value_name = "DID")]
    pub(crate) trust: Vec<String>,
    /// Trust issuers accredited (directly or through delegation) by this root
    /// (repeatable; needs --ledger).
    #[arg(long = "root", value_name = "DID", requires = "ledger")]
    pub(crate) roots: Vec<String>,
    /// A policy file: {"roots": [...], "trust": [...], "accepted_types": [...],
    /// "kb_window": 300, "require_status": false}.
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// The ledger: a node URL, or a file (a synced copy works offline). Resolves
    /// did:webvh issuers, checks revocation status and accreditation.
    #[arg(long, value_name = "URL|PATH")]
    pub(crate) ledger: Option<String>,
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
