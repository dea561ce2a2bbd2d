//! The Authorization Request (OpenID4VP 1.0 §5): its parameters, the counter's
//! builder, the `openid4vp://` URL forms and signed Request Objects.

use super::dcql::{ClaimsQuery, CredentialQuery, DcqlQuery, MAX_QUERY_LEN};
use super::error::{Error, Result, shorten};
use super::json::{Obj, parse_strict};
use super::{MAX_TOKEN_LEN, MAX_URL_LEN, form, jws};
use civitas_credential::ClaimPath;
use civitas_credential::types::CredentialType;
use civitas_crypto::{Rng, Signer, b64};
use civitas_did::{Purpose, Resolver};
use serde_json::{Map, Value, json};
use std::fmt;

/// The `response_type` Civitas asks for and accepts.
pub const RESPONSE_TYPE: &str = "vp_token";
/// The `response_mode` Civitas asks for and accepts (§8.2).
pub const RESPONSE_MODE_DIRECT_POST: &str = "direct_post";
/// The `typ` of a signed Request Object (RFC 9101, §5).
pub const TYP_REQUEST_OBJECT: &str = "oauth-authz-req+jwt";
/// The `aud` of a Request Object under static discovery (§5.8).
pub const SELF_ISSUED_AUDIENCE: &str = "https://self-issued.me/v2";
/// The URL scheme a Wallet registers (§13.1.2, Appendix "openid4vp" URI scheme).
pub const SCHEME: &str = "openid4vp";
/// Most optional claims [`CredentialQuery::with_claims`] takes: each subset of them
/// becomes a `claim_sets` option, 2⁵ = 32 at most.
pub const MAX_OPTIONAL_CLAIMS: usize = 5;
/// Longest signed Request Object accepted, in bytes.
pub const MAX_REQUEST_OBJECT_LEN: usize = 64 * 1024;
/// Clock skew allowed for a Request Object's `iat`, seconds.
pub const REQUEST_OBJECT_SKEW: i64 = 300;

/// The Client Identifier Prefixes Civitas supports (§5.9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientIdPrefix {
    /// `redirect_uri:<response URI>`: unsigned requests, the Verifier identified by
    /// where it receives the response.
    RedirectUri,
    /// `decentralized_identifier:<DID>`: the request is signed by a key of the DID.
    DecentralizedIdentifier,
}

impl ClientIdPrefix {
    /// The prefix as written, without the colon.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientIdPrefix::RedirectUri => "redirect_uri",
            ClientIdPrefix::DecentralizedIdentifier => "decentralized_identifier",
        }
    }
}

/// A Client Identifier with a supported prefix. It is the Verifier's identity for the
/// Wallet and the `aud` of every key binding JWT (§14.1.2): always the full string,
/// prefix included (§14.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientId {
    full: String,
    prefix: ClientIdPrefix,
}

impl ClientId {
    /// Parses and checks a Client Identifier: `redirect_uri:` followed by an `https`
    /// URI (or `http` to a loopback host), or `decentralized_identifier:` followed by a
    /// DID (no fragment, path or query). Other prefixes, `origin:` (reserved) and
    /// identifiers without a prefix (pre-registered clients) are refused.
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() > super::MAX_URI_LEN {
            return Err(Error::InvalidClientId("longer than 2048 bytes"));
        }
        let Some((prefix, original)) = text.split_once(':') else {
            return Err(Error::UnsupportedClientIdPrefix("pre-registered".into()));
        };
        let prefix = match prefix {
            "redirect_uri" => {
                form::check_uri(original, "client_id")
                    .map_err(|_| Error::InvalidClientId("redirect_uri: needs an https URI"))?;
                ClientIdPrefix::RedirectUri
            }
            "decentralized_identifier" => {
                civitas_did::validate_did(original)
                    .map_err(|_| Error::InvalidClientId("decentralized_identifier: needs a DID"))?;
                ClientIdPrefix::DecentralizedIdentifier
            }
            other => return Err(Error::UnsupportedClientIdPrefix(shorten(other, 40))),
        };
        Ok(ClientId {
            full: text.to_string(),
            prefix,
        })
    }

    /// The prefix.
    pub fn prefix(&self) -> ClientIdPrefix {
        self.prefix
    }

    /// The identifier without its prefix: the URI, or the DID.
    pub fn original(&self) -> &str {
        &self.full[self.prefix.as_str().len() + 1..]
    }

    /// The full Client Identifier, prefix included.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The DID, for a `decentralized_identifier` client.
    pub fn did(&self) -> Option<&str> {
        (self.prefix == ClientIdPrefix::DecentralizedIdentifier).then(|| self.original())
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

/// An Authorization Request for presentations (`response_type=vp_token`) answered by
/// `direct_post`, with a DCQL query. Every constructor validates; the fields can be
/// read, not changed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationRequest {
    client_id: ClientId,
    response_uri: String,
    nonce: String,
    state: Option<String>,
    dcql_query: DcqlQuery,
    client_metadata: Option<Map<String, Value>>,
    wallet_nonce: Option<String>,
}

/// A fresh nonce: 16 random bytes (128 bits), base64url (22 characters), as §5.2
/// and the reference design of §13.3 ask.
pub fn generate_nonce(rng: &dyn Rng) -> Result<String> {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes)?;
    Ok(b64::encode(bytes))
}

/// Checks a `nonce`, `state` or `wallet_nonce`: 1 to [`MAX_TOKEN_LEN`] ASCII URL-safe
/// characters (§5.2, §5.3).
fn check_token(value: &str, param: &'static str) -> Result<()> {
    if value.is_empty() || value.len() > MAX_TOKEN_LEN || !value.bytes().all(form::is_unreserved) {
        return Err(Error::InvalidToken {
            param,
            max: MAX_TOKEN_LEN,
        });
    }
    Ok(())
}

impl CredentialQuery {
    /// Adds the claims a counter needs: `required` ones, and `optional` ones the holder
    /// may leave out. Without optional claims, `claims` lists the required ones; with
    /// them, every claim gets an id (its position) and `claim_sets` lists, most
    /// preferred first, every combination of the required claims with a subset of the
    /// optional ones: all of them first, then each subset one smaller (in order), down
    /// to the required claims alone. Whatever the holder leaves out, what remains is
    /// exactly one option. No claims at all asks for no selectively disclosable claim.
    pub fn with_claims(mut self, required: &[ClaimPath], optional: &[ClaimPath]) -> Result<Self> {
        if optional.len() > MAX_OPTIONAL_CLAIMS {
            return Err(Error::TooManyOptionalClaims {
                max: MAX_OPTIONAL_CLAIMS,
            });
        }
        if required.is_empty() && optional.is_empty() {
            self.claims = None;
            self.claim_sets = None;
            return Ok(self);
        }
        let all = required.iter().chain(optional);
        if optional.is_empty() {
            self.claims = Some(all.map(|p| ClaimsQuery::new(p.clone())).collect());
            self.claim_sets = None;
            return Ok(self);
        }
        self.claims = Some(
            all.enumerate()
                .map(|(i, p)| ClaimsQuery::new(p.clone()).with_id(&i.to_string()))
                .collect(),
        );
        let n = optional.len();
        let mut subsets: Vec<u32> = (0..1u32 << n).collect();
        // Larger subsets first; among equals, those keeping earlier claims first.
        subsets.sort_by_key(|mask| {
            let bits: Vec<bool> = (0..n).map(|i| mask & (1 << i) == 0).collect();
            (n as u32 - mask.count_ones(), bits)
        });
        let required_ids: Vec<String> = (0..required.len()).map(|i| i.to_string()).collect();
        self.claim_sets = Some(
            subsets
                .into_iter()
                .map(|mask| {
                    let mut set = required_ids.clone();
                    set.extend(
                        (0..n)
                            .filter(|i| mask & (1 << i) != 0)
                            .map(|i| (required.len() + i).to_string()),
                    );
                    set
                })
                .filter(|set| !set.is_empty())
                .collect(),
        );
        Ok(self)
    }
}

impl AuthorizationRequest {
    /// A request from its parts. `response_uri` may be omitted for a `redirect_uri:`
    /// client (it is then the client identifier's URI, §5.9.3) and must equal it when
    /// given; a `decentralized_identifier:` client must give one.
    pub fn new(
        client_id: &str,
        response_uri: Option<&str>,
        nonce: &str,
        dcql_query: DcqlQuery,
    ) -> Result<Self> {
        let client_id = ClientId::parse(client_id)?;
        let response_uri = resolve_response_uri(&client_id, response_uri)?;
        check_token(nonce, "nonce")?;
        dcql_query.validate()?;
        let request = AuthorizationRequest {
            client_id,
            response_uri,
            nonce: nonce.to_string(),
            state: None,
            dcql_query,
            client_metadata: None,
            wallet_nonce: None,
        };
        request.check_state()?;
        Ok(request)
    }

    /// The counter's common case: one SD-JWT VC of type `vct` with `required` claims
    /// and `optional` ones the holder may leave out (see
    /// [`CredentialQuery::with_claims`]). The Credential Query's id is the type's short
    /// name for the city's types (`pid`, `medical`, `service-record`), else
    /// `credential`.
    pub fn for_counter(
        client_id: &str,
        response_uri: Option<&str>,
        nonce: &str,
        vct: &str,
        required: &[ClaimPath],
        optional: &[ClaimPath],
    ) -> Result<Self> {
        let id = CredentialType::by_vct(vct).map_or("credential", |t| t.short);
        let query = CredentialQuery::sd_jwt(id, &[vct]).with_claims(required, optional)?;
        Self::new(
            client_id,
            response_uri,
            nonce,
            DcqlQuery::new(vec![query], None)?,
        )
    }

    /// With a `state` (1 to 512 URL-safe characters): required when a Credential Query
    /// accepts presentations without holder binding; the reference design of §13.3
    /// uses it to find the transaction when the response is posted.
    pub fn with_state(mut self, state: &str) -> Result<Self> {
        check_token(state, "state")?;
        self.state = Some(state.to_string());
        Ok(self)
    }

    /// With `client_metadata` (§5.1), e.g. [`civitas_client_metadata`].
    pub fn with_client_metadata(mut self, metadata: Map<String, Value>) -> Result<Self> {
        check_client_metadata(&Value::Object(metadata.clone()))?;
        self.client_metadata = Some(metadata);
        Ok(self)
    }

    /// With the `wallet_nonce` a Wallet sent to the Request URI with
    /// `request_uri_method=post` (§5.10): it goes into the signed Request Object.
    pub fn with_wallet_nonce(mut self, wallet_nonce: &str) -> Result<Self> {
        check_token(wallet_nonce, "wallet_nonce")?;
        self.wallet_nonce = Some(wallet_nonce.to_string());
        Ok(self)
    }

    /// The Client Identifier (the `aud` of every key binding JWT in the response).
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// Where the Wallet posts the response.
    pub fn response_uri(&self) -> &str {
        &self.response_uri
    }

    /// The nonce (the `nonce` of every key binding JWT in the response).
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The state, if any (echoed in the response).
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// The DCQL query.
    pub fn dcql_query(&self) -> &DcqlQuery {
        &self.dcql_query
    }

    /// The client metadata, if any.
    pub fn client_metadata(&self) -> Option<&Map<String, Value>> {
        self.client_metadata.as_ref()
    }

    /// The wallet nonce of a Request Object, if any.
    pub fn wallet_nonce(&self) -> Option<&str> {
        self.wallet_nonce.as_deref()
    }

    fn check_state(&self) -> Result<()> {
        let unbound = self
            .dcql_query
            .credentials
            .iter()
            .any(|c| !c.requires_holder_binding());
        if unbound && self.state.is_none() {
            return Err(Error::MissingState);
        }
        Ok(())
    }

    /// The parameters, in the order they are written, JSON ones as JSON text.
    fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("client_id", self.client_id.full.clone()),
            ("response_type", RESPONSE_TYPE.to_string()),
            ("response_mode", RESPONSE_MODE_DIRECT_POST.to_string()),
            ("response_uri", self.response_uri.clone()),
            ("nonce", self.nonce.clone()),
        ];
        if let Some(state) = &self.state {
            out.push(("state", state.clone()));
        }
        out.push(("dcql_query", self.dcql_query.to_json()));
        if let Some(metadata) = &self.client_metadata {
            out.push((
                "client_metadata",
                Value::Object(metadata.clone()).to_string(),
            ));
        }
        if let Some(wallet_nonce) = &self.wallet_nonce {
            out.push(("wallet_nonce", wallet_nonce.clone()));
        }
        out
    }

    /// The request by value (§5, §13.1.2): `openid4vp://?client_id=…&response_type=
    /// vp_token&response_mode=direct_post&response_uri=…&nonce=…[&state=…]
    /// &dcql_query=…[&client_metadata=…]`, every value percent-encoded (JSON ones as
    /// compact JSON text).
    pub fn to_url(&self) -> String {
        let params = self.params();
        format!(
            "{SCHEME}://?{}",
            form::serialize(params.iter().map(|(k, v)| (*k, v.as_str())))
        )
    }

    /// Whether the by-value URL is at most `max_len` bytes: the counter shows it when
    /// it fits its QR code, and a reference ([`AuthorizationRequest::reference`])
    /// otherwise. In byte mode at ECC M, a version 25 QR code holds 997 bytes and a
    /// version 40 one 2,331.
    pub fn fits_by_value(&self, max_len: usize) -> bool {
        self.to_url().len() <= max_len
    }

    /// Whether the by-value URL fits one QR code rendered with `options` (at most
    /// `options.max_version`, byte mode).
    pub fn fits_qr(&self, options: &crate::qr::QrOptions) -> bool {
        crate::qr::render(&self.to_url(), options).is_ok()
    }

    /// The request as a JSON object (the claims of a Request Object, without `aud`
    /// and `iat`): `dcql_query` and `client_metadata` as objects.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for (name, value) in self.params() {
            let value = match name {
                "dcql_query" => self.dcql_query.to_value(),
                "client_metadata" => json!(self.client_metadata),
                _ => Value::String(value),
            };
            map.insert(name.to_string(), value);
        }
        map
    }

    /// Reads the request from a JSON object (the payload of a Request Object, or the
    /// parameters of a URL with `dcql_query` and `client_metadata` parsed). Unknown
    /// members are ignored (§5: "The Wallet MUST ignore any unrecognized parameters").
    pub fn from_json(map: &Map<String, Value>) -> Result<Self> {
        let value = Value::Object(map.clone());
        let obj = Obj::new(&value, "")?;
        if obj.get("transaction_data").is_some() {
            return Err(Error::TransactionDataUnsupported);
        }
        for refused in ["scope", "request"] {
            if obj.get(refused).is_some() {
                return Err(Error::UnsupportedParameter(refused));
            }
        }
        let text = |name: &'static str| -> Result<Option<&str>> { obj.opt_str(name, MAX_URL_LEN) };
        let required = |name: &'static str| -> Result<&str> {
            text(name)?.ok_or(Error::MissingParameter(name))
        };
        let response_type = required("response_type")?;
        if response_type != RESPONSE_TYPE {
            return Err(Error::UnsupportedResponseType(shorten(response_type, 40)));
        }
        // Without response_mode, vp_token defaults to `fragment` (§5.5).
        let response_mode = text("response_mode")?.unwrap_or("fragment");
        if response_mode != RESPONSE_MODE_DIRECT_POST {
            return Err(Error::UnsupportedResponseMode(shorten(response_mode, 40)));
        }
        // §8.2: with direct_post, redirect_uri MUST NOT be present.
        if obj.get("redirect_uri").is_some() {
            return Err(Error::UnsupportedParameter("redirect_uri"));
        }
        if obj.get("request_uri_method").is_some() {
            return Err(Error::RequestUriMethodWithoutRequestUri);
        }
        let client_id = ClientId::parse(required("client_id")?)?;
        let response_uri = resolve_response_uri(&client_id, text("response_uri")?)?;
        let nonce = required("nonce")?;
        check_token(nonce, "nonce")?;
        let state = text("state")?;
        if let Some(state) = state {
            check_token(state, "state")?;
        }
        let wallet_nonce = text("wallet_nonce")?;
        if let Some(wallet_nonce) = wallet_nonce {
            check_token(wallet_nonce, "wallet_nonce")?;
        }
        let dcql_query = DcqlQuery::from_value(
            obj.get("dcql_query")
                .ok_or(Error::MissingParameter("dcql_query"))?,
        )?;
        let client_metadata = match obj.get("client_metadata") {
            None => None,
            Some(v) => {
                check_client_metadata(v)?;
                v.as_object().cloned()
            }
        };
        let request = AuthorizationRequest {
            client_id,
            response_uri,
            nonce: nonce.to_string(),
            state: state.map(str::to_string),
            dcql_query,
            client_metadata,
            wallet_nonce: wallet_nonce.map(str::to_string),
        };
        request.check_state()?;
        Ok(request)
    }

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
            return Err(Error::CannotSign(self.client_id.prefix().as_str()));
        };
        let (kid_did, _) = civitas_did::split_did_url(kid).map_err(Error::KeyResolution)?;
        if kid_did != did {
            return Err(Error::KidMismatch {
                kid: shorten(kid, 80),
                expected: shorten(did, 80),
            });
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

fn resolve_response_uri(client_id: &ClientId, given: Option<&str>) -> Result<String> {
    match (client_id.prefix(), given) {
        (ClientIdPrefix::RedirectUri, None) => Ok(client_id.original().to_string()),
        (ClientIdPrefix::RedirectUri, Some(uri)) if uri != client_id.original() => {
            Err(Error::ResponseUriMismatch)
        }
        (_, Some(uri)) => {
            form::check_uri(uri, "response_uri")?;
            Ok(uri.to_string())
        }
        (ClientIdPrefix::DecentralizedIdentifier, None) => {
            Err(Error::MissingParameter("response_uri"))
        }
    }
}

fn check_client_metadata(value: &Value) -> Result<()> {
    let obj = Obj::new(value, "client_metadata")?;
    if let Some(formats) = obj.get("vp_formats_supported") {
        Obj::new(formats, obj.field("vp_formats_supported"))?;
    }
    Ok(())
}

/// The `client_metadata` of a Civitas counter: `vp_formats_supported` for
/// `dc+sd-jwt` with the algorithms Civitas verifies, as fully-specified identifiers
/// (Appendix B.3.4): `ES256` and `Ed25519` for the issuer-signed JWT and the key
/// binding JWT. A `redirect_uri:` client passes its metadata this way (§5.9.3) for
/// wallets that do not know it otherwise; Civitas wallets do, so it is optional.
pub fn civitas_client_metadata() -> Map<String, Value> {
    let algs = json!(["ES256", "Ed25519"]);
    let mut map = Map::new();
    map.insert(
        "vp_formats_supported".into(),
        json!({ super::dcql::FORMAT_DC_SD_JWT: {
            "sd-jwt_alg_values": algs,
            "kb-jwt_alg_values": algs,
        }}),
    );
    map
}

impl serde::Serialize for AuthorizationRequest {
    /// As the JSON object of [`AuthorizationRequest::to_json`].
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        Value::Object(self.to_json()).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for AuthorizationRequest {
    /// From a JSON object, with every check of [`AuthorizationRequest::from_json`].
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let map = value
            .as_object()
            .ok_or_else(|| serde::de::Error::custom("an authorization request is a JSON object"))?;
        AuthorizationRequest::from_json(map).map_err(serde::de::Error::custom)
    }
}

/// How the Wallet fetches a Request Object (§5.1 `request_uri_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestUriMethod {
    /// HTTP GET (the default of RFC 9101).
    Get,
    /// HTTP POST with `wallet_metadata` and `wallet_nonce` (§5.10).
    Post,
}

impl RequestUriMethod {
    /// The parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestUriMethod::Get => "get",
            RequestUriMethod::Post => "post",
        }
    }
}

/// A request by reference: `openid4vp://?client_id=…&request_uri=…
/// [&request_uri_method=post]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestReference {
    client_id: ClientId,
    request_uri: String,
    method: Option<RequestUriMethod>,
}

impl RequestReference {
    /// A reference to the Request Object of `client_id` at `request_uri`. The client
    /// must be able to sign (`decentralized_identifier:`).
    pub fn new(
        client_id: &str,
        request_uri: &str,
        method: Option<RequestUriMethod>,
    ) -> Result<Self> {
        let client_id = ClientId::parse(client_id)?;
        if client_id.prefix() == ClientIdPrefix::RedirectUri {
            return Err(Error::CannotSign(ClientIdPrefix::RedirectUri.as_str()));
        }
        form::check_uri(request_uri, "request_uri")?;
        Ok(RequestReference {
            client_id,
            request_uri: request_uri.to_string(),
            method,
        })
    }

    /// The Client Identifier.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// Where the Request Object is.
    pub fn request_uri(&self) -> &str {
        &self.request_uri
    }

    /// How to fetch it, if said.
    pub fn method(&self) -> Option<RequestUriMethod> {
        self.method
    }

    /// The URL.
    pub fn to_url(&self) -> String {
        let mut pairs = vec![
            ("client_id", self.client_id.as_str()),
            ("request_uri", self.request_uri.as_str()),
        ];
        if let Some(method) = self.method {
            pairs.push(("request_uri_method", method.as_str()));
        }
        format!("{SCHEME}://?{}", form::serialize(pairs))
    }

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
            return Err(Error::CannotSign(self.client_id.prefix().as_str()));
        };
        jws.verify_with_did(WHAT, did, resolver, Purpose::AssertionMethod, Some(now))?;
        let value = Value::Object(jws.payload.clone());
        let claims = Obj::new(&value, "")?;
        if claims.str("client_id", MAX_URL_LEN)? != self.client_id.as_str() {
            return Err(Error::ClientIdMismatch);
        }
        if let Some(aud) = claims.get("aud")
            && aud.as_str() != Some(SELF_ISSUED_AUDIENCE)
        {
            return Err(Error::AudienceMismatch);
        }
        if let Some(exp) = claims.opt_int("exp")?
            && now >= exp
        {
            return Err(Error::Expired(WHAT));
        }
        if let Some(iat) = claims.opt_int("iat")?
            && iat > now + REQUEST_OBJECT_SKEW
        {
            return Err(Error::IssuedInFuture {
                what: WHAT,
                ahead: iat - now,
            });
        }
        let request = AuthorizationRequest::from_json(&jws.payload)?;
        if let Some(sent) = wallet_nonce
            && request.wallet_nonce() != Some(sent)
        {
            return Err(Error::WalletNonceMismatch);
        }
        Ok(request)
    }
}

/// What an `openid4vp:` URL holds.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestUrl {
    /// The whole request.
    ByValue(AuthorizationRequest),
    /// A reference to a signed Request Object.
    ByReference(RequestReference),
}

impl RequestUrl {
    /// Parses a scanned `openid4vp:` URL strictly: the scheme (any case) followed by
    /// `//` and an optional authority and path, a query, no fragment; the query
    /// decoded as `application/x-www-form-urlencoded` with no parameter twice. With
    /// `request_uri` it is a reference (the other parameters, which RFC 9101 lets a
    /// client repeat for compatibility, are not used); otherwise every parameter of a
    /// request by value is checked. A trailing CR/LF (from a keyboard-wedge scanner) is
    /// ignored.
    pub fn parse(url: &str) -> Result<Self> {
        let url = url.trim_end_matches(['\r', '\n']);
        if url.len() > MAX_URL_LEN {
            return Err(Error::TooLong {
                what: "the request URL",
                len: url.len(),
                max: MAX_URL_LEN,
            });
        }
        let scheme_end = url.find(':').ok_or(Error::InvalidUrl("no scheme"))?;
        if !url[..scheme_end].eq_ignore_ascii_case(SCHEME) {
            return Err(Error::InvalidUrl("the scheme is not openid4vp"));
        }
        let rest = &url[scheme_end + 1..];
        let (head, query) = rest.split_once('?').ok_or(Error::InvalidUrl("no query"))?;
        if !head.is_empty() && !head.starts_with("//") {
            return Err(Error::InvalidUrl("the scheme must be followed by '//'"));
        }
        if !head
            .bytes()
            .all(|b| form::is_unreserved(b) || b == b'/' || b == b':')
        {
            return Err(Error::InvalidUrl(
                "a character not allowed before the query",
            ));
        }
        if query.contains('#') {
            return Err(Error::InvalidUrl("it has a fragment"));
        }
        let pairs = form::parse(query)?;
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if get("transaction_data").is_some() {
            return Err(Error::TransactionDataUnsupported);
        }
        if get("request").is_some() {
            return Err(Error::UnsupportedParameter("request"));
        }
        if let Some(request_uri) = get("request_uri") {
            let client_id = get("client_id").ok_or(Error::MissingParameter("client_id"))?;
            let method = match get("request_uri_method") {
                None => None,
                Some("get") => Some(RequestUriMethod::Get),
                Some("post") => Some(RequestUriMethod::Post),
                Some(other) => return Err(Error::InvalidRequestUriMethod(shorten(other, 20))),
            };
            return Ok(RequestUrl::ByReference(RequestReference::new(
                client_id,
                request_uri,
                method,
            )?));
        }
        let mut map = Map::new();
        for (name, value) in pairs {
            let value = match name.as_str() {
                "dcql_query" => parse_strict(value.as_bytes(), "dcql_query", MAX_QUERY_LEN)?,
                "client_metadata" => {
                    parse_strict(value.as_bytes(), "client_metadata", MAX_QUERY_LEN)?
                }
                _ => Value::String(value),
            };
            map.insert(name, value);
        }
        Ok(RequestUrl::ByValue(AuthorizationRequest::from_json(&map)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids() {
        let c = ClientId::parse("redirect_uri:https://counter.example/post").unwrap();
        assert_eq!(c.prefix(), ClientIdPrefix::RedirectUri);
        assert_eq!(c.original(), "https://counter.example/post");
        let did = "did:jwk:eyJrdHkiOiJFQyJ9";
        let c = ClientId::parse(&format!("decentralized_identifier:{did}")).unwrap();
        assert_eq!(c.did(), Some(did));
        for (bad, code) in [
            ("counter-7", "openid4vp.unsupported_client_id_prefix"),
            (
                "https://counter.example",
                "openid4vp.unsupported_client_id_prefix",
            ),
            (
                "origin:https://counter.example",
                "openid4vp.unsupported_client_id_prefix",
            ),
            (
                "x509_san_dns:counter.example",
                "openid4vp.unsupported_client_id_prefix",
            ),
            (
                "redirect_uri:counter.example",
                "openid4vp.invalid_client_id",
            ),
            (
                "decentralized_identifier:did:jwk:x#0",
                "openid4vp.invalid_client_id",
            ),
        ] {
            assert_eq!(ClientId::parse(bad).unwrap_err().code(), code, "{bad}");
        }
    }

    #[test]
    fn claim_sets_list_every_subset_of_optional_claims() {
        let p = |t: &str| ClaimPath::parse(t).unwrap();
        let q = CredentialQuery::sd_jwt("pid", &["v"])
            .with_claims(&[p("age_over_18")], &[p("given_name"), p("family_name")])
            .unwrap();
        assert_eq!(
            q.claim_sets.unwrap(),
            vec![
                vec!["0", "1", "2"],
                vec!["0", "1"],
                vec!["0", "2"],
                vec!["0"]
            ]
        );
        // Only optional claims: the empty set is left out (an option is non-empty).
        let q = CredentialQuery::sd_jwt("pid", &["v"])
            .with_claims(&[], &[p("a"), p("b")])
            .unwrap();
        assert_eq!(
            q.claim_sets.unwrap(),
            vec![vec!["0", "1"], vec!["0"], vec!["1"]]
        );
    }
}
