//! `--ledger URL|PATH`: a node over HTTP, or an embedded ledger file (created on first
//! use, with its checkpoint key beside it). A verifier never reads a node's answers
//! directly: `--ledger URL` syncs the node into a local replica pinned to the node's
//! checkpoint key (`--ledger-key`) and reads the replica ([`verified_reader`]).

use crate::error::{CliError, Result};
use civitas_ledger::http::client::HttpLedger;
use civitas_ledger::{
    Freshness, LedgerReader, LedgerWriter, NoteVerifier, SqliteLedger, VerifiedNode, system_clock,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable that pins a node's checkpoint key, like `--ledger-key`.
pub(crate) const LEDGER_KEY_ENV: &str = "CIVITAS_LEDGER_KEY";

/// How a verifier trusts a ledger node (`--ledger URL`): the node's pinned checkpoint
/// key and where the verified replica of it is kept.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct NodeTrust {
    /// With --ledger URL: the node's checkpoint key (name+hex+base64, the "log key"
    /// `civitas ledger serve` and `civitas ledger status` print; also
    /// $CIVITAS_LEDGER_KEY). Needed the first time a node is used; its verified replica
    /// keeps it for later runs.
    #[arg(long = "ledger-key", value_name = "VKEY")]
    pub(crate) key: Option<String>,
    /// With --ledger URL: where verified replicas of nodes are kept (default:
    /// ledger-cache/ in the data directory).
    #[arg(long = "ledger-cache", value_name = "DIR")]
    pub(crate) cache: Option<PathBuf>,
    /// Refuse ledger data whose newest checkpoint signed by the ledger's key is older
    /// than this (`90s`, `10m`, `24h`, `7d`; plain numbers are seconds). Default: 10m for
    /// --ledger URL (a node re-signs its checkpoint every minute even when idle), 24h for
    /// a synced copy (--ledger FILE made by `civitas ledger sync`). An embedded ledger
    /// the counter writes itself has no age.
    #[arg(long = "max-ledger-age", value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) max_age: Option<i64>,
}

/// Default age limit of a node's data (`--ledger URL`), seconds.
pub(crate) const DEFAULT_MAX_NODE_AGE: i64 = 600;
/// Default age limit of a synced copy's data (`--ledger FILE`, a replica), seconds.
pub(crate) const DEFAULT_MAX_REPLICA_AGE: i64 = 86_400;

/// `90`, `90s`, `10m`, `24h`, `7d` → seconds (at most 10 years).
pub(crate) fn parse_duration(text: &str) -> std::result::Result<i64, String> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, "s"),
    };
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 90s, 10m, 24h or 7d"))?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text:?}: the unit must be s, m, h or d")),
    };
    n.checked_mul(scale)
        .filter(|s| *s <= 10 * 366 * 86_400)
        .ok_or_else(|| format!("{text:?} is longer than 10 years"))
}

/// Refuses ledger data that is too old: a synced copy (from `--ledger URL` or a
/// `ledger sync` file) whose newest signed checkpoint is older than the limit as of
/// `now`, the verification time. The age comes from the checkpoint the ledger's key
/// signed, never from a node's word.
pub(crate) fn check_age(
    arg: &str,
    info: &civitas_ledger::LedgerInfo,
    trust: &NodeTrust,
    now: i64,
) -> Result<()> {
    if info.role != "replica" {
        return Ok(());
    }
    let max = trust.max_age.unwrap_or(if is_url(arg) {
        DEFAULT_MAX_NODE_AGE
    } else {
        DEFAULT_MAX_REPLICA_AGE
    });
    let code = civitas_ledger::Error::Stale(String::new()).code();
    let Some(t) = info.checkpoint_time else {
        return Err(CliError::Failed(format!(
            "the ledger data of {arg} carries no signed time: its age cannot be told [{code}]"
        )));
    };
    match now.checked_sub(t) {
        Some(age) if age <= max => Ok(()),
        Some(age) => Err(CliError::Failed(format!(
            "the ledger data of {arg} is {} old (its newest signed checkpoint), more than \
             --max-ledger-age {}: sync it (`civitas ledger sync`) or reach the node [{code}]",
            crate::verifier_args::age(age),
            crate::verifier_args::age(max)
        ))),
        None => Err(CliError::Failed(format!(
            "the ledger data of {arg} has a checkpoint time out of range [{code}]"
        ))),
    }
}

impl NodeTrust {
    /// The pinned key: `--ledger-key`, else `$CIVITAS_LEDGER_KEY`.
    pub(crate) fn pinned_key(&self) -> Result<Option<NoteVerifier>> {
        let (key, from) = match &self.key {
            Some(k) => (k.clone(), "--ledger-key"),
            None => match std::env::var(LEDGER_KEY_ENV) {
                Ok(k) if !k.trim().is_empty() => (k, LEDGER_KEY_ENV),
                _ => return Ok(None),
            },
        };
        NoteVerifier::parse(key.trim())
            .map(Some)
            .map_err(|e| CliError::Usage(format!("{from}: {e}")))
    }

    /// The replica file kept for the node at `url`.
    fn replica_path(&self, url: &str) -> PathBuf {
        let dir = self
            .cache
            .clone()
            .unwrap_or_else(|| civitas_wallet::default_data_dir().join("ledger-cache"));
        let readable: String = url
            .split_once("://")
            .map_or(url, |(_, rest)| rest)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        let digest = ring::digest::digest(&ring::digest::SHA256, url.as_bytes());
        let tag: String = digest.as_ref()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        dir.join(format!("{readable}-{tag}.db"))
    }
}

/// The host new embedded ledgers give their DIDs.
pub(crate) const DEFAULT_HOST: &str = "ledger.civitas.example";

/// The default embedded ledger: `$CIVITAS_LEDGER`, or `ledger.db` in the platform data
/// directory (`$XDG_DATA_HOME/civitas`, `~/.local/share/civitas`).
pub(crate) fn default_ledger() -> String {
    if let Some(p) = std::env::var_os("CIVITAS_LEDGER") {
        return p.to_string_lossy().into_owned();
    }
    civitas_wallet::default_data_dir()
        .join("ledger.db")
        .to_string_lossy()
        .into_owned()
}

/// Whether `--ledger` names a node (a URL) rather than a file.
pub(crate) fn is_url(arg: &str) -> bool {
    arg.starts_with("http://") || arg.starts_with("https://")
}

/// A ledger to write to.
pub(crate) fn writer(arg: &str) -> Result<Arc<dyn LedgerWriter>> {
    if is_url(arg) {
        return Ok(Arc::new(HttpLedger::new(arg)?));
    }
    let ledger = SqliteLedger::embedded(Path::new(arg), DEFAULT_HOST, system_clock())?;
    if ledger.is_replica() {
        return Err(CliError::Usage(format!(
            "{arg} is a replica synced from another ledger; write to the origin instead"
        )));
    }
    Ok(Arc::new(ledger))
}

/// A ledger to read.
pub(crate) fn reader(arg: &str) -> Result<Arc<dyn LedgerReader>> {
    if is_url(arg) {
        return Ok(Arc::new(HttpLedger::new(arg)?));
    }
    let path = Path::new(arg);
    if !path.exists() {
        return Err(CliError::Input(format!("no ledger at {arg}")));
    }
    Ok(Arc::new(SqliteLedger::open(path, None, system_clock())?))
}

/// A ledger for a verifier to read. A file is opened as it is (a synced copy, or an
/// embedded ledger). A node URL is synced into its verified replica first — the
/// checkpoint signed by the pinned key, a consistency proof from what the replica
/// holds, every entry re-validated, the recomputed root equal to the signed one — and
/// reads come from the replica, never from the node's own JSON. Without a pinned key
/// (and no replica made earlier with one) it is refused, naming `--ledger-key`; a node
/// that cannot prove its answers is an error with the ledger's code in brackets.
pub(crate) fn verified_reader(arg: &str, trust: &NodeTrust) -> Result<Arc<dyn LedgerReader>> {
    if !is_url(arg) {
        return reader(arg);
    }
    let pin = trust.pinned_key()?;
    let path = trust.replica_path(arg);
    let node = VerifiedNode::open(
        HttpLedger::new(arg)?,
        arg,
        &path,
        pin.as_ref(),
        Freshness::default(),
        system_clock(),
    )
    .map_err(|e| node_error(arg, &path, e))?;
    Ok(Arc::new(node))
}

/// A node that could not be used, with the ledger's stable code in brackets.
fn node_error(url: &str, replica: &Path, e: civitas_ledger::Error) -> CliError {
    let code = e.code();
    match e {
        civitas_ledger::Error::LogKeyRequired(_) => CliError::Usage(format!(
            "--ledger {url} needs the node's checkpoint key: pass --ledger-key VKEY (the \
             \"log key\" `civitas ledger serve` prints) or set {LEDGER_KEY_ENV}; a node's own \
             answers are never trusted [{code}]"
        )),
        civitas_ledger::Error::LogKeyMismatch { .. } => CliError::Usage(format!(
            "{e}: the verified replica {} of {url} was made with another key \
             (remove it, or use --ledger-cache) [{code}]",
            replica.display()
        )),
        other => CliError::Failed(format!(
            "the ledger node {url} cannot prove its answers: {other} [{code}]"
        )),
    }
}

/// Appends one entry, mapping a refusal to a clear failure.
pub(crate) fn append(
    ledger: &dyn LedgerWriter,
    entry: &civitas_ledger::Entry,
) -> Result<civitas_ledger::Receipt> {
    ledger
        .append(entry)
        .map_err(|e| CliError::Failed(format!("the ledger refused the entry: {e} [{}]", e.code())))
}
