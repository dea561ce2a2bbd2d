//! The issuer's staff page (issue 12), through the real server on loopback: `civitas
//! issuer serve` prints `staff http://ADDR/staff?k=SECRET` once; without the secret
//! `/staff` is 401 (`staff_secret_missing`), with a wrong one 403
//! (`staff_secret_wrong`); an offer made through the page (QR code as SVG, PIN) is
//! redeemed by `civitas wallet receive`; bad offers, approvals and rejections are OAuth
//! errors with their codes; deferred ones are approved from the page; a secret from
//! `--staff-secret-file` works and a short one stops the server from starting. (Peers
//! that are not on loopback: `civitas_issuer::staff`'s unit tests.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use serde_json::{Value, json};
use std::io::BufRead;
use std::process::{Child, Output, Stdio};

mod support;
use support::{civitas_command, did_create, free_port, ok, stderr, stdout, wait_for};

const PASS: &str = "correct horse battery staple";
const FAST_KDF: [&str; 6] = ["--kdf-memory", "19", "--kdf-time", "2", "--kdf-lanes", "1"];
const PID_CLAIMS: &str = r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,"nationality":"TW","personal_number":"A123456789"}"#;

/// An accredited city hall serving its issuer (staff page included), and a wallet.
struct Hall {
    tmp: tempfile::TempDir,
    ledger: String,
    root: String,
    db: String,
    child: Child,
    url: String,
    /// The staff page's address as printed (`…/staff?k=SECRET`).
    staff_url: String,
    secret: String,
}

impl Drop for Hall {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `civitas issuer serve <args> --listen 127.0.0.1:PORT`; the child, its URL and its
/// first two lines.
fn serve_issuer(args: &[&str]) -> (Child, String, Vec<String>) {
    serve_issuer_on("127.0.0.1", args)
}

/// `civitas issuer serve <args> --listen HOST:PORT`.
fn serve_issuer_on(host: &str, args: &[&str]) -> (Child, String, Vec<String>) {
    let port = free_port();
    let mut child = civitas_command()
        .args(["issuer", "serve"])
        .args(args)
        .args(["--listen", &format!("{host}:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Vec<String> = (0..2)
        .map(|_| lines.next().and_then(|l| l.ok()).unwrap_or_default())
        .collect();
    std::thread::spawn(move || lines.for_each(drop));
    wait_for(port);
    (child, format!("http://127.0.0.1:{port}"), first)
}

impl Hall {
    fn at(&self, name: &str) -> String {
        self.tmp.path().join(name).to_str().unwrap().to_string()
    }

    fn start(extra: &[&str]) -> Hall {
        let tmp = tempfile::tempdir().unwrap();
        let at = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
        let ledger = at("ledger.db");
        let earlier = (chrono::Utc::now() - chrono::Duration::seconds(60)).to_rfc3339();
        let root_keys = at("root-keys");
        let root = did_create("root", &root_keys, &ledger, Some(&earlier));
        let keys = at("hall-keys");
        let hall = did_create("city-hall", &keys, &ledger, Some(&earlier));
        for args in [
            vec![
                "--root",
                "--vct",
                "pid",
                "--vct",
                "medical",
                "--name",
                "City of Taipei",
            ],
            vec![
                "--subject",
                &hall,
                "--vct",
                "pid",
                "--vct",
                "medical",
                "--name",
                "City Hall",
            ],
        ] {
            let mut a = vec!["accredit", "--keys", &root_keys, "--ledger", &ledger];
            a.extend(args);
            ok(&a);
        }
        let db = at("issuer.db");
        let mut args = vec!["--keys", &keys, "--ledger", &ledger, "--db", &db];
        args.extend(extra);
        let (child, url, lines) = serve_issuer(&args);
        assert_eq!(lines[0], format!("issuer {url} on {url}"));
        let staff_url = lines[1]
            .strip_prefix("staff ")
            .unwrap_or_else(|| panic!("no staff line: {lines:?}"))
            .to_string();
        let secret = staff_url
            .split("?k=")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let hall = Hall {
            tmp,
            ledger,
            root,
            db,
            child,
            url,
            staff_url,
            secret,
        };
        let words = hall.at("words.txt");
        let mut init = vec!["init", "--recovery-out", &words];
        init.extend(FAST_KDF);
        hall.wallet_ok(&init, &[]);
        hall
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
}

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
}

/// A staff request with `secret` as Bearer (if any) and a JSON body (if any): status,
/// JSON body (`Null` if none), and the raw text.
fn staff(
    url: &str,
    secret: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let c = client();
    let mut req = match method {
        "GET" => c.get(format!("{url}{path}")),
        _ => c.post(format!("{url}{path}")),
    };
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    if let Some(s) = secret {
        req = req.bearer_auth(s);
    }
    let r = req.send().unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

fn assert_refused(status: u16, body: &Value, want_status: u16, error: &str, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
}

#[test]
fn the_staff_page_needs_its_secret() {
    let hall = Hall::start(&[]);
    assert!(
        hall.staff_url
            .starts_with(&format!("{}/staff?k=", hall.url))
    );
    assert!(hall.secret.len() >= 32, "{}", hall.secret);
    for path in ["/staff", "/staff/pending", "/staff/staff.js"] {
        let (status, body) = staff(&hall.url, None, "GET", path, None);
        assert_refused(status, &body, 401, "invalid_token", "staff_secret_missing");
        let (status, body) = staff(&hall.url, Some("not-the-secret-at-all"), "GET", path, None);
        assert_refused(status, &body, 403, "access_denied", "staff_secret_wrong");
    }
    let (status, body) = staff(
        &hall.url,
        None,
        "POST",
        "/staff/offer",
        Some(json!({"type": "pid", "claims": {}})),
    );
    assert_refused(status, &body, 401, "invalid_token", "staff_secret_missing");
    // The printed address opens the page, which keeps the secret as a strict cookie.
    let r = client().get(&hall.staff_url).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(r.headers().get("content-security-policy").is_some());
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.text().unwrap().contains("Make an offer"));
    // The cookie alone works too (the page's own requests).
    let pair = cookie.split(';').next().unwrap().to_string();
    let r = client()
        .get(format!("{}/staff/pending", hall.url))
        .header("cookie", pair)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // The OpenID4VCI endpoints stay open to wallets.
    let r = client()
        .get(format!("{}/.well-known/openid-credential-issuer", hall.url))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[test]
fn an_offer_made_on_the_staff_page_is_received_by_the_wallet() {
    let hall = Hall::start(&[]);
    let secret = Some(hall.secret.as_str());
    let claims: Value = serde_json::from_str(PID_CLAIMS).unwrap();

    // Refusals, each with its code; none makes an offer.
    let cases = [
        (
            json!({"type": "passport", "claims": claims}),
            "unknown_credential_configuration",
        ),
        (
            json!({"type": "pid", "claims": {"given_name": "Mei"}}),
            "invalid_request",
        ),
        (json!({"type": "pid", "claims": [1, 2]}), "invalid_request"),
        (
            json!({"type": "pid", "claims": claims, "expires_in": -5}),
            "invalid_request",
        ),
        (
            json!({"type": "pid", "claims": claims, "expires_in": i64::MAX}),
            "invalid_request",
        ),
        (
            json!({"type": "pid", "claims": claims, "surprise": 1}),
            "invalid_request",
        ),
    ];
    for (body, code) in cases {
        let (status, r) = staff(
            &hall.url,
            secret,
            "POST",
            "/staff/offer",
            Some(body.clone()),
        );
        assert_eq!(status, 400, "{body}: {r}");
        assert_eq!(r["error"], code, "{body}: {r}");
        assert!(
            !r.to_string().contains("A123456789"),
            "a claim value in the refusal: {r}"
        );
    }
    // Not JSON: refused (a cross-site form cannot post here).
    let r = client()
        .post(format!("{}/staff/offer", hall.url))
        .bearer_auth(&hall.secret)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("type=pid")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.json::<Value>().unwrap()["error"], "invalid_request");
    let (_, pending) = staff(&hall.url, secret, "GET", "/staff/pending", None);
    assert_eq!(pending, json!([]));

    // The offer: URI, PIN and its QR code, shown to the staff member only.
    let (status, offer) = staff(
        &hall.url,
        secret,
        "POST",
        "/staff/offer",
        Some(json!({"type": "pid", "claims": claims})),
    );
    assert_eq!(status, 200, "{offer}");
    let uri = offer["offer_uri"].as_str().unwrap();
    let pin = offer["tx_code"].as_str().unwrap();
    assert!(uri.starts_with("openid-credential-offer://?credential_offer="));
    assert_eq!(pin.len(), 6);
    assert!(offer["svg"].as_str().unwrap().contains("<svg"));
    let (_, pending) = staff(&hall.url, secret, "GET", "/staff/pending", None);
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    assert_eq!(pending[0]["offer_id"], offer["offer_id"]);
    assert!(!pending.to_string().contains("Mei-Ling"));

    // The citizen's wallet redeems it with the PIN.
    let text = hall.wallet_ok(
        &["receive", uri, "--root", &hall.root],
        &[("CIVITAS_TX_CODE", pin)],
    );
    assert!(!text.contains(pin));
    let list: Value = serde_json::from_str(&hall.wallet_ok(&["list", "--json"], &[])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["vct"], "https://civitas.example/credentials/pid/v1");
    // Used: no longer open, and the audit trail has it.
    let (_, pending) = staff(&hall.url, secret, "GET", "/staff/pending", None);
    assert_eq!(pending, json!([]));
    let audit = ok(&["issuer", "audit", "--db", &hall.db, "--json"]);
    assert!(
        audit.contains(offer["offer_id"].as_str().unwrap()),
        "{audit}"
    );

    // Deciding an offer that awaits nothing: refused with its code.
    for path in ["/staff/approve", "/staff/reject"] {
        let (status, r) = staff(
            &hall.url,
            secret,
            "POST",
            path,
            Some(json!({"offer_id": offer["offer_id"]})),
        );
        assert_eq!(status, 400, "{path}: {r}");
        assert_eq!(r["error"], "invalid_request", "{path}: {r}");
        let (status, r) = staff(&hall.url, secret, "POST", path, Some(json!({"id": 1})));
        assert_eq!(status, 400, "{path}: {r}");
        assert_eq!(r["error"], "invalid_request", "{path}: {r}");
    }
}

#[test]
fn a_deferred_offer_is_approved_or_rejected_on_the_staff_page() {
    let hall = Hall::start(&[]);
    let secret = Some(hall.secret.as_str());
    let medical = json!({"blood_type": "O+"});
    let mut offers = Vec::new();
    for _ in 0..2 {
        let (status, offer) = staff(
            &hall.url,
            secret,
            "POST",
            "/staff/offer",
            Some(json!({"type": "medical", "claims": medical})),
        );
        assert_eq!(status, 200, "{offer}");
        // The wallet asks: the credential waits for the clinician.
        let text = hall.wallet_ok(
            &[
                "receive",
                offer["offer_uri"].as_str().unwrap(),
                "--root",
                &hall.root,
            ],
            &[("CIVITAS_TX_CODE", offer["tx_code"].as_str().unwrap())],
        );
        assert!(text.to_lowercase().contains("pending"), "{text}");
        offers.push(offer);
    }
    let (_, pending) = staff(&hall.url, secret, "GET", "/staff/pending", None);
    let states: Vec<&str> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["deferred", "deferred"], "{pending}");
    // Approve the first (signed now), reject the second.
    let (status, row) = staff(
        &hall.url,
        secret,
        "POST",
        "/staff/approve",
        Some(json!({"offer_id": offers[0]["offer_id"]})),
    );
    assert_eq!(status, 200, "{row}");
    assert_eq!(row["configuration_id"], "medical_summary");
    let (status, r) = staff(
        &hall.url,
        secret,
        "POST",
        "/staff/reject",
        Some(json!({"offer_id": offers[1]["offer_id"]})),
    );
    assert_eq!(status, 200, "{r}");
    let (_, pending) = staff(&hall.url, secret, "GET", "/staff/pending", None);
    assert_eq!(pending, json!([]));
    // The wallet fetches the approved one, and is told of the rejected one.
    let o = hall.wallet(&["fetch", "--all", "--root", &hall.root], &[]);
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert!(text.contains("received: Medical summary"), "{text}");
    assert!(text.contains("credential_request_denied"), "{text}");
    let list: Value = serde_json::from_str(&hall.wallet_ok(&["list", "--json"], &[])).unwrap();
    let vcts: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["vct"].as_str().unwrap())
        .collect();
    assert_eq!(
        vcts,
        ["https://civitas.example/credentials/medical-summary/v1"]
    );
}

#[test]
fn a_staff_secret_from_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let ledger = tmp.path().join("ledger.db").to_str().unwrap().to_string();
    let keys = tmp.path().join("keys").to_str().unwrap().to_string();
    did_create("city-hall", &keys, &ledger, None);
    let file = tmp.path().join("staff.secret");
    // Too short: the server does not start.
    std::fs::write(&file, "short\n").unwrap();
    let f = file.to_str().unwrap();
    let o = civitas_command()
        .args(["issuer", "serve", "--keys", &keys, "--ledger", &ledger])
        .args(["--staff-secret-file", f, "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("at least 16"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("issuer "), "{}", stdout(&o));
    // A good one: not printed; it opens the page.
    let secret = "the-office-staff-secret-2026";
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    let (mut child, url, lines) = serve_issuer(&[
        "--keys",
        &keys,
        "--ledger",
        &ledger,
        "--staff-secret-file",
        f,
    ]);
    assert!(!lines.concat().contains(secret), "{lines:?}");
    assert_eq!(
        lines[1],
        format!("staff {url}/staff (secret from --staff-secret-file)")
    );
    let (status, _) = staff(&url, Some(secret), "GET", "/staff/pending", None);
    assert_eq!(status, 200);
    let (status, body) = staff(
        &url,
        Some("the-office-staff-secret-2025"),
        "GET",
        "/staff/pending",
        None,
    );
    assert_refused(status, &body, 403, "access_denied", "staff_secret_wrong");
    let _ = child.kill();
    let _ = child.wait();
}

/// This machine's address on its default route (no packet is sent), if it has one.
fn outside_address() -> Option<std::net::IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.77:9")
        .or_else(|_| s.connect("10.255.255.1:9"))
        .ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn only_this_machine_reaches_the_staff_page_unless_allowed() {
    let Some(ip) = outside_address() else {
        eprintln!("skipped: this machine has no address but loopback");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let ledger = tmp.path().join("ledger.db").to_str().unwrap().to_string();
    let keys = tmp.path().join("keys").to_str().unwrap().to_string();
    did_create("city-hall", &keys, &ledger, None);
    let file = tmp.path().join("staff.secret");
    let secret = "the-office-staff-secret-2026";
    std::fs::write(&file, secret).unwrap();
    let f = file.to_str().unwrap();
    for anywhere in [false, true] {
        let mut args = vec![
            "--keys",
            &keys,
            "--ledger",
            &ledger,
            "--staff-secret-file",
            f,
            // Not on loopback: wallets would need https.
            "--public-url",
            "https://hall.example",
        ];
        if anywhere {
            args.push("--staff-anywhere");
        }
        let (mut child, url, _) = serve_issuer_on("0.0.0.0", &args);
        let port = url.rsplit(':').next().unwrap();
        // From this machine's outside address: a peer that is not loopback.
        let outside = format!("http://{ip}:{port}");
        let (status, body) = staff(&outside, Some(secret), "GET", "/staff/pending", None);
        if anywhere {
            assert_eq!(status, 200, "{body}");
        } else {
            assert_refused(status, &body, 403, "access_denied", "staff_loopback_only");
            // Wallets still reach the issuer there; the staff page on loopback.
            let r = client()
                .get(format!("{outside}/.well-known/openid-credential-issuer"))
                .send()
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
            let (status, _) = staff(
                &format!("http://127.0.0.1:{port}"),
                Some(secret),
                "GET",
                "/staff/pending",
                None,
            );
            assert_eq!(status, 200);
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[test]
fn the_staff_page_in_a_browser_makes_an_offer_the_wallet_receives() {
    let hall = Hall::start(&[]);
    let qr = hall.at("offer.png");
    let v = support::offer_pages(&["staff", &hall.staff_url, &qr]);
    // The secret left the address bar; the page shows the PIN and the open offer.
    assert_eq!(v["address"], format!("{}/staff", hall.url), "{v}");
    assert_eq!(v["error"], "", "{v}");
    assert_eq!(v["pending"], 1, "{v}");
    let pin = v["pin"]
        .as_str()
        .unwrap()
        .strip_prefix("PIN ")
        .unwrap()
        .to_string();
    assert_eq!(pin.len(), 6, "{v}");
    // The QR code on the screen is the offer.
    let decoded = ok(&["qr", "decode", &qr]);
    let uri = decoded.trim();
    assert!(uri.starts_with("openid-credential-offer://"), "{decoded}");
    assert!(v["info"].as_str().unwrap().ends_with(uri), "{v}");
    hall.wallet_ok(
        &["receive", uri, "--root", &hall.root],
        &[("CIVITAS_TX_CODE", &pin)],
    );
    let list: Value = serde_json::from_str(&hall.wallet_ok(&["list", "--json"], &[])).unwrap();
    assert_eq!(
        list[0]["vct"], "https://civitas.example/credentials/pid/v1",
        "{list}"
    );
}
