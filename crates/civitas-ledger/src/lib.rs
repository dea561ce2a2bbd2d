#![doc = include_str!("../README.md")]

pub mod checkpoint;
mod error;
pub mod merkle;

pub use checkpoint::{Checkpoint, NoteSignature, NoteSigner, NoteVerifier, SignedNote};
pub use error::{Error, Result};
pub use merkle::{
    EMPTY_ROOT, Hash, MemoryTree, NodeId, NodeReader, append_batch, append_nodes,
    consistency_proof, inclusion_proof, leaf_hash, node_hash, root, verify_consistency,
    verify_inclusion,
};
