#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The OpenID4VCI client against an in-process issuer (a [`Transport`] that answers
//! as an issuer would): the flow, the proof it sends, and each refusal with its code,
//! nothing stored and no secret in the error.

mod common;

use civitas_credential::HolderBinding;
use civitas_credential::types::{MEDICAL, PID};
use civitas_crypto::PublicKey;
use civitas_wallet::openid4vci::{
    Accepted, DEFAULT_PENDING_LIFETIME, FetchOutcome, HttpResponse, PendingIssuance, Transport,
};
use civitas_wallet::{Error, Wallet};
use common::*;
use serde_json::{Value, json};
use std::sync::Mutex;

const ISSUER: &str = "https://city-hall.example";
const PIN: &str = "493536";
const CODE: &str = "pre-auth-code-SECRET";
const TOKEN: &str = "access-token-SECRET";
const NONCE: &str = "c-nonce-1";
const TX: &str = "tx-SECRET-1";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Good,
    /// Binds to the wallet's DID (`did:webvh` in the binding methods).
    DidBinding,
    /// The token response names a credential identifier (`authorization_details`).
    Identifiers,
    /// The credential endpoint answers 202 with a `transaction_id`; the deferred
    /// endpoint answers as `FakeIssuer::deferred` says.
    Deferred,
    /// Deferred, and what is finally delivered is of another type.
    DeferredOtherVct,
    /// Deferred by an issuer whose metadata names no deferred endpoint.
    DeferredNoEndpoint,
    /// The credential endpoint refuses the token with a bare 401 (RFC 6750 §3).
    TokenRejected,
    OtherKey,
    OtherVct,
    /// The credential's payload altered after signing.
    Forged,
    UnknownConfiguration,
    UnknownType,
    MetadataOfAnotherIssuer,
    NotSdJwt,
}

/// A request the fake issuer saw: method, URL, body, bearer token.
type Seen = (String, String, String, Option<String>);

struct FakeIssuer<'a> {
    world: &'a World,
    mode: Mode,
    /// Every request: (method, url, body, bearer).
    seen: Mutex<Vec<Seen>>,
    /// What the deferred endpoint answers: `Wait` (202), `Issue`, or a refusal code.
    deferred: Mutex<Deferred>,
    /// The credential a deferred issuance will deliver.
    held: Mutex<Option<String>>,
    /// The network is down (every request fails).
    offline: std::sync::atomic::AtomicBool,
    /// The notification endpoint refuses the token.
    notify_refuses: std::sync::atomic::AtomicBool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Deferred {
    Wait,
    Issue,
    Refuse(&'static str),
}

fn fake(world: &World, mode: Mode) -> FakeIssuer<'_> {
    FakeIssuer {
        world,
        mode,
        seen: Mutex::new(Vec::new()),
        deferred: Mutex::new(Deferred::Wait),
        held: Mutex::new(None),
        offline: Default::default(),
        notify_refuses: Default::default(),
    }
}

fn json_resp(status: u16, v: Value) -> HttpResponse {
    HttpResponse {
        status,
        body: v.to_string().into_bytes(),
    }
}

impl FakeIssuer<'_> {
    fn metadata(&self) -> Value {
        let vct = match self.mode {
            Mode::UnknownType => "https://example.invalid/not-a-city-type",
            _ => PID.vct,
        };
        let id = match self.mode {
            Mode::UnknownConfiguration => "something_else",
            _ => "pid",
        };
        let methods = match self.mode {
            Mode::DidBinding => json!(["jwk", "did:webvh"]),
            _ => json!(["jwk"]),
        };
        json!({
            "credential_issuer": if self.mode == Mode::MetadataOfAnotherIssuer {
                "https://elsewhere.example"
            } else {
                ISSUER
            },
            "credential_endpoint": format!("{ISSUER}/credential"),
            "nonce_endpoint": format!("{ISSUER}/nonce"),
            "deferred_credential_endpoint": if self.mode == Mode::DeferredNoEndpoint {
                Value::Null
            } else {
                format!("{ISSUER}/deferred_credential").into()
            },
            "notification_endpoint": format!("{ISSUER}/notification"),
            "display": [{"name": "City Hall", "locale": "en-US"}, {"name": "市政府", "locale": "zh-TW"}],
            "credential_configurations_supported": {
                id: {
                    "format": if self.mode == Mode::NotSdJwt { "mso_mdoc" } else { "dc+sd-jwt" },
                    "vct": vct,
                    "cryptographic_binding_methods_supported": methods,
                    "credential_signing_alg_values_supported": ["ES256"],
                    "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256", "EdDSA"]}}
                }
            }
        })
    }

    fn credential(&self, body: &str, bearer: Option<&str>) -> HttpResponse {
        if bearer != Some(TOKEN) {
            return json_resp(401, json!({"error": "invalid_token"}));
        }
        if self.mode == Mode::TokenRejected {
            return HttpResponse {
                status: 401,
                body: Vec::new(),
            };
        }
        let req: Value = serde_json::from_str(body).unwrap();
        if self.mode == Mode::Identifiers {
            assert_eq!(req["credential_identifier"], "pid-0001", "{req}");
            assert!(req.get("credential_configuration_id").is_none(), "{req}");
        } else {
            assert_eq!(req["credential_configuration_id"], "pid", "{req}");
        }
        let proof = req["proofs"]["jwt"][0].as_str().unwrap();
        let part = |i: usize| -> Value {
            serde_json::from_slice(
                &civitas_crypto::b64::decode(proof.split('.').nth(i).unwrap()).unwrap(),
            )
            .unwrap()
        };
        let (header, payload) = (part(0), part(1));
        assert_eq!(header["typ"], "openid4vci-proof+jwt");
        assert_eq!(payload["aud"], ISSUER);
        assert_eq!(payload["nonce"], NONCE);
        assert!(
            payload.get("iss").is_none(),
            "anonymous pre-authorized flow"
        );
        let binding = if self.mode == Mode::OtherKey {
            let other = civitas_crypto::SigningKey::generate(
                civitas_crypto::Algorithm::Es256,
                &civitas_crypto::SystemRng,
            )
            .unwrap();
            HolderBinding::Jwk(other.public().clone())
        } else if let Some(kid) = header["kid"].as_str() {
            HolderBinding::Did(kid.to_string())
        } else {
            HolderBinding::Jwk(PublicKey::from_jwk_value(&header["jwk"]).unwrap())
        };
        let other = matches!(self.mode, Mode::OtherVct | Mode::DeferredOtherVct);
        let vct = if other { MEDICAL.vct } else { PID.vct };
        let claims = if other {
            medical_claims()
        } else {
            pid_claims()
        };
        let sd_jwt = self
            .world
            .hall
            .issue(vct, &claims, Some(binding), None, T0 + 11);
        let sd_jwt = if self.mode == Mode::Forged {
            let (jwt, rest) = sd_jwt.split_once('~').unwrap();
            let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
            let mut payload: Value =
                serde_json::from_slice(&civitas_crypto::b64::decode(&parts[1]).unwrap()).unwrap();
            payload["exp"] = (T0 + 100 * 365 * 86_400).into();
            parts[1] = civitas_crypto::b64::encode(payload.to_string());
            format!("{}~{rest}", parts.join("."))
        } else {
            sd_jwt
        };
        if matches!(
            self.mode,
            Mode::Deferred | Mode::DeferredOtherVct | Mode::DeferredNoEndpoint
        ) {
            *self.held.lock().unwrap() = Some(sd_jwt);
            return json_resp(202, json!({"transaction_id": TX, "interval": 5}));
        }
        json_resp(
            200,
            json!({"credentials": [{"credential": sd_jwt}], "notification_id": "n-1"}),
        )
    }

    fn deferred_credential(&self, body: &str, bearer: Option<&str>) -> HttpResponse {
        if bearer != Some(TOKEN) {
            return json_resp(401, json!({"error": "invalid_token"}));
        }
        let req: Value = serde_json::from_str(body).unwrap();
        if req["transaction_id"] != TX {
            return json_resp(400, json!({"error": "invalid_transaction_id"}));
        }
        match *self.deferred.lock().unwrap() {
            Deferred::Wait => json_resp(202, json!({"transaction_id": TX, "interval": 60})),
            Deferred::Issue => {
                let sd_jwt = self.held.lock().unwrap().clone().unwrap();
                json_resp(
                    200,
                    json!({"credentials": [{"credential": sd_jwt}], "notification_id": "n-2"}),
                )
            }
            Deferred::Refuse(code) => json_resp(400, json!({"error": code})),
        }
    }

    fn notifications(&self) -> Vec<Value> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, u, _, _)| u.ends_with("/notification"))
            .map(|(_, _, b, _)| serde_json::from_str(b).unwrap())
            .collect()
    }
}

impl Transport for FakeIssuer<'_> {
    fn get(&self, url: &str) -> civitas_wallet::Result<HttpResponse> {
        self.seen
            .lock()
            .unwrap()
            .push(("GET".into(), url.into(), String::new(), None));
        Ok(match url.strip_prefix(ISSUER) {
            Some("/.well-known/openid-credential-issuer") => json_resp(200, self.metadata()),
            Some("/offers/1") => HttpResponse {
                status: 200,
                body: offer_json(ISSUER).to_string().into_bytes(),
            },
            Some("/.well-known/oauth-authorization-server") => json_resp(
                200,
                json!({"issuer": ISSUER, "token_endpoint": format!("{ISSUER}/token"),
                       "pre-authorized_grant_anonymous_access_supported": true}),
            ),
            _ => json_resp(404, json!({"error": "invalid_request"})),
        })
    }

    fn post(
        &self,
        url: &str,
        _content_type: Option<&str>,
        body: &[u8],
        bearer: Option<&str>,
    ) -> civitas_wallet::Result<HttpResponse> {
        if self.offline.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::Issuance {
                code: "issuer_unreachable",
                reason: "cannot reach the issuer".into(),
            });
        }
        let body = String::from_utf8(body.to_vec()).unwrap();
        self.seen.lock().unwrap().push((
            "POST".into(),
            url.into(),
            body.clone(),
            bearer.map(str::to_string),
        ));
        Ok(match url.strip_prefix(ISSUER) {
            Some("/token") => {
                let ok_code = body.contains(&format!("pre-authorized_code={CODE}"));
                if ok_code && body.contains(&format!("tx_code={PIN}")) {
                    let mut token =
                        json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300});
                    if self.mode == Mode::Identifiers {
                        token["authorization_details"] = json!([{
                            "type": "openid_credential",
                            "credential_configuration_id": "pid",
                            "credential_identifiers": ["pid-0001"]
                        }]);
                    }
                    json_resp(200, token)
                } else {
                    json_resp(
                        400,
                        json!({"error": "invalid_grant", "error_description": "wrong transaction code"}),
                    )
                }
            }
            Some("/nonce") => json_resp(200, json!({"c_nonce": NONCE})),
            Some("/credential") => self.credential(&body, bearer),
            Some("/deferred_credential") => self.deferred_credential(&body, bearer),
            Some("/notification") => {
                if bearer != Some(TOKEN)
                    || self
                        .notify_refuses
                        .load(std::sync::atomic::Ordering::SeqCst)
                {
                    json_resp(401, json!({"error": "invalid_token"}))
                } else {
                    HttpResponse {
                        status: 204,
                        body: Vec::new(),
                    }
                }
            }
            _ => json_resp(404, json!({"error": "invalid_request"})),
        })
    }
}

fn offer_json(issuer: &str) -> Value {
    json!({
        "credential_issuer": issuer,
        "credential_configuration_ids": ["pid"],
        "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {
            "pre-authorized_code": CODE,
            "tx_code": {"input_mode": "numeric", "length": 6, "description": "The PIN the clerk gave you"}
        }}
    })
}

fn offer_url(issuer: &str) -> String {
    let offer = offer_json(issuer);
    format!(
        "openid-credential-offer://?credential_offer={}",
        civitas_exchange::openid4vci::form::encode(&offer.to_string())
    )
}

/// A world and a wallet trusting city hall as a root.
fn setup() -> (World, Wallet) {
    let world = World::new();
    let (mut w, _) = world.wallet("w", T0 + 10);
    w.trust_roots(vec![world.hall.did.clone()]);
    (world, w)
}

/// Runs the whole flow; on refusal checks the code, that nothing was stored and that
/// no secret is in the error.
fn refused_with(mode: Mode, pin: Option<&str>, trust: bool, code: &str) -> Vec<String> {
    let (world, mut w) = setup();
    if !trust {
        w.trust_roots(vec![]);
    }
    let issuer = fake(&world, mode);
    let now = T0 + 20;
    let history = w.history(now).unwrap().len();
    let err = w
        .preview_offer(&issuer, &offer_url(ISSUER), now)
        .and_then(|p| w.accept_offer(&issuer, &p, pin, now))
        .and_then(|a| a.issued().ok_or_else(|| panic!("{mode:?}: deferred")))
        .unwrap_err();
    assert_eq!(err.code(), code, "{mode:?}: {err}");
    let text = format!("{err} {err:?}");
    for secret in [PIN, CODE, TOKEN, "Mei-Ling"] {
        assert!(!text.contains(secret), "{mode:?}: {secret} in {text}");
    }
    assert_eq!(w.credentials(now).unwrap().len(), 0, "{mode:?}: stored");
    assert_eq!(w.history(now).unwrap().len(), history, "{mode:?}: recorded");
    let seen = issuer.seen.lock().unwrap();
    seen.iter().map(|(m, u, _, _)| format!("{m} {u}")).collect()
}

#[test]
fn obtains_a_pid_bound_to_the_device_key() {
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::Good);
    let now = T0 + 20;
    let preview = w.preview_offer(&issuer, &offer_url(ISSUER), now).unwrap();
    assert_eq!(preview.credential_issuer, ISSUER);
    assert_eq!(preview.issuer_name.as_deref(), Some("City Hall"));
    assert_eq!(preview.issuer_name_zh.as_deref(), Some("市政府"));
    assert_eq!(preview.vct, PID.vct);
    assert!(preview.pin_required && preview.pin_numeric);
    assert_eq!(preview.pin_length, Some(6));
    // Nothing but metadata was asked before the PIN.
    assert!(
        issuer
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|(m, _, _, _)| m == "GET")
    );
    // The preview never serializes the pre-authorized code.
    assert!(!serde_json::to_string(&preview).unwrap().contains(CODE));
    let got = w
        .accept_offer(&issuer, &preview, Some(PIN), now)
        .unwrap()
        .issued()
        .unwrap();
    assert_eq!(got.credential_issuer, ISSUER);
    assert_eq!(got.received.vct, PID.vct);
    assert_eq!(got.received.issuer, world.hall.did);
    assert_eq!(got.received.binding, civitas_wallet::Binding::DeviceKey);
    assert_eq!(w.credentials(now).unwrap().len(), 1);
    let last = w.history(now).unwrap().pop().unwrap();
    let line = last.entry.event.describe();
    assert!(
        line.starts_with("received Personal ID (")
            && line.ends_with("over OpenID4VCI (https://city-hall.example)"),
        "{line}"
    );
    // The credential request carried the access token and one proof with the jwk.
    let seen = issuer.seen.lock().unwrap();
    let (_, _, body, bearer) = seen
        .iter()
        .find(|(_, u, _, _)| u.ends_with("/credential"))
        .unwrap();
    assert_eq!(bearer.as_deref(), Some(TOKEN));
    assert!(body.contains("\"proofs\""), "{body}");
}

#[test]
fn asks_by_credential_identifier_when_the_token_names_one() {
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::Identifiers);
    let now = T0 + 20;
    let preview = w.preview_offer(&issuer, &offer_url(ISSUER), now).unwrap();
    let got = w
        .accept_offer(&issuer, &preview, Some(PIN), now)
        .unwrap()
        .issued()
        .unwrap();
    assert_eq!(got.received.vct, PID.vct);
}

#[test]
fn an_offer_by_reference_is_fetched_from_its_uri() {
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::Good);
    let now = T0 + 20;
    let url = format!(
        "openid-credential-offer://?credential_offer_uri={}",
        civitas_exchange::openid4vci::form::encode(&format!("{ISSUER}/offers/1"))
    );
    let preview = w.preview_offer(&issuer, &url, now).unwrap();
    let got = w
        .accept_offer(&issuer, &preview, Some(PIN), now)
        .unwrap()
        .issued()
        .unwrap();
    assert_eq!(got.received.vct, PID.vct);
    assert_eq!(
        issuer.seen.lock().unwrap()[0].1,
        format!("{ISSUER}/offers/1")
    );
}

#[test]
fn binds_to_the_wallet_did_when_the_issuer_supports_it() {
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::DidBinding);
    let now = T0 + 20;
    let did = w.did(now).unwrap();
    let preview = w.preview_offer(&issuer, &offer_url(ISSUER), now).unwrap();
    let got = w
        .accept_offer(&issuer, &preview, Some(PIN), now)
        .unwrap()
        .issued()
        .unwrap();
    assert_eq!(
        got.received.binding,
        civitas_wallet::Binding::Did {
            kid: format!("{did}#holder-1")
        }
    );
}

#[test]
fn each_refusal_has_its_code_and_stores_nothing() {
    // The issuer's own refusal, surfaced with its OAuth code.
    let seen = refused_with(Mode::Good, Some("000000"), true, "invalid_grant");
    assert!(!seen.iter().any(|s| s.ends_with("/credential")));
    // The wallet's checks of the PIN before sending it.
    let seen = refused_with(Mode::Good, None, true, "tx_code_required");
    assert!(!seen.iter().any(|s| s.starts_with("POST")), "{seen:?}");
    let seen = refused_with(Mode::Good, Some("12345"), true, "invalid_tx_code");
    assert!(!seen.iter().any(|s| s.starts_with("POST")), "{seen:?}");
    // The wallet's checks of the issuer, before anything is posted.
    for (mode, code) in [
        (
            Mode::UnknownConfiguration,
            "unknown_credential_configuration",
        ),
        (Mode::UnknownType, "unknown_credential_type"),
        (Mode::NotSdJwt, "unsupported_credential_format"),
        (Mode::MetadataOfAnotherIssuer, "invalid_request"),
    ] {
        let seen = refused_with(mode, Some(PIN), true, code);
        assert!(
            !seen.iter().any(|s| s.starts_with("POST")),
            "{mode:?}: {seen:?}"
        );
    }
    // The wallet's checks of what came back.
    refused_with(Mode::TokenRejected, Some(PIN), true, "invalid_token");
    refused_with(
        Mode::DeferredNoEndpoint,
        Some(PIN),
        true,
        "invalid_response",
    );
    refused_with(Mode::OtherKey, Some(PIN), true, "not_our_binding");
    refused_with(Mode::OtherVct, Some(PIN), true, "wrong_credential_type");
    refused_with(Mode::Forged, Some(PIN), true, "credential_refused");
    refused_with(Mode::Good, Some(PIN), false, "issuer_not_accredited");
}

#[test]
fn insecure_or_malformed_offers_are_refused_before_any_request() {
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::Good);
    let now = T0 + 20;
    for url in [
        offer_url("http://issuer.example.com"),
        offer_url("ftp://issuer.example.com"),
        "openid-credential-offer://?credential_offer=%7Bnot%20json".to_string(),
        "openid-credential-offer://".to_string(),
        "https://wallet.example/?nothing=here".to_string(),
    ] {
        let err = w.preview_offer(&issuer, &url, now).unwrap_err();
        assert!(matches!(err, Error::Issuance { .. }), "{url}: {err:?}");
        assert_eq!(err.code(), "invalid_request", "{url}: {err}");
    }
    assert!(issuer.seen.lock().unwrap().is_empty());
    // Plain http to this machine is fine (the desk and the issuer on one computer).
    let err = w
        .preview_offer(&issuer, &offer_url("http://127.0.0.1:9"), now)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_request"); // our fake only answers ISSUER: a 404
}

/// Accepts the offer of `issuer` (deferred modes) and returns the pending record.
fn accept_deferred(w: &mut Wallet, issuer: &FakeIssuer<'_>, now: i64) -> PendingIssuance {
    let preview = w.preview_offer(issuer, &offer_url(ISSUER), now).unwrap();
    match w.accept_offer(issuer, &preview, Some(PIN), now).unwrap() {
        Accepted::Pending(p) => p,
        Accepted::Issued(_) => panic!("issued at once"),
    }
}

fn last_event(w: &mut Wallet, now: i64) -> String {
    w.history(now)
        .unwrap()
        .pop()
        .unwrap()
        .entry
        .event
        .describe()
}

#[test]
fn a_deferred_credential_is_kept_pending_then_fetched_checked_and_stored() {
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::Deferred);
    let now = T0 + 20;
    let p = accept_deferred(&mut w, &issuer, now);
    assert_eq!(p.vct, PID.vct);
    assert_eq!(p.credential_issuer, ISSUER);
    assert_eq!(p.next_poll, now + 5);
    // Not the token's 300 s: the issuer keeps the transaction longer.
    assert_eq!(p.expires, now + DEFAULT_PENDING_LIFETIME);
    assert_eq!(w.credentials(now).unwrap().len(), 0);
    let listed = w.pending(now).unwrap();
    assert_eq!(listed.len(), 1);
    let text = serde_json::to_string(&listed).unwrap();
    for secret in [TOKEN, TX, CODE, PIN] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(
        last_event(&mut w, now).starts_with("pending Personal ID from https://city-hall.example"),
        "{}",
        last_event(&mut w, now)
    );
    // Not due yet: nothing asked.
    assert!(
        w.fetch_deferred(&issuer, now + 1, false)
            .unwrap()
            .is_empty()
    );
    // Due, not approved: kept and rescheduled by the issuer's interval.
    let out = w.fetch_deferred(&issuer, now + 5, false).unwrap();
    match &out[..] {
        [FetchOutcome::StillPending { pending }] => assert_eq!(pending.next_poll, now + 65),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.pending(now).unwrap()[0].next_poll, now + 65);
    // The deferred request carried the token and the transaction id.
    {
        let seen = issuer.seen.lock().unwrap();
        let (_, _, body, bearer) = seen
            .iter()
            .rfind(|(_, u, _, _)| u.ends_with("/deferred_credential"))
            .unwrap();
        assert_eq!(bearer.as_deref(), Some(TOKEN));
        assert_eq!(
            serde_json::from_str::<Value>(body).unwrap()["transaction_id"],
            TX
        );
    }
    // The network down: kept, reported.
    issuer
        .offline
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let out = w.fetch_deferred(&issuer, now + 70, false).unwrap();
    match &out[..] {
        [FetchOutcome::Failed { code, .. }] => assert_eq!(code, "issuer_unreachable"),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.pending(now).unwrap().len(), 1);
    issuer
        .offline
        .store(false, std::sync::atomic::Ordering::SeqCst);
    // Approved: fetched, checked, stored; pending removed; accepted notified.
    *issuer.deferred.lock().unwrap() = Deferred::Issue;
    let out = w.fetch_deferred(&issuer, now + 80, false).unwrap();
    let issued = match &out[..] {
        [FetchOutcome::Received { issued, .. }] => issued.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(issued.received.vct, PID.vct);
    assert_eq!(issued.received.binding, civitas_wallet::Binding::DeviceKey);
    assert_eq!(w.credentials(now + 80).unwrap().len(), 1);
    assert!(w.pending(now + 80).unwrap().is_empty());
    let line = last_event(&mut w, now + 80);
    assert!(line.ends_with("(deferred)"), "{line}");
    let notes = issuer.notifications();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["event"], "credential_accepted");
    assert_eq!(notes[0]["notification_id"], "n-2");
    // Nothing left to fetch.
    assert!(
        w.fetch_deferred(&issuer, now + 200, true)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_refused_deferred_issuance_is_removed_with_its_code() {
    for code in [
        "invalid_transaction_id",
        "credential_request_denied",
        "invalid_token",
    ] {
        let (world, mut w) = setup();
        let issuer = fake(&world, Mode::Deferred);
        let now = T0 + 20;
        accept_deferred(&mut w, &issuer, now);
        *issuer.deferred.lock().unwrap() = Deferred::Refuse(code);
        let out = w.fetch_deferred(&issuer, now + 10, false).unwrap();
        match &out[..] {
            [
                FetchOutcome::Ended {
                    code: got, reason, ..
                },
            ] => {
                assert_eq!(got, code);
                assert!(!reason.contains(TOKEN) && !reason.contains(TX), "{reason}");
            }
            other => panic!("{code}: {other:?}"),
        }
        assert!(w.pending(now).unwrap().is_empty(), "{code}");
        assert_eq!(w.credentials(now).unwrap().len(), 0);
        let line = last_event(&mut w, now + 10);
        assert!(line.ends_with(&format!("refused: {code}")), "{line}");
    }
    // A server error is not final: kept.
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::Deferred);
    accept_deferred(&mut w, &issuer, T0 + 20);
    *issuer.deferred.lock().unwrap() = Deferred::Refuse("server_error");
    let out = w.fetch_deferred(&issuer, T0 + 30, false).unwrap();
    assert!(matches!(&out[..], [FetchOutcome::Failed { code, .. }] if code == "server_error"));
    assert_eq!(w.pending(T0 + 30).unwrap().len(), 1);
    // Past its lifetime: given up without asking.
    let asked = issuer.seen.lock().unwrap().len();
    w.unlock(PASS, T0 + 20 + DEFAULT_PENDING_LIFETIME).unwrap();
    let out = w
        .fetch_deferred(&issuer, T0 + 20 + DEFAULT_PENDING_LIFETIME, false)
        .unwrap();
    assert!(matches!(&out[..], [FetchOutcome::Ended { code, .. }] if code == "pending_expired"));
    assert_eq!(issuer.seen.lock().unwrap().len(), asked);
    assert!(
        w.pending(T0 + 20 + DEFAULT_PENDING_LIFETIME)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_deferred_credential_of_another_type_is_refused_and_the_issuer_told() {
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::DeferredOtherVct);
    let now = T0 + 20;
    accept_deferred(&mut w, &issuer, now);
    *issuer.deferred.lock().unwrap() = Deferred::Issue;
    let out = w.fetch_deferred(&issuer, now + 10, false).unwrap();
    match &out[..] {
        [FetchOutcome::Ended { code, .. }] => assert_eq!(code, "wrong_credential_type"),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.credentials(now).unwrap().len(), 0);
    assert!(w.pending(now).unwrap().is_empty());
    let notes = issuer.notifications();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["event"], "credential_failure");
    let text = notes[0].to_string();
    assert!(text.contains("wrong_credential_type"), "{text}");
    for secret in secret_claim_values() {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[test]
fn the_pending_record_holds_no_plaintext_token_on_disk() {
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::Deferred);
    accept_deferred(&mut w, &issuer, T0 + 20);
    w.checkpoint().unwrap();
    for (name, bytes) in snapshot(w.dir()) {
        for secret in [TOKEN, TX] {
            assert!(!contains(&bytes, secret.as_bytes()), "{secret} in {name}");
        }
    }
}

#[test]
fn notifications_on_accept_on_refusal_and_on_delete() {
    // Accepted.
    let (world, mut w) = setup();
    let issuer = fake(&world, Mode::Good);
    let now = T0 + 20;
    let preview = w.preview_offer(&issuer, &offer_url(ISSUER), now).unwrap();
    let got = w
        .accept_offer(&issuer, &preview, Some(PIN), now)
        .unwrap()
        .issued()
        .unwrap();
    let notes = issuer.notifications();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["event"], "credential_accepted");
    assert_eq!(notes[0]["notification_id"], "n-1");
    // Deleted: told with the kept token.
    assert!(
        w.delete_notifying(&issuer, &got.received.id, now + 5)
            .unwrap()
    );
    let notes = issuer.notifications();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1]["event"], "credential_deleted");
    assert_eq!(notes[1]["notification_id"], "n-1");
    assert_eq!(w.credentials(now + 5).unwrap().len(), 0);

    // The token expired by the time of the delete: deleted all the same, recorded.
    let preview = w
        .preview_offer(&issuer, &offer_url(ISSUER), now + 10)
        .unwrap();
    let got = w
        .accept_offer(&issuer, &preview, Some(PIN), now + 10)
        .unwrap()
        .issued()
        .unwrap();
    issuer
        .notify_refuses
        .store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(
        !w.delete_notifying(&issuer, &got.received.id, now + 20)
            .unwrap()
    );
    assert_eq!(w.credentials(now + 20).unwrap().len(), 0);
    let line = last_event(&mut w, now + 20);
    assert_eq!(
        line,
        "could not notify https://city-hall.example of credential_deleted: invalid_token"
    );
    // Accepted but the notification fails: still stored, recorded.
    let preview = w
        .preview_offer(&issuer, &offer_url(ISSUER), now + 30)
        .unwrap();
    w.accept_offer(&issuer, &preview, Some(PIN), now + 30)
        .unwrap()
        .issued()
        .unwrap();
    assert_eq!(w.credentials(now + 30).unwrap().len(), 1);
    let line = last_event(&mut w, now + 30);
    assert!(
        line.contains("credential_accepted: invalid_token"),
        "{line}"
    );

    // Refused by the wallet: credential_failure with the code, nothing stored.
    for (mode, code) in [
        (Mode::OtherKey, "not_our_binding"),
        (Mode::OtherVct, "wrong_credential_type"),
    ] {
        let (world, mut w) = setup();
        let issuer = fake(&world, mode);
        let preview = w.preview_offer(&issuer, &offer_url(ISSUER), now).unwrap();
        let err = w
            .accept_offer(&issuer, &preview, Some(PIN), now)
            .unwrap_err();
        assert_eq!(err.code(), code);
        assert_eq!(w.credentials(now).unwrap().len(), 0);
        let notes = issuer.notifications();
        assert_eq!(notes.len(), 1, "{mode:?}");
        assert_eq!(notes[0]["event"], "credential_failure");
        let d = notes[0]["event_description"].as_str().unwrap();
        assert!(d.contains(code), "{d}");
    }
}
