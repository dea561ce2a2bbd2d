//! `civitas did create|update|rotate|deactivate|resolve`: did:webvh identities on the
//! ledger, for issuers, roots and scripts. (Citizens' DIDs are the wallet's.)
//!
//! A DID's keys live in a directory, each a private JWK readable only by its owner:
//! `signing.jwk` (ES256: signs credentials and ledger entries), `update.jwk` (Ed25519:
//! the update key in force) and `next.jwk` (Ed25519: the committed next key — keep it
//! offline). `identity.json` holds the DID and the signing key's id. Every rotation
//! consumes `next.jwk`: a thief with `signing.jwk` and `update.jwk` cannot rotate.
//!
//! `update` and `rotate` state why the keys they drop are retired (`--retire`), in the
//! new DID document (`"civitasKeyRetirement"`): `compromise` (the default) voids every
//! signature by them; `routine` keeps the credentials anchored on the ledger before
//! the update valid. Verifiers judge a key by the DID's current state, not by the
//! date a credential claims.

use crate::error::{CliError, Result};
use crate::identity::Identity;
use crate::ledger_arg::{self, default_ledger};
use crate::util::{out, parse_time, time_or_now};
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_did::webvh::{self, DocKey, LogState};
use civitas_did::{Purpose, ResolveOptions};
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a DID on the ledger; its keys go in a new directory. The last line
    /// printed is the DID.
    Create {
        /// Where the DID lives on the ledger's host, e.g. issuers:city-hall.
        #[arg(long, value_name = "PATH")]
        path: String,
        /// Directory for the keys (created; must not exist).
        #[arg(long, value_name = "DIR")]
        keys: PathBuf,
        /// The ledger: a file (embedded, the default) or a node URL.
        #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
        ledger: String,
        /// Creation time, RFC 3339 (default: now).
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
    },
    /// Replace the DID's signing key (uses the committed next update key). The old
    /// key signs nothing valid any more unless --retire routine (then credentials
    /// anchored on the ledger before this update stay valid).
    Update {
        #[command(flatten)]
        change: ChangeArgs,
        #[command(flatten)]
        retire: RetireArgs,
    },
    /// Rotate the update key to the committed next one, and commit a new next key.
    Rotate {
        #[command(flatten)]
        change: ChangeArgs,
        #[command(flatten)]
        retire: RetireArgs,
    },
    /// Deactivate the DID for good.
    Deactivate(ChangeArgs),
    /// Append a did:webvh log made elsewhere (a did.jsonl file) to the ledger; each
    /// entry is validated as if it came from this tool.
    Import {
        /// The did.jsonl file.
        file: PathBuf,
        #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
        ledger: String,
    },
    /// Resolve a DID (did:webvh through the ledger, did:jwk, did:key) and print its
    /// document.
    Resolve {
        /// The DID.
        did: String,
        #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
        ledger: String,
        /// The version in force at this time.
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
        /// A specific version id.
        #[arg(long, value_name = "ID")]
        version_id: Option<String>,
        /// Print the document and metadata as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// What `update`, `rotate` and `deactivate` take.
#[derive(Debug, Args)]
pub(crate) struct ChangeArgs {
    /// The DID's key directory.
    #[arg(long, value_name = "DIR")]
    keys: PathBuf,
    #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
    ledger: String,
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
}

/// Why an update retires the keys it drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Retire {
    /// The keys may be in someone else's hands: every signature by them is void,
    /// whatever its date.
    Compromise,
    /// A planned rotation: credentials anchored on the ledger before this update stay
    /// valid; nothing else signed by the old keys is.
    Routine,
}

/// What `update` and `rotate` state about the keys they drop.
#[derive(Debug, Args)]
pub(crate) struct RetireArgs {
    /// Why the keys this update drops are retired: compromise (the default: every
    /// signature by them is refused, issuer_key_retired) or routine (credentials
    /// anchored on the ledger before this update — `civitas issue` anchors by default —
    /// stay valid). Written into the new DID document as "civitasKeyRetirement".
    #[arg(long, value_enum, default_value_t = Retire::Compromise, value_name = "REASON")]
    retire: Retire,
}

impl RetireArgs {
    fn reason(&self) -> civitas_did::RetirementReason {
        match self.retire {
            Retire::Compromise => civitas_did::RetirementReason::Compromise,
            Retire::Routine => civitas_did::RetirementReason::Routine,
        }
    }
}

pub(crate) fn exec(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Import { file, ledger } => import(&file, &ledger),
        Command::Create {
            path,
            keys,
            ledger,
            at,
        } => create(&path, &keys, &ledger, time_or_now(at.as_deref())?),
        Command::Update {
            change: args,
            retire,
        } => change(&args, Change::SigningKey, retire.reason()),
        Command::Rotate {
            change: args,
            retire,
        } => change(&args, Change::UpdateKey, retire.reason()),
        Command::Deactivate(args) => change(
            &args,
            Change::Deactivate,
            civitas_did::RetirementReason::Compromise,
        ),
        Command::Resolve {
            did,
            ledger,
            at,
            version_id,
            json,
        } => resolve(&did, &ledger, at.as_deref(), version_id, json),
    }
}

fn write_identity(dir: &Path, did: &str, kid: &str) -> Result<()> {
    let text = serde_json::to_string_pretty(&json!({"did": did, "kid": kid}))
        .map_err(|e| CliError::Failed(e.to_string()))?;
    civitas_crypto::write_atomic(&dir.join("identity.json"), text.as_bytes(), 0o644, true)?;
    Ok(())
}

fn create(path: &str, dir: &Path, ledger_arg: &str, now: i64) -> Result<ExitCode> {
    if dir.exists() {
        return Err(CliError::Usage(format!(
            "{} already exists; choose a new directory",
            dir.display()
        )));
    }
    let ledger = ledger_arg::writer(ledger_arg)?;
    let host = ledger
        .info()
        .map_err(|e| CliError::Failed(e.to_string()))?
        .host;
    let signing = SigningKey::generate(Algorithm::Es256, &SystemRng)?;
    let update = SigningKey::generate(Algorithm::EdDsa, &SystemRng)?;
    let next = SigningKey::generate(Algorithm::EdDsa, &SystemRng)?;
    let keys = [DocKey::new(
        "key-1",
        signing.public().clone(),
        &[Purpose::AssertionMethod, Purpose::Authentication],
    )];
    let (did, entry) = webvh::create(
        &format!("{host}:{path}"),
        &keys,
        &update,
        vec![webvh::next_key_hash(next.public())],
        now,
    )
    .map_err(|e| CliError::Failed(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| CliError::Input(format!("{}: {e}", dir.display())))?;
    signing.save(&dir.join("signing.jwk"))?;
    update.save(&dir.join("update.jwk"))?;
    next.save(&dir.join("next.jwk"))?;
    let kid = format!("{}#key-1", did.as_str());
    write_identity(dir, did.as_str(), &kid)?;
    let receipt = ledger_arg::append(&*ledger, &civitas_ledger::sign::did_log(entry.as_str()))?;
    out(&format!(
        "created at ledger index {}; keys in {}",
        receipt.index,
        dir.display()
    ))?;
    out(&format!("signing key: {kid}"))?;
    out("keep next.jwk offline: it is the only key that can rotate this DID")?;
    out(did.as_str())?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    SigningKey,
    UpdateKey,
    Deactivate,
}

/// The DID's validated state from the ledger.
fn state_of(ledger: &dyn civitas_ledger::LedgerReader, did: &str, now: i64) -> Result<LogState> {
    let lines = ledger
        .did_log(did)
        .map_err(|e| CliError::Failed(e.to_string()))?;
    if lines.is_empty() {
        return Err(CliError::Failed(format!("{did} is not on this ledger")));
    }
    webvh::validate_log(lines.iter().map(String::as_str), now)
        .map_err(|e| CliError::Failed(e.to_string()))
}

fn change(
    args: &ChangeArgs,
    what: Change,
    reason: civitas_did::RetirementReason,
) -> Result<ExitCode> {
    let now = time_or_now(args.at.as_deref())?;
    let dir = args.keys.as_path();
    let id = Identity::load(dir)?;
    let ledger = ledger_arg::writer(&args.ledger)?;
    let state = state_of(&*ledger, &id.did, now)?;
    finish_pending(dir, &state)?;
    let next = SigningKey::load(&dir.join("next.jwk"))?;
    let fail = |e: webvh::LogError| CliError::Failed(e.to_string());
    let pending_next = dir.join("next.jwk.pending");
    let pending_signing = dir.join("signing.jwk.pending");
    let mut entries = Vec::new();
    let mut new_kid = id.kid.clone();
    match what {
        Change::UpdateKey | Change::SigningKey => {
            let new_next = SigningKey::generate(Algorithm::EdDsa, &SystemRng)?;
            let doc_keys = if what == Change::SigningKey {
                let number = state.version_number() + 1;
                let signing = SigningKey::generate(Algorithm::Es256, &SystemRng)?;
                new_kid = format!("{}#key-{number}", id.did);
                let keys = vec![DocKey::new(
                    format!("key-{number}"),
                    signing.public().clone(),
                    &[Purpose::AssertionMethod, Purpose::Authentication],
                )];
                signing.save(&pending_signing)?;
                Some(keys)
            } else {
                None
            };
            new_next.save(&pending_next)?;
            let mut document = match &doc_keys {
                Some(keys) => webvh::did_document(state.did(), keys),
                None => state.document().clone(),
            };
            civitas_did::state_retirement(&mut document, reason);
            let entry = webvh::rotate_with_document(
                &state,
                &[next.public().clone()],
                vec![webvh::next_key_hash(new_next.public())],
                document,
                &next,
                now,
            )
            .map_err(fail)?;
            entries.push(entry);
        }
        Change::Deactivate => {
            // With pre-rotation on, deactivation takes two entries: reveal the committed
            // key with no further commitment, then deactivate with it.
            // Two entries need two increasing times, neither in the future.
            let first = now - 1;
            if first <= state.version_time() {
                return Err(CliError::Failed(
                    "the DID changed less than two seconds ago; try again in a moment".into(),
                ));
            }
            let mut s = state.clone();
            let off = webvh::rotate(&s, &[next.public().clone()], vec![], None, &next, first)
                .map_err(fail)?;
            s.append(off.as_str(), first).map_err(fail)?;
            let end = webvh::deactivate(&s, &next, now).map_err(fail)?;
            entries.push(off);
            entries.push(end);
        }
    }
    let mut last = None;
    for entry in &entries {
        match ledger_arg::append(&*ledger, &civitas_ledger::sign::did_log(entry.as_str())) {
            Ok(r) => last = Some(r),
            Err(e) => {
                let _ = std::fs::remove_file(&pending_next);
                let _ = std::fs::remove_file(&pending_signing);
                return Err(e);
            }
        }
    }
    // The ledger has it: the committed key is now the update key.
    let mv = |from: &Path, to: &Path| {
        std::fs::rename(from, to)
            .map_err(|e| CliError::Failed(format!("{} → {}: {e}", from.display(), to.display())))
    };
    if what != Change::Deactivate {
        mv(&dir.join("next.jwk"), &dir.join("update.jwk"))?;
        mv(&pending_next, &dir.join("next.jwk"))?;
    }
    if pending_signing.exists() {
        mv(&pending_signing, &dir.join("signing.jwk"))?;
        write_identity(dir, &id.did, &new_kid)?;
    }
    let index = last.map(|r| r.index).unwrap_or_default();
    out(&match what {
        Change::UpdateKey => format!(
            "rotated {} (ledger index {index}); a new next key is committed",
            id.did
        ),
        Change::SigningKey => format!(
            "updated {}: signing key is now {new_kid} (ledger index {index}); the old key is retired ({reason})",
            id.did
        ),
        Change::Deactivate => format!("deactivated {} (ledger index {index})", id.did),
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Finishes a rotation interrupted after the ledger accepted it, or drops one that the
/// ledger never saw.
fn finish_pending(dir: &Path, state: &LogState) -> Result<()> {
    let pending = dir.join("next.jwk.pending");
    if !pending.exists() {
        return Ok(());
    }
    let next = SigningKey::load(&dir.join("next.jwk"))?;
    let landed = state
        .update_keys()
        .iter()
        .any(|k| *k == next.public().multikey());
    if landed {
        std::fs::rename(dir.join("next.jwk"), dir.join("update.jwk"))
            .map_err(|e| CliError::Failed(e.to_string()))?;
        std::fs::rename(&pending, dir.join("next.jwk"))
            .map_err(|e| CliError::Failed(e.to_string()))?;
    } else {
        let _ = std::fs::remove_file(&pending);
        let _ = std::fs::remove_file(dir.join("signing.jwk.pending"));
    }
    Ok(())
}

fn import(file: &Path, ledger_arg: &str) -> Result<ExitCode> {
    let text = crate::util::read_text(file)?;
    let ledger = ledger_arg::writer(ledger_arg)?;
    let mut count = 0;
    let mut did = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let receipt = ledger_arg::append(&*ledger, &civitas_ledger::sign::did_log(line))?;
        if did.is_empty() {
            did = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| {
                    v.pointer("/state/id")
                        .and_then(|d| d.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_default();
        }
        count += 1;
        out(&format!("entry {count} at ledger index {}", receipt.index))?;
    }
    if count == 0 {
        return Err(CliError::Input(format!(
            "{} holds no log entries",
            file.display()
        )));
    }
    out(&did)?;
    Ok(ExitCode::SUCCESS)
}

fn resolve(
    did: &str,
    ledger_arg: &str,
    at: Option<&str>,
    version_id: Option<String>,
    json_out: bool,
) -> Result<ExitCode> {
    let now = chrono::Utc::now().timestamp();
    let options = ResolveOptions {
        version_time: at.map(parse_time).transpose()?,
        version_id,
    };
    let resolver: civitas_did::MethodResolver = if did.starts_with("did:webvh:") {
        civitas_ledger::resolver(ledger_arg::reader(ledger_arg)?, now)
    } else {
        civitas_did::MethodResolver::local()
    };
    use civitas_did::Resolver as _;
    let r = resolver.resolve(did, &options)?;
    if json_out {
        out(&json!({
            "didDocument": r.document.json,
            "didDocumentMetadata": {
                "versionId": r.metadata.version_id,
                "created": r.metadata.created.map(crate::util::show_time),
                "updated": r.metadata.updated.map(crate::util::show_time),
                "deactivated": r.metadata.deactivated,
            }
        })
        .to_string())?;
    } else {
        out(&serde_json::to_string_pretty(&r.document.json).unwrap_or_default())?;
        if let Some(v) = &r.metadata.version_id {
            out(&format!("version {v}"))?;
        }
        if let Some(u) = r.metadata.updated {
            out(&format!("in force since {}", crate::util::show_time(u)))?;
        }
        if r.metadata.deactivated {
            out("DEACTIVATED")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
