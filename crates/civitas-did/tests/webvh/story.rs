//! The story: a DID created, rotated, updated and deactivated, and resolved as of any
//! time.

use super::*;

#[test]
fn story_create_rotate_update_deactivate() {
    let k = keys();

    // 1. The wallet creates the DID on the ledger, committing to its next update key.
    let (did, mut state) = genesis(&k);
    assert!(did.as_str().starts_with("did:webvh:Qm"));
    assert_eq!(did.host_path(), HOST);
    assert_eq!(
        did.log_url().unwrap(),
        "https://ledger.civitas.example/people/alice/did.jsonl"
    );
    assert_eq!(state.did(), did.as_str());
    assert_eq!(state.scid(), did.scid());
    assert_eq!(state.version_number(), 1);
    assert!(state.pre_rotation_active());
    assert_eq!(state.update_keys(), [k.k1.public().multikey()]);
    let v1 = state.version_id().to_string();

    // 2. A thief who stole only the current update key k1 cannot rotate: k1 (or any
    //    key of the thief's) was not committed in nextKeyHashes.
    for new_key in [k.k1.public(), k.thief.public()] {
        let err = webvh::rotate(
            &state,
            std::slice::from_ref(new_key),
            vec![],
            None,
            &k.k1,
            T0 + 10,
        )
        .unwrap_err();
        assert!(
            matches!(err, LogError::KeyNotPreRotated { version: 2, .. }),
            "{err}"
        );
    }
    //    Nor can he update the document with k1 alone.
    let err = webvh::update(&state, &[], &k.k1, T0 + 10).unwrap_err();
    assert!(matches!(err, LogError::PreRotationActive(_)), "{err}");
    //    Naming the committed key k2 but signing with k1 (or with his own key) fails.
    for signer in [&k.k1, &k.thief] {
        let err = webvh::rotate(
            &state,
            &[k.k2.public().clone()],
            vec![],
            None,
            signer,
            T0 + 10,
        )
        .unwrap_err();
        assert!(
            matches!(err, LogError::UnauthorizedKey { version: 2, .. }),
            "{err}"
        );
    }

    // 3. The holder rotates to k2 (committing to k3) and replaces the lost device key.
    let doc2 = [
        DocKey::new("device2", k.device2.public().clone(), &both()),
        DocKey::new(
            "sign",
            k.signing.public().clone(),
            &[Purpose::AssertionMethod],
        )
        .as_jwk(),
    ];
    let rotation = webvh::rotate(
        &state,
        &[k.k2.public().clone()],
        vec![webvh::next_key_hash(k.k3.public())],
        Some(&doc2),
        &k.k2,
        T0 + 100,
    )
    .unwrap();
    state.append(rotation.as_str(), T0 + 100).unwrap();
    assert_eq!(state.version_number(), 2);
    assert_eq!(rotation.version_id(), state.version_id());
    let v2 = state.version_id().to_string();

    // 4. The next rotation ends pre-rotation: k3 becomes the update key, nothing committed.
    let rotation = webvh::rotate(
        &state,
        &[k.k3.public().clone()],
        vec![],
        None,
        &k.k3,
        T0 + 200,
    )
    .unwrap();
    state.append(rotation.as_str(), T0 + 200).unwrap();
    assert!(!state.pre_rotation_active());
    assert_eq!(state.update_keys(), [k.k3.public().multikey()]);

    // 5. An update signed by the retired key k2 is refused; by k3 it goes through.
    let doc4 = [DocKey::new("device2", k.device2.public().clone(), &both())];
    let err = webvh::update(&state, &doc4, &k.k2, T0 + 300).unwrap_err();
    assert!(
        matches!(err, LogError::UnauthorizedKey { version: 4, .. }),
        "{err}"
    );
    let update = webvh::update(&state, &doc4, &k.k3, T0 + 300).unwrap();
    state.append(update.as_str(), T0 + 300).unwrap();
    let v4 = state.version_id().to_string();

    // 6. Deactivation; nothing may follow it.
    let deactivation = webvh::deactivate(&state, &k.k3, T0 + 400).unwrap();
    state.append(deactivation.as_str(), T0 + 400).unwrap();
    assert!(state.deactivated());
    assert!(state.update_keys().is_empty());
    let err = webvh::update(&state, &doc4, &k.k3, T0 + 500).unwrap_err();
    assert!(
        matches!(err, LogError::AfterDeactivation { deactivated_at: 5 }),
        "{err}"
    );

    // 7. The whole log replays to the same state.
    let replayed = webvh::validate_jsonl(&state.to_jsonl(), T0 + 1000).unwrap();
    assert_eq!(replayed.version_id(), state.version_id());
    assert_eq!(replayed.versions().len(), 5);

    // 8. Resolution at each version, by version id and by time.
    let device1_url = format!("{did}#device");
    let device2_url = format!("{did}#device2");
    let sign_url = format!("{did}#sign");
    let at = |t: i64| state.resolve(&ResolveOptions::at(Some(t)));
    let by_id = |id: &str| {
        state.resolve(&ResolveOptions {
            version_id: Some(id.to_string()),
            version_time: None,
        })
    };
    assert!(matches!(at(T0 - 1), Err(Error::NotFound(_))));
    let r1 = at(T0).unwrap();
    assert_eq!(r1.metadata.version_id.as_deref(), Some(v1.as_str()));
    assert_eq!(r1.metadata.created, Some(T0));
    assert_eq!(r1.metadata.updated, Some(T0));
    assert!(!r1.metadata.deactivated);
    assert_eq!(
        r1.document
            .key_for(&device1_url, Purpose::Authentication)
            .unwrap(),
        k.device1.public()
    );
    assert_eq!(
        r1.document
            .key_for(&sign_url, Purpose::AssertionMethod)
            .unwrap(),
        k.signing.public()
    );
    assert!(matches!(
        r1.document.key_for(&sign_url, Purpose::Authentication),
        Err(Error::NotAuthorized {
            purpose: "authentication",
            ..
        })
    ));
    assert!(matches!(
        r1.document.key_for(&device2_url, Purpose::Authentication),
        Err(Error::KeyNotFound(_))
    ));
    // The implicit services are added at resolution, not stored in the log.
    let services: Vec<&str> = r1.document.json["service"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(services, [format!("{did}#files"), format!("{did}#whois")]);
    assert!(state.versions()[0].document().get("service").is_none());

    assert_eq!(
        at(T0 + 99).unwrap().metadata.version_id.as_deref(),
        Some(v1.as_str())
    );
    let r2 = at(T0 + 100).unwrap();
    assert_eq!(r2.metadata.version_id.as_deref(), Some(v2.as_str()));
    assert_eq!(r2.metadata.updated, Some(T0 + 100));
    assert!(matches!(
        r2.document.key_for(&device1_url, Purpose::Authentication),
        Err(Error::KeyNotFound(_))
    ));
    assert_eq!(
        r2.document
            .key_for(&device2_url, Purpose::Authentication)
            .unwrap(),
        k.device2.public()
    );
    assert_eq!(by_id(&v2).unwrap().metadata.updated, Some(T0 + 100));
    assert_eq!(
        by_id(&v4).unwrap().metadata.version_id.as_deref(),
        Some(v4.as_str())
    );
    assert!(matches!(
        by_id(&v4)
            .unwrap()
            .document
            .key_for(&sign_url, Purpose::AssertionMethod),
        Err(Error::KeyNotFound(_))
    ));
    assert!(matches!(by_id("9-QmNope"), Err(Error::NotFound(_))));
    let r5 = state.resolve(&ResolveOptions::default()).unwrap();
    assert!(r5.metadata.deactivated);
    assert_eq!(r5.metadata.updated, Some(T0 + 400));
    assert!(!at(T0 + 399).unwrap().metadata.deactivated);

    // 9. Through the Resolver trait, over a log source (what the ledger implements).
    let source = MemoryLogSource::new();
    source.insert(
        did.as_str(),
        state
            .versions()
            .iter()
            .map(|v| v.line().to_string())
            .collect(),
    );
    let resolver = MethodResolver::local().with("webvh", WebvhResolver::new(source).at(T0 + 1000));
    assert!(matches!(
        resolver.resolve_key(&device2_url, Purpose::Authentication, None),
        Err(Error::Deactivated(_))
    ));
    assert_eq!(
        &resolver
            .resolve_key(&device1_url, Purpose::AssertionMethod, Some(T0 + 50))
            .unwrap(),
        k.device1.public()
    );
    assert_eq!(
        &resolver
            .resolve_key(&device2_url, Purpose::Authentication, Some(T0 + 350))
            .unwrap(),
        k.device2.public()
    );
    let other = did.as_str().replace("alice", "bob");
    assert!(matches!(
        resolver.resolve(&other, &ResolveOptions::default()),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn resolver_refuses_a_log_served_for_another_did() {
    let k = keys();
    let (did, state) = genesis(&k);
    let source = MemoryLogSource::new();
    let impostor = did.as_str().replace("alice", "mallory");
    source.insert(&impostor, vec![state.versions()[0].line().to_string()]);
    let resolver = WebvhResolver::new(&source).at(T0);
    assert!(matches!(
        resolver.resolve(&impostor, &ResolveOptions::default()),
        Err(Error::Webvh(LogError::BadDocument { .. }))
    ));
    assert!(matches!(
        resolver.resolve("did:webvh:nonsense", &ResolveOptions::default()),
        Err(Error::InvalidDid(_))
    ));
    assert!(matches!(
        source.did_log(did.as_str()),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn resolver_checks_time_against_its_clock() {
    let k = keys();
    let (did, state) = genesis(&k);
    let source = MemoryLogSource::new();
    source.insert(did.as_str(), vec![state.versions()[0].line().to_string()]);
    let resolver = WebvhResolver::new(source).at(T0 - 1);
    assert!(matches!(
        resolver.resolve(did.as_str(), &ResolveOptions::default()),
        Err(Error::Webvh(LogError::TimeInFuture { .. }))
    ));
}

#[test]
fn p256_and_ed25519_document_keys_in_both_forms() {
    let k = keys();
    let ed = key(Algorithm::EdDsa, 301);
    let doc = [
        DocKey::new(
            "p256-mk",
            k.device1.public().clone(),
            &[Purpose::Authentication],
        ),
        DocKey::new(
            "p256-jwk",
            k.device2.public().clone(),
            &[Purpose::AssertionMethod],
        )
        .as_jwk(),
        DocKey::new("ed-mk", ed.public().clone(), &both()),
        DocKey::new("ed-jwk", k.signing.public().clone(), &both()).as_jwk(),
    ];
    let (did, entry) = webvh::create(
        "ledger.civitas.example%3A8443:people:carol",
        &doc,
        &k.k1,
        vec![],
        T0,
    )
    .unwrap();
    assert_eq!(did.port(), Some(8443));
    let state = LogState::genesis(entry.as_str(), T0).unwrap();
    assert!(!state.pre_rotation_active());
    let r = state.resolve(&ResolveOptions::default()).unwrap();
    let url = |f: &str| format!("{did}#{f}");
    assert_eq!(
        r.document
            .key_for(&url("p256-mk"), Purpose::Authentication)
            .unwrap(),
        k.device1.public()
    );
    assert_eq!(
        r.document
            .key_for(&url("p256-jwk"), Purpose::AssertionMethod)
            .unwrap(),
        k.device2.public()
    );
    assert_eq!(
        r.document
            .key_for(&url("ed-mk"), Purpose::AssertionMethod)
            .unwrap(),
        ed.public()
    );
    assert_eq!(
        r.document
            .key_for(&url("ed-jwk"), Purpose::Authentication)
            .unwrap(),
        k.signing.public()
    );
    assert!(matches!(
        r.document
            .key_for(&url("p256-mk"), Purpose::AssertionMethod),
        Err(Error::NotAuthorized {
            purpose: "assertionMethod",
            ..
        })
    ));
}

#[test]
fn pre_rotation_deactivation_takes_two_entries() {
    let k = keys();
    let (_, mut state) = genesis(&k);
    let err = webvh::deactivate(&state, &k.k2, T0 + 1).unwrap_err();
    assert!(matches!(err, LogError::PreRotationActive(_)), "{err}");
    let off = webvh::rotate(
        &state,
        &[k.k2.public().clone()],
        vec![],
        None,
        &k.k2,
        T0 + 1,
    )
    .unwrap();
    state.append(off.as_str(), T0 + 1).unwrap();
    let end = webvh::deactivate(&state, &k.k2, T0 + 2).unwrap();
    state.append(end.as_str(), T0 + 2).unwrap();
    assert!(state.deactivated());
}

#[test]
fn writers_refuse_p256_update_keys() {
    let k = keys();
    let (_, state) = genesis(&k);
    let err = webvh::rotate(
        &state,
        &[k.device1.public().clone()],
        vec![],
        None,
        &k.k2,
        T0 + 1,
    )
    .unwrap_err();
    assert!(matches!(err, LogError::UnsupportedKey("ES256")), "{err}");
    assert!(matches!(
        webvh::create("example", &[], &k.k1, vec![], T0),
        Err(LogError::InvalidDid(_))
    ));
}
