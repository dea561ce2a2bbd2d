use super::did::check_host_path;
use super::hash::{entry_hash, multihash_b58, parse_time};
use super::*;
use civitas_crypto::{Algorithm, SeededRng, SigningKey};

/// did:webvh 1.0 §"Generate Entry Hash": the example preliminary entry and the
/// entryHash the specification gives for it.
#[test]
fn spec_entry_hash_example() {
    let entry: serde_json::Value = serde_json::from_str(
        r#"{"versionId": "QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE", "versionTime": "2025-04-01T17:39:50Z", "parameters": {"witness": {"threshold": 2, "witnesses": [{"id": "did:key:z6Mkkc51mg2vpQzKWAbWQZupeGYhowaBjYkmvcKMTqteqHB4", "weight": 1}, {"id": "did:key:z6MkuDdJdKLCgwZuQuEi9xG6LVgJJ9Tebr74CXPYPSumqgJs", "weight": 1}, {"id": "did:key:z6MkoSWmQyp4fTk4ZQy4KUsss9dFX51XfEUzKKKj1J1JUsrF", "weight": 1}]}, "updateKeys": ["z6MkgzBDcBFV3sk4ypPE5YXMZHmS213A3HpYY2LmcVKV15jr"], "nextKeyHashes": ["QmZreDcjvWEpyRFznQeExWNCsvMLk5i59AcRJJuQC8UodJ"], "method": "did:webvh:0.5", "scid": "QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE"}, "state": {"@context": ["https://www.w3.org/ns/did/v1"], "id": "did:webvh:QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE:domain.example"}}"#,
    )
    .unwrap();
    let scid = "QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE";
    assert_eq!(
        entry_hash(&entry, scid).unwrap(),
        "QmQ6FJ4fk2xheSSQoEjVpTgx9AQPKhJgtR9hn1nr4EeCrZ"
    );
}

#[test]
fn next_key_hash_is_the_multihash_of_the_multikey() {
    let key = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(1)).unwrap();
    let hash = next_key_hash(key.public());
    assert_eq!(hash, multihash_b58(key.public().multikey().as_bytes()));
    assert!(hash.starts_with("Qm") && hash.len() == 46, "{hash}");
}

#[test]
fn host_paths_follow_the_abnf() {
    for good in [
        "ledger.civitas.example",
        "ledger.civitas.example:people:alice",
        "ledger.civitas.example%3A8443:people:alice",
        "localhost%3A8080:dids:x",
        "xn--jp-cd2fp15c.xn--fsq.jp:%E7%94%A8%E6%88%B7",
    ] {
        check_host_path(good).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    for bad in [
        "",
        "example",
        "10.0.0.1",
        "example.com:",
        "example.com::x",
        "example.com%3A0",
        "example.com%3A99999",
        "example.com%3Ax",
        "-bad.example",
        "example.com/path",
        "exa mple.com",
        "example.123",
    ] {
        assert!(check_host_path(bad).is_err(), "{bad}");
    }
}

#[test]
fn did_parts_and_log_urls() {
    let did = Did::parse(
        "did:webvh:QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE:ledger.example%3A8443:people:alice",
    )
    .unwrap();
    assert_eq!(did.scid(), "QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE");
    assert_eq!(did.host(), "ledger.example");
    assert_eq!(did.port(), Some(8443));
    assert_eq!(did.path(), ["people", "alice"]);
    assert_eq!(
        did.log_url().unwrap(),
        "https://ledger.example:8443/people/alice/did.jsonl"
    );
    assert_eq!(
        did.witness_url().unwrap(),
        "https://ledger.example:8443/people/alice/did-witness.json"
    );
    let root =
        Did::parse("did:webvh:QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE:example.com").unwrap();
    assert_eq!(
        root.log_url().unwrap(),
        "https://example.com/.well-known/did.jsonl"
    );
    for bad in [
        "did:web:example.com",
        "did:webvh:example.com",
        "did:webvh:notascid:example.com",
        "did:webvh:QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE:1.2.3.4",
    ] {
        assert!(Did::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn version_times_are_utc_iso8601() {
    assert!(parse_time("2025-01-02T03:04:05Z").is_some());
    assert!(parse_time("2025-01-02T03:04:05.5Z").is_some());
    for bad in [
        "2025-01-02T03:04:05+01:00",
        "2025-01-02",
        "yesterday",
        "2025-01-02 03:04:05Z",
    ] {
        assert!(parse_time(bad).is_none(), "{bad}");
    }
}

#[test]
fn states_and_resolvers_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<LogState>();
    send_sync::<LogEntry>();
    send_sync::<LogError>();
    send_sync::<WebvhResolver<MemoryLogSource>>();
}

#[test]
fn doc_keys_from_tuples() {
    let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(3)).unwrap();
    let purposes = [crate::Purpose::Authentication];
    let from_tuple = DocKey::from(("k", key.public().clone(), &purposes[..]));
    assert_eq!(
        from_tuple,
        DocKey::new("k", key.public().clone(), &purposes)
    );
}

#[test]
fn doc_key_fragments_are_checked() {
    let rng = SeededRng::new(4);
    let update = SigningKey::generate(Algorithm::EdDsa, &rng).unwrap();
    let key = SigningKey::generate(Algorithm::Es256, &rng).unwrap();
    for fragments in [vec![""], vec!["a b"], vec!["x#y"], vec!["k", "k"]] {
        let keys: Vec<DocKey> = fragments
            .iter()
            .map(|f| DocKey::new(*f, key.public().clone(), &[crate::Purpose::Authentication]))
            .collect();
        assert!(
            matches!(
                create("ledger.example", &keys, &update, vec![], 1_750_000_000),
                Err(LogError::BadDocument { version: 1, .. })
            ),
            "{fragments:?}"
        );
    }
}

#[test]
fn update_keys_must_be_ed25519() {
    let rng = SeededRng::new(2);
    let p256 = SigningKey::generate(Algorithm::Es256, &rng).unwrap();
    assert!(matches!(
        create("ledger.example", &[], &p256, vec![], 1_750_000_000),
        Err(LogError::UnsupportedKey("ES256"))
    ));
}
