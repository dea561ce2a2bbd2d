//! did:webvh interop with the DIF Python implementation (PyPI `did-webvh` 1.0.1):
//! (a) it resolves and verifies logs Civitas writes; (b) Civitas verifies and
//! resolves a log it writes (created with pre-rotation, then rotated).
//!
//! The peer runs from a virtualenv, `$CIVITAS_PEERS_VENV` or
//! `~/.cache/civitas-peers/venv`; without it these tests fail and say how to install
//! it (`bash tests/peers/setup.sh`).

// Helpers outside #[test] functions may unwrap and panic too: this is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_did::webvh::{self, DocKey, LogState};
use civitas_did::{Purpose, ResolveOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const T0: i64 = 1_750_000_000;
const HOST: &str = "ledger.civitas.example:people:alice";

fn venv() -> PathBuf {
    match std::env::var_os("CIVITAS_PEERS_VENV") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/civitas-peers/venv"),
    }
}

/// tests/peers/ at the top of the workspace: the one Python peer set.
fn shared_peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers")
}

fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// The peer's Python, after checking that did-webvh 1.0.1 is installed in it.
fn python() -> PathBuf {
    let venv = venv();
    let python = venv.join("bin/python");
    let install = format!(
        "the did:webvh interop peer (PyPI did-webvh 1.0.1) is missing. Install it with:\n  bash {setup}\nor by hand:\n  python3 -m venv {v}\n  {v}/bin/pip install -r {r}\n(CIVITAS_PEERS_VENV chooses another virtualenv)",
        setup = shared_peers().join("setup.sh").display(),
        v = venv.display(),
        r = shared_peers().join("requirements.txt").display()
    );
    let version = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m, did_webvh; print(m.version('did-webvh'))",
        ])
        .output();
    match version {
        Ok(out) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
            assert_eq!(
                version, "1.0.1",
                "did-webvh {version} found, 1.0.1 expected.\n{install}"
            );
            python
        }
        Ok(out) => panic!(
            "{install}\n\npython said: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("{install}\n\ncannot run {}: {e}", python.display()),
    }
}

fn peer(args: &[&str]) -> Value {
    let script = peers_dir().join("webvh_peer.py");
    let out = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .expect("run the Python peer");
    assert!(
        out.status.success(),
        "peer {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "peer output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// A document without the implicit services (each side adds its own form of them:
/// absolute or relative ids, with or without a trailing slash).
fn without_implicit_services(doc: &Value, did: &str) -> Value {
    let mut doc = doc.clone();
    if let Some(services) = doc.get_mut("service").and_then(Value::as_array_mut) {
        services.retain(|s| {
            let id = s["id"].as_str().unwrap_or_default();
            let id = id.strip_prefix(did).unwrap_or(id);
            id != "#files" && id != "#whois"
        });
        if services.is_empty() {
            doc.as_object_mut().unwrap().remove("service");
        }
    }
    doc
}

fn implicit_service_ids(doc: &Value, did: &str) -> Vec<String> {
    let mut ids: Vec<String> = doc["service"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["id"].as_str())
                .map(|id| id.strip_prefix(did).unwrap_or(id).to_string())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

fn write_log(dir: &Path, state: &LogState) -> PathBuf {
    let path = dir.join("did.jsonl");
    std::fs::write(&path, state.to_jsonl()).unwrap();
    path
}

fn assert_same_resolution(theirs: &Value, state: &LogState, options: &ResolveOptions) {
    let ours = state.resolve(options).unwrap();
    let did = state.did();
    assert!(
        theirs["didResolutionMetadata"].get("error").is_none(),
        "the peer refused the log: {theirs:#}"
    );
    assert_eq!(
        without_implicit_services(&theirs["didDocument"], did),
        without_implicit_services(&ours.document.json, did),
        "documents differ"
    );
    assert_eq!(
        implicit_service_ids(&theirs["didDocument"], did),
        implicit_service_ids(&ours.document.json, did)
    );
    let meta = &theirs["didDocumentMetadata"];
    assert_eq!(
        meta["versionId"].as_str(),
        ours.metadata.version_id.as_deref()
    );
    assert_eq!(
        meta["deactivated"].as_bool(),
        Some(ours.metadata.deactivated)
    );
    assert_eq!(meta["scid"].as_str(), Some(state.scid()));
}

/// (a) The Python resolver verifies and resolves a log Civitas wrote: created with
/// pre-rotation, rotated, updated, deactivated; resolved at each version.
#[test]
fn python_resolves_logs_civitas_writes() {
    let rng = SeededRng::new(42);
    let k1 = SigningKey::generate(Algorithm::EdDsa, &rng).unwrap();
    let k2 = SigningKey::generate(Algorithm::EdDsa, &rng).unwrap();
    let device = SigningKey::generate(Algorithm::Es256, &rng).unwrap();
    let signing = SigningKey::generate(Algorithm::EdDsa, &rng).unwrap();
    let doc = [
        DocKey::new(
            "device",
            device.public().clone(),
            &[Purpose::Authentication, Purpose::AssertionMethod],
        ),
        DocKey::new(
            "sign",
            signing.public().clone(),
            &[Purpose::AssertionMethod],
        )
        .as_jwk(),
    ];
    let (did, genesis) =
        webvh::create(HOST, &doc, &k1, vec![webvh::next_key_hash(k2.public())], T0).unwrap();
    let mut state = LogState::genesis(genesis.as_str(), T0).unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Version 1 alone.
    let log = write_log(dir.path(), &state);
    let theirs = peer(&["resolve", did.as_str(), log.to_str().unwrap()]);
    assert_same_resolution(&theirs, &state, &ResolveOptions::default());

    // Rotated to the committed key (pre-rotation off), then an update, then deactivated.
    let rotation =
        webvh::rotate(&state, &[k2.public().clone()], vec![], None, &k2, T0 + 60).unwrap();
    state.append(rotation.as_str(), T0 + 60).unwrap();
    let update = webvh::update(&state, &doc[..1], &k2, T0 + 120).unwrap();
    state.append(update.as_str(), T0 + 120).unwrap();
    let log = write_log(dir.path(), &state);
    let theirs = peer(&["resolve", did.as_str(), log.to_str().unwrap()]);
    assert_same_resolution(&theirs, &state, &ResolveOptions::default());
    for version in state.versions() {
        let theirs = peer(&[
            "resolve",
            did.as_str(),
            log.to_str().unwrap(),
            version.version_id(),
        ]);
        let options = ResolveOptions {
            version_id: Some(version.version_id().to_string()),
            version_time: None,
        };
        assert_same_resolution(&theirs, &state, &options);
    }

    let deactivation = webvh::deactivate(&state, &k2, T0 + 180).unwrap();
    state.append(deactivation.as_str(), T0 + 180).unwrap();
    let log = write_log(dir.path(), &state);
    let theirs = peer(&["resolve", did.as_str(), log.to_str().unwrap()]);
    assert_eq!(
        theirs["didDocumentMetadata"]["deactivated"],
        Value::Bool(true)
    );
    assert_same_resolution(&theirs, &state, &ResolveOptions::default());

    // And it refuses what Civitas refuses: a log whose last entry was altered.
    let tampered = state
        .to_jsonl()
        .replace("\"deactivated\":true", "\"deactivated\":false");
    std::fs::write(&log, tampered).unwrap();
    let theirs = peer(&["resolve", did.as_str(), log.to_str().unwrap()]);
    assert!(
        theirs["didResolutionMetadata"].get("error").is_some(),
        "{theirs:#}"
    );
}

/// (b) Civitas verifies and resolves a log the Python implementation wrote:
/// `auto_provision_did(…, prerotation=True)`, then a rotation to the committed key.
#[test]
fn civitas_validates_logs_python_writes() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("alice");
    // did-webvh takes the host and path in URL form (`host[:port]/path`); the
    // DID form `ledger.civitas.example:people:alice` reads as a bad port there.
    let out = peer(&[
        "provision",
        "ledger.civitas.example/people/alice",
        target.to_str().unwrap(),
    ]);
    let did = out["did"].as_str().unwrap().to_string();
    assert!(
        did.ends_with(":ledger.civitas.example:people:alice"),
        "{did}"
    );
    let text = std::fs::read_to_string(out["log"].as_str().unwrap()).unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();

    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    let state = webvh::validate_log(&lines, now).unwrap();
    assert_eq!(state.did(), did);
    assert_eq!(state.version_number(), 2);
    assert!(state.pre_rotation_active());
    assert_eq!(webvh::Did::parse(&did).unwrap().scid(), state.scid());
    // Incrementally, as the ledger would receive it.
    let mut incremental = LogState::genesis(lines[0], now).unwrap();
    incremental.append(lines[1], now).unwrap();
    assert_eq!(incremental.version_id(), state.version_id());

    // Both sides resolve it to the same document and metadata, at each version.
    let log = out["log"].as_str().unwrap();
    assert_same_resolution(
        &peer(&["resolve", &did, log]),
        &state,
        &ResolveOptions::default(),
    );
    let first = state.versions()[0].version_id().to_string();
    assert_same_resolution(
        &peer(&["resolve", &did, log, &first]),
        &state,
        &ResolveOptions {
            version_id: Some(first.clone()),
            version_time: None,
        },
    );

    // Civitas refuses a re-signed Python entry by a key that was not committed.
    let mut second: Value = serde_json::from_str(lines[1]).unwrap();
    let thief = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(9)).unwrap();
    second["parameters"]["updateKeys"] = serde_json::json!([thief.public().multikey()]);
    let err = LogState::genesis(lines[0], now)
        .unwrap()
        .append(&second.to_string(), now)
        .unwrap_err();
    assert!(
        matches!(
            err,
            webvh::LogError::BrokenChain { .. } | webvh::LogError::KeyNotPreRotated { .. }
        ),
        "{err}"
    );
}
