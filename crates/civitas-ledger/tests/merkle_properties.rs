//! Property-style checks of the Merkle core: against a direct transcription of the
//! RFC 9162 §2.1 recursive definitions, for every size, index and old size up to 70;
//! tampered proofs refused; `O(log n)` reads; huge sizes; bad input as errors.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail loudly too"
)]

use civitas_ledger::{
    EMPTY_ROOT, Error, Hash, MemoryTree, NodeId, NodeReader, append_batch, append_nodes,
    consistency_proof, inclusion_proof, leaf_hash, node_hash, root, verify_consistency,
    verify_inclusion,
};
use std::cell::Cell;

const MAX: u64 = 70;

// --- RFC 9162 §2.1, transcribed literally over a slice of leaf hashes -------------------

fn k_of(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]) (§2.1.1).
fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => EMPTY_ROOT,
        1 => d[0],
        n => {
            let k = k_of(n);
            node_hash(&mth(&d[..k]), &mth(&d[k..]))
        }
    }
}

/// PATH(m, D[n]) (§2.1.3.1).
fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n == 1 {
        return Vec::new();
    }
    let k = k_of(n);
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

/// SUBPROOF(m, D[n], b) (§2.1.4.1).
fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { Vec::new() } else { vec![mth(d)] };
    }
    let k = k_of(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

fn flip(proof: &[Hash], i: usize, bit: u8) -> Vec<Hash> {
    let mut out = proof.to_vec();
    let mut bytes = out[i].to_bytes();
    bytes[usize::from(bit) / 8 % 32] ^= 1 << (bit % 8);
    out[i] = Hash::new(bytes);
    out
}

fn tamperings(proof: &[Hash]) -> Vec<(String, Vec<Hash>)> {
    let mut out = Vec::new();
    for i in 0..proof.len() {
        out.push((
            format!("bit flipped in [{i}]"),
            flip(proof, i, (i * 37 % 256) as u8),
        ));
        let mut dropped = proof.to_vec();
        dropped.remove(i);
        out.push((format!("[{i}] dropped"), dropped));
    }
    for (where_, at) in [("front", 0), ("end", proof.len())] {
        let mut longer = proof.to_vec();
        longer.insert(at, leaf_hash(b"garbage"));
        out.push((format!("garbage at the {where_}"), longer));
    }
    if proof.len() > 1 {
        let mut swapped = proof.to_vec();
        swapped.swap(0, 1);
        if swapped != proof {
            out.push(("first two swapped".into(), swapped));
        }
    }
    out
}

#[test]
fn rfc9162_inclusion_proofs_for_every_size_and_index_up_to_70() {
    let d = leaves(MAX);
    let tree = MemoryTree::from_entries((0..MAX).map(|i| i.to_be_bytes())).unwrap();
    let roots: Vec<Hash> = (0..=MAX).map(|n| tree.root_at(n).unwrap()).collect();
    for n in 1..=MAX {
        let nu = n as usize;
        assert_eq!(roots[nu], mth(&d[..nu]), "root of size {n}");
        for m in 0..n {
            let mu = m as usize;
            let proof = tree.inclusion_proof(m, n).unwrap();
            assert_eq!(proof, path(mu, &d[..nu]), "PATH({m}, {n})");
            verify_inclusion(&d[mu], m, n, &proof, &roots[nu]).unwrap();

            for (what, bad) in tamperings(&proof) {
                assert!(
                    verify_inclusion(&d[mu], m, n, &bad, &roots[nu]).is_err(),
                    "PATH({m}, {n}) with {what} verified"
                );
            }
            // The wrong leaf, the wrong index, the wrong root.
            let other = if mu + 1 < nu { mu + 1 } else { 0 };
            if other != mu {
                assert!(verify_inclusion(&d[other], m, n, &proof, &roots[nu]).is_err());
                assert!(verify_inclusion(&d[mu], other as u64, n, &proof, &roots[nu]).is_err());
            }
            assert!(verify_inclusion(&d[mu], m, n, &proof, &EMPTY_ROOT).is_err());
            // The wrong size, with that size's genuine root: refused unless the proof
            // for that size happens to be the very same list of hashes.
            for wrong in [n - 1, n + 1, 2 * n, n / 2] {
                if wrong == n || wrong <= m || wrong > MAX {
                    continue;
                }
                let genuine = path(mu, &d[..wrong as usize]) == proof;
                let got = verify_inclusion(&d[mu], m, wrong, &proof, &roots[wrong as usize]);
                assert_eq!(got.is_ok(), genuine, "PATH({m}, {n}) as size {wrong}");
            }
            // The wrong size with this root (transparency-dev's probes).
            for wrong in [2 * n, n / 2] {
                assert!(verify_inclusion(&d[mu], m, wrong, &proof, &roots[nu]).is_err());
            }
        }
    }
}

#[test]
fn rfc9162_consistency_proofs_for_every_pair_of_sizes_up_to_70() {
    let d = leaves(MAX);
    let tree = MemoryTree::from_entries((0..MAX).map(|i| i.to_be_bytes())).unwrap();
    let roots: Vec<Hash> = (0..=MAX).map(|n| tree.root_at(n).unwrap()).collect();
    for n in 1..=MAX {
        let nu = n as usize;
        for m in 0..=n {
            let mu = m as usize;
            let proof = tree.consistency_proof(m, n).unwrap();
            let expected = if m == 0 || m == n {
                Vec::new()
            } else {
                subproof(mu, &d[..nu], true)
            };
            assert_eq!(proof, expected, "PROOF({m}, {n})");
            verify_consistency(m, n, &proof, &roots[mu], &roots[nu]).unwrap();

            for (what, bad) in tamperings(&proof) {
                assert!(
                    verify_consistency(m, n, &bad, &roots[mu], &roots[nu]).is_err(),
                    "PROOF({m}, {n}) with {what} verified"
                );
            }
            if m != n {
                assert!(
                    verify_consistency(m, n, &proof, &roots[nu], &roots[mu]).is_err(),
                    "PROOF({m}, {n}) with swapped roots"
                );
                // From size 0 any tree follows: the new root cannot be checked.
                if m > 0 {
                    assert!(verify_consistency(m, n, &proof, &roots[mu], &roots[mu]).is_err());
                }
            }
            if m > 0 {
                assert!(verify_consistency(m, n, &proof, &leaf_hash(b"x"), &roots[nu]).is_err());
            }
            // Wrong sizes with their genuine roots: refused unless the proof for them is
            // the very same list of hashes.
            let probes = [
                (m + 1, n),
                (m.wrapping_sub(1), n),
                (m, n + 1),
                (m, n - 1),
                (m, 2 * n),
            ];
            for (m2, n2) in probes {
                if (m2, n2) == (m, n) || m2 > n2 || n2 > MAX {
                    continue;
                }
                let genuine = tree.consistency_proof(m2, n2).unwrap() == proof;
                let got =
                    verify_consistency(m2, n2, &proof, &roots[m2 as usize], &roots[n2 as usize]);
                assert_eq!(got.is_ok(), genuine, "PROOF({m}, {n}) as ({m2}, {n2})");
            }
        }
    }
}

#[test]
fn append_batch_stores_the_same_nodes_as_single_appends() {
    let d = leaves(MAX);
    let mut single = MemoryTree::new();
    let mut nodes_single = Vec::new();
    for leaf in &d {
        nodes_single.extend(append_nodes(single.size(), *leaf, &single).unwrap());
        single.append_leaf_hash(*leaf).unwrap();
    }
    for chunk in [1usize, 2, 3, 7, 16, 70] {
        let mut batched = MemoryTree::new();
        let mut nodes_batched = Vec::new();
        for part in d.chunks(chunk) {
            nodes_batched.extend(append_batch(batched.size(), part, &batched).unwrap());
            batched.append_leaf_hashes(part).unwrap();
        }
        assert_eq!(nodes_batched, nodes_single, "chunks of {chunk}");
        assert_eq!(batched.root().unwrap(), single.root().unwrap());
    }
    // Two nodes per leaf, amortized: 2n minus the number of ones in n.
    assert_eq!(
        nodes_single.len() as u64,
        2 * MAX - u64::from(MAX.count_ones())
    );
}

/// Counts the reads it forwards.
struct Counting<R> {
    inner: R,
    reads: Cell<u64>,
}

impl<R: NodeReader> NodeReader for Counting<R> {
    fn node(&self, id: NodeId) -> civitas_ledger::Result<Hash> {
        self.reads.set(self.reads.get() + 1);
        self.inner.node(id)
    }
}

impl<R> Counting<R> {
    fn take(&self) -> u64 {
        self.reads.replace(0)
    }
}

/// A consistent tree of any size whose leaves are all the same: the node at level `l`
/// is the `l`-fold self-hash of the leaf. Lets the math run at sizes up to 2^64 - 1.
struct UniformTree {
    levels: Vec<Hash>,
}

impl UniformTree {
    fn new() -> Self {
        let mut levels = vec![leaf_hash(b"same")];
        for l in 0..63 {
            let below = levels[l];
            levels.push(node_hash(&below, &below));
        }
        UniformTree { levels }
    }
}

impl NodeReader for UniformTree {
    fn node(&self, id: NodeId) -> civitas_ledger::Result<Hash> {
        // The contract: only complete subtrees are ever asked for. Any size fits 64
        // bits, so a node whose range does not is a contract violation.
        assert!(id.leaf_range().is_some(), "asked for {id:?}");
        Ok(self.levels[usize::from(id.level)])
    }
}

fn log2_ceil(n: u64) -> u64 {
    u64::from(64 - (n - 1).leading_zeros())
}

#[test]
fn root_and_proofs_read_o_log_n_nodes() {
    let n: u64 = (1 << 17) + 1234;
    let tree = MemoryTree::from_entries((0..n).map(|i| i.to_be_bytes())).unwrap();
    let reader = Counting {
        inner: &tree,
        reads: Cell::new(0),
    };
    let depth = log2_ceil(n);
    for size in [1, 2, 3, 1000, 4096, 65537, n - 1, n] {
        let r = root(size, &reader).unwrap();
        assert_eq!(reader.take(), u64::from(size.count_ones()), "root({size})");
        for index in [0, size / 3, size - 1] {
            let proof = inclusion_proof(index, size, &reader).unwrap();
            assert!(
                reader.take() <= 2 * depth,
                "inclusion_proof({index}, {size})"
            );
            verify_inclusion(&leaf_hash(&index.to_be_bytes()), index, size, &proof, &r).unwrap();
        }
        for first in [1, size / 2, size - 1] {
            let proof = consistency_proof(first, size, &reader).unwrap();
            assert!(
                reader.take() <= 2 * depth + 1,
                "consistency_proof({first}, {size})"
            );
            let old = root(first, &reader).unwrap();
            verify_consistency(first, size, &proof, &old, &r).unwrap();
            reader.take();
        }
    }
    // Appending reads only the left siblings it completes.
    let nodes = append_nodes(n, leaf_hash(b"next"), &reader).unwrap();
    assert_eq!(reader.take(), u64::from(n.trailing_ones()));
    assert_eq!(nodes.len() as u64, u64::from(n.trailing_ones()) + 1);
}

#[test]
fn huge_trees_prove_and_verify_in_o_log_n() {
    let reader = Counting {
        inner: UniformTree::new(),
        reads: Cell::new(0),
    };
    let leaf = leaf_hash(b"same");
    for size in [
        u64::MAX,
        u64::MAX - 1,
        1 << 63,
        (1 << 63) + 1,
        (1 << 40) + 12345,
    ] {
        let r = root(size, &reader).unwrap();
        assert_eq!(reader.take(), u64::from(size.count_ones()));
        for index in [0, 1, size / 2, size - 2, size - 1] {
            let proof = inclusion_proof(index, size, &reader).unwrap();
            assert!(reader.take() <= 128 && proof.len() <= 64 + 64);
            verify_inclusion(&leaf, index, size, &proof, &r).unwrap();
            let bad = flip(&proof, proof.len() / 2, 3);
            assert!(verify_inclusion(&leaf, index, size, &bad, &r).is_err());
        }
        for first in [1, 2, 3, size / 2 + 1, size - 1] {
            let proof = consistency_proof(first, size, &reader).unwrap();
            assert!(reader.take() <= 129);
            let old = root(first, &reader).unwrap();
            reader.take();
            verify_consistency(first, size, &proof, &old, &r).unwrap();
            let bad = flip(&proof, 0, 200);
            assert!(verify_consistency(first, size, &bad, &old, &r).is_err());
        }
    }
    assert!(matches!(
        append_nodes(u64::MAX, leaf, &reader),
        Err(Error::TreeFull)
    ));
    assert!(matches!(
        append_batch(u64::MAX - 1, &[leaf, leaf], &reader),
        Err(Error::TreeFull)
    ));
}

#[test]
fn bad_input_is_an_error_never_a_panic() {
    let tree = MemoryTree::from_entries((0u64..10).map(|i| i.to_be_bytes())).unwrap();
    let r = tree.root().unwrap();
    let leaf = leaf_hash(&0u64.to_be_bytes());

    // Index out of range, including the empty tree.
    assert!(matches!(
        tree.inclusion_proof(10, 10),
        Err(Error::IndexOutOfRange {
            index: 10,
            size: 10
        })
    ));
    assert!(matches!(
        tree.inclusion_proof(0, 0),
        Err(Error::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        verify_inclusion(&leaf, 0, 0, &[], &EMPTY_ROOT),
        Err(Error::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        verify_inclusion(&leaf, u64::MAX, u64::MAX, &[], &r),
        Err(Error::IndexOutOfRange { .. })
    ));
    // Wrong proof lengths.
    assert!(matches!(
        verify_inclusion(&leaf, 0, 10, &[], &r),
        Err(Error::ProofLength { want: 4, got: 0 })
    ));
    assert!(matches!(
        verify_inclusion(&leaf, 0, 1, &[leaf], &leaf),
        Err(Error::ProofLength { want: 0, got: 1 })
    ));
    assert!(matches!(
        verify_inclusion(&leaf, 0, u64::MAX, &vec![leaf; 200], &r),
        Err(Error::ProofLength { .. })
    ));
    // A single-leaf tree: its root is the leaf hash, its proof empty.
    verify_inclusion(&leaf, 0, 1, &[], &leaf).unwrap();
    assert!(matches!(
        verify_inclusion(&leaf, 0, 1, &[], &r),
        Err(Error::RootMismatch)
    ));

    // Sizes out of order.
    assert!(matches!(
        tree.consistency_proof(5, 4),
        Err(Error::SizesOutOfOrder {
            first: 5,
            second: 4
        })
    ));
    assert!(matches!(
        verify_consistency(5, 4, &[], &r, &r),
        Err(Error::SizesOutOfOrder { .. })
    ));
    // Size 0 and equal sizes.
    verify_consistency(0, 0, &[], &EMPTY_ROOT, &EMPTY_ROOT).unwrap();
    verify_consistency(0, 10, &[], &EMPTY_ROOT, &r).unwrap();
    assert!(matches!(
        verify_consistency(0, 10, &[], &r, &r),
        Err(Error::RootMismatch)
    ));
    assert!(matches!(
        verify_consistency(0, 10, &[r], &EMPTY_ROOT, &r),
        Err(Error::ProofLength { want: 0, got: 1 })
    ));
    verify_consistency(10, 10, &[], &r, &r).unwrap();
    assert!(matches!(
        verify_consistency(10, 10, &[], &r, &leaf),
        Err(Error::RootMismatch)
    ));
    assert!(matches!(
        verify_consistency(10, 10, &[r], &r, &r),
        Err(Error::ProofLength { .. })
    ));
    assert!(matches!(
        verify_consistency(3, u64::MAX, &[], &r, &r),
        Err(Error::ProofLength { .. })
    ));

    // Asking about more leaves than the store has.
    assert!(matches!(tree.root_at(11), Err(Error::MissingNode(_))));
    assert!(matches!(
        tree.inclusion_proof(3, 16),
        Err(Error::MissingNode(_))
    ));
    assert!(matches!(
        tree.consistency_proof(3, 1 << 40),
        Err(Error::MissingNode(_))
    ));
    assert!(matches!(
        append_nodes(11, leaf, &tree),
        Err(Error::MissingNode(_))
    ));
    assert!(tree.node(NodeId::new(255, u64::MAX)).is_err());
}
