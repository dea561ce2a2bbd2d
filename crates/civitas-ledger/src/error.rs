//! The one error type of this crate.

use crate::merkle::NodeId;

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in the log core: bad proofs, bad sizes, storage failures, and
/// malformed or unverifiable checkpoints and notes.
///
/// Nothing in this crate panics on bad input; every malformed proof, size or note
/// ends up as one of these.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A leaf index is not below the tree size it is asked about.
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency check was asked from a larger tree to a smaller one.
    #[error("tree size {first} is larger than tree size {second}")]
    SizesOutOfOrder {
        /// The size of the tree claimed to be older.
        first: u64,
        /// The size of the tree claimed to be newer.
        second: u64,
    },
    /// A proof has the wrong number of hashes for the sizes and index it is about.
    #[error("proof has {got} hashes, {want} expected")]
    ProofLength {
        /// The number the sizes call for.
        want: usize,
        /// The number the proof has.
        got: usize,
    },
    /// A proof does not lead to the expected root hash.
    #[error("proof does not lead to the expected root hash")]
    RootMismatch,
    /// A proof failed a structural step of the RFC 9162 verification algorithm.
    #[error("malformed proof: {0}")]
    MalformedProof(&'static str),
    /// A hash is not 32 bytes, or not valid hex.
    #[error("invalid hash: {0}")]
    InvalidHash(String),
    /// The tree is full: one more leaf would not fit a 64-bit size.
    #[error("the tree is full")]
    TreeFull,
    /// A node the computation needs is not in the store (the store is behind, or the
    /// size asked about is larger than the log).
    #[error("node at level {} index {} is not in the store", .0.level, .0.index)]
    MissingNode(NodeId),
    /// The storage backend failed.
    #[error("storage error: {0}")]
    Storage(String),
    /// A checkpoint body does not follow c2sp.org/tlog-checkpoint.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(String),
    /// A signed note does not follow c2sp.org/signed-note.
    #[error("malformed note: {0}")]
    MalformedNote(String),
    /// A key name is empty, or contains a space, a '+' or a control character.
    #[error("invalid key name {0:?}")]
    InvalidKeyName(String),
    /// A verifier key string is not `<name>+<8 hex key ID>+<base64(0x01 || key)>`.
    #[error("invalid verifier key: {0}")]
    InvalidVerifierKey(String),
    /// The key is of an algorithm notes are not signed with here (only Ed25519 is).
    #[error("note keys must be Ed25519, not {0}")]
    UnsupportedAlgorithm(civitas_crypto::Algorithm),
    /// A signature line from a known key does not verify: the whole note is refused.
    #[error("the signature by known key {name}+{key_id:08x} does not verify")]
    BadSignature {
        /// The key name.
        name: String,
        /// The key ID.
        key_id: u32,
    },
    /// Two different known keys share a name and key ID, so a signature cannot be
    /// attributed.
    #[error("ambiguous key {name}+{key_id:08x}: two known keys share it")]
    AmbiguousKey {
        /// The key name.
        name: String,
        /// The key ID.
        key_id: u32,
    },
    /// No known key has a valid signature on the note.
    #[error("the note has no valid signature from a known key")]
    NoValidSignature,
    /// The note is signed, but not by the key that had to sign it.
    #[error("the note is not signed by the required key {name}+{key_id:08x}")]
    MissingSignature {
        /// The required key's name.
        name: String,
        /// The required key's ID.
        key_id: u32,
    },
    /// The key or signing backend failed.
    #[error(transparent)]
    Crypto(#[from] civitas_crypto::Error),
    /// An entry is larger than the ledger accepts.
    #[error("entry of {size} bytes is larger than the {max} bytes allowed")]
    EntryTooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// An entry is not well-formed JSON of a known type.
    #[error("malformed entry: {0}")]
    MalformedEntry(String),
    /// A DID log entry does not continue its DID's log validly.
    #[error("DID log entry refused: {0}")]
    DidLog(#[from] civitas_did::webvh::LogError),
    /// A new DID's web path is already taken by another DID.
    #[error("the web path {0} is already used by another DID")]
    DidPathTaken(String),
    /// A new DID names another host than this ledger's.
    #[error("DID host {found} is not this ledger's host {expected}")]
    DidHostMismatch {
        /// The DID's host.
        found: String,
        /// The ledger's host.
        expected: String,
    },
    /// A signed entry is malformed or its signature does not verify.
    #[error("signed entry refused: {0}")]
    SignedEntry(#[from] civitas_credential::Error),
    /// The signer's key could not be resolved (unknown or deactivated DID, key not
    /// authorized).
    #[error("signer's key: {0}")]
    SignerKey(civitas_did::Error),
    /// The entry is signed by a key the signer's DID authorized once but no longer
    /// does at this point of the log (whatever the entry's own `iat` says).
    #[error(
        "signer's key {kid} was retired by version {version} of its DID: it signs nothing new on this ledger"
    )]
    SignerKeyRetired {
        /// The key id.
        kid: String,
        /// The DID version that retired it.
        version: u64,
    },
    /// The signer may not make this entry.
    #[error("not authorized: {0}")]
    NotAuthorized(String),
    /// The entry repeats one already on the ledger, or is older than what it replaces.
    #[error("replay: {0}")]
    Replay(String),
    /// The entry's content is invalid.
    #[error("invalid entry: {0}")]
    InvalidEntry(String),
    /// This ledger is a replica: it only takes entries by `sync`.
    #[error("this ledger file is a read-only replica (synced from {0}); append to the origin")]
    ReadOnly(String),
    /// Something asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The log signed two different checkpoints for the same size: a split view.
    #[error(
        "SPLIT VIEW: the ledger signed two different checkpoints for size {size}; both are kept as evidence"
    )]
    SplitView {
        /// The tree size.
        size: u64,
        /// The checkpoint held before.
        held: String,
        /// The conflicting checkpoint received.
        received: String,
    },
    /// The remote log is not an extension of the one held (bad consistency proof, or
    /// entries that do not hash to the signed root).
    #[error("the remote log is inconsistent with the copy held: {0}")]
    Inconsistent(String),
    /// A node's checkpoint is not signed by the log key the verifier pinned (no
    /// signature, another key's, or a bad one): nothing it serves can be used.
    #[error("the node's checkpoint does not verify with the pinned log key {key}: {why}")]
    CheckpointUnverified {
        /// The pinned key (C2SP verifier key).
        key: String,
        /// What was wrong with the note.
        why: String,
    },
    /// A node's signed log is shorter than the copy held: it rolled back (an old
    /// status list, a DID log cut short). Both checkpoints are kept as evidence.
    #[error(
        "ROLLBACK: the node's signed log has {received} entries, the copy held has {held}; both checkpoints are kept as evidence"
    )]
    Rollback {
        /// Entries held.
        held: u64,
        /// Entries in the node's checkpoint.
        received: u64,
    },
    /// Reading a node needs its pinned log key, and none was given or held.
    #[error("no pinned log key for {0}")]
    LogKeyRequired(String),
    /// The log key given is not the one the replica was made with.
    #[error("the log key given ({given}) is not the one this replica pinned ({held})")]
    LogKeyMismatch {
        /// The key given now.
        given: String,
        /// The key the replica holds.
        held: String,
    },
    /// The newest checkpoint the log key signed is older than the verifier accepts.
    #[error("the ledger data is stale: {0}")]
    Stale(String),
    /// The remote ledger could not be reached or answered badly.
    #[error("ledger node: {0}")]
    Remote(String),
    /// The ledger is shutting down.
    #[error("the ledger is closed")]
    Closed,
}

impl Error {
    /// A stable code for the failure (HTTP error bodies carry it).
    pub fn code(&self) -> &'static str {
        match self {
            Error::EntryTooLarge { .. } => "entry_too_large",
            Error::MalformedEntry(_) => "malformed_entry",
            Error::DidLog(_) => "did_log_refused",
            Error::DidPathTaken(_) => "did_path_taken",
            Error::DidHostMismatch { .. } => "did_host_mismatch",
            Error::SignedEntry(_) => "signed_entry_refused",
            Error::SignerKey(_) => "signer_key",
            Error::SignerKeyRetired { .. } => "signer_key_retired",
            Error::NotAuthorized(_) => "not_authorized",
            Error::Replay(_) => "replay",
            Error::InvalidEntry(_) => "invalid_entry",
            Error::ReadOnly(_) => "read_only",
            Error::NotFound(_) => "not_found",
            Error::SplitView { .. } => "split_view",
            Error::Inconsistent(_) => "inconsistent",
            Error::CheckpointUnverified { .. } => "checkpoint_unverified",
            Error::Rollback { .. } => "rollback",
            Error::LogKeyRequired(_) => "ledger_key_required",
            Error::LogKeyMismatch { .. } => "log_key_mismatch",
            Error::Stale(_) => "ledger_stale",
            Error::Remote(_) => "remote",
            Error::Closed => "closed",
            Error::Storage(_) => "storage",
            _ => "log",
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}
