//! RFC 9162 §2.1 Merkle tree vectors from transparency-dev/merkle, checked in verbatim
//! under `testdata/transparency-dev-merkle/` (see `testdata/README.md`).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail loudly too"
)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use civitas_ledger::{
    EMPTY_ROOT, Hash, MemoryTree, NodeId, NodeReader, leaf_hash, verify_consistency,
    verify_inclusion,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/transparency-dev-merkle")
}

/// The `hd("…")` hex strings of one Go function in `testonly/constants.go`, in order.
fn go_hex_strings(function: &str) -> Vec<Vec<u8>> {
    let source = std::fs::read_to_string(testdata().join("testonly/constants.go")).unwrap();
    let start = source
        .find(&format!("func {function}()"))
        .unwrap_or_else(|| panic!("{function} not in constants.go"));
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").unwrap()];
    body.split("hd(\"")
        .skip(1)
        .map(|rest| hex(&rest[..rest.find('"').unwrap()]))
        .collect()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn reference_tree() -> (Vec<Vec<u8>>, MemoryTree) {
    let leaves = go_hex_strings("LeafInputs");
    assert_eq!(leaves.len(), 8);
    let tree = MemoryTree::from_entries(&leaves).unwrap();
    (leaves, tree)
}

#[test]
fn rfc9162_empty_tree_root() {
    let empty = go_hex_strings("EmptyRootHash");
    assert_eq!(empty, vec![EMPTY_ROOT.as_bytes().to_vec()]);
    assert_eq!(MemoryTree::new().root().unwrap(), EMPTY_ROOT);
}

#[test]
fn rfc9162_root_vectors_for_sizes_1_to_8() {
    let (leaves, tree) = reference_tree();
    // RootHashes() starts with EmptyRootHash(), which is not an hd("…") literal.
    let roots = go_hex_strings("RootHashes");
    assert_eq!(roots.len(), 8);
    for (size, want) in (1u64..).zip(&roots) {
        assert_eq!(
            tree.root_at(size).unwrap().as_bytes().as_slice(),
            want.as_slice(),
            "size {size}"
        );
    }
    // The same roots, one append at a time.
    let mut growing = MemoryTree::new();
    for (leaf, want) in leaves.iter().zip(&roots) {
        growing.append(leaf).unwrap();
        assert_eq!(
            growing.root().unwrap().as_bytes().as_slice(),
            want.as_slice()
        );
    }
}

#[test]
fn rfc9162_complete_subtree_vectors() {
    let (_, tree) = reference_tree();
    let source = std::fs::read_to_string(testdata().join("testonly/constants.go")).unwrap();
    let start = source.find("func NodeHashes()").unwrap();
    let body = &source[start..start + source[start..].find("\n}\n").unwrap()];
    // Levels are separated by "}, {" in the Go literal.
    for (level, chunk) in body.split("}, {").enumerate() {
        let hashes: Vec<Vec<u8>> = chunk
            .split("hd(\"")
            .skip(1)
            .map(|rest| hex(&rest[..rest.find('"').unwrap()]))
            .collect();
        assert_eq!(hashes.len(), 8 >> level, "level {level}");
        for (index, want) in (0u64..).zip(&hashes) {
            let got = tree.node(NodeId::new(level as u8, index)).unwrap();
            assert_eq!(
                got.as_bytes().as_slice(),
                want.as_slice(),
                "({level}, {index})"
            );
        }
    }
    assert_eq!(
        leaf_hash(b""),
        Hash::from_hex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d").unwrap()
    );
}

/// A base64 value of a vector as a hash; values that are not 32 bytes (the vectors'
/// "garbage" and "WrongLeaf") cannot be hashes, so the case fails before verifying.
fn hash_of(value: &Value) -> Option<Hash> {
    let bytes = STANDARD.decode(value.as_str()?).ok()?;
    Hash::from_slice(&bytes).ok()
}

fn proof_of(value: &Value) -> Option<Vec<Hash>> {
    match value {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items.iter().map(hash_of).collect(),
        _ => None,
    }
}

fn vector_files(kind: &str) -> Vec<(String, Value)> {
    let mut files = Vec::new();
    let dir = testdata().join("testdata").join(kind);
    for case in std::fs::read_dir(&dir).unwrap() {
        for file in std::fs::read_dir(case.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.strip_prefix(&dir).unwrap().display().to_string();
            files.push((name, serde_json::from_str(&text).unwrap()));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        files.len() >= 10,
        "too few {kind} vectors in {}",
        dir.display()
    );
    files
}

fn number(value: &Value, keys: &[&str]) -> u64 {
    keys.iter()
        .find_map(|k| value.get(*k)?.as_u64())
        .unwrap_or_else(|| panic!("none of {keys:?} in {value}"))
}

#[test]
fn rfc9162_inclusion_vectors() {
    let (_, tree) = reference_tree();
    let mut happy = 0;
    for (name, case) in vector_files("inclusion") {
        let index = number(&case, &["leafIdx", "leafIndex"]);
        let size = number(&case, &["treeSize"]);
        let want_err = case["wantErr"].as_bool().unwrap();
        let outcome = match (
            hash_of(&case["leafHash"]),
            hash_of(&case["root"]),
            proof_of(&case["proof"]),
        ) {
            (Some(leaf), Some(root), Some(proof)) => {
                verify_inclusion(&leaf, index, size, &proof, &root).map(|()| proof)
            }
            _ => Err(civitas_ledger::Error::InvalidHash("not 32 bytes".into())),
        };
        match outcome {
            Ok(proof) => {
                assert!(
                    !want_err,
                    "{name}: verified, but the vector expects an error"
                );
                // Our generator must produce the very same proof.
                assert_eq!(tree.inclusion_proof(index, size).unwrap(), proof, "{name}");
                happy += 1;
            }
            Err(e) => assert!(want_err, "{name}: {e}"),
        }
    }
    assert!(happy >= 5);
}

#[test]
fn rfc9162_consistency_vectors() {
    let (_, tree) = reference_tree();
    let mut happy = 0;
    for (name, case) in vector_files("consistency") {
        let first = number(&case, &["size1"]);
        let second = number(&case, &["size2"]);
        let want_err = case["wantErr"].as_bool().unwrap();
        let outcome = match (
            hash_of(&case["root1"]),
            hash_of(&case["root2"]),
            proof_of(&case["proof"]),
        ) {
            (Some(r1), Some(r2), Some(proof)) => {
                verify_consistency(first, second, &proof, &r1, &r2).map(|()| proof)
            }
            _ => Err(civitas_ledger::Error::InvalidHash("not 32 bytes".into())),
        };
        match outcome {
            Ok(proof) => {
                assert!(
                    !want_err,
                    "{name}: verified, but the vector expects an error"
                );
                assert_eq!(
                    tree.consistency_proof(first, second).unwrap(),
                    proof,
                    "{name}"
                );
                happy += 1;
            }
            Err(e) => assert!(want_err, "{name}: {e}"),
        }
    }
    assert!(happy >= 5);
}
