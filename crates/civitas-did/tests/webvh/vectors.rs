//! Test vectors (see testdata/webvh/README.md).

use super::*;

fn run_vector(scenario: &str) -> (LogState, Value) {
    let dir = testdata(&format!("test_suite/{scenario}"));
    let jsonl = std::fs::read_to_string(dir.join("did.jsonl")).unwrap();
    let state =
        webvh::validate_jsonl(&jsonl, VECTOR_NOW).unwrap_or_else(|e| panic!("{scenario}: {e}"));
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("resolutionResult.json")).unwrap())
            .unwrap();
    (state, expected)
}

fn check_resolution(scenario: &str, state: &LogState, expected: &Value, options: &ResolveOptions) {
    let resolution = state
        .resolve(options)
        .unwrap_or_else(|e| panic!("{scenario}: {e}"));
    let meta = &expected["didDocumentMetadata"];
    assert_eq!(
        resolution.metadata.version_id.as_deref(),
        meta["versionId"].as_str(),
        "{scenario}: versionId"
    );
    let doc = &expected["didDocument"];
    assert_eq!(
        resolution.document.id,
        doc["id"].as_str().unwrap(),
        "{scenario}: id"
    );
    for member in ["verificationMethod", "authentication", "assertionMethod"] {
        assert_eq!(
            resolution.document.json.get(member),
            doc.get(member),
            "{scenario}: {member}"
        );
    }
    if let Some(deactivated) = meta.get("deactivated").and_then(Value::as_bool) {
        assert_eq!(
            resolution.metadata.deactivated, deactivated,
            "{scenario}: deactivated"
        );
    }
}

#[test]
fn didwebvh_test_suite_vectors() {
    for scenario in [
        "basic-create",
        "basic-update",
        "deactivate",
        "key-rotation",
        "multi-update",
        "multiple-update-keys",
        "portable",
        "portable-move",
        "pre-rotation",
        "pre-rotation-consume",
        "services",
        "witness-threshold",
    ] {
        let (state, expected) = run_vector(scenario);
        check_resolution(scenario, &state, &expected, &ResolveOptions::default());
        let witness =
            std::fs::read_to_string(testdata(&format!("test_suite/{scenario}/did-witness.json")))
                .ok();
        state
            .verify_witnesses(witness.as_deref())
            .unwrap_or_else(|e| panic!("{scenario}: {e}"));
    }
    assert!(run_vector("deactivate").0.deactivated());
    assert!(run_vector("witness-threshold").0.requires_witnesses());
}

#[test]
fn didwebvh_test_suite_multi_update_by_version() {
    let (state, _) = run_vector("multi-update");
    for n in [1, 2] {
        let path = testdata(&format!(
            "test_suite/multi-update/resolutionResult.{n}.json"
        ));
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let id = expected["didDocumentMetadata"]["versionId"]
            .as_str()
            .unwrap()
            .to_string();
        let options = ResolveOptions {
            version_id: Some(id),
            version_time: None,
        };
        check_resolution("multi-update", &state, &expected, &options);
    }
}

#[test]
fn didwebvh_test_suite_witness_update_is_not_approved_by_the_witnesses_then_active() {
    let (state, _) = run_vector("witness-update");
    let witness =
        std::fs::read_to_string(testdata("test_suite/witness-update/did-witness.json")).unwrap();
    let err = state.verify_witnesses(Some(&witness)).unwrap_err();
    assert!(matches!(err, LogError::Witness(_)), "{err}");
    assert!(matches!(
        state.verify_witnesses(None),
        Err(LogError::Witness(_))
    ));
}

#[test]
fn witness_proofs_must_be_complete() {
    let (state, _) = run_vector("witness-threshold");
    let witness =
        std::fs::read_to_string(testdata("test_suite/witness-threshold/did-witness.json")).unwrap();
    state.verify_witnesses(Some(&witness)).unwrap();
    // One proof fewer: below the threshold of two.
    let mut records: Value = serde_json::from_str(&witness).unwrap();
    records[0]["proof"].as_array_mut().unwrap().pop();
    assert!(matches!(
        state.verify_witnesses(Some(&records.to_string())),
        Err(LogError::Witness(_))
    ));
    // Proofs for a versionId not in this log do not count.
    let mut elsewhere: Value = serde_json::from_str(&witness).unwrap();
    elsewhere[0]["versionId"] = json!("1-QmSomeOtherLogsEntry");
    assert!(matches!(
        state.verify_witnesses(Some(&elsewhere.to_string())),
        Err(LogError::Witness(_))
    ));
    assert!(matches!(
        state.verify_witnesses(Some("{")),
        Err(LogError::Witness(_))
    ));
}

#[test]
fn didwebvh_rs_fixtures() {
    let read = |f: &str| std::fs::read_to_string(testdata(&format!("didwebvh-rs/{f}"))).unwrap();
    LogState::genesis(&read("first_log_entry_verify_full.jsonl"), VECTOR_NOW).unwrap();
    // didwebvh-ts dated all three entries the same second, and chained entries 2+ to
    // `{SCID}`: the time is the first check to refuse it.
    let err = webvh::validate_jsonl(&read("plain_rotation_no_prerotation.jsonl"), VECTOR_NOW)
        .unwrap_err();
    assert!(
        matches!(err, LogError::TimeNotIncreasing { version: 2, .. }),
        "{err}"
    );
    let err = webvh::validate_jsonl(&read("pre-1_0-spec.jsonl"), VECTOR_NOW).unwrap_err();
    assert!(matches!(err, LogError::BadParameter { .. }), "{err}");

    let history = webvh::validate_jsonl(&read("did-generate_history.jsonl"), VECTOR_NOW).unwrap();
    assert_eq!(history.version_number(), 120);
    assert!(history.requires_witnesses());
    history
        .verify_witnesses(Some(&read("did-witness-generate_history.json")))
        .unwrap();
    let v20 = history
        .versions()
        .iter()
        .find(|v| v.number() == 20)
        .unwrap();
    assert_eq!(
        v20.version_id(),
        "20-QmXxgJRibisqnyXNEeAHLrW3qmu5vhmH5QgSttMgvDmwvp"
    );
}

#[test]
fn public_key_type_is_used_for_update_keys() {
    // `next_key_hash` commits to the multikey of exactly this key.
    let k = keys();
    let hash = webvh::next_key_hash(k.k2.public());
    let again = webvh::next_key_hash(&PublicKey::from_multikey(&k.k2.public().multikey()).unwrap());
    assert_eq!(hash, again);
    assert_ne!(hash, webvh::next_key_hash(k.k3.public()));
}
