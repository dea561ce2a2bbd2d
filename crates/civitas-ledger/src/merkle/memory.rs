//! [`MemoryTree`]: every complete subtree hash in memory, the reference [`NodeReader`].

use super::hash::{Hash, leaf_hash};
use super::node::NodeId;
use super::proof::{consistency_proof, inclusion_proof};
use super::tree::{NodeReader, append_batch, append_nodes, root};
use crate::{Error, Result};

/// An in-memory log: every complete subtree hash, level by level. For tests and small
/// uses; it is also the reference [`NodeReader`].
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    /// `levels[l][i]` is the hash of [`NodeId`] `(l, i)`.
    levels: Vec<Vec<Hash>>,
    size: u64,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree holding `entries`, in order.
    pub fn from_entries<D: AsRef<[u8]>>(entries: impl IntoIterator<Item = D>) -> Result<Self> {
        let mut tree = Self::new();
        for entry in entries {
            tree.append(entry.as_ref())?;
        }
        Ok(tree)
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends an entry (hashed with [`leaf_hash`]); returns its leaf index.
    pub fn append(&mut self, entry: &[u8]) -> Result<u64> {
        self.append_leaf_hash(leaf_hash(entry))
    }

    /// Appends a leaf by its hash; returns its leaf index.
    pub fn append_leaf_hash(&mut self, leaf: Hash) -> Result<u64> {
        let index = self.size;
        let nodes = append_nodes(index, leaf, self)?;
        self.store(&nodes)?;
        self.size = index + 1;
        Ok(index)
    }

    /// Appends several leaves by their hashes; returns the new size.
    pub fn append_leaf_hashes(&mut self, leaves: &[Hash]) -> Result<u64> {
        let nodes = append_batch(self.size, leaves, self)?;
        self.store(&nodes)?;
        self.size += leaves.len() as u64;
        Ok(self.size)
    }

    fn store(&mut self, nodes: &[(NodeId, Hash)]) -> Result<()> {
        for &(id, hash) in nodes {
            let level = usize::from(id.level);
            if self.levels.len() <= level {
                self.levels.resize_with(level + 1, Vec::new);
            }
            let row = &mut self.levels[level];
            if usize::try_from(id.index).ok() != Some(row.len()) {
                return Err(Error::Storage(format!(
                    "node at level {} index {} appended out of order",
                    id.level, id.index
                )));
            }
            row.push(hash);
        }
        Ok(())
    }

    /// The root hash of the whole tree.
    pub fn root(&self) -> Result<Hash> {
        root(self.size, self)
    }

    /// The root hash of the tree of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash> {
        root(size, self)
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        inclusion_proof(index, size, self)
    }

    /// The consistency proof from the first `first` leaves to the first `second`.
    pub fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>> {
        consistency_proof(first, second, self)
    }
}

impl NodeReader for MemoryTree {
    fn node(&self, id: NodeId) -> Result<Hash> {
        usize::try_from(id.index)
            .ok()
            .and_then(|index| self.levels.get(usize::from(id.level))?.get(index))
            .copied()
            .ok_or(Error::MissingNode(id))
    }
}
