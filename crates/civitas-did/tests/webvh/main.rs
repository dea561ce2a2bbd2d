//! did:webvh 1.0: the life of a Civitas DID (`story.rs`), every refusal of the ledger's
//! checks (`refusals.rs`), and the specification's test vectors (`vectors.rs`). The
//! helpers they share are here.

// Helpers outside #[test] functions may unwrap and panic too: this is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_crypto::{Algorithm, PublicKey, SeededRng, Signer, SigningKey};
use civitas_did::webvh::{
    self, DidLogSource, DocKey, LogError, LogState, MAX_ENTRY_BYTES, MemoryLogSource, WebvhResolver,
};
use civitas_did::{Error, MethodResolver, Purpose, ResolveOptions, Resolver};
use serde_json::{Value, json};
use std::path::PathBuf;

const T0: i64 = 1_750_000_000; // 2025-06-15T15:06:40Z
const HOST: &str = "ledger.civitas.example:people:alice";
const VECTOR_NOW: i64 = 1_777_000_000; // 2026-04-24, after every vector entry

fn key(alg: Algorithm, seed: u64) -> SigningKey {
    SigningKey::generate(alg, &SeededRng::new(seed)).unwrap()
}

fn both() -> [Purpose; 2] {
    [Purpose::Authentication, Purpose::AssertionMethod]
}

fn testdata(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/webvh")
        .join(path)
}

// ---------------------------------------------------------------------------------
// An independent eddsa-jcs-2022 signer, to forge entries the writers refuse to make.
// It shares no code with the crate's signing path (which is affinidi-data-integrity).
// ---------------------------------------------------------------------------------

fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

fn jcs(v: &Value) -> String {
    serde_json_canonicalizer::to_string(v).unwrap()
}

fn multihash(data: &[u8]) -> String {
    let mut bytes = vec![0x12, 0x20];
    bytes.extend(sha256(data));
    bs58::encode(bytes).into_string()
}

/// Finishes `entry` (any content) as version `number` chained to `predecessor` and
/// signs it with `signer`: what a forger holding `signer` can publish.
fn seal(mut entry: Value, predecessor: &str, number: u64, signer: &SigningKey) -> String {
    let obj = entry.as_object_mut().unwrap();
    obj.remove("proof");
    obj.insert("versionId".into(), json!(predecessor));
    let hash = multihash(jcs(&entry).as_bytes());
    entry["versionId"] = json!(format!("{number}-{hash}"));
    sign(entry, signer)
}

/// Replaces the proof of `entry` by one from `signer` (the entry is not re-hashed).
fn sign(mut entry: Value, signer: &SigningKey) -> String {
    entry.as_object_mut().unwrap().remove("proof");
    let mk = signer.public().multikey();
    let mut proof = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": format!("did:key:{mk}#{mk}"),
        "created": entry["versionTime"],
        "proofPurpose": "assertionMethod",
    });
    let mut input = sha256(jcs(&proof).as_bytes());
    input.extend(sha256(jcs(&entry).as_bytes()));
    let sig = signer.sign(&input).unwrap();
    proof["proofValue"] = json!(format!("z{}", bs58::encode(sig).into_string()));
    entry["proof"] = json!([proof]);
    serde_json::to_string(&entry).unwrap()
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap()
}

fn time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The next entry after `state`, unsigned: `{}` parameters, the current document.
fn draft(state: &LogState, at: i64) -> Value {
    json!({
        "versionId": state.version_id(),
        "versionTime": time(at),
        "parameters": {},
        "state": state.document(),
    })
}

// ---------------------------------------------------------------------------------
// The story
// ---------------------------------------------------------------------------------

/// Keys of the story: three update keys in pre-rotation order, a thief's key, and
/// the holder's device keys.
struct Keys {
    k1: SigningKey,
    k2: SigningKey,
    k3: SigningKey,
    thief: SigningKey,
    device1: SigningKey,
    device2: SigningKey,
    signing: SigningKey,
}

fn keys() -> Keys {
    Keys {
        k1: key(Algorithm::EdDsa, 101),
        k2: key(Algorithm::EdDsa, 102),
        k3: key(Algorithm::EdDsa, 103),
        thief: key(Algorithm::EdDsa, 666),
        device1: key(Algorithm::Es256, 201),
        device2: key(Algorithm::Es256, 202),
        signing: key(Algorithm::EdDsa, 203),
    }
}

/// Version 1: created with update key k1, committing to k2.
fn genesis(k: &Keys) -> (webvh::Did, LogState) {
    let doc = [
        DocKey::new("device", k.device1.public().clone(), &both()),
        DocKey::new(
            "sign",
            k.signing.public().clone(),
            &[Purpose::AssertionMethod],
        )
        .as_jwk(),
    ];
    let (did, entry) = webvh::create(
        HOST,
        &doc,
        &k.k1,
        vec![webvh::next_key_hash(k.k2.public())],
        T0,
    )
    .unwrap();
    let state = LogState::genesis(entry.as_str(), T0).unwrap();
    (did, state)
}

/// A log without pre-rotation (update key k1), and its second entry.
fn plain_log() -> (Keys, LogState, String) {
    let k = keys();
    let doc = [DocKey::new("device", k.device1.public().clone(), &both())];
    let (_, entry) = webvh::create(HOST, &doc, &k.k1, vec![], T0).unwrap();
    let state = LogState::genesis(entry.as_str(), T0).unwrap();
    let doc2 = [DocKey::new("device2", k.device2.public().clone(), &both())];
    let second = webvh::update(&state, &doc2, &k.k1, T0 + 10).unwrap();
    (k, state, second.into_string())
}

mod refusals;
mod story;
mod vectors;
