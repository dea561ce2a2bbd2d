#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `civitas wallet …` as a citizen (or a script) uses it, and the lost-device story
//! end to end through the binary: init → receive a PID and a medical summary (issuers
//! with did:webvh DIDs on the same embedded ledger) → present → `civitas verify`
//! passes → backup → restore on another "device" → rotate with the recovery words →
//! the old device's presentation is refused by `civitas verify`, the new one's passes.

use civitas_credential::{HolderBinding, IssueOptions, issue};
use civitas_crypto::SystemRng;
use civitas_ledger::{LedgerWriter, SqliteLedger};
use civitas_testkit::{Actor, HOST};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

mod support;
use support::{civitas_command, stderr, stdout};

const PASS: &str = "correct horse battery staple";
const FAST_KDF: [&str; 6] = ["--kdf-memory", "19", "--kdf-time", "2", "--kdf-lanes", "1"];

struct Env {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    ledger: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        Env {
            ledger: dir.join("ledger.db"),
            dir,
            _tmp: tmp,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// `civitas wallet <args> --wallet <dir>/<wallet> --ledger <ledger>`.
    fn wallet(
        &self,
        wallet: &str,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&[u8]>,
    ) -> Output {
        let mut cmd = civitas_command();
        cmd.arg("wallet")
            .args(args)
            .arg("--wallet")
            .arg(self.path(wallet))
            .arg("--ledger")
            .arg(&self.ledger)
            .env_remove("CIVITAS_PASSPHRASE")
            .env_remove("CIVITAS_NEW_PASSPHRASE")
            .env_remove("CIVITAS_RECOVERY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(bytes) = stdin {
            let _ = input.write_all(bytes);
        }
        drop(input);
        child.wait_with_output().unwrap()
    }

    fn ok(&self, wallet: &str, args: &[&str], env: &[(&str, &str)]) -> String {
        let o = self.wallet(wallet, args, env, None);
        assert!(
            o.status.success(),
            "civitas wallet {args:?} failed: {}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }

    fn verify(&self, presentation: &Path, nonce: &str, aud: &str, trust: &[&str]) -> (bool, Value) {
        let mut cmd = civitas_command();
        cmd.arg("verify")
            .args(["--nonce", nonce, "--aud", aud, "--json", "--ledger"])
            .arg(&self.ledger);
        for t in trust {
            cmd.args(["--trust", t]);
        }
        let o = cmd.arg(presentation).output().unwrap();
        let code = o.status.code().unwrap();
        assert!(code == 0 || code == 1, "verify: {}", stderr(&o));
        let json: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
        (code == 0, json)
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// City hall and a hospital with did:webvh DIDs on a fresh embedded ledger (made the
/// way the CLI makes it, with its checkpoint key beside it, so the CLI can append).
fn issuers(env: &Env) -> (Actor, Actor) {
    let ledger = SqliteLedger::embedded(&env.ledger, HOST, civitas_ledger::system_clock()).unwrap();
    let t = now() - 60;
    let (hall, e) = Actor::create("issuers:city-hall", t);
    ledger.append(&e).unwrap();
    let (hospital, e) = Actor::create("issuers:hospital", t);
    ledger.append(&e).unwrap();
    (hall, hospital)
}

fn medical(hospital: &Actor, did: &str) -> String {
    let claims = serde_json::json!({"blood_type": "O+", "allergies": ["penicillin"]});
    let claims = claims.as_object().unwrap();
    let mut o = IssueOptions::new(
        &hospital.did,
        &hospital.kid,
        civitas_testkit::MEDICAL,
        now() - 30,
    );
    o.holder = Some(HolderBinding::Did(format!("{did}#holder-1")));
    o.nested_sd = civitas_credential::types::MEDICAL.nested_sd_for(claims);
    issue(claims, &o, &hospital.key, &SystemRng).unwrap()
}

fn field<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {label} in {text}"))
}

#[test]
fn lost_device_story_through_the_cli() {
    let env = Env::new();
    let (hall, hospital) = issuers(&env);
    let pass = [("CIVITAS_PASSPHRASE", PASS)];

    // 1. init: the DID on the ledger, the recovery words in a file.
    let mut args = vec!["init", "--recovery-out"];
    let words_file = env.path("words.txt");
    args.push(words_file.to_str().unwrap());
    let qr_file = env.path("words.png");
    args.extend(["--recovery-qr", qr_file.to_str().unwrap()]);
    args.extend(FAST_KDF);
    let text = env.ok("phone", &args, &pass);
    let did = field(&text, "DID:").to_string();
    assert!(
        did.starts_with("did:webvh:") && did.contains(":citizens:"),
        "{text}"
    );
    let words = std::fs::read_to_string(&words_file).unwrap();
    assert_eq!(words.split_whitespace().count(), 24);
    assert!(std::fs::read(&qr_file).unwrap().starts_with(b"\x89PNG"));
    assert!(
        !text.contains(words.trim()),
        "words went to the file, not the screen"
    );
    // A second init is refused.
    let o = env.wallet(
        "phone",
        &[
            "init",
            "--kdf-memory",
            "19",
            "--kdf-time",
            "2",
            "--kdf-lanes",
            "1",
        ],
        &pass,
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already_initialized"), "{}", stderr(&o));

    // 2. receive a PID (a file) and a medical summary (a CIV1 payload pasted on stdin).
    let pid = hall.issue_pid(
        HolderBinding::Did(format!("{did}#holder-1")),
        now() - 30,
        None,
    );
    std::fs::write(env.path("pid.txt"), &pid).unwrap();
    let text = env.ok(
        "phone",
        &["receive", env.path("pid.txt").to_str().unwrap()],
        &pass,
    );
    assert!(text.contains("Received Personal ID as"), "{text}");
    assert!(text.contains(&hall.did));
    let payload = civitas_exchange::qr::encode_payload(&medical(&hospital, &did));
    let o = env.wallet("phone", &["receive", "-"], &pass, Some(payload.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Medical summary"));
    let list: Value = serde_json::from_str(&env.ok("phone", &["list", "--json"], &pass)).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let pid_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["vct"] == civitas_testkit::PID)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = env.ok("phone", &["show", &pid_id], &pass);
    assert!(shown.contains("Over 18: yes"), "{shown}");
    assert!(shown.contains("City: Taipei"), "{shown}");
    let shown = env.ok("phone", &["show", &pid_id, "--locale", "zh-TW"], &pass);
    assert!(shown.contains("個人身分證明"), "{shown}");

    // 3. present to a counter; `civitas verify` on the same ledger accepts it.
    let present = |wallet: &str, nonce: &str, out: &Path| -> Output {
        let passphrase = if wallet == "laptop" {
            "the laptop's own passphrase"
        } else {
            PASS
        };
        env.wallet(
            wallet,
            &[
                "present",
                "--type",
                "pid",
                "--require",
                "age_over_18",
                "--optional",
                "address.locality,nationality",
                "--drop",
                "nationality",
                "--nonce",
                nonce,
                "--aud",
                "counter-7",
                "--yes",
                "-o",
                out.to_str().unwrap(),
            ],
            &[("CIVITAS_PASSPHRASE", passphrase)],
            None,
        )
    };
    let p1 = env.path("p1.txt");
    let o = present("phone", "n-1", &p1);
    assert!(o.status.success(), "{}", stderr(&o));
    let consent = stderr(&o);
    assert!(consent.contains("counter-7 asks to see"), "{consent}");
    assert!(consent.contains("required  Over 18: yes"), "{consent}");
    assert!(consent.contains("declined  Nationality: TW"), "{consent}");
    let (valid, verdict) = env.verify(&p1, "n-1", "counter-7", &[&hall.did]);
    assert!(valid, "{verdict}");
    assert_eq!(verdict["claims"]["age_over_18"], true);
    assert_eq!(verdict["claims"]["address"]["locality"], "Taipei");
    assert!(verdict["claims"].get("nationality").is_none());
    assert!(verdict["claims"].get("given_name").is_none());
    // Without --yes and without a terminal, nothing is shown.
    let o = env.wallet(
        "phone",
        &[
            "present",
            "--type",
            "pid",
            "--require",
            "age_over_18",
            "--nonce",
            "x",
            "--aud",
            "y",
        ],
        &pass,
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--yes"));

    // 4. backup.
    let backup = env.path("backup.civitas");
    let text = env.ok("phone", &["backup", "-o", backup.to_str().unwrap()], &pass);
    assert!(text.contains("2 credentials"), "{text}");

    // 5. restore on the new device: a new passphrase, the words, the backup file.
    let mut args = vec!["restore", "--from", backup.to_str().unwrap()];
    args.extend(FAST_KDF);
    let new_pass = "the laptop's own passphrase";
    let text = env.ok(
        "laptop",
        &args,
        &[
            ("CIVITAS_RECOVERY", words.trim()),
            ("CIVITAS_NEW_PASSPHRASE", new_pass),
        ],
    );
    assert!(text.contains(&format!("Restored {did}")), "{text}");
    assert!(text.contains("rotate --recovery"), "{text}");
    let laptop = [("CIVITAS_PASSPHRASE", new_pass)];
    let status: Value =
        serde_json::from_str(&env.ok("laptop", &["status", "--json"], &laptop)).unwrap();
    assert_eq!(status["did"], did.as_str());
    assert_eq!(status["device_authorized"], false);
    assert_eq!(status["credentials"], 2);

    // 6. rotate with the recovery words (a new second: versionTime has 1 s resolution).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let o = env.wallet("laptop", &["rotate"], &laptop, None);
    assert_eq!(o.status.code(), Some(2), "--recovery is required");
    let wrong = "abandon ".repeat(23) + "art";
    let o = env.wallet(
        "laptop",
        &["rotate", "--recovery"],
        &[
            ("CIVITAS_PASSPHRASE", new_pass),
            ("CIVITAS_RECOVERY", &wrong),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("wrong_recovery_secret"),
        "{}",
        stderr(&o)
    );
    let text = env.ok(
        "laptop",
        &["rotate", "--recovery"],
        &[
            ("CIVITAS_PASSPHRASE", new_pass),
            ("CIVITAS_RECOVERY", words.trim()),
        ],
    );
    assert!(text.contains("Rotated"), "{text}");
    let status: Value =
        serde_json::from_str(&env.ok("laptop", &["status", "--json"], &laptop)).unwrap();
    assert_eq!(status["device_authorized"], true);

    // 7. The old phone's presentation is refused; the laptop's passes.
    let old = env.path("old.txt");
    let o = present("phone", "n-2", &old);
    assert!(o.status.success(), "{}", stderr(&o));
    let (valid, verdict) = env.verify(&old, "n-2", "counter-7", &[&hall.did]);
    assert!(!valid, "{verdict}");
    assert!(
        matches!(verdict["code"].as_str(), Some("holder_key_not_authorized")),
        "{verdict}"
    );
    eprintln!("old device: {}", verdict["reason"]);
    let new = env.path("new.txt");
    let o = present("laptop", "n-3", &new);
    assert!(o.status.success(), "{}", stderr(&o));
    let (valid, verdict) = env.verify(&new, "n-3", "counter-7", &[&hall.did]);
    assert!(valid, "{verdict}");

    // 8. The laptop's history: restored entries, the restore, the rotation, the
    //    presentations — claim names only.
    let history: Value =
        serde_json::from_str(&env.ok("laptop", &["history", "--json"], &laptop)).unwrap();
    assert_eq!(history["intact"], true);
    let events: Vec<&str> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "initialized",
            "received",
            "received",
            "presented",
            "restored",
            "rotated",
            "presented"
        ],
    );
    let text = serde_json::to_string(&history).unwrap();
    assert!(!text.contains("Taipei") && !text.contains("Mei-Ling"));
    let plain = env.ok("laptop", &["history"], &laptop);
    assert!(plain.contains("chain intact"), "{plain}");

    // 9. The citizen leaves: deactivation, then nothing verifies.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let text = env.ok(
        "laptop",
        &["deactivate", "--yes"],
        &[
            ("CIVITAS_PASSPHRASE", new_pass),
            ("CIVITAS_RECOVERY", words.trim()),
        ],
    );
    assert!(text.contains("Deactivated"), "{text}");
    let last = env.path("last.txt");
    assert!(present("laptop", "n-4", &last).status.success());
    let (valid, verdict) = env.verify(&last, "n-4", "counter-7", &[&hall.did]);
    assert!(!valid);
    assert_eq!(verdict["code"], "holder_key_not_authorized", "{verdict}");
}

#[test]
fn passphrase_errors_lock_and_help() {
    let env = Env::new();
    issuers(&env);
    let mut args = vec!["init", "--recovery-out"];
    let words = env.path("w.txt");
    args.push(words.to_str().unwrap());
    args.extend(FAST_KDF);
    env.ok("w", &args, &[("CIVITAS_PASSPHRASE", PASS)]);

    // unlock: checks the passphrase, tells what it means for a CLI.
    let text = env.ok("w", &["unlock"], &[("CIVITAS_PASSPHRASE", PASS)]);
    assert!(text.contains("Passphrase correct; vault intact"), "{text}");
    let o = env.wallet(
        "w",
        &["unlock"],
        &[("CIVITAS_PASSPHRASE", "wrong passphrase")],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("wrong passphrase (1 failed attempt(s) in a row) [wrong_passphrase]"),
        "{}",
        stderr(&o)
    );
    // No passphrase and no terminal: a usage error, not a hang.
    let o = env.wallet("w", &["list"], &[], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("CIVITAS_PASSPHRASE"));
    // Rate limiting across processes.
    for _ in 0..2 {
        env.wallet(
            "w",
            &["unlock"],
            &[("CIVITAS_PASSPHRASE", "wrong passphrase")],
            None,
        );
    }
    let o = env.wallet("w", &["unlock"], &[("CIVITAS_PASSPHRASE", PASS)], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("rate_limited"), "{}", stderr(&o));

    // passwd on a fresh wallet.
    let mut args = vec!["init", "--recovery-out"];
    let words2 = env.path("w2.txt");
    args.push(words2.to_str().unwrap());
    args.extend(FAST_KDF);
    env.ok("w2", &args, &[("CIVITAS_PASSPHRASE", PASS)]);
    env.ok(
        "w2",
        &["passwd"],
        &[
            ("CIVITAS_PASSPHRASE", PASS),
            ("CIVITAS_NEW_PASSPHRASE", "a brand new one"),
        ],
    );
    let o = env.wallet("w2", &["list"], &[("CIVITAS_PASSPHRASE", PASS)], None);
    assert!(stderr(&o).contains("wrong_passphrase"));
    let text = env.ok(
        "w2",
        &["list"],
        &[("CIVITAS_PASSPHRASE", "a brand new one")],
    );
    assert!(text.contains("No credentials yet"), "{text}");
    let text = env.ok("w2", &["lock"], &[]);
    assert!(text.contains("no process holds it open"), "{text}");
    let status = env.ok(
        "w2",
        &["status"],
        &[("CIVITAS_PASSPHRASE", "a brand new one")],
    );
    assert!(status.contains("authorizes this device's key"), "{status}");
    assert!(
        status.contains("history:      2 entries, intact"),
        "{status}"
    );

    // A missing wallet, a missing ledger.
    let o = env.wallet("nothing", &["list"], &[("CIVITAS_PASSPHRASE", PASS)], None);
    assert!(stderr(&o).contains("not_initialized"), "{}", stderr(&o));
    let o = civitas_command()
        .args(["wallet", "list", "--wallet"])
        .arg(env.path("w2"))
        .args(["--ledger"])
        .arg(env.path("no-such-ledger.db"))
        .env("CIVITAS_PASSPHRASE", "a brand new one")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no ledger at"), "{}", stderr(&o));

    // --help lists every command.
    let o = civitas_command()
        .args(["wallet", "--help"])
        .output()
        .unwrap();
    let help = stdout(&o);
    for cmd in [
        "init",
        "unlock",
        "status",
        "receive",
        "list",
        "show",
        "present",
        "history",
        "backup",
        "restore",
        "rotate",
        "deactivate",
        "passwd",
        "lock",
    ] {
        assert!(
            help.contains(&format!("  {cmd} ")),
            "{cmd} missing from:\n{help}"
        );
    }
}

#[test]
fn present_answers_the_request_url_a_counter_shows() {
    let env = Env::new();
    let (hall, _) = issuers(&env);
    let pass = [("CIVITAS_PASSPHRASE", PASS)];
    let mut args = vec!["init", "--recovery-out"];
    let words_file = env.path("words.txt");
    args.push(words_file.to_str().unwrap());
    args.extend(FAST_KDF);
    let did = field(&env.ok("phone", &args, &pass), "DID:").to_string();
    let pid = hall.issue_pid(
        HolderBinding::Did(format!("{did}#holder-1")),
        now() - 30,
        None,
    );
    std::fs::write(env.path("pid.txt"), &pid).unwrap();
    env.ok(
        "phone",
        &["receive", env.path("pid.txt").to_str().unwrap()],
        &pass,
    );
    // The counter's request, as `civitas request` prints it.
    let o = civitas_command()
        .args([
            "request",
            "--claims",
            "age_over_18",
            "--optional",
            "address.locality",
            "--no-terminal",
        ])
        .output()
        .unwrap();
    let url = stdout(&o).trim().lines().last().unwrap().to_string();
    let civitas_exchange::openid4vp::RequestUrl::ByValue(request) =
        civitas_exchange::openid4vp::RequestUrl::parse(&url).unwrap()
    else {
        panic!("{url}")
    };
    let out = env.path("answer.txt");
    let o = env.wallet(
        "phone",
        &[
            "present",
            "--request",
            &url,
            "--drop",
            "address.locality",
            "--yes",
            "-o",
            out.to_str().unwrap(),
        ],
        &pass,
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (valid, v) = env.verify(
        &out,
        request.nonce(),
        request.client_id().as_str(),
        &[&hall.did],
    );
    assert!(valid, "{v}");
    assert_eq!(v["claims"]["age_over_18"], true);
    assert!(
        v["claims"].get("address").is_none(),
        "the optional claim was dropped"
    );
}

/// Secrets from files instead of the environment (issue 11, finding 7: environment
/// variables are readable in /proc/PID/environ), and the accreditation a receive
/// reports (finding 5: a self-declared root's chosen name is not shown).
#[test]
fn secrets_from_files_and_a_self_declared_root() {
    let env = Env::new();
    let (hall, _) = issuers(&env);
    let pass_file = env.path("pass.txt");
    std::fs::write(&pass_file, format!("{PASS}\n")).unwrap();
    let pass_arg = ["--passphrase-file", pass_file.to_str().unwrap()];
    let words = env.path("words.txt");
    let mut args = vec!["init", "--recovery-out", words.to_str().unwrap()];
    args.extend(pass_arg);
    args.extend(FAST_KDF);
    let text = env.ok("w", &args, &[]);
    let did = field(&text, "DID:").to_string();
    // The trailing newline is not part of the passphrase; nor is a CRLF.
    let text = env.ok("w", &["unlock", pass_arg[0], pass_arg[1]], &[]);
    assert!(text.contains("Passphrase correct"), "{text}");
    let crlf = env.path("pass-crlf.txt");
    std::fs::write(&crlf, format!("{PASS}\r\n")).unwrap();
    env.ok(
        "w",
        &["unlock", "--passphrase-file", crlf.to_str().unwrap()],
        &[],
    );
    // The file wins over the environment.
    env.ok(
        "w",
        &["unlock", pass_arg[0], pass_arg[1]],
        &[("CIVITAS_PASSPHRASE", "not the passphrase")],
    );
    // A missing file: a clear input error (exit 2) naming the file.
    let missing = env.path("no-such-file.txt");
    let o = env.wallet(
        "w",
        &["unlock", "--passphrase-file", missing.to_str().unwrap()],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!(
            "cannot read the passphrase file {}: no such file",
            missing.display()
        )),
        "{}",
        stderr(&o)
    );
    // An empty file is not an empty passphrase.
    let empty = env.path("empty.txt");
    std::fs::write(&empty, "\n").unwrap();
    let o = env.wallet(
        "w",
        &["unlock", "--passphrase-file", empty.to_str().unwrap()],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is empty"), "{}", stderr(&o));
    // A wrong passphrase in a file is refused without being echoed.
    let wrong = env.path("wrong.txt");
    std::fs::write(&wrong, "my secret guess 4711\n").unwrap();
    let o = env.wallet(
        "w",
        &["unlock", "--passphrase-file", wrong.to_str().unwrap()],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("[wrong_passphrase]"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("4711") && !stdout(&o).contains("4711"));

    // Recovery words from a file: a missing one, damaged words (not echoed), the
    // real ones.
    let o = env.wallet(
        "w",
        &[
            "rotate",
            "--recovery",
            "--recovery-file",
            missing.to_str().unwrap(),
            pass_arg[0],
            pass_arg[1],
        ],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read the recovery words file"),
        "{}",
        stderr(&o)
    );
    let real = std::fs::read_to_string(&words).unwrap();
    let mut list: Vec<&str> = real.split_whitespace().collect();
    list[23] = "zzzsecretword";
    let damaged = env.path("damaged.txt");
    std::fs::write(&damaged, format!("{}\n", list.join(" "))).unwrap();
    let o = env.wallet(
        "w",
        &[
            "rotate",
            "--recovery",
            "--recovery-file",
            damaged.to_str().unwrap(),
            pass_arg[0],
            pass_arg[1],
        ],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("[invalid_recovery_words]"),
        "{}",
        stderr(&o)
    );
    // The planted unknown word is not echoed, nor is any run of three recovery words (a
    // single short word such as "act" may occur in plain English text by chance).
    let err = stderr(&o);
    assert!(!err.contains("zzzsecretword"), "{err}");
    for run in list.windows(3) {
        assert!(
            !err.contains(&run.join(" ")),
            "recovery words were echoed: {err}"
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let text = env.ok(
        "w",
        &[
            "rotate",
            "--recovery",
            "--recovery-file",
            words.to_str().unwrap(),
            pass_arg[0],
            pass_arg[1],
        ],
        &[],
    );
    assert!(text.contains("Rotated"), "{text}");
    // passwd: the current passphrase from one file, the new one from another.
    let new_file = env.path("new.txt");
    std::fs::write(&new_file, "a brand new passphrase\n").unwrap();
    env.ok(
        "w",
        &[
            "passwd",
            pass_arg[0],
            pass_arg[1],
            "--new-passphrase-file",
            new_file.to_str().unwrap(),
        ],
        &[],
    );
    env.ok(
        "w",
        &["unlock", "--passphrase-file", new_file.to_str().unwrap()],
        &[],
    );
    let new_arg = ["--passphrase-file", new_file.to_str().unwrap()];
    // A receipt that does not check out is refused and not stored (finding 6).
    let forged = env.path("receipt.jws");
    std::fs::write(&forged, "eyJhbGciOiJub25lIn0.e30.c2ln\n").unwrap();
    let o = env.wallet(
        "w",
        &[
            "history",
            "--attach",
            "1",
            "--receipt",
            forged.to_str().unwrap(),
            new_arg[0],
            new_arg[1],
        ],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("receipt refused (receipt_not_a_presentation)")
            && stderr(&o).contains("[receipt_refused]"),
        "{}",
        stderr(&o)
    );

    // The help says so.
    let o = civitas_command()
        .args(["wallet", "unlock", "--help"])
        .output()
        .unwrap();
    let help = stdout(&o);
    assert!(help.contains("--passphrase-file"), "{help}");
    assert!(help.contains("/proc/PID/environ"), "{help}");
    let o = civitas_command()
        .args(["wallet", "rotate", "--help"])
        .output()
        .unwrap();
    assert!(stdout(&o).contains("--recovery-file"), "{}", stdout(&o));

    // A rogue declares itself a root and accredits the city hall's twin under the
    // city hall's name: the wallet does not repeat that name.
    let ledger = SqliteLedger::embedded(&env.ledger, HOST, civitas_ledger::system_clock()).unwrap();
    let t = now() - 20;
    let (rogue, e) = Actor::create("issuers:rogue", t);
    ledger.append(&e).unwrap();
    let pid_vct = civitas_credential::types::PID.vct;
    ledger
        .append(
            &civitas_ledger::sign::root(rogue.signing(), &[pid_vct], Some("Ministry"), t).unwrap(),
        )
        .unwrap();
    let (twin, e) = Actor::create("issuers:twin", t);
    ledger.append(&e).unwrap();
    let spec =
        |subject: &'static str, name: &'static str| civitas_ledger::sign::AccreditationSpec {
            id: name,
            subject,
            name: Some(name),
            vcts: std::slice::from_ref(&pid_vct),
            nbf: None,
            exp: None,
            delegate: false,
        };
    let twin_did: &'static str = Box::leak(twin.did.clone().into_boxed_str());
    ledger
        .append(
            &civitas_ledger::sign::accreditation(
                rogue.signing(),
                &spec(twin_did, "Taipei City Hall"),
                t + 1,
            )
            .unwrap(),
        )
        .unwrap();
    // The city's root accredits the real city hall.
    let (city, e) = Actor::create("roots:city", t);
    ledger.append(&e).unwrap();
    ledger
        .append(&civitas_ledger::sign::root(city.signing(), &[pid_vct], Some("City"), t).unwrap())
        .unwrap();
    let hall_did: &'static str = Box::leak(hall.did.clone().into_boxed_str());
    ledger
        .append(
            &civitas_ledger::sign::accreditation(
                city.signing(),
                &spec(hall_did, "City hall registry"),
                t + 1,
            )
            .unwrap(),
        )
        .unwrap();
    drop(ledger);
    let binding = HolderBinding::Did(format!("{did}#holder-1"));
    std::fs::write(
        env.path("twin.txt"),
        twin.issue_pid(binding.clone(), now() - 5, None),
    )
    .unwrap();
    std::fs::write(
        env.path("hall.txt"),
        hall.issue_pid(binding, now() - 5, None),
    )
    .unwrap();
    let twin_path = env.path("twin.txt");
    let hall_path = env.path("hall.txt");
    let text = env.ok(
        "w",
        &[
            "receive",
            twin_path.to_str().unwrap(),
            "--root",
            &city.did,
            new_arg[0],
            new_arg[1],
        ],
        &[],
    );
    assert!(
        text.contains(
            "(self-declared, not accredited by a trusted root; its signature checks out)"
        ),
        "{text}"
    );
    assert!(!text.contains("Taipei City Hall"), "{text}");
    // Through a chain to the root given with --root, the city hall is named.
    let text = env.ok(
        "w",
        &[
            "receive",
            hall_path.to_str().unwrap(),
            "--root",
            &city.did,
            new_arg[0],
            new_arg[1],
        ],
        &[],
    );
    assert!(
        text.contains(&format!(
            "(accredited as City hall registry (trusted root {}); its signature checks out)",
            city.did
        )),
        "{text}"
    );
}
