//! Every refusal, with its own error.

use super::*;

#[test]
fn forged_entries_by_the_right_key_are_accepted() {
    // The independent signer above agrees with the crate's verification.
    let (k, mut state, _) = plain_log();
    let line = seal(draft(&state, T0 + 5), state.version_id(), 2, &k.k1);
    state.append(&line, T0 + 5).unwrap();
}

#[test]
fn bad_signature() {
    let (k, state, second) = plain_log();
    // Alter the signature.
    let mut entry = parse(&second);
    let value = entry["proof"][0]["proofValue"]
        .as_str()
        .unwrap()
        .to_string();
    let flipped = if value.ends_with('A') { "B" } else { "A" };
    entry["proof"][0]["proofValue"] = json!(format!("{}{flipped}", &value[..value.len() - 1]));
    let err = state.appended(&entry.to_string(), T0 + 10).unwrap_err();
    assert!(
        matches!(err, LogError::BadSignature { version: 2 }),
        "{err}"
    );
    // Change the document, re-chain the versionId, keep the old proof.
    let mut changed = parse(&second);
    changed["state"]["verificationMethod"] = json!([]);
    let proof = changed["proof"].clone();
    let mut resealed = parse(&seal(changed, state.version_id(), 2, &k.k1));
    resealed["proof"] = proof;
    let err = state.appended(&resealed.to_string(), T0 + 10).unwrap_err();
    assert!(
        matches!(err, LogError::BadSignature { version: 2 }),
        "{err}"
    );
}

#[test]
fn every_proof_is_verified_not_only_the_first() {
    // didwebvh-rs checks the first proof only; ours checks the rest. A valid first
    // proof does not carry a forged second one.
    let (_, state, second) = plain_log();
    let mut entry = parse(&second);
    let mut forged = entry["proof"][0].clone();
    let value = forged["proofValue"].as_str().unwrap().to_string();
    let flipped = if value.ends_with('A') { "B" } else { "A" };
    forged["proofValue"] = json!(format!("{}{flipped}", &value[..value.len() - 1]));
    entry["proof"].as_array_mut().unwrap().push(forged);
    let err = state.appended(&entry.to_string(), T0 + 10).unwrap_err();
    assert!(
        matches!(err, LogError::BadSignature { version: 2 }),
        "{err}"
    );
}

#[test]
fn unauthorized_key() {
    let (k, state, _) = plain_log();
    let line = seal(draft(&state, T0 + 10), state.version_id(), 2, &k.thief);
    let err = state.appended(&line, T0 + 10).unwrap_err();
    assert!(
        matches!(&err, LogError::UnauthorizedKey { version: 2, key } if *key == k.thief.public().multikey()),
        "{err}"
    );
    // Adding his own key to updateKeys does not help: the previous keys authorize.
    let mut entry = draft(&state, T0 + 10);
    entry["parameters"] = json!({"updateKeys": [k.thief.public().multikey()]});
    let err = state
        .appended(&seal(entry, state.version_id(), 2, &k.thief), T0 + 10)
        .unwrap_err();
    assert!(
        matches!(err, LogError::UnauthorizedKey { version: 2, .. }),
        "{err}"
    );
}

#[test]
fn key_not_pre_rotated() {
    let k = keys();
    let (_, state) = genesis(&k);
    // The thief reveals his own key and signs with it.
    let mut entry = draft(&state, T0 + 10);
    entry["parameters"] = json!({"updateKeys": [k.thief.public().multikey()], "nextKeyHashes": []});
    let err = state
        .appended(&seal(entry, state.version_id(), 2, &k.thief), T0 + 10)
        .unwrap_err();
    assert!(
        matches!(&err, LogError::KeyNotPreRotated { version: 2, key } if *key == k.thief.public().multikey()),
        "{err}"
    );
    // The committed key next to an uncommitted one is refused too.
    let mut entry = draft(&state, T0 + 10);
    entry["parameters"] = json!({
        "updateKeys": [k.k2.public().multikey(), k.thief.public().multikey()],
        "nextKeyHashes": []});
    let err = state
        .appended(&seal(entry, state.version_id(), 2, &k.k2), T0 + 10)
        .unwrap_err();
    assert!(matches!(err, LogError::KeyNotPreRotated { .. }), "{err}");
    // Omitting updateKeys while pre-rotation is active, signed with the old key.
    let err = state
        .appended(
            &seal(draft(&state, T0 + 10), state.version_id(), 2, &k.k1),
            T0 + 10,
        )
        .unwrap_err();
    assert!(
        matches!(&err, LogError::BadParameter { name, .. } if name == "updateKeys"),
        "{err}"
    );
}

#[test]
fn broken_chain() {
    let (k, state, second) = plain_log();
    // The document changed after signing, versionId kept.
    let mut entry = parse(&second);
    entry["state"]["verificationMethod"] = json!([]);
    let err = state.appended(&entry.to_string(), T0 + 10).unwrap_err();
    assert!(
        matches!(err, LogError::BrokenChain { version: 2, .. }),
        "{err}"
    );
    // Chained to another predecessor (another log's version 1).
    let other = keys();
    let (_, fork) = webvh::create(
        "ledger.civitas.example:people:bob",
        &[],
        &other.k1,
        vec![],
        T0,
    )
    .unwrap();
    let fork = LogState::genesis(fork.as_str(), T0).unwrap();
    let line = seal(draft(&state, T0 + 10), fork.version_id(), 2, &k.k1);
    let err = state.appended(&line, T0 + 10).unwrap_err();
    assert!(
        matches!(err, LogError::BrokenChain { version: 2, .. }),
        "{err}"
    );
}

#[test]
fn wrong_version_number() {
    let (k, state, _) = plain_log();
    for number in [1, 3, 10] {
        let line = seal(draft(&state, T0 + 10), state.version_id(), number, &k.k1);
        let err = state.appended(&line, T0 + 10).unwrap_err();
        assert!(
            matches!(err, LogError::WrongVersionNumber { expected: 2, found } if found == number),
            "{err}"
        );
    }
}

#[test]
fn version_time_backwards_or_in_the_future() {
    let (k, state, second) = plain_log();
    for t in [T0, T0 - 3600] {
        let line = seal(draft(&state, t), state.version_id(), 2, &k.k1);
        let err = state.appended(&line, T0 + 10).unwrap_err();
        assert!(
            matches!(err, LogError::TimeNotIncreasing { version: 2, .. }),
            "{err}"
        );
    }
    let err = state.appended(&second, T0 + 9).unwrap_err();
    assert!(
        matches!(err, LogError::TimeInFuture { version: 2, .. }),
        "{err}"
    );
    let first = state.versions()[0].line().to_string();
    let err = LogState::genesis(&first, T0 - 1).unwrap_err();
    assert!(
        matches!(err, LogError::TimeInFuture { version: 1, .. }),
        "{err}"
    );
    let mut entry = draft(&state, T0 + 10);
    entry["versionTime"] = json!("2025-06-15 15:06:50");
    let err = state
        .appended(&seal(entry, state.version_id(), 2, &k.k1), T0 + 10)
        .unwrap_err();
    assert!(matches!(err, LogError::Malformed(_)), "{err}");
}

#[test]
fn wrong_scid() {
    let k = keys();
    let (_, entry) = webvh::create(HOST, &[], &k.k1, vec![], T0).unwrap();
    let genesis = parse(entry.as_str());
    let scid = genesis["parameters"]["scid"].as_str().unwrap().to_string();
    // Another SCID: the genesis entry does not hash to it.
    let other = multihash(b"another inception");
    let forged: Value = serde_json::from_str(&entry.as_str().replace(&scid, &other)).unwrap();
    let line = seal(forged, &other, 1, &k.k1);
    let err = LogState::genesis(&line, T0).unwrap_err();
    assert!(matches!(err, LogError::WrongScid(_)), "{err}");
    // A later document whose id carries another SCID.
    let state = LogState::genesis(entry.as_str(), T0).unwrap();
    let mut next = draft(&state, T0 + 10);
    next["state"]["id"] = json!(state.did().replace(&scid, &other));
    let err = state
        .appended(&seal(next, state.version_id(), 2, &k.k1), T0 + 10)
        .unwrap_err();
    assert!(matches!(err, LogError::WrongScid(_)), "{err}");
    // The spec's tampered genesis fixture (versionTime moved by a second).
    let tampered = std::fs::read_to_string(testdata(
        "didwebvh-rs/first_log_entry_verify_tampered.jsonl",
    ))
    .unwrap();
    let err = LogState::genesis(&tampered, VECTOR_NOW).unwrap_err();
    assert!(matches!(err, LogError::WrongScid(_)), "{err}");
}

#[test]
fn entry_after_deactivation() {
    let (k, mut state, second) = plain_log();
    state.append(&second, T0 + 10).unwrap();
    let end = webvh::deactivate(&state, &k.k1, T0 + 20).unwrap();
    state.append(end.as_str(), T0 + 20).unwrap();
    let line = seal(draft(&state, T0 + 30), state.version_id(), 4, &k.k1);
    let err = state.appended(&line, T0 + 30).unwrap_err();
    assert!(
        matches!(err, LogError::AfterDeactivation { deactivated_at: 3 }),
        "{err}"
    );
}

#[test]
fn replay_of_an_old_entry() {
    let (k, mut state, second) = plain_log();
    state.append(&second, T0 + 10).unwrap();
    let third = webvh::update(&state, &[], &k.k1, T0 + 20).unwrap();
    state.append(third.as_str(), T0 + 20).unwrap();
    for old in [
        state.versions()[0].line().to_string(),
        second,
        third.into_string(),
    ] {
        let err = state.appended(&old, T0 + 30).unwrap_err();
        assert!(matches!(err, LogError::Replay { .. }), "{err}");
    }
    assert_eq!(state.version_number(), 3);
}

#[test]
fn malformed_entries() {
    let (k, state, second) = plain_log();
    let mut extra = parse(&second);
    extra["comment"] = json!("hi");
    let mut bad_id = parse(&second);
    bad_id["versionId"] = json!("two-QmX");
    let mut no_proof = parse(&second);
    no_proof.as_object_mut().unwrap().remove("proof");
    let mut state_array = parse(&second);
    state_array["state"] = json!([]);
    for bad in [
        "".to_string(),
        "not json".to_string(),
        "[]".to_string(),
        "{}".to_string(),
        second[..second.len() / 2].to_string(),
        extra.to_string(),
        bad_id.to_string(),
        no_proof.to_string(),
        state_array.to_string(),
    ] {
        let err = state.appended(&bad, T0 + 10).unwrap_err();
        assert!(matches!(err, LogError::Malformed(_)), "{bad:.60}: {err}");
    }
    // A versionId with a leading zero is not canonical.
    let mut leading_zero = parse(&seal(draft(&state, T0 + 10), state.version_id(), 2, &k.k1));
    let id = leading_zero["versionId"].as_str().unwrap().to_string();
    leading_zero["versionId"] = json!(format!("0{id}"));
    assert!(matches!(
        state.appended(&leading_zero.to_string(), T0 + 10),
        Err(LogError::Malformed(_))
    ));
}

#[test]
fn oversized_entry() {
    let (k, state, _) = plain_log();
    let mut entry = draft(&state, T0 + 10);
    entry["state"]["padding"] = json!("x".repeat(MAX_ENTRY_BYTES));
    let line = seal(entry, state.version_id(), 2, &k.k1);
    let err = state.appended(&line, T0 + 10).unwrap_err();
    assert!(
        matches!(
            err,
            LogError::Oversized {
                max: MAX_ENTRY_BYTES,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn bad_parameters() {
    let (k, state, _) = plain_log();
    let cases = [
        (json!({"foo": 1}), "foo"),
        (json!({"method": "did:webvh:0.5"}), "method"),
        (json!({"scid": state.scid()}), "scid"),
        (json!({"portable": true}), "portable"),
        (json!({"updateKeys": null}), "updateKeys"),
        (
            json!({"updateKeys": [k.device1.public().multikey()]}),
            "updateKeys",
        ),
        (json!({"ttl": -1}), "ttl"),
        (
            json!({"witness": {"threshold": 2, "witnesses": [{"id": format!("did:key:{}", k.k2.public().multikey())}]}}),
            "witness",
        ),
    ];
    for (params, name) in cases {
        let mut entry = draft(&state, T0 + 10);
        entry["parameters"] = params;
        let err = state
            .appended(&seal(entry, state.version_id(), 2, &k.k1), T0 + 10)
            .unwrap_err();
        assert!(
            matches!(&err, LogError::BadParameter { name: n, .. } if n == name),
            "{name}: {err}"
        );
    }
}

#[test]
fn bad_proofs() {
    let (k, state, second) = plain_log();
    let entry = parse(&second);
    let cases: [(&str, Value); 4] = [
        ("cryptosuite", json!("ecdsa-jcs-2019")),
        ("proofPurpose", json!("authentication")),
        (
            "verificationMethod",
            json!(format!("did:key:{}#other", k.k1.public().multikey())),
        ),
        ("type", json!("Ed25519Signature2020")),
    ];
    for (member, value) in cases {
        let mut forged = entry.clone();
        forged["proof"][0][member] = value;
        let err = state.appended(&forged.to_string(), T0 + 10).unwrap_err();
        assert!(
            matches!(err, LogError::BadProof { version: 2, .. }),
            "{member}: {err}"
        );
    }
    let mut empty = entry;
    empty["proof"] = json!([]);
    assert!(matches!(
        state.appended(&empty.to_string(), T0 + 10),
        Err(LogError::BadProof { .. })
    ));
}

#[test]
fn moving_a_non_portable_did_is_refused() {
    let (k, state, _) = plain_log();
    let mut entry = draft(&state, T0 + 10);
    let moved = state
        .did()
        .replace("ledger.civitas.example", "elsewhere.example");
    entry["state"]["id"] = json!(moved);
    entry["state"]["alsoKnownAs"] = json!([state.did()]);
    let err = state
        .appended(&seal(entry, state.version_id(), 2, &k.k1), T0 + 10)
        .unwrap_err();
    assert!(
        matches!(err, LogError::BadDocument { version: 2, .. }),
        "{err}"
    );
}

/// didwebvh-rs's own verification runs after every Civitas check and can only
/// refuse more: it compares `versionTime` with the machine's clock, so an entry
/// dated after it is refused even when the caller's `now` is later still.
#[test]
fn didwebvh_rs_has_the_last_word() {
    let far = 4_102_444_800; // 2100-01-01
    let (k, state, _) = plain_log();
    let line = seal(draft(&state, far), state.version_id(), 2, &k.k1);
    let err = state.appended(&line, far).unwrap_err();
    assert!(
        matches!(err, LogError::Rejected { version: 2, .. }),
        "{err}"
    );
    let err = webvh::create(HOST, &[], &k.k1, vec![], far).unwrap_err();
    assert!(
        matches!(err, LogError::Rejected { version: 1, .. }),
        "{err}"
    );
}

#[test]
fn a_refused_entry_leaves_the_state_unchanged() {
    let (k, mut state, second) = plain_log();
    let before = state.to_jsonl();
    let line = seal(draft(&state, T0 + 10), state.version_id(), 2, &k.thief);
    assert!(state.append(&line, T0 + 10).is_err());
    assert_eq!(state.to_jsonl(), before);
    state.append(&second, T0 + 10).unwrap();
}

#[test]
fn validate_log_reports_the_first_bad_entry() {
    let (k, state, second) = plain_log();
    let lines = vec![state.versions()[0].line().to_string(), second.clone()];
    assert_eq!(
        webvh::validate_log(&lines, T0 + 10)
            .unwrap()
            .version_number(),
        2
    );
    let forged = seal(draft(&state, T0 + 10), state.version_id(), 2, &k.thief);
    let lines = vec![state.versions()[0].line().to_string(), forged];
    assert!(matches!(
        webvh::validate_log(&lines, T0 + 10),
        Err(LogError::UnauthorizedKey { .. })
    ));
    assert!(matches!(
        webvh::validate_log(Vec::<String>::new(), T0),
        Err(LogError::EmptyLog)
    ));
    assert!(matches!(
        webvh::validate_jsonl("\n", T0),
        Err(LogError::EmptyLog)
    ));
}
