#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `civitas` binary as users and scripts see it: exit codes, output shapes, the
//! tamper suite through `civitas verify`, and the issue → present → verify story.

use serde_json::Value;
use std::path::{Path, PathBuf};

mod support;
use support::{civitas, civitas_command, civitas_stdin, did_create, stderr, stdout};

fn tamper_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../civitas-verifier/testdata/tamper")
}

struct Keys {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    issuer_did: String,
}

fn keys() -> Keys {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let o = civitas(&[
        "key",
        "generate",
        "-o",
        dir.join("issuer.jwk").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let issuer_did = stdout(&o).lines().last().unwrap().to_string();
    let o = civitas(&[
        "key",
        "generate",
        "--alg",
        "EdDSA",
        "-o",
        dir.join("holder.jwk").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(
        dir.join("pid.json"),
        r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,
            "address":{"street_address":"1 Shifu Road","locality":"Taipei","postal_code":"110"},
            "personal_number":"A123456789"}"#,
    )
    .unwrap();
    Keys {
        _dir: tmp,
        dir,
        issuer_did,
    }
}

const AT: &str = "2026-11-25T10:00:00Z";

fn issue_and_present(k: &Keys, disclose: &str) -> String {
    let d = |f: &str| k.dir.join(f).to_str().unwrap().to_string();
    let o = civitas(&[
        "issue",
        "--key",
        &d("issuer.jwk"),
        "--vct",
        "pid",
        "--claims",
        &d("pid.json"),
        "--holder",
        &d("holder.jwk"),
        "--exp",
        "2030-01-01T00:00:00Z",
        "--at",
        "2026-11-24T10:00:00Z",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(k.dir.join("pid.sdjwt"), stdout(&o)).unwrap();
    let o = civitas(&[
        "present",
        "--key",
        &d("holder.jwk"),
        "--disclose",
        disclose,
        "--nonce",
        "nonce-1",
        "--aud",
        "counter-7",
        "--at",
        "2026-11-25T09:59:30Z",
        &d("pid.sdjwt"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).trim().to_string()
}

#[test]
fn key_generate_prints_the_did_last_and_writes_a_private_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("k.jwk");
    let o = civitas(&["key", "generate", "-o", path.to_str().unwrap()]);
    assert!(o.status.success());
    let last = stdout(&o).lines().last().unwrap().to_string();
    assert!(last.starts_with("did:jwk:"), "{last}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let show = stdout(&civitas(&["key", "show", path.to_str().unwrap()]));
    assert!(show.contains(&last), "{show}");
    // Never overwrite a key.
    let before = std::fs::read(&path).unwrap();
    let o = civitas(&["key", "generate", "-o", path.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("refusing to overwrite"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // The public export has no private member.
    let public = stdout(&civitas(&["key", "public", path.to_str().unwrap()]));
    assert!(!public.contains("\"d\""), "{public}");
}

#[test]
fn issue_present_verify_discloses_only_what_was_chosen() {
    let k = keys();
    let p = issue_and_present(&k, "age_over_18,address.locality");
    let o = civitas_stdin(
        &[
            "verify",
            "--json",
            "--trust",
            &k.issuer_did,
            "--nonce",
            "nonce-1",
            "--aud",
            "counter-7",
            "--at",
            AT,
        ],
        p.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["reason"], Value::Null);
    assert_eq!(v["issuer"], k.issuer_did.as_str());
    assert_eq!(v["vct"], "https://civitas.example/credentials/pid/v1");
    assert_eq!(v["claims"]["age_over_18"], true);
    assert_eq!(
        v["claims"]["address"],
        serde_json::json!({"locality": "Taipei"})
    );
    for hidden in [
        "given_name",
        "family_name",
        "birthdate",
        "personal_number",
        "_sd",
        "_sd_alg",
    ] {
        assert!(v["claims"].get(hidden).is_none(), "{hidden} leaked");
    }
    // The plain verdict a clerk reads.
    let o = civitas_stdin(
        &[
            "verify",
            "--trust",
            &k.issuer_did,
            "--nonce",
            "nonce-1",
            "--aud",
            "counter-7",
            "--at",
            AT,
            "-",
        ],
        p.as_bytes(),
    );
    let text = stdout(&o);
    assert!(text.starts_with("VALID"), "{text}");
    assert!(
        text.contains("Over 18: yes") && text.contains("City: Taipei"),
        "{text}"
    );
}

#[test]
fn verify_without_trust_or_with_wrong_nonce_is_not_valid() {
    let k = keys();
    let p = issue_and_present(&k, "age_over_18");
    let o = civitas_stdin(
        &[
            "verify",
            "--nonce",
            "nonce-1",
            "--aud",
            "counter-7",
            "--at",
            AT,
        ],
        p.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.starts_with("NOT VALID: issuer"), "{text}");
    assert!(text.contains("not trusted"), "{text}");
    let o = civitas_stdin(
        &[
            "verify",
            "--json",
            "--trust",
            &k.issuer_did,
            "--nonce",
            "other",
            "--aud",
            "counter-7",
            "--at",
            AT,
        ],
        p.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["code"], "nonce_mismatch");
    assert_eq!(v["claims"], serde_json::json!({}));
}

#[test]
fn present_refuses_a_claim_the_credential_does_not_have() {
    let k = keys();
    issue_and_present(&k, "age_over_18");
    let d = |f: &str| k.dir.join(f).to_str().unwrap().to_string();
    let o = civitas(&[
        "present",
        "--key",
        &d("holder.jwk"),
        "--disclose",
        "age_over_18,blood_type",
        "--nonce",
        "n",
        "--aud",
        "a",
        &d("pid.sdjwt"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no claim blood_type"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn issue_refuses_claims_that_do_not_fit_the_type() {
    let k = keys();
    let d = |f: &str| k.dir.join(f).to_str().unwrap().to_string();
    std::fs::write(
        k.dir.join("bad.json"),
        r#"{"given_name":"A","birthdate":"14/03/1958","shoe_size":42}"#,
    )
    .unwrap();
    let o = civitas(&[
        "issue",
        "--key",
        &d("issuer.jwk"),
        "--vct",
        "pid",
        "--claims",
        &d("bad.json"),
        "--holder",
        &d("holder.jwk"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for want in [
        "birthdate' must be a date",
        "shoe_size' is not a claim",
        "family_name' is required",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    // A private key was never printed.
    assert!(!err.contains("\"d\""));
}

/// Issues a PID that names a status list (which no ledger here holds) and presents
/// it to nonce-1 / counter-7.
fn issue_with_status_and_present(k: &Keys) -> String {
    let d = |f: &str| k.dir.join(f).to_str().unwrap().to_string();
    let o = civitas(&[
        "issue",
        "--key",
        &d("issuer.jwk"),
        "--vct",
        "pid",
        "--claims",
        &d("pid.json"),
        "--holder",
        &d("holder.jwk"),
        "--status-list",
        "https://ledger.civitas.test/status/city-hall/pid",
        "--status-index",
        "42",
        "--exp",
        "2030-01-01T00:00:00Z",
        "--at",
        "2026-11-24T10:00:00Z",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(k.dir.join("pid-status.sdjwt"), stdout(&o)).unwrap();
    let o = civitas(&[
        "present",
        "--key",
        &d("holder.jwk"),
        "--disclose",
        "age_over_18",
        "--nonce",
        "nonce-1",
        "--aud",
        "counter-7",
        "--at",
        "2026-11-25T09:59:30Z",
        &d("pid-status.sdjwt"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).trim().to_string()
}

#[test]
fn verify_without_nonce_or_aud_is_not_valid_unless_the_operator_opts_out() {
    let k = keys();
    let p = issue_and_present(&k, "age_over_18");
    let base: [&str; 5] = ["verify", "--trust", &k.issuer_did, "--at", AT];
    // No --nonce/--aud, or only one of them: not valid, exit 1, its own code.
    for extra in [
        &[][..],
        &["--nonce", "nonce-1"][..],
        &["--aud", "counter-7"][..],
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let o = civitas_stdin(&[&args[..], &["--json"]].concat(), p.as_bytes());
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {}", stdout(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["valid"], false, "{extra:?}");
        assert_eq!(v["code"], "replay_check_missing", "{extra:?}: {v}");
        assert_eq!(v["claims"], serde_json::json!({}));
        assert_eq!(v["replay_check"], Value::Null);
        let o = civitas_stdin(&args, p.as_bytes());
        assert_eq!(o.status.code(), Some(1));
        let text = stdout(&o);
        assert!(text.starts_with("NOT VALID: no "), "{text}");
        assert!(text.contains("--no-replay-check"), "{text}");
    }
    // --no-replay-check: valid, and the verdict says the check was skipped.
    let o = civitas_stdin(
        &[&base[..], &["--no-replay-check", "--json"]].concat(),
        p.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["replay_check"], "skipped by operator");
    assert_eq!(v["status_check"], "not applicable");
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("replay check skipped by operator"),
        "{v}"
    );
    let o = civitas_stdin(&[&base[..], &["--no-replay-check"]].concat(), p.as_bytes());
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.starts_with("VALID"), "{text}");
    assert!(
        text.contains("warning: replay check skipped by operator"),
        "{text}"
    );
    // Under the opt-out, what is given is still checked.
    let o = civitas_stdin(
        &[
            &base[..],
            &["--no-replay-check", "--nonce", "other", "--json"],
        ]
        .concat(),
        p.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["code"], "nonce_mismatch", "{v}");
    // With both given the verdict says the replay check ran.
    let o = civitas_stdin(
        &[
            &base[..],
            &["--nonce", "nonce-1", "--aud", "counter-7", "--json"],
        ]
        .concat(),
        p.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["replay_check"], "checked");
    assert_eq!(v["warnings"], serde_json::json!([]));
}

#[test]
fn verify_batch_without_nonce_refuses_every_line() {
    let k = keys();
    let p = issue_and_present(&k, "age_over_18");
    let batch = k.dir.join("batch.txt");
    std::fs::write(
        &batch,
        format!(
            "{p}
{p}
"
        ),
    )
    .unwrap();
    let b = batch.to_str().unwrap();
    let o = civitas(&[
        "verify",
        "--trust",
        &k.issuer_did,
        "--at",
        AT,
        "--batch",
        b,
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let codes: Vec<String> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["code"].to_string())
        .collect();
    assert_eq!(codes, ["\"replay_check_missing\""; 2], "{}", stdout(&o));
    let o = civitas(&[
        "verify",
        "--trust",
        &k.issuer_did,
        "--at",
        AT,
        "--batch",
        b,
        "--no-replay-check",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn verify_refuses_a_credential_whose_status_was_not_checked() {
    let k = keys();
    let p = issue_with_status_and_present(&k);
    let args: [&str; 9] = [
        "verify",
        "--trust",
        &k.issuer_did,
        "--nonce",
        "nonce-1",
        "--aud",
        "counter-7",
        "--at",
        AT,
    ];
    // A status reference and no --ledger: not valid, exit 1, status_unchecked.
    let o = civitas_stdin(&[&args[..], &["--json"]].concat(), p.as_bytes());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["code"], "status_unchecked", "{v}");
    assert_eq!(v["claims"], serde_json::json!({}));
    let o = civitas_stdin(&args, p.as_bytes());
    let text = stdout(&o);
    assert!(
        text.starts_with("NOT VALID: the credential's revocation status was not checked"),
        "{text}"
    );
    assert!(text.contains("--no-status-check"), "{text}");
    // --no-replay-check does not switch the status check off.
    let o = civitas_stdin(
        &[&args[..], &["--no-replay-check", "--json"]].concat(),
        p.as_bytes(),
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["code"], "status_unchecked", "{v}");
    // --no-status-check: valid, and the verdict says the check was skipped.
    let o = civitas_stdin(
        &[&args[..], &["--no-status-check", "--json"]].concat(),
        p.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["status_check"], "skipped by operator");
    assert_eq!(v["replay_check"], "checked");
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("status check skipped by operator"),
        "{v}"
    );
    let o = civitas_stdin(&[&args[..], &["--no-status-check"]].concat(), p.as_bytes());
    let text = stdout(&o);
    assert!(text.starts_with("VALID"), "{text}");
    assert!(
        text.contains("warning: status check skipped by operator"),
        "{text}"
    );
    // A policy file's "require_status": false is the same explicit opt-out, said alike.
    let policy = k.dir.join("policy.json");
    std::fs::write(&policy, r#"{"require_status": false}"#).unwrap();
    let o = civitas_stdin(
        &[&args[..], &["--policy", policy.to_str().unwrap(), "--json"]].concat(),
        p.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["status_check"], "skipped by operator");
    // "require_status": true never overrides the flag, and never relaxes anything.
    std::fs::write(&policy, r#"{"require_status": true}"#).unwrap();
    let o = civitas_stdin(
        &[&args[..], &["--policy", policy.to_str().unwrap(), "--json"]].concat(),
        p.as_bytes(),
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["code"], "status_unchecked", "{v}");
}

#[test]
fn a_status_source_that_cannot_answer_is_not_valid() {
    // --ledger names a ledger that does not hold the credential's status list: the
    // status was looked for and not found, which is its own refusal, even under
    // --no-status-check (the opt-out covers a missing source, never a failing one).
    let k = keys();
    let p = issue_with_status_and_present(&k);
    let db = k.dir.join("ledger.db");
    did_create(
        "issuers:someone",
        k.dir.join("someone").to_str().unwrap(),
        db.to_str().unwrap(),
        Some("2026-11-24T09:00:00Z"),
    );
    let o = civitas_stdin(
        &[
            "verify",
            "--trust",
            &k.issuer_did,
            "--ledger",
            db.to_str().unwrap(),
            "--nonce",
            "nonce-1",
            "--aud",
            "counter-7",
            "--at",
            AT,
            "--no-status-check",
            "--json",
        ],
        p.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["code"], "status_unavailable", "{v}");
}

#[test]
fn exit_status_two_for_usage_errors_and_unreadable_input() {
    let o = civitas(&["verify", "/nonexistent/presentation.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    let o = civitas_stdin(&["verify", "--at", "yesterday"], b"x~");
    assert_eq!(o.status.code(), Some(2));
    let o = civitas(&["verify", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn tamper_suite_through_the_cli() {
    let dir = tamper_dir();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let trust = m["trust"][0].as_str().unwrap();
    let args = |file: &str| {
        vec![
            "verify".to_string(),
            "--json".into(),
            "--trust".into(),
            trust.into(),
            "--nonce".into(),
            m["nonce"].as_str().unwrap().into(),
            "--aud".into(),
            m["aud"].as_str().unwrap().into(),
            "--at".into(),
            m["at"].as_str().unwrap().into(),
            dir.join(file).to_str().unwrap().into(),
        ]
    };
    let mut refused = 0;
    for case in m["cases"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let o = civitas_command().args(args(file)).output().unwrap();
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{file}: {e}"));
        if case["valid"].as_bool().unwrap() {
            assert_eq!(o.status.code(), Some(0), "{file}: {v}");
        } else {
            assert_eq!(o.status.code(), Some(1), "{file}");
            assert_eq!(v["valid"], false, "{file}");
            assert_eq!(v["code"], case["code"], "{file}: {v}");
            assert!(
                v["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{file}"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, 34, "the README's 34 malicious presentations");
}

#[test]
fn demo_tells_the_story_and_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let keep = tmp.path().join("demo");
    let o = civitas(&["demo", "--keep", keep.to_str().unwrap()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    for want in [
        "1. The city's ledger",
        "QR version 2",
        "Over 18: yes",
        "honest copy:   VALID, blood type O+",
        "NOT VALID: disclosure of 'blood_type'",
        "NOT VALID: wrong nonce",
        "NOT VALID: revoked",
        "Done:",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    // What it saved verifies with the CLI: the tampered copy is refused for its reason.
    let root = text.lines().find(|l| l.contains("--root")).unwrap();
    let args: Vec<&str> = root.split_whitespace().skip(1).collect();
    let o = civitas(&args.iter().copied().chain(["--json"]).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("unreferenced_disclosure") || stdout(&o).contains("key_binding_stale"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn help_reads_well() {
    let text = stdout(&civitas(&["verify", "--help"]));
    for want in [
        "--nonce",
        "--trust",
        "--at",
        "--json",
        "Exit status",
        "--no-replay-check",
        "--no-status-check",
        "Strict by default",
        "replay_check_missing",
        "status_unchecked",
    ] {
        assert!(text.contains(want), "{want}");
    }
    let top = stdout(&civitas(&["--help"]));
    assert!(top.contains("demo") && top.contains("verify"));
}
