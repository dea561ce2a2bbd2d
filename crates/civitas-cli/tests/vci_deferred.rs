#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Deferred issuance and notifications through the binaries (issue 12, second slice):
//! `civitas issuer offer --deferred` → `civitas wallet receive` (pending) → `wallet
//! pending` → `wallet fetch` before approval (kept) → `civitas issuer approve` →
//! `wallet fetch` (stored, `credential_accepted` in the issuer's audit) → `wallet
//! present` → `verify` valid → `wallet delete` (`credential_deleted`); a rejected one
//! removed with its code; the access token never in the wallet's files.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

mod support;
use support::{Served, civitas, civitas_command, did_create, ok, stderr, stdout};

const PASS: &str = "correct horse battery staple";
const FAST_KDF: [&str; 6] = ["--kdf-memory", "19", "--kdf-time", "2", "--kdf-lanes", "1"];

/// A root accrediting a city hall for PIDs, the hall's issuer served, a wallet.
struct Desk {
    tmp: tempfile::TempDir,
    ledger: String,
    root: String,
    hall: String,
    hall_keys: String,
    db: String,
    _served: Served,
}

impl Desk {
    fn at(&self, name: &str) -> String {
        self.tmp.path().join(name).to_str().unwrap().to_string()
    }

    fn new() -> Desk {
        let tmp = tempfile::tempdir().unwrap();
        let at = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
        let ledger = at("ledger.db");
        let earlier = (chrono::Utc::now() - chrono::Duration::seconds(60)).to_rfc3339();
        let root_keys = at("root-keys");
        let root = did_create("root", &root_keys, &ledger, Some(&earlier));
        let hall_keys = at("hall-keys");
        let hall = did_create("city-hall", &hall_keys, &ledger, Some(&earlier));
        for args in [
            vec!["--root", "--vct", "pid", "--name", "City of Taipei"],
            vec!["--subject", &hall, "--vct", "pid", "--name", "City Hall"],
        ] {
            let mut a = vec!["accredit", "--keys", &root_keys, "--ledger", &ledger];
            a.extend(args);
            ok(&a);
        }
        let db = at("issuer.db");
        let served = Served::start(&[
            "issuer", "serve", "--keys", &hall_keys, "--ledger", &ledger, "--db", &db,
        ]);
        std::fs::write(
            at("pid.json"),
            r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,"nationality":"TW","personal_number":"A123456789"}"#,
        )
        .unwrap();
        let desk = Desk {
            tmp,
            ledger,
            root,
            hall,
            hall_keys,
            db,
            _served: served,
        };
        let words = desk.at("words.txt");
        let mut init = vec!["init", "--recovery-out", &words];
        init.extend(FAST_KDF);
        let o = desk.wallet(&init, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        desk
    }

    fn wallet(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = civitas_command();
        cmd.arg("wallet")
            .args(args)
            .args(["--wallet", &self.at("wallet"), "--ledger", &self.ledger])
            .env("CIVITAS_PASSPHRASE", PASS)
            .env_remove("CIVITAS_TX_CODE")
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn wallet_ok(&self, args: &[&str]) -> String {
        let o = self.wallet(args, &[]);
        assert!(
            o.status.success(),
            "wallet {args:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }

    /// `issuer offer --type pid [extra]` → (offer URI, PIN, offer id).
    fn offer(&self, extra: &[&str]) -> (String, String, String) {
        let claims = self.at("pid.json");
        let mut args = vec![
            "issuer", "offer", "--db", &self.db, "--type", "pid", "--claims", &claims, "--json",
        ];
        args.extend(extra);
        let offer: Value = serde_json::from_str(&ok(&args)).unwrap();
        (
            offer["offer_uri"].as_str().unwrap().to_string(),
            offer["tx_code"].as_str().unwrap().to_string(),
            offer["offer_id"].as_str().unwrap().to_string(),
        )
    }

    fn receive(&self, uri: &str, pin: &str) -> String {
        let o = self.wallet(
            &["receive", uri, "--root", &self.root],
            &[("CIVITAS_TX_CODE", pin)],
        );
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
        stdout(&o)
    }

    fn fetch(&self) -> Output {
        self.wallet(&["fetch", "--all", "--root", &self.root], &[])
    }

    fn pending(&self) -> Vec<Value> {
        serde_json::from_str::<Value>(&self.wallet_ok(&["pending", "--json"]))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    /// The issuer's audit events (`issuer audit --json --events`), `event` of each.
    fn events(&self) -> Vec<String> {
        let events: Value = serde_json::from_str(&ok(&[
            "issuer", "audit", "--db", &self.db, "--json", "--events",
        ]))
        .unwrap();
        events
            .as_array()
            .unwrap_or_else(|| panic!("{events}"))
            .iter()
            .map(|e| e["event"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// Every file of the wallet's directory.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            p.is_file().then(|| (p.clone(), std::fs::read(&p).unwrap()))
        })
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn deferred_pending_fetch_approve_fetch_present_verify_delete() {
    let desk = Desk::new();
    let (uri, pin, offer_id) = desk.offer(&["--deferred"]);

    // The wallet is told to come back later; the pending record is listed, no secret.
    let text = desk.receive(&uri, &pin);
    assert!(
        text.contains("pending: Personal ID from http://127.0.0.1:")
            && text.contains("run `civitas wallet fetch` later"),
        "{text}"
    );
    let pending = desk.pending();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0]["configuration_id"], "pid");
    assert!(pending[0].get("access_token").is_none());
    let listed = desk.wallet_ok(&["pending"]);
    assert!(listed.contains("Personal ID"), "{listed}");
    assert!(
        desk.wallet_ok(&["list"]).contains("No credentials yet"),
        "stored before approval"
    );

    // The pending record is sealed: none of its members (the access token, the
    // transaction id, the endpoint) is in the wallet's files in the clear, the WAL
    // included. (The wallet crate's test greps for the token itself.)
    for (path, bytes) in files(Path::new(&desk.at("wallet"))) {
        for needle in [
            &b"access_token"[..],
            b"transaction_id",
            b"deferred_credential",
        ] {
            assert!(
                !contains(&bytes, needle),
                "{needle:?} in {}",
                path.display()
            );
        }
    }

    // Fetch before approval: kept.
    let o = desk.fetch();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("still pending: Personal ID"),
        "{}",
        stdout(&o)
    );
    assert_eq!(desk.pending().len(), 1);

    // The clerk approves; the next fetch stores it, the issuer hears it was accepted.
    ok(&[
        "issuer",
        "approve",
        "--keys",
        &desk.hall_keys,
        "--ledger",
        &desk.ledger,
        "--db",
        &desk.db,
        &offer_id,
    ]);
    let o = desk.fetch();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("received: Personal ID as "),
        "{}",
        stdout(&o)
    );
    assert!(desk.pending().is_empty());
    assert!(
        desk.events().iter().any(|e| e == "credential_accepted"),
        "{:?}",
        desk.events()
    );
    let history = desk.wallet_ok(&["history"]);
    assert!(history.contains("(deferred)"), "{history}");
    assert!(history.contains("pending Personal ID from"), "{history}");

    // Presented at a counter, verified through the ledger.
    let out = desk.at("p.txt");
    desk.wallet_ok(&[
        "present",
        "--type",
        "pid",
        "--require",
        "age_over_18",
        "--nonce",
        "n-1",
        "--aud",
        "counter-1",
        "--yes",
        "-o",
        &out,
    ]);
    let o = civitas(&[
        "verify",
        "--nonce",
        "n-1",
        "--aud",
        "counter-1",
        "--root",
        &desk.root,
        "--ledger",
        &desk.ledger,
        "--json",
        &out,
    ]);
    let v: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(v["valid"], true, "{v} {}", stderr(&o));
    assert_eq!(v["issuer"], desk.hall.as_str());

    // Deleted: the issuer hears credential_deleted.
    let list: Value = serde_json::from_str(&desk.wallet_ok(&["list", "--json"])).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_string();
    let text = desk.wallet_ok(&["delete", &id]);
    assert!(text.contains("its issuer was told"), "{text}");
    assert!(
        desk.events().iter().any(|e| e == "credential_deleted"),
        "{:?}",
        desk.events()
    );
}

#[test]
fn a_rejected_deferred_credential_is_removed_with_its_code() {
    let desk = Desk::new();
    let (uri, pin, offer_id) = desk.offer(&["--deferred"]);
    desk.receive(&uri, &pin);
    assert_eq!(desk.pending().len(), 1);
    ok(&["issuer", "reject", "--db", &desk.db, &offer_id]);
    let o = desk.fetch();
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("refused: Personal ID")
            && stdout(&o).contains("(credential_request_denied)"),
        "{}",
        stdout(&o)
    );
    assert!(desk.pending().is_empty());
    let history = desk.wallet_ok(&["history"]);
    assert!(
        history.contains("refused: credential_request_denied"),
        "{history}"
    );
    assert!(desk.wallet_ok(&["list"]).contains("No credentials yet"));
}

#[test]
fn an_immediate_credential_is_acknowledged() {
    let desk = Desk::new();
    let (uri, pin, _) = desk.offer(&[]);
    let text = desk.receive(&uri, &pin);
    assert!(text.contains("over OpenID4VCI"), "{text}");
    assert!(
        desk.events().iter().any(|e| e == "credential_accepted"),
        "{:?}",
        desk.events()
    );
}

#[test]
fn a_credential_the_wallet_refuses_is_reported_to_the_issuer_and_not_stored() {
    let desk = Desk::new();
    let (uri, pin, _) = desk.offer(&[]);
    // No trusted root: the issuer's accreditation leads nowhere the wallet trusts.
    let o = desk.wallet(&["receive", &uri], &[("CIVITAS_TX_CODE", &pin)]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("issuer_not_accredited"),
        "{}",
        stderr(&o)
    );
    assert!(desk.wallet_ok(&["list"]).contains("No credentials yet"));
    let audit: Value = serde_json::from_str(&ok(&[
        "issuer", "audit", "--db", &desk.db, "--json", "--events",
    ]))
    .unwrap();
    let failure = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "credential_failure")
        .unwrap_or_else(|| panic!("{audit}"));
    let detail = failure["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("issuer_not_accredited"), "{detail}");
    assert!(!detail.contains("Mei-Ling") && !detail.contains("A123456789"));
}
