//! The one error type of this crate.
//!
//! No variant ever carries a secret: not a passphrase, not a key, not a recovery word,
//! not a claim value. Messages name files, record kinds, counts and times.

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in the wallet. [`Error::code`] gives a stable identifier for the
/// app and for scripts; `Display` the sentence the citizen reads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// There is no wallet in this directory.
    #[error("no wallet at {0} (create one with `civitas wallet init`)")]
    NotInitialized(String),
    /// A wallet already exists where a new one was to be created.
    #[error("a wallet already exists at {0}; refusing to overwrite it")]
    AlreadyInitialized(String),
    /// Another process holds the wallet open.
    #[error(
        "the wallet at {0} is open in another process (the app or another `civitas wallet` command); close it and try again"
    )]
    Busy(String),
    /// The wallet is locked (never unlocked, locked by the citizen, or idle too long).
    #[error("the wallet is locked; unlock it with your passphrase")]
    Locked,
    /// The passphrase does not open this vault.
    #[error("wrong passphrase ({failures} failed attempt(s) in a row{})", retry_hint(*.retry_after))]
    WrongPassphrase {
        /// Failed attempts in a row, this one included.
        failures: u32,
        /// Seconds to wait before the next attempt is allowed (0: none).
        retry_after: i64,
    },
    /// Too many wrong passphrases: the next attempt must wait.
    #[error("too many wrong passphrases: try again in {retry_after} s")]
    RateLimited {
        /// Seconds until the next attempt is allowed.
        retry_after: i64,
    },
    /// A new passphrase is too short.
    #[error("the passphrase must have at least {0} characters")]
    WeakPassphrase(usize),
    /// Argon2id parameters below the floor (OWASP: 19 MiB, t=2, p=1).
    #[error("Argon2id parameters {0} are below the minimum (19 MiB, t=2, p=1)")]
    WeakKdf(String),
    /// The file is not a Civitas vault at all.
    #[error("{0} is not a Civitas wallet vault")]
    NotAVault(String),
    /// The vault was written by a newer (or unknown) format version.
    #[error("the vault has format version {0}, which this version of Civitas cannot read")]
    UnsupportedFormat(u32),
    /// The vault file is shorter than its own header says: truncated.
    #[error("the vault file {path} is truncated: {found} bytes, its header says {expected}")]
    Truncated {
        /// The file.
        path: String,
        /// Size the file's header implies.
        expected: u64,
        /// Actual size.
        found: u64,
    },
    /// The vault file is damaged (its structure, or its header checksum).
    #[error("the vault is corrupted: {0}")]
    Corrupted(String),
    /// The vault file belongs to another wallet than this directory's.
    #[error(
        "the vault file in {0} belongs to another wallet (its id differs from this wallet's); it was copied or swapped in"
    )]
    ForeignVault(String),
    /// A stored record fails authentication: changed on disk, or moved from elsewhere.
    #[error(
        "a stored {kind} record fails authentication (altered on disk, or copied from another wallet)"
    )]
    RecordCorrupted {
        /// What the record holds (`credential`, `key`, `identity`…).
        kind: &'static str,
    },
    /// A record the vault needs is missing.
    #[error("the vault has no {0} record (damaged or tampered with)")]
    RecordMissing(&'static str),
    /// The stored history was edited, reordered or cut ([`crate::IntegrityReport`] has
    /// the details).
    #[error("the history was tampered with: {0}")]
    HistoryTampered(String),
    /// The SQLite store failed.
    #[error("vault storage error: {0}")]
    Storage(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A key operation failed.
    #[error(transparent)]
    Crypto(#[from] civitas_crypto::Error),
    /// The key store failed.
    #[error("key store: {0}")]
    KeyStore(String),
    /// The ledger refused or failed.
    #[error("ledger: {0}")]
    Ledger(#[from] civitas_ledger::Error),
    /// The DID could not be resolved.
    #[error(transparent)]
    Did(#[from] civitas_did::Error),
    /// A DID log entry could not be made or does not validate.
    #[error("DID log: {0}")]
    DidLog(#[from] civitas_did::webvh::LogError),
    /// The input is not a credential (not an SD-JWT VC, nor a `CIV1:` payload of one).
    #[error("not a credential: {0}")]
    NotACredential(String),
    /// The credential's issuer signature (or its structure) does not check out.
    #[error("credential refused: {0}")]
    CredentialRefused(#[source] civitas_credential::Error),
    /// The credential has no holder binding: anyone holding a copy could present it.
    #[error(
        "credential refused: it has no holder binding (cnf), so anyone with a copy could present it"
    )]
    NoHolderBinding,
    /// The credential is bound to a key or DID that is not this wallet's.
    #[error("credential refused: it is bound to {0}, which is not this wallet's key or DID")]
    NotOurBinding(String),
    /// The wallet already holds this credential.
    #[error("this credential is already in the wallet (as {0})")]
    DuplicateCredential(String),
    /// No credential with this id.
    #[error("no credential {0} in this wallet")]
    UnknownCredential(String),
    /// No credential can answer the request.
    #[error("no usable credential of type {0} in this wallet")]
    NoMatchingCredential(String),
    /// A claim the request requires is not in the chosen credential.
    #[error("the request requires {0}, which the credential does not have")]
    RequiredClaimMissing(String),
    /// The citizen tried to drop a claim that is not an optional one of the request.
    #[error("{0} is not an optional claim of this request; only optional claims can be left out")]
    NotOptional(String),
    /// The credential cannot be presented from this device.
    #[error("this credential cannot be presented: {0}")]
    CredentialUnusable(String),
    /// The presentation request is malformed.
    #[error("invalid presentation request: {0}")]
    InvalidRequest(String),
    /// The counter's OpenID4VP request could not be read (its `openid4vp.…` code
    /// passes through).
    #[error("the counter's request cannot be used: {0}")]
    Request(#[from] civitas_exchange::openid4vp::Error),
    /// The counter's request is valid but asks for something the wallet cannot answer
    /// (a request by reference, several credentials at once, no type); a plain reason.
    #[error("the counter's request cannot be answered by this app: {0}")]
    UnsupportedRequest(String),
    /// Posting the presentation to the counter failed (network, or a non-2xx answer).
    #[error("the proof could not be sent to the counter: {0}")]
    Send(String),
    /// The counter's `response_uri` is plain `http` to a host that is not this machine:
    /// the presentation would cross the network unencrypted.
    #[error(
        "the counter's response address {0} is plain http to another machine; only https (or http to this machine) is used"
    )]
    InsecureResponseUri(String),
    /// A counter's receipt does not check out (its signature, or its binding to the
    /// presentation); it was not stored. `code` is the specific reason.
    #[error("receipt refused ({code}): {reason}")]
    ReceiptRefused {
        /// The specific reason: an `openid4vp.…` code of the signature check, or
        /// `receipt_wrong_nonce`, `receipt_wrong_client`, `receipt_wrong_type`,
        /// `receipt_wrong_claims`, `receipt_wrong_signer`, `receipt_not_a_presentation`.
        code: &'static str,
        /// The sentence.
        reason: String,
    },
    /// A credential operation failed (presentation, parsing a stored one).
    #[error(transparent)]
    Credential(#[from] civitas_credential::Error),
    /// A QR payload could not be decoded or encoded.
    #[error("QR: {0}")]
    Qr(#[from] civitas_exchange::qr::Error),
    /// The recovery words are malformed (unknown word, wrong count, bad checksum).
    #[error("invalid recovery words: {0}")]
    InvalidRecoveryWords(String),
    /// The recovery secret does not control this DID (no committed key matches).
    #[error("these recovery words do not control {0}: no key they derive is committed in its log")]
    WrongRecoverySecret(String),
    /// The recovery words belong to another backup.
    #[error("these recovery words do not belong to this backup (it was made by another wallet)")]
    BackupMismatch,
    /// The backup file is damaged, truncated or not a backup.
    #[error("the backup file is unreadable: {0}")]
    BackupCorrupted(String),
    /// The DID has been deactivated.
    #[error("the wallet's DID has been deactivated")]
    Deactivated,
    /// A DID update needs a later time than the last one (versionTime is per second).
    #[error("the DID was updated less than {0} s ago; try again in a moment")]
    TooSoon(i64),
    /// An OpenID4VCI issuance was refused — by the issuer (`code` is its OAuth `error`:
    /// `invalid_grant` for a wrong PIN or a used code, `invalid_proof`, …) or by the
    /// wallet's checks (`issuer_not_accredited`, `wrong_credential_type`, …). Nothing
    /// was stored. Never carries the PIN, the code or the access token.
    #[error("issuance refused: {reason}")]
    Issuance {
        /// The OAuth `error` code, or the wallet's own.
        code: &'static str,
        /// The sentence.
        reason: String,
    },
    /// No history entry with this number.
    #[error("no history entry #{0}")]
    UnknownHistoryEntry(u64),
}

fn retry_hint(retry_after: i64) -> String {
    if retry_after > 0 {
        format!("; wait {retry_after} s before trying again")
    } else {
        String::new()
    }
}

impl Error {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotInitialized(_) => "not_initialized",
            Error::AlreadyInitialized(_) => "already_initialized",
            Error::Busy(_) => "busy",
            Error::Locked => "locked",
            Error::WrongPassphrase { .. } => "wrong_passphrase",
            Error::RateLimited { .. } => "rate_limited",
            Error::WeakPassphrase(_) => "weak_passphrase",
            Error::WeakKdf(_) => "weak_kdf",
            Error::NotAVault(_) => "not_a_vault",
            Error::UnsupportedFormat(_) => "unsupported_format",
            Error::Truncated { .. } => "truncated",
            Error::Corrupted(_) => "corrupted",
            Error::ForeignVault(_) => "foreign_vault",
            Error::RecordCorrupted { .. } => "record_corrupted",
            Error::RecordMissing(_) => "record_missing",
            Error::HistoryTampered(_) => "history_tampered",
            Error::Storage(_) => "storage",
            Error::Io { .. } => "io",
            Error::Crypto(_) => "crypto",
            Error::KeyStore(_) => "key_store",
            Error::Ledger(_) => "ledger",
            Error::Did(_) => "did",
            Error::DidLog(_) => "did_log",
            Error::NotACredential(_) => "not_a_credential",
            Error::CredentialRefused(_) => "credential_refused",
            Error::NoHolderBinding => "no_holder_binding",
            Error::NotOurBinding(_) => "not_our_binding",
            Error::DuplicateCredential(_) => "duplicate_credential",
            Error::UnknownCredential(_) => "unknown_credential",
            Error::NoMatchingCredential(_) => "no_matching_credential",
            Error::RequiredClaimMissing(_) => "required_claim_missing",
            Error::NotOptional(_) => "not_optional",
            Error::CredentialUnusable(_) => "credential_unusable",
            Error::InvalidRequest(_) => "invalid_request",
            Error::Request(e) => e.code(),
            Error::UnsupportedRequest(_) => "unsupported_request",
            Error::Send(_) => "send_failed",
            Error::InsecureResponseUri(_) => "insecure_response_uri",
            Error::ReceiptRefused { .. } => "receipt_refused",
            Error::Credential(_) => "credential",
            Error::Qr(_) => "qr",
            Error::InvalidRecoveryWords(_) => "invalid_recovery_words",
            Error::WrongRecoverySecret(_) => "wrong_recovery_secret",
            Error::BackupMismatch => "backup_mismatch",
            Error::BackupCorrupted(_) => "backup_corrupted",
            Error::Deactivated => "deactivated",
            Error::TooSoon(_) => "too_soon",
            Error::UnknownHistoryEntry(_) => "unknown_history_entry",
            Error::Issuance { code, .. } => code,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt) => {
                Error::Corrupted("the database structure is damaged".into())
            }
            Some(ErrorCode::NotADatabase) => Error::NotAVault("the vault file".into()),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                Error::Busy("the vault".into())
            }
            // rusqlite's messages name the failing statement or column, never a bound
            // value: only ciphertext is ever bound anyway.
            _ => Error::Storage(e.to_string()),
        }
    }
}
