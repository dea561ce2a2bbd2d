//! The [`Issuer`] service: the endpoints' logic, independent of HTTP, and the back
//! office's offer creation.

use crate::ephemeral::{GroupCommit, InFlight, Nonces, Reserved};
use crate::error::{Error, Refusal, Result};
use crate::metadata::{PROOF_ALGORITHMS, credential_type, issuer_metadata};
use crate::status_index::Permutation;
use crate::store::{
    AuditRow, Issuing, NewOffer, NewTransaction, Notification, Redeem, Store, pin_hash,
    secret_hash, tx_state,
};
use civitas_credential::status_list::StatusList;
use civitas_credential::{IssueOptions, StatusRef, issue, issuer_jwt_digest};
use civitas_crypto::{Rng, Signer, SigningKey, b64};
use civitas_did::Resolver;
use civitas_exchange::openid4vci::{
    AuthorizationServerMetadata, BatchCredentialIssuance, CredentialIssuerMetadata,
    CredentialOffer, CredentialRequest, CredentialResponse, DeferredCredentialRequest, ErrorCode,
    Grants, HolderKey, MAX_PROOFS, NonceResponse, NotificationRequest, PreAuthorizedCodeGrant,
    ProofCheck, Requested, TokenRequest, TokenResponse, TxCode, check_issuer_url, check_proof,
};
use civitas_ledger::LedgerWriter;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use zeroize::Zeroizing;

/// The time, Unix seconds (an input, so tests control it).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The issuer's settings.
#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// The Credential Issuer identifier (its public URL).
    pub public_url: String,
    /// The issuer's DID (`iss`).
    pub did: String,
    /// Its signing key's DID URL (`kid`).
    pub kid: String,
    /// Display names of the issuer, by locale.
    pub names: Vec<(String, String)>,
    /// Access token lifetime (seconds).
    pub token_lifetime: i64,
    /// `c_nonce` lifetime (seconds).
    pub nonce_lifetime: i64,
    /// Wrong PINs allowed before an offer dies.
    pub max_pin_attempts: u32,
    /// Entries of the issuer's status list.
    pub status_list_size: usize,
    /// How old a key proof's `iat` may be (seconds).
    pub proof_max_age: i64,
    /// How long a deferred transaction waits for approval and fetching (seconds).
    pub deferred_lifetime: i64,
    /// The `interval` a deferred response asks the wallet to wait (seconds).
    pub deferred_interval: u64,
    /// How long a `notification_id` is accepted (seconds).
    pub notification_lifetime: i64,
    /// One-time copies signed per request, by configuration id (batch issuance: one
    /// key proof per copy, each copy bound to its own key, with its own salts, decoys
    /// and status index). A configuration not named here gets one.
    pub copies: BTreeMap<String, u32>,
}

/// The default copies per request: 10 of a PID or a medical summary (each presented
/// once), one service record (attached to the citizen on purpose).
pub const DEFAULT_COPIES: [(&str, u32); 3] =
    [("pid", 10), ("medical_summary", 10), ("service_record", 1)];

impl IssuerConfig {
    /// Copies signed per request for `configuration_id` (at least one).
    pub fn copies_of(&self, configuration_id: &str) -> u32 {
        self.copies
            .get(configuration_id)
            .copied()
            .unwrap_or(1)
            .clamp(1, MAX_PROOFS as u32)
    }

    /// Defaults: 5-minute tokens and nonces, 5 PIN attempts, a 131,072-entry list.
    pub fn new(public_url: &str, did: &str, kid: &str) -> Self {
        IssuerConfig {
            public_url: public_url.to_string(),
            did: did.to_string(),
            kid: kid.to_string(),
            names: vec![
                ("en-US".into(), "Civitas issuer".into()),
                ("zh-TW".into(), "Civitas 發證機關".into()),
            ],
            token_lifetime: 300,
            nonce_lifetime: 300,
            max_pin_attempts: 5,
            status_list_size: 131_072,
            proof_max_age: 300,
            deferred_lifetime: 14 * 86_400,
            deferred_interval: 5,
            notification_lifetime: 86_400,
            copies: DEFAULT_COPIES
                .iter()
                .map(|(id, n)| ((*id).to_string(), *n))
                .collect(),
        }
    }
}

/// The OpenID4VCI issuer.
pub struct Issuer {
    config: IssuerConfig,
    signer: SigningKey,
    ledger: Arc<dyn LedgerWriter>,
    resolver: Arc<dyn Resolver>,
    store: Mutex<Store>,
    clock: Clock,
    rng: Arc<dyn Rng>,
    publishing: Mutex<()>,
    /// Set once the status list is known to be on the ledger.
    published: std::sync::atomic::AtomicBool,
    /// The status list's URI and size (fixed when the store was first set up).
    status: (String, u64),
    nonces: Nonces,
    in_flight: InFlight,
    reserved: Reserved,
    /// Status positions → indices (`None`: a store that handed out indices in order
    /// before placement was random keeps its order, so no index is given twice).
    permutation: Option<Permutation>,
    /// Issuances waiting to be recorded together.
    recording: GroupCommit<(String, Vec<AuditRow>, Notification), std::result::Result<bool, ()>>,
    /// The city's login, when the authorization code flow is on
    /// ([`crate::authorize::enable_login`]).
    login: std::sync::OnceLock<Arc<crate::authorize::Login>>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("public_url", &self.config.public_url)
            .field("did", &self.config.did)
            .finish_non_exhaustive()
    }
}

/// A new offer to make (the back office).
#[derive(Debug, Clone)]
pub struct OfferRequest {
    /// The Credential Issuer identifier the wallet will contact.
    pub credential_issuer: String,
    /// The configuration (`pid`, `medical_summary`, `service_record`).
    pub configuration_id: String,
    /// The subject's claims (checked against the type).
    pub claims: Map<String, Value>,
    /// Seconds until the code stops working.
    pub expires_in: i64,
    /// Require a 6-digit PIN.
    pub pin: bool,
    /// Deferred issuance: the credential waits for `approve`.
    pub deferred: bool,
    /// Issue only to this holder: a DID (the key proof must name one of its keys by
    /// `kid`) or a JWK thumbprint (RFC 7638, base64url) of the key to bind — e.g. the
    /// key the citizen just presented at a counter. A proof by any other key is
    /// refused (`invalid_proof`).
    pub holder: Option<String>,
}

/// A stored offer: the URI to show and the PIN to tell the citizen apart.
#[derive(Clone, Serialize)]
pub struct CreatedOffer {
    /// The `openid-credential-offer://` URI.
    pub offer_uri: String,
    /// The PIN, when one is required.
    pub tx_code: Option<String>,
    /// When the offer expires.
    pub expires_at: i64,
    /// Its id (for `pending`, the audit).
    pub offer_id: String,
}

impl std::fmt::Debug for CreatedOffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedOffer")
            .field("offer_id", &self.offer_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// `n` random bytes, base64url.
fn random_b64(rng: &dyn Rng, n: usize) -> Result<String> {
    let mut buf = Zeroizing::new(vec![0u8; n]);
    rng.fill(&mut buf)?;
    Ok(b64::encode(&*buf))
}

/// A uniformly random 6-digit PIN.
fn random_pin(rng: &dyn Rng) -> Result<String> {
    const LIMIT: u32 = 4_294_000_000; // a multiple of 10^6 below 2^32
    loop {
        let mut b = [0u8; 4];
        rng.fill(&mut b)?;
        let n = u32::from_be_bytes(b);
        if n < LIMIT {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// Stores a new offer in `store` and returns its URI and PIN (`civitas issuer offer`
/// writes into the server's database with this).
pub fn create_offer(
    store: &Store,
    req: &OfferRequest,
    now: i64,
    rng: &dyn Rng,
) -> Result<CreatedOffer> {
    check_issuer_url(&req.credential_issuer, "credential issuer URL")
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let t = credential_type(&req.configuration_id).ok_or_else(|| {
        Error::Invalid(format!(
            "unknown credential configuration {}",
            req.configuration_id
        ))
    })?;
    t.validate(&req.claims)?;
    if let Some(h) = &req.holder {
        let thumbprint = h.len() == 43
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let did = h.starts_with("did:") && !h.contains('#') && h.len() <= 2048;
        if !(thumbprint || did) {
            return Err(Error::Invalid(
                "the holder must be a DID or a base64url SHA-256 JWK thumbprint".into(),
            ));
        }
    }
    if !(1..=30 * 86_400).contains(&req.expires_in) {
        return Err(Error::Invalid(
            "the offer must expire within 1 second to 30 days".into(),
        ));
    }
    // Claims of offers that can no longer be used are deleted whenever a new one is made.
    store.purge_expired(now)?;
    let expires_at = now
        .checked_add(req.expires_in)
        .ok_or_else(|| Error::Invalid("expiry overflows".into()))?;
    let code = Zeroizing::new(random_b64(rng, 32)?);
    let pin = if req.pin {
        Some(Zeroizing::new(random_pin(rng)?))
    } else {
        None
    };
    let offer_id = format!("o-{}", random_b64(rng, 9)?);
    store.insert_offer(&NewOffer {
        id: &offer_id,
        code_hash: secret_hash("code", &code),
        pin_hash: pin.as_ref().map(|p| pin_hash(&code, p)),
        configuration_id: &req.configuration_id,
        claims: Value::Object(req.claims.clone()).to_string(),
        created_at: now,
        expires_at,
        deferred: req.deferred,
        holder: req.holder.clone(),
    })?;
    let offer = CredentialOffer {
        credential_issuer: req.credential_issuer.clone(),
        credential_configuration_ids: vec![req.configuration_id.clone()],
        grants: Grants {
            pre_authorized_code: Some(PreAuthorizedCodeGrant {
                pre_authorized_code: code.to_string(),
                tx_code: pin.as_ref().map(|_| {
                    TxCode::numeric(
                        6,
                        "The 6-digit code the clerk gave you / 承辦人員提供的 6 位數代碼",
                    )
                }),
                authorization_server: None,
            }),
            ..Grants::default()
        },
    };
    Ok(CreatedOffer {
        offer_uri: offer.to_uri(),
        tx_code: pin.map(|p| p.to_string()),
        expires_at,
        offer_id,
    })
}

/// The Bearer token of an `Authorization` header value (`invalid_token` without one).
fn bearer(authorization: Option<&str>) -> std::result::Result<&str, Refusal> {
    authorization
        .and_then(|h| {
            let (scheme, value) = h.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| value.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Refusal::new(ErrorCode::InvalidToken, "no Bearer access token"))
}

/// The store's status-list permutation: made (a random key in the store) for a store
/// that has handed out no index yet; `None` for one that handed them out in order.
fn status_permutation(store: &Store, rng: &dyn Rng, size: u64) -> Result<Option<Permutation>> {
    let key = match store.meta("status_permutation")? {
        Some(k) => k,
        None if store.meta("status_next")?.is_none() => {
            store.init_meta("status_permutation", &random_b64(rng, 32)?)?
        }
        None => return Ok(None),
    };
    let secret = civitas_crypto::b64::decode(key.as_bytes())
        .map_err(|_| Error::Invalid("the status permutation key is unreadable".into()))?;
    Permutation::new(&secret, size)
        .map(Some)
        .ok_or_else(|| Error::Invalid("bad status list size".into()))
}

impl Issuer {
    /// An issuer signing with `signer` as `config.did`/`config.kid`, publishing its
    /// status list and issuance anchors on `ledger`, resolving holders' DIDs with
    /// `resolver`, keeping state in `store`. Records the public URL in the store
    /// (`issuer offer` reads it) and names its status list.
    pub fn new(
        config: IssuerConfig,
        signer: SigningKey,
        ledger: Arc<dyn LedgerWriter>,
        resolver: Arc<dyn Resolver>,
        store: Store,
        clock: Clock,
        rng: Arc<dyn Rng>,
    ) -> Result<Self> {
        check_issuer_url(&config.public_url, "public URL")
            .map_err(|e| Error::Invalid(e.to_string()))?;
        if config.kid.split('#').next() != Some(config.did.as_str()) {
            return Err(Error::Invalid(format!(
                "kid {} is not a key of {}",
                config.kid, config.did
            )));
        }
        store.set_meta("credential_issuer", &config.public_url)?;
        store.purge_expired((clock)())?;
        let list_id = store.init_meta("status_list_id", &random_b64(&*rng, 9)?)?;
        if store.meta("status_uri")?.is_none() {
            let host = ledger
                .info()
                .map_err(|e| Error::Ledger(e.to_string()))?
                .host;
            let uri = civitas_ledger::sign::status_list_uri(
                &host,
                &config.did,
                &format!("oid4vci-{list_id}"),
            );
            store.init_meta("status_uri", &uri)?;
            store.init_meta("status_size", &config.status_list_size.to_string())?;
        }
        let status_uri = store
            .meta("status_uri")?
            .ok_or_else(|| Error::Invalid("no status list configured".into()))?;
        let status_size = store
            .meta("status_size")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(config.status_list_size as u64);
        let published = store.meta("status_published")?.is_some();
        let permutation = status_permutation(&store, &*rng, status_size)?;
        Ok(Issuer {
            config,
            signer,
            ledger,
            resolver,
            store: Mutex::new(store),
            clock,
            rng,
            publishing: Mutex::new(()),
            published: published.into(),
            status: (status_uri, status_size),
            nonces: Nonces::default(),
            in_flight: InFlight::default(),
            reserved: Reserved::default(),
            permutation,
            recording: GroupCommit::default(),
            login: std::sync::OnceLock::new(),
        })
    }

    fn store(&self) -> std::result::Result<MutexGuard<'_, Store>, Refusal> {
        self.store
            .lock()
            .map_err(|_| Refusal::server("the store is unavailable"))
    }

    pub(crate) fn login_cell(&self) -> &std::sync::OnceLock<Arc<crate::authorize::Login>> {
        &self.login
    }

    /// The issuer's configuration.
    pub fn config(&self) -> &IssuerConfig {
        &self.config
    }

    /// `/.well-known/openid-credential-issuer`.
    pub fn metadata(&self) -> CredentialIssuerMetadata {
        let mut m = issuer_metadata(
            &self.config.public_url,
            &self.config.names,
            self.signer.public().algorithm(),
        );
        let mut largest = 1;
        for (id, c) in m.credential_configurations_supported.iter_mut() {
            let n = self.config.copies_of(id);
            largest = largest.max(n);
            c.civitas_copies = (n > 1).then_some(n);
        }
        m.batch_credential_issuance = (largest > 1).then_some(BatchCredentialIssuance {
            batch_size: largest,
        });
        m
    }

    /// `/.well-known/oauth-authorization-server`.
    pub fn authorization_server_metadata(&self) -> AuthorizationServerMetadata {
        crate::metadata::authorization_server_metadata(&self.config.public_url)
    }

    /// Makes an offer in this issuer's store.
    pub fn offer(&self, req: &OfferRequest) -> Result<CreatedOffer> {
        let store = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?;
        create_offer(&store, req, (self.clock)(), &*self.rng)
    }

    /// The Token Endpoint: a form body.
    pub fn token(&self, form: &str) -> std::result::Result<TokenResponse, Refusal> {
        // helper M: the authorization code grant is crate::authorize's.
        let (pre_authorized_code, tx_code) = match TokenRequest::from_form(form)? {
            TokenRequest::PreAuthorizedCode {
                pre_authorized_code,
                tx_code,
                ..
            } => (pre_authorized_code, tx_code),
            other => return self.authorization_code_token(other),
        };
        let now = (self.clock)();
        let token = Zeroizing::new(
            random_b64(&*self.rng, 32).map_err(|_| Refusal::server("no randomness"))?,
        );
        let expires_at = now.saturating_add(self.config.token_lifetime);
        let outcome = self
            .store()?
            .redeem(
                pre_authorized_code.expose(),
                tx_code.as_ref().map(|t| t.expose()),
                now,
                &secret_hash("token", &token),
                expires_at,
                self.config.max_pin_attempts,
            )
            .map_err(|_| Refusal::server("the store failed"))?;
        let grant = |d: &str| Refusal::new(ErrorCode::InvalidGrant, d);
        match outcome {
            Redeem::Redeemed(_) => Ok(TokenResponse {
                access_token: token.to_string(),
                token_type: "Bearer".into(),
                expires_in: u64::try_from(self.config.token_lifetime).ok(),
                authorization_details: None,
            }),
            Redeem::Unknown => Err(grant("unknown pre-authorized code")),
            Redeem::Expired => Err(grant("the offer has expired")),
            Redeem::NotOpen => Err(grant(
                "the pre-authorized code was already used, or the offer is closed",
            )),
            Redeem::PinMissing => Err(Refusal::new(
                ErrorCode::InvalidRequest,
                "this offer requires a tx_code",
            )),
            Redeem::PinUnexpected => Err(Refusal::new(
                ErrorCode::InvalidRequest,
                "this offer has no tx_code",
            )),
            Redeem::WrongPin { left: 0 } => Err(grant(
                "wrong tx_code; too many attempts, the offer is closed",
            )),
            Redeem::WrongPin { left } => {
                Err(grant(&format!("wrong tx_code ({left} attempts left)")))
            }
        }
    }

    /// The Nonce Endpoint.
    pub fn nonce(&self) -> std::result::Result<NonceResponse, Refusal> {
        let now = (self.clock)();
        let nonce = random_b64(&*self.rng, 18).map_err(|_| Refusal::server("no randomness"))?;
        let stored = self
            .nonces
            .put(&nonce, now, now.saturating_add(self.config.nonce_lifetime));
        if !stored {
            return Err(Refusal::server("too many outstanding nonces; retry later"));
        }
        Ok(NonceResponse { c_nonce: nonce })
    }

    /// The Credential Endpoint: the `Authorization` header's value and the JSON body.
    pub fn credential(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> std::result::Result<CredentialResponse, Refusal> {
        let token = bearer(authorization)?;
        let request = CredentialRequest::from_json(body)?;
        let now = (self.clock)();
        let token_hash = secret_hash("token", token);
        let used = || {
            Refusal::new(
                ErrorCode::InvalidToken,
                "unknown, expired or already used access token",
            )
        };
        let issuing = self
            .store()?
            .issuing(&token_hash, now)
            .map_err(|_| Refusal::server("the store failed"))?
            .ok_or_else(used)?;
        // One request per offer at a time in this process; the store's conditional
        // write settles any race with another process (the back office).
        let _claim = self.in_flight.claim(&issuing.id).ok_or_else(|| {
            Refusal::new(
                ErrorCode::InvalidToken,
                "another credential request with this access token is being served",
            )
        })?;
        let holders = self.check_request(&issuing, &request, now)?;
        match holders.as_slice() {
            [holder] if issuing.deferred => self.defer(&issuing, holder, &token_hash, now),
            _ => self.issue_now(&issuing, &holders, &token_hash, now),
        }
    }

    /// Signs and records an immediate issuance, with its notification id.
    fn issue_now(
        &self,
        offer: &Issuing,
        holders: &[HolderKey],
        token_hash: &str,
        now: i64,
    ) -> std::result::Result<CredentialResponse, Refusal> {
        let claims: Map<String, Value> = serde_json::from_str(&offer.claims)
            .map_err(|_| Refusal::server("the offer's claims are unreadable"))?;
        // Copies of a batch say only the day they were issued: no per-second
        // timestamp common to them (nor a sequence to read from it).
        let issued_at = if holders.len() > 1 {
            now - now.rem_euclid(86_400)
        } else {
            now
        };
        let mut sd_jwts = Vec::with_capacity(holders.len());
        let mut rows = Vec::with_capacity(holders.len());
        for holder in holders {
            let (sd_jwt, row) = self.sign(
                &offer.id,
                &offer.configuration_id,
                &claims,
                holder,
                issued_at,
                now,
            )?;
            sd_jwts.push(sd_jwt);
            rows.push(row);
        }
        let (notification_id, notification) = self.new_notification(token_hash, now)?;
        // Concurrent requests share one transaction (group commit).
        let recorded = self
            .recording
            .submit(
                (token_hash.to_string(), rows, notification),
                Err(()),
                |batch| {
                    let items: Vec<_> = batch
                        .iter()
                        .map(|(t, r, n)| (t.as_str(), r.as_slice(), n))
                        .collect();
                    match self.store().map(|mut s| s.finish_issues(&items)) {
                        Ok(Ok(done)) => done.into_iter().map(Ok).collect(),
                        _ => vec![Err(()); batch.len()],
                    }
                },
            )
            .map_err(|()| Refusal::server("the store failed"))?;
        if !recorded {
            // Signed but never released: its status index stays unused.
            return Err(Refusal::new(
                ErrorCode::InvalidToken,
                "the access token was used meanwhile, or the offer was closed",
            ));
        }
        let mut response = CredentialResponse::issued_batch(sd_jwts);
        response.notification_id = Some(notification_id);
        Ok(response)
    }

    /// Binds the holder key and the access token to a new deferred transaction.
    fn defer(
        &self,
        offer: &Issuing,
        holder: &HolderKey,
        token_hash: &str,
        now: i64,
    ) -> std::result::Result<CredentialResponse, Refusal> {
        let transaction_id =
            random_b64(&*self.rng, 24).map_err(|_| Refusal::server("no randomness"))?;
        let holder_json = serde_json::json!({
            "jwk": holder.key.to_jwk_value(),
            "kid": holder.kid,
        })
        .to_string();
        let recorded = self
            .store()?
            .defer_issue(&NewTransaction {
                id_hash: secret_hash("transaction", &transaction_id),
                offer_id: &offer.id,
                token_hash: token_hash.to_string(),
                holder: holder_json,
                created_at: now,
                expires_at: now.saturating_add(self.config.deferred_lifetime),
            })
            .map_err(|_| Refusal::server("the store failed"))?;
        if !recorded {
            return Err(Refusal::new(
                ErrorCode::InvalidToken,
                "the access token was used meanwhile, or the offer was closed",
            ));
        }
        Ok(CredentialResponse::deferred(
            transaction_id,
            self.config.deferred_interval,
        ))
    }

    fn new_notification(
        &self,
        token_hash: &str,
        now: i64,
    ) -> std::result::Result<(String, Notification), Refusal> {
        let id = random_b64(&*self.rng, 18).map_err(|_| Refusal::server("no randomness"))?;
        let note = Notification {
            id_hash: secret_hash("notification", &id),
            token_hash: token_hash.to_string(),
            expires_at: now.saturating_add(self.config.notification_lifetime),
        };
        Ok((id, note))
    }

    /// The Deferred Credential Endpoint (§9): the `Authorization` header's value and
    /// the JSON body. 202 (a response with `transaction_id` and `interval`) while the
    /// credential awaits approval; the credential with a `notification_id`, once.
    pub fn deferred_credential(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> std::result::Result<CredentialResponse, Refusal> {
        let token = bearer(authorization)?;
        let request = DeferredCredentialRequest::from_json(body)?;
        let now = (self.clock)();
        let id_hash = secret_hash("transaction", &request.transaction_id);
        let invalid = || {
            Refusal::new(
                ErrorCode::InvalidTransactionId,
                "unknown, expired or already used transaction_id",
            )
        };
        let t = self
            .store()?
            .transaction(&id_hash)
            .map_err(|_| Refusal::server("the store failed"))?
            .ok_or_else(invalid)?;
        if t.expires_at <= now || t.state == tx_state::DONE {
            return Err(invalid());
        }
        let token_hash = secret_hash("token", token);
        if !civitas_crypto::constant_time_eq(t.token_hash.as_bytes(), token_hash.as_bytes()) {
            return Err(Refusal::new(
                ErrorCode::InvalidToken,
                "the access token was not issued for this transaction",
            ));
        }
        match t.state.as_str() {
            tx_state::PENDING => Ok(CredentialResponse::deferred(
                request.transaction_id,
                self.config.deferred_interval,
            )),
            tx_state::REJECTED => {
                let closed = self
                    .store()?
                    .close_transaction(&id_hash, tx_state::REJECTED, &t.offer_id, None)
                    .map_err(|_| Refusal::server("the store failed"))?;
                if !closed {
                    return Err(invalid());
                }
                Err(Refusal::new(
                    ErrorCode::CredentialRequestDenied,
                    "the issuer declined to issue this credential",
                ))
            }
            tx_state::APPROVED => {
                let credential = t
                    .credential
                    .ok_or_else(|| Refusal::server("the approved credential is missing"))?;
                let (notification_id, notification) = self.new_notification(&token_hash, now)?;
                let closed = self
                    .store()?
                    .close_transaction(
                        &id_hash,
                        tx_state::APPROVED,
                        &t.offer_id,
                        Some(&notification),
                    )
                    .map_err(|_| Refusal::server("the store failed"))?;
                if !closed {
                    return Err(invalid());
                }
                let mut response = CredentialResponse::issued(credential);
                response.notification_id = Some(notification_id);
                Ok(response)
            }
            _ => Err(invalid()),
        }
    }

    /// The Notification Endpoint (§11): records the wallet's event in the audit trail.
    pub fn notification(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> std::result::Result<(), Refusal> {
        let token = bearer(authorization)?;
        let request = NotificationRequest::from_json(body)
            .map_err(|e| Refusal::new(e.code(), e.to_string()))?;
        let now = (self.clock)();
        let store = self.store()?;
        let (offer_id, token_hash) = store
            .notification(&secret_hash("notification", &request.notification_id), now)
            .map_err(|_| Refusal::server("the store failed"))?
            .ok_or_else(|| {
                Refusal::new(
                    ErrorCode::InvalidNotificationId,
                    "unknown or expired notification_id",
                )
            })?;
        if !civitas_crypto::constant_time_eq(
            token_hash.as_bytes(),
            secret_hash("token", token).as_bytes(),
        ) {
            return Err(Refusal::new(
                ErrorCode::InvalidToken,
                "the access token was not issued for this notification_id",
            ));
        }
        store
            .add_event(
                &offer_id,
                request.event.as_str(),
                request.event_description.as_deref(),
                now,
            )
            .map_err(|_| Refusal::server("the store failed"))?;
        Ok(())
    }

    /// Approves a deferred credential (the back office): signs it for the bound holder
    /// key with the offer's claims, or `claims` (checked against the type), allocates
    /// its status index, anchors it and records the audit row. The wallet fetches it
    /// from the Deferred Credential Endpoint.
    pub fn approve(&self, offer_id: &str, claims: Option<Map<String, Value>>) -> Result<AuditRow> {
        let now = (self.clock)();
        let awaiting = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?
            .awaiting(offer_id, now)?
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "offer {offer_id} is not awaiting approval (unknown, not yet requested by the wallet, decided or expired)"
                ))
            })?;
        let t = credential_type(&awaiting.configuration_id)
            .ok_or_else(|| Error::Invalid("unknown credential configuration".into()))?;
        let claims = match claims {
            Some(c) => c,
            None => awaiting
                .claims
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok())
                .ok_or_else(|| Error::Invalid("the offer holds no claims: pass --claims".into()))?,
        };
        t.validate(&claims)?;
        let holder: Value = serde_json::from_str(&awaiting.holder)
            .map_err(|_| Error::Invalid("the bound holder key is unreadable".into()))?;
        let key = holder
            .get("jwk")
            .ok_or_else(|| Error::Invalid("the bound holder key is unreadable".into()))
            .and_then(|j| Ok(civitas_crypto::PublicKey::from_jwk_value(j)?))?;
        let holder = HolderKey {
            key,
            kid: holder
                .get("kid")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        let (sd_jwt, row) = self
            .sign(
                offer_id,
                &awaiting.configuration_id,
                &claims,
                &holder,
                now,
                now,
            )
            .map_err(|r| Error::Invalid(r.description))?;
        let stored = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?
            .approve(&row, &sd_jwt)?;
        if !stored {
            return Err(Error::Invalid(format!(
                "offer {offer_id} was decided meanwhile"
            )));
        }
        let stored = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?
            .audit_row(None, Some(offer_id))?;
        Ok(stored.unwrap_or(row))
    }

    /// Rejects a deferred credential: the wallet's next Deferred Credential Request
    /// gets `credential_request_denied`.
    pub fn reject(&self, offer_id: &str) -> Result<()> {
        let now = (self.clock)();
        let done = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?
            .reject(offer_id, now)?;
        if done {
            Ok(())
        } else {
            Err(Error::Invalid(format!(
                "offer {offer_id} is not awaiting approval"
            )))
        }
    }

    /// Checks a credential request against the offer the token was granted for: the
    /// configuration, the key proofs and their nonce. Returns the holder keys: one, or
    /// a batch of one-time copies' keys — each a `jwk` (a DID `kid` would make the
    /// copies linkable), no two the same, all proofs with the same `c_nonce` (taken
    /// once), at most the configuration's copies.
    fn check_request(
        &self,
        offer: &Issuing,
        request: &CredentialRequest,
        now: i64,
    ) -> std::result::Result<Vec<HolderKey>, Refusal> {
        let id = match &request.requested {
            Requested::ConfigurationId(id) => id,
            Requested::Identifier(_) => {
                return Err(Refusal::new(
                    ErrorCode::UnknownCredentialIdentifier,
                    "this issuer issues no credential identifiers: use credential_configuration_id",
                ));
            }
        };
        let Some(_) = credential_type(id) else {
            return Err(Refusal::new(
                ErrorCode::UnknownCredentialConfiguration,
                format!(
                    "unknown credential configuration {}",
                    id.chars().take(60).collect::<String>()
                ),
            ));
        };
        if *id != offer.configuration_id {
            return Err(Refusal::new(
                ErrorCode::InvalidCredentialRequest,
                "the access token was not granted for this credential configuration",
            ));
        }
        let allowed = self.config.copies_of(id) as usize;
        if request.proofs.len() > allowed {
            return Err(Refusal::new(
                ErrorCode::InvalidCredentialRequest,
                format!(
                    "{} key proofs, but this issuer signs at most {allowed} copies of {id} per request",
                    request.proofs.len()
                ),
            ));
        }
        if request.proofs.len() > 1 && offer.deferred {
            return Err(Refusal::new(
                ErrorCode::InvalidCredentialRequest,
                "a deferred credential is issued as one copy: send one key proof",
            ));
        }
        let mut check = ProofCheck::new(&self.config.public_url, now);
        check.algorithms = &PROOF_ALGORITHMS;
        check.max_age = self.config.proof_max_age;
        if request.proofs.is_empty() {
            return Err(Refusal::new(ErrorCode::InvalidProof, "no key proof"));
        }
        let mut holders: Vec<HolderKey> = Vec::with_capacity(request.proofs.len());
        let mut nonce: Option<String> = None;
        for proof in &request.proofs {
            let checked = check_proof(proof, &check, &*self.resolver)?;
            if request.proofs.len() > 1 && checked.holder.kid.is_some() {
                return Err(Refusal::new(
                    ErrorCode::InvalidProof,
                    "every key proof of a batch names its own key (jwk), not a DID: copies bound to one DID could be linked",
                ));
            }
            let thumbprint = checked.holder.thumbprint();
            if holders.iter().any(|h| h.thumbprint() == thumbprint) {
                return Err(Refusal::new(
                    ErrorCode::InvalidProof,
                    "two key proofs for the same key: each copy needs its own key",
                ));
            }
            match &nonce {
                None => nonce = Some(checked.nonce.clone()),
                Some(n)
                    if civitas_crypto::constant_time_eq(n.as_bytes(), checked.nonce.as_bytes()) => {
                }
                Some(_) => {
                    return Err(Refusal::new(
                        ErrorCode::InvalidNonce,
                        "the key proofs of one request carry different nonces: use one c_nonce for all",
                    ));
                }
            }
            if let Some(expected) = &offer.holder {
                let did = checked
                    .holder
                    .kid
                    .as_deref()
                    .and_then(|k| k.split('#').next());
                let matches = if expected.starts_with("did:") {
                    did == Some(expected.as_str())
                } else {
                    civitas_crypto::constant_time_eq(expected.as_bytes(), thumbprint.as_bytes())
                };
                if !matches {
                    return Err(Refusal::new(
                        ErrorCode::InvalidProof,
                        "this offer is for another holder: prove possession of the key it was made for",
                    ));
                }
            }
            holders.push(checked.holder);
        }
        let nonce = nonce.unwrap_or_default();
        if !self.nonces.take(&nonce, now) {
            return Err(Refusal::new(
                ErrorCode::InvalidNonce,
                "the key proof's nonce is unknown, expired or already used: ask the Nonce Endpoint for a new c_nonce",
            ));
        }
        Ok(holders)
    }

    /// Signs a credential for `holder`: status index, issuance anchor, audit row.
    pub(crate) fn sign(
        &self,
        offer_id: &str,
        configuration_id: &str,
        claims: &Map<String, Value>,
        holder: &HolderKey,
        issued_at: i64,
        now: i64,
    ) -> std::result::Result<(String, AuditRow), Refusal> {
        let t = credential_type(configuration_id)
            .ok_or_else(|| Refusal::server("unknown credential configuration"))?;
        // Every check passed: sign, allocate, anchor.
        let (status_uri, status_index) = self.allocate_status()?;
        let mut options = IssueOptions::new(&self.config.did, &self.config.kid, t.vct, issued_at);
        options.holder = Some(holder.binding());
        options.status = Some(StatusRef {
            idx: status_index,
            uri: status_uri.clone(),
        });
        options.nested_sd = t.nested_sd_for(claims);
        t.configure(&mut options, claims);
        let sd_jwt = issue(claims, &options, &self.signer, &*self.rng)
            .map_err(|e| Refusal::server(&format!("signing failed: {e}")))?;
        let anchor_index = if self.config.did.starts_with("did:webvh:") {
            let entry = civitas_ledger::sign::issuance(self.signing(), &[sd_jwt.as_str()], now)
                .map_err(|_| Refusal::server("cannot sign the issuance anchor"))?;
            let receipt = self.ledger.append(&entry).map_err(|e| {
                Refusal::server(&format!("the ledger refused the anchor [{}]", e.code()))
            })?;
            Some(receipt.index)
        } else {
            None
        };
        let row = AuditRow {
            seq: 0,
            offer_id: offer_id.to_string(),
            configuration_id: configuration_id.to_string(),
            holder_thumbprint: holder.thumbprint(),
            holder_kid: holder.kid.clone(),
            status_uri,
            status_index,
            credential_digest: issuer_jwt_digest(&sd_jwt),
            anchor_index,
            issued_at: now,
        };
        Ok((sd_jwt, row))
    }

    fn signing(&self) -> civitas_ledger::sign::Signing<'_> {
        civitas_ledger::sign::Signing {
            did: &self.config.did,
            kid: &self.config.kid,
            signer: &self.signer as &dyn Signer,
        }
    }

    /// The next status-list index, publishing the list (all valid) on first use.
    fn allocate_status(&self) -> std::result::Result<(String, u64), Refusal> {
        use std::sync::atomic::Ordering;
        let failed = |_| Refusal::server("the store failed");
        let (uri, size) = &self.status;
        if !self.published.load(Ordering::Acquire) {
            let _guard = self
                .publishing
                .lock()
                .map_err(|_| Refusal::server("status list publishing failed"))?;
            let again = self.store()?.meta("status_published").map_err(failed)?;
            if again.is_none() {
                let on_ledger = self
                    .ledger
                    .status_list(uri)
                    .map_err(|e| Refusal::server(&format!("the ledger failed [{}]", e.code())))?;
                if on_ledger.is_none() {
                    let length = usize::try_from(*size)
                        .map_err(|_| Refusal::server("bad status list size"))?;
                    let list = StatusList::new(2, length)
                        .map_err(|_| Refusal::server("bad status list size"))?;
                    let entry = civitas_ledger::sign::status_list(
                        self.signing(),
                        uri,
                        &list,
                        (self.clock)(),
                    )
                    .map_err(|_| Refusal::server("cannot sign the status list"))?;
                    self.ledger.append(&entry).map_err(|e| {
                        Refusal::server(&format!(
                            "the ledger refused the status list [{}]",
                            e.code()
                        ))
                    })?;
                }
                self.store()?
                    .set_meta("status_published", "1")
                    .map_err(failed)?;
            }
            self.published.store(true, Ordering::Release);
        }
        let position = self
            .reserved
            .next(|count| self.store()?.reserve_status(*size, count).map_err(failed))?
            .ok_or_else(|| Refusal::server("the status list is full"))?;
        let index = match &self.permutation {
            Some(p) => p
                .index(position)
                .ok_or_else(|| Refusal::server("status position out of range"))?,
            None => position,
        };
        Ok((uri.clone(), index))
    }

    /// Offers still usable (the back office's `pending`).
    pub fn pending(&self) -> Result<Vec<crate::store::OfferSummary>> {
        let store = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?;
        store.pending((self.clock)())
    }

    /// Whether an offer still holds its claims.
    pub fn holds_claims(&self, offer_id: &str) -> Result<bool> {
        let store = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?;
        store.has_claims(offer_id)
    }

    /// Revokes (or suspends) an issued credential: the audit row numbered `seq`, or
    /// the latest one of `offer_id`. Sets its status-list entry on the ledger and
    /// records the event. Returns the row.
    pub fn revoke(
        &self,
        seq: Option<i64>,
        offer_id: Option<&str>,
        suspend: bool,
    ) -> Result<AuditRow> {
        use civitas_credential::status_list::{parse_status_list_token, status};
        let row = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?
            .audit_row(seq, offer_id)?
            .ok_or_else(|| Error::Invalid("no such issued credential in the audit trail".into()))?;
        let _guard = self
            .publishing
            .lock()
            .map_err(|_| Error::Invalid("status list publishing failed".into()))?;
        let token = self
            .ledger
            .status_list(&row.status_uri)
            .map_err(|e| Error::Ledger(e.to_string()))?
            .ok_or_else(|| Error::Ledger(format!("no status list at {}", row.status_uri)))?;
        let (current, _) = parse_status_list_token(&token)?;
        if current.issuer != self.config.did {
            return Err(Error::Invalid(format!(
                "{} belongs to {}",
                row.status_uri, current.issuer
            )));
        }
        let mut list = current.list;
        let value = if suspend {
            status::SUSPENDED
        } else {
            status::INVALID
        };
        if list.get(row.status_index) == Some(status::INVALID) {
            return Err(Error::Invalid("the credential is revoked already".into()));
        }
        list.set(row.status_index, value)?;
        let now = (self.clock)().max(current.iat.saturating_add(1));
        let entry = civitas_ledger::sign::status_list(self.signing(), &row.status_uri, &list, now)
            .map_err(|e| Error::Ledger(e.to_string()))?;
        let receipt = self
            .ledger
            .append(&entry)
            .map_err(|e| Error::Ledger(e.to_string()))?;
        let event = if suspend { "suspended" } else { "revoked" };
        self.store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?
            .add_event(
                &row.offer_id,
                event,
                Some(&format!(
                    "audit #{} status index {} ledger index {}",
                    row.seq, row.status_index, receipt.index
                )),
                now,
            )?;
        Ok(row)
    }

    /// The events of the audit trail (approvals, rejections, notifications, revocations).
    pub fn events(&self) -> Result<Vec<crate::store::EventRow>> {
        let store = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?;
        store.events()
    }

    /// The audit trail.
    pub fn audit(&self) -> Result<Vec<AuditRow>> {
        let store = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?;
        store.audit()
    }
}
