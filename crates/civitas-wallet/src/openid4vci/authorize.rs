//! The Authorization Code Flow from the wallet's side (OpenID4VCI 1.0 §5): the
//! citizen logs in with the city's account in a browser instead of typing a PIN.
//!
//! 1. [`Wallet::preview_issuer`] (wallet-initiated: an issuer URL and a configuration)
//!    or [`Wallet::preview_offer`] (an offer with the `authorization_code` grant and its
//!    `issuer_state`) checks the issuer as for any offer.
//! 2. [`Wallet::begin_authorization`] pushes the authorization request (RFC 9126 PAR:
//!    PKCE `S256`, a random `state`, `authorization_details` of type
//!    `openid_credential`, the offer's `issuer_state`, a loopback `redirect_uri`) and
//!    gives the address to open in the browser.
//! 3. [`Wallet::finish_authorization`] takes the query that came back to the redirect
//!    URI: an `error` is refused with its code; a `state` other than ours
//!    (`state_mismatch`) or an `iss` other than the authorization server (RFC 9207,
//!    `iss_mismatch`) is refused before the code is used; then the token request
//!    (`authorization_code`, the PKCE verifier) and the credential as in the
//!    pre-authorized flow.

use super::{
    Accepted, OfferPreview, Transport, civitas_text, issuer_refusal, ok_json, refused, vci,
};
use crate::{Result, Wallet};
use civitas_crypto::b64;
use civitas_exchange::openid4vci::{
    AuthorizationCodeGrant, AuthorizationResponse, CredentialOffer, Grants, ParResponse,
    PushedAuthorizationRequest, TokenRequest, TokenResponse, authorization_url, check_issuer_url,
    check_redirect_uri, pkce_challenge,
};
use zeroize::Zeroizing;

/// The wallet's client id (a public client: PKCE, no secret).
pub const WALLET_CLIENT_ID: &str = "civitas-wallet";

/// An authorization in progress: the address the citizen opens, and what the wallet
/// must keep to finish (its `state` and PKCE verifier, secrets).
#[derive(Clone)]
pub struct AuthorizationStart {
    /// Open this in the browser (the issuer's authorization endpoint).
    pub url: String,
    /// The redirect URI the response comes back to.
    pub redirect_uri: String,
    state: Zeroizing<String>,
    verifier: Zeroizing<String>,
}

impl std::fmt::Debug for AuthorizationStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationStart")
            .field("url", &self.url)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl OfferPreview {
    /// Whether the citizen must log in (an offer without a pre-authorized code).
    pub fn needs_login(&self) -> bool {
        self.session.offer.grants.pre_authorized_code.is_none()
    }
}

impl Wallet {
    /// Wallet-initiated issuance: the issuer at `issuer_url` and one of its
    /// credential configurations (`pid`), previewed and checked as an offer with the
    /// `authorization_code` grant would be.
    pub fn preview_issuer(
        &mut self,
        transport: &dyn Transport,
        issuer_url: &str,
        configuration_id: &str,
        now: i64,
    ) -> Result<OfferPreview> {
        check_issuer_url(issuer_url, "issuer URL").map_err(vci)?;
        let offer = CredentialOffer {
            credential_issuer: issuer_url.to_string(),
            credential_configuration_ids: vec![configuration_id.to_string()],
            grants: Grants {
                authorization_code: Some(AuthorizationCodeGrant {
                    issuer_state: None,
                    authorization_server: None,
                }),
                ..Grants::default()
            },
        };
        offer.check().map_err(vci)?;
        self.preview_offer(transport, &offer.to_uri(), now)
    }

    /// Pushes the authorization request (PAR) for `preview` with `redirect_uri` (a
    /// loopback address the wallet listens on) and returns the address to open.
    pub fn begin_authorization(
        &mut self,
        transport: &dyn Transport,
        preview: &OfferPreview,
        redirect_uri: &str,
        now: i64,
    ) -> Result<AuthorizationStart> {
        self.session(now)?;
        check_redirect_uri(redirect_uri).map_err(vci)?;
        let s = &preview.session;
        let (Some(par_endpoint), Some(auth_endpoint)) = (
            s.as_meta.pushed_authorization_request_endpoint.clone(),
            s.as_meta.authorization_endpoint.clone(),
        ) else {
            return Err(refused(
                "unsupported_grant_type",
                "the issuer offers no login (no pushed authorization request and authorization endpoints)",
            ));
        };
        check_issuer_url(&par_endpoint, "pushed_authorization_request_endpoint").map_err(vci)?;
        check_issuer_url(&auth_endpoint, "authorization_endpoint").map_err(vci)?;
        let random = || -> Result<Zeroizing<String>> {
            let mut buf = Zeroizing::new([0u8; 32]);
            self.rng.fill(&mut *buf)?;
            Ok(Zeroizing::new(b64::encode(*buf)))
        };
        let state = random()?;
        let verifier = random()?;
        let par = PushedAuthorizationRequest {
            client_id: WALLET_CLIENT_ID.into(),
            redirect_uri: redirect_uri.into(),
            code_challenge: pkce_challenge(&verifier),
            state: Some(state.to_string()),
            configuration_ids: vec![preview.configuration_id.clone()],
            scope: None,
            issuer_state: s
                .offer
                .grants
                .authorization_code
                .as_ref()
                .and_then(|g| g.issuer_state.clone()),
        };
        let resp = transport.post(
            &par_endpoint,
            Some("application/x-www-form-urlencoded"),
            par.to_form().as_bytes(),
            None,
        )?;
        if resp.status != 201 && resp.status != 200 {
            return Err(issuer_refusal("pushed authorization request", &resp));
        }
        let pushed = ParResponse::from_json(&resp.body).map_err(vci)?;
        Ok(AuthorizationStart {
            url: authorization_url(&auth_endpoint, WALLET_CLIENT_ID, &pushed.request_uri),
            redirect_uri: redirect_uri.into(),
            state,
            verifier,
        })
    }

    /// Finishes with the query the redirect URI received: checks `state` and `iss`,
    /// exchanges the code (with the PKCE verifier) and obtains the credential.
    pub fn finish_authorization(
        &mut self,
        transport: &dyn Transport,
        preview: &OfferPreview,
        start: &AuthorizationStart,
        redirect_query: &str,
        now: i64,
    ) -> Result<Accepted> {
        self.session(now)?;
        let s = &preview.session;
        let (code, state, iss) =
            match AuthorizationResponse::from_query(redirect_query).map_err(vci)? {
                AuthorizationResponse::Code { code, state, iss } => (code, state, iss),
                AuthorizationResponse::Error {
                    error, description, ..
                } => {
                    let code = match error.as_str() {
                        "access_denied" => "access_denied",
                        "invalid_request" => "invalid_request",
                        "server_error" => "server_error",
                        _ => "authorization_error",
                    };
                    return Err(refused(
                        code,
                        format!(
                            "the issuer did not authorize the credential: {}",
                            civitas_text(description.as_deref().unwrap_or(&error))
                        ),
                    ));
                }
            };
        if !state.as_deref().is_some_and(|st| {
            civitas_crypto::constant_time_eq(st.as_bytes(), start.state.as_bytes())
        }) {
            return Err(refused(
                "state_mismatch",
                "the login's answer does not carry this wallet's state: it is not the answer to this request",
            ));
        }
        if iss.as_deref() != Some(s.as_meta.issuer.as_str()) {
            return Err(refused(
                "iss_mismatch",
                "the login's answer does not come from the issuer's authorization server (RFC 9207)",
            ));
        }
        let form = Zeroizing::new(
            TokenRequest::authorization_code(
                code.expose(),
                &start.redirect_uri,
                &start.verifier,
                WALLET_CLIENT_ID,
            )
            .to_form(),
        );
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
}
