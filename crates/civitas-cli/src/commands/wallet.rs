//! `civitas wallet …`: the citizen's wallet on the command line, thin over
//! `civitas-wallet` — everything the app does, scriptable.
//!
//! There is no session between commands: each command opens the wallet (taking its
//! lock), unlocks it with the passphrase for its own duration, and locks it when it
//! exits. `unlock` therefore only checks the passphrase and the vault's integrity, and
//! `lock` only checks that no other process (the app) holds the wallet open.
//!
//! Secrets come from a prompt (no echo) or, for scripts, from the environment:
//! `CIVITAS_PASSPHRASE` (the passphrase), `CIVITAS_NEW_PASSPHRASE` (a new one for
//! `init`, `restore`, `passwd`; `init` and `restore` fall back to
//! `CIVITAS_PASSPHRASE`), `CIVITAS_RECOVERY` (the 24 recovery words).

use crate::error::{CliError, Result};
use crate::util::{out, read_input, show_time, time_or_now};
use civitas_credential::ClaimPath;
use civitas_exchange::qr;
use civitas_wallet::{
    Binding, ClaimView, Consent, CredentialStatus, Event, InitOptions, IntegrityReport, KdfParams,
    PresentationRequest, RecoverySecret, Wallet,
};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Where the wallet and its ledger are, and the time.
#[derive(Debug, Clone, Args)]
pub(crate) struct Common {
    /// The wallet directory [default: $CIVITAS_WALLET, or civitas/wallet in the
    /// platform data directory: $XDG_DATA_HOME or ~/.local/share]
    #[arg(long = "wallet", value_name = "DIR")]
    pub(crate) wallet: Option<PathBuf>,
    /// The ledger the DID lives on: an embedded ledger file (created on first use, for
    /// DIDs on ledger.civitas.example) or a node URL [default: $CIVITAS_LEDGER, or
    /// ledger.db beside the default wallet directory]
    #[arg(long, value_name = "PATH|URL")]
    pub(crate) ledger: Option<String>,
    /// Act as of this time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
}

/// Argon2id cost for a new vault.
#[derive(Debug, Clone, Args)]
pub(crate) struct KdfArgs {
    /// Argon2id memory, MiB (with --kdf-time and --kdf-lanes; at least 19, t=2, p=1).
    /// Default: calibrated here from RFC 9106's 64 MiB, t=3, p=4 to unlock in ≤ 500 ms.
    #[arg(long, value_name = "MIB", requires_all = ["kdf_time", "kdf_lanes"])]
    pub(crate) kdf_memory: Option<u32>,
    /// Argon2id passes.
    #[arg(long, value_name = "N", requires = "kdf_memory")]
    pub(crate) kdf_time: Option<u32>,
    /// Argon2id lanes.
    #[arg(long, value_name = "N", requires = "kdf_memory")]
    pub(crate) kdf_lanes: Option<u32>,
}

const SECRETS_HELP: &str = "Secrets are asked for at a prompt (no echo), or, for scripts, read from the \
environment: CIVITAS_PASSPHRASE (the passphrase), CIVITAS_NEW_PASSPHRASE (a new one for init, \
restore, passwd; init and restore fall back to CIVITAS_PASSPHRASE), CIVITAS_RECOVERY (the 24 \
recovery words).";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create your wallet: a vault, a holder key, your DID on the ledger, and the
    /// recovery words (shown once).
    #[command(after_help = SECRETS_HELP)]
    Init {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        kdf: KdfArgs,
        /// Write the recovery words to this file (mode 0600) instead of showing them.
        #[arg(long, value_name = "FILE")]
        recovery_out: Option<PathBuf>,
        /// Also write the recovery words as a QR code image (PNG).
        #[arg(long, value_name = "FILE.png")]
        recovery_qr: Option<PathBuf>,
        /// Lock after this many idle seconds (for the app; the CLI never stays open).
        #[arg(long, value_name = "SECONDS", default_value_t = civitas_wallet::DEFAULT_IDLE_TIMEOUT)]
        idle_timeout: i64,
    },
    /// Check your passphrase and the vault's integrity (the history's hash chain).
    /// Exit 1 if the history was tampered with. The CLI keeps nothing unlocked: every
    /// command unlocks for its own duration.
    #[command(after_help = SECRETS_HELP)]
    Unlock {
        #[command(flatten)]
        common: Common,
    },
    /// Your DID, this device's key, what the ledger says, counts.
    Status {
        #[command(flatten)]
        common: Common,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Receive a credential: a file holding the SD-JWT VC, a CIV1: QR payload (or the
    /// parts of a multi-part one, one per line), or a PNG/JPEG of the QR code.
    /// Refused if the issuer's signature does not check out on the ledger or it is
    /// not bound to you.
    Receive {
        #[command(flatten)]
        common: Common,
        /// The credential: a file, or - / nothing to paste it on standard input.
        #[arg(value_name = "INPUT")]
        input: Option<PathBuf>,
    },
    /// List your credentials.
    List {
        #[command(flatten)]
        common: Common,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one credential: claims, issuer, validity, revocation status.
    Show {
        #[command(flatten)]
        common: Common,
        /// The credential's id (from `list`).
        id: String,
        /// Labels in this language: en-US or zh-TW.
        #[arg(long, default_value = "en-US")]
        locale: String,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a credential.
    Delete {
        #[command(flatten)]
        common: Common,
        /// The credential's id.
        id: String,
    },
    /// Answer a counter's request: shows exactly what would be disclosed, asks for your
    /// consent, prints the presentation (nothing the request did not ask for).
    Present {
        #[command(flatten)]
        common: Common,
        /// The counter's request: the openid4vp:// URL from its QR code (`civitas
        /// request`); replaces --nonce, --aud, --type, --require and --optional.
        #[arg(long, value_name = "URL", conflicts_with_all = ["nonce", "aud", "vct", "require", "optional"])]
        request: Option<String>,
        /// The counter's nonce.
        #[arg(
            long,
            value_name = "N",
            required_unless_present = "request",
            allow_hyphen_values = true
        )]
        nonce: Option<String>,
        /// The counter's identity (client id / audience).
        #[arg(long, value_name = "A", required_unless_present = "request")]
        aud: Option<String>,
        /// The credential type: pid, medical, service-record, or a vct URI.
        #[arg(long = "type", value_name = "VCT", required_unless_present = "request")]
        vct: Option<String>,
        /// Claims the counter requires (names or paths: age_over_18,address.locality).
        #[arg(long, value_name = "PATH[,PATH…]", value_delimiter = ',')]
        require: Vec<String>,
        /// Claims the counter asks for optionally.
        #[arg(long, value_name = "PATH[,PATH…]", value_delimiter = ',')]
        optional: Vec<String>,
        /// Optional claims you decline to show.
        #[arg(long, value_name = "PATH[,PATH…]", value_delimiter = ',')]
        drop: Vec<String>,
        /// Use this credential (default: the best one of the type).
        #[arg(long, value_name = "ID")]
        credential: Option<String>,
        /// Consent without asking (scripts).
        #[arg(long)]
        yes: bool,
        /// Print the presentation as a CIV1: QR payload instead of SD-JWT text.
        #[arg(long)]
        civ1: bool,
        /// Write the presentation to this file instead of standard output.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also write the QR code(s) as PNG (FILE.png, or FILE-1.png… for several).
        #[arg(long, value_name = "FILE.png")]
        qr_png: Option<PathBuf>,
    },
    /// Who was shown what, when — claim names, never values; hash-chained.
    History {
        #[command(flatten)]
        common: Common,
        /// The full history as JSON (entries, hashes, receipts, integrity).
        #[arg(long)]
        json: bool,
        /// Store a counter's signed receipt with presentation entry SEQ.
        #[arg(long, value_name = "SEQ", requires = "receipt")]
        attach: Option<u64>,
        /// The receipt file (with --attach).
        #[arg(long, value_name = "FILE")]
        receipt: Option<PathBuf>,
    },
    /// Write an encrypted backup (readable only with your recovery words).
    Backup {
        #[command(flatten)]
        common: Common,
        /// The backup file.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Restore a backup onto this device (a new wallet directory, a new passphrase,
    /// your recovery words). This device gets a new key; run `rotate --recovery` next.
    #[command(after_help = SECRETS_HELP)]
    Restore {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        kdf: KdfArgs,
        /// The backup file.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Rotate your DID with your recovery words: this device's key becomes the one
    /// your DID authorizes, and every other device (a lost one) is locked out.
    #[command(after_help = SECRETS_HELP)]
    Rotate {
        #[command(flatten)]
        common: Common,
        /// Use the recovery words (required: the device alone cannot change the DID).
        #[arg(long, required = true)]
        recovery: bool,
    },
    /// Deactivate your DID for good (needs your recovery words): no credential bound
    /// to it will verify again.
    #[command(after_help = SECRETS_HELP)]
    Deactivate {
        #[command(flatten)]
        common: Common,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Change your passphrase (re-wraps the vault key; nothing else is re-encrypted).
    #[command(after_help = SECRETS_HELP)]
    Passwd {
        #[command(flatten)]
        common: Common,
    },
    /// Check that the wallet is locked: no process (the app, another command) holds it
    /// open. Exit 1 if one does. The CLI itself never leaves it unlocked.
    Lock {
        #[command(flatten)]
        common: Common,
    },
}

fn fail(e: civitas_wallet::Error) -> CliError {
    match e {
        civitas_wallet::Error::Io { .. } => CliError::Input(e.to_string()),
        other => CliError::Failed(format!("{other} [{}]", other.code())),
    }
}

fn data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("civitas")
}

impl Common {
    fn dir(&self) -> PathBuf {
        if let Some(d) = &self.wallet {
            return d.clone();
        }
        if let Some(d) = std::env::var_os("CIVITAS_WALLET") {
            return PathBuf::from(d);
        }
        data_dir().join("wallet")
    }

    fn ledger_arg(&self) -> String {
        match &self.ledger {
            Some(l) => l.clone(),
            None => crate::ledger_arg::default_ledger(),
        }
    }

    /// The ledger; an embedded file must exist unless `create`.
    fn ledger(&self, create: bool) -> Result<std::sync::Arc<dyn civitas_ledger::LedgerWriter>> {
        let arg = self.ledger_arg();
        let is_url = arg.starts_with("http://") || arg.starts_with("https://");
        if !create && !is_url && !Path::new(&arg).exists() {
            return Err(CliError::Input(format!(
                "no ledger at {arg} (give the one your DID lives on with --ledger)"
            )));
        }
        crate::ledger_arg::writer(&arg)
    }

    fn now(&self) -> Result<i64> {
        time_or_now(self.at.as_deref())
    }

    /// Opens and unlocks the wallet, printing tamper warnings.
    fn open(&self) -> Result<(Wallet, i64, IntegrityReport)> {
        let now = self.now()?;
        let dir = self.dir();
        let ledger = self.ledger(false)?;
        let mut wallet = Wallet::open(&dir, ledger).map_err(fail)?;
        let passphrase = passphrase("CIVITAS_PASSPHRASE", "Passphrase: ")?;
        let report = wallet.unlock(&passphrase, now).map_err(fail)?;
        warn_tampered(&report);
        Ok((wallet, now, report))
    }
}

fn warn_tampered(report: &IntegrityReport) {
    for p in &report.problems {
        eprintln!("WARNING: {p}");
    }
}

fn passphrase(var: &str, prompt: &str) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var(var) {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "no terminal to ask for the passphrase: set {var}"
        )));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| CliError::Input(format!("cannot read the passphrase: {e}")))
}

/// A new passphrase, typed twice at a prompt.
fn new_passphrase(fallback: Option<&str>) -> Result<Zeroizing<String>> {
    for var in std::iter::once("CIVITAS_NEW_PASSPHRASE").chain(fallback) {
        if let Ok(p) = std::env::var(var) {
            return Ok(Zeroizing::new(p));
        }
    }
    let first = passphrase("CIVITAS_NEW_PASSPHRASE", "New passphrase: ")?;
    let again = passphrase("CIVITAS_NEW_PASSPHRASE", "Repeat it: ")?;
    if first != again {
        return Err(CliError::Usage("the two passphrases differ".into()));
    }
    Ok(first)
}

fn recovery() -> Result<RecoverySecret> {
    let words = passphrase("CIVITAS_RECOVERY", "Recovery words: ")?;
    RecoverySecret::from_words(&words).map_err(fail)
}

fn kdf_params(args: &KdfArgs) -> Result<(KdfParams, Option<u64>)> {
    match (args.kdf_memory, args.kdf_time, args.kdf_lanes) {
        (Some(m), Some(t), Some(p)) => {
            let params = KdfParams {
                m_kib: m.saturating_mul(1024),
                t,
                p,
            };
            if !params.is_acceptable() {
                return Err(CliError::Usage(format!(
                    "{params} is below the minimum (19 MiB, t=2, p=1)"
                )));
            }
            Ok((params, None))
        }
        _ => {
            let (params, ms) = KdfParams::calibrate(500).map_err(fail)?;
            Ok((params, Some(ms)))
        }
    }
}

fn paths(list: &[String]) -> Result<Vec<ClaimPath>> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| ClaimPath::parse(s).map_err(|e| CliError::Usage(e.to_string())))
        .collect()
}

fn show_value(v: &Value) -> String {
    match v {
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(show_value).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

fn json_out(value: serde_json::Result<Value>) -> Result<()> {
    let value = value.map_err(|e| CliError::Failed(format!("cannot print JSON: {e}")))?;
    out(&serde_json::to_string_pretty(&value)
        .map_err(|e| CliError::Failed(format!("cannot print JSON: {e}")))?)
}

pub(crate) fn exec(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Init {
            common,
            kdf,
            recovery_out,
            recovery_qr,
            idle_timeout,
        } => init(&common, &kdf, recovery_out, recovery_qr, idle_timeout),
        Command::Unlock { common } => {
            let (wallet, _, report) = common.open()?;
            if !report.is_intact() {
                return Err(CliError::Failed(format!(
                    "the wallet opened, but its history was tampered with: {}",
                    report.summary()
                )));
            }
            out(&format!(
                "Passphrase correct; vault intact ({} history entries, {}). The wallet is locked again: every command unlocks it for its own duration.",
                report.history_entries,
                wallet.kdf()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { common, json } => status(&common, json),
        Command::Receive { common, input } => receive(&common, input.as_deref()),
        Command::List { common, json } => list(&common, json),
        Command::Show {
            common,
            id,
            locale,
            json,
        } => show(&common, &id, &locale, json),
        Command::Delete { common, id } => {
            let (mut wallet, now, _) = common.open()?;
            wallet.delete(&id, now).map_err(fail)?;
            out(&format!("Deleted {id}."))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Present {
            common,
            request: request_url,
            nonce,
            aud,
            vct,
            require,
            optional,
            drop,
            credential,
            yes,
            civ1,
            output,
            qr_png,
        } => {
            let request = match request_url {
                Some(url) => request_from_url(&url)?,
                None => PresentationRequest::new(
                    nonce.as_deref().unwrap_or_default(),
                    aud.as_deref().unwrap_or_default(),
                    vct.as_deref().unwrap_or_default(),
                    paths(&require)?,
                )
                .with_optional(paths(&optional)?),
            };
            let choice = PresentChoice {
                dropped: paths(&drop)?,
                credential,
                yes,
                civ1,
                output,
                qr_png,
            };
            present(&common, &request, &choice)
        }
        Command::History {
            common,
            json,
            attach,
            receipt,
        } => history(&common, json, attach, receipt.as_deref()),
        Command::Backup {
            common,
            output,
            force,
        } => {
            if output.exists() && !force {
                return Err(CliError::Usage(format!(
                    "{} exists; use --force to replace it",
                    output.display()
                )));
            }
            let (mut wallet, now, _) = common.open()?;
            let info = wallet.backup(&output, now).map_err(fail)?;
            out(&format!(
                "Backup written to {} ({} credentials, {} history entries, {} bytes), encrypted under your recovery words. It holds no private key.",
                output.display(),
                info.credentials,
                info.history_entries,
                info.bytes
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { common, kdf, from } => restore(&common, &kdf, &from),
        Command::Rotate { common, .. } => {
            let (mut wallet, now, _) = common.open()?;
            let secret = recovery()?;
            let rotation = wallet.rotate(&secret, now).map_err(fail)?;
            out(&format!(
                "Rotated {} (version {}).\nIt now authorizes only this device's key ({}); presentations made with any other device's key are refused.",
                rotation.did, rotation.version, rotation.holder_key
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Deactivate { common, yes } => {
            let (mut wallet, now, _) = common.open()?;
            let did = wallet.did(now).map_err(fail)?;
            if !yes && !confirm(&format!("Deactivate {did} for good? [y/N] "))? {
                return Err(CliError::Failed("not deactivated".into()));
            }
            let secret = recovery()?;
            let version = wallet.deactivate(&secret, now).map_err(fail)?;
            out(&format!(
                "Deactivated {did} (version {version}). No credential bound to it will verify again."
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Passwd { common } => {
            let (mut wallet, now, _) = common.open()?;
            let current = passphrase("CIVITAS_PASSPHRASE", "Current passphrase: ")?;
            let new = new_passphrase(None)?;
            wallet
                .change_passphrase(&current, &new, None, now)
                .map_err(fail)?;
            out("Passphrase changed.")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Lock { common } => {
            let dir = common.dir();
            if civitas_wallet::is_open_elsewhere(&dir).map_err(fail)? {
                return Err(CliError::Failed(format!(
                    "the wallet at {} is open in another process (the app?); close it to lock it",
                    dir.display()
                )));
            }
            out("The wallet is locked: no process holds it open.")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "no terminal to ask for consent: use --yes".into(),
        ));
    }
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| CliError::Input(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

fn write_secret_file(path: &Path, bytes: &[u8]) -> Result<()> {
    civitas_crypto::write_atomic(path, bytes, 0o600, false).map_err(CliError::from)
}

fn init(
    common: &Common,
    kdf: &KdfArgs,
    recovery_out: Option<PathBuf>,
    recovery_qr: Option<PathBuf>,
    idle_timeout: i64,
) -> Result<ExitCode> {
    let now = common.now()?;
    let dir = common.dir();
    for f in [&recovery_out, &recovery_qr].into_iter().flatten() {
        if f.exists() {
            return Err(CliError::Usage(format!(
                "{} exists; refusing to overwrite it",
                f.display()
            )));
        }
    }
    let passphrase = new_passphrase(Some("CIVITAS_PASSPHRASE"))?;
    let (params, ms) = kdf_params(kdf)?;
    let ledger = common.ledger(true)?;
    let options = InitOptions {
        kdf: params,
        idle_timeout,
    };
    let (mut wallet, init) =
        Wallet::init(&dir, &passphrase, ledger, &options, now).map_err(fail)?;
    let key = wallet.holder_key(now).map_err(fail)?;
    let words = init.recovery.to_words();
    if let Some(path) = &recovery_qr {
        let png = init
            .recovery
            .qr()
            .and_then(|q| q.to_png(8).map_err(civitas_wallet::Error::from))
            .map_err(fail)?;
        write_secret_file(path, &png)?;
    }
    let mut text = format!(
        "Created your wallet in {}\n  DID:        {}\n  holder key: {} (ES256, software key store)\n  vault:      {}{}\n",
        dir.display(),
        init.did,
        key.thumbprint(),
        params,
        ms.map(|ms| format!(" (unlock takes about {ms} ms here)"))
            .unwrap_or_default()
    );
    match &recovery_out {
        Some(path) => {
            let mut content = Zeroizing::new(words.to_string());
            content.push('\n');
            write_secret_file(path, content.as_bytes())?;
            text.push_str(&format!(
                "\nYour 24 recovery words are in {} (mode 0600). Copy them to paper and delete the file.\n",
                path.display()
            ));
        }
        None => {
            text.push_str(
                "\nYOUR RECOVERY WORDS. Write them down and keep them away from this device; they are\nshown only this once. With them and a backup you can restore your wallet and lock a lost\ndevice out. The wallet keeps no copy: without them, nobody can.\n\n",
            );
            let list: Vec<&str> = words.split(' ').collect();
            for (row, chunk) in list.chunks(6).enumerate() {
                let line: Vec<String> = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, w)| format!("{:>4} {w:<10}", row * 6 + i + 1))
                    .collect();
                text.push_str(line.join(" ").trim_end());
                text.push('\n');
            }
            if std::io::stdout().is_terminal()
                && let Ok(code) = init.recovery.qr()
            {
                text.push('\n');
                text.push_str(&code.to_terminal(qr::TerminalStyle::Ansi));
            }
        }
    }
    if let Some(path) = &recovery_qr {
        text.push_str(&format!(
            "The recovery words as a QR code: {} (a secret too).\n",
            path.display()
        ));
    }
    out(text.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

fn status(common: &Common, json: bool) -> Result<ExitCode> {
    let (mut wallet, now, report) = common.open()?;
    let status = wallet.status(now).map_err(fail)?;
    if json {
        let mut v = serde_json::to_value(&status)
            .map_err(|e| CliError::Failed(format!("cannot print JSON: {e}")))?;
        v["integrity"] = serde_json::to_value(&report).unwrap_or(Value::Null);
        v["wallet"] = Value::String(wallet.dir().display().to_string());
        json_out(Ok(v))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = format!(
        "wallet:       {}\nDID:          {}\nledger:       {}\nholder key:   {} ({})\n",
        wallet.dir().display(),
        status.did,
        status.ledger_host.as_deref().unwrap_or("(unreachable)"),
        status.holder_key,
        status.key_store
    );
    match (&status.ledger_error, status.device_authorized, status.deactivated) {
        (Some(e), _, _) => s.push_str(&format!("DID state:    cannot read the ledger: {e}\n")),
        (None, _, true) => s.push_str("DID state:    DEACTIVATED\n"),
        (None, Some(true), false) => s.push_str(&format!(
            "DID state:    version {}; authorizes this device's key\n",
            status.did_version.as_deref().unwrap_or("?")
        )),
        (None, _, false) => s.push_str(&format!(
            "DID state:    version {}; does NOT authorize this device's key yet (run `civitas wallet rotate --recovery`)\n",
            status.did_version.as_deref().unwrap_or("?")
        )),
    }
    s.push_str(&format!(
        "credentials:  {}\nhistory:      {} entries, {}\nvault:        {}, {} bytes, idle lock {} s\nlast backup:  {}",
        status.credentials,
        status.history_entries,
        if report.is_intact() {
            "intact".to_string()
        } else {
            format!("TAMPERED: {}", report.summary())
        },
        status.kdf,
        status.vault_bytes,
        status.idle_timeout,
        status.last_backup.map_or_else(|| "never".to_string(), show_time)
    ));
    out(&s)?;
    Ok(ExitCode::SUCCESS)
}

fn receive(common: &Common, input: Option<&Path>) -> Result<ExitCode> {
    let bytes = read_input(input)?;
    let text = Zeroizing::new(if crate::input::is_image(&bytes) {
        qr::decode_image(&bytes)
            .map_err(|e| CliError::Input(format!("no readable QR code in the image: {e}")))?
            .join("\n")
    } else {
        String::from_utf8(bytes)
            .map_err(|_| CliError::Input("the credential is not text".into()))?
    });
    let (mut wallet, now, _) = common.open()?;
    let got = wallet.receive(&text, now).map_err(fail)?;
    let accredited = if got.accredited_as.is_empty() {
        "not accredited on this ledger for this type".to_string()
    } else {
        format!("accredited as {}", got.accredited_as.join(", "))
    };
    out(&format!(
        "Received {} as {}\n  issuer:  {} ({accredited}; its signature checks out)\n  bound to {}",
        got.type_name.as_deref().unwrap_or(&got.vct),
        got.id,
        got.issuer,
        match &got.binding {
            Binding::Did { kid } => format!("your DID ({kid})"),
            _ => "this device's key".to_string(),
        }
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn binding_text(b: &Binding) -> &'static str {
    match b {
        Binding::Did { .. } => "your DID",
        Binding::DeviceKey => "this device's key",
        Binding::OldDeviceKey => "an earlier device's key (cannot be presented here)",
        Binding::Foreign => "a key this wallet does not hold",
    }
}

fn list(common: &Common, json: bool) -> Result<ExitCode> {
    let (mut wallet, now, _) = common.open()?;
    let creds = wallet.credentials(now).map_err(fail)?;
    if json {
        json_out(serde_json::to_value(&creds))?;
        return Ok(ExitCode::SUCCESS);
    }
    if creds.is_empty() {
        out("No credentials yet (receive one with `civitas wallet receive FILE`).")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    for c in &creds {
        s.push_str(&format!(
            "{}  {:<18} {}  issued by {}{}\n",
            c.id,
            c.type_name.as_deref().unwrap_or(&c.vct),
            c.type_name_zh.as_deref().unwrap_or(""),
            c.issuer,
            if c.valid_now { "" } else { "  (not valid now)" }
        ));
    }
    out(s.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

fn claim_label<'a>(c: &'a ClaimView, locale: &str) -> &'a str {
    let label = if locale.starts_with("zh") {
        c.label_zh.as_deref()
    } else {
        c.label.as_deref()
    };
    label.unwrap_or(&c.path)
}

fn show(common: &Common, id: &str, locale: &str, json: bool) -> Result<ExitCode> {
    let (mut wallet, now, _) = common.open()?;
    let d = wallet.show(id, now).map_err(fail)?;
    if json {
        json_out(serde_json::to_value(&d))?;
        return Ok(ExitCode::SUCCESS);
    }
    let name = if locale.starts_with("zh") {
        d.summary.type_name_zh.as_deref()
    } else {
        d.summary.type_name.as_deref()
    };
    let mut s = format!(
        "{} ({})\n  type:      {}\n  issuer:    {}\n  issued:    {}\n  expires:   {}\n  validity:  {}\n  status:    {}\n  bound to:  {}\n  received:  {}\n  claims:\n",
        name.unwrap_or(&d.summary.vct),
        d.summary.id,
        d.summary.vct,
        d.summary.issuer,
        d.summary.issued_at.map_or_else(|| "-".into(), show_time),
        d.summary.expires.map_or_else(|| "never".into(), show_time),
        d.validity.as_deref().unwrap_or("valid now"),
        match &d.status {
            CredentialStatus::NotTracked => "not tracked (no status list)".to_string(),
            CredentialStatus::Valid => "valid (checked on the ledger)".to_string(),
            CredentialStatus::Revoked => "REVOKED by its issuer".to_string(),
            CredentialStatus::Suspended => "SUSPENDED by its issuer".to_string(),
            CredentialStatus::Other(v) => format!("status value 0x{v:02x}"),
            CredentialStatus::Unavailable(why) => format!("unknown: {why}"),
        },
        binding_text(&d.summary.binding),
        show_time(d.summary.received),
    );
    for c in &d.claims {
        s.push_str(&format!(
            "    {}: {}{}\n",
            claim_label(c, locale),
            show_value(&c.value),
            if c.selectively_disclosable {
                ""
            } else {
                "  (always shown)"
            }
        ));
    }
    out(s.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

struct PresentChoice {
    dropped: Vec<ClaimPath>,
    credential: Option<String>,
    yes: bool,
    civ1: bool,
    output: Option<PathBuf>,
    qr_png: Option<PathBuf>,
}

fn consent_text(c: &Consent, dropped: &[ClaimPath]) -> String {
    let mut s = format!(
        "{} asks to see, from your {} ({}, issued by {}):\n",
        c.request.aud,
        c.type_name.as_deref().unwrap_or(&c.vct),
        c.credential,
        c.issuer
    );
    let line = |s: &mut String, tag: &str, item: &civitas_wallet::ConsentClaim| {
        s.push_str(&format!(
            "  {tag:<9} {}: {}\n",
            item.label
                .as_deref()
                .map_or_else(|| item.path.to_string(), str::to_string),
            show_value(&item.value)
        ));
    };
    for item in &c.required {
        line(&mut s, "required", item);
    }
    for item in &c.optional {
        let tag = if dropped.contains(&item.path) {
            "declined"
        } else {
            "optional"
        };
        line(&mut s, tag, item);
    }
    for p in &c.missing_required {
        s.push_str(&format!(
            "  MISSING   {p} (required; your credential does not have it)\n"
        ));
    }
    for p in &c.missing_optional {
        s.push_str(&format!("  missing   {p} (optional)\n"));
    }
    s.push_str(&format!("  and, always: {}\n", c.always_visible.join(", ")));
    for w in &c.warnings {
        s.push_str(&format!("  WARNING: {w}\n"));
    }
    s
}

fn present(
    common: &Common,
    request: &PresentationRequest,
    choice: &PresentChoice,
) -> Result<ExitCode> {
    let (mut wallet, now, _) = common.open()?;
    let consent = match &choice.credential {
        Some(id) => wallet.prepare_with(request, id, now),
        None => wallet.prepare(request, now),
    }
    .map_err(fail)?;
    eprint!("{}", consent_text(&consent, &choice.dropped));
    if !consent.can_present() {
        return Err(CliError::Failed(format!(
            "cannot answer: the request requires {} [required_claim_missing]",
            consent
                .missing_required
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if !choice.yes && !confirm("Show this? [y/N] ")? {
        return Err(CliError::Failed("nothing was shown".into()));
    }
    let p = wallet
        .present(&consent, &choice.dropped, now)
        .map_err(fail)?;
    let text = if choice.civ1 {
        p.qr_payload()
    } else {
        p.text.clone()
    };
    if let Some(base) = &choice.qr_png {
        let codes = qr::render_presentation(&p.text, &qr::QrOptions::default())
            .map_err(|e| CliError::Failed(e.to_string()))?;
        let many = codes.len() > 1;
        for (i, code) in codes.iter().enumerate() {
            let path = if many {
                let stem = base.with_extension("");
                PathBuf::from(format!("{}-{}.png", stem.display(), i + 1))
            } else {
                base.clone()
            };
            let png = code
                .to_png(8)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            std::fs::write(&path, png)
                .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
        }
    }
    match &choice.output {
        Some(path) => {
            std::fs::write(path, format!("{text}\n"))
                .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
            eprintln!(
                "Presentation written to {} (history entry #{}).",
                path.display(),
                p.history
            );
        }
        None => out(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn history(
    common: &Common,
    json: bool,
    attach: Option<u64>,
    receipt: Option<&Path>,
) -> Result<ExitCode> {
    let (mut wallet, now, report) = common.open()?;
    if let (Some(seq), Some(file)) = (attach, receipt) {
        let text = crate::util::read_text(file)?;
        wallet.attach_receipt(seq, &text, now).map_err(fail)?;
        out(&format!("Receipt stored with history entry #{seq}."))?;
        return Ok(ExitCode::SUCCESS);
    }
    if json {
        out(&wallet.export_history(now).map_err(fail)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let items = wallet.history(now).map_err(fail)?;
    let mut s = String::new();
    for i in &items {
        s.push_str(&format!(
            "#{:<4} {}  {}{}\n",
            i.entry.seq,
            show_time(i.entry.time),
            i.entry.event.describe(),
            if i.receipt.is_some() {
                "  [receipt]"
            } else {
                ""
            }
        ));
    }
    let shown = items
        .iter()
        .filter(|i| matches!(i.entry.event, Event::Presented { .. }))
        .count();
    s.push_str(&format!(
        "{} entries, {shown} presentations; chain {}",
        items.len(),
        if report.is_intact() {
            "intact".to_string()
        } else {
            format!("TAMPERED: {}", report.summary())
        }
    ));
    out(&s)?;
    Ok(if report.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn restore(common: &Common, kdf: &KdfArgs, from: &Path) -> Result<ExitCode> {
    let now = common.now()?;
    let dir = common.dir();
    let secret = recovery()?;
    let passphrase = new_passphrase(Some("CIVITAS_PASSPHRASE"))?;
    let (params, _) = kdf_params(kdf)?;
    let ledger = common.ledger(false)?;
    let options = InitOptions {
        kdf: params,
        ..InitOptions::default()
    };
    let (_, report) =
        Wallet::restore(&dir, &passphrase, &secret, from, ledger, &options, now).map_err(fail)?;
    let mut s = format!(
        "Restored {} into {}\n  credentials: {}{}\n  history:     {} entries{}\n  new holder key: {}\n",
        report.did,
        dir.display(),
        report.credentials,
        if report.bound_to_old_device > 0 {
            format!(
                " ({} bound to the old device's key: ask their issuers to issue them again)",
                report.bound_to_old_device
            )
        } else {
            String::new()
        },
        report.history_entries,
        if report.integrity.is_intact() {
            String::new()
        } else {
            format!(" (TAMPERED: {})", report.integrity.summary())
        },
        report.holder_key
    );
    s.push_str(
        "Next: `civitas wallet rotate --recovery` makes your DID authorize this device and locks the old one out.",
    );
    out(&s)?;
    Ok(ExitCode::SUCCESS)
}

/// The terms of a counter's OpenID4VP request (one SD-JWT VC query): nonce, client id,
/// type, required and optional claims.
fn request_from_url(url: &str) -> Result<PresentationRequest> {
    use civitas_exchange::openid4vp::RequestUrl;
    let parsed =
        RequestUrl::parse(url.trim()).map_err(|e| CliError::Usage(format!("--request: {e}")))?;
    let RequestUrl::ByValue(request) = parsed else {
        return Err(CliError::Usage(
            "--request: a request by reference must be fetched first; give the full request URL"
                .into(),
        ));
    };
    let [query] = request.dcql_query().credentials.as_slice() else {
        return Err(CliError::Usage(
            "--request: this command answers requests for one credential".into(),
        ));
    };
    let vct = query
        .vct_values
        .first()
        .ok_or_else(|| CliError::Usage("--request: the request names no credential type".into()))?;
    let (required, optional) = query.required_and_optional();
    Ok(
        PresentationRequest::new(request.nonce(), request.client_id().as_str(), vct, required)
            .with_optional(optional),
    )
}
