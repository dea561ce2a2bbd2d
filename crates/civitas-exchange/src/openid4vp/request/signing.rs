//! Signed Request Objects (RFC 9101, OpenID4VP 1.0 §5.10): a counter signs its
//! request ([`AuthorizationRequest::sign`]) and serves it at the Request URI; the
//! wallet verifies what a reference points to
//! ([`RequestReference::verify_request_object`]).

use super::object::AuthorizationRequest;
use super::url::{RequestReference, RequestUriMethod};
use crate::openid4vp::error::{RequestError, Result, SignedObjectError, shorten};
use crate::openid4vp::json::Obj;
use crate::openid4vp::jws;
use crate::openid4vp::limits::MAX_URL_LEN;
use civitas_crypto::Signer;
use civitas_did::{Purpose, Resolver};
use serde_json::{Map, Value, json};

/// The `typ` of a signed Request Object (RFC 9101, §5).
pub const TYP_REQUEST_OBJECT: &str = "oauth-authz-req+jwt";
/// The `aud` of a Request Object under static discovery (§5.8).
pub const SELF_ISSUED_AUDIENCE: &str = "https://self-issued.me/v2";
/// Longest signed Request Object accepted, in bytes.
pub const MAX_REQUEST_OBJECT_LEN: usize = 64 * 1024;
/// Clock skew allowed for a Request Object's `iat`, seconds.
pub const REQUEST_OBJECT_SKEW: i64 = 300;

impl AuthorizationRequest {
    /// A reference to this request at `request_uri`, for a QR code too small for the
    /// request by value. The Request URI must serve the request as a signed Request
    /// Object (§5.10.1, [`AuthorizationRequest::sign`]), so the client must be a
    /// `decentralized_identifier:` one.
    pub fn reference(
        &self,
        request_uri: &str,
        method: Option<RequestUriMethod>,
    ) -> Result<RequestReference> {
        RequestReference::new(self.client_id.as_str(), request_uri, method)
    }

    /// The signed Request Object (RFC 9101) served at the Request URI:
    /// `typ` `oauth-authz-req+jwt`, `kid` a key of the client's DID (which must be
    /// `kid`'s DID), payload the request's parameters plus `aud`
    /// (`https://self-issued.me/v2`, §5.8) and `iat`.
    pub fn sign(&self, kid: &str, signer: &dyn Signer, iat: i64) -> Result<String> {
        let Some(did) = self.client_id.did() else {
            return Err(RequestError::CannotSign(self.client_id.prefix().as_str()).into());
        };
        let (kid_did, _) =
            civitas_did::split_did_url(kid).map_err(SignedObjectError::KeyResolution)?;
        if kid_did != did {
            return Err(SignedObjectError::KidMismatch {
                kid: shorten(kid, 80),
                expected: shorten(did, 80),
            }
            .into());
        }
        let mut payload = self.to_json();
        payload.insert("aud".into(), json!(SELF_ISSUED_AUDIENCE));
        payload.insert("iat".into(), json!(iat));
        let mut header = Map::new();
        header.insert("typ".into(), json!(TYP_REQUEST_OBJECT));
        header.insert("kid".into(), json!(kid));
        jws::sign(header, &Value::Object(payload), signer)
    }
}

impl RequestReference {
    /// Verifies the Request Object fetched from the Request URI and returns the
    /// request it carries (§5.10.1): `typ` `oauth-authz-req+jwt`, ES256 or EdDSA, no
    /// self-asserted key, `kid` a key of the client's DID resolved as an
    /// `assertionMethod` key at `now`, the signature; then its `client_id` equal to
    /// this reference's, `aud` (when present) `https://self-issued.me/v2`, `exp` not
    /// passed, `iat` not in the future (5 minutes of skew), the `wallet_nonce` sent
    /// (if one was) echoed; then every rule of a request by value.
    pub fn verify_request_object(
        &self,
        token: &str,
        resolver: &dyn Resolver,
        now: i64,
        wallet_nonce: Option<&str>,
    ) -> Result<AuthorizationRequest> {
        const WHAT: &str = "request object";
        let token = token.trim_end_matches(['\r', '\n']);
        let jws = jws::parse(token, WHAT, TYP_REQUEST_OBJECT, MAX_REQUEST_OBJECT_LEN)?;
        let Some(did) = self.client_id.did() else {
            return Err(RequestError::CannotSign(self.client_id.prefix().as_str()).into());
        };
        jws.verify_with_did(WHAT, did, resolver, Purpose::AssertionMethod, Some(now))?;
        let value = Value::Object(jws.payload.clone());
        let claims = Obj::new(&value, "")?;
        if claims.str("client_id", MAX_URL_LEN)? != self.client_id.as_str() {
            return Err(SignedObjectError::ClientIdMismatch.into());
        }
        if let Some(aud) = claims.get("aud")
            && aud.as_str() != Some(SELF_ISSUED_AUDIENCE)
        {
            return Err(SignedObjectError::AudienceMismatch.into());
        }
        if let Some(exp) = claims.opt_int("exp")?
            && now >= exp
        {
            return Err(SignedObjectError::Expired(WHAT).into());
        }
        if let Some(iat) = claims.opt_int("iat")?
            && iat > now + REQUEST_OBJECT_SKEW
        {
            return Err(SignedObjectError::IssuedInFuture {
                what: WHAT,
                ahead: iat - now,
            }
            .into());
        }
        let request = AuthorizationRequest::from_json(&jws.payload)?;
        if let Some(sent) = wallet_nonce
            && request.wallet_nonce() != Some(sent)
        {
            return Err(SignedObjectError::WalletNonceMismatch.into());
        }
        Ok(request)
    }
}
