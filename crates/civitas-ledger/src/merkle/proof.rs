//! Inclusion and consistency proofs (RFC 9162 §2.1.3, §2.1.4): made from a
//! [`NodeReader`], verified with no store at all.

use super::hash::{EMPTY_ROOT, Hash, node_hash};
use super::node::NodeId;
use super::tree::{NodeReader, split_point, subtree_root};
use crate::{Error, Result};

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
