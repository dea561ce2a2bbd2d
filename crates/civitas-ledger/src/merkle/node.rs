//! [`NodeId`]: the address of a complete perfect subtree. It depends on nothing, so
//! that the crate's error type can name a missing node.

/// The address of a complete perfect subtree: the node at `level` and `index` covers
/// leaves `[index·2^level, (index+1)·2^level)`. Level 0 nodes are the leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves (0 for a leaf); at most [`NodeId::MAX_LEVEL`].
    pub level: u8,
    /// Position among the nodes of that level, from the left.
    pub index: u64,
}

impl NodeId {
    /// The highest level a complete subtree of a 64-bit tree can have.
    pub const MAX_LEVEL: u8 = 63;

    /// The node at `level` and `index`.
    pub const fn new(level: u8, index: u64) -> Self {
        NodeId { level, index }
    }

    /// The leaf at `index`.
    pub const fn leaf(index: u64) -> Self {
        NodeId { level: 0, index }
    }

    /// The parent node.
    pub const fn parent(self) -> Self {
        NodeId {
            level: self.level + 1,
            index: self.index >> 1,
        }
    }

    /// The other child of this node's parent.
    pub const fn sibling(self) -> Self {
        NodeId {
            level: self.level,
            index: self.index ^ 1,
        }
    }

    /// The range of leaves `[start, end)` the node covers, or `None` where it does not
    /// fit 64 bits (no such node is ever complete).
    pub fn leaf_range(self) -> Option<std::ops::Range<u64>> {
        if self.level > Self::MAX_LEVEL {
            return None;
        }
        let start = self.index.checked_mul(1u64 << self.level)?;
        let end = (self.index.checked_add(1)?).checked_mul(1u64 << self.level)?;
        Some(start..end)
    }

    /// Whether the node is a complete subtree of the tree of `size` leaves.
    pub fn is_complete_in(self, size: u64) -> bool {
        self.leaf_range().is_some_and(|range| range.end <= size)
    }
}
