//! Every service leaves a record (issue 12), through processes on loopback: a root
//! accredits city hall for PIDs and the household registration office for service
//! records; the office runs `civitas issuer serve`; the citizen's wallet holds a PID;
//! the office's counter (`civitas counter --issuer-db …`, and `counter serve`) verifies
//! the wallet's presentation and, after a VALID verdict only, offers a service record
//! bound to the citizen; `civitas wallet receive` with the PIN stores it and `wallet
//! show` lists its service facts. A refused presentation makes no offer; a counter
//! pointed at a missing or broken issuer database refuses to start.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use civitas_credential::Credential;
use civitas_crypto::SigningKey;
use civitas_exchange::openid4vp::{self, AuthorizationResponse, RequestUrl, VpToken};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod support;
use support::{Served, civitas, civitas_command, did_create, ok, serve_counter, stderr, stdout};

const PASS: &str = "correct horse battery staple";
const FAST_KDF: [&str; 6] = ["--kdf-memory", "19", "--kdf-time", "2", "--kdf-lanes", "1"];
const SERVICE: &str = "Household registration transcript";
const AGENCY: &str = "Household Registration Office";

/// The root, city hall, the office with its issuer served, and a wallet holding a PID.
struct Office {
    tmp: tempfile::TempDir,
    ledger: String,
    root: String,
    hall: String,
    hall_keys: String,
    office: String,
    db: String,
    wallet_did: String,
    /// The office's `issuer serve`, stopped when the test ends.
    _issuer: Served,
}

impl Office {
    fn at(&self, name: &str) -> String {
        self.tmp.path().join(name).to_str().unwrap().to_string()
    }

    fn new() -> Office {
        let tmp = tempfile::tempdir().unwrap();
        let at = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
        let ledger = at("ledger.db");
        let earlier = (chrono::Utc::now() - chrono::Duration::seconds(60)).to_rfc3339();
        let root_keys = at("root-keys");
        let root = did_create("root", &root_keys, &ledger, Some(&earlier));
        let hall_keys = at("hall-keys");
        let hall = did_create("city-hall", &hall_keys, &ledger, Some(&earlier));
        let office_keys = at("office-keys");
        let office = did_create("household-office", &office_keys, &ledger, Some(&earlier));
        for args in [
            vec![
                "--root",
                "--vct",
                "pid",
                "--vct",
                "service-record",
                "--name",
                "City of Taipei",
            ],
            vec!["--subject", &hall, "--vct", "pid", "--name", "City Hall"],
            vec![
                "--subject",
                &office,
                "--vct",
                "service-record",
                "--name",
                AGENCY,
            ],
        ] {
            let mut a = vec!["accredit", "--keys", &root_keys, "--ledger", &ledger];
            a.extend(args);
            ok(&a);
        }
        let db = at("office.db");
        let name = format!("en-US={AGENCY}");
        let issuer = Served::start(&[
            "issuer",
            "serve",
            "--keys",
            &office_keys,
            "--ledger",
            &ledger,
            "--db",
            &db,
            "--name",
            &name,
        ]);
        let mut o = Office {
            tmp,
            ledger,
            root,
            hall,
            hall_keys,
            office,
            db,
            wallet_did: String::new(),
            _issuer: issuer,
        };
        // The citizen's wallet, and a PID from city hall bound to its DID.
        let words = o.at("words.txt");
        let mut init = vec!["init", "--recovery-out", &words];
        init.extend(FAST_KDF);
        let text = o.wallet_ok(&init, &[]);
        o.wallet_did = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("DID:"))
            .unwrap()
            .trim()
            .to_string();
        std::fs::write(
            o.at("pid.json"),
            r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,"nationality":"TW","personal_number":"A123456789"}"#,
        )
        .unwrap();
        let pid = ok(&[
            "issue",
            "--key",
            &format!("{}/signing.jwk", o.hall_keys),
            "--issuer",
            &o.hall,
            "--ledger",
            &o.ledger,
            "--vct",
            "pid",
            "--claims",
            &o.at("pid.json"),
            "--holder",
            &o.wallet_did,
        ]);
        std::fs::write(o.at("pid.sdjwt"), pid).unwrap();
        o.wallet_ok(&["receive", &o.at("pid.sdjwt")], &[]);
        o
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

    fn wallet_ok(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let o = self.wallet(args, env);
        assert!(
            o.status.success(),
            "wallet {args:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }

    /// The wallet answers the counter's request with its PID: a CIV1: payload.
    fn present(&self, request_url: &str) -> String {
        let text = self.wallet_ok(
            &["present", "--request", request_url, "--yes", "--civ1"],
            &[],
        );
        text.lines()
            .find(|l| l.starts_with("CIV1"))
            .unwrap_or_else(|| panic!("no CIV1 payload in {text}"))
            .trim()
            .to_string()
    }

    /// The counter's arguments naming this office's issuer.
    fn counter_args(&self) -> Vec<String> {
        [
            "--claims",
            "age_over_18",
            "--root",
            &self.root,
            "--ledger",
            &self.ledger,
            "--issuer-db",
            &self.db,
            "--service",
            SERVICE,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// The issuer's open offers (`issuer pending --json`).
    fn pending(&self) -> Vec<Value> {
        let out = ok(&["issuer", "pending", "--db", &self.db, "--json"]);
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    /// `wallet receive URI` with the PIN, then the service record's details (`wallet
    /// show --json`).
    fn receive_record(&self, uri: &str, pin: &str) -> Value {
        let text = self.wallet_ok(
            &["receive", uri, "--root", &self.root],
            &[("CIVITAS_TX_CODE", pin)],
        );
        assert!(!text.contains(pin), "the PIN is echoed: {text}");
        let list: Value = serde_json::from_str(&self.wallet_ok(&["list", "--json"], &[])).unwrap();
        let record = list
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["vct"] == "https://civitas.example/credentials/service-record/v1")
            .unwrap_or_else(|| panic!("no service record in {list}"));
        assert_eq!(record["issuer"], self.office.as_str(), "{record}");
        let id = record["id"].as_str().unwrap();
        serde_json::from_str(&self.wallet_ok(&["show", id, "--json"], &[])).unwrap()
    }
}

/// The claims of `wallet show --json`, path → value.
fn claims_of(details: &Value) -> serde_json::Map<String, Value> {
    details["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["path"].as_str().unwrap().to_string(), c["value"].clone()))
        .collect()
}

/// Asserts a received service record holds this office's service facts, and nothing
/// the citizen presented.
fn assert_service_facts(details: &Value) {
    let claims = claims_of(details);
    assert_eq!(claims["service"], SERVICE, "{details}");
    assert_eq!(claims["agency"], AGENCY, "{details}");
    assert_eq!(claims["outcome"], "completed", "{details}");
    assert!(
        claims["reference"].as_str().unwrap().starts_with("SR-"),
        "{details}"
    );
    let requested = claims["requested_at"].as_str().unwrap();
    let completed = claims["completed_at"].as_str().unwrap();
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
    assert!(t(requested) <= t(completed), "{requested} > {completed}");
    assert!((chrono::Utc::now().timestamp() - t(completed)).abs() < 300);
    let mut names: Vec<&str> = claims.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "agency",
            "completed_at",
            "outcome",
            "reference",
            "requested_at",
            "service"
        ]
    );
    let text = details.to_string();
    for presented in ["Mei-Ling", "A123456789", "1958-03-14", "age_over_18"] {
        assert!(!text.contains(presented), "{presented} in {text}");
    }
}

/// The terminal counter, its standard output read line by line.
struct Counter {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

impl Counter {
    fn start(args: &[String]) -> Counter {
        let mut child = civitas_command()
            .arg("counter")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Counter {
            child,
            stdin,
            lines,
        }
    }

    fn until(&self, f: impl Fn(&str) -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("counter went quiet; saw:\n{}", seen.join("\n")));
            let done = f(&line);
            seen.push(line);
            if done {
                return seen;
            }
        }
    }

    /// The open request's URL.
    fn request(&self) -> String {
        self.until(|l| l.starts_with("openid4vp://"))
            .last()
            .unwrap()
            .clone()
    }

    /// Types a line as a wedge scanner does; everything shown up to the next request
    /// (after a valid verdict) or the refusal.
    fn scan(&mut self, text: &str) -> Vec<String> {
        self.stdin.write_all(text.as_bytes()).unwrap();
        self.stdin.write_all(b"\n").unwrap();
        self.stdin.flush().unwrap();
        self.until(|l| l.starts_with("NOT VALID:") || l.starts_with("openid4vp://"))
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_valid_presentation_at_the_counter_leaves_a_service_record_in_the_wallet() {
    let office = Office::new();
    let qr_dir = office.at("qr");
    let mut args = office.counter_args();
    args.extend(["--qr-dir".to_string(), qr_dir.clone()]);
    let mut counter = Counter::start(&args);
    let request = counter.request();

    // A refused presentation first: no offer, nothing new in the issuer's database.
    let before = office.pending().len();
    let shown = counter.scan("hello");
    assert!(
        shown.iter().any(|l| l.starts_with("NOT VALID:")),
        "{shown:?}"
    );
    assert!(
        !shown
            .iter()
            .any(|l| l.starts_with("openid-credential-offer://")),
        "{shown:?}"
    );
    assert_eq!(office.pending().len(), before);
    assert_eq!(before, 0);

    // The citizen's wallet answers: VALID, then the service record's offer and PIN.
    let payload = office.present(&request);
    let shown = counter.scan(&payload);
    let text = shown.join("\n");
    assert!(text.contains("Over 18: yes"), "{text}");
    let uri = shown
        .iter()
        .find(|l| l.starts_with("openid-credential-offer://"))
        .unwrap_or_else(|| panic!("no offer after a valid verdict:\n{text}"))
        .clone();
    let pin = shown
        .iter()
        .find_map(|l| l.strip_prefix("PIN "))
        .unwrap_or_else(|| panic!("no PIN:\n{text}"))
        .to_string();
    assert_eq!(pin.len(), 6);
    // Its QR code as a picture, as the terminal shows it.
    let pictures: Vec<_> = std::fs::read_dir(&qr_dir).unwrap().collect();
    assert_eq!(pictures.len(), 1);
    // The offer names the office's issuer and nothing the citizen presented.
    assert!(!uri.contains("Mei-Ling") && !uri.contains("A123456789"));
    let open = office.pending();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["configuration_id"], "service_record");

    // The citizen scans it and types the PIN: the record is in the wallet.
    let details = office.receive_record(&uri, &pin);
    assert_service_facts(&details);
    // The issuer bound it to the wallet that presented, and records it (no values).
    let audit: Value =
        serde_json::from_str(&ok(&["issuer", "audit", "--db", &office.db, "--json"])).unwrap();
    let rows = audit.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{audit}");
    assert_eq!(rows[0]["configuration_id"], "service_record");
    assert!(
        rows[0]["holder_kid"]
            .as_str()
            .is_some_and(|k| k.starts_with(&office.wallet_did)),
        "{audit}"
    );
    assert!(!audit.to_string().contains(SERVICE));

    // The same presentation again is a replay: refused, no second offer.
    let again = counter.scan(&payload);
    assert!(
        again
            .iter()
            .any(|l| l.starts_with("NOT VALID:") && l.contains("already used")),
        "{again:?}"
    );
    assert!(office.pending().is_empty());
}

#[test]
fn the_counters_page_shows_the_offer_to_the_clerk_only() {
    let office = Office::new();
    let args = office.counter_args();
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(["--agency", "Songshan Household Registration Office"]);
    let (served, token) = serve_counter(&all);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::new();
    let clerk = |method: &str, path: &str, body: Option<String>| -> (u16, Value) {
        let url = format!("{}{path}", served.url);
        let req = match body {
            Some(b) => client.post(url).body(b),
            None if method == "GET" => client.get(url),
            None => client.post(url),
        };
        let r = req.bearer_auth(&token).send().unwrap();
        (r.status().as_u16(), r.json().unwrap_or(Value::Null))
    };
    // A refused scan: a verdict without an offer.
    let (status, v) = clerk("POST", "/scan", Some("hello".into()));
    assert_eq!(status, 200);
    assert_eq!(v["valid"], false, "{v}");
    assert!(v.get("service_record").is_none(), "{v}");
    assert!(office.pending().is_empty());

    // The wallet's code, read by the page: VALID, with the offer's QR code and PIN.
    let (_, r) = clerk("GET", "/request", None);
    let payload = office.present(r["url"].as_str().unwrap());
    let (status, v) = clerk("POST", "/scan", Some(payload));
    assert_eq!(status, 200);
    assert_eq!(v["valid"], true, "{v}");
    let record = &v["service_record"];
    assert!(record["svg"].as_str().unwrap().contains("<svg"), "{v}");
    let uri = record["offer_uri"].as_str().unwrap().to_string();
    let pin = record["tx_code"].as_str().unwrap().to_string();
    // The page's poll sees it too — with the clerk's token only.
    let (_, last) = clerk("GET", "/last", None);
    assert_eq!(last["verdict"]["service_record"]["offer_uri"], uri.as_str());
    let r = client.get(format!("{}/last", served.url)).send().unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(!r.text().unwrap().contains(&pin));

    let details = office.receive_record(&uri, &pin);
    assert_eq!(
        claims_of(&details)["agency"],
        "Songshan Household Registration Office"
    );
    assert_eq!(claims_of(&details)["service"], SERVICE);
}

#[test]
fn a_counter_with_a_broken_issuer_database_does_not_start() {
    let office = Office::new();
    let start = |args: &[String]| {
        let o = civitas_command()
            .arg("counter")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (o.status.code(), stdout(&o), stderr(&o))
    };
    let with_db = |db: &str| {
        let mut a = office.counter_args();
        let i = a.iter().position(|x| x == "--issuer-db").unwrap();
        a[i + 1] = db.to_string();
        a
    };
    // Missing: refused at start, before any request is shown.
    let (code, out, err) = start(&with_db(&office.at("nowhere.db")));
    assert_ne!(code, Some(0));
    assert!(!out.contains("openid4vp://"), "{out}");
    assert!(err.contains("no issuer database"), "{err}");
    // A directory, and a file that is not a database.
    let (code, _, err) = start(&with_db(office.tmp.path().to_str().unwrap()));
    assert_ne!(code, Some(0));
    assert!(err.contains("no issuer database"), "{err}");
    std::fs::write(office.at("junk.db"), vec![0x5a; 4096]).unwrap();
    let (code, out, err) = start(&with_db(&office.at("junk.db")));
    assert_ne!(code, Some(0));
    assert!(!out.contains("openid4vp://"), "{out}");
    assert!(err.contains("junk.db"), "{err}");
    // No --service: a usage error.
    let mut a = office.counter_args();
    let i = a.iter().position(|x| x == "--service").unwrap();
    a.drain(i..i + 2);
    let (code, _, err) = start(&a);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--service"), "{err}");
    // The web counter refuses to start too.
    let o = civitas(&[
        "counter",
        "serve",
        "--claims",
        "age_over_18",
        "--root",
        &office.root,
        "--ledger",
        &office.ledger,
        "--issuer-db",
        &office.at("nowhere.db"),
        "--service",
        SERVICE,
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("/?k="), "{}", stdout(&o));
    assert!(stderr(&o).contains("no issuer database"), "{}", stderr(&o));
    // Without --issuer-db the counter behaves as before: no service-record options.
    let o = civitas(&["counter", "--service", SERVICE, "--claims", "age_over_18"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--issuer-db"), "{}", stderr(&o));
}

/// A PID bound to a key file (not to the wallet), as `civitas issue --holder FILE`.
fn pid_for_key(office: &Office) -> (SigningKey, Credential) {
    ok(&["key", "generate", "-o", &office.at("holder.jwk")]);
    let pid = ok(&[
        "issue",
        "--key",
        &format!("{}/signing.jwk", office.hall_keys),
        "--issuer",
        &office.hall,
        "--ledger",
        &office.ledger,
        "--vct",
        "pid",
        "--claims",
        &office.at("pid.json"),
        "--holder",
        &office.at("holder.jwk"),
    ]);
    (
        SigningKey::load(std::path::Path::new(&office.at("holder.jwk"))).unwrap(),
        Credential::parse(pid.trim()).unwrap(),
    )
}

#[test]
fn an_online_answer_gets_its_record_on_the_clerks_page_bound_to_the_key_that_presented() {
    let office = Office::new();
    let args = office.counter_args();
    let all: Vec<&str> = args.iter().map(String::as_str).collect();
    let (served, token) = serve_counter(&all);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::new();
    let (key, pid) = pid_for_key(&office);
    let r: Value = client
        .get(format!("{}/request", served.url))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let RequestUrl::ByValue(request) = RequestUrl::parse(r["url"].as_str().unwrap()).unwrap()
    else {
        panic!()
    };
    // A wallet posts its answer (direct_post): VALID.
    let wallet = [pid];
    let now = chrono::Utc::now().timestamp();
    let presentation = openid4vp::match_request(&request, &wallet)
        .present(&request, &wallet, "pid", &[], &key, now)
        .unwrap();
    let mut vp = VpToken::new();
    vp.insert("pid", vec![presentation]).unwrap();
    let body = AuthorizationResponse::for_request(&request, vp)
        .unwrap()
        .to_form();
    let r = client
        .post(format!("{}/response", served.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let answer = r.text().unwrap();
    // The wallet's answer does not carry the offer (its PIN is for the counter's screen).
    assert!(answer.contains("\"valid\":true"), "{answer}");
    assert!(!answer.contains("service_record"), "{answer}");
    assert!(!answer.contains("openid-credential-offer"), "{answer}");
    // The clerk's page has it.
    let last: Value = client
        .get(format!("{}/last", served.url))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let record = &last["verdict"]["service_record"];
    let uri = record["offer_uri"]
        .as_str()
        .unwrap_or_else(|| panic!("{last}"));
    let pin = record["tx_code"].as_str().unwrap();
    // It is bound to the key that presented: the civitas wallet (another key) is
    // refused with invalid_proof, and nothing is stored.
    let o = office.wallet(
        &["receive", uri, "--root", &office.root],
        &[("CIVITAS_TX_CODE", pin)],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("invalid_proof"), "{}", stderr(&o));
    let list: Value = serde_json::from_str(&office.wallet_ok(&["list", "--json"], &[])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
}

#[test]
fn the_counter_page_in_a_browser_shows_the_record_to_scan() {
    let office = Office::new();
    let args = office.counter_args();
    let all: Vec<&str> = args.iter().map(String::as_str).collect();
    let (served, token) = serve_counter(&all);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let r: Value = reqwest::blocking::Client::new()
        .get(format!("{}/request", served.url))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    // The wallet's code as a picture, uploaded on the clerk's page.
    let payload = office.present(r["url"].as_str().unwrap());
    std::fs::write(office.at("p.txt"), &payload).unwrap();
    ok(&[
        "qr",
        "encode",
        &office.at("p.txt"),
        "-o",
        &office.at("p.png"),
    ]);
    let shown = office.at("record.png");
    let v = support::offer_pages(&[
        "counter",
        &format!("{}/?k={token}", served.url),
        &office.at("p.png"),
        &shown,
    ]);
    assert_eq!(v["word"], "VALID", "{v}");
    let pin = v["pin"]
        .as_str()
        .unwrap()
        .strip_prefix("PIN ")
        .unwrap()
        .to_string();
    // The citizen scans the code on the clerk's screen.
    let decoded = ok(&["qr", "decode", &shown]);
    let details = office.receive_record(decoded.trim(), &pin);
    assert_service_facts(&details);
}
