//! The ledger through the `civitas` binary: the issuer story on an embedded ledger file,
//! a node on loopback, offline verification from a synced copy, and audit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use serde_json::Value;
use std::path::PathBuf;

mod support;
use support::{Served, civitas, did_create, last_line, ok, p};

const T: &str = "2025-06-01T10:00:00Z";

/// 1. A root and city hall create DIDs; the root declares itself and accredits city
///    hall; city hall publishes a status list and issues a PID.
/// 2. A counter verifies it with --root (no --trust) and sees it valid.
/// 3. City hall rotates its signing key routinely (`--retire routine`): the old
///    credential, anchored on the ledger when issued, still verifies; the retired key
///    can no longer issue.
/// 4. City hall revokes the credential: "revoked".
/// 5. A counter syncs a copy, the node stops, and it verifies offline, saying how old
///    its data is; the copy audits clean.
#[test]
fn issuer_story_on_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let db = p(d, "ledger.db");
    let root_did = did_create("roots:city", &p(d, "root"), &db, Some(T));
    let hall_did = did_create("issuers:city-hall", &p(d, "hall"), &db, Some(T));
    assert!(
        hall_did.starts_with("did:webvh:")
            && hall_did.contains(":ledger.civitas.example:issuers:city-hall")
    );
    ok(&[
        "accredit",
        "--keys",
        &p(d, "root"),
        "--root",
        "--vct",
        "pid",
        "--name",
        "City of Civitas",
        "--ledger",
        &db,
        "--at",
        T,
    ]);
    let acc = ok(&[
        "accredit",
        "--keys",
        &p(d, "root"),
        "--subject",
        &hall_did,
        "--vct",
        "pid",
        "--name",
        "City Hall",
        "--ledger",
        &db,
        "--at",
        T,
    ]);
    let acc_id = acc
        .lines()
        .find_map(|l| l.strip_prefix("accreditation id: "))
        .unwrap()
        .to_string();
    let uri = last_line(&ok(&[
        "status",
        "publish",
        "--keys",
        &p(d, "hall"),
        "--name",
        "pid-2026",
        "--size",
        "1000",
        "--ledger",
        &db,
        "--at",
        T,
    ]));
    // The holder.
    ok(&["key", "generate", "-o", &p(d, "holder.jwk")]);
    std::fs::write(d.join("pid.json"), r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,"personal_number":"A123456789"}"#).unwrap();
    let issue = |at: &str, key: &str, idx: &str| {
        civitas(&[
            "issue",
            "--key",
            key,
            "--issuer",
            &hall_did,
            "--ledger",
            &db,
            "--vct",
            "pid",
            "--claims",
            &p(d, "pid.json"),
            "--holder",
            &p(d, "holder.jwk"),
            "--at",
            at,
            "--status-list",
            &uri,
            "--status-index",
            idx,
        ])
    };
    let o = issue("2025-06-01T10:05:00Z", &p(d, "hall/signing.jwk"), "5");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(d.join("pid.sdjwt"), &o.stdout).unwrap();
    let present = |at: &str, out: &str| {
        let text = ok(&[
            "present",
            "--key",
            &p(d, "holder.jwk"),
            "--disclose",
            "age_over_18",
            "--nonce",
            "n1",
            "--aud",
            "counter-7",
            "--at",
            at,
            &p(d, "pid.sdjwt"),
        ]);
        std::fs::write(d.join(out), text).unwrap();
    };
    let verify = |file: &str, at: &str, ledger: &str| {
        let o = civitas(&[
            "verify",
            "--json",
            "--ledger",
            ledger,
            "--root",
            &root_did,
            "--nonce",
            "n1",
            "--aud",
            "counter-7",
            "--at",
            at,
            &p(d, file),
        ]);
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
        (o.status.code(), v)
    };
    present("2025-06-01T10:10:00Z", "p1.txt");
    let (code, v) = verify("p1.txt", "2025-06-01T10:10:30Z", &db);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["issuer"], hall_did.as_str());
    assert_eq!(v["claims"]["age_over_18"], true);
    // Without a root or trust, nobody is trusted.
    let o = civitas(&[
        "verify",
        "--json",
        "--ledger",
        &db,
        "--nonce",
        "n1",
        "--aud",
        "counter-7",
        "--at",
        "2025-06-01T10:10:30Z",
        &p(d, "p1.txt"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["code"], "untrusted_issuer", "{v}");

    // 3. Rotation of the signing key.
    let old_signing = std::fs::read(d.join("hall/signing.jwk")).unwrap();
    ok(&[
        "did",
        "update",
        "--keys",
        &p(d, "hall"),
        "--retire",
        "routine",
        "--ledger",
        &db,
        "--at",
        "2025-06-01T11:00:00Z",
    ]);
    assert_ne!(
        std::fs::read(d.join("hall/signing.jwk")).unwrap(),
        old_signing
    );
    let (code, v) = verify("p1.txt", "2025-06-01T10:10:30Z", &db);
    assert_eq!(
        code,
        Some(0),
        "signed and anchored before the rotation: {v}"
    );
    std::fs::write(d.join("old-signing.jwk"), &old_signing).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            d.join("old-signing.jwk"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    let o = issue("2025-06-01T12:00:00Z", &p(d, "old-signing.jwk"), "6");
    assert!(
        !o.status.success(),
        "the retired key is no longer an assertion key"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("not an assertion key"));
    // The resolver sees both versions.
    let doc_then = ok(&[
        "did",
        "resolve",
        &hall_did,
        "--ledger",
        &db,
        "--at",
        "2025-06-01T10:30:00Z",
        "--json",
    ]);
    let doc_now = ok(&["did", "resolve", &hall_did, "--ledger", &db, "--json"]);
    assert!(doc_then.contains("#key-1") && !doc_then.contains("#key-2"));
    assert!(doc_now.contains("#key-2") && !doc_now.contains("#key-1"));

    // 4. Revocation.
    ok(&[
        "status",
        "revoke",
        "--keys",
        &p(d, "hall"),
        "--uri",
        &uri,
        "--index",
        "5",
        "--ledger",
        &db,
        "--at",
        "2025-06-01T13:00:00Z",
    ]);
    present("2025-06-01T13:10:00Z", "p2.txt");
    let (code, v) = verify("p2.txt", "2025-06-01T13:10:30Z", &db);
    assert_eq!(code, Some(1));
    assert_eq!(v["code"], "revoked");
    assert!(v["reason"].as_str().unwrap().starts_with("revoked"));

    // 5. Offline: sync a copy from a node, stop the node, verify from the copy.
    let node = Served::start(&["ledger", "serve", "--db", &db]);
    let copy = p(d, "counter.db");
    // The counter pins the ledger's key (published by its operator), never the node's
    // own answer.
    let log_key = ok(&["ledger", "status", "--ledger", &db])
        .lines()
        .find_map(|l| l.strip_prefix("log key").map(|k| k.trim().to_string()))
        .unwrap();
    ok(&[
        "ledger",
        "sync",
        "--from",
        &node.url,
        "--to",
        &copy,
        "--log-key",
        &log_key,
    ]);
    drop(node);
    let (code, v) = verify("p1.txt", "2025-06-01T10:10:30Z", &copy);
    assert_eq!(code, Some(1), "revoked by now, offline too: {v}");
    assert_eq!(v["code"], "revoked");
    assert_eq!(v["ledger"]["role"], "replica");
    assert!(v["ledger"]["synced_at"].is_string());
    let o = civitas(&[
        "verify",
        "--ledger",
        &copy,
        "--root",
        &root_did,
        "--nonce",
        "n1",
        "--aud",
        "counter-7",
        "--at",
        "2025-06-01T13:10:30Z",
        &p(d, "p2.txt"),
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("ledger data as of"), "{text}");
    let audit = ok(&["ledger", "audit", "--db", &copy]);
    assert!(audit.contains("audit passed"), "{audit}");
    let status = ok(&["ledger", "status", "--ledger", &copy]);
    assert!(status.contains("replica"));

    // A fresh credential from the new key verifies, until the root withdraws city
    // hall's accreditation.
    let o = issue("2025-06-01T12:00:00Z", &p(d, "hall/signing.jwk"), "7");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(d.join("pid.sdjwt"), &o.stdout).unwrap();
    present("2025-06-01T14:00:10Z", "p3.txt");
    let (code, v) = verify("p3.txt", "2025-06-01T14:00:30Z", &db);
    assert_eq!(code, Some(0), "{v}");
    ok(&[
        "accredit",
        "--keys",
        &p(d, "root"),
        "--revoke",
        &acc_id,
        "--ledger",
        &db,
        "--at",
        "2025-06-01T14:00:00Z",
    ]);
    let (code, v) = verify("p3.txt", "2025-06-01T14:00:30Z", &db);
    assert_eq!(code, Some(1));
    assert_eq!(v["code"], "untrusted_issuer", "{v}");
    assert!(v["reason"].as_str().unwrap().contains("revoked"), "{v}");
}

#[test]
fn rotation_needs_the_committed_key_and_deactivation_is_final() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let db = p(d, "ledger.db");
    let did = did_create("people:alice", &p(d, "alice"), &db, Some(T));
    // A thief with the device's keys but not next.jwk.
    let thief: PathBuf = d.join("thief");
    std::fs::create_dir(&thief).unwrap();
    for f in ["identity.json", "signing.jwk", "update.jwk"] {
        std::fs::copy(d.join("alice").join(f), thief.join(f)).unwrap();
    }
    std::fs::copy(d.join("alice/update.jwk"), thief.join("next.jwk")).unwrap();
    let o = civitas(&[
        "did",
        "rotate",
        "--keys",
        thief.to_str().unwrap(),
        "--ledger",
        &db,
        "--at",
        "2025-06-01T10:01:00Z",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("was not committed in the previous nextKeyHashes"),
        "{err}"
    );
    ok(&[
        "did",
        "rotate",
        "--keys",
        &p(d, "alice"),
        "--ledger",
        &db,
        "--at",
        "2025-06-01T10:02:00Z",
    ]);
    ok(&[
        "did",
        "deactivate",
        "--keys",
        &p(d, "alice"),
        "--ledger",
        &db,
        "--at",
        "2025-06-01T10:03:00Z",
    ]);
    let doc = ok(&["did", "resolve", &did, "--ledger", &db]);
    assert!(doc.contains("DEACTIVATED"));
    let o = civitas(&[
        "did",
        "rotate",
        "--keys",
        &p(d, "alice"),
        "--ledger",
        &db,
        "--at",
        "2025-06-01T10:04:00Z",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("was deactivated"), "{err}");
    let audit = ok(&["ledger", "audit", "--db", &db]);
    assert!(audit.contains("audit passed: 4 entries"), "{audit}");
}
