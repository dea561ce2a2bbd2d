//! At the service counter, through the `civitas` binary: the QR size budget, codes that
//! zbar and photographs read, the clerk's wedge-scanner loop with every kind of bad
//! input, the online direct_post flow with its receipt and a refused replay, the clerk
//! token `counter serve` requires, the attacks on its direct_post endpoint (junk with
//! the request's state, wallet errors without it), and batch audits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use civitas_credential::{ClaimPath, Credential};
use civitas_crypto::SigningKey;
use civitas_exchange::openid4vp::{
    self, AuthorizationRequest, AuthorizationResponse, RequestUrl, VpToken,
};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod support;
use support::{civitas, did_create, ok, p, serve_counter};

/// A world: a ledger file, city hall with a did:webvh DID, a holder key, a PID.
struct World {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    db: String,
    issuer: String,
}

fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_path_buf();
    let db = p(&d, "ledger.db");
    let issuer = did_create("issuers:city-hall", &p(&d, "hall"), &db, None);
    ok(&["key", "generate", "-o", &p(&d, "holder.jwk")]);
    std::fs::write(
        d.join("pid.json"),
        r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,"age_over_65":true,"nationality":"TW","address":{"street_address":"1 Shifu Road","locality":"Taipei","postal_code":"110"},"personal_number":"A123456789"}"#,
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

impl World {
    fn present(&self, claims: &str, nonce: &str, aud: &str) -> String {
        ok(&[
            "present",
            "--key",
            &p(&self.dir, "holder.jwk"),
            "--disclose",
            claims,
            "--nonce",
            nonce,
            "--aud",
            aud,
            &p(&self.dir, "pid.sdjwt"),
        ])
        .trim()
        .to_string()
    }
}

#[test]
fn qr_budget_zbar_and_photographs() {
    let w = world();
    let presentation = w.present(
        "age_over_18,nationality",
        "n-0S6_WzA2Mj",
        "redirect_uri:https://counter-7.example/response",
    );
    std::fs::write(w.dir.join("p.txt"), &presentation).unwrap();
    let payload = ok(&["qr", "payload", &p(&w.dir, "p.txt")])
        .trim()
        .to_string();
    assert!(payload.starts_with("CIV1:") && !payload.contains('\n'));
    let encoded = ok(&[
        "qr",
        "encode",
        &p(&w.dir, "p.txt"),
        "-o",
        &p(&w.dir, "p.png"),
    ]);
    let version: u8 = encoded
        .split("QR version ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    eprintln!(
        "PID presentation, 2 claims, did:webvh issuer: {} chars of SD-JWT, {} chars of CIV1, QR {encoded}",
        presentation.len(),
        payload.len()
    );
    assert!(version <= 25, "QR version {version} > 25");
    assert!(encoded.contains("ECC M") || encoded.contains("ECC Q") || encoded.contains("ECC H"));
    // zbar reads exactly the payload.
    let z = Command::new("zbarimg")
        .args(["--raw", "-q", &p(&w.dir, "p.png")])
        .output()
        .expect("zbarimg (apt-get install zbar-tools)");
    assert_eq!(String::from_utf8(z.stdout).unwrap().trim_end(), payload);
    // civitas verify reads the image, and the CIV1 text.
    let verify = |file: &str| {
        civitas(&[
            "verify",
            "--json",
            "--trust",
            &w.issuer,
            "--ledger",
            &w.db,
            "--nonce",
            "n-0S6_WzA2Mj",
            "--aud",
            "redirect_uri:https://counter-7.example/response",
            file,
        ])
    };
    for f in ["p.png", "p.txt"] {
        let o = verify(&p(&w.dir, f));
        assert_eq!(
            o.status.code(),
            Some(0),
            "{f}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    std::fs::write(w.dir.join("p.civ1"), &payload).unwrap();
    assert_eq!(verify(&p(&w.dir, "p.civ1")).status.code(), Some(0));
    // Another encoder (segno), photographed: rotated 7°, blurred, JPEG.
    let py = std::env::var_os("CIVITAS_PEERS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/civitas-peers/venv")
        })
        .join("bin/python");
    let s = Command::new(&py)
        .args(["-c", "import sys, segno; segno.make(sys.argv[1], error='m', boost_error=False).save(sys.argv[2], scale=4, border=4)", &payload, &p(&w.dir, "segno.png")])
        .output()
        .expect("segno: run `bash tests/peers/setup.sh`");
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let c = Command::new("convert")
        .args([
            &p(&w.dir, "segno.png"),
            "-background",
            "white",
            "-rotate",
            "7",
            "-blur",
            "0x1",
            "-quality",
            "60",
            &p(&w.dir, "photo.jpg"),
        ])
        .output()
        .expect("ImageMagick convert (apt-get install imagemagick)");
    assert!(c.status.success());
    let o = verify(&p(&w.dir, "photo.jpg"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "photo: {}",
        String::from_utf8_lossy(&o.stdout)
    );
}

struct Counter {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

impl Counter {
    fn start(w: &World) -> Counter {
        let mut child = support::civitas_command()
            .args([
                "counter",
                "--claims",
                "age_over_18",
                "--trust",
                &w.issuer,
                "--ledger",
                &w.db,
            ])
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

    /// Reads until a line satisfying `f`; returns everything read.
    fn until(&self, f: impl Fn(&str) -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("counter went quiet; saw:\n{}", seen.join("\n")));
            if std::env::var_os("COUNTER_DEBUG").is_some() {
                eprintln!("<< {line}");
            }
            let done = f(&line);
            seen.push(line);
            if done {
                return seen;
            }
        }
    }

    fn request(&self) -> AuthorizationRequest {
        let lines = self.until(|l| l.starts_with("openid4vp://"));
        let url = lines.last().unwrap();
        let RequestUrl::ByValue(r) = RequestUrl::parse(url).unwrap() else {
            panic!()
        };
        r
    }

    fn scan(&mut self, bytes: &[u8]) -> String {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.write_all(b"\n").unwrap();
        self.stdin.flush().unwrap();
        self.until(|l| l.starts_with("NOT VALID:") || l.starts_with("  Over 18:"))
            .join("\n")
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_clerks_loop_survives_bad_input_and_refuses_replays() {
    let w = world();
    let mut counter = Counter::start(&w);
    let request = counter.request();
    let aud = request.client_id().as_str().to_string();
    let presentation = w.present("age_over_18", request.nonce(), &aud);
    std::fs::write(w.dir.join("p.txt"), &presentation).unwrap();
    let payload = ok(&["qr", "payload", &p(&w.dir, "p.txt")])
        .trim()
        .to_string();

    // Bad input first: each gets its reason, the loop keeps running.
    let bomb = {
        use flate2::{Compression, write::DeflateEncoder};
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
        enc.write_all(&vec![0u8; 8 << 20]).unwrap();
        let mut frame = vec![0x02];
        frame.extend(enc.finish().unwrap());
        format!("CIV1:{}", base45::encode(&frame))
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (payload.replacen("CIV1:", "CIV9:", 1).into_bytes(), "prefix"),
        (b"CIV1:!!!!!!".to_vec(), "Base45"),
        (bomb.into_bytes(), "inflate"),
        (vec![b'A'; 100_000], "longer than any presentation"),
        (vec![0x00, 0xff, 0x1b, 0x7f, 0x80], "not text"),
        (b"hello".to_vec(), "malformed"),
    ];
    for (input, want) in &cases {
        eprintln!("scanning a bad input that should say {want:?}");
        let shown = counter.scan(input);
        let verdict = shown
            .lines()
            .find(|l| l.starts_with("NOT VALID:"))
            .unwrap_or_else(|| panic!("{shown}"));
        assert!(
            verdict.to_lowercase().contains(&want.to_lowercase()),
            "want {want:?} in {verdict:?}"
        );
    }
    // A presentation for another request's nonce.
    let other = w.present("age_over_18", "some-other-nonce", &aud);
    assert!(
        counter
            .scan(other.as_bytes())
            .contains("NOT VALID: wrong nonce")
    );
    // The real thing, as a wedge scanner types it.
    let shown = counter.scan(payload.as_bytes());
    assert!(
        shown.contains("█   █") && shown.contains("Over 18: yes"),
        "{shown}"
    );
    // A new request (new nonce) is shown after the success.
    let next = counter.request();
    assert_ne!(next.nonce(), request.nonce());
    // The same code again: a replay.
    let again = counter.scan(payload.as_bytes());
    assert!(
        again.contains("NOT VALID: this presentation was already used"),
        "{again}"
    );
}

/// A request to the counter: `token` as `Authorization: Bearer`; the status, the JSON
/// body (`Null` if none) and the response's headers.
fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::new();
    let mut req = match (method, body) {
        ("POST", Some((ct, b))) => client.post(url).header("content-type", ct).body(b),
        _ => client.get(url),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, resp.json().unwrap_or(Value::Null), headers)
}

fn http(method: &str, url: &str, body: Option<(&str, Vec<u8>)>) -> (u16, Value) {
    let (status, v, _) = call(method, url, None, body);
    (status, v)
}

/// A clerk's request (with the token).
fn clerk(method: &str, url: &str, token: &str, body: Option<(&str, Vec<u8>)>) -> (u16, Value) {
    let (status, v, _) = call(method, url, Some(token), body);
    (status, v)
}

fn form(body: String) -> Option<(&'static str, Vec<u8>)> {
    Some(("application/x-www-form-urlencoded", body.into_bytes()))
}

/// `counter serve` asking for age_over_18 (and optionally the city).
fn serve(w: &World) -> (support::Served, String) {
    serve_counter(&[
        "--claims",
        "age_over_18",
        "--optional",
        "address.locality",
        "--trust",
        &w.issuer,
        "--ledger",
        &w.db,
    ])
}

/// The counter's open request, as the clerk's page reads it.
fn open_request(base: &str, token: &str) -> AuthorizationRequest {
    let (status, r) = clerk("GET", &format!("{base}/request"), token, None);
    assert_eq!(status, 200, "{r}");
    let RequestUrl::ByValue(request) = RequestUrl::parse(r["url"].as_str().unwrap()).unwrap()
    else {
        panic!()
    };
    request
}

/// The wallet's direct_post body answering `request` with the PID (age_over_18).
fn wallet_answer(w: &World, request: &AuthorizationRequest) -> String {
    let holder = SigningKey::load(&w.dir.join("holder.jwk")).unwrap();
    let wallet =
        [Credential::parse(&std::fs::read_to_string(w.dir.join("pid.sdjwt")).unwrap()).unwrap()];
    let report = openid4vp::match_request(request, &wallet);
    let now = chrono::Utc::now().timestamp();
    let presentation = report
        .present(
            request,
            &wallet,
            "pid",
            &[ClaimPath::parse("address.locality").unwrap()],
            &holder,
            now,
        )
        .unwrap();
    let mut vp = VpToken::new();
    vp.insert("pid", vec![presentation]).unwrap();
    AuthorizationResponse::for_request(request, vp)
        .unwrap()
        .to_form()
}

/// The sequence number of the page's last verdict, and the verdict.
fn last(base: &str, token: &str) -> (u64, Value) {
    let (status, l) = clerk("GET", &format!("{base}/last"), token, None);
    assert_eq!(status, 200, "{l}");
    (l["seq"].as_u64().unwrap(), l["verdict"].clone())
}

#[test]
fn online_flow_with_receipt_and_refused_replay() {
    let w = world();
    let (served, token) = serve(&w);
    let base = served.url.clone();
    // 1. The counter's request, as the wallet scans it.
    let request = open_request(&base, &token);
    assert!(request.state().is_some());
    // 2. The wallet answers, leaving the optional city out.
    let body = wallet_answer(&w, &request);
    let now = chrono::Utc::now().timestamp();
    let (status, answer) = http("POST", &format!("{base}/response"), form(body.clone()));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["verdict"]["valid"], true, "{answer}");
    assert!(answer["verdict"]["claims"].get("address").is_none());
    // 3. The receipt is signed by the counter and names claims, not values.
    let receipt = answer["receipt"].as_str().unwrap();
    let r =
        openid4vp::verify_receipt(receipt, &civitas_did::MethodResolver::local(), now + 5).unwrap();
    assert!(r.valid);
    assert_eq!(r.nonce, request.nonce());
    assert_eq!(r.disclosed, vec!["age_over_18".to_string()]);
    assert!(!receipt.contains("Taipei"));
    // 4. The page shows it.
    let (seq, verdict) = last(&base, &token);
    assert_eq!(verdict["valid"], true);
    // 5. The same response again is refused, and not shown to the clerk.
    let (status, again) = http("POST", &format!("{base}/response"), form(body));
    assert_eq!(status, 400, "{again}");
    assert_eq!(again["code"], "replay", "{again}");
    assert!(
        again["error_description"]
            .as_str()
            .unwrap()
            .contains("replay")
    );
    assert_eq!(last(&base, &token).0, seq);
    // 6. The page's upload path: a photo of a wallet's offline code.
    let request = open_request(&base, &token);
    let presentation = w.present("age_over_18", request.nonce(), request.client_id().as_str());
    std::fs::write(w.dir.join("q.txt"), &presentation).unwrap();
    ok(&[
        "qr",
        "encode",
        &p(&w.dir, "q.txt"),
        "-o",
        &p(&w.dir, "q.png"),
    ]);
    let mut png = Vec::new();
    std::fs::File::open(w.dir.join("q.png"))
        .unwrap()
        .read_to_end(&mut png)
        .unwrap();
    let (_, v) = clerk(
        "POST",
        &format!("{base}/scan"),
        &token,
        Some(("image/png", png)),
    );
    assert_eq!(v["valid"], true, "{v}");
}

#[test]
fn the_clerks_side_needs_this_runs_token() {
    let w = world();
    let (served, token) = serve(&w);
    let base = served.url.clone();
    // A verdict with claim values on the page, to be stolen.
    let request = open_request(&base, &token);
    let (status, _) = http(
        "POST",
        &format!("{base}/response"),
        form(wallet_answer(&w, &request)),
    );
    assert_eq!(status, 200);
    // Without the token: 401, with its code; nothing of the verdict leaks.
    for (method, path) in [
        ("GET", "/last"),
        ("GET", "/request"),
        ("GET", "/"),
        ("POST", "/scan"),
    ] {
        let body = (method == "POST").then(|| ("text/plain", b"hello".to_vec()));
        let (status, v, _) = call(method, &format!("{base}{path}"), None, body);
        assert_eq!(status, 401, "{method} {path}: {v}");
        assert_eq!(v["code"], "clerk_token_missing", "{method} {path}: {v}");
        assert!(!v.to_string().contains("Over 18"), "{v}");
    }
    // A wrong token (another run's, or a guess): 403, in each place a token may be.
    let other = "A".repeat(token.len());
    let (status, v) = clerk("GET", &format!("{base}/last"), &other, None);
    assert_eq!(
        (status, v["code"].as_str()),
        (403, Some("clerk_token_wrong"))
    );
    let (status, v) = http("GET", &format!("{base}/last?k={other}"), None);
    assert_eq!(
        (status, v["code"].as_str()),
        (403, Some("clerk_token_wrong"))
    );
    let (status, v) = http("GET", &format!("{base}/last?k="), None);
    assert_eq!(
        (status, v["code"].as_str()),
        (403, Some("clerk_token_wrong"))
    );
    // With it: the page sets it as a strict, script-proof cookie…
    let (status, _, headers) = call("GET", &format!("{base}/?k={token}"), None, None);
    assert_eq!(status, 200);
    let cookie = headers
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .unwrap()
        .to_string();
    assert!(
        cookie.starts_with(&format!("civitas_clerk={token};")),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    // …which the page's requests carry; a bearer token works for scripts.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let with_cookie: Value = reqwest::blocking::Client::new()
        .get(format!("{base}/last"))
        .header("cookie", format!("civitas_clerk={token}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(with_cookie["verdict"]["valid"], true, "{with_cookie}");
    let (seq, verdict) = last(&base, &token);
    assert_eq!(seq, 1);
    assert_eq!(verdict["shown"][0]["value"], true, "{verdict}");
    // The wallet's side and the page's script stay open.
    let (status, _, _) = call("GET", &format!("{base}/counter.js"), None, None);
    assert_eq!(status, 200);
}

#[test]
fn junk_posted_with_the_state_does_not_burn_the_citizens_request() {
    let w = world();
    let (served, token) = serve(&w);
    let base = served.url.clone();
    let request = open_request(&base, &token);
    let state = request.state().unwrap().to_string();
    // 1. Junk that is not even a presentation, with the state: refused as malformed.
    let (status, v) = http(
        "POST",
        &format!("{base}/response"),
        form(format!(
            "vp_token=%7B%22pid%22%3A%5B%22junk%22%5D%7D&state={state}"
        )),
    );
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["code"], "openid4vp.malformed_presentation", "{v}");
    // 2. A real presentation, but made for another request's nonce, with the state.
    let other = AuthorizationRequest::for_counter(
        request.client_id().as_str(),
        None,
        "an-attackers-nonce",
        civitas_credential::types::PID.vct,
        &[ClaimPath::parse("age_over_18").unwrap()],
        &[ClaimPath::parse("address.locality").unwrap()],
    )
    .unwrap()
    .with_state(&state)
    .unwrap();
    let (status, v) = http(
        "POST",
        &format!("{base}/response"),
        form(wallet_answer(&w, &other)),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["verdict"]["valid"], false, "{v}");
    assert_eq!(v["verdict"]["code"], "nonce_mismatch", "{v}");
    // The request was not renewed: same nonce, same state.
    let still = open_request(&base, &token);
    assert_eq!(still.nonce(), request.nonce());
    assert_eq!(still.state(), request.state());
    // 3. The citizen's wallet answers the request it scanned before the junk: accepted.
    let (status, v) = http(
        "POST",
        &format!("{base}/response"),
        form(wallet_answer(&w, &request)),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["verdict"]["valid"], true, "{v}");
    assert_eq!(last(&base, &token).1["valid"], true);
    // Now the request is spent and renewed.
    assert_ne!(open_request(&base, &token).nonce(), request.nonce());
}

#[test]
fn wallet_error_posts_need_the_requests_state() {
    let w = world();
    let (served, token) = serve(&w);
    let base = served.url.clone();
    let request = open_request(&base, &token);
    let state = request.state().unwrap();
    let url = format!("{base}/response");
    // Without a state: refused, and the clerk's page does not show it.
    let (status, v) = http("POST", &url, form("error=access_denied".into()));
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["code"], "state_missing", "{v}");
    // Another request's state: refused, not shown.
    let (status, v) = http(
        "POST",
        &url,
        form("error=access_denied&state=another-state".into()),
    );
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["code"], "state_mismatch", "{v}");
    assert_eq!(last(&base, &token), (0, Value::Null));
    // The open request's state: the clerk sees the wallet declined; the request stays.
    let (status, v) = http(
        "POST",
        &url,
        form(format!("error=access_denied&state={state}")),
    );
    assert_eq!(status, 200, "{v}");
    let (seq, verdict) = last(&base, &token);
    assert_eq!(seq, 1);
    assert_eq!(verdict["code"], "wallet_error", "{verdict}");
    assert_eq!(open_request(&base, &token).nonce(), request.nonce());
}

#[test]
fn a_webcam_frame_without_a_code_is_no_verdict() {
    let w = world();
    let (served, token) = serve(&w);
    let base = served.url.clone();
    // A blank frame, as a camera sees between citizens.
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(320, 240, image::Luma([255])))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let (status, v) = clerk(
        "POST",
        &format!("{base}/scan"),
        &token,
        Some(("image/png", png)),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "no_code", "{v}");
    // The page keeps the last verdict (none).
    assert_eq!(last(&base, &token).0, 0);
}

#[test]
fn batch_audits_many_presentations() {
    let w = world();
    let mut lines = Vec::new();
    for _ in 0..3 {
        lines.push(w.present("age_over_18", "n1", "counter-1"));
    }
    std::fs::write(w.dir.join("one.txt"), &lines[0]).unwrap();
    lines.push(
        ok(&["qr", "payload", &p(&w.dir, "one.txt")])
            .trim()
            .to_string(),
    );
    lines.push("garbage".to_string());
    lines.push(w.present("age_over_18", "n2", "counter-1"));
    std::fs::write(w.dir.join("batch.txt"), lines.join("\n") + "\n").unwrap();
    let o = civitas(&[
        "verify",
        "--batch",
        &p(&w.dir, "batch.txt"),
        "--trust",
        &w.issuer,
        "--ledger",
        &w.db,
        "--nonce",
        "n1",
        "--aud",
        "counter-1",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("6 presentations: 4 valid, 2 not valid"),
        "{text}"
    );
    assert!(
        text.contains("1  malformed") && text.contains("1  nonce_mismatch"),
        "{text}"
    );
    let o = civitas(&[
        "verify",
        "--batch",
        &p(&w.dir, "batch.txt"),
        "--json",
        "--trust",
        &w.issuer,
        "--ledger",
        &w.db,
        "--nonce",
        "n1",
        "--aud",
        "counter-1",
    ]);
    let verdicts: Vec<Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(verdicts.len(), 6);
    assert_eq!(verdicts[4]["line"], 5);
    assert_eq!(verdicts[4]["code"], "malformed");
}
