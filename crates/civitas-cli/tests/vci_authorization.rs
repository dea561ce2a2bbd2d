#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The city's login (issue 12, last slice): the Authorization Code Flow with PAR and
//! PKCE against a real OpenID Connect provider — npm `oidc-provider` 9.13.3 in
//! `tests/interop/city_login.mjs`, signing ID tokens with ES256 — through processes:
//! a ledger with a root accrediting the city hall, `civitas issuer serve --login …`,
//! `civitas wallet receive --issuer URL --type pid` (it prints the address to open),
//! the browser played by `city_login.mjs browse` (cookies, the provider's login form),
//! the PID stored with the login's claims → `wallet present` → `civitas verify
//! --ledger` valid. Then every refusal with its OAuth code: PKCE missing, plain or
//! wrong, a request_uri unknown or reused, a redirect_uri mismatch, a code reused, a
//! login without a birthdate, a credential request for another configuration, a state
//! that is not the wallet's; and an issuer without `--login`.
//!
//! Peers: `bash crates/civitas-cli/tests/interop/setup.sh` (a missing peer fails).

use civitas_exchange::openid4vci::{
    ProofKey, PushedAuthorizationRequest, TokenRequest, build_proof, pkce_challenge,
};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

mod support;
use support::{civitas, civitas_command, did_create, free_port, ok, stderr, stdout, wait_for};

const PASS: &str = "correct horse battery staple";
const FAST_KDF: [&str; 6] = ["--kdf-memory", "19", "--kdf-time", "2", "--kdf-lanes", "1"];
const SETUP: &str = "(a missing peer?) install the interop peers with: bash crates/civitas-cli/tests/interop/setup.sh";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Spawns `cmd` with piped stdout and returns it with its first line (the rest is
/// drained in a thread).
fn spawn_first_line(mut cmd: Command) -> (Proc, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
    std::thread::spawn(move || lines.for_each(drop));
    (Proc(child), first)
}

/// A city: a root accrediting the city hall for PIDs on a ledger, the city's login
/// (oidc-provider) and the hall's issuer served with it, a wallet.
struct City {
    tmp: tempfile::TempDir,
    ledger: String,
    root: String,
    hall: String,
    url: String,
    _issuer: Proc,
    _login: Proc,
}

impl City {
    fn at(&self, name: &str) -> String {
        self.tmp.path().join(name).to_str().unwrap().to_string()
    }

    fn new(with_login: bool) -> City {
        assert!(
            interop_dir()
                .join("node_modules/oidc-provider/package.json")
                .exists(),
            "no oidc-provider\n{SETUP}"
        );
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
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let secret = at("client-secret");
        std::fs::write(&secret, "s3cret-of-the-city-hall-client\n").unwrap();
        let mut node = Command::new("node");
        node.arg(interop_dir().join("city_login.mjs"))
            .args([
                "serve",
                "--client-id",
                "city-hall-issuer",
                "--client-secret-file",
            ])
            .arg(&secret)
            .args(["--redirect-uri", &format!("{url}/login/callback")])
            .current_dir(interop_dir());
        let (login, first) = spawn_first_line(node);
        let login_url = first
            .strip_prefix("login ")
            .unwrap_or_else(|| panic!("city_login.mjs printed {first:?}\n{SETUP}"))
            .to_string();
        let mut cmd = civitas_command();
        cmd.args(["issuer", "serve", "--keys", &hall_keys, "--ledger", &ledger])
            .args([
                "--db",
                &at("issuer.db"),
                "--listen",
                &format!("127.0.0.1:{port}"),
            ]);
        if with_login {
            cmd.args([
                "--login",
                &login_url,
                "--login-client-id",
                "city-hall-issuer",
            ])
            .args(["--login-client-secret-file", &secret]);
        }
        let (issuer, first) = spawn_first_line(cmd);
        assert_eq!(first, format!("issuer {url} on {url}"));
        wait_for(port);
        let city = City {
            tmp,
            ledger,
            root,
            hall,
            url,
            _issuer: issuer,
            _login: login,
        };
        let words = city.at("words.txt");
        let mut init = vec!["init", "--recovery-out", &words];
        init.extend(FAST_KDF);
        let o = city.wallet(&init);
        assert!(o.status.success(), "{}", stderr(&o));
        city
    }

    fn wallet_command(&self, args: &[&str]) -> Command {
        let mut cmd = civitas_command();
        cmd.arg("wallet")
            .args(args)
            .args(["--wallet", &self.at("wallet"), "--ledger", &self.ledger])
            .env("CIVITAS_PASSPHRASE", PASS)
            .stdin(Stdio::null());
        cmd
    }

    fn wallet(&self, args: &[&str]) -> Output {
        self.wallet_command(args).output().unwrap()
    }

    fn wallet_ok(&self, args: &[&str]) -> String {
        let o = self.wallet(args);
        assert!(
            o.status.success(),
            "wallet {args:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }

    /// `wallet receive --issuer URL --type pid`: the address it prints, and the
    /// running process.
    fn start_receive(
        &self,
        extra: &[&str],
    ) -> (Child, String, BufReader<std::process::ChildStdout>) {
        let mut args = vec![
            "receive", "--issuer", &self.url, "--type", "pid", "--root", &self.root,
        ];
        args.extend(extra);
        let mut child = self
            .wallet_command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let prefix = "Open this address in your browser to log in with the city's account: ";
        let Some(url) = line.trim().strip_prefix(prefix) else {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("wallet receive printed {line:?} {err}");
        };
        (child, url.to_string(), out)
    }
}

/// The browser: `city_login.mjs browse URL --account A`.
fn browse(url: &str, account: &str) -> String {
    let o = Command::new("node")
        .arg(interop_dir().join("city_login.mjs"))
        .args(["browse", url, "--account", account])
        .current_dir(interop_dir())
        .output()
        .unwrap();
    assert!(o.status.success(), "browse: {}{}", stdout(&o), stderr(&o));
    stdout(&o)
}

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn post_form(url: &str, body: &str) -> (u16, Value) {
    let r = client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .unwrap();
    (r.status().as_u16(), r.json().unwrap_or(Value::Null))
}

fn assert_error(got: &(u16, Value), code: &str) {
    assert_eq!(got.1["error"], code, "{got:?}");
    assert!(got.0 == 400 || got.0 == 401, "{got:?}");
    assert!(got.1["error_description"].is_string(), "{got:?}");
}

fn par(redirect_uri: &str, configuration: &str) -> PushedAuthorizationRequest {
    PushedAuthorizationRequest {
        client_id: "test-wallet".into(),
        redirect_uri: redirect_uri.into(),
        code_challenge: pkce_challenge(VERIFIER),
        state: Some("test-state".into()),
        configuration_ids: vec![configuration.into()],
        scope: None,
        issuer_state: None,
    }
}

/// A loopback listener standing in for a wallet's redirect URI: the query of the
/// first request it gets.
struct Redirect {
    listener: std::net::TcpListener,
    uri: String,
}

impl Redirect {
    fn new() -> Redirect {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let uri = format!(
            "http://127.0.0.1:{}/cb",
            listener.local_addr().unwrap().port()
        );
        Redirect { listener, uri }
    }

    /// Pushes `par`, logs in as `account` through the browser, returns the query
    /// the redirect URI received.
    fn log_in(&self, city: &City, par: &PushedAuthorizationRequest, account: &str) -> String {
        let (status, body) = post_form(&format!("{}/par", city.url), &par.to_form());
        assert_eq!(status, 201, "{body}");
        let url = format!(
            "{}/authorize?client_id={}&request_uri={}",
            city.url,
            par.client_id,
            civitas_exchange::openid4vci::form::encode(body["request_uri"].as_str().unwrap())
        );
        let listener = self.listener.try_clone().unwrap();
        let catcher = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap();
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            let target = head.split(' ').nth(1).unwrap_or_default().to_string();
            target
                .split_once('?')
                .map(|(_, q)| q.to_string())
                .unwrap_or_default()
        });
        let done = browse(&url, account);
        assert!(done.starts_with("done 200"), "{done}");
        catcher.join().unwrap()
    }
}

fn query_get(query: &str, name: &str) -> Option<String> {
    civitas_exchange::openid4vci::form::parse(query, "q")
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

fn token_request(city: &City, code: &str, redirect: &str, verifier: Option<&str>) -> (u16, Value) {
    let req = TokenRequest::AuthorizationCode {
        code: civitas_exchange::openid4vci::Secret::new(code),
        redirect_uri: Some(redirect.into()),
        code_verifier: verifier.map(civitas_exchange::openid4vci::Secret::new),
        client_id: Some("test-wallet".into()),
    };
    post_form(&format!("{}/token", city.url), &req.to_form())
}

#[test]
fn a_citizen_logs_in_with_the_city_and_receives_a_pid() {
    let city = City::new(true);

    // The authorization server metadata advertises the flow.
    let meta: Value = client()
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            city.url
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        meta["pushed_authorization_request_endpoint"],
        format!("{}/par", city.url)
    );
    assert_eq!(
        meta["authorization_endpoint"],
        format!("{}/authorize", city.url)
    );
    assert_eq!(meta["require_pushed_authorization_requests"], true);
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    assert!(
        meta["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("authorization_code")),
        "{meta}"
    );

    // The wallet asks, prints the address; the browser logs the citizen in.
    let (child, url, mut rest) = city.start_receive(&[]);
    assert!(
        url.starts_with(&format!("{}/authorize?client_id=", city.url)),
        "{url}"
    );
    let done = browse(&url, "mei-ling");
    assert!(done.starts_with("done 200 http://127.0.0.1:"), "{done}");
    let o = child.wait_with_output().unwrap();
    let mut printed = String::new();
    rest.read_to_string(&mut printed).unwrap();
    let text = format!("{printed}{}", stderr(&o));
    assert!(o.status.success(), "{text}");
    assert!(text.contains("Received Personal ID"), "{text}");

    // Its claims are the login's, age computed from the birthdate.
    let list: Value = serde_json::from_str(&city.wallet_ok(&["list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let shown = city.wallet_ok(&["show", list[0]["id"].as_str().unwrap(), "--json"]);
    assert!(
        shown.contains("Mei-Ling") && shown.contains("A123456789"),
        "{shown}"
    );
    assert!(shown.contains("Taipei"), "{shown}");

    // Presented and verified through the ledger.
    let out = city.at("p.txt");
    city.wallet_ok(&[
        "present",
        "--type",
        "pid",
        "--require",
        "age_over_65",
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
        &city.root,
        "--ledger",
        &city.ledger,
        "--json",
        &out,
    ]);
    let v: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(v["valid"], true, "{v} {}", stderr(&o));
    assert_eq!(v["issuer"], city.hall.as_str());
    assert_eq!(v["claims"]["age_over_65"], true, "{v}");
}

#[test]
fn refusals_carry_their_oauth_codes() {
    let city = City::new(true);
    let par_url = format!("{}/par", city.url);
    let redirect = Redirect::new();
    let good = par(&redirect.uri, "pid").to_form();

    // PAR: no PKCE, plain PKCE, a credential the login cannot vouch for, remote http.
    for bad in [
        good.replace("&code_challenge_method=S256", ""),
        good.replace("code_challenge_method=S256", "code_challenge_method=plain"),
        good.replace("code_challenge=", "x="),
        par(&redirect.uri, "medical_summary").to_form(),
        par("http://wallet.example/cb", "pid").to_form(),
    ] {
        assert_error(&post_form(&par_url, &bad), "invalid_request");
    }

    // /authorize: unknown request_uri, then one used twice.
    let authorize = |request_uri: &str| {
        let r = client()
            .get(format!(
                "{}/authorize?client_id=test-wallet&request_uri={}",
                city.url,
                civitas_exchange::openid4vci::form::encode(request_uri)
            ))
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json::<Value>().unwrap_or(Value::Null))
    };
    assert_error(
        &authorize("urn:ietf:params:oauth:request_uri:nope"),
        "invalid_request",
    );
    let (status, body) = post_form(&par_url, &good);
    assert_eq!(status, 201, "{body}");
    let uri = body["request_uri"].as_str().unwrap();
    assert_eq!(authorize(uri).0, 303);
    assert_error(&authorize(uri), "invalid_request");

    // A login state the issuer never made.
    let r = client()
        .get(format!("{}/login/callback?code=x&state=forged", city.url))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.json::<Value>().unwrap()["error"], "invalid_request");

    // A login that gives no birthdate: the PID cannot be issued.
    let q = redirect.log_in(&city, &par(&redirect.uri, "pid"), "no-birthdate");
    assert_eq!(
        query_get(&q, "error").as_deref(),
        Some("access_denied"),
        "{q}"
    );
    assert!(
        query_get(&q, "error_description")
            .unwrap()
            .contains("no birthdate"),
        "{q}"
    );
    assert_eq!(query_get(&q, "state").as_deref(), Some("test-state"));
    assert_eq!(query_get(&q, "iss").as_deref(), Some(city.url.as_str()));

    // Token: unknown code; missing, wrong verifier; redirect mismatch; code reused.
    assert_error(
        &token_request(&city, "nope", &redirect.uri, Some(VERIFIER)),
        "invalid_grant",
    );
    let code = |city: &City| {
        let q = redirect.log_in(city, &par(&redirect.uri, "pid"), "mei-ling");
        assert_eq!(
            query_get(&q, "iss").as_deref(),
            Some(city.url.as_str()),
            "{q}"
        );
        query_get(&q, "code").unwrap_or_else(|| panic!("no code in {q}"))
    };
    let c = code(&city);
    assert_error(
        &token_request(&city, &c, &redirect.uri, None),
        "invalid_grant",
    );
    assert_error(
        &token_request(&city, &c, &redirect.uri, Some(VERIFIER)),
        "invalid_grant",
    ); // used up by the failed attempt
    let c = code(&city);
    let wrong = "A".repeat(43);
    assert_error(
        &token_request(&city, &c, &redirect.uri, Some(&wrong)),
        "invalid_grant",
    );
    let c = code(&city);
    assert_error(
        &token_request(&city, &c, "http://127.0.0.1:1/elsewhere", Some(VERIFIER)),
        "invalid_grant",
    );
    let c = code(&city);
    let (status, body) = token_request(&city, &c, &redirect.uri, Some(VERIFIER));
    assert_eq!(status, 200, "{body}");
    let access = body["access_token"].as_str().unwrap().to_string();
    assert_error(
        &token_request(&city, &c, &redirect.uri, Some(VERIFIER)),
        "invalid_grant",
    );

    // Authorized for a PID; a credential request for a medical summary is refused.
    let nonce: Value = client()
        .post(format!("{}/nonce", city.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let key = civitas_crypto::SigningKey::generate(
        civitas_crypto::Algorithm::Es256,
        &civitas_crypto::SystemRng,
    )
    .unwrap();
    let proof = build_proof(
        &key,
        &ProofKey::Jwk,
        &city.url,
        nonce["c_nonce"].as_str(),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    let r = client()
        .post(format!("{}/credential", city.url))
        .bearer_auth(&access)
        .header("content-type", "application/json")
        .body(
            json!({"credential_configuration_id": "medical_summary", "proofs": {"jwt": [proof]}})
                .to_string(),
        )
        .send()
        .unwrap();
    let got = (r.status().as_u16(), r.json::<Value>().unwrap());
    assert_error(&got, "invalid_credential_request");
}

#[test]
fn the_wallet_refuses_an_answer_with_another_state() {
    let city = City::new(true);
    let port = free_port();
    let (child, url, _out) = city.start_receive(&["--redirect-port", &port.to_string()]);
    assert!(url.contains("request_uri="), "{url}");
    // Something other than the issuer calls the wallet's redirect first.
    let r = client()
        .get(format!(
            "http://127.0.0.1:{port}/callback?code=stolen&state=forged&iss={}",
            civitas_exchange::openid4vci::form::encode(&city.url)
        ))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let o = child.wait_with_output().unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("[state_mismatch]"), "{}", stderr(&o));
    let list: Value = serde_json::from_str(&city.wallet_ok(&["list", "--json"])).unwrap();
    assert!(list.as_array().unwrap().is_empty(), "{list}");
}

#[test]
fn without_a_login_there_is_no_authorization_code_flow() {
    let city = City::new(false);
    let meta: Value = client()
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            city.url
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(meta.get("authorization_endpoint").is_none(), "{meta}");
    assert!(
        meta.get("pushed_authorization_request_endpoint").is_none(),
        "{meta}"
    );
    let redirect = Redirect::new();
    assert_error(
        &post_form(
            &format!("{}/par", city.url),
            &par(&redirect.uri, "pid").to_form(),
        ),
        "invalid_request",
    );
    assert_error(
        &token_request(&city, "x", &redirect.uri, Some(VERIFIER)),
        "unsupported_grant_type",
    );
    // The wallet says so before opening anything.
    let o = city.wallet(&[
        "receive", "--issuer", &city.url, "--type", "pid", "--root", &city.root,
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("[unsupported_grant_type]"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_wallet_says_why_when_the_login_cannot_make_a_pid_or_never_answers() {
    let city = City::new(true);
    // The login gives no birthdate: refused at the issuer, told to the wallet.
    let (child, url, _rest) = city.start_receive(&[]);
    let done = browse(&url, "no-birthdate");
    assert!(done.starts_with("done 200"), "{done}");
    let o = child.wait_with_output().unwrap();
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("[access_denied]"), "{err}");
    assert!(err.contains("no birthdate"), "{err}");
    // Nobody logs in: a clear timeout.
    let (child, _url, _rest) = city.start_receive(&["--login-timeout", "1"]);
    let o = child.wait_with_output().unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("[login_timeout]"), "{}", stderr(&o));
    let list: Value = serde_json::from_str(&city.wallet_ok(&["list", "--json"])).unwrap();
    assert!(list.as_array().unwrap().is_empty(), "{list}");
}

#[test]
fn an_offer_from_the_citys_website_carries_an_issuer_state_used_once() {
    let city = City::new(true);
    let db = city.at("issuer.db");
    let offer: Value = serde_json::from_str(&ok(&[
        "issuer",
        "offer",
        "--db",
        &db,
        "--type",
        "pid",
        "--authorization",
        "--json",
    ]))
    .unwrap();
    let uri = offer["offer_uri"].as_str().unwrap().to_string();
    assert!(offer["tx_code"].is_null(), "{offer}");
    let decoded = civitas_exchange::openid4vci::parse_offer_url(&uri).unwrap();
    let civitas_exchange::openid4vci::OfferRef::ByValue(o) = decoded else {
        panic!("by reference")
    };
    assert!(o.grants.pre_authorized_code.is_none());
    assert!(o.grants.authorization_code.unwrap().issuer_state.is_some());

    // The wallet takes the offer, the citizen logs in: a PID.
    let receive = |uri: &str| {
        let mut child = city
            .wallet_command(&["receive", uri, "--root", &city.root])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        (child, line, out)
    };
    let (child, line, mut out) = receive(&uri);
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(
        url.starts_with(&format!("{}/authorize?", city.url)),
        "{line}"
    );
    let done = browse(&url, "mei-ling");
    assert!(done.starts_with("done 200"), "{done}");
    let o = child.wait_with_output().unwrap();
    let mut printed = String::new();
    out.read_to_string(&mut printed).unwrap();
    assert!(o.status.success(), "{printed}{}", stderr(&o));
    assert!(printed.contains("Received Personal ID"), "{printed}");

    // The same offer again: its issuer_state is used up (invalid_request at PAR).
    let (child, line, _out) = receive(&uri);
    let o = child.wait_with_output().unwrap();
    assert!(!o.status.success(), "{line}");
    assert!(stderr(&o).contains("[invalid_request]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("issuer_state"), "{}", stderr(&o));

    // The login vouches for a personal ID only.
    let o = civitas(&[
        "issuer",
        "offer",
        "--db",
        &db,
        "--type",
        "medical",
        "--authorization",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn an_independent_wallet_obtains_a_pid_through_the_citys_login() {
    // The OpenWallet Foundation's @openid4vc/openid4vci as the wallet: PAR with its
    // own PKCE and scope, iss checked, the code redeemed, a jwt proof.
    let city = City::new(true);
    let db = city.at("issuer.db");
    let offer: Value = serde_json::from_str(&ok(&[
        "issuer",
        "offer",
        "--db",
        &db,
        "--type",
        "pid",
        "--authorization",
        "--json",
    ]))
    .unwrap();
    let holder = city.at("owf-holder.jwk");
    let o = civitas(&["key", "generate", "-o", &holder]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = Command::new("node")
        .arg(interop_dir().join("city_login.mjs"))
        .args(["wallet", offer["offer_uri"].as_str().unwrap()])
        .args(["--account", "mei-ling", "--holder-key-file", &holder])
        .current_dir(interop_dir())
        .output()
        .unwrap();
    let got: Value = serde_json::from_str(stdout(&o).trim())
        .unwrap_or_else(|_| panic!("city_login.mjs wallet: {}{}", stdout(&o), stderr(&o)));
    assert_eq!(got["ok"], true, "{got}");
    assert_eq!(got["pkce"], "S256", "{got}");
    let credential = city.at("owf.sdjwt");
    std::fs::write(&credential, got["credential"].as_str().unwrap()).unwrap();
    let o = civitas(&[
        "present",
        "--key",
        &holder,
        "--disclose",
        "age_over_18",
        "--disclose",
        "given_name",
        "--nonce",
        "n-owf",
        "--aud",
        "counter-1",
        &credential,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let presentation = city.at("owf.pres");
    std::fs::write(&presentation, stdout(&o)).unwrap();
    let o = civitas(&[
        "verify",
        "--nonce",
        "n-owf",
        "--aud",
        "counter-1",
        "--root",
        &city.root,
        "--ledger",
        &city.ledger,
        "--json",
        &presentation,
    ]);
    let v: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(v["valid"], true, "{v} {}", stderr(&o));
    assert_eq!(v["claims"]["given_name"], "Mei-Ling", "{v}");
    assert_eq!(v["claims"]["age_over_18"], true, "{v}");
}
