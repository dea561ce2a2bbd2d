//! The Authorization Code Flow (OpenID4VCI 1.0 §5) with the city's OpenID Connect
//! login: the issuer is a relying party of the city's provider.
//!
//! ```text
//!  wallet ── POST /par (PKCE S256, redirect_uri, authorization_details|scope) ─▶ request_uri
//!  browser ─ GET /authorize?client_id&request_uri ─▶ 303 to the provider (our own PKCE,
//!            state, nonce) ─▶ the citizen logs in ─▶ GET /login/callback?code&state
//!  issuer ── code ⇄ ID token (+ userinfo) at the provider; the ID token's signature
//!            (the provider's JWKS, ES256/EdDSA), iss, aud, exp, nonce checked; the PID
//!            claims taken from the login (age_over_18/65 from the birthdate and the
//!            clock) ─▶ 303 to the wallet's redirect_uri?code&state&iss (RFC 9207)
//!  wallet ── POST /token grant_type=authorization_code, code_verifier ─▶ access token
//!            (the issuer makes an internal one-time offer with the login's claims and
//!            redeems it: the credential endpoint is the pre-authorized path's)
//! ```
//!
//! An ID token whose `kid` the issuer does not know makes it fetch the provider's JWKS
//! again (key rotation), at most once a minute ([`JWKS_REFRESH`]). An offer made with
//! [`create_login_offer`] (`issuer offer --authorization`) carries an `issuer_state`
//! that one pushed request may use.
//!
//! Requests, logins and codes are single use, short lived and stored hashed (the
//! provider-side PKCE verifier of a login in progress is stored for up to 10 minutes
//! and deleted at the callback). Refusals are OAuth errors: at `/par` and `/authorize`
//! as JSON (`invalid_request`), after the login as a redirect to the wallet with
//! `error=access_denied` (an ID token that does not verify, a login without the
//! claims a personal ID needs), at `/token` `invalid_grant` (PKCE missing or wrong, a
//! redirect_uri or client_id mismatch, a code reused or expired). No code, token or
//! claim value is put in an error.
//!
//! Without a login ([`enable_login`] not called) the metadata advertises no
//! authorization endpoint, `/par` answers `invalid_request` and the token endpoint
//! `unsupported_grant_type` for this grant.

use crate::auth_store::{AuthStore, CodeRow, LoginRow, Take};
use crate::error::{Error, Refusal, Result};
use crate::metadata::credential_type;
use crate::service::{Clock, Issuer, OfferRequest};
use crate::store::secret_hash;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use civitas_crypto::{Algorithm, PublicKey, Rng, Verifier as _, b64};
use civitas_exchange::openid4vci::{
    AuthorizationResponse, ErrorCode, OfferRef, ParResponse, PushedAuthorizationRequest,
    REQUEST_URI_PREFIX, TokenRequest, TokenResponse, check_issuer_url, check_pkce_value, form,
    parse_offer_url, pkce_challenge,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

/// How long a pushed request lives (seconds).
pub const REQUEST_LIFETIME: i64 = 90;
/// How long the citizen has to log in (seconds).
pub const LOGIN_LIFETIME: i64 = 600;
/// How long an authorization code lives (seconds).
pub const CODE_LIFETIME: i64 = 60;

/// The city's login, as the issuer's operator configures it.
#[derive(Clone)]
pub struct LoginConfig {
    /// The provider's issuer identifier (discovery at
    /// `/.well-known/openid-configuration` below it).
    pub provider: String,
    /// The issuer's client id at the provider.
    pub client_id: String,
    /// Its client secret (`client_secret_basic`).
    pub client_secret: Zeroizing<String>,
    /// The scopes asked for (`openid profile address` by default).
    pub scope: String,
    /// The claim holding the citizen's personal number (`personal_number`).
    pub personal_number_claim: String,
}

impl std::fmt::Debug for LoginConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginConfig")
            .field("provider", &self.provider)
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl LoginConfig {
    /// A configuration with the default scope and personal-number claim.
    pub fn new(provider: &str, client_id: &str, client_secret: &str) -> Self {
        LoginConfig {
            provider: provider.trim_end_matches('/').to_string(),
            client_id: client_id.to_string(),
            client_secret: Zeroizing::new(client_secret.to_string()),
            scope: "openid profile address".into(),
            personal_number_claim: "personal_number".into(),
        }
    }
}

/// An HTTP answer from the provider.
#[derive(Debug, Clone)]
pub struct LoginAnswer {
    /// Status.
    pub status: u16,
    /// Body (at most 1 MiB).
    pub body: Vec<u8>,
}

/// How the issuer reaches the provider (tests stand in for it). Must not follow
/// redirects nor log bodies or credentials.
pub trait LoginHttp: Send + Sync {
    /// `GET url`, with a Bearer token if given.
    fn get(&self, url: &str, bearer: Option<&str>) -> std::result::Result<LoginAnswer, String>;
    /// `POST url` with a form body and HTTP Basic client authentication.
    fn post_form(
        &self,
        url: &str,
        body: &str,
        basic: (&str, &str),
    ) -> std::result::Result<LoginAnswer, String>;
}

/// The network: reqwest (blocking, rustls with ring), 20 s timeout, no redirects.
#[derive(Debug, Clone)]
pub struct ReqwestLoginHttp {
    client: reqwest::blocking::Client,
}

impl ReqwestLoginHttp {
    /// A client (call outside an async context).
    pub fn new() -> Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Invalid(format!("cannot make an HTTP client: {e}")))?;
        Ok(ReqwestLoginHttp { client })
    }

    fn read(resp: reqwest::blocking::Response) -> std::result::Result<LoginAnswer, String> {
        use std::io::Read;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        resp.take(1024 * 1024 + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("reading the login's answer failed: {e}"))?;
        if body.len() > 1024 * 1024 {
            return Err("the login's answer is larger than 1 MiB".into());
        }
        Ok(LoginAnswer { status, body })
    }
}

impl LoginHttp for ReqwestLoginHttp {
    fn get(&self, url: &str, bearer: Option<&str>) -> std::result::Result<LoginAnswer, String> {
        let mut req = self.client.get(url).header("accept", "application/json");
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let resp = req
            .send()
            .map_err(|e| format!("cannot reach the login: {}", e.without_url()))?;
        Self::read(resp)
    }

    fn post_form(
        &self,
        url: &str,
        body: &str,
        basic: (&str, &str),
    ) -> std::result::Result<LoginAnswer, String> {
        // RFC 6749 §2.3.1: both halves form-encoded before Basic.
        let credentials = format!("{}:{}", form::encode(basic.0), form::encode(basic.1));
        let auth = Zeroizing::new(format!("Basic {}", base64_std(credentials.as_bytes())));
        let resp = self
            .client
            .post(url)
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", auth.as_str())
            .body(body.to_string())
            .send()
            .map_err(|e| format!("cannot reach the login: {}", e.without_url()))?;
        Self::read(resp)
    }
}

/// Standard base64 with padding (HTTP Basic).
fn base64_std(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or(0);
                out.push(char::from(T[idx]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The provider, as discovered.
#[derive(Debug, Clone)]
pub struct Provider {
    /// Its issuer identifier.
    pub issuer: String,
    /// Its authorization endpoint.
    pub authorization_endpoint: String,
    /// Its token endpoint.
    pub token_endpoint: String,
    /// Its userinfo endpoint.
    pub userinfo_endpoint: Option<String>,
    /// Its JWKS.
    pub jwks_uri: String,
}

/// The provider's signing keys (`kid`, key) and when they were fetched.
type KeySet = (Vec<(Option<String>, PublicKey)>, i64);

/// How often at most the JWKS is fetched again for an unknown `kid` (seconds).
pub const JWKS_REFRESH: i64 = 60;

/// The ES256 and EdDSA signing keys of a JWKS.
fn parse_jwks(answer: &LoginAnswer) -> Result<Vec<(Option<String>, PublicKey)>> {
    let jwks = json_of(answer, "JWKS")?;
    let keys: Vec<(Option<String>, PublicKey)> = jwks
        .get("keys")
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter(|k| k.get("use").and_then(Value::as_str) != Some("enc"))
                .filter_map(|k| {
                    let mut public = Map::new();
                    for member in ["kty", "crv", "x", "y"] {
                        if let Some(v) = k.get(member) {
                            public.insert(member.into(), v.clone());
                        }
                    }
                    let key = PublicKey::from_jwk_value(&Value::Object(public)).ok()?;
                    Some((
                        k.get("kid").and_then(Value::as_str).map(str::to_string),
                        key,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if keys.is_empty() {
        return Err(Error::Invalid(
            "the login publishes no ES256 or EdDSA signing key: configure it to sign ID tokens with ES256".into(),
        ));
    }
    Ok(keys)
}

/// The login: configuration, provider, state, clock and randomness.
pub struct Login {
    config: LoginConfig,
    provider: Provider,
    keys: Mutex<KeySet>,
    http: Box<dyn LoginHttp>,
    store: Mutex<AuthStore>,
    clock: Clock,
    rng: Arc<dyn Rng>,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("config", &self.config)
            .field("provider", &self.provider.issuer)
            .finish_non_exhaustive()
    }
}

fn json_of(answer: &LoginAnswer, what: &str) -> Result<Map<String, Value>> {
    if answer.status != 200 {
        return Err(Error::Invalid(format!(
            "the login's {what} answered HTTP {}",
            answer.status
        )));
    }
    match serde_json::from_slice(&answer.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::Invalid(format!(
            "the login's {what} is not a JSON object"
        ))),
    }
}

fn str_member(m: &Map<String, Value>, name: &str, what: &str) -> Result<String> {
    m.get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::Invalid(format!("the login's {what} has no {name}")))
}

fn url_member(m: &Map<String, Value>, name: &'static str) -> Result<String> {
    let url = str_member(m, name, "configuration")?;
    check_issuer_url(&url, name).map_err(|e| Error::Invalid(format!("the login's {e}")))?;
    Ok(url)
}

impl Login {
    /// Discovers the provider (`/.well-known/openid-configuration`, its JWKS) and
    /// keeps the login state in `store`.
    pub fn discover(
        config: LoginConfig,
        http: Box<dyn LoginHttp>,
        store: AuthStore,
        clock: Clock,
        rng: Arc<dyn Rng>,
    ) -> Result<Self> {
        check_issuer_url(&config.provider, "login provider URL")
            .map_err(|e| Error::Invalid(e.to_string()))?;
        if config.client_id.is_empty() || config.client_secret.is_empty() {
            return Err(Error::Invalid(
                "the login needs a client id and a client secret".into(),
            ));
        }
        let url = format!("{}/.well-known/openid-configuration", config.provider);
        let m = json_of(
            &http.get(&url, None).map_err(Error::Invalid)?,
            "configuration",
        )?;
        let issuer = str_member(&m, "issuer", "configuration")?;
        if issuer.trim_end_matches('/') != config.provider {
            return Err(Error::Invalid(format!(
                "the login's configuration names issuer {issuer}, not {}",
                config.provider
            )));
        }
        let jwks_uri = url_member(&m, "jwks_uri")?;
        let keys = parse_jwks(&http.get(&jwks_uri, None).map_err(Error::Invalid)?)?;
        let fetched = (clock)();
        let provider = Provider {
            issuer,
            authorization_endpoint: url_member(&m, "authorization_endpoint")?,
            token_endpoint: url_member(&m, "token_endpoint")?,
            userinfo_endpoint: m
                .get("userinfo_endpoint")
                .is_some()
                .then(|| url_member(&m, "userinfo_endpoint"))
                .transpose()?,
            jwks_uri,
        };
        Ok(Login {
            config,
            provider,
            keys: Mutex::new((keys, fetched)),
            http,
            store: Mutex::new(store),
            clock,
            rng,
        })
    }

    /// The discovered provider.
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// Whether a key of the provider (with `kid`, if given) verifies `signature`; an
    /// unknown `kid` makes the JWKS be fetched again (key rotation), at most once a
    /// minute.
    fn verifies(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        input: &[u8],
        signature: &[u8],
        now: i64,
    ) -> bool {
        let check = |keys: &[(Option<String>, PublicKey)]| {
            keys.iter()
                .filter(|(k, key)| key.algorithm() == alg && (kid.is_none() || k.as_deref() == kid))
                .any(|(_, key)| key.verify(alg, input, signature).is_ok())
        };
        let Ok(mut set) = self.keys.lock() else {
            return false;
        };
        if check(&set.0) {
            return true;
        }
        let known = kid.is_some_and(|kid| set.0.iter().any(|(k, _)| k.as_deref() == Some(kid)));
        if known || kid.is_none() || now.saturating_sub(set.1) < JWKS_REFRESH {
            return false;
        }
        set.1 = now;
        match self
            .http
            .get(&self.provider.jwks_uri, None)
            .ok()
            .and_then(|a| parse_jwks(&a).ok())
        {
            Some(keys) => {
                set.0 = keys;
                check(&set.0)
            }
            None => false,
        }
    }

    fn store(&self) -> std::result::Result<std::sync::MutexGuard<'_, AuthStore>, Refusal> {
        self.store
            .lock()
            .map_err(|_| Refusal::server("the store is unavailable"))
    }

    fn random(&self) -> std::result::Result<Zeroizing<String>, Refusal> {
        let mut buf = Zeroizing::new([0u8; 32]);
        self.rng
            .fill(&mut *buf)
            .map_err(|_| Refusal::server("no randomness"))?;
        Ok(Zeroizing::new(b64::encode(*buf)))
    }
}

/// Turns the Authorization Code Flow on for `issuer`, with `login` (once: a second
/// call keeps the first login).
pub fn enable_login(issuer: &Arc<Issuer>, login: Login) {
    let _ = issuer.login_cell().set(Arc::new(login));
}

fn login_of(issuer: &Issuer) -> Option<Arc<Login>> {
    issuer.login_cell().get().cloned()
}

/// A pushed request, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pushed {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    state: Option<String>,
    configuration_id: String,
    issuer_state: Option<String>,
}

/// The authorization server metadata members the flow adds (RFC 8414, RFC 9126,
/// RFC 9207) when a login is configured.
pub fn extend_metadata(issuer: &Issuer, metadata: &mut Value) {
    if login_of(issuer).is_none() {
        return;
    }
    let Value::Object(m) = metadata else {
        return;
    };
    for (k, v) in crate::metadata::authorization_code_metadata(&issuer.config().public_url) {
        if k == "grant_types_supported"
            && let Some(Value::Array(list)) = m.get_mut(&k)
        {
            list.extend(v.as_array().cloned().unwrap_or_default());
            continue;
        }
        m.insert(k, v);
    }
}

impl Issuer {
    fn login(&self) -> std::result::Result<Arc<Login>, Refusal> {
        login_of(self).ok_or_else(|| {
            Refusal::new(
                ErrorCode::InvalidRequest,
                "this issuer offers no authorization code flow (no login is configured)",
            )
        })
    }

    /// The Pushed Authorization Request endpoint (RFC 9126): a form body.
    pub fn par(&self, body: &str) -> std::result::Result<ParResponse, Refusal> {
        let login = self.login()?;
        let req = PushedAuthorizationRequest::from_form(body)?;
        let mut ids: Vec<String> = req.configuration_ids.clone();
        if let Some(scope) = &req.scope {
            ids.extend(
                scope
                    .split(' ')
                    .filter(|s| credential_type(s).is_some())
                    .map(str::to_string),
            );
        }
        ids.dedup();
        let configuration_id = match ids.as_slice() {
            [id] => id.clone(),
            [] => {
                return Err(Refusal::new(
                    ErrorCode::InvalidRequest,
                    "the scope names no credential configuration of this issuer",
                ));
            }
            _ => {
                return Err(Refusal::new(
                    ErrorCode::InvalidRequest,
                    "one credential configuration per authorization request",
                ));
            }
        };
        if credential_type(&configuration_id).is_none() {
            return Err(Refusal::new(
                ErrorCode::InvalidRequest,
                format!(
                    "unknown credential configuration {}",
                    configuration_id.chars().take(60).collect::<String>()
                ),
            ));
        }
        if configuration_id != "pid" {
            return Err(Refusal::new(
                ErrorCode::InvalidRequest,
                "the city's login vouches for a personal ID only (pid)",
            ));
        }
        let now = (login.clock)();
        if let Some(state) = &req.issuer_state {
            let taken = login
                .store()?
                .take_offer(&secret_hash("issuer_state", state), now)
                .map_err(|_| Refusal::server("the store failed"))?;
            let invalid = |d: &str| Refusal::new(ErrorCode::InvalidRequest, d);
            match taken {
                Take::Taken(id) if id == configuration_id => {}
                Take::Taken(_) => {
                    return Err(invalid(
                        "the issuer_state was made for another credential configuration",
                    ));
                }
                Take::Unknown => return Err(invalid("unknown issuer_state")),
                Take::Expired => return Err(invalid("the offer (issuer_state) has expired")),
                Take::Used => return Err(invalid("the offer (issuer_state) was already used")),
            }
        }
        let request_uri = format!("{REQUEST_URI_PREFIX}{}", login.random()?.as_str());
        let pushed = Pushed {
            client_id: req.client_id,
            redirect_uri: req.redirect_uri,
            code_challenge: req.code_challenge,
            state: req.state,
            configuration_id,
            issuer_state: req.issuer_state,
        };
        let store = login.store()?;
        store
            .purge(now)
            .and_then(|()| {
                store.put_request(
                    &secret_hash("request_uri", &request_uri),
                    &serde_json::to_string(&pushed).unwrap_or_default(),
                    now.saturating_add(REQUEST_LIFETIME),
                )
            })
            .map_err(|_| Refusal::server("the store failed"))?;
        Ok(ParResponse {
            request_uri,
            expires_in: REQUEST_LIFETIME.unsigned_abs(),
        })
    }

    /// The Authorization Endpoint (`?client_id&request_uri`): where the citizen's
    /// browser goes next (the city's login).
    pub fn authorize(&self, query: &str) -> std::result::Result<String, Refusal> {
        let login = self.login()?;
        let pairs = form::parse(query, "authorization request")?;
        let invalid = |d: &str| Refusal::new(ErrorCode::InvalidRequest, d);
        let client_id = form::get(&pairs, "client_id").ok_or_else(|| invalid("no client_id"))?;
        let request_uri = form::get(&pairs, "request_uri").ok_or_else(|| {
            invalid("no request_uri: push the authorization request to the PAR endpoint first")
        })?;
        let now = (login.clock)();
        let taken = login
            .store()?
            .take_request(&secret_hash("request_uri", request_uri), now)
            .map_err(|_| Refusal::server("the store failed"))?;
        let stored = match taken {
            Take::Taken(s) => s,
            Take::Unknown => return Err(invalid("unknown request_uri")),
            Take::Expired => return Err(invalid("the request_uri has expired")),
            Take::Used => return Err(invalid("the request_uri was already used")),
        };
        let pushed: Pushed = serde_json::from_str(&stored)
            .map_err(|_| Refusal::server("a stored request is unreadable"))?;
        if pushed.client_id != client_id {
            return Err(invalid("client_id is not the one of the pushed request"));
        }
        let state = login.random()?;
        let nonce = login.random()?;
        let verifier = login.random()?;
        login
            .store()?
            .put_login(
                &secret_hash("login", &state),
                &LoginRow {
                    request: stored,
                    nonce: nonce.to_string(),
                    verifier: verifier.to_string(),
                },
                now.saturating_add(LOGIN_LIFETIME),
            )
            .map_err(|_| Refusal::server("the store failed"))?;
        let callback = callback_url(&self.config().public_url);
        let challenge = pkce_challenge(&verifier);
        let query = form::serialize([
            ("response_type", "code"),
            ("client_id", login.config.client_id.as_str()),
            ("redirect_uri", callback.as_str()),
            ("scope", login.config.scope.as_str()),
            ("state", state.as_str()),
            ("nonce", nonce.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]);
        let endpoint = &login.provider.authorization_endpoint;
        let sep = if endpoint.contains('?') { '&' } else { '?' };
        Ok(format!("{endpoint}{sep}{query}"))
    }

    /// The login's redirect back (`/login/callback?code&state&iss`): where the
    /// citizen's browser goes next (the wallet's redirect URI, with a code or an
    /// error). A `state` this issuer did not make is refused (`invalid_request`).
    pub fn login_callback(&self, query: &str) -> std::result::Result<String, Refusal> {
        let login = self.login()?;
        let pairs = form::parse(query, "login response")?;
        let state = form::get(&pairs, "state")
            .ok_or_else(|| Refusal::new(ErrorCode::InvalidRequest, "no state"))?;
        let now = (login.clock)();
        let row = login
            .store()?
            .take_login(&secret_hash("login", state), now)
            .map_err(|_| Refusal::server("the store failed"))?
            .ok_or_else(|| {
                Refusal::new(
                    ErrorCode::InvalidRequest,
                    "unknown or expired login (start again from the wallet)",
                )
            })?;
        let pushed: Pushed = serde_json::from_str(&row.request)
            .map_err(|_| Refusal::server("a stored request is unreadable"))?;
        let iss = Some(self.config().public_url.clone());
        let deny = |error: &str, why: &str| {
            AuthorizationResponse::Error {
                error: error.to_string(),
                description: Some(why.to_string()),
                state: pushed.state.clone(),
                iss: iss.clone(),
            }
            .to_redirect(&pushed.redirect_uri)
        };
        if form::get(&pairs, "error").is_some() {
            return Ok(deny("access_denied", "the city's login was not completed"));
        }
        if let Some(i) = form::get(&pairs, "iss")
            && i.trim_end_matches('/') != login.provider.issuer.trim_end_matches('/')
        {
            return Ok(deny(
                "access_denied",
                "the login response came from another issuer (RFC 9207)",
            ));
        }
        let Some(code) = form::get(&pairs, "code") else {
            return Ok(deny("access_denied", "the city's login sent no code"));
        };
        let claims = match self.login_claims(&login, code, &row, now) {
            Ok(c) => c,
            Err(why) => {
                eprintln!("login: {why}");
                return Ok(deny("access_denied", &why));
            }
        };
        let code = login.random()?;
        login
            .store()?
            .put_code(
                &secret_hash("authcode", &code),
                &CodeRow {
                    request: row.request.clone(),
                    claims: Value::Object(claims).to_string(),
                },
                now.saturating_add(CODE_LIFETIME),
            )
            .map_err(|_| Refusal::server("the store failed"))?;
        Ok(AuthorizationResponse::Code {
            code: civitas_exchange::openid4vci::Secret::new(&code),
            state: pushed.state.clone(),
            iss,
        }
        .to_redirect(&pushed.redirect_uri))
    }

    /// Exchanges the login's code, verifies the ID token, reads userinfo, and maps
    /// what the city knows to PID claims. The error names the failed check, never a
    /// token or a claim value.
    fn login_claims(
        &self,
        login: &Login,
        code: &str,
        row: &LoginRow,
        now: i64,
    ) -> std::result::Result<Map<String, Value>, String> {
        let callback = callback_url(&self.config().public_url);
        let body = Zeroizing::new(form::serialize([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", callback.as_str()),
            ("code_verifier", row.verifier.as_str()),
        ]));
        let answer = login.http.post_form(
            &login.provider.token_endpoint,
            &body,
            (&login.config.client_id, &login.config.client_secret),
        )?;
        if answer.status != 200 {
            let code = serde_json::from_slice::<Value>(&answer.body)
                .ok()
                .and_then(|v| {
                    v["error"]
                        .as_str()
                        .map(|s| s.chars().take(40).collect::<String>())
                })
                .unwrap_or_default();
            return Err(format!(
                "the city's login refused the code exchange (HTTP {} {code})",
                answer.status
            ));
        }
        let tokens: Map<String, Value> = serde_json::from_slice(&answer.body).map_err(|_| {
            "the city's login answered the code exchange with no JSON object".to_string()
        })?;
        let id_token = tokens
            .get("id_token")
            .and_then(Value::as_str)
            .ok_or("the city's login sent no ID token")?;
        let mut claims = verify_id_token(login, id_token, &row.nonce, now)?;
        if let (Some(url), Some(access)) = (
            &login.provider.userinfo_endpoint,
            tokens.get("access_token").and_then(Value::as_str),
        ) {
            let answer = login.http.get(url, Some(access))?;
            if answer.status == 200 {
                let info: Map<String, Value> = serde_json::from_slice(&answer.body)
                    .map_err(|_| "the city's userinfo is not a JSON object".to_string())?;
                if info.get("sub") != claims.get("sub") {
                    return Err("the city's userinfo is about another subject".into());
                }
                for (k, v) in info {
                    claims.entry(k).or_insert(v);
                }
            }
        }
        pid_claims(&claims, &login.config.personal_number_claim, now)
    }

    /// The token endpoint's `authorization_code` grant (called by [`Issuer::token`]).
    pub(crate) fn authorization_code_token(
        &self,
        request: TokenRequest,
    ) -> std::result::Result<TokenResponse, Refusal> {
        let Some(login) = login_of(self) else {
            return Err(Refusal::new(
                ErrorCode::UnsupportedGrantType,
                "this issuer offers no authorization code flow (no login is configured)",
            ));
        };
        let TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
            client_id,
        } = request
        else {
            return Err(Refusal::new(
                ErrorCode::UnsupportedGrantType,
                "not an authorization code request",
            ));
        };
        let grant = |d: &str| Refusal::new(ErrorCode::InvalidGrant, d);
        let client_id = client_id.ok_or_else(|| {
            Refusal::new(
                ErrorCode::InvalidRequest,
                "no client_id (a public client must send it)",
            )
        })?;
        let now = (login.clock)();
        let taken = login
            .store()?
            .take_code(&secret_hash("authcode", code.expose()), now)
            .map_err(|_| Refusal::server("the store failed"))?;
        let row = match taken {
            Take::Taken(r) => r,
            Take::Unknown => return Err(grant("unknown authorization code")),
            Take::Expired => return Err(grant("the authorization code has expired")),
            Take::Used => return Err(grant("the authorization code was already used")),
        };
        let pushed: Pushed = serde_json::from_str(&row.request)
            .map_err(|_| Refusal::server("a stored request is unreadable"))?;
        if pushed.client_id != client_id {
            return Err(grant("the code was issued to another client"));
        }
        if redirect_uri.as_deref() != Some(pushed.redirect_uri.as_str()) {
            return Err(grant(
                "redirect_uri is not the one of the authorization request",
            ));
        }
        let verifier = code_verifier.ok_or_else(|| grant("no code_verifier: PKCE is required"))?;
        check_pkce_value(verifier.expose(), "code_verifier")
            .map_err(|_| grant("the code_verifier is malformed"))?;
        if !civitas_crypto::constant_time_eq(
            pkce_challenge(verifier.expose()).as_bytes(),
            pushed.code_challenge.as_bytes(),
        ) {
            return Err(grant("the code_verifier does not match the code_challenge"));
        }
        let claims: Map<String, Value> = serde_json::from_str(&row.claims)
            .map_err(|_| Refusal::server("stored claims are unreadable"))?;
        // The credential endpoint serves the token of an internal one-time offer that
        // holds the login's claims (no PIN, a minute to live, redeemed at once).
        let created = self
            .offer(&OfferRequest {
                credential_issuer: self.config().public_url.clone(),
                configuration_id: pushed.configuration_id.clone(),
                claims,
                expires_in: CODE_LIFETIME,
                pin: false,
                deferred: false,
                holder: None,
            })
            .map_err(|e| match e {
                Error::Credential(_) | Error::Invalid(_) => Refusal::new(
                    ErrorCode::InvalidGrant,
                    "the login's claims do not make a credential of this type",
                ),
                _ => Refusal::server("the store failed"),
            })?;
        let internal = match parse_offer_url(&created.offer_uri) {
            Ok(OfferRef::ByValue(o)) => o
                .grants
                .pre_authorized_code
                .map(|g| Zeroizing::new(g.pre_authorized_code)),
            _ => None,
        }
        .ok_or_else(|| Refusal::server("the internal offer is unreadable"))?;
        self.token(&Zeroizing::new(
            TokenRequest::pre_authorized(&internal, None).to_form(),
        ))
    }
}

/// Makes an offer with the `authorization_code` grant (the citizen logs in with the
/// city's account; no claims, no PIN): a random `issuer_state`, stored hashed with
/// the configuration until `expires_in` seconds from `now`, single use (taken by the
/// Pushed Authorization Request that names it). Only `pid` (the login vouches for a
/// personal ID).
pub fn create_login_offer(
    store: &AuthStore,
    credential_issuer: &str,
    configuration_id: &str,
    expires_in: i64,
    now: i64,
    rng: &dyn Rng,
) -> Result<crate::CreatedOffer> {
    use civitas_exchange::openid4vci::{AuthorizationCodeGrant, CredentialOffer, Grants};
    check_issuer_url(credential_issuer, "credential issuer URL")
        .map_err(|e| Error::Invalid(e.to_string()))?;
    if configuration_id != "pid" {
        return Err(Error::Invalid(
            "the city's login vouches for a personal ID only: --authorization needs --type pid"
                .into(),
        ));
    }
    if !(1..=30 * 86_400).contains(&expires_in) {
        return Err(Error::Invalid(
            "the offer must expire within 1 second to 30 days".into(),
        ));
    }
    let expires_at = now
        .checked_add(expires_in)
        .ok_or_else(|| Error::Invalid("expiry overflows".into()))?;
    let mut buf = Zeroizing::new([0u8; 32]);
    rng.fill(&mut *buf)?;
    let issuer_state = Zeroizing::new(b64::encode(*buf));
    let mut id = [0u8; 9];
    rng.fill(&mut id)?;
    let offer_id = format!("a-{}", b64::encode(id));
    store.purge(now)?;
    store.put_offer(
        &secret_hash("issuer_state", &issuer_state),
        configuration_id,
        &offer_id,
        expires_at,
    )?;
    let offer = CredentialOffer {
        credential_issuer: credential_issuer.to_string(),
        credential_configuration_ids: vec![configuration_id.to_string()],
        grants: Grants {
            authorization_code: Some(AuthorizationCodeGrant {
                issuer_state: Some(issuer_state.to_string()),
                authorization_server: None,
            }),
            ..Grants::default()
        },
    };
    Ok(crate::CreatedOffer {
        offer_uri: offer.to_uri(),
        tx_code: None,
        expires_at,
        offer_id,
    })
}

/// The issuer's redirect URI at the provider.
pub fn callback_url(public_url: &str) -> String {
    format!("{}/login/callback", public_url.trim_end_matches('/'))
}

/// Checks an ID token (OpenID Connect Core §3.1.3.7): compact JWS with an allowed
/// `alg` (ES256, EdDSA), signed by a key of the provider's JWKS; `iss` the provider,
/// `aud` our client id (and `azp` when several), `exp` in the future, `iat` not in
/// the future, `nonce` ours. Returns its claims.
fn verify_id_token(
    login: &Login,
    token: &str,
    nonce: &str,
    now: i64,
) -> std::result::Result<Map<String, Value>, String> {
    let bad = |why: &str| format!("the city's ID token {why}");
    if token.len() > 64 * 1024 {
        return Err(bad("is larger than 64 KiB"));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("is not a compact JWS"));
    };
    let object = |part: &str| -> Option<Map<String, Value>> {
        match serde_json::from_slice(&b64::decode(part).ok()?).ok()? {
            Value::Object(m) => Some(m),
            _ => None,
        }
    };
    let header = object(h).ok_or_else(|| bad("has an unreadable header"))?;
    let payload = object(p).ok_or_else(|| bad("has an unreadable payload"))?;
    let signature = b64::decode(s).map_err(|_| bad("has an unreadable signature"))?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(|a| Algorithm::from_jose(a).ok())
        .ok_or_else(|| {
            bad("is signed with an algorithm this issuer does not accept (use ES256)")
        })?;
    let kid = header.get("kid").and_then(Value::as_str);
    let signing_input = &token[..h.len() + 1 + p.len()];
    if !login.verifies(alg, kid, signing_input.as_bytes(), &signature, now) {
        return Err(bad("has a signature no key of the login verifies"));
    }
    let iss = payload
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if iss.trim_end_matches('/') != login.provider.issuer.trim_end_matches('/') {
        return Err(bad("was issued by another issuer"));
    }
    let client = login.config.client_id.as_str();
    let aud_ok = match payload.get("aud") {
        Some(Value::String(a)) => a == client,
        Some(Value::Array(list)) => {
            list.iter().any(|a| a.as_str() == Some(client))
                && (list.len() == 1 || payload.get("azp").and_then(Value::as_str) == Some(client))
        }
        _ => false,
    };
    if !aud_ok {
        return Err(bad("is meant for another client (aud)"));
    }
    match payload.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp > now => {}
        _ => return Err(bad("has expired")),
    }
    if payload
        .get("iat")
        .and_then(Value::as_i64)
        .is_some_and(|iat| iat > now.saturating_add(300))
    {
        return Err(bad("was issued in the future"));
    }
    let got = payload
        .get("nonce")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !civitas_crypto::constant_time_eq(got.as_bytes(), nonce.as_bytes()) {
        return Err(bad("does not carry this login's nonce"));
    }
    if payload
        .get("sub")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(bad("names no subject"));
    }
    Ok(payload)
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The age in whole years on the day of `now` of someone born on `birthdate`
/// (`YYYY-MM-DD`); `None` for a malformed or future date.
pub fn age_on(birthdate: &str, now: i64) -> Option<i64> {
    let b = birthdate.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = birthdate.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let (ty, tm, td) = civil_from_days(now.div_euclid(86_400));
    let age = ty.checked_sub(y)? - i64::from((tm, td) < (m, d));
    (age >= 0).then_some(age)
}

/// The PID claims from what the city's login says about the citizen: `given_name`,
/// `family_name`, `birthdate` and the personal number are required; `address`
/// (street_address, locality, postal_code) and `nationality` are taken when present;
/// `age_over_18` and `age_over_65` are computed from the birthdate on the day of `now`.
pub fn pid_claims(
    login: &Map<String, Value>,
    personal_number_claim: &str,
    now: i64,
) -> std::result::Result<Map<String, Value>, String> {
    let text = |name: &str| {
        login
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 256)
            .map(str::to_string)
    };
    let missing =
        |what: &str| format!("the city's login gave no {what}: a personal ID cannot be issued");
    let mut out = Map::new();
    for name in ["given_name", "family_name"] {
        out.insert(
            name.into(),
            Value::String(text(name).ok_or_else(|| missing(name))?),
        );
    }
    let birthdate = text("birthdate").ok_or_else(|| missing("birthdate"))?;
    let age = age_on(&birthdate, now)
        .ok_or("the city's login gave a birthdate that is not a past YYYY-MM-DD date")?;
    out.insert("birthdate".into(), Value::String(birthdate));
    out.insert("age_over_18".into(), Value::Bool(age >= 18));
    out.insert("age_over_65".into(), Value::Bool(age >= 65));
    let number = text(personal_number_claim).ok_or_else(|| missing("personal number"))?;
    out.insert("personal_number".into(), Value::String(number));
    if let Some(n) = text("nationality") {
        out.insert("nationality".into(), Value::String(n));
    }
    if let Some(Value::Object(a)) = login.get("address") {
        let mut address = Map::new();
        for name in ["street_address", "locality", "postal_code"] {
            if let Some(v) = a
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty() && s.len() <= 256)
            {
                address.insert(name.into(), Value::String(v.to_string()));
            }
        }
        if !address.is_empty() {
            out.insert("address".into(), Value::Object(address));
        }
    }
    Ok(out)
}

// ---- HTTP ----

fn oauth_response(r: &Refusal) -> Response {
    let status = StatusCode::from_u16(r.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_vec(&r.to_oauth()).unwrap_or_default();
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => {
            let mut r = StatusCode::SEE_OTHER.into_response();
            r.headers_mut().insert(header::LOCATION, v);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(_) => oauth_response(&Refusal::server("a redirect that is not a header value")),
    }
}

async fn on_blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, Refusal> + Send + 'static,
) -> std::result::Result<T, Refusal> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(Refusal::server("internal failure")))
}

/// `POST /par`.
pub(crate) async fn par_endpoint(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(body) = axum::body::to_bytes(body, crate::http::MAX_BODY).await else {
        return oauth_response(&Refusal::new(
            ErrorCode::InvalidRequest,
            "the body is unreadable or too large",
        ));
    };
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return oauth_response(&Refusal::new(
            ErrorCode::InvalidRequest,
            "the pushed authorization request must be application/x-www-form-urlencoded",
        ));
    }
    let Ok(text) = String::from_utf8(body.to_vec()) else {
        return oauth_response(&Refusal::new(
            ErrorCode::InvalidRequest,
            "body is not UTF-8",
        ));
    };
    match on_blocking(move || issuer.par(&text)).await {
        Ok(r) => {
            let mut response = (
                StatusCode::CREATED,
                serde_json::to_vec(&r).unwrap_or_default(),
            )
                .into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(r) => oauth_response(&r),
    }
}

/// `GET /authorize`.
pub(crate) async fn authorize_endpoint(
    State(issuer): State<Arc<Issuer>>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    match on_blocking(move || issuer.authorize(&query)).await {
        Ok(location) => see_other(&location),
        Err(r) => oauth_response(&r),
    }
}

/// `GET /login/callback`.
pub(crate) async fn callback_endpoint(
    State(issuer): State<Arc<Issuer>>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    match on_blocking(move || issuer.login_callback(&query)).await {
        Ok(location) => see_other(&location),
        Err(r) => oauth_response(&r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_from_the_clock() {
        // 2026-03-14T00:00:00Z = 1773446400
        let day = 1_773_446_400;
        assert_eq!(age_on("2008-03-14", day), Some(18));
        assert_eq!(age_on("2008-03-15", day), Some(17));
        assert_eq!(age_on("1958-03-14", day), Some(68));
        assert_eq!(age_on("2030-01-01", day), None);
        assert_eq!(age_on("1958-3-14", day), None);
        assert_eq!(age_on("1958-13-01", day), None);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn basic_auth_encoding() {
        assert_eq!(
            base64_std(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64_std(b"ab"), "YWI=");
        assert_eq!(base64_std(b""), "");
    }

    #[test]
    fn pid_claims_need_a_birthdate() {
        let day = 1_773_446_400;
        let mut login = match serde_json::json!({
            "sub": "u1", "given_name": "Mei-Ling", "family_name": "Chen",
            "birthdate": "1958-03-14", "personal_number": "A123456789",
            "address": {"street_address": "1 Shifu Road", "locality": "Taipei", "postal_code": "110", "country": "TW"}
        }) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let claims = pid_claims(&login, "personal_number", day).unwrap();
        assert_eq!(claims["age_over_65"], Value::Bool(true));
        assert!(claims["address"].get("country").is_none());
        crate::metadata::credential_type("pid")
            .unwrap()
            .validate(&claims)
            .unwrap();
        login.remove("birthdate");
        let e = pid_claims(&login, "personal_number", day).unwrap_err();
        assert!(e.contains("no birthdate"), "{e}");
    }
}

/// The flow against a provider played in memory (a key this test holds signs the ID
/// tokens), with a clock the tests move: the ID token checks, expiry of requests and
/// codes, PKCE.
#[cfg(test)]
mod flow_tests {
    use super::*;
    use crate::service::IssuerConfig;
    use crate::store::Store;
    use civitas_crypto::{SeededRng, Signer as _, SigningKey};
    use serde_json::json;
    use std::sync::atomic::{AtomicI64, Ordering};

    const URL: &str = "https://issuer.example";
    const LOGIN: &str = "https://login.example";
    const WALLET: &str = "http://127.0.0.1:5000/cb";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    /// What the fake provider's token endpoint answers with.
    struct FakeLogin {
        key: SigningKey,
        /// Claims of the next ID token (`nonce` filled in from the last authorize).
        id_token: Mutex<Value>,
        /// Sign with this key instead (a forged token).
        forger: Mutex<Option<SigningKey>>,
        /// The provider's new key (`k2`) after a rotation: it signs and is published.
        rotated: Mutex<Option<SigningKey>>,
        nonce: Mutex<String>,
    }

    impl FakeLogin {
        fn sign(&self, payload: &Value) -> String {
            let forger = self.forger.lock().unwrap();
            let rotated = self.rotated.lock().unwrap();
            let (key, kid) = match (forger.as_ref(), rotated.as_ref()) {
                (Some(f), _) => (f, "k1"),
                (None, Some(r)) => (r, "k2"),
                (None, None) => (&self.key, "k1"),
            };
            let header = json!({"alg": "ES256", "kid": kid, "typ": "JWT"});
            let input = format!(
                "{}.{}",
                b64::encode(header.to_string()),
                b64::encode(payload.to_string())
            );
            let sig = key.sign(input.as_bytes()).unwrap();
            format!("{input}.{}", b64::encode(sig))
        }
    }

    struct Http(Arc<FakeLogin>);

    impl LoginHttp for Http {
        fn get(&self, url: &str, _: Option<&str>) -> std::result::Result<LoginAnswer, String> {
            let body = match url {
                u if u.ends_with("/.well-known/openid-configuration") => json!({
                    "issuer": LOGIN,
                    "authorization_endpoint": format!("{LOGIN}/auth"),
                    "token_endpoint": format!("{LOGIN}/token"),
                    "jwks_uri": format!("{LOGIN}/jwks"),
                }),
                u if u.ends_with("/jwks") => {
                    let rotated = self.0.rotated.lock().unwrap();
                    let (key, kid) = match rotated.as_ref() {
                        Some(r) => (r, "k2"),
                        None => (&self.0.key, "k1"),
                    };
                    let mut jwk = key.public().to_jwk_value();
                    jwk["kid"] = json!(kid);
                    json!({"keys": [jwk]})
                }
                _ => {
                    return Ok(LoginAnswer {
                        status: 404,
                        body: Vec::new(),
                    });
                }
            };
            Ok(LoginAnswer {
                status: 200,
                body: body.to_string().into_bytes(),
            })
        }

        fn post_form(
            &self,
            _: &str,
            body: &str,
            basic: (&str, &str),
        ) -> std::result::Result<LoginAnswer, String> {
            assert_eq!(basic, ("issuer-client", "secret"));
            assert!(body.contains("code_verifier="), "{body}");
            let mut claims = self.0.id_token.lock().unwrap().clone();
            if claims.get("nonce").is_none() {
                claims["nonce"] = json!(self.0.nonce.lock().unwrap().clone());
            }
            let token = self.0.sign(&claims);
            Ok(LoginAnswer {
                status: 200,
                body: json!({"id_token": token, "token_type": "Bearer", "access_token": "at"})
                    .to_string()
                    .into_bytes(),
            })
        }
    }

    struct Fixture {
        issuer: Arc<Issuer>,
        fake: Arc<FakeLogin>,
        now: Arc<AtomicI64>,
        _tmp: tempfile::TempDir,
    }

    const T0: i64 = 1_800_000_000;

    fn claims(now: i64) -> Value {
        json!({"iss": LOGIN, "aud": "issuer-client", "sub": "u1", "iat": now, "exp": now + 300,
               "given_name": "Mei", "family_name": "Lin", "birthdate": "1990-05-01",
               "personal_number": "A123456789"})
    }

    fn fixture() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let now = Arc::new(AtomicI64::new(T0));
        let c = now.clone();
        let clock: Clock = Arc::new(move || c.load(Ordering::SeqCst));
        let ledger = civitas_ledger::SqliteLedger::embedded(
            &tmp.path().join("ledger.db"),
            "ledger.civitas.example",
            clock.clone(),
        )
        .unwrap();
        let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(7)).unwrap();
        let did = key.public().did_jwk();
        let kid = key.public().did_jwk_url();
        let issuer = Arc::new(
            Issuer::new(
                IssuerConfig::new(URL, &did, &kid),
                key,
                Arc::new(ledger),
                Arc::new(civitas_did::MethodResolver::local()),
                Store::memory().unwrap(),
                clock.clone(),
                Arc::new(SeededRng::new(8)),
            )
            .unwrap(),
        );
        let fake = Arc::new(FakeLogin {
            key: SigningKey::generate(Algorithm::Es256, &SeededRng::new(9)).unwrap(),
            id_token: Mutex::new(claims(T0)),
            forger: Mutex::new(None),
            rotated: Mutex::new(None),
            nonce: Mutex::new(String::new()),
        });
        let login = Login::discover(
            LoginConfig::new(LOGIN, "issuer-client", "secret"),
            Box::new(Http(fake.clone())),
            AuthStore::memory().unwrap(),
            clock,
            Arc::new(SeededRng::new(10)),
        )
        .unwrap();
        enable_login(&issuer, login);
        Fixture {
            issuer,
            fake,
            now,
            _tmp: tmp,
        }
    }

    fn pushed() -> PushedAuthorizationRequest {
        PushedAuthorizationRequest {
            client_id: "wallet".into(),
            redirect_uri: WALLET.into(),
            code_challenge: pkce_challenge(VERIFIER),
            state: Some("ws".into()),
            configuration_ids: vec!["pid".into()],
            scope: None,
            issuer_state: None,
        }
    }

    fn param(url: &str, name: &str) -> Option<String> {
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        form::parse(query, "q")
            .unwrap()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    impl Fixture {
        /// PAR + authorize; the provider's state.
        fn to_login(&self) -> String {
            let par = self.issuer.par(&pushed().to_form()).unwrap();
            let url = self
                .issuer
                .authorize(&form::serialize([
                    ("client_id", "wallet"),
                    ("request_uri", par.request_uri.as_str()),
                ]))
                .unwrap();
            assert!(url.starts_with(&format!("{LOGIN}/auth?")), "{url}");
            assert_eq!(
                param(&url, "code_challenge_method").as_deref(),
                Some("S256")
            );
            *self.fake.nonce.lock().unwrap() = param(&url, "nonce").unwrap();
            param(&url, "state").unwrap()
        }

        /// The whole login; the wallet's redirect.
        fn login(&self) -> String {
            let state = self.to_login();
            self.issuer
                .login_callback(&form::serialize([
                    ("code", "provider-code"),
                    ("state", state.as_str()),
                    ("iss", LOGIN),
                ]))
                .unwrap()
        }

        fn token(
            &self,
            code: &str,
            verifier: Option<&str>,
        ) -> std::result::Result<TokenResponse, ErrorCode> {
            let req = TokenRequest::AuthorizationCode {
                code: civitas_exchange::openid4vci::Secret::new(code),
                redirect_uri: Some(WALLET.into()),
                code_verifier: verifier.map(civitas_exchange::openid4vci::Secret::new),
                client_id: Some("wallet".into()),
            };
            self.issuer.token(&req.to_form()).map_err(|r| r.code)
        }
    }

    #[test]
    fn a_login_gives_a_code_and_the_code_a_token() {
        let f = fixture();
        let redirect = f.login();
        assert!(redirect.starts_with(WALLET), "{redirect}");
        assert_eq!(param(&redirect, "state").as_deref(), Some("ws"));
        assert_eq!(param(&redirect, "iss").as_deref(), Some(URL));
        let code = param(&redirect, "code").unwrap();
        let token = f.token(&code, Some(VERIFIER)).unwrap();
        assert!(!token.access_token.is_empty());
        assert_eq!(
            f.token(&code, Some(VERIFIER)).unwrap_err(),
            ErrorCode::InvalidGrant
        );
    }

    #[test]
    fn id_tokens_that_do_not_verify_are_access_denied() {
        let f = fixture();
        type Breaker = Box<dyn Fn(&Fixture)>;
        let cases: Vec<(&str, Breaker)> = vec![
            (
                "signature",
                Box::new(|f: &Fixture| {
                    *f.fake.forger.lock().unwrap() =
                        Some(SigningKey::generate(Algorithm::Es256, &SeededRng::new(99)).unwrap());
                }),
            ),
            (
                "aud",
                Box::new(|f: &Fixture| {
                    f.fake.id_token.lock().unwrap()["aud"] = json!("another-client");
                }),
            ),
            (
                "nonce",
                Box::new(|f: &Fixture| {
                    f.fake.id_token.lock().unwrap()["nonce"] = json!("replayed");
                }),
            ),
            (
                "exp",
                Box::new(|f: &Fixture| {
                    f.fake.id_token.lock().unwrap()["exp"] = json!(T0 - 1);
                }),
            ),
            (
                "iss",
                Box::new(|f: &Fixture| {
                    f.fake.id_token.lock().unwrap()["iss"] = json!("https://evil.example");
                }),
            ),
            (
                "birthdate",
                Box::new(|f: &Fixture| {
                    f.fake
                        .id_token
                        .lock()
                        .unwrap()
                        .as_object_mut()
                        .unwrap()
                        .remove("birthdate");
                }),
            ),
        ];
        for (what, break_it) in cases {
            *f.fake.forger.lock().unwrap() = None;
            *f.fake.id_token.lock().unwrap() = claims(T0);
            break_it(&f);
            let redirect = f.login();
            assert_eq!(
                param(&redirect, "error").as_deref(),
                Some("access_denied"),
                "{what}"
            );
            assert!(param(&redirect, "code").is_none(), "{what}");
            let description = param(&redirect, "error_description").unwrap();
            assert!(!description.contains("eyJ"), "{what}: {description}");
            assert!(!description.contains("A123456789"), "{what}: {description}");
        }
    }

    #[test]
    fn requests_and_codes_expire_and_pkce_is_checked() {
        let f = fixture();
        // A pushed request used after its lifetime.
        let par = f.issuer.par(&pushed().to_form()).unwrap();
        f.now.fetch_add(REQUEST_LIFETIME + 1, Ordering::SeqCst);
        let e = f
            .issuer
            .authorize(&form::serialize([
                ("client_id", "wallet"),
                ("request_uri", par.request_uri.as_str()),
            ]))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.description.contains("expired"), "{}", e.description);
        // A client_id other than the pushed one.
        let par = f.issuer.par(&pushed().to_form()).unwrap();
        let e = f
            .issuer
            .authorize(&form::serialize([
                ("client_id", "other"),
                ("request_uri", par.request_uri.as_str()),
            ]))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        // A code used after its lifetime.
        *f.fake.id_token.lock().unwrap() = claims(f.now.load(Ordering::SeqCst));
        let code = param(&f.login(), "code").unwrap();
        f.now.fetch_add(CODE_LIFETIME + 1, Ordering::SeqCst);
        assert_eq!(
            f.token(&code, Some(VERIFIER)).unwrap_err(),
            ErrorCode::InvalidGrant
        );
        // A malformed verifier; a plain one (the challenge itself).
        *f.fake.id_token.lock().unwrap() = claims(f.now.load(Ordering::SeqCst));
        let code = param(&f.login(), "code").unwrap();
        assert_eq!(
            f.token(&code, Some("short")).unwrap_err(),
            ErrorCode::InvalidGrant
        );
        let code = param(&f.login(), "code").unwrap();
        let plain = pkce_challenge(VERIFIER);
        assert_eq!(
            f.token(&code, Some(&plain)).unwrap_err(),
            ErrorCode::InvalidGrant
        );
        // The login's error and a wrong iss in its response end at the wallet.
        let state = f.to_login();
        let redirect = f
            .issuer
            .login_callback(&form::serialize([
                ("error", "access_denied"),
                ("state", state.as_str()),
            ]))
            .unwrap();
        assert_eq!(param(&redirect, "error").as_deref(), Some("access_denied"));
        let state = f.to_login();
        let redirect = f
            .issuer
            .login_callback(&form::serialize([
                ("code", "c"),
                ("state", state.as_str()),
                ("iss", "https://evil.example"),
            ]))
            .unwrap();
        assert_eq!(param(&redirect, "error").as_deref(), Some("access_denied"));
        // A state used twice.
        let state = f.to_login();
        let q = form::serialize([("code", "c"), ("state", state.as_str())]);
        f.issuer.login_callback(&q).unwrap();
        assert_eq!(
            f.issuer.login_callback(&q).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn a_rotated_provider_key_is_fetched_at_most_once_a_minute() {
        let f = fixture();
        *f.fake.rotated.lock().unwrap() =
            Some(SigningKey::generate(Algorithm::Es256, &SeededRng::new(11)).unwrap());
        // Within the minute after discovery: the unknown kid is not looked up.
        let redirect = f.login();
        assert_eq!(param(&redirect, "error").as_deref(), Some("access_denied"));
        // Later: the JWKS is fetched again and the new key verifies.
        f.now.fetch_add(JWKS_REFRESH, Ordering::SeqCst);
        *f.fake.id_token.lock().unwrap() = claims(f.now.load(Ordering::SeqCst));
        let redirect = f.login();
        assert!(param(&redirect, "code").is_some(), "{redirect}");
    }
}
