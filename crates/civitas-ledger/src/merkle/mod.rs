//! RFC 9162 §2.1 Merkle tree hashing over a store of complete subtrees.
//!
//! # Storage model
//!
//! A log of any size is kept as the hashes of its *complete perfect subtrees*: the node
//! at level `L`, index `i` ([`NodeId`]) covers leaves `[i·2^L, (i+1)·2^L)` and exists
//! once all of those leaves do. Every node of the RFC 9162 tree of any size `n` is
//! either such a complete subtree or is composed, right to left, of the complete
//! subtrees of a binary decomposition, so a store that keeps only complete subtrees
//! (two hashes per leaf, amortized) answers the root of every past size and every
//! proof between them, with `O(log n)` reads each:
//!
//! - appending a leaf writes the leaf and each parent it completes
//!   ([`append_nodes`], [`append_batch`]);
//! - [`root`] reads the `popcount(n)` subtrees of `n`'s binary decomposition;
//! - [`inclusion_proof`] and [`consistency_proof`] read one node per proof element,
//!   except for at most one element that is itself composed from at most `log n` nodes.
//!
//! Reads go through the one-method [`NodeReader`] trait, so the same code runs over
//! [`MemoryTree`], SQLite or anything else. Verification ([`verify_inclusion`],
//! [`verify_consistency`]) needs no store at all and follows the RFC's algorithms step
//! by step.
//!
//! # Layout
//!
//! - `hash.rs`: [`struct@Hash`], [`leaf_hash`], [`node_hash`], [`EMPTY_ROOT`];
//! - `node.rs`: [`NodeId`], the address of a complete subtree;
//! - `tree.rs`: the [`NodeReader`] contract, [`root`] and appending
//!   ([`append_nodes`], [`append_batch`]);
//! - `proof.rs`: making ([`inclusion_proof`], [`consistency_proof`]) and verifying
//!   ([`verify_inclusion`], [`verify_consistency`]) proofs;
//! - `memory.rs`: [`MemoryTree`], the reference in-memory store.

mod hash;
mod memory;
mod node;
mod proof;
mod tree;

pub use hash::{EMPTY_ROOT, HASH_LEN, Hash, leaf_hash, node_hash};
pub use memory::MemoryTree;
pub use node::NodeId;
pub use proof::{
    consistency_proof, inclusion_proof, root_from_inclusion_proof, verify_consistency,
    verify_inclusion,
};
pub use tree::{NodeReader, append_batch, append_nodes, root};

#[cfg(test)]
mod tests;
