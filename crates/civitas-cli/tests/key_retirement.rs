//! Issue 11, finding 1, through the `civitas` binary: a credential's issuer key is
//! judged by the issuer DID's current state, not by the `iat` the signer chose.
//!
//! - `did update` (default `--retire compromise`): every credential signed by the old
//!   key is refused (`issuer_key_retired`), anchored or not, backdated or not;
//! - `did update --retire routine`: credentials `civitas issue` anchored on the ledger
//!   before the update stay valid; one issued `--no-anchor`, or made afterwards with
//!   the old key and a backdated `iat`, is refused;
//! - `did deactivate`: everything is refused (`issuer_deactivated`);
//! - the ledger refuses entries signed by a retired key, whatever their `iat`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use serde_json::Value;
use std::path::Path;

mod support;
use support::{civitas, did_create, ok, p};

const T: &str = "2025-06-01T10:00:00Z";
const ROTATION: &str = "2025-06-01T11:00:00Z";
const AFTER: &str = "2025-06-01T11:30:00Z";

/// A ledger with a root that accredits city hall for PIDs, and a holder key.
struct Story {
    dir: tempfile::TempDir,
    db: String,
    root: String,
    hall: String,
}

impl Story {
    fn new() -> Story {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let db = p(d, "ledger.db");
        let root = did_create("roots:city", &p(d, "root"), &db, Some(T));
        let hall = did_create("issuers:city-hall", &p(d, "hall"), &db, Some(T));
        ok(&[
            "accredit",
            "--keys",
            &p(d, "root"),
            "--root",
            "--vct",
            "pid",
            "--ledger",
            &db,
            "--at",
            T,
        ]);
        ok(&[
            "accredit",
            "--keys",
            &p(d, "root"),
            "--subject",
            &hall,
            "--vct",
            "pid",
            "--ledger",
            &db,
            "--at",
            T,
        ]);
        ok(&["key", "generate", "-o", &p(d, "holder.jwk")]);
        std::fs::write(
            d.join("pid.json"),
            r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,"personal_number":"A123456789"}"#,
        )
        .unwrap();
        Story {
            dir,
            db,
            root,
            hall,
        }
    }

    fn d(&self) -> &Path {
        self.dir.path()
    }

    /// `civitas issue` by city hall's current key at `at`, saved as `name`.
    fn issue(&self, name: &str, at: &str, extra: &[&str]) {
        let d = self.d();
        let (key, claims, holder) = (
            p(d, "hall/signing.jwk"),
            p(d, "pid.json"),
            p(d, "holder.jwk"),
        );
        let mut args = vec![
            "issue", "--key", &key, "--issuer", &self.hall, "--ledger", &self.db, "--vct", "pid",
            "--claims", &claims, "--holder", &holder, "--at", at,
        ];
        args.extend(extra);
        let o = civitas(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let anchored = String::from_utf8_lossy(&o.stderr).contains("anchored on the ledger");
        assert_eq!(
            anchored,
            extra.is_empty(),
            "anchored by default, not with --no-anchor"
        );
        std::fs::write(d.join(name), &o.stdout).unwrap();
    }

    /// What a thief holding the old signing key makes: a PID under the old `kid`,
    /// dated `iat` (before the rotation), signed with the library (the CLI would refuse
    /// a key the DID no longer authorizes).
    fn forge(&self, name: &str, old_key: &Path, old_kid: &str, iat: i64) {
        let key = civitas_crypto::SigningKey::load(old_key).unwrap();
        // `key generate` wrote the holder's private JWK: its public part.
        let holder = civitas_crypto::SigningKey::load(&self.d().join("holder.jwk"))
            .unwrap()
            .public()
            .clone();
        let claims = civitas_credential::samples::pid_claims();
        let pid = civitas_credential::types::PID;
        let mut o = civitas_credential::IssueOptions::new(&self.hall, old_kid, pid.vct, iat);
        o.holder = Some(civitas_credential::HolderBinding::Jwk(holder));
        pid.configure(&mut o, &claims);
        let sd = civitas_credential::issue(&claims, &o, &key, &civitas_crypto::SystemRng).unwrap();
        std::fs::write(self.d().join(name), sd).unwrap();
    }

    /// Presents `name` and verifies it at `at` against the ledger, trusting the root:
    /// (exit code, verdict JSON).
    fn verify(&self, name: &str, at: &str) -> (Option<i32>, Value) {
        let d = self.d();
        let presentation = ok(&[
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
            &p(d, name),
        ]);
        let file = format!("{name}.presented");
        std::fs::write(d.join(&file), presentation).unwrap();
        let o = civitas(&[
            "verify",
            "--json",
            "--ledger",
            &self.db,
            "--root",
            &self.root,
            "--nonce",
            "n1",
            "--aud",
            "counter-7",
            "--at",
            at,
            &p(d, &file),
        ]);
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
        (o.status.code(), v)
    }

    /// `civitas did <what> --keys hall …` at the rotation time, with `extra` flags.
    fn change(&self, what: &str, extra: &[&str]) -> String {
        let keys = p(self.d(), "hall");
        let mut args = vec![
            "did", what, "--keys", &keys, "--ledger", &self.db, "--at", ROTATION,
        ];
        args.extend(extra);
        ok(&args)
    }

    /// A copy of the hall's current signing key and identity (what a thief takes).
    fn steal(&self, to: &str) -> (std::path::PathBuf, String) {
        let d = self.d();
        std::fs::create_dir_all(d.join(to)).unwrap();
        for f in ["signing.jwk", "identity.json"] {
            std::fs::copy(d.join("hall").join(f), d.join(to).join(f)).unwrap();
        }
        let id: Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("hall/identity.json")).unwrap())
                .unwrap();
        (
            d.join(to).join("signing.jwk"),
            id["kid"].as_str().unwrap().to_string(),
        )
    }
}

/// 2025-06-01T10:30:00Z: between issuance and the rotation.
const BACKDATED: i64 = 1_748_773_800;

fn assert_refused(v: &(Option<i32>, Value), code: &str, what: &str) {
    assert_eq!(v.0, Some(1), "{what}: {}", v.1);
    assert_eq!(v.1["valid"], false, "{what}: {}", v.1);
    assert_eq!(v.1["code"], code, "{what}: {}", v.1);
}

#[test]
fn after_a_compromise_rotation_nothing_the_old_key_signed_verifies() {
    let s = Story::new();
    s.issue("p1.sdjwt", "2025-06-01T10:05:00Z", &[]);
    let v = s.verify("p1.sdjwt", "2025-06-01T10:10:00Z");
    assert_eq!(v.0, Some(0), "valid before the rotation: {}", v.1);
    let (old_key, old_kid) = s.steal("thief");
    // The default is compromise, and the command says which.
    let said = s.change("update", &[]);
    assert!(said.contains("retired (compromise)"), "{said}");
    // Issued and anchored before the compromise: refused all the same.
    assert_refused(
        &s.verify("p1.sdjwt", AFTER),
        "issuer_key_retired",
        "anchored",
    );
    // The thief's credential, dated before the rotation.
    s.forge("forged.sdjwt", &old_key, &old_kid, BACKDATED);
    let v = s.verify("forged.sdjwt", AFTER);
    assert_refused(&v, "issuer_key_retired", "backdated");
    assert!(
        v.1["reason"].as_str().unwrap().contains("compromise"),
        "{}",
        v.1
    );
    // Even verified "as of" a time before the rotation: the current state decides.
    assert_refused(
        &s.verify("forged.sdjwt", "2025-06-01T10:40:00Z"),
        "issuer_key_retired",
        "verified as of before the rotation",
    );
    // The new key issues valid credentials.
    s.issue("p2.sdjwt", AFTER, &[]);
    assert_eq!(s.verify("p2.sdjwt", AFTER).0, Some(0));
}

#[test]
fn after_a_routine_rotation_only_what_was_anchored_before_it_verifies() {
    let s = Story::new();
    s.issue("anchored.sdjwt", "2025-06-01T10:05:00Z", &[]);
    s.issue("unanchored.sdjwt", "2025-06-01T10:06:00Z", &["--no-anchor"]);
    let (old_key, old_kid) = s.steal("thief");
    let said = s.change("update", &["--retire", "routine"]);
    assert!(said.contains("retired (routine)"), "{said}");
    let v = s.verify("anchored.sdjwt", AFTER);
    assert_eq!(
        v.0,
        Some(0),
        "issued and anchored before a routine rotation: {}",
        v.1
    );
    assert_eq!(v.1["valid"], true);
    let v = s.verify("unanchored.sdjwt", AFTER);
    assert_refused(&v, "issuer_key_retired", "not anchored");
    assert!(
        v.1["reason"]
            .as_str()
            .unwrap()
            .contains("no issuance anchor"),
        "{}",
        v.1
    );
    s.forge("forged.sdjwt", &old_key, &old_kid, BACKDATED);
    assert_refused(
        &s.verify("forged.sdjwt", AFTER),
        "issuer_key_retired",
        "backdated",
    );
    // The thief cannot anchor it now: the ledger refuses the retired key.
    let o = civitas(&[
        "issue",
        "--key",
        old_key.to_str().unwrap(),
        "--issuer",
        &s.hall,
        "--ledger",
        &s.db,
        "--vct",
        "pid",
        "--claims",
        &p(s.d(), "pid.json"),
        "--holder",
        &p(s.d(), "holder.jwk"),
        "--at",
        "2025-06-01T10:30:00Z",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty(), "no credential without its anchor");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not an assertion key"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_deactivated_issuer_refuses_even_a_backdated_credential() {
    let s = Story::new();
    s.issue("p1.sdjwt", "2025-06-01T10:05:00Z", &[]);
    let (old_key, old_kid) = s.steal("thief");
    s.change("deactivate", &[]);
    assert_refused(
        &s.verify("p1.sdjwt", AFTER),
        "issuer_deactivated",
        "issued before",
    );
    s.forge("forged.sdjwt", &old_key, &old_kid, BACKDATED);
    assert_refused(
        &s.verify("forged.sdjwt", AFTER),
        "issuer_deactivated",
        "backdated",
    );
}

#[test]
fn the_ledger_refuses_entries_by_a_retired_key_whatever_their_date() {
    let s = Story::new();
    let d = s.d();
    s.steal("thief");
    s.change("update", &["--retire", "routine"]);
    // A status list signed by the stolen key, dated before the rotation.
    let o = civitas(&[
        "status",
        "publish",
        "--keys",
        &p(d, "thief"),
        "--name",
        "pid-2026",
        "--size",
        "16",
        "--ledger",
        &s.db,
        "--at",
        "2025-06-01T10:30:00Z",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("was retired by version 2"), "{err}");
    // The root's key, stolen and rotated out, accrediting someone, backdated.
    let root_thief = "root-thief";
    std::fs::create_dir_all(d.join(root_thief)).unwrap();
    for f in ["signing.jwk", "identity.json"] {
        std::fs::copy(d.join("root").join(f), d.join(root_thief).join(f)).unwrap();
    }
    ok(&[
        "did",
        "update",
        "--keys",
        &p(d, "root"),
        "--ledger",
        &s.db,
        "--at",
        ROTATION,
    ]);
    let mallory = did_create("issuers:mallory", &p(d, "mallory"), &s.db, Some(T));
    let o = civitas(&[
        "accredit",
        "--keys",
        &p(d, root_thief),
        "--subject",
        &mallory,
        "--vct",
        "pid",
        "--ledger",
        &s.db,
        "--at",
        "2025-06-01T10:30:00Z",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("was retired by version 2"), "{err}");
    // The audit replays the log and agrees.
    ok(&["ledger", "audit", "--db", &s.db]);
}

#[test]
fn the_help_says_what_retire_does_and_its_default() {
    for what in ["update", "rotate"] {
        let help = ok(&["did", what, "--help"]);
        assert!(help.contains("--retire"), "{help}");
        assert!(help.contains("[default: compromise]"), "{help}");
        assert!(help.contains("routine"), "{help}");
    }
    let help = ok(&["issue", "--help"]);
    assert!(help.contains("--no-anchor"), "{help}");
}
