//! A bounded load test of `civitas ledger serve` and `civitas counter serve`, as
//! processes on loopback: `CIVITAS_LOAD_REQUESTS` requests (10,000) from
//! `CIVITAS_LOAD_CLIENTS` concurrent clients (64), mixed — ledger appends, reads and
//! inclusion proofs; the counter's `/request`, `/last`, `/scan`, junk posts to
//! `/response` with and without the request's `state`, and real wallets' answers —
//! while hostile clients send oversized bodies (declared and chunked), never finish
//! their headers, or trickle a body a byte a second.
//!
//! It prints the figures (throughput, latency, each server's peak RSS from
//! `/proc/PID/status` `VmHWM`) and asserts the invariants: no server error or crash,
//! every acknowledged append is in the ledger afterwards (each receipt's index read
//! back, its leaf hash recomputed), oversized bodies refused with `413
//! body_too_large`, a client that never finishes its headers disconnected within the
//! header timeout, a trickled body refused with `408 request_timeout` within the body
//! timeout, and each server's peak RSS under [`RSS_BOUND_MIB`].
//!
//! ```text
//! cargo bench -p civitas-cli --bench load          # release build
//! cargo test -p civitas-cli --bench load           # the same run, debug build
//! ```
//!
//! It takes about 45 s after the build (the body timeout, 30 s, is the longest wait).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    clippy::zombie_processes
)]

#[path = "../tests/support/mod.rs"]
mod support;

use civitas_credential::Credential;
use civitas_crypto::SigningKey;
use civitas_exchange::openid4vp::{
    self, AuthorizationRequest, AuthorizationResponse, RequestUrl, VpToken,
};
use civitas_ledger::http::server::Limits;
use civitas_ledger::{Entry, leaf_hash};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Served, did_create, ok, p, serve_counter};

/// Each server's peak resident memory must stay under this. The node holds at most
/// `Limits::body_budget` (64 MiB) of request bodies, `max_connections` (256) read
/// buffers of at most 64 KiB (16 MiB), SQLite's page cache and the binary (about
/// 30 MiB together); the counter's budget is 32 MiB. 256 MiB leaves room for the
/// allocator's slack and the parsed JSON of bodies in flight, and is an order of
/// magnitude below what unbounded buffering of this run's hostile clients would take.
const RSS_BOUND_MIB: u64 = 256;
/// Slack on top of a server timeout before a hostile client's wait counts as a failure.
const SLACK: Duration = Duration::from_secs(5);

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What a client does once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Op {
    Append,
    LedgerRead,
    Proof,
    Request,
    Last,
    Scan,
    JunkWithState,
    JunkWithoutState,
    Answer,
}

const MIX: [(Op, usize); 9] = [
    (Op::Append, 15),
    (Op::LedgerRead, 25),
    (Op::Proof, 15),
    (Op::Request, 10),
    (Op::Last, 10),
    (Op::Scan, 8),
    (Op::JunkWithState, 8),
    (Op::JunkWithoutState, 6),
    (Op::Answer, 3),
];

/// A small deterministic generator (xorshift), so runs are comparable.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn ops(n: usize) -> Vec<Op> {
    let total: usize = MIX.iter().map(|(_, w)| w).sum();
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|_| {
            let mut pick = rng.below(total);
            for (op, w) in MIX {
                if pick < w {
                    return op;
                }
                pick -= w;
            }
            unreachable!()
        })
        .collect()
}

fn vm_hwm_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024
}

/// The counter's world: a ledger file with city hall's DID, a holder and its PID.
struct World {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    db: String,
    issuer: String,
}

fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_path_buf();
    let db = p(&d, "counter-ledger.db");
    let issuer = did_create("issuers:city-hall", &p(&d, "hall"), &db, None);
    ok(&["key", "generate", "-o", &p(&d, "holder.jwk")]);
    std::fs::write(
        d.join("pid.json"),
        serde_json::to_string(&json!({
            "given_name": "Mei-Ling", "family_name": "Chen", "birthdate": "1958-03-14",
            "age_over_18": true, "personal_number": "A123456789"
        }))
        .unwrap(),
    )
    .unwrap();
    let sd = ok(&[
        "issue",
        "--key",
        &p(&d, "hall/signing.jwk"),
        "--issuer",
        &issuer,
        "--ledger",
        &db,
        "--vct",
        "pid",
        "--claims",
        &p(&d, "pid.json"),
        "--holder",
        &p(&d, "holder.jwk"),
    ]);
    std::fs::write(d.join("pid.sdjwt"), sd).unwrap();
    World {
        _tmp: tmp,
        dir: d,
        db,
        issuer,
    }
}

/// Shared by the clients.
struct Run {
    ledger: String,
    counter: String,
    token: String,
    ops: Vec<Op>,
    next: AtomicUsize,
    entries: Mutex<Vec<Entry>>,
    seeded: u64,
    seeded_dids: Vec<String>,
    holder: SigningKey,
    credential: Credential,
    /// (index, leaf hash, entry) of every acknowledged append.
    acknowledged: Mutex<Vec<(u64, String, Entry)>>,
    /// Per op: count, total latency, worst latency, unexpected answers.
    stats: Mutex<std::collections::HashMap<Op, (usize, Duration, Duration)>>,
    failures: Mutex<Vec<String>>,
}

impl Run {
    fn fail(&self, what: String) {
        let mut f = self.failures.lock().unwrap();
        if f.len() < 20 {
            eprintln!("FAIL {what}");
        }
        f.push(what);
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

fn json_of(r: reqwest::blocking::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

/// The open request, read as the clerk's page reads it.
fn open_request(run: &Run, c: &reqwest::blocking::Client) -> Option<AuthorizationRequest> {
    let (status, r) = json_of(
        c.get(format!("{}/request", run.counter))
            .bearer_auth(&run.token)
            .send()
            .ok()?,
    );
    if status != 200 {
        run.fail(format!("GET /request: {status} {r}"));
        return None;
    }
    match RequestUrl::parse(r["url"].as_str()?).ok()? {
        RequestUrl::ByValue(req) => Some(req),
        _ => None,
    }
}

fn one(run: &Run, c: &reqwest::blocking::Client, op: Op, rng: &mut Xorshift) {
    let form = |body: String| {
        c.post(format!("{}/response", run.counter))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let result: Result<(), String> = (|| {
        match op {
            Op::Append => {
                let Some(entry) = run.entries.lock().unwrap().pop() else {
                    return Ok(());
                };
                let body = json!({ "entries": [entry] });
                let (status, v) = json_of(
                    c.post(format!("{}/v1/entries", run.ledger))
                        .json(&body)
                        .send()
                        .map_err(|e| e.to_string())?,
                );
                let receipt = &v["results"][0]["receipt"];
                if status != 200 || !receipt.is_object() {
                    return Err(format!("append: {status} {v}"));
                }
                run.acknowledged.lock().unwrap().push((
                    receipt["index"].as_u64().unwrap(),
                    receipt["leaf_hash"].as_str().unwrap().to_string(),
                    entry,
                ));
            }
            Op::LedgerRead => {
                let path = match rng.below(4) {
                    0 => "/v1/checkpoint".to_string(),
                    1 => "/v1/info".to_string(),
                    2 => {
                        let start = rng.below(run.seeded as usize - 10);
                        format!("/v1/entries?start={start}&end={}", start + 10)
                    }
                    _ => format!(
                        "/v1/dids/{}/log",
                        run.seeded_dids[rng.below(run.seeded_dids.len())]
                    ),
                };
                let r = c
                    .get(format!("{}{path}", run.ledger))
                    .send()
                    .map_err(|e| e.to_string())?;
                if r.status() != 200 {
                    return Err(format!("GET {path}: {}", r.status()));
                }
                let _ = r.bytes();
            }
            Op::Proof => {
                let index = rng.below(run.seeded as usize);
                let (status, v) = json_of(
                    c.get(format!(
                        "{}/v1/proof/inclusion?index={index}&size={}",
                        run.ledger, run.seeded
                    ))
                    .send()
                    .map_err(|e| e.to_string())?,
                );
                if status != 200 || !v["proof"].is_array() {
                    return Err(format!("proof: {status} {v}"));
                }
            }
            Op::Request => {
                open_request(run, c).ok_or("no request")?;
            }
            Op::Last => {
                let (status, v) = json_of(
                    c.get(format!("{}/last", run.counter))
                        .bearer_auth(&run.token)
                        .send()
                        .map_err(|e| e.to_string())?,
                );
                if status != 200 || !v["seq"].is_u64() {
                    return Err(format!("last: {status} {v}"));
                }
            }
            Op::Scan => {
                let (status, v) = json_of(
                    c.post(format!("{}/scan", run.counter))
                        .bearer_auth(&run.token)
                        .body("CIV1:not-a-code")
                        .send()
                        .map_err(|e| e.to_string())?,
                );
                if status != 200 || v["valid"] != false {
                    return Err(format!("scan: {status} {v}"));
                }
            }
            Op::JunkWithState => {
                let request = open_request(run, c).ok_or("no request")?;
                let body = format!(
                    "vp_token=%7B%22pid%22%3A%5B%22a.b.c~%22%5D%7D&state={}",
                    request.state().unwrap_or_default()
                );
                let (status, v) = json_of(form(body).send().map_err(|e| e.to_string())?);
                // Refused (malformed, or a state renewed meanwhile), never burning.
                if status != 400 && v["verdict"]["valid"] != false {
                    return Err(format!("junk with state: {status} {v}"));
                }
            }
            Op::JunkWithoutState => {
                let (status, v) = json_of(
                    form("error=access_denied".into())
                        .send()
                        .map_err(|e| e.to_string())?,
                );
                if status != 400 || v["code"] != "state_missing" {
                    return Err(format!("error without state: {status} {v}"));
                }
            }
            Op::Answer => {
                let request = open_request(run, c).ok_or("no request")?;
                let wallet = [run.credential.clone()];
                let now = chrono::Utc::now().timestamp();
                let presentation = openid4vp::match_request(&request, &wallet)
                    .present(&request, &wallet, "pid", &[], &run.holder, now)
                    .map_err(|e| e.to_string())?;
                let mut vp = VpToken::new();
                vp.insert("pid", vec![presentation]).unwrap();
                let body = AuthorizationResponse::for_request(&request, vp)
                    .unwrap()
                    .to_form();
                let (status, v) = json_of(form(body).send().map_err(|e| e.to_string())?);
                // Valid, or another client's answer spent the request first.
                let ok = (status == 200 && v["verdict"]["valid"] == true)
                    || (status == 400 && v["code"] == "replay");
                if !ok {
                    return Err(format!("answer: {status} {v}"));
                }
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        run.fail(format!("{op:?}: {e}"));
    }
}

/// Sends `head` (and `body`, `delay` apart per byte), then reads until the server
/// answers or closes; the response (empty if closed without one) and the wait.
fn raw(port: u16, head: &str, body: &[u8], delay: Duration) -> (String, Duration) {
    let t = Instant::now();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let _ = s.write_all(head.as_bytes());
    if delay.is_zero() {
        let _ = s.write_all(body);
    } else {
        let reader = s.try_clone().unwrap();
        // Trickle from another thread; the answer may come while it still writes.
        let body = body.to_vec();
        std::thread::spawn(move || {
            let mut w = reader;
            for b in body {
                if w.write_all(&[b]).is_err() {
                    break;
                }
                std::thread::sleep(delay);
            }
        });
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                if complete(&got) {
                    break;
                }
            }
        }
    }
    (String::from_utf8_lossy(&got).to_string(), t.elapsed())
}

/// Whether `got` holds a whole response: its head and `content-length` bytes of body.
fn complete(got: &[u8]) -> bool {
    let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    got.len() >= end + 4 + length
}

fn status_line(response: &str) -> String {
    response.lines().next().unwrap_or_default().to_string()
}

/// A chunked upload of `total` bytes; the status line the server answers with.
fn chunked(port: u16, path: &str, total: usize) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let _ = s.write_all(head.as_bytes());
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let frame = format!("{:x}\r\n", chunk.len());
        if s.write_all(frame.as_bytes()).is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
        sent += chunk.len();
    }
    let _ = s.write_all(b"0\r\n\r\n");
    let mut got = Vec::new();
    let _ = s.take(4096).read_to_end(&mut got);
    String::from_utf8_lossy(&got)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let n = env("CIVITAS_LOAD_REQUESTS", 10_000);
    let clients = env("CIVITAS_LOAD_CLIENTS", 64).max(1);
    let limits = Limits::node();

    // The ledger node, seeded with 200 DIDs for reads and proofs.
    let w = world();
    let now = chrono::Utc::now().timestamp();
    let ledger_db = p(&w.dir, "node.db");
    let node = Served::start(&[
        "ledger",
        "serve",
        "--db",
        &ledger_db,
        "--host",
        civitas_testkit::HOST,
    ]);
    let appends = MIX[0].1 * n / MIX.iter().map(|(_, w)| w).sum::<usize>() + 64;
    eprintln!("making {} did:webvh genesis entries…", appends + 200);
    let t = Instant::now();
    let mut entries: Vec<Entry> = (0..appends + 200)
        .map(|i| civitas_testkit::Actor::create(&format!("load:{i}"), now).1)
        .collect();
    eprintln!("  ({:.1} s)", t.elapsed().as_secs_f64());
    let c = client();
    let seed: Vec<Entry> = entries.split_off(appends);
    let (status, v) = json_of(
        c.post(format!("{}/v1/entries", node.url))
            .json(&json!({ "entries": seed }))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{v}");
    let seeded_dids: Vec<String> = seed
        .iter()
        .map(|e| {
            let Entry::DidLog { line } = e else { panic!() };
            let v: Value = serde_json::from_str(line).unwrap();
            v["state"]["id"].as_str().unwrap().to_string()
        })
        .collect();
    let (_, info) = json_of(c.get(format!("{}/v1/info", node.url)).send().unwrap());
    let seeded = info["size"].as_u64().unwrap();
    assert!(seeded >= 200, "{info}");

    // The counter.
    let (counter, token) = serve_counter(&[
        "--claims",
        "age_over_18",
        "--trust",
        &w.issuer,
        "--ledger",
        &w.db,
    ]);
    let credential =
        Credential::parse(&std::fs::read_to_string(w.dir.join("pid.sdjwt")).unwrap()).unwrap();
    let holder = SigningKey::load(&w.dir.join("holder.jwk")).unwrap();

    let run = Arc::new(Run {
        ledger: node.url.clone(),
        counter: counter.url.clone(),
        token,
        ops: ops(n),
        next: AtomicUsize::new(0),
        entries: Mutex::new(entries),
        seeded,
        seeded_dids,
        holder,
        credential,
        acknowledged: Mutex::new(Vec::new()),
        stats: Mutex::new(std::collections::HashMap::new()),
        failures: Mutex::new(Vec::new()),
    });

    // Hostile clients, alongside the load.
    let hostile: Vec<std::thread::JoinHandle<(String, String, Duration)>> = {
        let mut h = Vec::new();
        for (name, port) in [("ledger", node.port), ("counter", counter.port)] {
            // Headers never finished: 16 per server.
            for _ in 0..16 {
                h.push(std::thread::spawn(move || {
                    let (response, took) = raw(
                        port,
                        "GET /v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
                        b"",
                        Duration::ZERO,
                    );
                    (format!("{name}: unfinished headers"), response, took)
                }));
            }
            // A body trickled a byte a second: 4 per server.
            let path = if name == "ledger" {
                "/v1/entries"
            } else {
                "/response"
            };
            for _ in 0..4 {
                h.push(std::thread::spawn(move || {
                    let head = format!(
                        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
                    );
                    let (response, took) = raw(port, &head, &[b'a'; 100], Duration::from_secs(1));
                    (format!("{name}: trickled body"), response, took)
                }));
            }
        }
        h
    };

    // Oversized bodies: declared, and chunked.
    let t = Instant::now();
    let over = limits.max_body + 1024 * 1024;
    let (declared, took) = raw(
        node.port,
        &format!(
            "POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {over}\r\n\r\n"
        ),
        b"{",
        Duration::ZERO,
    );
    eprintln!(
        "ledger, {over} bytes declared: {} after {took:?}",
        status_line(&declared)
    );
    assert!(status_line(&declared).contains(" 413 "), "{declared}");
    assert!(
        declared.contains(r#""code":"body_too_large""#),
        "{declared}"
    );
    assert!(took < Duration::from_secs(2), "not refused before reading");
    let streamed = chunked(node.port, "/v1/entries", over);
    eprintln!("ledger, {over} bytes chunked: {streamed}");
    assert!(streamed.contains(" 413 "), "{streamed}");
    let counter_over = 13 * 1024 * 1024;
    let (declared, _) = raw(
        counter.port,
        &format!(
            "POST /response HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {counter_over}\r\n\r\n"
        ),
        b"vp_token=",
        Duration::ZERO,
    );
    eprintln!(
        "counter, {counter_over} bytes declared: {}",
        status_line(&declared)
    );
    assert!(status_line(&declared).contains(" 413 "), "{declared}");
    assert!(
        declared.contains(r#""code":"body_too_large""#),
        "{declared}"
    );
    let streamed = chunked(counter.port, "/scan", counter_over);
    eprintln!("counter, {counter_over} bytes chunked: {streamed}");
    assert!(streamed.contains(" 413 "), "{streamed}");
    eprintln!(
        "oversized bodies refused ({:.1} s)",
        t.elapsed().as_secs_f64()
    );

    // The load.
    eprintln!("{n} requests from {clients} clients…");
    let t = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|k| {
            let run = run.clone();
            std::thread::spawn(move || {
                let c = client();
                let mut rng = Xorshift(0x2545_f491_4f6c_dd1d ^ (k as u64 + 1));
                loop {
                    let i = run.next.fetch_add(1, Ordering::SeqCst);
                    let Some(&op) = run.ops.get(i) else { break };
                    let started = Instant::now();
                    one(&run, &c, op, &mut rng);
                    let took = started.elapsed();
                    let mut stats = run.stats.lock().unwrap();
                    let s = stats
                        .entry(op)
                        .or_insert((0, Duration::ZERO, Duration::ZERO));
                    s.0 += 1;
                    s.1 += took;
                    s.2 = s.2.max(took);
                }
            })
        })
        .collect();
    for h in workers {
        h.join().unwrap();
    }
    let elapsed = t.elapsed();
    println!(
        "{n} requests from {clients} clients in {:.2} s: {:.0} requests/s",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    {
        let stats = run.stats.lock().unwrap();
        for (op, _) in MIX {
            if let Some((count, total, worst)) = stats.get(&op) {
                println!(
                    "  {:<18} {count:>6}  mean {:>7.1} ms  worst {:>7.1} ms",
                    format!("{op:?}"),
                    total.as_secs_f64() * 1000.0 / *count as f64,
                    worst.as_secs_f64() * 1000.0
                );
            }
        }
    }

    // The hostile clients' fate.
    for h in hostile {
        let (what, response, took) = h.join().unwrap();
        let line = status_line(&response);
        println!(
            "  {what}: {} after {:.1} s",
            if line.is_empty() {
                "disconnected".to_string()
            } else {
                line.clone()
            },
            took.as_secs_f64()
        );
        if what.ends_with("unfinished headers") {
            assert!(line.is_empty() || line.contains(" 408 "), "{what}: {line}");
            assert!(took <= limits.header_timeout + SLACK, "{what}: {took:?}");
        } else {
            assert!(line.contains(" 408 "), "{what}: {line}");
            assert!(
                response.contains(r#""code":"request_timeout""#),
                "{what}: {response}"
            );
            assert!(took <= limits.body_timeout + SLACK, "{what}: {took:?}");
        }
    }

    // Every acknowledged append is in the ledger.
    let acknowledged = std::mem::take(&mut *run.acknowledged.lock().unwrap());
    for (index, leaf, entry) in &acknowledged {
        let (status, v) = json_of(
            c.get(format!(
                "{}/v1/entries?start={index}&end={}",
                node.url,
                index + 1
            ))
            .send()
            .unwrap(),
        );
        assert_eq!(status, 200, "{v}");
        let stored = v["entries"][0].as_str().unwrap();
        assert_eq!(stored.as_bytes(), entry.to_bytes(), "entry {index} differs");
        assert_eq!(&leaf_hash(stored.as_bytes()).to_hex(), leaf, "leaf {index}");
    }
    let (_, info) = json_of(c.get(format!("{}/v1/info", node.url)).send().unwrap());
    let size = info["size"].as_u64().unwrap();
    assert_eq!(size, seeded + acknowledged.len() as u64, "{info}");
    println!(
        "  {} appends acknowledged, each read back at its index with its leaf hash; ledger size {size}",
        acknowledged.len()
    );

    // Both servers alive, answering, within the memory bound.
    let mut node = node;
    let mut counter = counter;
    assert!(node.child.try_wait().unwrap().is_none(), "the node died");
    assert!(
        counter.child.try_wait().unwrap().is_none(),
        "the counter died"
    );
    let (status, _) = json_of(
        c.get(format!("{}/last", run.counter))
            .bearer_auth(&run.token)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    let node_rss = vm_hwm_mib(node.child.id());
    let counter_rss = vm_hwm_mib(counter.child.id());
    println!(
        "  peak RSS (VmHWM): ledger serve {node_rss} MiB, counter serve {counter_rss} MiB (bound {RSS_BOUND_MIB} MiB)"
    );
    let failures = run.failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} unexpected answers, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert!(node_rss < RSS_BOUND_MIB && counter_rss < RSS_BOUND_MIB);
    node.kill();
    counter.kill();
    println!("load test passed");
}
