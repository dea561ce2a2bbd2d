//! `civitas verify --ledger URL` against a lying node (issue 11, finding 2). The node
//! is a test double in front of a real `civitas ledger serve`: it forwards every
//! request and rewrites the answers an attack needs. A verifier pins the node's log
//! key, syncs it into a local replica and reads only the replica, so each lie is
//! either refused with its own code or has no effect; the honest node stays valid.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

mod support;
use support::{Served, civitas, civitas_command, did_create, last_line, ok, p, stderr};

const T: &str = "2025-06-01T10:00:00Z";
const AT_PRESENT: &str = "2025-06-01T10:10:00Z";
const AT_VERIFY: &str = "2025-06-01T10:10:30Z";

/// One HTTP answer.
#[derive(Clone)]
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(body: &str) -> Answer {
        Answer {
            status: 200,
            content_type: "text/plain; charset=utf-8".into(),
            body: body.as_bytes().to_vec(),
        }
    }
    fn json(v: &Value) -> Answer {
        Answer {
            status: 200,
            content_type: "application/json".into(),
            body: serde_json::to_vec(v).unwrap(),
        }
    }
    fn body_text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// `GET base + path_and_query`, as the node answers it.
fn forward(base: &str, path_and_query: &str) -> Answer {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let resp = reqwest::blocking::Client::new()
        .get(format!("{base}{path_and_query}"))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    Answer {
        status,
        content_type,
        body: resp.bytes().unwrap().to_vec(),
    }
}

type Handler = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

/// The lying node: a minimal HTTP/1.1 server on loopback answering each GET with
/// `handler(path_and_query)`. Its thread ends with the test process.
struct LyingNode {
    url: String,
}

impl LyingNode {
    fn start(handler: impl Fn(&str) -> Answer + Send + Sync + 'static) -> LyingNode {
        let handler: Handler = Arc::new(handler);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                std::thread::spawn(move || answer(stream, &handler));
            }
        });
        LyingNode { url }
    }
}

fn answer(mut stream: TcpStream, handler: &Handler) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let target = head.split(' ').nth(1).unwrap_or("/").to_string();
    let a = handler(&target);
    let _ = write!(
        stream,
        "HTTP/1.1 {} X\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        a.status,
        a.content_type,
        a.body.len()
    );
    let _ = stream.write_all(&a.body);
}

/// A root, city hall accredited by it with a status list, a holder with a PID from
/// city hall (status index 5), and its presentation, all on an embedded ledger file.
struct World {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    db: String,
    root: String,
    hall: String,
    uri: String,
    log_key: String,
}

fn accredit_hall(w: &World, db: &str) {
    ok(&[
        "accredit",
        "--keys",
        &p(&w.dir, "root"),
        "--subject",
        &w.hall,
        "--vct",
        "pid",
        "--name",
        "City Hall",
        "--ledger",
        db,
        "--at",
        T,
    ]);
}

/// The world; city hall is accredited unless `accredited` is false.
fn world(accredited: bool) -> World {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_path_buf();
    let db = p(&d, "ledger.db");
    let root = did_create("roots:city", &p(&d, "root"), &db, Some(T));
    let hall = did_create("issuers:city-hall", &p(&d, "hall"), &db, Some(T));
    ok(&[
        "accredit",
        "--keys",
        &p(&d, "root"),
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
    let uri = last_line(&ok(&[
        "status",
        "publish",
        "--keys",
        &p(&d, "hall"),
        "--name",
        "pid-2026",
        "--size",
        "100",
        "--ledger",
        &db,
        "--at",
        T,
    ]));
    ok(&["key", "generate", "-o", &p(&d, "holder.jwk")]);
    std::fs::write(
        d.join("pid.json"),
        r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,"personal_number":"A123456789"}"#,
    )
    .unwrap();
    let sd = ok(&[
        "issue",
        "--key",
        &p(&d, "hall/signing.jwk"),
        "--issuer",
        &hall,
        "--ledger",
        &db,
        "--vct",
        "pid",
        "--claims",
        &p(&d, "pid.json"),
        "--holder",
        &p(&d, "holder.jwk"),
        "--at",
        "2025-06-01T10:05:00Z",
        "--status-list",
        &uri,
        "--status-index",
        "5",
    ]);
    std::fs::write(d.join("pid.sdjwt"), sd).unwrap();
    let presentation = ok(&[
        "present",
        "--key",
        &p(&d, "holder.jwk"),
        "--disclose",
        "age_over_18",
        "--nonce",
        "n1",
        "--aud",
        "counter-7",
        "--at",
        AT_PRESENT,
        &p(&d, "pid.sdjwt"),
    ]);
    std::fs::write(d.join("p.txt"), presentation).unwrap();
    let status = ok(&["ledger", "status", "--ledger", &db]);
    let log_key = status
        .lines()
        .find_map(|l| l.strip_prefix("log key"))
        .unwrap()
        .trim()
        .to_string();
    let w = World {
        _tmp: tmp,
        dir: d,
        db,
        root,
        hall,
        uri,
        log_key,
    };
    if accredited {
        accredit_hall(&w, &w.db);
    }
    w
}

impl World {
    fn serve(&self, db: &str) -> Served {
        Served::start(&["ledger", "serve", "--db", db])
    }

    /// The node again, at the same URL (a replica is kept per node URL).
    fn restart_on(&self, port: u16) -> Served {
        let child = civitas_command()
            .args(["ledger", "serve", "--db", &self.db])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let served = Served {
            child,
            url: format!("http://127.0.0.1:{port}"),
            port,
        };
        support::wait_for(port);
        served
    }

    fn cache(&self, name: &str) -> String {
        p(&self.dir, name)
    }

    /// `civitas verify --json --ledger URL --root ROOT [extra]` of the presentation,
    /// with no key in the environment.
    fn verify(&self, url: &str, extra: &[&str]) -> Output {
        civitas_command()
            .args([
                "verify",
                "--json",
                "--ledger",
                url,
                "--root",
                &self.root,
                "--nonce",
                "n1",
                "--aud",
                "counter-7",
                "--at",
                AT_VERIFY,
            ])
            .args(extra)
            .arg(p(&self.dir, "p.txt"))
            .env_remove("CIVITAS_LEDGER_KEY")
            .env("XDG_DATA_HOME", self.dir.join("data"))
            .output()
            .unwrap()
    }

    /// Verified with the pinned key and the cache `cache`.
    fn verify_pinned(&self, url: &str, cache: &str) -> Output {
        self.verify(
            url,
            &["--ledger-key", &self.log_key, "--ledger-cache", cache],
        )
    }

    fn revoke(&self) {
        ok(&[
            "status",
            "revoke",
            "--keys",
            &p(&self.dir, "hall"),
            "--uri",
            &self.uri,
            "--index",
            "5",
            "--ledger",
            &self.db,
            "--at",
            "2025-06-01T10:08:00Z",
        ]);
    }
}

fn verdict(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stderr(o), String::from_utf8_lossy(&o.stdout)))
}

/// A refusal of the node: exit 1, no verdict at all, the code in brackets on stderr.
fn assert_refused(o: &Output, code: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(o.stdout.is_empty(), "no verdict for an unproven ledger");
    assert!(err.contains(&format!("[{code}]")), "want [{code}]: {err}");
}

fn replica_in(cache: &str) -> civitas_ledger::SqliteLedger {
    let file = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.extension().is_some_and(|x| x == "db"))
        .unwrap();
    civitas_ledger::SqliteLedger::open(&file, None, civitas_ledger::system_clock()).unwrap()
}

#[test]
fn an_honest_pinned_node_is_valid_and_the_replica_keeps_the_pin() {
    let w = world(true);
    let node = w.serve(&w.db);
    let cache = w.cache("cache");
    let o = w.verify_pinned(&node.url, &cache);
    let v = verdict(&o);
    assert_eq!(o.status.code(), Some(0), "{v} {}", stderr(&o));
    assert_eq!(v["valid"], true);
    assert_eq!(v["issuer"], w.hall.as_str());
    // Freshness is the signed checkpoint's time, from the verified replica.
    assert_eq!(v["ledger"]["role"], "replica");
    assert!(v["ledger"]["checkpoint_time"].is_string(), "{v}");
    // Later runs need no key: the replica holds the pin, and syncs incrementally.
    let port = node.port;
    drop(node);
    w.revoke();
    let node = w.restart_on(port);
    let o = w.verify(&node.url, &["--ledger-cache", &cache]);
    let v = verdict(&o);
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(v["code"], "revoked", "{v}");
    // The environment variable pins too.
    let o = civitas_command()
        .args([
            "verify",
            "--json",
            "--ledger",
            &node.url,
            "--root",
            &w.root,
            "--nonce",
            "n1",
            "--aud",
            "counter-7",
            "--at",
            AT_VERIFY,
            "--ledger-cache",
            &w.cache("cache-env"),
        ])
        .arg(p(&w.dir, "p.txt"))
        .env("CIVITAS_LEDGER_KEY", &w.log_key)
        .output()
        .unwrap();
    assert_eq!(verdict(&o)["code"], "revoked", "{}", stderr(&o));
}

#[test]
fn a_node_without_a_pinned_key_is_refused_naming_the_flag() {
    let w = world(true);
    let node = w.serve(&w.db);
    let o = w.verify(&node.url, &["--ledger-cache", &w.cache("cache")]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty());
    assert!(err.contains("--ledger-key"), "{err}");
    assert!(err.contains("[ledger_key_required]"), "{err}");
    // Nothing was pinned on the way.
    assert!(!Path::new(&w.cache("cache")).exists());
    // The default cache (in the data directory) too.
    let o = w.verify(&node.url, &[]);
    assert!(
        stderr(&o).contains("[ledger_key_required]"),
        "{}",
        stderr(&o)
    );
    // A key that is not a verifier key is a usage error naming the flag.
    let o = w.verify(&node.url, &["--ledger-key", "not-a-key"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("civitas: --ledger-key:"),
        "{}",
        stderr(&o)
    );
    // A replica pinned to one key refuses another.
    let cache = w.cache("cache2");
    assert_eq!(w.verify_pinned(&node.url, &cache).status.code(), Some(0));
    let other = tempfile::tempdir().unwrap();
    let other_db = p(other.path(), "other.db");
    did_create("people:x", &p(other.path(), "x"), &other_db, Some(T));
    let other_key = ok(&["ledger", "status", "--ledger", &other_db])
        .lines()
        .find_map(|l| l.strip_prefix("log key").map(|k| k.trim().to_string()))
        .unwrap();
    let o = w.verify(
        &node.url,
        &["--ledger-key", &other_key, "--ledger-cache", &cache],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("[log_key_mismatch]"), "{}", stderr(&o));
}

#[test]
fn a_node_that_signs_nothing_or_with_another_key_is_refused() {
    let w = world(true);
    let node = w.serve(&w.db);
    // Signs nothing: the checkpoint's signature lines are dropped (a note must have
    // one) or replaced by garbage from the pinned key's name and ID.
    let upstream = node.url.clone();
    let unsigned = LyingNode::start(move |path| {
        let a = forward(&upstream, path);
        if path.starts_with("/v1/checkpoint") {
            let note = a.body_text();
            let body = note.split("\n\n").next().unwrap();
            return Answer::text(&format!("{body}\n\n"));
        }
        a
    });
    let o = w.verify_pinned(&unsigned.url, &w.cache("c1"));
    assert_refused(&o, "checkpoint_unverified");
    let upstream = node.url.clone();
    let forged = LyingNode::start(move |path| {
        let a = forward(&upstream, path);
        if path.starts_with("/v1/checkpoint") {
            let note = a.body_text();
            let (body, sig) = note.split_once("\n\n").unwrap();
            let (name, b64) = sig.trim_end().rsplit_once(' ').unwrap();
            // Keep the key name and ID, flip the signature.
            let mut chars: Vec<char> = b64.chars().collect();
            chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
            let b64: String = chars.into_iter().collect();
            return Answer::text(&format!("{body}\n\n{name} {b64}\n"));
        }
        a
    });
    let o = w.verify_pinned(&forged.url, &w.cache("c2"));
    assert_refused(&o, "checkpoint_unverified");
    // Another ledger, with its own key, serving the same story.
    let other = tempfile::tempdir().unwrap();
    did_create(
        "people:x",
        &p(other.path(), "x"),
        &p(other.path(), "x.db"),
        Some(T),
    );
    let other_node = w.serve(&p(other.path(), "x.db"));
    let o = w.verify_pinned(&other_node.url, &w.cache("c3"));
    assert_refused(&o, "checkpoint_unverified");
    // The honest node, same key and presentation: valid.
    let o = w.verify_pinned(&node.url, &w.cache("c4"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn an_accreditation_not_in_the_tree_is_refused() {
    // City hall is not accredited: only the node says it is.
    let w = world(false);
    // A fork of the ledger, by the same operator key, where the root did accredit
    // city hall: a genuine root-signed accreditation entry that is not in the tree
    // the node signed (there, entry k is another status list).
    let fork = p(&w.dir, "fork.db");
    std::fs::copy(&w.db, &fork).unwrap();
    std::fs::copy(format!("{}.key", w.db), format!("{fork}.key")).unwrap();
    accredit_hall(&w, &fork);
    ok(&[
        "status",
        "publish",
        "--keys",
        &p(&w.dir, "hall"),
        "--name",
        "other",
        "--ledger",
        &w.db,
        "--at",
        T,
    ]);
    let node = w.serve(&w.db);
    let fork_node = w.serve(&fork);
    // 1. The node's derived JSON says city hall is accredited by the root.
    let upstream = node.url.clone();
    let (root, hall) = (w.root.clone(), w.hall.clone());
    let lying_json = LyingNode::start(move |path| {
        if path.starts_with("/v1/accreditations/") {
            return Answer::json(&serde_json::json!([{
                "index": 3, "id": "forged", "issuer": root, "subject": hall,
                "name": "City Hall", "vcts": ["https://civitas.example/credentials/pid/v1"],
                "nbf": 0, "exp": null, "delegate": false, "revoked_at": null
            }]));
        }
        forward(&upstream, path)
    });
    let o = w.verify_pinned(&lying_json.url, &w.cache("c1"));
    let v = verdict(&o);
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(v["code"], "untrusted_issuer", "{v}");
    // 2. The node serves the fork's entries under its signed checkpoint.
    let (upstream, forked) = (node.url.clone(), fork_node.url.clone());
    let lying_entries = LyingNode::start(move |path| {
        if path.starts_with("/v1/entries") {
            return forward(&forked, path);
        }
        forward(&upstream, path)
    });
    let o = w.verify_pinned(&lying_entries.url, &w.cache("c2"));
    assert_refused(&o, "inconsistent");
    assert!(stderr(&o).contains("hash to"), "{}", stderr(&o));
    // Nothing of it was kept.
    assert_eq!(
        civitas_ledger::LedgerReader::info(&replica_in(&w.cache("c2")))
            .unwrap()
            .size,
        0
    );
}

#[test]
fn an_old_status_list_is_refused_as_a_rollback() {
    let w = world(true);
    let node = w.serve(&w.db);
    let old_checkpoint = forward(&node.url, "/v1/checkpoint").body_text();
    let port = node.port;
    drop(node);
    w.revoke();
    let node = w.restart_on(port);
    // The node is honest until it is told to lie; the counter's replica is kept per
    // node URL.
    let lie = Arc::new(AtomicBool::new(false));
    let (upstream, lying) = (node.url.clone(), lie.clone());
    let rolling = LyingNode::start(move |path| {
        if path == "/v1/checkpoint" && lying.load(Ordering::SeqCst) {
            return Answer::text(&old_checkpoint);
        }
        forward(&upstream, path)
    });
    let cache = w.cache("cache");
    let o = w.verify_pinned(&rolling.url, &cache);
    assert_eq!(verdict(&o)["code"], "revoked", "{}", stderr(&o));
    // Now it serves its genuine, signed, older checkpoint: the list before the
    // revocation.
    lie.store(true, Ordering::SeqCst);
    let o = w.verify(&rolling.url, &["--ledger-cache", &cache]);
    assert_refused(&o, "rollback");
    let evidence = replica_in(&cache).evidence().unwrap();
    assert_eq!(evidence.len(), 1);
    assert_eq!(evidence[0].0, "rollback");
    // Honest again: "revoked".
    lie.store(false, Ordering::SeqCst);
    let o = w.verify(&rolling.url, &["--ledger-cache", &cache]);
    assert_eq!(verdict(&o)["code"], "revoked", "{}", stderr(&o));
}

#[test]
fn a_did_log_cut_short_is_refused_or_ignored() {
    let w = world(true);
    // City hall deactivates its DID: the last entry of its log.
    ok(&[
        "did",
        "deactivate",
        "--keys",
        &p(&w.dir, "hall"),
        "--ledger",
        &w.db,
        "--at",
        "2025-06-01T10:07:00Z",
    ]);
    let node = w.serve(&w.db);
    let honest = w.verify_pinned(&node.url, &w.cache("c0"));
    let honest = verdict(&honest);
    assert_eq!(honest["valid"], false, "{honest}");
    // 1. The node's DID log endpoints drop the deactivation.
    let upstream = node.url.clone();
    let cut_logs = LyingNode::start(move |path| {
        let a = forward(&upstream, path);
        if path.starts_with("/v1/dids/") || path.ends_with("/did.jsonl") {
            let text = a.body_text();
            let lines: Vec<&str> = text.lines().collect();
            return Answer::text(&(lines[..lines.len() - 1].join("\n") + "\n"));
        }
        a
    });
    let o = w.verify_pinned(&cut_logs.url, &w.cache("c1"));
    let v = verdict(&o);
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(
        v["code"], honest["code"],
        "the node's cut log is not used: {v}"
    );
    // 2. The node's entries stop short of its signed checkpoint.
    let upstream = node.url.clone();
    let cut_entries = LyingNode::start(move |path| {
        let a = forward(&upstream, path);
        if path.starts_with("/v1/entries") {
            let mut v: Value = serde_json::from_slice(&a.body).unwrap();
            v["entries"].as_array_mut().unwrap().pop();
            return Answer::json(&v);
        }
        a
    });
    let o = w.verify_pinned(&cut_entries.url, &w.cache("c2"));
    assert_refused(&o, "inconsistent");
}

#[test]
fn ledger_sync_needs_a_pinned_key_and_checks_it() {
    let w = world(true);
    let node = w.serve(&w.db);
    let copy = p(&w.dir, "copy.db");
    let o = civitas_command()
        .args(["ledger", "sync", "--from", &node.url, "--to", &copy])
        .env_remove("CIVITAS_LEDGER_KEY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--log-key"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("[ledger_key_required]"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new(&copy).exists());
    let other = tempfile::tempdir().unwrap();
    let other_db = p(other.path(), "x.db");
    did_create("people:x", &p(other.path(), "x"), &other_db, Some(T));
    let other_node = w.serve(&other_db);
    let o = civitas(&[
        "ledger",
        "sync",
        "--from",
        &other_node.url,
        "--to",
        &copy,
        "--log-key",
        &w.log_key,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("[checkpoint_unverified]"),
        "{}",
        stderr(&o)
    );
    ok(&[
        "ledger",
        "sync",
        "--from",
        &node.url,
        "--to",
        &copy,
        "--log-key",
        &w.log_key,
    ]);
}

/// The wall-clock time `seconds` from now, as `--at` takes it.
fn from_now(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `civitas verify --json --ledger ARG` of the presentation at time `at`, pinned.
fn verify_at(w: &World, ledger: &str, at: &str, extra: &[&str]) -> Output {
    civitas_command()
        .args(["verify", "--json", "--ledger", ledger, "--root", &w.root])
        .args(["--nonce", "n1", "--aud", "counter-7", "--at", at])
        .args([
            "--ledger-key",
            &w.log_key,
            "--ledger-cache",
            &w.cache("fresh"),
        ])
        .args(extra)
        .arg(p(&w.dir, "p.txt"))
        .env_remove("CIVITAS_LEDGER_KEY")
        .env("XDG_DATA_HOME", w.dir.join("data"))
        .output()
        .unwrap()
}

fn checkpoint_time(url: &str) -> i64 {
    let note = forward(url, "/v1/checkpoint").body_text();
    note.lines()
        .find_map(|l| l.strip_prefix("time "))
        .unwrap()
        .parse()
        .unwrap()
}

/// A node that stopped (or replays a genuine but old answer) is refused once its newest
/// signed checkpoint is older than the limit; a quiet node stays usable because it
/// re-signs its checkpoint; a synced copy has its own, longer limit.
#[test]
fn old_ledger_data_is_refused_and_an_idle_node_re_signs() {
    let w = world(true);
    let node = Served::start(&["ledger", "serve", "--db", &w.db, "--resign-every", "1"]);
    // Fresh: no refusal for age (the verdict is judged on the presentation).
    let o = verify_at(&w, &node.url, &from_now(0), &[]);
    assert!(!stderr(&o).contains("ledger_stale"), "{}", stderr(&o));
    assert!(!o.stdout.is_empty(), "{}", stderr(&o));
    // The same data seen an hour later: older than the node default of 10 minutes.
    let o = verify_at(&w, &node.url, &from_now(3600), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("[ledger_stale]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--max-ledger-age"), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "no verdict is printed: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    // An operator who accepts older data says so.
    let o = verify_at(&w, &node.url, &from_now(3600), &["--max-ledger-age", "2h"]);
    assert!(!stderr(&o).contains("ledger_stale"), "{}", stderr(&o));
    let o = verify_at(
        &w,
        &node.url,
        &from_now(0),
        &["--max-ledger-age", "2 weeks"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Idle, the node re-signs the same tree with a newer time.
    let first = checkpoint_time(&node.url);
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert!(checkpoint_time(&node.url) > first);
    // A synced copy (offline counter): 24 hours by default.
    let copy = w.cache("copy.db");
    ok(&[
        "ledger",
        "sync",
        "--from",
        &node.url,
        "--to",
        &copy,
        "--log-key",
        &w.log_key,
    ]);
    let o = verify_at(&w, &copy, &from_now(3600), &[]);
    assert!(!stderr(&o).contains("ledger_stale"), "{}", stderr(&o));
    let o = verify_at(&w, &copy, &from_now(2 * 86_400), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("[ledger_stale]"), "{}", stderr(&o));
    let o = verify_at(
        &w,
        &copy,
        &from_now(2 * 86_400),
        &["--max-ledger-age", "3d"],
    );
    assert!(!stderr(&o).contains("ledger_stale"), "{}", stderr(&o));
    // The embedded ledger the counter writes itself has no age.
    let o = verify_at(&w, &w.db, &from_now(30 * 86_400), &[]);
    assert!(!stderr(&o).contains("ledger_stale"), "{}", stderr(&o));
}
