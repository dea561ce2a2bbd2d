//! Independent-implementation check against aics-tlog, a pure-Python implementation of
//! C2SP signed-note, tlog-checkpoint and the RFC 9162 §2.1 proofs (Apache-2.0, on the
//! Python package index; it declares Python 3.12 or later, and runs unchanged on Debian
//! 12's Python 3.11, which is where this test runs it).
//!
//! Both ways: aics-tlog verifies a checkpoint note, the verifier key string and the
//! inclusion and consistency proofs made here, and recomputes roots and proofs itself;
//! then it signs a checkpoint that this crate verifies.
//!
//! The peer is installed by `bash tests/peers/setup.sh` in the peers' venv
//! (`$CIVITAS_PEERS_VENV`, default `~/.cache/civitas-peers/venv`, pinned at 0.2.1;
//! `CIVITAS_PEER_PYTHON` overrides the interpreter).
//! Without it the test fails with a message saying so.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail loudly too"
)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_ledger::{Checkpoint, MemoryTree, NoteSigner, NoteVerifier, SignedNote};
use serde_json::{Value, json};
use std::process::Command;

const INSTALL: &str = "run `bash tests/peers/setup.sh` (aics-tlog==0.2.1 in the peers' venv)";

/// The peer's side: reads the JSON case from argv[1], prints a JSON report.
const PEER: &str = r#"
import base64, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
import aics_tlog as t

case = json.load(open(sys.argv[1]))
b64 = base64.b64decode
entries = [b64(e) for e in case["entries"]]
tree = t.MerkleTree(entries)
report = {"version": t.__version__}

vkey = t.parse_vkey(case["vkey"])
report["vkey_round_trips"] = t.format_vkey(vkey) == case["vkey"]
note = t.parse_note(case["note"])
report["note_round_trips"] = note.serialise() == case["note"]
report["note_verifies"] = t.verify_note(note, [vkey])
cp = t.parse_checkpoint(note.text)
report["checkpoint"] = {"origin": cp.origin, "size": cp.size,
                        "root": base64.b64encode(cp.root).decode(),
                        "extensions": list(cp.extension_lines)}
report["checkpoint_verifies"] = t.verify_checkpoint(note, vkey).ok
tampered = t.parse_note(case["note"].replace("\n%d\n" % cp.size, "\n%d\n" % (cp.size + 1), 1))
report["tampered_refused"] = not t.verify_note(tampered, [vkey])

report["roots_match"] = all(tree.root(s) == b64(r) for s, r in case["roots"].items() for s in [int(s)])
report["inclusion"] = all(
    t.verify_leaf_inclusion(entries[p["index"]], p["index"], p["size"],
                            [b64(h) for h in p["proof"]], b64(case["roots"][str(p["size"])]))
    and tree.inclusion_proof(p["index"], p["size"]) == [b64(h) for h in p["proof"]]
    for p in case["inclusion"])
report["consistency"] = all(
    t.verify_consistency(p["first"], p["second"], b64(case["roots"][str(p["first"])]),
                         b64(case["roots"][str(p["second"])]), [b64(h) for h in p["proof"]])
    and tree.consistency_proof(p["first"], p["second"]) == [b64(h) for h in p["proof"]]
    for p in case["consistency"])

key = Ed25519PrivateKey.from_private_bytes(bytes([0x42] * 32))
name = case["peer_origin"]
peer_cp = t.Checkpoint(name, tree.size, tree.root(), ("peer extension",))
report["peer_note"] = t.sign_checkpoint(peer_cp, key, name).serialise()
report["peer_vkey"] = t.format_vkey(t.vkey_from_ed25519(name, key.public_key()))
print(json.dumps(report))
"#;

fn python() -> String {
    std::env::var("CIVITAS_PEER_PYTHON").unwrap_or_else(|_| {
        // tests/peers/setup.sh installs it in the peers' venv with the other peers.
        let venv = std::env::var("CIVITAS_PEERS_VENV").unwrap_or_else(|_| {
            let home = std::env::var("HOME").unwrap_or_default();
            format!("{home}/.cache/civitas-peers/venv")
        });
        format!("{venv}/bin/python")
    })
}

fn require_peer(python: &str) {
    let probe = Command::new(python)
        .args(["-c", "import aics_tlog, sys; print(aics_tlog.__version__)"])
        .output();
    match probe {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "the independent peer aics-tlog is not installed for {python} ({}); install it: {INSTALL}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!("cannot run {python} ({e}); install the peer: {INSTALL}"),
    }
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

#[test]
fn aics_tlog_verifies_our_checkpoints_and_proofs_and_we_verify_its() {
    let python = python();
    require_peer(&python);

    // Our side: a log of 37 entries, a signed checkpoint with an extension line, and
    // proofs between several sizes.
    let entries: Vec<Vec<u8>> = (0..37)
        .map(|i| format!("entry {i}\n").into_bytes())
        .collect();
    let tree = MemoryTree::from_entries(&entries).unwrap();
    let key = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(2024)).unwrap();
    let signer = NoteSigner::new("ledger.civitas.example/log", key).unwrap();
    let mut checkpoint = Checkpoint::new(
        "ledger.civitas.example/log",
        tree.size(),
        tree.root().unwrap(),
    )
    .unwrap();
    checkpoint.extensions.push("civitas test extension".into());
    let note = signer.sign_checkpoint(&checkpoint).unwrap();

    let sizes = [1u64, 2, 5, 8, 13, 16, 20, 31, 32, 37];
    let roots: serde_json::Map<String, Value> = (0..=37u64)
        .map(|s| (s.to_string(), json!(b64(tree.root_at(s).unwrap()))))
        .collect();
    let mut inclusion = Vec::new();
    let mut consistency = Vec::new();
    for &size in &sizes {
        for index in [0, size / 2, size - 1] {
            let proof: Vec<String> = tree
                .inclusion_proof(index, size)
                .unwrap()
                .iter()
                .map(b64)
                .collect();
            inclusion.push(json!({"index": index, "size": size, "proof": proof}));
        }
        for &first in sizes.iter().filter(|&&s| s <= size) {
            let proof: Vec<String> = tree
                .consistency_proof(first, size)
                .unwrap()
                .iter()
                .map(b64)
                .collect();
            consistency.push(json!({"first": first, "second": size, "proof": proof}));
        }
    }
    let case = json!({
        "vkey": signer.verifier().unwrap().to_vkey(),
        "note": note,
        "entries": entries.iter().map(b64).collect::<Vec<_>>(),
        "roots": roots,
        "inclusion": inclusion,
        "consistency": consistency,
        "peer_origin": "peer.example/aics",
    });
    let dir = tempfile::tempdir().unwrap();
    let case_path = dir.path().join("case.json");
    let script_path = dir.path().join("peer.py");
    std::fs::write(&case_path, case.to_string()).unwrap();
    std::fs::write(&script_path, PEER).unwrap();

    let out = Command::new(&python)
        .arg(&script_path)
        .arg(&case_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for check in [
        "vkey_round_trips",
        "note_round_trips",
        "note_verifies",
        "checkpoint_verifies",
        "tampered_refused",
        "roots_match",
        "inclusion",
        "consistency",
    ] {
        assert_eq!(
            report[check],
            json!(true),
            "aics-tlog: {check} failed: {report}"
        );
    }
    assert_eq!(
        report["checkpoint"],
        json!({
            "origin": "ledger.civitas.example/log",
            "size": 37,
            "root": b64(tree.root().unwrap()),
            "extensions": ["civitas test extension"],
        })
    );

    // The other way: a checkpoint aics-tlog signed, verified here.
    let peer_key = NoteVerifier::parse(report["peer_vkey"].as_str().unwrap()).unwrap();
    let peer_note = report["peer_note"].as_str().unwrap();
    let peer_checkpoint = Checkpoint::open(peer_note, &peer_key).unwrap();
    assert_eq!(peer_checkpoint.origin, "peer.example/aics");
    assert_eq!(peer_checkpoint.size, 37);
    assert_eq!(peer_checkpoint.root, tree.root().unwrap());
    assert_eq!(peer_checkpoint.extensions, ["peer extension"]);
    assert_eq!(SignedNote::parse(peer_note).unwrap().to_string(), peer_note);
    // And our own key is unknown to that note.
    assert!(Checkpoint::open(peer_note, &signer.verifier().unwrap()).is_err());
}
