#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The Authorization Code Flow from the wallet's side against an in-process issuer
//! (a [`Transport`]): the pushed request it sends (PKCE S256, state, the
//! configuration, a loopback redirect), and each refusal of the login's answer with its
//! code before the code is used — another `state`, another or no `iss`, an `error` —
//! and an issuer without a login. (The flow end to end with a real OpenID Connect
//! provider: crates/civitas-cli/tests/vci_authorization.rs.)

mod common;

use civitas_credential::types::PID;
use civitas_exchange::openid4vci::{PushedAuthorizationRequest, form, pkce_challenge};
use civitas_wallet::openid4vci::{HttpResponse, Transport};
use common::*;
use serde_json::{Value, json};
use std::sync::Mutex;

const ISSUER: &str = "https://city-hall.example";
const REDIRECT: &str = "http://127.0.0.1:45678/callback";
const REQUEST_URI: &str = "urn:ietf:params:oauth:request_uri:r-1";

struct FakeIssuer {
    /// Whether the authorization server offers PAR and an authorization endpoint.
    login: bool,
    /// The pushed request's form body.
    pushed: Mutex<Option<String>>,
    /// Token request bodies.
    tokens: Mutex<Vec<String>>,
}

fn json_resp(status: u16, v: Value) -> HttpResponse {
    HttpResponse {
        status,
        body: v.to_string().into_bytes(),
    }
}

impl Transport for FakeIssuer {
    fn get(&self, url: &str) -> civitas_wallet::Result<HttpResponse> {
        Ok(match url.strip_prefix(ISSUER) {
            Some("/.well-known/openid-credential-issuer") => json_resp(
                200,
                json!({
                    "credential_issuer": ISSUER,
                    "credential_endpoint": format!("{ISSUER}/credential"),
                    "nonce_endpoint": format!("{ISSUER}/nonce"),
                    "display": [{"name": "City Hall", "locale": "en-US"}],
                    "credential_configurations_supported": {"pid": {
                        "format": "dc+sd-jwt", "vct": PID.vct, "scope": "pid",
                        "cryptographic_binding_methods_supported": ["jwk"],
                        "credential_signing_alg_values_supported": ["ES256"],
                        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256", "EdDSA"]}}
                    }}
                }),
            ),
            Some("/.well-known/oauth-authorization-server") => {
                let mut m = json!({"issuer": ISSUER, "token_endpoint": format!("{ISSUER}/token")});
                if self.login {
                    m["pushed_authorization_request_endpoint"] = json!(format!("{ISSUER}/par"));
                    m["authorization_endpoint"] = json!(format!("{ISSUER}/authorize"));
                    m["require_pushed_authorization_requests"] = json!(true);
                    m["code_challenge_methods_supported"] = json!(["S256"]);
                }
                json_resp(200, m)
            }
            _ => json_resp(404, json!({"error": "invalid_request"})),
        })
    }

    fn post(
        &self,
        url: &str,
        _content_type: Option<&str>,
        body: &[u8],
        _bearer: Option<&str>,
    ) -> civitas_wallet::Result<HttpResponse> {
        let body = String::from_utf8(body.to_vec()).unwrap();
        Ok(match url.strip_prefix(ISSUER) {
            Some("/par") => {
                *self.pushed.lock().unwrap() = Some(body);
                json_resp(201, json!({"request_uri": REQUEST_URI, "expires_in": 60}))
            }
            Some("/token") => {
                self.tokens.lock().unwrap().push(body);
                json_resp(
                    400,
                    json!({"error": "invalid_grant", "error_description": "the code has expired"}),
                )
            }
            _ => json_resp(404, json!({"error": "invalid_request"})),
        })
    }
}

fn fake(login: bool) -> FakeIssuer {
    FakeIssuer {
        login,
        pushed: Mutex::new(None),
        tokens: Mutex::new(Vec::new()),
    }
}

fn param(query: &str, name: &str) -> Option<String> {
    form::parse(query, "q")
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

#[test]
fn pushes_pkce_and_refuses_answers_that_are_not_its_own() {
    let world = World::new();
    let (mut w, _) = world.wallet("w", T0 + 10);
    let issuer = fake(true);
    let now = T0 + 20;
    let preview = w.preview_issuer(&issuer, ISSUER, "pid", now).unwrap();
    assert!(preview.needs_login());
    assert!(!preview.pin_required);
    let start = w
        .begin_authorization(&issuer, &preview, REDIRECT, now)
        .unwrap();
    assert!(
        start.url.starts_with(&format!(
            "{ISSUER}/authorize?client_id=civitas-wallet&request_uri="
        )),
        "{}",
        start.url
    );
    let pushed = issuer.pushed.lock().unwrap().clone().unwrap();
    let par = PushedAuthorizationRequest::from_form(&pushed).unwrap();
    assert_eq!(par.redirect_uri, REDIRECT);
    assert_eq!(par.configuration_ids, ["pid"]);
    let state = par.state.clone().unwrap();
    assert!(state.len() >= 43, "{state}");

    let iss = form::encode(ISSUER);
    let code = "the-CODE-secret";
    let cases = [
        (
            format!("code={code}&state=another&iss={iss}"),
            "state_mismatch",
        ),
        (format!("code={code}&iss={iss}"), "state_mismatch"),
        (
            format!("code={code}&state={state}&iss=https%3A%2F%2Fevil.example"),
            "iss_mismatch",
        ),
        (format!("code={code}&state={state}"), "iss_mismatch"),
        (
            format!("error=access_denied&error_description=no+birthdate&state={state}"),
            "access_denied",
        ),
        ("state=x".to_string(), "invalid_request"),
    ];
    for (query, want) in cases {
        let e = w
            .finish_authorization(&issuer, &preview, &start, &query, now)
            .unwrap_err();
        assert_eq!(e.code(), want, "{query}: {e}");
        assert!(!format!("{e} {e:?}").contains(code), "{e}");
    }
    assert!(issuer.tokens.lock().unwrap().is_empty());

    // The right state and iss: the code goes to the token endpoint with the verifier
    // of the pushed challenge (this issuer then refuses it: the code is surfaced).
    let query = format!("code={code}&state={state}&iss={iss}");
    let e = w
        .finish_authorization(&issuer, &preview, &start, &query, now)
        .unwrap_err();
    assert_eq!(e.code(), "invalid_grant", "{e}");
    let tokens = issuer.tokens.lock().unwrap();
    let body = &tokens[0];
    assert_eq!(
        param(body, "grant_type").as_deref(),
        Some("authorization_code")
    );
    assert_eq!(param(body, "code").as_deref(), Some(code));
    assert_eq!(param(body, "redirect_uri").as_deref(), Some(REDIRECT));
    let verifier = param(body, "code_verifier").unwrap();
    assert_eq!(pkce_challenge(&verifier), par.code_challenge);
    assert_eq!(w.credentials(now).unwrap().len(), 0);
}

#[test]
fn an_issuer_without_a_login_or_a_remote_http_redirect_is_refused() {
    let world = World::new();
    let (mut w, _) = world.wallet("w", T0 + 10);
    let now = T0 + 20;
    let issuer = fake(false);
    let preview = w.preview_issuer(&issuer, ISSUER, "pid", now).unwrap();
    let e = w
        .begin_authorization(&issuer, &preview, REDIRECT, now)
        .unwrap_err();
    assert_eq!(e.code(), "unsupported_grant_type", "{e}");
    let issuer = fake(true);
    let preview = w.preview_issuer(&issuer, ISSUER, "pid", now).unwrap();
    let e = w
        .begin_authorization(&issuer, &preview, "http://wallet.example/cb", now)
        .unwrap_err();
    assert_eq!(e.code(), "invalid_request", "{e}");
    assert!(issuer.pushed.lock().unwrap().is_none());
    let e = w
        .preview_issuer(&issuer, "http://city-hall.example", "pid", now)
        .unwrap_err();
    assert_eq!(e.code(), "invalid_request", "{e}");
}
