//! Interop through the node: a DID created by `civitas did create` and served by
//! `civitas ledger serve` resolves to the same DID document with the DIF Python
//! did:webvh implementation (fetching did.jsonl from the node over HTTP, then resolving
//! it as its local history — its own network resolver speaks only https); and a DID
//! made by that implementation is imported into our ledger and resolved by ours.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const HOST: &str = "ledger.civitas.test";

fn python() -> PathBuf {
    let venv = std::env::var_os("CIVITAS_PEERS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/civitas-peers/venv")
        });
    let py = venv.join("bin/python");
    assert!(
        py.exists(),
        "the did:webvh peer is missing: run `bash tests/peers/setup.sh`"
    );
    py
}

fn peer(args: &[&str]) -> Value {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../civitas-did/tests/peers/webvh_peer.py");
    let o = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "peer {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

mod support;
use support::{Served, did_create, ok as civitas};

fn http_get(url: &str) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::get(url)
        .unwrap()
        .error_for_status()
        .unwrap()
        .text()
        .unwrap()
}

/// The document without the implicit services resolvers add (#files, #whois), whose
/// presence is a resolver option.
fn core_document(mut doc: Value) -> Value {
    if let Some(services) = doc.get_mut("service").and_then(Value::as_array_mut) {
        services.retain(|s| {
            let id = s.get("id").and_then(Value::as_str).unwrap_or_default();
            !(id.ends_with("#files") || id.ends_with("#whois"))
        });
        if services.is_empty() {
            doc.as_object_mut().unwrap().remove("service");
        }
    }
    doc
}

#[test]
fn our_did_served_by_our_node_resolves_in_the_python_implementation() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("ledger.db").to_str().unwrap().to_string();
    let node = Served::start(&["ledger", "serve", "--db", &db, "--host", HOST]);
    let url = node.url.clone();
    let keys = tmp.path().join("alice");
    let did = did_create("people:alice", keys.to_str().unwrap(), &url, None);
    // did:webvh versions need increasing times, at one-second resolution.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    civitas(&[
        "did",
        "rotate",
        "--keys",
        keys.to_str().unwrap(),
        "--ledger",
        &url,
    ]);
    // The standard path: https://{host}/people/alice/did.jsonl, served here over http.
    let jsonl = http_get(&format!("{url}/people/alice/did.jsonl"));
    assert_eq!(jsonl.lines().count(), 2);
    assert_eq!(
        http_get(&format!("{url}/people/alice/did-witness.json")).trim(),
        "[]"
    );
    let log = tmp.path().join("did.jsonl");
    std::fs::write(&log, &jsonl).unwrap();
    let theirs = peer(&["resolve", &did, log.to_str().unwrap()]);
    assert!(
        theirs["didResolutionMetadata"].get("error").is_none(),
        "{theirs}"
    );
    let ours: Value = serde_json::from_str(&civitas(&[
        "did", "resolve", &did, "--ledger", &url, "--json",
    ]))
    .unwrap();
    assert_eq!(
        core_document(theirs["didDocument"].clone()),
        core_document(ours["didDocument"].clone())
    );
    assert_eq!(
        theirs["didDocumentMetadata"]["versionId"],
        ours["didDocumentMetadata"]["versionId"]
    );
}

#[test]
fn a_did_made_by_the_python_implementation_is_appended_and_resolved_by_ours() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("ledger.db").to_str().unwrap().to_string();
    let node = Served::start(&["ledger", "serve", "--db", &db, "--host", HOST]);
    let url = node.url.clone();
    let made = peer(&[
        "provision",
        &format!("{HOST}/people/bob"),
        tmp.path().join("bob").to_str().unwrap(),
    ]);
    let did = made["did"].as_str().unwrap().to_string();
    let log = made["log"].as_str().unwrap().to_string();
    let out = civitas(&["did", "import", &log, "--ledger", &url]);
    assert_eq!(out.trim().lines().last().unwrap(), did);
    let ours: Value = serde_json::from_str(&civitas(&[
        "did", "resolve", &did, "--ledger", &url, "--json",
    ]))
    .unwrap();
    let theirs = peer(&["resolve", &did, &log]);
    assert_eq!(
        core_document(theirs["didDocument"].clone()),
        core_document(ours["didDocument"].clone())
    );
    assert_eq!(
        theirs["didDocumentMetadata"]["versionId"],
        ours["didDocumentMetadata"]["versionId"]
    );
    // Importing it twice is a replay.
    let o = support::civitas_command()
        .args(["did", "import", &log, "--ledger", &url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("replay"));
}
