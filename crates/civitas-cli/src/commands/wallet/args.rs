//! `civitas wallet …` arguments: the subcommands, where the wallet is, and the cost of
//! a new vault.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Where the wallet and its ledger are, and the time.
#[derive(Debug, Clone, Args)]
pub(crate) struct WalletArgs {
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
    /// Read the passphrase from this file (one trailing newline ignored) instead of
    /// $CIVITAS_PASSPHRASE or a prompt: unlike an environment variable, a file (mode
    /// 0600) is not visible to other processes in /proc/PID/environ. For init and
    /// restore, the new wallet's passphrase.
    #[arg(long, value_name = "PATH")]
    pub(crate) passphrase_file: Option<PathBuf>,
}

/// The recovery words from a file, for the commands that need them.
#[derive(Debug, Clone, Args)]
pub(crate) struct RecoveryArgs {
    /// Read the 24 recovery words from this file instead of $CIVITAS_RECOVERY or a
    /// prompt (not visible to other processes, unlike an environment variable).
    #[arg(long, value_name = "PATH")]
    pub(crate) recovery_file: Option<PathBuf>,
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

const SECRETS_HELP: &str = "Secrets are asked for at a prompt (no echo), or, for scripts, read from a \
file: --passphrase-file, --new-passphrase-file (passwd), --recovery-file (restore, rotate, \
deactivate), one trailing newline ignored; or from the environment: CIVITAS_PASSPHRASE (the \
passphrase), CIVITAS_NEW_PASSPHRASE (a new one for init, restore, passwd; init and restore fall \
back to CIVITAS_PASSPHRASE), CIVITAS_RECOVERY (the 24 recovery words). Prefer the files: any \
process of the same user can read another's environment in /proc/PID/environ. A file wins over \
the environment.";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create your wallet: a vault, a holder key, your DID on the ledger, and the
    /// recovery words (shown once).
    #[command(after_help = SECRETS_HELP)]
    Init {
        #[command(flatten)]
        args: WalletArgs,
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
        args: WalletArgs,
    },
    /// Your DID, this device's key, what the ledger says, counts.
    Status {
        #[command(flatten)]
        args: WalletArgs,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Receive a credential: a file holding the SD-JWT VC, a CIV1: QR payload (or the
    /// parts of a multi-part one, one per line), or a PNG/JPEG of the QR code; or an
    /// OpenID4VCI offer (`openid-credential-offer://…`), obtained from its issuer with
    /// the PIN, and refused unless the issuer is accredited for the type.
    /// Refused if the issuer's signature does not check out on the ledger or it is
    /// not bound to you.
    Receive {
        #[command(flatten)]
        args: WalletArgs,
        /// The credential: a file, or - / nothing to paste it on standard input.
        #[arg(value_name = "INPUT")]
        input: Option<PathBuf>,
        /// A root authority you trust (repeatable): the issuer's accreditation is named
        /// only if a chain of accreditations leads from it to one of these (or to a
        /// root stored in the wallet's settings); otherwise it is "self-declared".
        #[arg(long, value_name = "DID")]
        root: Vec<String>,
        /// For an OpenID4VCI offer (`openid-credential-offer://…` as INPUT): read the
        /// PIN (transaction code) the issuer gave you from this file, instead of
        /// $CIVITAS_TX_CODE or a prompt.
        #[arg(long, value_name = "PATH")]
        pin_file: Option<PathBuf>,
        #[command(flatten)]
        login: super::receive_offer::LoginArgs,
    },
    /// List your credentials.
    List {
        #[command(flatten)]
        args: WalletArgs,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one credential: claims, issuer, validity, revocation status.
    Show {
        #[command(flatten)]
        args: WalletArgs,
        /// The credential's id (from `list`).
        id: String,
        /// Labels in this language: en-US or zh-TW.
        #[arg(long, default_value = "en-US")]
        locale: String,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
    /// The credentials issuers will deliver later (deferred OpenID4VCI issuance): type,
    /// issuer, when the wallet asks again. No token or transaction id is shown.
    Pending {
        #[command(flatten)]
        args: WalletArgs,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ask the issuers for the credentials they deferred (those due; all with --all):
    /// each that arrived is checked as `receive` checks an offer's and stored.
    Fetch {
        #[command(flatten)]
        args: WalletArgs,
        /// Ask for every pending credential, even before its issuer's interval.
        #[arg(long)]
        all: bool,
        /// A root authority you trust (repeatable), as for `receive`.
        #[arg(long, value_name = "DID")]
        root: Vec<String>,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a credential (and tell its issuer, if it asked to be notified).
    Delete {
        #[command(flatten)]
        args: WalletArgs,
        /// The credential's id.
        id: String,
    },
    /// Answer a counter's request: shows exactly what would be disclosed, asks for your
    /// consent, prints the presentation (nothing the request did not ask for).
    Present {
        #[command(flatten)]
        args: WalletArgs,
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
        args: WalletArgs,
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
        args: WalletArgs,
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
        args: WalletArgs,
        #[command(flatten)]
        kdf: KdfArgs,
        /// The backup file.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        #[command(flatten)]
        recovery: RecoveryArgs,
    },
    /// Rotate your DID with your recovery words: this device's key becomes the one
    /// your DID authorizes, and every other device (a lost one) is locked out.
    #[command(after_help = SECRETS_HELP)]
    Rotate {
        #[command(flatten)]
        args: WalletArgs,
        /// Use the recovery words (required: the device alone cannot change the DID).
        #[arg(long, required = true)]
        recovery: bool,
        #[command(flatten)]
        words: RecoveryArgs,
    },
    /// Deactivate your DID for good (needs your recovery words): no credential bound
    /// to it will verify again.
    #[command(after_help = SECRETS_HELP)]
    Deactivate {
        #[command(flatten)]
        args: WalletArgs,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        recovery: RecoveryArgs,
    },
    /// Change your passphrase (re-wraps the vault key; nothing else is re-encrypted).
    #[command(after_help = SECRETS_HELP)]
    Passwd {
        #[command(flatten)]
        args: WalletArgs,
        /// Read the new passphrase from this file instead of $CIVITAS_NEW_PASSPHRASE or a
        /// prompt (--passphrase-file is the current one).
        #[arg(long, value_name = "PATH")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Check that the wallet is locked: no process (the app, another command) holds it
    /// open. Exit 1 if one does. The CLI itself never leaves it unlocked.
    Lock {
        #[command(flatten)]
        args: WalletArgs,
    },
}
