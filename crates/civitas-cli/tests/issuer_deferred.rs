#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Deferred issuance, notification and revocation through processes (issue 12, second
//! slice): `civitas issuer serve` on loopback; `issuer offer` (medical: deferred by
//! default), `issuer pending`, `issuer approve` / `reject`, `issuer revoke` and
//! `issuer audit` against its database; a wallet played by this test with
//! civitas-exchange's protocol types over HTTP (token → nonce → key proof → credential
//! → 202 `transaction_id` → `POST /deferred_credential` → `POST /notification`), then
//! `civitas present` and `civitas verify --ledger`. Every refusal is asserted by its
//! OAuth `error` code.

use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_exchange::openid4vci::{
    CredentialIssuerMetadata, OfferRef, ProofKey, TokenRequest, build_proof, parse_offer_url,
};
use serde_json::{Value, json};
use std::path::PathBuf;

mod support;
use support::{civitas, did_create, ok, stderr, stdout};

const MEDICAL: &str = r#"{"blood_type":"O+"}"#;
const MEDICAL_SIGNED_OFF: &str =
    r#"{"blood_type":"O+","allergies":["penicillin"],"organ_donor":true}"#;
const PID: &str = r#"{"given_name":"Mei","family_name":"Lin","birthdate":"1990-05-01","personal_number":"A123456789","age_over_18":true}"#;

struct Issuer {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    ledger: String,
    keys: String,
    did: String,
    url: String,
    _served: support::Served,
}

impl Issuer {
    fn start() -> Issuer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let ledger = dir.join("ledger.db").to_str().unwrap().to_string();
        let keys = dir.join("keys").to_str().unwrap().to_string();
        let did = did_create("issuers:hospital", &keys, &ledger, None);
        std::fs::write(dir.join("medical.json"), MEDICAL).unwrap();
        std::fs::write(dir.join("signed-off.json"), MEDICAL_SIGNED_OFF).unwrap();
        std::fs::write(dir.join("pid.json"), PID).unwrap();
        let (served, first) =
            support::serve_printing(&["issuer", "serve", "--keys", &keys, "--ledger", &ledger]);
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

    /// `civitas issuer offer --type TYPE --claims FILE --json <extra>`.
    fn offer(&self, kind: &str, claims: &str, extra: &[&str]) -> Value {
        let claims = self.path(claims);
        let mut args = vec![
            "issuer", "offer", "--keys", &self.keys, "--type", kind, "--claims", &claims, "--json",
        ];
        args.extend(extra);
        serde_json::from_str(&ok(&args)).unwrap()
    }

    /// A back-office command with --keys and --ledger.
    fn back(&self, args: &[&str]) -> std::process::Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--keys", &self.keys, "--ledger", &self.ledger]);
        civitas(&all)
    }

    fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = client()
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().unwrap();
        let status = r.status().as_u16();
        let text = r.text().unwrap();
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap()
            },
        )
    }

    /// Token with the PIN, nonce, key proof, credential request: (status, body, token).
    fn request_credential(
        &self,
        offer: &Value,
        config: &str,
        holder: &SigningKey,
    ) -> (u16, Value, String) {
        let OfferRef::ByValue(o) = parse_offer_url(offer["offer_uri"].as_str().unwrap()).unwrap()
        else {
            panic!("not by value")
        };
        let code = o.pre_authorized().unwrap().pre_authorized_code.clone();
        let r = client()
            .post(format!("{}/token", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(TokenRequest::pre_authorized(&code, offer["tx_code"].as_str()).to_form())
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let token = r.json::<Value>().unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, n) = self.post("/nonce", None, &json!({}));
        let proof = build_proof(
            holder,
            &ProofKey::Jwk,
            &self.url,
            n["c_nonce"].as_str(),
            chrono::Utc::now().timestamp(),
        )
        .unwrap();
        let (status, body) = self.post(
            "/credential",
            Some(&token),
            &json!({"credential_configuration_id": config, "proofs": {"jwt": [proof]}}),
        );
        (status, body, token)
    }

    fn audit(&self, events: bool) -> Value {
        let mut args = vec!["issuer", "audit", "--keys", &self.keys, "--json"];
        if events {
            args.push("--events");
        }
        serde_json::from_str(&ok(&args)).unwrap()
    }

    /// `civitas present` then `civitas verify --ledger --json`.
    fn present_and_verify(
        &self,
        sd_jwt: &str,
        holder: &SigningKey,
        disclose: &str,
    ) -> (Value, i32) {
        let cred_file = self.path("cred.sdjwt");
        std::fs::write(&cred_file, sd_jwt).unwrap();
        let key_file = self.path("holder.jwk");
        let _ = std::fs::remove_file(&key_file);
        holder.save(std::path::Path::new(&key_file)).unwrap();
        let presentation = ok(&[
            "present",
            "--key",
            &key_file,
            "--disclose",
            disclose,
            "--nonce",
            "n-1",
            "--aud",
            "counter-1",
            &cred_file,
        ]);
        let pres_file = self.path("pres.txt");
        std::fs::write(&pres_file, presentation.trim()).unwrap();
        let o = civitas(&[
            "verify",
            "--json",
            "--trust",
            &self.did,
            "--nonce",
            "n-1",
            "--aud",
            "counter-1",
            "--ledger",
            &self.ledger,
            &pres_file,
        ]);
        let v: Value = serde_json::from_str(stdout(&o).lines().next().unwrap_or("null"))
            .unwrap_or_else(|e| panic!("{e}: {} {}", stdout(&o), stderr(&o)));
        (v, o.status.code().unwrap_or(-1))
    }
}

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
}

fn holder() -> SigningKey {
    SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap()
}

fn assert_error(status: u16, body: &Value, want_status: u16, code: &str) {
    assert_eq!(body["error"], code, "{body}");
    assert_eq!(status, want_status, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
}

#[test]
fn the_hospital_signs_off_a_deferred_medical_summary() {
    let issuer = Issuer::start();
    // Metadata names both new endpoints.
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
        meta.deferred_credential_endpoint,
        Some(format!("{}/deferred_credential", issuer.url))
    );
    assert_eq!(
        meta.notification_endpoint,
        Some(format!("{}/notification", issuer.url))
    );

    // 1. A medical offer is deferred by default; the wallet's request gets 202.
    let offer = issuer.offer("medical", "medical.json", &[]);
    let offer_id = offer["offer_id"].as_str().unwrap().to_string();
    let h = holder();
    let (status, body, token) = issuer.request_credential(&offer, "medical_summary", &h);
    assert_eq!(status, 202, "{body}");
    let tx = body["transaction_id"].as_str().unwrap().to_string();
    assert!(body["interval"].as_u64().unwrap() > 0, "{body}");
    assert!(body.get("credentials").is_none() && body.get("notification_id").is_none());
    let pending = ok(&["issuer", "pending", "--keys", &issuer.keys]);
    assert!(
        pending.contains(&format!("{offer_id}  medical_summary  awaiting approval")),
        "{pending}"
    );
    assert_eq!(issuer.audit(false), json!([]));

    // 2. Before approval: 202 again with the same transaction_id and an interval.
    let (status, body) = issuer.post(
        "/deferred_credential",
        Some(&token),
        &json!({"transaction_id": tx}),
    );
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["transaction_id"], tx.as_str());
    assert!(body["interval"].as_u64().unwrap() > 0);
    // Refusals: no token, another token, a malformed body, an unknown id.
    let (status, body) = issuer.post("/deferred_credential", None, &json!({"transaction_id": tx}));
    assert_error(status, &body, 401, "invalid_token");
    let (status, body) = issuer.post(
        "/deferred_credential",
        Some("not-the-token"),
        &json!({"transaction_id": tx}),
    );
    assert_error(status, &body, 401, "invalid_token");
    let (status, body) = issuer.post("/deferred_credential", Some(&token), &json!({}));
    assert_error(status, &body, 400, "invalid_request");
    let (status, body) = issuer.post(
        "/deferred_credential",
        Some(&token),
        &json!({"transaction_id": "nope"}),
    );
    assert_error(status, &body, 400, "invalid_transaction_id");

    // 3. Claims that do not fit the type are refused at approval; then the clinician
    //    signs it off with completed claims.
    std::fs::write(issuer.path("bad.json"), r#"{"blood_type":7}"#).unwrap();
    let bad = issuer.path("bad.json");
    let o = issuer.back(&["issuer", "approve", &offer_id, "--claims", &bad]);
    assert!(!o.status.success());
    let signed_off = issuer.path("signed-off.json");
    let o = issuer.back(&["issuer", "approve", &offer_id, "--claims", &signed_off]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("approved"), "{}", stdout(&o));
    let o = issuer.back(&["issuer", "approve", &offer_id]);
    assert!(!o.status.success(), "approved twice");

    // 4. The deferred endpoint returns the credential once, with a notification_id.
    let (status, body) = issuer.post(
        "/deferred_credential",
        Some(&token),
        &json!({"transaction_id": tx}),
    );
    assert_eq!(status, 200, "{body}");
    let sd_jwt = body["credentials"][0]["credential"]
        .as_str()
        .unwrap()
        .to_string();
    let nid = body["notification_id"].as_str().unwrap().to_string();
    assert!(body.get("transaction_id").is_none());
    let (status, body) = issuer.post(
        "/deferred_credential",
        Some(&token),
        &json!({"transaction_id": tx}),
    );
    assert_error(status, &body, 400, "invalid_transaction_id");

    // 5. It verifies against the ledger, with the claims completed at approval.
    let (v, code) = issuer.present_and_verify(&sd_jwt, &h, "blood_type,organ_donor");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["claims"]["organ_donor"], true, "{v}");

    // 6. Notification: each refusal, then accepted (204), in the audit trail.
    let n = |id: &str, event: &str| json!({"notification_id": id, "event": event});
    let (status, body) = issuer.post(
        "/notification",
        Some(&token),
        &n("unknown", "credential_accepted"),
    );
    assert_error(status, &body, 400, "invalid_notification_id");
    let (status, body) = issuer.post("/notification", Some(&token), &n(&nid, "credential_eaten"));
    assert_error(status, &body, 400, "invalid_notification_request");
    let (status, body) = issuer.post(
        "/notification",
        Some(&token),
        &json!({"event": "credential_accepted"}),
    );
    assert_error(status, &body, 400, "invalid_notification_request");
    let (status, body) = issuer.post("/notification", None, &n(&nid, "credential_accepted"));
    assert_error(status, &body, 401, "invalid_token");
    let (status, body) = issuer.post(
        "/notification",
        Some("other"),
        &n(&nid, "credential_accepted"),
    );
    assert_error(status, &body, 401, "invalid_token");
    let (status, body) = issuer.post(
        "/notification",
        Some(&token),
        &n(&nid, "credential_accepted"),
    );
    assert_eq!(status, 204, "{body}");
    let audit = issuer.audit(false);
    assert_eq!(audit[0]["offer_id"], offer_id.as_str());
    assert_eq!(audit[0]["configuration_id"], "medical_summary");
    let events: Vec<&str> = audit[0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["approved", "credential_accepted"]);
    assert!(!audit.to_string().contains("penicillin"), "no claim values");
    let text = ok(&["issuer", "audit", "--keys", &issuer.keys]);
    assert!(text.contains("credential_accepted"), "{text}");

    // 7. Revoked by the issuer: the counter refuses it with `revoked`.
    let o = issuer.back(&["issuer", "revoke", "--offer", &offer_id]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let (v, code) = issuer.present_and_verify(&sd_jwt, &h, "blood_type");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["code"], "revoked", "{v}");
    let events = issuer.audit(true);
    assert!(events.to_string().contains("\"revoked\""), "{events}");
    // Revoking twice is refused.
    let o = issuer.back(&["issuer", "revoke", "1"]);
    assert!(!o.status.success());
}

#[test]
fn a_rejected_request_is_denied_once() {
    let issuer = Issuer::start();
    let offer = issuer.offer("pid", "pid.json", &["--deferred"]);
    let offer_id = offer["offer_id"].as_str().unwrap().to_string();
    let (status, body, token) = issuer.request_credential(&offer, "pid", &holder());
    assert_eq!(status, 202, "{body}");
    let tx = body["transaction_id"].as_str().unwrap().to_string();
    let db = issuer.path("keys/issuer.db");
    let o = civitas(&["issuer", "reject", &offer_id, "--db", &db]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // Rejecting again, or approving a rejected one, is refused.
    assert!(
        !civitas(&["issuer", "reject", &offer_id, "--db", &db])
            .status
            .success()
    );
    assert!(
        !issuer
            .back(&["issuer", "approve", &offer_id])
            .status
            .success()
    );
    let (status, body) = issuer.post(
        "/deferred_credential",
        Some(&token),
        &json!({"transaction_id": tx}),
    );
    assert_error(status, &body, 400, "credential_request_denied");
    let (status, body) = issuer.post(
        "/deferred_credential",
        Some(&token),
        &json!({"transaction_id": tx}),
    );
    assert_error(status, &body, 400, "invalid_transaction_id");
    assert_eq!(issuer.audit(false), json!([]));
    assert!(issuer.audit(true).to_string().contains("\"rejected\""));
}

#[test]
fn no_deferred_issues_a_medical_summary_at_once_with_a_notification_id() {
    let issuer = Issuer::start();
    let offer = issuer.offer("medical", "medical.json", &["--no-deferred"]);
    let (status, body, token) = issuer.request_credential(&offer, "medical_summary", &holder());
    assert_eq!(status, 200, "{body}");
    assert!(body["credentials"][0]["credential"].is_string());
    let nid = body["notification_id"].as_str().unwrap();
    let (status, _) = issuer.post(
        "/notification",
        Some(&token),
        &json!({"notification_id": nid, "event": "credential_deleted", "event_description": "not mine"}),
    );
    assert_eq!(status, 204);
    let audit = issuer.audit(false);
    assert_eq!(audit[0]["events"][0]["event"], "credential_deleted");
    assert_eq!(audit[0]["events"][0]["detail"], "not mine");
    // Suspending by audit number.
    let o = issuer.back(&["issuer", "revoke", "1", "--suspend"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("suspended"), "{}", stdout(&o));
}
