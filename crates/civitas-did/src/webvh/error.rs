//! Why a did:webvh log entry was refused, or could not be made.

/// Result alias for the did:webvh log operations.
pub type Result<T, E = LogError> = std::result::Result<T, E>;

/// A did:webvh log entry refused (or a new one that could not be made), with the
/// specific reason. Every check of [`super::LogState::append`] has its own variant, so
/// that a ledger can tell a replay from a forgery from a clock problem.
///
/// `version` fields are the version number the entry claims (or would have had).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The entry is larger than [`super::MAX_ENTRY_BYTES`].
    #[error("log entry is {len} bytes; the limit is {max}")]
    Oversized {
        /// Size of the entry in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not a JSON object of the did:webvh log entry shape (`versionId`, `versionTime`,
    /// `parameters`, `state`, `proof`, with the right types).
    #[error("malformed log entry: {0}")]
    Malformed(String),
    /// A log with no entry at all.
    #[error("the DID log is empty")]
    EmptyLog,
    /// The entry is already in the log: an old entry submitted again.
    #[error("entry {version_id} is already in the log (replay)")]
    Replay {
        /// The `versionId` of the repeated entry.
        version_id: String,
    },
    /// The DID was deactivated: no entry may follow the deactivating one.
    #[error("the DID was deactivated by version {deactivated_at}; no entry may follow it")]
    AfterDeactivation {
        /// The version number of the deactivating entry.
        deactivated_at: u64,
    },
    /// The version number in `versionId` is not the previous one plus one (or 1 for
    /// the first entry).
    #[error("wrong version number: expected {expected}, found {found}")]
    WrongVersionNumber {
        /// The number the entry must carry.
        expected: u64,
        /// The number it carries.
        found: u64,
    },
    /// `versionTime` is not later than the previous entry's.
    #[error("versionTime {time} of version {version} is not after the previous entry's {previous}")]
    TimeNotIncreasing {
        /// The entry's version number.
        version: u64,
        /// Its `versionTime`.
        time: String,
        /// The previous entry's `versionTime`.
        previous: String,
    },
    /// `versionTime` is later than the time the entry is checked at.
    #[error("versionTime {time} of version {version} is in the future (checked at {now})")]
    TimeInFuture {
        /// The entry's version number.
        version: u64,
        /// Its `versionTime`.
        time: String,
        /// The time it was checked at.
        now: String,
    },
    /// A `parameters` member is unknown, of the wrong type, or not allowed here
    /// (did:webvh 1.0 §"DID Method Parameters").
    #[error("version {version}: parameter {name}: {reason}")]
    BadParameter {
        /// The entry's version number.
        version: u64,
        /// The parameter name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The SCID does not verify: the genesis entry does not hash to its `scid`, or a
    /// document `id` carries another SCID.
    #[error("wrong SCID: {0}")]
    WrongScid(String),
    /// The `entryHash` in `versionId` is not the hash of the entry chained to its
    /// predecessor's `versionId`: the entry was altered, or belongs to another chain.
    #[error(
        "broken entryHash chain at version {version}: computed {computed}, the entry says {found}"
    )]
    BrokenChain {
        /// The entry's version number.
        version: u64,
        /// The hash computed over the entry and its predecessor's `versionId`.
        computed: String,
        /// The hash the entry carries.
        found: String,
    },
    /// The `state` (DID document) is unusable: no `id`, not a did:webvh DID, or a
    /// changed `id` without portability.
    #[error("version {version}: DID document: {reason}")]
    BadDocument {
        /// The entry's version number.
        version: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// Pre-rotation is active and an `updateKeys` key was not committed (by hash) in
    /// the previous entry's `nextKeyHashes`.
    #[error("version {version}: update key {key} was not committed in the previous nextKeyHashes")]
    KeyNotPreRotated {
        /// The entry's version number.
        version: u64,
        /// The uncommitted key (multikey).
        key: String,
    },
    /// The proof is by a key that may not sign this entry (not in the active
    /// `updateKeys`).
    #[error("version {version}: proof by {key}, which is not an authorized update key")]
    UnauthorizedKey {
        /// The entry's version number.
        version: u64,
        /// The signing key (multikey).
        key: String,
    },
    /// The proof is missing or not of the required shape (`DataIntegrityProof`,
    /// `eddsa-jcs-2022`, `assertionMethod`, a `did:key` verification method).
    #[error("version {version}: malformed proof: {reason}")]
    BadProof {
        /// The entry's version number.
        version: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The proof's signature does not verify over the entry.
    #[error("version {version}: the proof signature does not verify")]
    BadSignature {
        /// The entry's version number.
        version: u64,
    },
    /// Every Civitas check passed but didwebvh-rs's own verification of the entry
    /// refused it (a defence in depth; see the module docs).
    #[error("version {version}: refused by didwebvh-rs: {reason}")]
    Rejected {
        /// The entry's version number.
        version: u64,
        /// didwebvh-rs's reason.
        reason: String,
    },
    /// The witness proofs (`did-witness.json`) are malformed, invalid, or below a
    /// required threshold.
    #[error("witness proofs: {0}")]
    Witness(String),
    /// Pre-rotation is active, which the requested operation cannot honour (for
    /// example an update that does not reveal a pre-committed key).
    #[error("pre-rotation is active: {0}")]
    PreRotationActive(String),
    /// A host/path or DID that is not a valid did:webvh identifier.
    #[error("invalid did:webvh identifier: {0}")]
    InvalidDid(String),
    /// did:webvh 1.0 allows only `eddsa-jcs-2022`: update keys must be Ed25519.
    #[error("update keys must be Ed25519 (did:webvh 1.0 allows only eddsa-jcs-2022), not {0}")]
    UnsupportedKey(&'static str),
    /// The signer failed.
    #[error("signing failed: {0}")]
    Signing(#[from] civitas_crypto::Error),
}
