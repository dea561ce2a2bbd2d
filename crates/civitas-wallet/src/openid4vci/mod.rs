//! The OpenID4VCI 1.0 client: a credential offered by an issuer, obtained with the
//! Pre-Authorized Code Flow (with a `tx_code`, the PIN the clerk gives the citizen).
//!
//! Two steps, so that an app can show the citizen who offers what before anything is
//! sent to the issuer:
//!
//! 1. [`Wallet::preview_offer`] reads the offer (by value, or fetched from its
//!    `credential_offer_uri`), fetches the Credential Issuer Metadata and the
//!    Authorization Server Metadata (https, or plain http only to this machine) and
//!    checks the issuer before sending it anything: the offered configuration exists,
//!    its format is `dc+sd-jwt`, its `vct` is one of the city's credential types, a
//!    `jwt` key proof with the holder key's algorithm is accepted, and a binding
//!    method the wallet can use (`did:webvh` for the wallet's DID, else `jwk`).
//! 2. [`Wallet::accept_offer`] sends the token request with the pre-authorized code
//!    and the PIN, asks the Nonce Endpoint for a `c_nonce`, signs the key proof
//!    (`openid4vci-proof+jwt`) with the holder key through the [`crate::KeyStore`] —
//!    `kid` the wallet's DID URL when the issuer binds to DIDs, else the public `jwk`
//!    — and posts the Credential Request. The credential that comes back is checked as
//!    [`Wallet::receive`] checks any credential (the issuer's signature through the
//!    wallet's resolver over its ledger, structure, validity, binding to this wallet),
//!    and then: it is of the offered type, bound to the key that signed the proof (or
//!    the wallet's DID), and its issuer is accredited for that type through a chain
//!    to a root the wallet trusts. Only then is it stored, with the history event
//!    "received … over OpenID4VCI".
//!
//! Every refusal is [`Error::Issuance`] with a code: the issuer's OAuth `error`
//! (`invalid_grant` for a wrong PIN or a used code, `invalid_proof`, `invalid_nonce`,
//! …) when it refused, or the wallet's own (`issuer_not_accredited`,
//! `wrong_credential_type`, `unknown_credential_configuration`, …); binding and
//! signature failures keep the codes [`Wallet::receive`] gives them. Nothing is
//! stored on any failure. The PIN, the pre-authorized code and the access token never
//! appear in an error or a log.
//!
//! A `202` with a `transaction_id` (deferred issuance, §9) gives
//! [`Accepted::Pending`]: a sealed pending record that [`Wallet::fetch_deferred`]
//! later turns into a credential, with the same checks; the issuer is notified (§11)
//! when a credential is stored, refused or deleted ([`Wallet::delete_notifying`]).
//! Deferred issuance: a still-pending answer reschedules by the issuer's `interval`;
//! `invalid_transaction_id`, `credential_request_denied`, `invalid_token`,
//! `invalid_credential_request` or 30 days passing end it (history with the
//! code); a network or server failure keeps it. Notifications are best effort: a
//! failure is recorded in the history and never undoes the store or the delete.
//!
//! The Authorization Code Flow (an offer with only the `authorization_code` grant, or
//! a wallet-initiated request: [`Wallet::preview_issuer`]) is in `authorize`:
//! [`Wallet::begin_authorization`] pushes the request (PAR, PKCE S256) and gives the
//! address the citizen opens to log in; [`Wallet::finish_authorization`] checks the
//! redirect's `state` and `iss` and goes on as above with the access token.
//!
//! Not yet: several configurations in one offer (the first is obtained).

mod authorize;
mod deferred;
mod transport;

pub use authorize::{AuthorizationStart, WALLET_CLIENT_ID};
pub(crate) use deferred::StoredNotification;
pub use deferred::{
    DEFAULT_PENDING_LIFETIME, FetchOutcome, MAX_INTERVAL, MIN_INTERVAL, PendingIssuance,
};
pub use transport::{HttpResponse, HttpTransport, MAX_BODY, Transport};

use crate::accreditation::Accreditation;
use crate::credentials::Received;
use crate::{Error, Result, Wallet};
use civitas_credential::types::CredentialType;
use civitas_crypto::Signer;
use civitas_did::{Purpose, Resolver as _};
use civitas_exchange::openid4vci::{
    AUTHORIZATION_SERVER_METADATA_PATH, AuthorizationServerMetadata, CredentialIssuerMetadata,
    CredentialOffer, CredentialRequest, CredentialResponse, ISSUER_METADATA_PATH, NonceResponse,
    NotificationEvent, OAuthError, OfferRef, ProofKey, Requested, TokenRequest, TokenResponse,
    build_proof, check_issuer_url, parse_offer_url, well_known_url,
};
use serde::Serialize;
use zeroize::Zeroizing;

/// The formats the wallet accepts: SD-JWT VC, and its legacy name.
const FORMATS: [&str; 2] = ["dc+sd-jwt", "vc+sd-jwt"];

/// What an offer is, as the citizen is shown it before anything is sent to the issuer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OfferPreview {
    /// The Credential Issuer (its URL).
    pub credential_issuer: String,
    /// The issuer's display name (English), if its metadata gives one.
    pub issuer_name: Option<String>,
    /// The issuer's display name (Traditional Chinese), if its metadata gives one.
    pub issuer_name_zh: Option<String>,
    /// The configuration the wallet will ask for.
    pub configuration_id: String,
    /// Its credential type.
    pub vct: String,
    /// The type's name (English).
    pub type_name: String,
    /// The type's name (Traditional Chinese).
    pub type_name_zh: String,
    /// Whether a PIN (`tx_code`) is needed.
    pub pin_required: bool,
    /// The PIN's length, if the offer says.
    pub pin_length: Option<u32>,
    /// Whether the PIN is digits only.
    pub pin_numeric: bool,
    /// The issuer's hint where the PIN comes from.
    pub pin_description: Option<String>,
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    session: OfferSession,
}

/// What [`Wallet::accept_offer`] needs from the preview (kept out of serialization:
/// the pre-authorized code is a bearer secret).
#[derive(Clone)]
struct OfferSession {
    offer: CredentialOffer,
    metadata: CredentialIssuerMetadata,
    token_endpoint: String,
    /// The proof's `kid` (the wallet's DID URL), or `None` for a `jwk` header.
    kid: Option<String>,
    /// The Authorization Server Metadata (PAR and authorization endpoints).
    as_meta: AuthorizationServerMetadata,
}

impl std::fmt::Debug for OfferSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfferSession")
            .field("credential_issuer", &self.offer.credential_issuer)
            .field("token_endpoint", &self.token_endpoint)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A credential obtained over OpenID4VCI.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Issued {
    /// The credential as stored.
    pub received: Received,
    /// The Credential Issuer it came from (its URL).
    pub credential_issuer: String,
}

/// What [`Wallet::accept_offer`] gave: the credential, or the issuer's promise to
/// deliver it later (deferred issuance, kept as a pending record; see
/// [`Wallet::fetch_deferred`]).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Accepted {
    /// Checked and stored.
    Issued(Issued),
    /// Deferred: the wallet keeps a pending record and asks again later.
    Pending(PendingIssuance),
}

impl Accepted {
    /// The credential, if it was issued at once.
    pub fn issued(self) -> Option<Issued> {
        match self {
            Accepted::Issued(i) => Some(i),
            Accepted::Pending(_) => None,
        }
    }
}

/// What the credential must be (the offer, the proof's key), for a credential that
/// arrives at once or later.
pub(crate) struct Expect {
    pub(crate) vct: String,
    pub(crate) holder: civitas_crypto::PublicKey,
    pub(crate) kid: Option<String>,
    pub(crate) credential_issuer: String,
    /// The pending record a deferred credential ends.
    pub(crate) pending: Option<String>,
    pub(crate) notification_endpoint: Option<String>,
    pub(crate) access_token: Zeroizing<String>,
}

/// How a checked credential came (for [`Wallet::receive_with`]'s history event and
/// record).
pub(crate) struct Via {
    pub(crate) credential_issuer: String,
    pub(crate) pending: Option<String>,
    pub(crate) notification: Option<StoredNotification>,
}

/// Whether `e` is the wallet refusing what the issuer sent (so `credential_failure`
/// is due), rather than the wallet failing itself.
pub(crate) fn is_refusal(e: &Error) -> bool {
    matches!(
        e,
        Error::Issuance { .. }
            | Error::CredentialRefused(_)
            | Error::NotOurBinding(_)
            | Error::NoHolderBinding
            | Error::NotACredential(_)
            | Error::DuplicateCredential(_)
            | Error::Credential(_)
    )
}

fn refused(code: &'static str, reason: impl Into<String>) -> Error {
    Error::Issuance {
        code,
        reason: reason.into(),
    }
}

/// A message error of the exchange module (a malformed offer or answer) with its OAuth
/// code.
fn vci(e: civitas_exchange::openid4vci::Error) -> Error {
    Error::Issuance {
        code: e.code().as_str(),
        reason: e.to_string(),
    }
}

/// The issuer's refusal, its OAuth `error` code surfaced (an unknown code is
/// `issuer_error`, its text kept in the reason).
fn issuer_refusal(step: &str, resp: &HttpResponse) -> Error {
    match OAuthError::from_body(&resp.body) {
        Some(e) => Error::Issuance {
            code: e.code().map_or("issuer_error", |c| c.as_str()),
            reason: format!(
                "the issuer refused the {step}: {}",
                civitas_text(&e.to_string())
            ),
        },
        // RFC 6750 §3: a refused access token may come with an empty body.
        None if resp.status == 401 => refused(
            "invalid_token",
            format!("the issuer refused the access token for the {step} (HTTP 401)"),
        ),
        None => refused(
            "issuer_error",
            format!("the issuer answered the {step} with HTTP {}", resp.status),
        ),
    }
}

/// Outside text cut to a sane length, control characters dropped.
fn civitas_text(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(200).collect();
    if s.chars().count() > 200 {
        out.push('…');
    }
    out
}

fn ok_json(step: &str, resp: HttpResponse) -> Result<Vec<u8>> {
    if resp.status == 200 {
        Ok(resp.body)
    } else {
        Err(issuer_refusal(step, &resp))
    }
}

impl Wallet {
    /// Reads an offer (`openid-credential-offer://…`, or an https URL with
    /// `credential_offer` / `credential_offer_uri`), fetches the issuer's metadata and
    /// checks it; nothing is sent to the issuer but metadata requests. See the
    /// [module docs](crate::openid4vci).
    pub fn preview_offer(
        &mut self,
        transport: &dyn Transport,
        offer_url: &str,
        now: i64,
    ) -> Result<OfferPreview> {
        self.session(now)?;
        let offer = match parse_offer_url(offer_url).map_err(vci)? {
            OfferRef::ByValue(offer) => offer,
            OfferRef::ByReference(uri) => {
                let body = ok_json("offer request", transport.get(&uri)?)?;
                let text = std::str::from_utf8(&body)
                    .map_err(|_| refused("invalid_request", "the offer is not UTF-8 text"))?;
                CredentialOffer::from_json(text).map_err(vci)?
            }
        };
        // helper M: an offer with only the authorization_code grant is previewed too
        // (the citizen logs in instead of typing a PIN; see `authorize`).
        let pre_authorized = offer.grants.pre_authorized_code.clone();
        let server_hint = match (&pre_authorized, &offer.grants.authorization_code) {
            (Some(g), _) => g.authorization_server.clone(),
            (None, Some(g)) => g.authorization_server.clone(),
            (None, None) => {
                offer.pre_authorized().map_err(vci)?;
                None
            }
        };
        let issuer = offer.credential_issuer.clone();
        let body = ok_json(
            "metadata request",
            transport.get(&well_known_url(&issuer, ISSUER_METADATA_PATH))?,
        )?;
        let metadata = CredentialIssuerMetadata::from_json(&body, &issuer).map_err(vci)?;
        let configuration_id = offer.credential_configuration_ids[0].clone();
        let configuration = metadata
            .credential_configurations_supported
            .get(&configuration_id)
            .ok_or_else(|| {
                refused(
                    "unknown_credential_configuration",
                    format!(
                        "the offer names {}, which the issuer's metadata does not describe",
                        civitas_text(&configuration_id)
                    ),
                )
            })?;
        if !FORMATS.contains(&configuration.format.as_str()) {
            return Err(refused(
                "unsupported_credential_format",
                format!(
                    "the offered credential's format is {}; this wallet takes dc+sd-jwt",
                    civitas_text(&configuration.format)
                ),
            ));
        }
        let vct = configuration.vct.clone().unwrap_or_default();
        let known = CredentialType::by_vct(&vct).ok_or_else(|| {
            refused(
                "unknown_credential_type",
                format!(
                    "the offered type {} is not one of the city's credential types",
                    civitas_text(&vct)
                ),
            )
        })?;
        let signer = self.holder_signer(now)?;
        let alg = signer.algorithm().jose_name();
        let proof_ok = configuration
            .proof_types_supported
            .get("jwt")
            .is_some_and(|p| {
                p.proof_signing_alg_values_supported
                    .iter()
                    .any(|a| a == alg)
            });
        if !proof_ok {
            return Err(refused(
                "unsupported_proof_type",
                format!("the issuer does not accept a jwt key proof signed with {alg}"),
            ));
        }
        let methods = &configuration.cryptographic_binding_methods_supported;
        let kid = if methods.iter().any(|m| m == "did:webvh") {
            self.own_kid(&*signer, now)?
        } else {
            None
        };
        if kid.is_none() && !methods.iter().any(|m| m == "jwk") {
            return Err(refused(
                "unsupported_binding",
                "the issuer binds credentials neither to a jwk nor to this wallet's DID",
            ));
        }
        let server = metadata
            .authorization_server(server_hint.as_deref())
            .to_string();
        check_issuer_url(&server, "authorization server").map_err(vci)?;
        let body = ok_json(
            "authorization server metadata request",
            transport.get(&well_known_url(&server, AUTHORIZATION_SERVER_METADATA_PATH))?,
        )?;
        let as_meta = AuthorizationServerMetadata::from_json(&body, &server).map_err(vci)?;
        let tx = pre_authorized.as_ref().and_then(|g| g.tx_code.as_ref());
        Ok(OfferPreview {
            credential_issuer: issuer,
            issuer_name: metadata.display_name("en-US").map(str::to_string),
            issuer_name_zh: metadata.display_name("zh-TW").map(str::to_string),
            configuration_id,
            vct: known.vct.to_string(),
            type_name: known.name("en-US").to_string(),
            type_name_zh: known.name("zh-TW").to_string(),
            pin_required: tx.is_some(),
            pin_length: tx.and_then(|t| t.length),
            pin_numeric: tx.is_some_and(|t| t.input_mode.as_deref() != Some("text")),
            pin_description: tx.and_then(|t| t.description.clone()),
            session: OfferSession {
                offer,
                metadata,
                token_endpoint: as_meta.token_endpoint.clone(),
                kid,
                as_meta,
            },
        })
    }

    /// Obtains the offered credential with `pin` (the `tx_code`, when the offer asks
    /// for one), checks it and stores it — or, when the issuer defers it, keeps a
    /// pending record ([`Accepted::Pending`]). See the [module docs](crate::openid4vci).
    pub fn accept_offer(
        &mut self,
        transport: &dyn Transport,
        preview: &OfferPreview,
        pin: Option<&str>,
        now: i64,
    ) -> Result<Accepted> {
        self.session(now)?;
        let s = &preview.session;
        let grant = s.offer.pre_authorized().map_err(vci)?;
        let pin = match (&grant.tx_code, pin) {
            (Some(_), None) => {
                return Err(refused(
                    "tx_code_required",
                    "the issuer asks for the PIN (transaction code) it gave you",
                ));
            }
            (Some(tx), Some(p)) => {
                if !tx.accepts(p) {
                    return Err(refused(
                        "invalid_tx_code",
                        match (tx.length, tx.input_mode.as_deref()) {
                            (Some(n), Some("text")) => format!("the PIN has {n} characters"),
                            (Some(n), _) => format!("the PIN has {n} digits"),
                            _ => "the PIN does not have the form the offer gives".to_string(),
                        },
                    ));
                }
                Some(p)
            }
            (None, _) => None,
        };

        // Token.
        let form =
            Zeroizing::new(TokenRequest::pre_authorized(&grant.pre_authorized_code, pin).to_form());
        let resp = transport.post(
            &s.token_endpoint,
            Some("application/x-www-form-urlencoded"),
            form.as_bytes(),
            None,
        )?;
        let body = Zeroizing::new(ok_json("token request", resp)?);
        let token = TokenResponse::from_json(&body).map_err(vci)?;
        self.obtain(transport, preview, &token, now)
    }

    /// With an access token (of either grant): nonce, key proof, Credential Request,
    /// and the credential checked and stored (or a pending record).
    pub(crate) fn obtain(
        &mut self,
        transport: &dyn Transport,
        preview: &OfferPreview,
        token: &TokenResponse,
        now: i64,
    ) -> Result<Accepted> {
        let s = &preview.session;
        let access = Zeroizing::new(token.access_token.clone());

        // Nonce (an issuer without a Nonce Endpoint takes proofs without one).
        let nonce = match &s.metadata.nonce_endpoint {
            Some(url) => {
                let body = ok_json("nonce request", transport.post(url, None, b"", None)?)?;
                Some(NonceResponse::from_json(&body).map_err(vci)?.c_nonce)
            }
            None => None,
        };

        // Key proof and Credential Request.
        let signer = self.holder_signer(now)?;
        let key = match &s.kid {
            Some(kid) => ProofKey::Kid(kid.clone()),
            None => ProofKey::Jwk,
        };
        let proof = build_proof(
            &*signer,
            &key,
            &s.offer.credential_issuer,
            nonce.as_deref(),
            now,
        )
        .map_err(vci)?;
        // §8.2: when the token names credential identifiers for the configuration, the
        // request asks by identifier.
        let request = match credential_identifier(token, &preview.configuration_id) {
            Some(id) => CredentialRequest {
                requested: Requested::Identifier(id),
                proofs: vec![proof],
            },
            None => CredentialRequest::for_configuration(&preview.configuration_id, proof),
        };
        let body = serde_json::to_vec(&request.to_json())
            .map_err(|e| refused("invalid_request", e.to_string()))?;
        let resp = transport.post(
            &s.metadata.credential_endpoint,
            Some("application/json"),
            &body,
            Some(&access),
        )?;
        let holder = signer.public_key();
        let notification_endpoint = s.metadata.notification_endpoint.clone();
        let credential_issuer = s.offer.credential_issuer.clone();
        let response = match resp.status {
            200 | 202 => CredentialResponse::from_json(&resp.body).map_err(vci)?,
            _ => return Err(issuer_refusal("credential request", &resp)),
        };
        if response.is_deferred() {
            let Some(endpoint) = s.metadata.deferred_credential_endpoint.clone() else {
                return Err(refused(
                    "invalid_response",
                    "the issuer defers the credential but names no deferred credential endpoint",
                ));
            };
            // Not the token's `expires_in`: issuers accept the access token at the
            // Deferred Credential Endpoint for as long as the transaction lives (and
            // say `invalid_transaction_id` / `invalid_token` when it no longer does).
            let lifetime = deferred::DEFAULT_PENDING_LIFETIME;
            let interval = deferred::clamp_interval(response.interval);
            let pending = deferred::StoredPending {
                credential_issuer,
                deferred_endpoint: endpoint,
                notification_endpoint,
                transaction_id: Zeroizing::new(response.transaction_id.clone().unwrap_or_default()),
                access_token: access.clone(),
                configuration_id: preview.configuration_id.clone(),
                vct: preview.vct.clone(),
                holder: holder.to_jwk_value(),
                kid: s.kid.clone(),
                interval,
                next_poll: now.saturating_add(i64::try_from(interval).unwrap_or(i64::MAX)),
                created: now,
                expires: now.saturating_add(lifetime),
            };
            return Ok(Accepted::Pending(self.store_pending(pending, now)?));
        }
        let expect = Expect {
            vct: preview.vct.clone(),
            holder,
            kid: s.kid.clone(),
            credential_issuer,
            pending: None,
            notification_endpoint,
            access_token: access.clone(),
        };
        self.store_issued(transport, &response, expect, now)
            .map(Accepted::Issued)
    }

    /// Checks the credential of `response` against `expect`, stores it (removing the
    /// pending record, for a deferred one) and notifies the issuer: `credential_accepted`
    /// once stored, `credential_failure` when refused.
    pub(crate) fn store_issued(
        &mut self,
        transport: &dyn Transport,
        response: &CredentialResponse,
        expect: Expect,
        now: i64,
    ) -> Result<Issued> {
        let notify_to = match (&expect.notification_endpoint, &response.notification_id) {
            (Some(e), Some(id)) => Some(StoredNotification {
                endpoint: e.clone(),
                notification_id: id.clone(),
                access_token: expect.access_token.clone(),
                credential_issuer: expect.credential_issuer.clone(),
            }),
            _ => None,
        };
        let result = self.check_and_store(response, &expect, notify_to.clone(), now);
        let Some(n) = notify_to else {
            return result;
        };
        let (event, description) = match &result {
            Ok(_) => (NotificationEvent::CredentialAccepted, None),
            Err(e) if is_refusal(e) => (
                NotificationEvent::CredentialFailure,
                Some(format!("the wallet refused the credential: {}", e.code())),
            ),
            // The wallet itself failed (storage, a locked vault): nothing to tell.
            Err(_) => return result,
        };
        if let Err(code) = deferred::notify(
            transport,
            &n.endpoint,
            &n.access_token,
            &n.notification_id,
            event,
            description.as_deref(),
        ) && result.is_ok()
        {
            self.record_notification_failure(event, &n.credential_issuer, &code, now);
        }
        result
    }

    fn check_and_store(
        &mut self,
        response: &CredentialResponse,
        expect: &Expect,
        notification: Option<StoredNotification>,
        now: i64,
    ) -> Result<Issued> {
        let sd_jwts = response.sd_jwts().map_err(vci)?;
        let [compact] = sd_jwts.as_slice() else {
            return Err(refused(
                "invalid_response",
                format!(
                    "the issuer sent {} credentials for one proof",
                    sd_jwts.len()
                ),
            ));
        };
        let expected_vct = expect.vct.clone();
        let holder = expect.holder.clone();
        let kid = expect.kid.clone();
        let via = Via {
            credential_issuer: expect.credential_issuer.clone(),
            pending: expect.pending.clone(),
            notification,
        };
        let received = self.receive_with(compact, now, move |verified, accreditation| {
            if verified.vct != expected_vct {
                return Err(refused(
                    "wrong_credential_type",
                    format!(
                        "the issuer offered {} but sent {}",
                        civitas_text(&expected_vct),
                        civitas_text(&verified.vct)
                    ),
                ));
            }
            match (&verified.holder, &kid) {
                (Some(civitas_credential::HolderBinding::Jwk(k)), _) if *k == holder => {}
                (Some(civitas_credential::HolderBinding::Did(d)), Some(ours)) if d == ours => {}
                _ => {
                    return Err(Error::NotOurBinding(
                        "a key other than the one this wallet proved possession of".into(),
                    ));
                }
            }
            if !matches!(accreditation, Accreditation::Accredited { .. }) {
                return Err(refused(
                    "issuer_not_accredited",
                    format!(
                        "the issuer {} of this {}: {}",
                        civitas_text(&verified.issuer),
                        civitas_text(&verified.vct),
                        accreditation.describe()
                    ),
                ));
            }
            Ok(Some(via))
        })?;
        Ok(Issued {
            received,
            credential_issuer: expect.credential_issuer.clone(),
        })
    }

    /// The wallet DID's authentication method holding this device's key, if the DID
    /// (on the ledger) authorizes it.
    fn own_kid(&mut self, signer: &dyn Signer, now: i64) -> Result<Option<String>> {
        let did = self.did(now)?;
        if !did.starts_with("did:webvh:") {
            return Ok(None);
        }
        let key = signer.public_key();
        let resolver = self.resolver(now);
        let Ok(resolution) = resolver.resolve(&did, &civitas_did::ResolveOptions::default()) else {
            return Ok(None);
        };
        if resolution.metadata.deactivated {
            return Err(Error::Deactivated);
        }
        Ok(resolution
            .document
            .keys_for(Purpose::Authentication)
            .find(|vm| vm.key == key)
            .map(|vm| vm.id.clone()))
    }
}

/// The first credential identifier the token response's `authorization_details` give
/// for `configuration_id` (OpenID4VCI 1.0 §6.2), if any.
fn credential_identifier(token: &TokenResponse, configuration_id: &str) -> Option<String> {
    token
        .authorization_details
        .as_ref()?
        .as_array()?
        .iter()
        .filter(|d| d["type"] == "openid_credential")
        .filter(|d| d["credential_configuration_id"] == configuration_id)
        .find_map(|d| d["credential_identifiers"].get(0)?.as_str())
        .filter(|id| !id.is_empty() && id.len() <= 256)
        .map(str::to_string)
}
