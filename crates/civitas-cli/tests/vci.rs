#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Issuance to a wallet through the binary (issue 12): `civitas issue --holder DID`
//! (a credential bound to a wallet's DID without a key file), with its refusals.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

mod support;
use support::{civitas, civitas_command, did_create, stderr, stdout};

const PASS: &str = "correct horse battery staple";
const FAST_KDF: [&str; 6] = ["--kdf-memory", "19", "--kdf-time", "2", "--kdf-lanes", "1"];

struct Env {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    ledger: String,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        Env {
            ledger: dir.join("ledger.db").to_str().unwrap().to_string(),
            dir,
            _tmp: tmp,
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_string()
    }

    /// `civitas wallet <args> --wallet <dir>/wallet --ledger <ledger>` with the
    /// passphrase in the environment, `stdin` on standard input.
    fn wallet(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
        let mut cmd = civitas_command();
        cmd.arg("wallet")
            .args(args)
            .arg("--wallet")
            .arg(self.path("wallet"))
            .arg("--ledger")
            .arg(&self.ledger)
            .env("CIVITAS_PASSPHRASE", PASS)
            .env_remove("CIVITAS_TX_CODE")
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

    fn wallet_ok(&self, args: &[&str]) -> String {
        let o = self.wallet(args, &[], None);
        assert!(
            o.status.success(),
            "civitas wallet {args:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }

    /// A new wallet; its DID.
    fn init_wallet(&self) -> String {
        let mut args = vec!["init", "--recovery-out"];
        let words = self.path("words.txt");
        args.push(&words);
        args.extend(FAST_KDF);
        let text = self.wallet_ok(&args);
        field(&text, "DID:").to_string()
    }

    /// `civitas key generate` into `name`; its did:jwk.
    fn key(&self, name: &str) -> String {
        let o = civitas(&["key", "generate", "-o", &self.path(name)]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).lines().last().unwrap().trim().to_string()
    }

    fn claims(&self) -> String {
        let file = self.path("pid.json");
        std::fs::write(
            &file,
            r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,
                "nationality":"TW","personal_number":"A123456789"}"#,
        )
        .unwrap();
        file
    }

    /// `civitas issue --key issuer.jwk --vct pid --holder HOLDER …`.
    fn issue(&self, holder: &str) -> Output {
        civitas(&[
            "issue",
            "--key",
            &self.path("issuer.jwk"),
            "--vct",
            "pid",
            "--claims",
            &self.claims(),
            "--holder",
            holder,
            "--ledger",
            &self.ledger,
        ])
    }
}

fn field<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {label} in {text}"))
}

/// The `cnf` of a compact SD-JWT VC.
fn cnf(sd_jwt: &str) -> Value {
    let payload = sd_jwt.split('~').next().unwrap().split('.').nth(1).unwrap();
    let bytes = civitas_crypto::b64::decode(payload).unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["cnf"].clone()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn issue_binds_to_a_wallet_did_and_the_wallet_accepts_it() {
    let env = Env::new();
    let did = env.init_wallet();
    assert!(did.starts_with("did:webvh:"), "{did}");
    env.key("issuer.jwk");

    // A bare did:webvh: its first authentication key, bound by cnf.kid.
    let o = env.issue(&did);
    assert!(o.status.success(), "{}", stderr(&o));
    let credential = stdout(&o);
    let kid = format!("{did}#holder-1");
    assert_eq!(cnf(&credential), serde_json::json!({ "kid": kid }));
    let file = write(&env.dir, "pid.sdjwt", &credential);
    let text = env.wallet_ok(&["receive", &file]);
    assert!(
        text.contains(&format!("bound to your DID ({kid})")),
        "{text}"
    );

    // The DID URL itself names the same key.
    let o = env.issue(&kid);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(cnf(&stdout(&o)), serde_json::json!({ "kid": kid }));
}

#[test]
fn issue_binds_to_a_did_jwk_or_did_key_by_its_key() {
    let env = Env::new();
    env.key("issuer.jwk");
    let holder = env.key("holder.jwk");
    let public = civitas(&["key", "public", &env.path("holder.jwk")]);
    assert!(public.status.success(), "{}", stderr(&public));
    let jwk: Value = serde_json::from_slice(&public.stdout).unwrap();
    for h in [holder.clone(), format!("{holder}#0")] {
        let o = env.issue(&h);
        assert!(o.status.success(), "{h}: {}", stderr(&o));
        assert_eq!(cnf(&stdout(&o))["jwk"], jwk, "{h}");
    }
    let shown = stdout(&civitas(&["key", "show", &env.path("holder.jwk")]));
    let did_key = shown
        .split_whitespace()
        .find(|w| w.starts_with("did:key:"))
        .unwrap_or_else(|| panic!("no did:key in {shown}"))
        .to_string();
    let o = env.issue(&did_key);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(cnf(&stdout(&o))["jwk"], jwk);
}

#[test]
fn issue_refuses_a_holder_did_it_cannot_bind_to() {
    let env = Env::new();
    env.key("issuer.jwk");
    let refused = |holder: &str, expect: &str| {
        let o = env.issue(holder);
        assert_eq!(o.status.code(), Some(1), "{holder}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{holder}: a credential was printed");
        assert!(stderr(&o).contains(expect), "{holder}: {}", stderr(&o));
    };
    // A DID of a method nobody resolves, and a malformed one.
    refused("did:example:123", "cannot resolve the holder");
    refused("did:jwk:not-base64!", "cannot resolve the holder");
    // A DID URL naming no key of the DID.
    let holder = env.key("holder.jwk");
    refused(&format!("{holder}#nope"), "has no key");
    // did:key over secp256k1 / X25519: no ES256 or EdDSA key to bind to.
    refused(
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
        "cannot resolve the holder",
    );
    refused(
        "did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc",
        "cannot resolve the holder",
    );
    // A deactivated did:webvh.
    let keys = env.path("gone-keys");
    let earlier = (chrono::Utc::now() - chrono::Duration::seconds(60)).to_rfc3339();
    let gone = did_create("gone", &keys, &env.ledger, Some(&earlier));
    let o = civitas(&[
        "did",
        "deactivate",
        "--keys",
        &keys,
        "--ledger",
        &env.ledger,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    refused(&gone, "is deactivated");
    // A did:webvh the ledger does not know.
    refused(
        "did:webvh:QmXkBumM8KeKQbT1dN8v8BUYWmBX3bwV2cyKHXWArqG4oy:ledger.civitas.example:nobody",
        "cannot resolve the holder",
    );
}

// ---------------------------------------------------------------------------------
// OpenID4VCI: the Civitas wallet against an issuer built on @openid4vc/openid4vci.

const SETUP: &str = "(a missing peer?) install the interop peers with: bash crates/civitas-cli/tests/interop/setup.sh";
const PIN: &str = "493536";

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

fn pid_claims() -> Value {
    serde_json::json!({
        "given_name": "Mei-Ling", "family_name": "Chen", "birthdate": "1958-03-14",
        "age_over_18": true, "nationality": "TW", "personal_number": "A123456789"
    })
}

/// `node vci_issuer.mjs` (an npm issuer on loopback), killed when dropped.
struct NpmIssuer {
    child: std::process::Child,
    offer: String,
    did: String,
}

impl Drop for NpmIssuer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Env {
    /// An npm issuer of PIDs signed with a fresh did:jwk key; `misbehave` as
    /// vci_issuer.mjs takes it.
    fn npm_issuer(&self, misbehave: Option<&str>) -> NpmIssuer {
        use std::io::BufRead;
        let name = format!("npm-issuer-{}.jwk", misbehave.unwrap_or("ok"));
        let did = self.key(&name);
        let key: Value =
            serde_json::from_str(&std::fs::read_to_string(self.path(&name)).unwrap()).unwrap();
        let config = serde_json::json!({
            "key": key, "did": did, "vct": civitas_testkit::PID, "configuration_id": "pid",
            "claims": pid_claims(), "disclosable": ["given_name", "family_name", "birthdate",
            "age_over_18", "nationality", "personal_number"], "tx_code": PIN,
            "misbehave": misbehave,
        });
        let mut child = std::process::Command::new("node")
            .arg("vci_issuer.mjs")
            .current_dir(interop_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("node: {e} {SETUP}"));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(config.to_string().as_bytes())
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
        let v: Value = serde_json::from_str(&first)
            .unwrap_or_else(|_| panic!("vci_issuer.mjs printed {first:?} {SETUP}"));
        NpmIssuer {
            child,
            offer: v["offer_uri"].as_str().unwrap().to_string(),
            did,
        }
    }

    /// `civitas wallet receive OFFER --pin-file … [--root ROOT]`.
    fn receive_offer(&self, offer: &str, pin: &str, root: Option<&str>) -> Output {
        let pin_file = self.path("pin.txt");
        std::fs::write(&pin_file, format!("{pin}\n")).unwrap();
        let mut args = vec!["receive", offer, "--pin-file", &pin_file];
        if let Some(r) = root {
            args.extend(["--root", r]);
        }
        self.wallet(&args, &[], None)
    }

    /// How many credentials the wallet holds.
    fn held(&self) -> usize {
        let v: Value = serde_json::from_str(&self.wallet_ok(&["list", "--json"])).unwrap();
        v.as_array().map_or(0, Vec::len)
    }
}

/// A refusal of `wallet receive` with `[code]`, nothing stored, no PIN in the output.
fn assert_refused(env: &Env, o: &Output, code: &str) {
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(o), stderr(o));
    assert!(
        stderr(o).contains(&format!("[{code}]")),
        "expected [{code}]: {}",
        stderr(o)
    );
    assert!(!stderr(o).contains(PIN) && !stdout(o).contains(PIN));
    assert_eq!(env.held(), 0, "a refused credential was stored");
}

#[test]
fn civitas_wallet_receives_from_an_npm_openid4vci_issuer() {
    let env = Env::new();
    env.init_wallet();
    let issuer = env.npm_issuer(None);
    // The npm issuer's did:jwk is trusted as a root by this wallet (--root): the
    // wallet refuses an issuer that is not accredited for the type.
    let o = env.receive_offer(&issuer.offer, PIN, Some(&issuer.did));
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("Received Personal ID as "), "{text}");
    assert!(text.contains("over OpenID4VCI"), "{text}");
    assert!(text.contains("bound to this device's key"), "{text}");
    assert!(!text.contains(PIN) && !stderr(&o).contains(PIN));
    assert_eq!(env.held(), 1);
    let history = env.wallet_ok(&["history"]);
    assert!(
        history.contains("received Personal ID") && history.contains("over OpenID4VCI"),
        "{history}"
    );

    // It presents, and `civitas verify` accepts the presentation.
    let out = env.path("p.txt");
    env.wallet_ok(&[
        "present",
        "--type",
        "pid",
        "--require",
        "age_over_18",
        "--nonce",
        "n-vci",
        "--aud",
        "counter-1",
        "--yes",
        "-o",
        &out,
    ]);
    let o = civitas(&[
        "verify",
        "--nonce",
        "n-vci",
        "--aud",
        "counter-1",
        "--trust",
        &issuer.did,
        "--json",
        "--ledger",
        &env.ledger,
        &out,
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let v: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["claims"]["age_over_18"], true, "{v}");
}

#[test]
fn civitas_wallet_refuses_bad_issuance_and_stores_nothing() {
    let env = Env::new();
    env.init_wallet();

    // A wrong PIN: the issuer's invalid_grant, surfaced (from a file, and from
    // CIVITAS_TX_CODE).
    let issuer = env.npm_issuer(None);
    let o = env.receive_offer(&issuer.offer, "000000", Some(&issuer.did));
    assert_refused(&env, &o, "invalid_grant");
    let o = env.wallet(
        &["receive", &issuer.offer, "--root", &issuer.did],
        &[("CIVITAS_TX_CODE", "111111")],
        None,
    );
    assert_refused(&env, &o, "invalid_grant");
    assert!(!stderr(&o).contains("111111"));
    // No PIN and no terminal to ask for it: a usage error naming the ways to give it.
    let o = env.wallet(
        &["receive", &issuer.offer, "--root", &issuer.did],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--pin-file"), "{}", stderr(&o));
    // A PIN of the wrong shape is refused before it is sent.
    let o = env.receive_offer(&issuer.offer, "12ab", Some(&issuer.did));
    assert_refused(&env, &o, "invalid_tx_code");

    // An issuer not accredited for the type (no chain to a trusted root).
    let o = env.receive_offer(&issuer.offer, PIN, None);
    assert_refused(&env, &o, "issuer_not_accredited");
    assert!(stderr(&o).contains("not accredited"), "{}", stderr(&o));

    // A credential bound to another key than the proof's.
    let other_key = env.npm_issuer(Some("other-key"));
    let o = env.receive_offer(&other_key.offer, PIN, Some(&other_key.did));
    assert_refused(&env, &o, "not_our_binding");

    // A credential of another type than offered.
    let other_vct = env.npm_issuer(Some("other-vct"));
    let o = env.receive_offer(&other_vct.offer, PIN, Some(&other_vct.did));
    assert_refused(&env, &o, "wrong_credential_type");

    // An offer from a plain-http issuer that is not this machine: nothing is fetched.
    let offer = serde_json::json!({
        "credential_issuer": "http://issuer.example.com",
        "credential_configuration_ids": ["pid"],
        "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {
            "pre-authorized_code": "abc", "tx_code": {"input_mode": "numeric", "length": 6}}}
    });
    let url = format!(
        "openid-credential-offer://?credential_offer={}",
        civitas_exchange::openid4vci::form::encode(&offer.to_string())
    );
    let o = env.receive_offer(&url, PIN, None);
    assert_refused(&env, &o, "invalid_request");
    assert!(stderr(&o).contains("plain http"), "{}", stderr(&o));

    let history = env.wallet_ok(&["history"]);
    assert!(!history.contains("OpenID4VCI"), "{history}");
}

// ---------------------------------------------------------------------------------
// `civitas issuer serve`: the npm wallet and the Civitas wallet obtain credentials.

/// `civitas issuer serve --keys KEYS --ledger L --db DB --listen 127.0.0.1:PORT`, its
/// credential_issuer URL (first stdout line `issuer <URL> on http://ADDR`).
fn issuer_serve(env: &Env, keys: &str, db: &str) -> (support::Served, String) {
    use std::io::BufRead;
    let port = support::free_port();
    let mut child = civitas_command()
        .args([
            "issuer",
            "serve",
            "--keys",
            keys,
            "--ledger",
            &env.ledger,
            "--db",
            db,
        ])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
    std::thread::spawn(move || lines.for_each(drop));
    let served = support::Served {
        child,
        url: format!("http://127.0.0.1:{port}"),
        port,
    };
    let url = first
        .strip_prefix("issuer ")
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("issuer serve printed {first:?}"))
        .to_string();
    support::wait_for(port);
    (served, url)
}

/// `civitas issuer offer --db DB --type pid --claims FILE --json`: (offer URI, PIN).
fn issuer_offer(env: &Env, db: &str) -> (String, String) {
    let o = civitas(&[
        "issuer",
        "offer",
        "--db",
        db,
        "--type",
        "pid",
        "--claims",
        &env.claims(),
        "--json",
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    (
        v["offer_uri"].as_str().unwrap().to_string(),
        v["tx_code"].as_str().unwrap().to_string(),
    )
}

/// `node vci_wallet.mjs` with `holder_key`: its JSON answer.
fn npm_wallet(offer: &str, pin: &str, holder_key: &Value) -> Value {
    let mut child = std::process::Command::new("node")
        .arg("vci_wallet.mjs")
        .current_dir(interop_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("node: {e} {SETUP}"));
    let request = serde_json::json!({"offer": offer, "tx_code": pin, "holder_key": holder_key});
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    serde_json::from_str(stdout(&o).trim())
        .unwrap_or_else(|_| panic!("vci_wallet.mjs: {}{} {SETUP}", stdout(&o), stderr(&o)))
}

#[test]
fn npm_and_civitas_wallets_obtain_credentials_from_civitas_issuer_serve() {
    let env = Env::new();
    env.init_wallet();
    let earlier = (chrono::Utc::now() - chrono::Duration::seconds(60)).to_rfc3339();
    let root_keys = env.path("root-keys");
    let root = did_create("root", &root_keys, &env.ledger, Some(&earlier));
    let hall_keys = env.path("hall-keys");
    let hall = did_create("city-hall", &hall_keys, &env.ledger, Some(&earlier));
    for args in [
        vec!["--root", "--vct", "pid", "--name", "City of Taipei"],
        vec!["--subject", &hall, "--vct", "pid", "--name", "City Hall"],
    ] {
        let mut a = vec!["accredit", "--keys", &root_keys, "--ledger", &env.ledger];
        a.extend(args);
        let o = civitas(&a);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let db = env.path("issuer.db");
    let (_server, issuer_url) = issuer_serve(&env, &hall_keys, &db);
    assert!(issuer_url.starts_with("http://127.0.0.1:"), "{issuer_url}");

    // The npm wallet (@openid4vc/openid4vci) obtains a PID; `civitas present` with its
    // key and `civitas verify` accept it.
    let (offer, pin) = issuer_offer(&env, &db);
    env.key("npm-holder.jwk");
    let holder: Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("npm-holder.jwk")).unwrap())
            .unwrap();
    let got = npm_wallet(&offer, &pin, &holder);
    assert_eq!(got["ok"], true, "{got}");
    let credential = write(&env.dir, "npm.sdjwt", got["credential"].as_str().unwrap());
    let o = civitas(&[
        "present",
        "--key",
        &env.path("npm-holder.jwk"),
        "--disclose",
        "age_over_18",
        "--nonce",
        "n-npm",
        "--aud",
        "counter-1",
        &credential,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let presentation = write(&env.dir, "npm.pres", &stdout(&o));
    let o = civitas(&[
        "verify",
        "--nonce",
        "n-npm",
        "--aud",
        "counter-1",
        "--root",
        &root,
        "--ledger",
        &env.ledger,
        "--json",
        &presentation,
    ]);
    let v: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(v["valid"], true, "{v} {}", stderr(&o));
    assert_eq!(v["issuer"], hall.as_str());
    // The code is single-use: the same offer again is invalid_grant.
    let again = npm_wallet(&offer, &pin, &holder);
    assert_eq!(again["ok"], false, "{again}");
    assert_eq!(again["error"], "invalid_grant", "{again}");

    // The Civitas wallet obtains one too, with a wrong PIN refused first.
    let (offer, pin) = issuer_offer(&env, &db);
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    let o = env.receive_offer(&offer, wrong, Some(&root));
    assert_refused(&env, &o, "invalid_grant");
    let o = env.receive_offer(&offer, &pin, Some(&root));
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("accredited as City Hall"),
        "{}",
        stdout(&o)
    );
    // The issuer binds to did:webvh: the proof's kid was the wallet's DID URL.
    assert!(
        stdout(&o).contains("bound to your DID (did:webvh:"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains(&format!("from:    {issuer_url} over OpenID4VCI")));
    let out = env.path("p.txt");
    env.wallet_ok(&[
        "present",
        "--type",
        "pid",
        "--require",
        "age_over_18",
        "--nonce",
        "n-civ",
        "--aud",
        "counter-1",
        "--yes",
        "-o",
        &out,
    ]);
    let o = civitas(&[
        "verify",
        "--nonce",
        "n-civ",
        "--aud",
        "counter-1",
        "--root",
        &root,
        "--ledger",
        &env.ledger,
        "--json",
        &out,
    ]);
    let v: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(v["valid"], true, "{v} {}", stderr(&o));
}
