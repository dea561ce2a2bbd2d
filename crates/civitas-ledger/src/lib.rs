#![doc = include_str!("../README.md")]

pub mod checkpoint;
mod entry;
mod error;
pub mod http;
pub mod merkle;
pub mod sign;
mod store;
mod sync;
mod traits;
mod validate;

pub use checkpoint::{Checkpoint, NoteSignature, NoteSigner, NoteVerifier, SignedNote};
pub use entry::{
    Entry, MAX_ENTRY_BYTES, MAX_ISSUANCE_DIGESTS, TYP_ACCREDITATION, TYP_ACCREDITATION_REVOCATION,
    TYP_ISSUANCE, TYP_ROOT,
};
pub use error::{Error, Result};
pub use merkle::{
    EMPTY_ROOT, Hash, MemoryTree, NodeId, NodeReader, append_batch, append_nodes,
    consistency_proof, inclusion_proof, leaf_hash, node_hash, root, verify_consistency,
    verify_inclusion,
};
pub use store::{
    AuditReport, Clock, MAX_ENTRIES_PER_READ, SqliteLedger, WriterStats, checkpoint_time, key_path,
    system_clock,
};
pub use sync::{Freshness, SyncReport, VerifiedNode, open_replica, sync};
pub use traits::{
    AccreditationRecord, LedgerInfo, LedgerLogSource, LedgerReader, LedgerWriter, Receipt, resolver,
};
pub use validate::{MAX_FUTURE_SKEW, web_path};
