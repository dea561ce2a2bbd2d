//! [`AuthorizationRequest`]: its parameters, the counter's builder, every check of a
//! request by value (§5), and its JSON form (the claims of a Request Object).

use super::client_id::{ClientId, ClientIdPrefix};
use crate::openid4vp::dcql::{CredentialQuery, DcqlQuery};
use crate::openid4vp::error::{Error, RequestError, Result, shorten};
use crate::openid4vp::form;
use crate::openid4vp::json::Obj;
use crate::openid4vp::limits::{MAX_TOKEN_LEN, MAX_URL_LEN};
use civitas_credential::ClaimPath;
use civitas_credential::types::CredentialType;
use civitas_crypto::{Rng, b64};
use serde_json::{Map, Value, json};

/// The `response_type` Civitas asks for and accepts.
pub const RESPONSE_TYPE: &str = "vp_token";
/// The `response_mode` Civitas asks for and accepts (§8.2).
pub const RESPONSE_MODE_DIRECT_POST: &str = "direct_post";

/// An Authorization Request for presentations (`response_type=vp_token`) answered by
/// `direct_post`, with a DCQL query. Every constructor validates; the fields can be
/// read, not changed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationRequest {
    pub(super) client_id: ClientId,
    pub(super) response_uri: String,
    pub(super) nonce: String,
    pub(super) state: Option<String>,
    pub(super) dcql_query: DcqlQuery,
    pub(super) client_metadata: Option<Map<String, Value>>,
    pub(super) wallet_nonce: Option<String>,
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
        return Err(RequestError::InvalidToken {
            param,
            max: MAX_TOKEN_LEN,
        }
        .into());
    }
    Ok(())
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
            return Err(RequestError::MissingState.into());
        }
        Ok(())
    }

    /// The parameters, in the order they are written, JSON ones as JSON text.
    pub(super) fn params(&self) -> Vec<(&'static str, String)> {
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
            return Err(RequestError::TransactionDataUnsupported.into());
        }
        for refused in ["scope", "request"] {
            if obj.get(refused).is_some() {
                return Err(RequestError::UnsupportedParameter(refused).into());
            }
        }
        let text = |name: &'static str| -> Result<Option<&str>> { obj.opt_str(name, MAX_URL_LEN) };
        let required = |name: &'static str| -> Result<&str> {
            text(name)?.ok_or(Error::from(RequestError::MissingParameter(name)))
        };
        let response_type = required("response_type")?;
        if response_type != RESPONSE_TYPE {
            return Err(RequestError::UnsupportedResponseType(shorten(response_type, 40)).into());
        }
        // Without response_mode, vp_token defaults to `fragment` (§5.5).
        let response_mode = text("response_mode")?.unwrap_or("fragment");
        if response_mode != RESPONSE_MODE_DIRECT_POST {
            return Err(RequestError::UnsupportedResponseMode(shorten(response_mode, 40)).into());
        }
        // §8.2: with direct_post, redirect_uri MUST NOT be present.
        if obj.get("redirect_uri").is_some() {
            return Err(RequestError::UnsupportedParameter("redirect_uri").into());
        }
        if obj.get("request_uri_method").is_some() {
            return Err(RequestError::RequestUriMethodWithoutRequestUri.into());
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
                .ok_or(RequestError::MissingParameter("dcql_query"))?,
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
}

fn resolve_response_uri(client_id: &ClientId, given: Option<&str>) -> Result<String> {
    match (client_id.prefix(), given) {
        (ClientIdPrefix::RedirectUri, None) => Ok(client_id.original().to_string()),
        (ClientIdPrefix::RedirectUri, Some(uri)) if uri != client_id.original() => {
            Err(RequestError::ResponseUriMismatch.into())
        }
        (_, Some(uri)) => {
            form::check_uri(uri, "response_uri")?;
            Ok(uri.to_string())
        }
        (ClientIdPrefix::DecentralizedIdentifier, None) => {
            Err(RequestError::MissingParameter("response_uri").into())
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
        json!({ crate::openid4vp::dcql::FORMAT_DC_SD_JWT: {
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
