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

use crate::{Error, Result};
use ring::digest;
use std::fmt;

/// Length in bytes of a [`struct@Hash`] (SHA-256).
pub const HASH_LEN: usize = 32;

/// A SHA-256 hash: a leaf hash, an interior node hash or a tree root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash([u8; HASH_LEN]);

/// The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
pub const EMPTY_ROOT: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

impl Hash {
    /// A hash from its 32 bytes.
    pub const fn new(bytes: [u8; HASH_LEN]) -> Self {
        Hash(bytes)
    }

    /// A hash from a slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        <[u8; HASH_LEN]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| Error::InvalidHash(format!("{} bytes, not {HASH_LEN}", bytes.len())))
    }

    /// A hash from 64 hex digits (either case).
    pub fn from_hex(hex: &str) -> Result<Self> {
        let bytes = hex.as_bytes();
        if bytes.len() != 2 * HASH_LEN {
            return Err(Error::InvalidHash(format!(
                "{} hex digits, not {}",
                bytes.len(),
                2 * HASH_LEN
            )));
        }
        let mut out = [0u8; HASH_LEN];
        for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let (Some(hi), Some(lo)) = (hex_value(pair[0]), hex_value(pair[1])) else {
                return Err(Error::InvalidHash("not hex".into()));
            };
            *byte = hi << 4 | lo;
        }
        Ok(Hash(out))
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// The 32 bytes, by value.
    pub const fn to_bytes(self) -> [u8; HASH_LEN] {
        self.0
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl From<[u8; HASH_LEN]> for Hash {
    fn from(bytes: [u8; HASH_LEN]) -> Self {
        Hash(bytes)
    }
}

impl From<Hash> for [u8; HASH_LEN] {
    fn from(hash: Hash) -> Self {
        hash.0
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

fn sha256(data: &[u8]) -> Hash {
    let digest = digest::digest(&digest::SHA256, data);
    let mut out = [0u8; HASH_LEN];
    out.copy_from_slice(digest.as_ref());
    Hash(out)
}

/// The hash of a leaf: `SHA-256(0x00 || data)` (RFC 9162 §2.1.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(&[0x00]);
    ctx.update(data);
    let digest = ctx.finish();
    let mut out = [0u8; HASH_LEN];
    out.copy_from_slice(digest.as_ref());
    Hash(out)
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)` (RFC 9162 §2.1.1).
/// Allocation-free: the 65 input bytes are laid out on the stack.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut input = [0u8; 1 + 2 * HASH_LEN];
    input[0] = 0x01;
    input[1..=HASH_LEN].copy_from_slice(&left.0);
    input[1 + HASH_LEN..].copy_from_slice(&right.0);
    sha256(&input)
}

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

/// Read access to the hashes of complete subtrees: the one thing the Merkle math needs
/// from a store.
///
/// # Contract
///
/// - `node(id)` returns the hash of the complete subtree `id`: for a leaf, the leaf
///   hash ([`leaf_hash`] of the entry); above that, [`node_hash`] of its two children.
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
fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The RFC 9162 hash of the `len` leaves from `start`, composed right to left from the
/// complete subtrees of `len`'s binary decomposition. `start` must be a multiple of the
/// smallest power of two not below `len` (true of every subtree of an RFC 9162 tree), so
/// that each piece is an aligned complete node. `len` must be at least 1.
fn subtree_root<R: NodeReader + ?Sized>(reader: &R, start: u64, len: u64) -> Result<Hash> {
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

/// The number of hashes in an inclusion proof for `index` in a tree of `size` leaves
/// (`index < size`).
fn inclusion_proof_len(index: u64, size: u64) -> usize {
    // Levels where the paths to `index` and to the last leaf diverge, plus the left
    // siblings on the path above them.
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner + border) as usize
}

/// The number of hashes in a consistency proof from `first` to `second` leaves
/// (`0 < first < second`).
fn consistency_proof_len(first: u64, second: u64) -> usize {
    // The proof is the inclusion proof of the last complete subtree of the old tree's
    // right edge, plus that subtree itself unless the old tree is a perfect tree.
    let shift = first.trailing_zeros();
    let index = (first - 1) >> shift;
    let last = (second - 1) >> shift;
    let inner = 64 - (index ^ last).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    let seed = usize::from(!first.is_power_of_two());
    seed + (inner + border) as usize
}

/// The inclusion proof (audit path) of leaf `index` in the tree of `size` leaves, as
/// RFC 9162 §2.1.3.1 defines it: sibling hashes from the leaf up to the root.
pub fn inclusion_proof<R: NodeReader + ?Sized>(
    index: u64,
    size: u64,
    reader: &R,
) -> Result<Vec<Hash>> {
    if index >= size {
        return Err(Error::IndexOutOfRange { index, size });
    }
    let mut path = Vec::with_capacity(inclusion_proof_len(index, size));
    // Walk down from the root; the current subtree is [lo, lo + n).
    let (mut lo, mut n) = (0u64, size);
    while n > 1 {
        let k = split_point(n);
        if index - lo < k {
            // PATH(m, D[lo:lo+k]) : MTH(D[lo+k:lo+n]); the right part may be ragged.
            path.push(subtree_root(reader, lo + k, n - k)?);
            n = k;
        } else {
            // PATH(m - k, D[lo+k:lo+n]) : MTH(D[lo:lo+k]); the left part is complete.
            let level = k.trailing_zeros();
            path.push(reader.node(NodeId::new(level as u8, lo >> level))?);
            lo += k;
            n -= k;
        }
    }
    path.reverse();
    Ok(path)
}

/// The consistency proof from the tree of `first` leaves to the tree of `second` leaves,
/// as RFC 9162 §2.1.4.1 defines it. Empty when `first` is 0 or equals `second`.
pub fn consistency_proof<R: NodeReader + ?Sized>(
    first: u64,
    second: u64,
    reader: &R,
) -> Result<Vec<Hash>> {
    if first > second {
        return Err(Error::SizesOutOfOrder { first, second });
    }
    if first == 0 || first == second {
        return Ok(Vec::new());
    }
    // SUBPROOF(m, D[lo:lo+n], b), unrolled: `siblings` collects the appended hashes from
    // the top down, `seed` the hash the innermost call returns.
    let mut siblings = Vec::with_capacity(consistency_proof_len(first, second));
    let (mut lo, mut n, mut m, mut complete) = (0u64, second, first, true);
    let seed = loop {
        if m == n {
            break if complete {
                None
            } else {
                Some(subtree_root(reader, lo, m)?)
            };
        }
        let k = split_point(n);
        if m <= k {
            siblings.push(subtree_root(reader, lo + k, n - k)?);
            n = k;
        } else {
            let level = k.trailing_zeros();
            siblings.push(reader.node(NodeId::new(level as u8, lo >> level))?);
            lo += k;
            n -= k;
            m -= k;
            complete = false;
        }
    };
    siblings.reverse();
    Ok(seed.into_iter().chain(siblings).collect())
}

/// Recomputes the root from an inclusion proof, following RFC 9162 §2.1.3.2 step by
/// step; the proof must also have exactly the length the index and size call for.
pub fn root_from_inclusion_proof(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash> {
    // 1. leaf_index must be below tree_size.
    if index >= size {
        return Err(Error::IndexOutOfRange { index, size });
    }
    let want = inclusion_proof_len(index, size);
    if proof.len() != want {
        return Err(Error::ProofLength {
            want,
            got: proof.len(),
        });
    }
    // 2. fn = leaf_index, sn = tree_size - 1.
    let (mut fn_, mut sn) = (index, size - 1);
    // 3. r = hash.
    let mut r = *leaf_hash;
    // 4. For each p in inclusion_path:
    for p in proof {
        // a. If sn is 0, stop and fail.
        if sn == 0 {
            return Err(Error::MalformedProof("inclusion path longer than the tree"));
        }
        // b. If LSB(fn) is set, or fn equals sn:
        if fn_ & 1 == 1 || fn_ == sn {
            // i. r = HASH(0x01 || p || r)
            r = node_hash(p, &r);
            // ii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or
            //     fn is 0.
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            // Otherwise r = HASH(0x01 || r || p)
            r = node_hash(&r, p);
        }
        // c. Right-shift fn and sn once.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5. sn must be 0 (and r is compared by the caller).
    if sn != 0 {
        return Err(Error::MalformedProof(
            "inclusion path shorter than the tree",
        ));
    }
    Ok(r)
}

/// Verifies that `leaf_hash` is leaf `index` of the tree of `size` leaves with root
/// `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<()> {
    if root_from_inclusion_proof(leaf_hash, index, size, proof)? == *root {
        Ok(())
    } else {
        Err(Error::RootMismatch)
    }
}

/// Verifies that the tree of `first` leaves with root `first_root` is a prefix of the
/// tree of `second` leaves with root `second_root` (RFC 9162 §2.1.4.2).
///
/// Outside the RFC's `0 < first < second`: equal sizes need an empty proof and equal
/// roots; from size 0, an empty proof and `first_root` equal to [`EMPTY_ROOT`].
pub fn verify_consistency(
    first: u64,
    second: u64,
    proof: &[Hash],
    first_root: &Hash,
    second_root: &Hash,
) -> Result<()> {
    if first > second {
        return Err(Error::SizesOutOfOrder { first, second });
    }
    if first == second || first == 0 {
        if !proof.is_empty() {
            return Err(Error::ProofLength {
                want: 0,
                got: proof.len(),
            });
        }
        let expected = if first == 0 { &EMPTY_ROOT } else { second_root };
        return if first_root == expected {
            Ok(())
        } else {
            Err(Error::RootMismatch)
        };
    }
    let want = consistency_proof_len(first, second);
    if proof.len() != want {
        return Err(Error::ProofLength {
            want,
            got: proof.len(),
        });
    }
    // 1. An empty consistency_path fails.
    if proof.is_empty() {
        return Err(Error::ProofLength { want, got: 0 });
    }
    // 2. If first is an exact power of 2, prepend first_hash to consistency_path.
    let prefix = first.is_power_of_two().then_some(*first_root);
    let mut path = prefix.into_iter().chain(proof.iter().copied());
    // 3. fn = first - 1, sn = second - 1.
    let (mut fn_, mut sn) = (first - 1, second - 1);
    // 4. If LSB(fn) is set, right-shift fn and sn until LSB(fn) is not set.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5. fr = sr = the first value of consistency_path.
    let first_value = path
        .next()
        .ok_or(Error::MalformedProof("empty consistency path"))?;
    let (mut fr, mut sr) = (first_value, first_value);
    // 6. For each subsequent value c:
    for c in path {
        // a. If sn is 0, stop and fail.
        if sn == 0 {
            return Err(Error::MalformedProof(
                "consistency path longer than the tree",
            ));
        }
        // b. If LSB(fn) is set, or fn equals sn:
        if fn_ & 1 == 1 || fn_ == sn {
            // i. fr = HASH(0x01 || c || fr); ii. sr = HASH(0x01 || c || sr)
            fr = node_hash(&c, &fr);
            sr = node_hash(&c, &sr);
            // iii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or
            //      fn is 0.
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            // Otherwise sr = HASH(0x01 || sr || c)
            sr = node_hash(&sr, &c);
        }
        // c. Right-shift fn and sn once.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 7. fr must equal first_hash, sr second_hash, and sn must be 0.
    if sn != 0 {
        return Err(Error::MalformedProof(
            "consistency path shorter than the tree",
        ));
    }
    if fr != *first_root || sr != *second_root {
        return Err(Error::RootMismatch);
    }
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, sha256(b""));
    }

    #[test]
    fn hash_hex_round_trips_and_refuses_garbage() {
        let h = leaf_hash(b"x");
        assert_eq!(Hash::from_hex(&h.to_hex()).unwrap(), h);
        assert_eq!(Hash::from_hex(&h.to_hex().to_uppercase()).unwrap(), h);
        assert!(Hash::from_hex("00").is_err());
        assert!(Hash::from_hex(&"zz".repeat(32)).is_err());
        assert!(Hash::from_slice(&[0u8; 31]).is_err());
        assert!(format!("{h:?}").starts_with("Hash("));
    }

    #[test]
    fn node_ids_cover_their_leaves() {
        let id = NodeId::new(3, 2);
        assert_eq!(id.leaf_range(), Some(16..24));
        assert!(id.is_complete_in(24));
        assert!(!id.is_complete_in(23));
        assert_eq!(id.parent(), NodeId::new(4, 1));
        assert_eq!(id.sibling(), NodeId::new(3, 3));
        assert_eq!(NodeId::new(63, 1).leaf_range(), None);
        assert_eq!(NodeId::new(64, 0).leaf_range(), None);
        assert!(!NodeId::new(200, 0).is_complete_in(u64::MAX));
    }

    #[test]
    fn split_point_is_the_largest_power_of_two_below() {
        for n in 2u64..1000 {
            let k = split_point(n);
            assert!(k.is_power_of_two() && k < n && 2 * k >= n, "n={n}");
        }
        assert_eq!(split_point(u64::MAX), 1 << 63);
    }
}
