//! One conformance suite, generic over the ledger traits, run against the embedded
//! SQLite backend and against the HTTP client talking to a node on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_credential::status_list::{StatusList, status};
use civitas_did::{Purpose, ResolveOptions, Resolver};
use civitas_ledger::http::client::HttpLedger;
use civitas_ledger::sign::{self, AccreditationSpec};
use civitas_ledger::{
    Checkpoint, Entry, LedgerWriter, NoteVerifier, leaf_hash, verify_consistency, verify_inclusion,
};
use civitas_testkit::*;
use std::sync::Arc;

fn refused<W: LedgerWriter>(ledger: &W, entry: &Entry, want: &str) {
    let before = ledger.checkpoint().unwrap();
    let size = ledger.info().unwrap().size;
    let err = ledger.append(entry).expect_err("must be refused");
    if std::env::var_os("SHOW_REFUSALS").is_some() {
        eprintln!("REFUSED [{want}]: {err}");
    }
    assert!(
        err.to_string().contains(want),
        "expected a refusal mentioning {want:?}, got: {err}"
    );
    assert_eq!(ledger.info().unwrap().size, size, "nothing appended");
    assert_eq!(ledger.checkpoint().unwrap(), before, "checkpoint unchanged");
}

/// 1. Appends are acknowledged with a receipt whose inclusion and consistency proofs
///    verify against signed checkpoints.
fn appends_are_proven<W: LedgerWriter>(ledger: &W) {
    let info = ledger.info().unwrap();
    let log_key = NoteVerifier::parse(&info.log_key).unwrap();
    let first_size = info.size;
    let first = Checkpoint::open(&ledger.checkpoint().unwrap(), &log_key).unwrap();
    let mut receipts = Vec::new();
    for i in 0..5 {
        let (_, entry) = Actor::create(&format!("people:p{i}"), T0);
        let receipt = ledger.append(&entry).unwrap();
        assert_eq!(receipt.leaf_hash, leaf_hash(&entry.to_bytes()).to_hex());
        receipts.push(receipt);
    }
    let cp = Checkpoint::open(&ledger.checkpoint().unwrap(), &log_key).unwrap();
    assert_eq!(cp.size, first_size + 5);
    for r in &receipts {
        let proof = ledger.inclusion_proof(r.index, cp.size).unwrap();
        let leaf = civitas_ledger::Hash::from_hex(&r.leaf_hash).unwrap();
        verify_inclusion(&leaf, r.index, cp.size, &proof, &cp.root).unwrap();
        let bytes = ledger.entries(r.index, r.index + 1).unwrap();
        assert_eq!(leaf_hash(&bytes[0]).to_hex(), r.leaf_hash);
    }
    if first.size > 0 {
        let proof = ledger.consistency_proof(first.size, cp.size).unwrap();
        verify_consistency(first.size, cp.size, &proof, &first.root, &cp.root).unwrap();
    }
    // The receipt's checkpoint is the one that includes it, signed.
    let from_receipt = Checkpoint::open(&receipts[4].checkpoint, &log_key).unwrap();
    assert!(from_receipt.size > receipts[4].index);
}

/// 2. A DID's story: create, rotate (only with the committed key), resolve at each
///    version, deactivate.
fn did_story<W: LedgerWriter + Clone + 'static>(ledger: &W) {
    let (mut alice, genesis) = Actor::create("people:alice", T0);
    ledger.append(&genesis).unwrap();
    let first_key = alice.key.public().clone();
    // A thief with only the current update key cannot rotate.
    let thief = civitas_did::webvh::rotate(
        &alice.state,
        &[alice.update.public().clone()],
        vec![],
        None,
        &alice.update,
        T0 + 10,
    );
    assert!(thief.is_err(), "the writer itself refuses");
    let forged = forge_rotation(&alice, T0 + 10);
    refused(
        ledger,
        &forged,
        "not committed in the previous nextKeyHashes",
    );
    let rotation = alice.rotate(T0 + 60);
    ledger.append(&rotation).unwrap();
    // A replay of the genesis is refused.
    refused(ledger, &genesis, "already in the log (replay)");
    let resolver = civitas_ledger::resolver(ledger.clone(), T0 + 120);
    let at = |t: i64, frag: &str| {
        resolver.resolve_key(
            &format!("{}#{frag}", alice.did),
            Purpose::AssertionMethod,
            Some(t),
        )
    };
    assert_eq!(at(T0 + 30, "key-1").unwrap(), first_key);
    assert!(
        at(T0 + 90, "key-1").is_err(),
        "key-1 is gone after the rotation"
    );
    assert_eq!(&at(T0 + 90, "key-2").unwrap(), alice.key.public());
    assert!(at(T0 - 10, "key-1").is_err(), "not found before creation");
    let res = resolver
        .resolve(&alice.did, &ResolveOptions::default())
        .unwrap();
    assert_eq!(
        res.metadata.version_id.as_deref(),
        Some(alice.state.version_id())
    );
    // The DID is served at its web path.
    assert_eq!(
        ledger.did_at_path("people/alice").unwrap().as_deref(),
        Some(alice.did.as_str())
    );
    assert_eq!(ledger.did_log(&alice.did).unwrap().len(), 2);
}

/// A rotation signed by the current (stolen) update key, making the thief's key the
/// new update key: well-formed, chained, signed — by a key that was not committed.
fn forge_rotation(victim: &Actor, t: i64) -> Entry {
    let mut params = serde_json::Map::new();
    params.insert(
        "updateKeys".into(),
        serde_json::json!([victim.update.public().multikey()]),
    );
    params.insert("nextKeyHashes".into(), serde_json::json!([]));
    let line = civitas_did::webvh::unchecked_next_entry(
        &victim.state,
        params,
        victim.state.document().clone(),
        &victim.update,
        t,
    )
    .unwrap();
    Entry::DidLog {
        line: line.into_string(),
    }
}

/// 3. Accreditations: a root accredits city hall (with delegation), city hall
///    accredits a clinic; an outsider cannot accredit; only the accreditor revokes.
fn accreditation_chain<W: LedgerWriter>(ledger: &W) {
    let (root, e) = Actor::create("roots:city", T0);
    ledger.append(&e).unwrap();
    let (hall, e) = Actor::create("issuers:city-hall", T0);
    ledger.append(&e).unwrap();
    let (clinic, e) = Actor::create("issuers:clinic", T0);
    ledger.append(&e).unwrap();
    let (outsider, e) = Actor::create("issuers:outsider", T0);
    ledger.append(&e).unwrap();
    ledger
        .append(
            &sign::root(
                root.signing(),
                &[PID, MEDICAL],
                Some("City of Civitas"),
                T0 + 1,
            )
            .unwrap(),
        )
        .unwrap();
    let spec = |id, subject, delegate| AccreditationSpec {
        id,
        subject,
        name: Some("City Hall"),
        vcts: &[PID, MEDICAL],
        nbf: None,
        exp: Some(T0 + 365 * 86_400),
        delegate,
    };
    ledger
        .append(
            &sign::accreditation(root.signing(), &spec("acc-hall", &hall.did, true), T0 + 2)
                .unwrap(),
        )
        .unwrap();
    // The same id again is a replay.
    refused(
        ledger,
        &sign::accreditation(
            root.signing(),
            &spec("acc-hall", &clinic.did, false),
            T0 + 3,
        )
        .unwrap(),
        "replay",
    );
    ledger
        .append(
            &sign::accreditation(
                hall.signing(),
                &spec("acc-clinic", &clinic.did, false),
                T0 + 3,
            )
            .unwrap(),
        )
        .unwrap();
    // The clinic may not delegate; the outsider is nobody.
    refused(
        ledger,
        &sign::accreditation(
            clinic.signing(),
            &spec("acc-x", &outsider.did, false),
            T0 + 4,
        )
        .unwrap(),
        "not authorized",
    );
    refused(
        ledger,
        &sign::accreditation(
            outsider.signing(),
            &spec("acc-y", &clinic.did, false),
            T0 + 4,
        )
        .unwrap(),
        "not authorized",
    );
    // A signature by another key than the kid's.
    let bad = sign::accreditation(
        civitas_ledger::sign::Signing {
            did: &root.did,
            kid: &root.kid,
            signer: &outsider.key,
        },
        &spec("acc-z", &outsider.did, false),
        T0 + 4,
    )
    .unwrap();
    refused(ledger, &bad, "signature");
    // Only the accreditor revokes.
    refused(
        ledger,
        &sign::revocation(root.signing(), "acc-clinic", T0 + 5).unwrap(),
        "not authorized",
    );
    ledger
        .append(&sign::revocation(hall.signing(), "acc-clinic", T0 + 5).unwrap())
        .unwrap();
    refused(
        ledger,
        &sign::revocation(hall.signing(), "acc-clinic", T0 + 6).unwrap(),
        "replay",
    );
    let recs = ledger.accreditations(&clinic.did).unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].revoked_at, Some(T0 + 5));
    assert!(recs[0].covers(PID, T0 + 4) && !recs[0].covers(PID, T0 + 6));
    let hall_recs = ledger.accreditations(&hall.did).unwrap();
    assert!(hall_recs[0].delegate && hall_recs[0].name.as_deref() == Some("City Hall"));
}

/// 4. Status lists: the issuer publishes and updates; others cannot; older versions
///    are replays.
fn status_lists<W: LedgerWriter>(ledger: &W) {
    let (issuer, e) = Actor::create("issuers:registry", T0);
    ledger.append(&e).unwrap();
    let (other, e) = Actor::create("issuers:other", T0);
    ledger.append(&e).unwrap();
    let uri = sign::status_list_uri(HOST, &issuer.did, "pid-1");
    let mut list = StatusList::new(1, 1024).unwrap();
    ledger
        .append(&sign::status_list(issuer.signing(), &uri, &list, T0 + 10).unwrap())
        .unwrap();
    list.set(42, status::INVALID).unwrap();
    let v2 = sign::status_list(issuer.signing(), &uri, &list, T0 + 20).unwrap();
    ledger.append(&v2).unwrap();
    refused(
        ledger,
        &sign::status_list(issuer.signing(), &uri, &list, T0 + 15).unwrap(),
        "replay",
    );
    refused(
        ledger,
        &sign::status_list(other.signing(), &uri, &list, T0 + 30).unwrap(),
        "not authorized",
    );
    let Entry::StatusList { jws } = v2 else {
        unreachable!()
    };
    assert_eq!(ledger.status_list(&uri).unwrap(), Some(jws));
    assert_eq!(ledger.status_list("https://nowhere/x").unwrap(), None);
}

/// 5. Bad input changes nothing and each gets its reason.
fn bad_input_is_refused<W: LedgerWriter>(ledger: &W) {
    let (bob, genesis) = Actor::create("people:bob", T0);
    let Entry::DidLog { line } = &genesis else {
        unreachable!()
    };
    // Bad signature: flip a character of the proof value.
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    let proof = v["proof"][0]["proofValue"].as_str().unwrap().to_string();
    let flipped = if proof.ends_with('a') {
        format!("{}b", &proof[..proof.len() - 1])
    } else {
        format!("{}a", &proof[..proof.len() - 1])
    };
    v["proof"][0]["proofValue"] = serde_json::json!(flipped);
    refused(
        ledger,
        &Entry::DidLog {
            line: v.to_string(),
        },
        "the proof signature does not verify",
    );
    // Wrong SCID: change the document after the SCID was computed.
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["state"]["alsoKnownAs"] = serde_json::json!(["https://evil.example"]);
    refused(
        ledger,
        &Entry::DidLog {
            line: v.to_string(),
        },
        "wrong SCID",
    );
    // Broken hash chain: a second entry whose versionId does not chain.
    ledger.append(&genesis).unwrap();
    let mut bob = bob;
    let rotation = bob.rotate(T0 + 30);
    let Entry::DidLog { line } = &rotation else {
        unreachable!()
    };
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    let vid = v["versionId"].as_str().unwrap().to_string();
    v["versionId"] = serde_json::json!(format!("2-{}", "Q".repeat(vid.len() - 2)));
    refused(
        ledger,
        &Entry::DidLog {
            line: v.to_string(),
        },
        "broken entryHash chain",
    );
    // Replay of an old entry.
    refused(ledger, &genesis, "already in the log (replay)");
    // Oversized.
    let huge = Entry::DidLog {
        line: format!(
            "{{\"pad\":\"{}\"}}",
            "x".repeat(civitas_ledger::MAX_ENTRY_BYTES)
        ),
    };
    refused(ledger, &huge, "larger than");
    // Malformed.
    refused(
        ledger,
        &Entry::DidLog {
            line: "not json".into(),
        },
        "not JSON",
    );
    refused(
        ledger,
        &Entry::Root {
            jws: "a.b.c".into(),
        },
        "header is not base64url",
    );
    // A DID on another host.
    let other_host = civitas_did::webvh::create(
        "elsewhere.example:people:eve",
        &[],
        &civitas_crypto::SigningKey::generate(
            civitas_crypto::Algorithm::EdDsa,
            &civitas_crypto::SystemRng,
        )
        .unwrap(),
        vec![],
        T0,
    );
    if let Ok((_, entry)) = other_host {
        refused(
            ledger,
            &sign::did_log(entry.as_str()),
            "not this ledger's host",
        );
    }
}

/// 6. A batch large enough to be checked on several threads: each entry gets its own
///    verdict, in order; the bad ones are refused with their reason, a repeat within
///    the batch is refused as a replay, the good ones land in order.
fn a_large_batch_keeps_each_verdict_in_place<W: LedgerWriter>(ledger: &W) {
    let size = ledger.info().unwrap().size;
    let mut entries: Vec<Entry> = (0..100)
        .map(|i| Actor::create(&format!("batch:b{i}"), T0).1)
        .collect();
    let tamper = |entry: &Entry, f: &dyn Fn(&mut serde_json::Value)| {
        let Entry::DidLog { line } = entry else {
            unreachable!()
        };
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        f(&mut v);
        Entry::DidLog {
            line: v.to_string(),
        }
    };
    entries[7] = tamper(&entries[7], &|v| {
        let p = v["proof"][0]["proofValue"].as_str().unwrap().to_string();
        let last = if p.ends_with('a') { "b" } else { "a" };
        v["proof"][0]["proofValue"] = serde_json::json!(format!("{}{last}", &p[..p.len() - 1]));
    });
    entries[71] = tamper(&entries[71], &|v| {
        v["state"]["alsoKnownAs"] = serde_json::json!(["https://evil.example"]);
    });
    entries[90] = entries[3].clone();
    let results = ledger.append_batch(&entries).unwrap();
    assert_eq!(results.len(), 100);
    let reason = |i: usize| results[i].as_ref().unwrap_err().to_string();
    assert!(
        reason(7).contains("the proof signature does not verify"),
        "{}",
        reason(7)
    );
    assert!(reason(71).contains("wrong SCID"), "{}", reason(71));
    assert!(
        reason(90).contains("already in the log (replay)"),
        "{}",
        reason(90)
    );
    let mut next = size;
    for (i, r) in results.iter().enumerate() {
        if [7, 71, 90].contains(&i) {
            continue;
        }
        let receipt = r.as_ref().unwrap();
        assert_eq!(receipt.index, next, "entry {i} lands in order");
        assert_eq!(
            receipt.leaf_hash,
            leaf_hash(&entries[i].to_bytes()).to_hex()
        );
        next += 1;
    }
    assert_eq!(ledger.info().unwrap().size, size + 97);
}

fn suite<W: LedgerWriter + Clone + 'static>(ledger: &W) {
    appends_are_proven(ledger);
    did_story(ledger);
    accreditation_chain(ledger);
    status_lists(ledger);
    bad_input_is_refused(ledger);
    a_large_batch_keeps_each_verdict_in_place(ledger);
}

#[test]
fn conformance_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(new_ledger(dir.path(), T0 + 200));
    suite(&ledger);
}

#[test]
fn conformance_http_client_to_node() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(new_ledger(dir.path(), T0 + 200));
    let node = Node::start(ledger);
    let client = HttpLedger::new(&node.url).unwrap();
    suite(&client);
}
