//! The [`Issuer`] service: the endpoints' logic, independent of HTTP, and the back
//! office's offer creation.

use crate::error::{Error, Refusal, Result};
use crate::metadata::{PROOF_ALGORITHMS, credential_type, issuer_metadata};
use crate::store::{AuditRow, NewOffer, Redeem, Store, pin_hash, secret_hash};
use civitas_credential::status_list::StatusList;
use civitas_credential::{IssueOptions, StatusRef, issue, issuer_jwt_digest};
use civitas_crypto::{Rng, Signer, SigningKey, b64};
use civitas_did::Resolver;
use civitas_exchange::openid4vci::{
    AuthorizationServerMetadata, CredentialIssuerMetadata, CredentialOffer, CredentialRequest,
    CredentialResponse, ErrorCode, Grants, NonceResponse, PreAuthorizedCodeGrant, ProofCheck,
    Requested, TokenRequest, TokenResponse, TxCode, check_issuer_url, check_proof,
};
use civitas_ledger::LedgerWriter;
use serde::Serialize;
use serde_json::{Map, Value};
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
}

impl IssuerConfig {
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
        Ok(Issuer {
            config,
            signer,
            ledger,
            resolver,
            store: Mutex::new(store),
            clock,
            rng,
            publishing: Mutex::new(()),
        })
    }

    fn store(&self) -> std::result::Result<MutexGuard<'_, Store>, Refusal> {
        self.store
            .lock()
            .map_err(|_| Refusal::server("the store is unavailable"))
    }

    /// The issuer's configuration.
    pub fn config(&self) -> &IssuerConfig {
        &self.config
    }

    /// `/.well-known/openid-credential-issuer`.
    pub fn metadata(&self) -> CredentialIssuerMetadata {
        issuer_metadata(
            &self.config.public_url,
            &self.config.names,
            self.signer.public().algorithm(),
        )
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
        let TokenRequest::PreAuthorizedCode {
            pre_authorized_code,
            tx_code,
            ..
        } = TokenRequest::from_form(form)?;
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
            .store()?
            .put_nonce(&nonce, now, now.saturating_add(self.config.nonce_lifetime))
            .map_err(|_| Refusal::server("the store failed"))?;
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
        let invalid_token = |d: &str| Refusal::new(ErrorCode::InvalidToken, d.to_string());
        let token = authorization
            .and_then(|h| {
                let (scheme, value) = h.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| value.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| invalid_token("no Bearer access token"))?;
        let request = CredentialRequest::from_json(body)?;
        let now = (self.clock)();
        let issuing = self
            .store()?
            .begin_issue(&secret_hash("token", token), now)
            .map_err(|_| Refusal::server("the store failed"))?
            .ok_or_else(|| invalid_token("unknown, expired or already used access token"))?;
        let result = self.issue_for(&issuing, &request, now);
        let mut store = self.store()?;
        match result {
            Ok((response, row)) => {
                store
                    .finish_issue(&row)
                    .map_err(|_| Refusal::server("the store failed"))?;
                Ok(response)
            }
            Err(refusal) => {
                store
                    .abort_issue(&issuing.id)
                    .map_err(|_| Refusal::server("the store failed"))?;
                Err(refusal)
            }
        }
    }

    fn issue_for(
        &self,
        offer: &crate::store::Issuing,
        request: &CredentialRequest,
        now: i64,
    ) -> std::result::Result<(CredentialResponse, AuditRow), Refusal> {
        let id = match &request.requested {
            Requested::ConfigurationId(id) => id,
            Requested::Identifier(_) => {
                return Err(Refusal::new(
                    ErrorCode::UnknownCredentialIdentifier,
                    "this issuer issues no credential identifiers: use credential_configuration_id",
                ));
            }
        };
        let Some(t) = credential_type(id) else {
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
        let mut check = ProofCheck::new(&self.config.public_url, now);
        check.algorithms = &PROOF_ALGORITHMS;
        check.max_age = self.config.proof_max_age;
        let proof = request
            .proofs
            .first()
            .ok_or_else(|| Refusal::new(ErrorCode::InvalidProof, "no key proof"))?;
        let checked = check_proof(proof, &check, &*self.resolver)?;
        let fresh = self
            .store()?
            .take_nonce(&checked.nonce, now)
            .map_err(|_| Refusal::server("the store failed"))?;
        if !fresh {
            return Err(Refusal::new(
                ErrorCode::InvalidNonce,
                "the key proof's nonce is unknown, expired or already used: ask the Nonce Endpoint for a new c_nonce",
            ));
        }
        // Every check passed: sign, allocate, anchor.
        let claims: Map<String, Value> = serde_json::from_str(&offer.claims)
            .map_err(|_| Refusal::server("the offer's claims are unreadable"))?;
        let (status_uri, status_index) = self.allocate_status()?;
        let mut options = IssueOptions::new(&self.config.did, &self.config.kid, t.vct, now);
        options.holder = Some(checked.holder.binding());
        options.status = Some(StatusRef {
            idx: status_index,
            uri: status_uri.clone(),
        });
        options.nested_sd = t.nested_sd_for(&claims);
        t.configure(&mut options, &claims);
        let sd_jwt = issue(&claims, &options, &self.signer, &*self.rng)
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
            offer_id: offer.id.clone(),
            configuration_id: offer.configuration_id.clone(),
            holder_thumbprint: checked.holder.thumbprint(),
            holder_kid: checked.holder.kid.clone(),
            status_uri,
            status_index,
            credential_digest: issuer_jwt_digest(&sd_jwt),
            anchor_index,
            issued_at: now,
        };
        Ok((CredentialResponse::issued(sd_jwt), row))
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
        let failed = |_| Refusal::server("the store failed");
        let (uri, size, published) = {
            let store = self.store()?;
            let uri = store.meta("status_uri").map_err(failed)?;
            let size = store.meta("status_size").map_err(failed)?;
            let published = store.meta("status_published").map_err(failed)?;
            (uri, size, published)
        };
        let uri = uri.ok_or_else(|| Refusal::server("no status list configured"))?;
        let size: usize = size
            .and_then(|s| s.parse().ok())
            .unwrap_or(self.config.status_list_size);
        if published.is_none() {
            let _guard = self
                .publishing
                .lock()
                .map_err(|_| Refusal::server("status list publishing failed"))?;
            let again = self.store()?.meta("status_published").map_err(failed)?;
            if again.is_none() {
                let on_ledger = self
                    .ledger
                    .status_list(&uri)
                    .map_err(|e| Refusal::server(&format!("the ledger failed [{}]", e.code())))?;
                if on_ledger.is_none() {
                    let list = StatusList::new(2, size)
                        .map_err(|_| Refusal::server("bad status list size"))?;
                    let entry = civitas_ledger::sign::status_list(
                        self.signing(),
                        &uri,
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
        }
        let index = self
            .store()?
            .next_status_index(u64::try_from(size).unwrap_or(0))
            .map_err(failed)?
            .ok_or_else(|| Refusal::server("the status list is full"))?;
        Ok((uri, index))
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

    /// The audit trail.
    pub fn audit(&self) -> Result<Vec<AuditRow>> {
        let store = self
            .store
            .lock()
            .map_err(|_| Error::Invalid("the store is unavailable".into()))?;
        store.audit()
    }
}
