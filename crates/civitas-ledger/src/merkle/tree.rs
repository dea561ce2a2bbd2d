//! The tree over a store of complete subtrees: the [`NodeReader`] contract, roots and
//! appending.

use super::hash::{EMPTY_ROOT, Hash, node_hash};
use super::node::NodeId;
use crate::{Error, Result};

/// Read access to the hashes of complete subtrees: the one thing the Merkle math needs
/// from a store.
///
/// # Contract
///
/// - `node(id)` returns the hash of the complete subtree `id`: for a leaf, the leaf
///   hash ([`leaf_hash`](super::leaf_hash) of the entry); above that, [`node_hash`] of
///   its two children.
/// - The functions of this module only ask for nodes that are complete in the tree size
///   they were given ([`NodeId::is_complete_in`]); a store never has to compute or
///   invent an incomplete node.
/// - A node the store does not hold (for instance because the caller asked about a size
///   larger than the log) is [`Error::MissingNode`]; a failure of the backend itself
///   is [`Error::Storage`]. Neither may panic.
pub trait NodeReader {
    /// The hash of the complete subtree `id`.
    fn node(&self, id: NodeId) -> Result<Hash>;
}

impl<R: NodeReader + ?Sized> NodeReader for &R {
    fn node(&self, id: NodeId) -> Result<Hash> {
        (**self).node(id)
    }
}

impl<R: NodeReader + ?Sized> NodeReader for Box<R> {
    fn node(&self, id: NodeId) -> Result<Hash> {
        (**self).node(id)
    }
}

/// The largest power of two strictly below `n`; `n` must be at least 2.
pub(super) fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The RFC 9162 hash of the `len` leaves from `start`, composed right to left from the
/// complete subtrees of `len`'s binary decomposition. `start` must be a multiple of the
/// smallest power of two not below `len` (true of every subtree of an RFC 9162 tree), so
/// that each piece is an aligned complete node. `len` must be at least 1.
pub(super) fn subtree_root<R: NodeReader + ?Sized>(
    reader: &R,
    start: u64,
    len: u64,
) -> Result<Hash> {
    let mut end = start
        .checked_add(len)
        .ok_or(Error::MalformedProof("range overflows"))?;
    let mut remaining = len;
    let mut acc: Option<Hash> = None;
    while remaining != 0 {
        let level = remaining.trailing_zeros();
        let piece = 1u64 << level;
        end -= piece;
        let hash = reader.node(NodeId::new(level as u8, end >> level))?;
        acc = Some(match acc {
            None => hash,
            Some(right) => node_hash(&hash, &right),
        });
        remaining &= remaining - 1;
    }
    acc.ok_or(Error::MalformedProof("empty range"))
}

/// The root hash of the tree of the first `size` leaves (RFC 9162 §2.1.1), from the
/// `popcount(size)` complete subtrees of its binary decomposition. The empty tree's root
/// is [`EMPTY_ROOT`], read from nowhere.
pub fn root<R: NodeReader + ?Sized>(size: u64, reader: &R) -> Result<Hash> {
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    subtree_root(reader, 0, size)
}

/// The nodes to store when appending one leaf to a tree of `size_before` leaves: the
/// leaf itself at level 0, then every parent the new leaf completes, bottom-up.
///
/// Reads the `trailing_ones(size_before)` left siblings on the way up; writes two nodes
/// per leaf amortized. The store must hold the tree of `size_before` leaves.
pub fn append_nodes<R: NodeReader + ?Sized>(
    size_before: u64,
    leaf_hash: Hash,
    reader: &R,
) -> Result<Vec<(NodeId, Hash)>> {
    if size_before == u64::MAX {
        return Err(Error::TreeFull);
    }
    let mut id = NodeId::leaf(size_before);
    let mut hash = leaf_hash;
    let mut out = Vec::with_capacity(size_before.trailing_ones() as usize + 1);
    out.push((id, hash));
    while id.index & 1 == 1 {
        let left = reader.node(id.sibling())?;
        hash = node_hash(&left, &hash);
        id = id.parent();
        out.push((id, hash));
    }
    Ok(out)
}

/// [`append_nodes`] for several leaves at once: the nodes to store when appending
/// `leaf_hashes` in order to a tree of `size_before` leaves.
///
/// Nodes completed inside the batch are carried along, so the store is read only for
/// complete subtrees of the tree of `size_before` leaves (at most one per level).
pub fn append_batch<R: NodeReader + ?Sized>(
    size_before: u64,
    leaf_hashes: &[Hash],
    reader: &R,
) -> Result<Vec<(NodeId, Hash)>> {
    let count = u64::try_from(leaf_hashes.len()).map_err(|_| Error::TreeFull)?;
    if size_before.checked_add(count).is_none() {
        return Err(Error::TreeFull);
    }
    let mut out = Vec::with_capacity(2 * leaf_hashes.len() + 64);
    // The right edge of the nodes made in this batch, highest level at the bottom.
    let mut edge: Vec<(NodeId, Hash)> = Vec::with_capacity(64);
    for (index, leaf) in (size_before..).zip(leaf_hashes) {
        let mut id = NodeId::leaf(index);
        let mut hash = *leaf;
        out.push((id, hash));
        while id.index & 1 == 1 {
            let left_id = id.sibling();
            let left = match edge.last() {
                Some(&(edge_id, edge_hash)) if edge_id == left_id => {
                    edge.pop();
                    edge_hash
                }
                _ => reader.node(left_id)?,
            };
            hash = node_hash(&left, &hash);
            id = id.parent();
            out.push((id, hash));
        }
        edge.push((id, hash));
    }
    Ok(out)
}
