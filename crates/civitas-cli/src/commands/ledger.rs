//! `civitas ledger serve|status|sync|audit`.

use crate::error::{CliError, Result};
use crate::ledger_arg::{DEFAULT_HOST, default_ledger};
use crate::util::{out, show_time};
use civitas_ledger::http::client::HttpLedger;
use civitas_ledger::{Checkpoint, LedgerReader, NoteVerifier, SqliteLedger, system_clock};
use clap::Subcommand;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Share a ledger file over HTTP (creating it if needed): appends, entries,
    /// proofs, checkpoints, DID logs at their did:webvh paths, status lists.
    Serve {
        /// The ledger file.
        #[arg(long, value_name = "FILE", default_value_t = default_ledger())]
        db: String,
        /// Address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Host name of the ledger's DIDs, for a new ledger.
        #[arg(long, default_value = DEFAULT_HOST)]
        host: String,
        /// Re-sign the newest checkpoint when it is this many seconds old, also when
        /// nothing is appended, so that verifiers (which refuse ledger data older than
        /// their --max-ledger-age, 10 minutes by default) can tell a quiet node from one
        /// replaying an old answer.
        #[arg(long, value_name = "SECONDS", default_value_t = 60,
              value_parser = clap::value_parser!(i64).range(1..=86_400))]
        resign_every: i64,
    },
    /// Show a ledger's size, checkpoint and freshness.
    Status {
        /// A ledger file or node URL.
        #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
        ledger: String,
    },
    /// Copy a node's ledger into a local file for offline verification, checking the
    /// consistency proof and every entry.
    Sync {
        /// The node.
        #[arg(long, value_name = "URL")]
        from: String,
        /// The local replica (created on first sync).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// The ledger's checkpoint key (name+hex+base64, the "log key" `civitas ledger
        /// serve` prints; also $CIVITAS_LEDGER_KEY), pinned on first sync: required
        /// then, never taken from the node. Later syncs check the node against the key
        /// the copy holds.
        #[arg(long, alias = "ledger-key", value_name = "VKEY")]
        log_key: Option<String>,
    },
    /// Replay the whole log from entry 0 and re-validate every entry.
    Audit {
        /// The ledger file.
        #[arg(long, value_name = "FILE", default_value_t = default_ledger())]
        db: String,
    },
}

fn progress(what: &'static str) -> impl FnMut(u64, u64) {
    let mut last = std::time::Instant::now();
    move |done, total| {
        if done == total || last.elapsed().as_millis() > 200 {
            last = std::time::Instant::now();
            let pct = (done * 100).checked_div(total).unwrap_or(100);
            eprint!("\r{what} {done}/{total} entries ({pct}%)");
            if done == total {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        }
    }
}

pub(crate) fn exec(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Serve {
            db,
            listen,
            host,
            resign_every,
        } => serve(&db, &listen, &host, resign_every),
        Command::Status { ledger } => {
            let l = crate::ledger_arg::reader(&ledger)?;
            let info = l.info()?;
            let note = l.checkpoint()?;
            let key = NoteVerifier::parse(&info.log_key)?;
            let cp = Checkpoint::open(&note, &key)?;
            out(&format!("ledger   {} ({})", info.origin, info.role))?;
            out(&format!("entries  {}", info.size))?;
            out(&format!("root     {}", cp.root))?;
            out(&format!("log key  {}", info.log_key))?;
            if let Some(t) = cp.time() {
                out(&format!("signed   {}", show_time(t)))?;
            }
            if let Some(s) = &info.source {
                out(&format!("source   {s}"))?;
            }
            if let Some(t) = info.synced_at {
                out(&format!("synced   {}", show_time(t)))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync { from, to, log_key } => {
            let remote = HttpLedger::new(&from)?;
            let trust = crate::ledger_arg::NodeTrust {
                key: log_key,
                ..Default::default()
            };
            let replica = civitas_ledger::open_replica(
                &to,
                &from,
                trust.pinned_key()?.as_ref(),
                system_clock(),
            )
            .map_err(|e| match e {
                civitas_ledger::Error::LogKeyRequired(_) => CliError::Usage(format!(
                    "a first sync needs the ledger's checkpoint key: pass --log-key VKEY (the \
                     \"log key\" `civitas ledger serve` prints) or set {}; the node's own \
                     answer is never trusted [{}]",
                    crate::ledger_arg::LEDGER_KEY_ENV,
                    e.code()
                )),
                other => CliError::Failed(format!("{other} [{}]", other.code())),
            })?;
            let report =
                civitas_ledger::sync(&remote, &replica, &mut progress("synced")).map_err(|e| {
                    CliError::Failed(format!(
                        "the ledger node {from} cannot prove its answers: {e} [{}]",
                        e.code()
                    ))
                })?;
            out(&format!(
                "{}: {} new entries, now {} (consistency proof and every entry verified)",
                to.display(),
                report.fetched,
                report.to
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { db } => {
            let ledger = SqliteLedger::open(std::path::Path::new(&db), None, system_clock())?;
            let report = ledger.audit(&mut progress("replayed"))?;
            out(&format!(
                "audit passed: {} entries re-validated from entry 0; root {} matches the signed checkpoint",
                report.entries, report.root
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(db: &str, listen: &str, host: &str, resign_every: i64) -> Result<ExitCode> {
    let ledger = Arc::new(SqliteLedger::embedded(
        std::path::Path::new(db),
        host,
        system_clock(),
    )?);
    if ledger.is_replica() {
        return Err(CliError::Usage(format!(
            "{db} is a replica; serve the origin"
        )));
    }
    // Keeps the signed checkpoint fresh while idle (a thread: the writer is a thread
    // too, and this must not wait on the server's runtime). Stops with the process.
    let resigner = Arc::downgrade(&ledger);
    std::thread::Builder::new()
        .name("civitas-ledger-resign".into())
        .spawn(move || {
            let period = std::time::Duration::from_secs(resign_every.unsigned_abs());
            loop {
                std::thread::sleep(period);
                let Some(ledger) = resigner.upgrade() else {
                    return;
                };
                if let Err(e) = ledger.refresh_checkpoint(resign_every) {
                    eprintln!("civitas: cannot re-sign the checkpoint: {e} [{}]", e.code());
                }
            }
        })
        .map_err(|e| CliError::Failed(format!("cannot start the re-signing thread: {e}")))?;
    crate::util::serve_on(listen, |listener, addr| async move {
        let info = ledger.info()?;
        out(&format!(
            "serving {} ({} entries) on http://{addr}",
            info.origin, info.size
        ))?;
        out(&format!("log key {}", info.log_key))?;
        civitas_ledger::http::server::serve(ledger, listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
        Ok(ExitCode::SUCCESS)
    })
}
