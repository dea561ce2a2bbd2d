#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The OpenID4VCI issuer through processes (issue 12): `civitas issuer serve` on
//! loopback, `civitas issuer offer` writing into its database, and a wallet played by
//! this test with civitas-exchange's protocol types (metadata → token with the PIN →
//! nonce → key proof → credential), then `civitas present` and `civitas verify
//! --ledger`. Every refusal is asserted by its OAuth `error` code, and nothing is
//! issued on a refusal (the audit trail stays empty).

use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_exchange::openid4vci::{
    CredentialIssuerMetadata, CredentialOffer, OfferRef, ProofKey, TokenRequest, build_proof,
    parse_offer_url,
};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;

mod support;
use support::{civitas, civitas_command, did_create, ok, stderr, stdout};

/// An issuer with its own ledger, key directory and database, served on loopback.
struct Issuer {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    ledger: String,
    keys: String,
    did: String,
    url: String,
    _served: support::Served,
}

const PID_CLAIMS: &str = r#"{"given_name":"Mei","family_name":"Lin","birthdate":"1990-05-01","personal_number":"A123456789","age_over_18":true}"#;

impl Issuer {
    /// Steps 1–2: a did:webvh issuer on a fresh ledger; `civitas issuer serve`.
    fn start() -> Issuer {
        Self::start_with(&[])
    }

    /// [`Issuer::start`] with more `issuer serve` flags.
    fn start_with(extra: &[&str]) -> Issuer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let ledger = dir.join("ledger.db").to_str().unwrap().to_string();
        let keys = dir.join("keys").to_str().unwrap().to_string();
        let did = did_create("issuers:city-hall", &keys, &ledger, None);
        std::fs::write(dir.join("pid.json"), PID_CLAIMS).unwrap();
        let mut args = vec![
            "issuer",
            "serve",
            "--keys",
            &keys,
            "--ledger",
            &ledger,
            "--name",
            "en-US=City Hall",
            "--name",
            "zh-TW=市政府",
        ];
        args.extend(extra);
        let (served, first) = support::serve_printing(&args);
        let url = served.url.clone();
        assert_eq!(first, format!("issuer {url} on {url}"));
        Issuer {
            _tmp: tmp,
            dir,
            ledger,
            keys,
            did,
            url,
            _served: served,
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_string()
    }

    /// `civitas issuer offer --keys DIR --type pid --claims pid.json --json <extra>`.
    fn offer(&self, extra: &[&str]) -> Value {
        let claims = self.path("pid.json");
        let mut args = vec![
            "issuer", "offer", "--keys", &self.keys, "--type", "pid", "--claims", &claims, "--json",
        ];
        args.extend(extra);
        serde_json::from_str(&ok(&args)).unwrap()
    }

    fn audit(&self) -> Vec<Value> {
        let out = ok(&["issuer", "audit", "--keys", &self.keys, "--json"]);
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
}

/// The offer's pre-authorized code.
fn code_of(offer: &Value) -> String {
    let OfferRef::ByValue(o) = parse_offer_url(offer["offer_uri"].as_str().unwrap()).unwrap()
    else {
        panic!("not by value")
    };
    o.pre_authorized().unwrap().pre_authorized_code.clone()
}

/// POST /token; (status, body).
fn token(issuer: &Issuer, code: &str, pin: Option<&str>) -> (u16, Value) {
    let r = client()
        .post(format!("{}/token", issuer.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(TokenRequest::pre_authorized(code, pin).to_form())
        .send()
        .unwrap();
    (r.status().as_u16(), r.json().unwrap())
}

fn nonce(issuer: &Issuer) -> String {
    let r: Value = client()
        .post(format!("{}/nonce", issuer.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    r["c_nonce"].as_str().unwrap().to_string()
}

/// POST /credential with a Bearer token; (status, body, WWW-Authenticate).
fn credential(issuer: &Issuer, token: Option<&str>, body: &Value) -> (u16, Value, Option<String>) {
    let mut req = client()
        .post(format!("{}/credential", issuer.url))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().unwrap();
    let www = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    (r.status().as_u16(), r.json().unwrap(), www)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn holder_key(seed_alg: Algorithm) -> SigningKey {
    SigningKey::generate(seed_alg, &SystemRng).unwrap()
}

fn request(config: &str, proof: &str) -> Value {
    json!({"credential_configuration_id": config, "proofs": {"jwt": [proof]}})
}

/// A token for a fresh offer, with the right PIN.
fn fresh_token(issuer: &Issuer) -> (Value, String) {
    let offer = issuer.offer(&[]);
    let (status, body) = token(issuer, &code_of(&offer), offer["tx_code"].as_str());
    assert_eq!(status, 200, "{body}");
    (offer, body["access_token"].as_str().unwrap().to_string())
}

/// The payload of an SD-JWT VC's issuer-signed JWT.
fn payload_of(sd_jwt: &str) -> Value {
    let jwt = sd_jwt.split('~').next().unwrap();
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&civitas_crypto::b64::decode(p).unwrap()).unwrap()
}

fn assert_error(status: u16, body: &Value, want_status: u16, code: &str) {
    assert_eq!(body["error"], code, "{body}");
    assert_eq!(status, want_status, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
}

#[test]
fn metadata_is_served_for_the_three_types_in_both_languages() {
    let issuer = Issuer::start();
    let body = client()
        .get(format!(
            "{}/.well-known/openid-credential-issuer",
            issuer.url
        ))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    let meta = CredentialIssuerMetadata::from_json(&body, &issuer.url).unwrap();
    assert_eq!(
        meta.credential_endpoint,
        format!("{}/credential", issuer.url)
    );
    assert_eq!(meta.nonce_endpoint, Some(format!("{}/nonce", issuer.url)));
    assert_eq!(meta.display_name("en-US"), Some("City Hall"));
    assert_eq!(meta.display_name("zh-TW"), Some("市政府"));
    let ids: Vec<&String> = meta.credential_configurations_supported.keys().collect();
    assert_eq!(ids, ["medical_summary", "pid", "service_record"]);
    for c in meta.credential_configurations_supported.values() {
        assert_eq!(c.format, "dc+sd-jwt");
        assert_eq!(
            c.cryptographic_binding_methods_supported,
            ["jwk", "did:webvh", "did:jwk"]
        );
        assert_eq!(
            c.proof_types_supported["jwt"].proof_signing_alg_values_supported,
            ["ES256", "EdDSA"]
        );
        let display = &c.credential_metadata.as_ref().unwrap().display;
        let locales: Vec<_> = display.iter().filter_map(|d| d.locale.as_deref()).collect();
        assert_eq!(locales, ["en-US", "zh-TW"]);
    }
    assert_eq!(
        meta.credential_configurations_supported["pid"]
            .vct
            .as_deref(),
        Some("https://civitas.example/credentials/pid/v1")
    );
    let r = client()
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            issuer.url
        ))
        .send()
        .unwrap();
    let as_meta: Value = r.json().unwrap();
    assert_eq!(as_meta["issuer"], issuer.url.as_str());
    assert_eq!(as_meta["token_endpoint"], format!("{}/token", issuer.url));
    assert_eq!(
        as_meta["pre-authorized_grant_anonymous_access_supported"],
        true
    );
}

#[test]
fn offer_pin_token_nonce_proof_credential_then_present_and_verify() {
    // 1–2. The issuer runs; the clerk makes an offer (URI + PIN, and a QR picture).
    let issuer = Issuer::start();
    let qr = issuer.path("offer.png");
    let claims = issuer.path("pid.json");
    let o = civitas(&[
        "issuer",
        "offer",
        "--keys",
        &issuer.keys,
        "--type",
        "pid",
        "--claims",
        &claims,
        "--qr",
        &qr,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let mut lines = text.lines();
    let uri = lines.next().unwrap();
    let pin_line = lines.next().unwrap();
    assert!(uri.starts_with("openid-credential-offer://?credential_offer="));
    let pin = pin_line.strip_prefix("PIN ").unwrap();
    assert_eq!(pin.len(), 6);
    assert!(pin.bytes().all(|b| b.is_ascii_digit()));
    assert!(std::fs::read(&qr).unwrap().starts_with(b"\x89PNG"));
    // The PIN is not in the offer.
    assert!(!uri.contains(pin) || uri.matches(pin).count() < 2);
    let OfferRef::ByValue(offer) = parse_offer_url(uri).unwrap() else {
        panic!()
    };
    assert_eq!(offer.credential_issuer, issuer.url);
    assert_eq!(offer.credential_configuration_ids, ["pid"]);
    let grant = offer.pre_authorized().unwrap();
    let tx = grant.tx_code.as_ref().unwrap();
    assert_eq!(
        (tx.input_mode.as_deref(), tx.length),
        (Some("numeric"), Some(6))
    );
    let pending = ok(&["issuer", "pending", "--keys", &issuer.keys, "--json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&pending)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // 3. The wallet exchanges the code and the PIN for an access token.
    let (status, body) = token(&issuer, &grant.pre_authorized_code, Some(pin));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let access = body["access_token"].as_str().unwrap().to_string();

    // 4. A nonce, a key proof over it, the credential.
    let holder = holder_key(Algorithm::Es256);
    let c_nonce = nonce(&issuer);
    let proof = build_proof(&holder, &ProofKey::Jwk, &issuer.url, Some(&c_nonce), now()).unwrap();
    let (status, body, _) = credential(&issuer, Some(&access), &request("pid", &proof));
    assert_eq!(status, 200, "{body}");
    let sd_jwt = body["credentials"][0]["credential"]
        .as_str()
        .unwrap()
        .to_string();
    let payload = payload_of(&sd_jwt);
    assert_eq!(payload["iss"], issuer.did.as_str());
    assert_eq!(payload["vct"], "https://civitas.example/credentials/pid/v1");
    assert_eq!(payload["cnf"]["jwk"], holder.public().to_jwk_value());
    let idx = payload["status"]["status_list"]["idx"].as_u64().unwrap();
    assert!(idx < 131_072, "{idx}");

    // 5. The audit trail records it without a claim value; the offer is closed.
    let audit = issuer.audit();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["configuration_id"], "pid");
    assert_eq!(audit[0]["holder_thumbprint"], holder.public().thumbprint());
    assert_eq!(audit[0]["status_index"], idx);
    let audit_text = serde_json::to_string(&audit).unwrap();
    for secret in ["Mei", "A123456789", "1990-05-01", pin] {
        assert!(!audit_text.contains(secret), "{secret} in the audit");
    }
    let pending = ok(&["issuer", "pending", "--keys", &issuer.keys, "--json"]);
    assert_eq!(pending.trim(), "[]");

    // 6. The code and the token are single use.
    let (status, body) = token(&issuer, &grant.pre_authorized_code, Some(pin));
    assert_error(status, &body, 400, "invalid_grant");
    let proof = build_proof(
        &holder,
        &ProofKey::Jwk,
        &issuer.url,
        Some(&nonce(&issuer)),
        now(),
    )
    .unwrap();
    let (status, body, www) = credential(&issuer, Some(&access), &request("pid", &proof));
    assert_error(status, &body, 401, "invalid_token");
    assert_eq!(www.as_deref(), Some("Bearer error=\"invalid_token\""));

    // 7. The citizen presents it; the counter verifies it against the ledger
    //    (issuer DID, issuance anchor, status list).
    let cred_file = issuer.path("pid.sdjwt");
    std::fs::write(&cred_file, &sd_jwt).unwrap();
    let key_file = issuer.path("holder.jwk");
    holder.save(std::path::Path::new(&key_file)).unwrap();
    let presentation = ok(&[
        "present",
        "--key",
        &key_file,
        "--disclose",
        "age_over_18",
        "--nonce",
        "n-1",
        "--aud",
        "counter-1",
        &cred_file,
    ]);
    let pres_file = issuer.path("pres.txt");
    std::fs::write(&pres_file, presentation.trim()).unwrap();
    let o = civitas(&[
        "verify",
        "--json",
        "--trust",
        &issuer.did,
        "--nonce",
        "n-1",
        "--aud",
        "counter-1",
        "--ledger",
        &issuer.ledger,
        &pres_file,
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["claims"]["age_over_18"], true);
    assert!(v["claims"].get("given_name").is_none());
}

#[test]
fn wrong_pins_are_counted_and_the_fifth_kills_the_offer() {
    let issuer = Issuer::start();
    let offer = issuer.offer(&[]);
    let code = code_of(&offer);
    let pin = offer["tx_code"].as_str().unwrap();
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    // A missing PIN is a malformed request, not an attempt.
    let (status, body) = token(&issuer, &code, None);
    assert_error(status, &body, 400, "invalid_request");
    for left in (1..5).rev() {
        let (status, body) = token(&issuer, &code, Some(wrong));
        assert_error(status, &body, 400, "invalid_grant");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains(&format!("{left} attempts left")),
            "{body}"
        );
        assert!(!body.to_string().contains(pin));
    }
    let (status, body) = token(&issuer, &code, Some(wrong));
    assert_error(status, &body, 400, "invalid_grant");
    // Dead: the right PIN no longer works.
    let (status, body) = token(&issuer, &code, Some(pin));
    assert_error(status, &body, 400, "invalid_grant");
    assert!(issuer.audit().is_empty());
    let pending = ok(&["issuer", "pending", "--keys", &issuer.keys, "--json"]);
    assert_eq!(pending.trim(), "[]");
    // An unknown code.
    let (status, body) = token(&issuer, "not-a-code", Some(pin));
    assert_error(status, &body, 400, "invalid_grant");
}

#[test]
fn an_expired_offer_is_refused() {
    let issuer = Issuer::start();
    let offer = issuer.offer(&["--expires-in", "1"]);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (status, body) = token(&issuer, &code_of(&offer), offer["tx_code"].as_str());
    assert_error(status, &body, 400, "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[test]
fn bad_proofs_and_nonces_are_refused_and_nothing_is_issued() {
    let issuer = Issuer::start();
    let (_offer, access) = fresh_token(&issuer);
    let holder = holder_key(Algorithm::Es256);
    let other = holder_key(Algorithm::Es256);

    // A proof signed by one key carrying another's jwk.
    let forged = {
        let header = json!({"typ": "openid4vci-proof+jwt", "alg": "ES256", "jwk": other.public().to_jwk_value()});
        let payload = json!({"aud": issuer.url, "iat": now(), "nonce": nonce(&issuer)});
        let mut s = civitas_crypto::b64::encode(header.to_string());
        s.push('.');
        s.push_str(&civitas_crypto::b64::encode(payload.to_string()));
        let sig = civitas_crypto::Signer::sign(&holder, s.as_bytes()).unwrap();
        s.push('.');
        s.push_str(&civitas_crypto::b64::encode(sig));
        s
    };
    let (status, body, _) = credential(&issuer, Some(&access), &request("pid", &forged));
    assert_error(status, &body, 400, "invalid_proof");

    // A proof for another issuer (aud).
    let proof = build_proof(
        &holder,
        &ProofKey::Jwk,
        "https://other.example",
        Some(&nonce(&issuer)),
        now(),
    )
    .unwrap();
    let (status, body, _) = credential(&issuer, Some(&access), &request("pid", &proof));
    assert_error(status, &body, 400, "invalid_proof");

    // A nonce the issuer never gave.
    let proof = build_proof(&holder, &ProofKey::Jwk, &issuer.url, Some("made-up"), now()).unwrap();
    let (status, body, _) = credential(&issuer, Some(&access), &request("pid", &proof));
    assert_error(status, &body, 400, "invalid_nonce");

    // No nonce at all.
    let proof = build_proof(&holder, &ProofKey::Jwk, &issuer.url, None, now()).unwrap();
    let (status, body, _) = credential(&issuer, Some(&access), &request("pid", &proof));
    assert_error(status, &body, 400, "invalid_nonce");

    // A nonce used once (by another offer's successful issuance) is stale.
    let (_o2, access2) = fresh_token(&issuer);
    let used = nonce(&issuer);
    let proof = build_proof(&holder, &ProofKey::Jwk, &issuer.url, Some(&used), now()).unwrap();
    let (status, body, _) = credential(&issuer, Some(&access2), &request("pid", &proof));
    assert_eq!(status, 200, "{body}");
    assert_eq!(issuer.audit().len(), 1);
    let proof = build_proof(&holder, &ProofKey::Jwk, &issuer.url, Some(&used), now()).unwrap();
    let (status, body, _) = credential(&issuer, Some(&access), &request("pid", &proof));
    assert_error(status, &body, 400, "invalid_nonce");

    // Nothing was issued for the refused requests: still one audit row, and the
    // first offer is still waiting (the wallet may retry with a fresh nonce).
    assert_eq!(issuer.audit().len(), 1);
    let proof = build_proof(
        &holder,
        &ProofKey::Jwk,
        &issuer.url,
        Some(&nonce(&issuer)),
        now(),
    )
    .unwrap();
    let (status, body, _) = credential(&issuer, Some(&access), &request("pid", &proof));
    assert_eq!(status, 200, "{body}");
    let audit = issuer.audit();
    assert_eq!(audit.len(), 2);
    // Another place in the list, not the next one (random placement).
    let first = audit[0]["status_index"].as_u64().unwrap();
    let second = audit[1]["status_index"].as_u64().unwrap();
    assert!(first.abs_diff(second) > 1, "{first} {second}");
}

#[test]
fn malformed_and_unauthorized_requests_get_their_codes() {
    let issuer = Issuer::start();
    let (_offer, access) = fresh_token(&issuer);
    let holder = holder_key(Algorithm::EdDsa);
    let good = || {
        build_proof(
            &holder,
            &ProofKey::Jwk,
            &issuer.url,
            Some(&nonce(&issuer)),
            now(),
        )
        .unwrap()
    };

    // No token, a wrong token.
    let (status, body, _) = credential(&issuer, None, &request("pid", &good()));
    assert_error(status, &body, 401, "invalid_token");
    let (status, body, _) = credential(&issuer, Some("nope"), &request("pid", &good()));
    assert_error(status, &body, 401, "invalid_token");
    // Unknown configuration; a known one that was not offered; an identifier.
    let (status, body, _) = credential(&issuer, Some(&access), &request("passport", &good()));
    assert_error(status, &body, 400, "unknown_credential_configuration");
    let (status, body, _) =
        credential(&issuer, Some(&access), &request("medical_summary", &good()));
    assert_error(status, &body, 400, "invalid_credential_request");
    let (status, body, _) = credential(
        &issuer,
        Some(&access),
        &json!({"credential_identifier": "x", "proofs": {"jwt": [good()]}}),
    );
    assert_error(status, &body, 400, "unknown_credential_identifier");
    // Malformed bodies.
    let (status, body, _) = credential(
        &issuer,
        Some(&access),
        &json!({"proofs": {"jwt": [good()]}}),
    );
    assert_error(status, &body, 400, "invalid_credential_request");
    let (status, body, _) = credential(
        &issuer,
        Some(&access),
        &json!({"credential_configuration_id": "pid"}),
    );
    assert_error(status, &body, 400, "invalid_proof");
    let (status, body, _) = credential(
        &issuer,
        Some(&access),
        &json!({"credential_configuration_id": "pid", "proof": {"proof_type": "jwt", "jwt": good()}}),
    );
    assert_error(status, &body, 400, "invalid_credential_request");
    // Token endpoint: another grant type, a form that is not one, another media type.
    let c = client();
    let r = c
        .post(format!("{}/token", issuer.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=authorization_code&code=x")
        .send()
        .unwrap();
    let (s, b): (u16, Value) = (r.status().as_u16(), r.json().unwrap());
    assert_error(s, &b, 400, "unsupported_grant_type");
    let r = c
        .post(format!("{}/token", issuer.url))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .unwrap();
    let (s, b): (u16, Value) = (r.status().as_u16(), r.json().unwrap());
    assert_error(s, &b, 400, "invalid_request");
    let r = c
        .post(format!("{}/token", issuer.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=x&grant_type=y")
        .send()
        .unwrap();
    let (s, b): (u16, Value) = (r.status().as_u16(), r.json().unwrap());
    assert_error(s, &b, 400, "invalid_request");
    // A body over the limit is refused as an OAuth error; a wrong method too.
    let r = c
        .post(format!("{}/credential", issuer.url))
        .bearer_auth(&access)
        .header("content-type", "application/json")
        .body(vec![b'x'; 200 * 1024])
        .send()
        .unwrap();
    let (s, b): (u16, Value) = (r.status().as_u16(), r.json().unwrap());
    assert_error(s, &b, 413, "invalid_credential_request");
    let r = c.get(format!("{}/token", issuer.url)).send().unwrap();
    let (s, b): (u16, Value) = (r.status().as_u16(), r.json().unwrap());
    assert_error(s, &b, 405, "invalid_request");
    assert!(issuer.audit().is_empty());
    // The offer still works once asked properly.
    let (status, body, _) = credential(&issuer, Some(&access), &request("pid", &good()));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn offers_without_pin_and_offer_refusals() {
    let issuer = Issuer::start();
    let offer = issuer.offer(&["--no-pin"]);
    assert_eq!(offer["tx_code"], Value::Null);
    let OfferRef::ByValue(o) = parse_offer_url(offer["offer_uri"].as_str().unwrap()).unwrap()
    else {
        panic!()
    };
    let o: CredentialOffer = o;
    assert!(o.pre_authorized().unwrap().tx_code.is_none());
    let code = code_of(&offer);
    // A PIN sent for an offer without one: invalid_request; then without: a token.
    let (status, body) = token(&issuer, &code, Some("123456"));
    assert_error(status, &body, 400, "invalid_request");
    let (status, body) = token(&issuer, &code, None);
    assert_eq!(status, 200, "{body}");

    // Refusals of the back office: unknown type, claims that do not fit the type,
    // no database.
    let claims = issuer.path("pid.json");
    let o = civitas(&[
        "issuer",
        "offer",
        "--keys",
        &issuer.keys,
        "--type",
        "passport",
        "--claims",
        &claims,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let bad = issuer.path("bad.json");
    std::fs::write(&bad, r#"{"given_name":"Mei"}"#).unwrap();
    let o = civitas(&[
        "issuer",
        "offer",
        "--keys",
        &issuer.keys,
        "--type",
        "pid",
        "--claims",
        &bad,
    ]);
    assert_ne!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = civitas(&[
        "issuer",
        "offer",
        "--db",
        &issuer.path("none.db"),
        "--type",
        "pid",
        "--claims",
        &claims,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = civitas(&[
        "issuer",
        "offer",
        "--keys",
        &issuer.keys,
        "--type",
        "pid",
        "--claims",
        &claims,
        "--expires-in",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn serve_offer_wallet_receive_present_verify_a_service_record() {
    const PASS: &str = "correct horse battery staple";
    const FAST_KDF: [&str; 6] = ["--kdf-memory", "19", "--kdf-time", "2", "--kdf-lanes", "1"];
    // 1. A city root accredits the city hall for service records; the hall serves.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ledger = dir.join("ledger.db").to_str().unwrap().to_string();
    let at = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let earlier = (chrono::Utc::now() - chrono::Duration::seconds(60)).to_rfc3339();
    let root_keys = at("root-keys");
    let root = did_create("root", &root_keys, &ledger, Some(&earlier));
    let hall_keys = at("hall-keys");
    let hall = did_create("city-hall", &hall_keys, &ledger, Some(&earlier));
    for args in [
        vec![
            "--root",
            "--vct",
            "service-record",
            "--name",
            "City of Taipei",
        ],
        vec![
            "--subject",
            &hall,
            "--vct",
            "service-record",
            "--name",
            "City Hall",
        ],
    ] {
        let mut a = vec!["accredit", "--keys", &root_keys, "--ledger", &ledger];
        a.extend(args);
        ok(&a);
    }
    let db = at("issuer.db");
    let served = support::Served::start(&[
        "issuer", "serve", "--keys", &hall_keys, "--ledger", &ledger, "--db", &db,
    ]);
    let _ = &served.url;

    // 2. The clerk offers a service record.
    std::fs::write(
        at("record.json"),
        r#"{"service":"Residence registration","agency":"Da'an District Office","requested_at":"2026-03-01T09:00:00Z","completed_at":"2026-03-01T09:20:00Z","outcome":"approved","reference":"DA-2026-0001"}"#,
    )
    .unwrap();
    let offer: Value = serde_json::from_str(&ok(&[
        "issuer",
        "offer",
        "--db",
        &db,
        "--type",
        "service-record",
        "--claims",
        &at("record.json"),
        "--json",
    ]))
    .unwrap();
    let uri = offer["offer_uri"].as_str().unwrap();
    let pin = offer["tx_code"].as_str().unwrap();

    // 3. The citizen's wallet receives it with the PIN (from the environment).
    let wallet = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = civitas_command();
        cmd.arg("wallet")
            .args(args)
            .args(["--wallet", &at("wallet"), "--ledger", &ledger])
            .env("CIVITAS_PASSPHRASE", PASS)
            .env_remove("CIVITAS_TX_CODE")
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let mut init = vec!["init", "--recovery-out"];
    let words = at("words.txt");
    init.push(&words);
    init.extend(FAST_KDF);
    let o = wallet(&init, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wallet(
        &["receive", uri, "--root", &root],
        &[("CIVITAS_TX_CODE", pin)],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("over OpenID4VCI"), "{}", stdout(&o));
    let audit = ok(&["issuer", "audit", "--db", &db, "--json"]);
    let audit: Value = serde_json::from_str(&audit).unwrap();
    assert_eq!(audit[0]["configuration_id"], "service_record");
    assert!(
        audit[0]["holder_kid"]
            .as_str()
            .unwrap()
            .starts_with("did:webvh:")
    );
    assert!(!audit.to_string().contains("DA-2026-0001"));

    // 4. It presents the outcome at a counter; the counter verifies with the ledger.
    let out = at("p.txt");
    let o = wallet(
        &[
            "present",
            "--type",
            "service-record",
            "--require",
            "outcome",
            "--nonce",
            "n-1",
            "--aud",
            "counter-1",
            "--yes",
            "-o",
            &out,
        ],
        &[],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let o = civitas(&[
        "verify",
        "--nonce",
        "n-1",
        "--aud",
        "counter-1",
        "--root",
        &root,
        "--ledger",
        &ledger,
        "--json",
        &out,
    ]);
    let v: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(v["valid"], true, "{v} {}", stderr(&o));
    assert_eq!(v["issuer"], hall.as_str());
    assert_eq!(v["claims"]["outcome"], "approved");
}

#[test]
fn batches_of_one_time_copies_over_http() {
    let issuer = Issuer::start_with(&["--copies", "pid=3", "--copies", "medical=2"]);
    let meta: Value = client()
        .get(format!(
            "{}/.well-known/openid-credential-issuer",
            issuer.url
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(meta["batch_credential_issuance"]["batch_size"], 3, "{meta}");
    let configs = &meta["credential_configurations_supported"];
    assert_eq!(configs["pid"]["civitas_copies"], 3);
    assert_eq!(configs["medical_summary"]["civitas_copies"], 2);
    assert!(configs["service_record"].get("civitas_copies").is_none());

    let (_offer, access) = fresh_token(&issuer);
    let n = nonce(&issuer);
    let keys: Vec<SigningKey> = (0..4).map(|_| holder_key(Algorithm::Es256)).collect();
    let proofs: Vec<String> = keys
        .iter()
        .map(|k| build_proof(k, &ProofKey::Jwk, &issuer.url, Some(&n), now()).unwrap())
        .collect();
    // Four proofs for a type issued three at a time: refused, nothing issued.
    let body = json!({"credential_configuration_id": "pid", "proofs": {"jwt": proofs}});
    let (status, body, _) = credential(&issuer, Some(&access), &body);
    assert_error(status, &body, 400, "invalid_credential_request");
    assert!(issuer.audit().is_empty());
    // Three: three copies, each bound to its key, each at its own status index.
    let body = json!({"credential_configuration_id": "pid", "proofs": {"jwt": &proofs[..3]}});
    let (status, body, _) = credential(&issuer, Some(&access), &body);
    assert_eq!(status, 200, "{body}");
    let copies = body["credentials"].as_array().unwrap();
    assert_eq!(copies.len(), 3);
    let mut indices = Vec::new();
    for (copy, key) in copies.iter().zip(&keys) {
        let payload = payload_of(copy["credential"].as_str().unwrap());
        assert_eq!(payload["cnf"]["jwk"], key.public().to_jwk_value());
        indices.push(payload["status"]["status_list"]["idx"].as_u64().unwrap());
    }
    indices.sort_unstable();
    indices.dedup();
    assert_eq!(indices.len(), 3);
    assert_eq!(issuer.audit().len(), 3);
}

#[test]
fn copies_flag_is_checked_before_serving() {
    for bad in ["pid=0", "pid=101", "pid", "passport=3", "pid=three"] {
        let o = support::civitas(&["issuer", "serve", "--keys", "/nonexistent", "--copies", bad]);
        assert!(!o.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--copies"), "{bad}: {err}");
    }
}
