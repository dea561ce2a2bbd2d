//! The Digital Credentials Query Language (OpenID4VP 1.0 §6, §7), for SD-JWT VCs.
//!
//! A [`DcqlQuery`] is read strictly: every rule the specification states is checked,
//! each failure with its own [`Error`] variant:
//!
//! - `credentials`: a non-empty array of Credential Queries with unique `id`s, each a
//!   non-empty string of `A-Z a-z 0-9 _ -`;
//! - `format`: `dc+sd-jwt` only ([`DcqlError::UnsupportedFormat`](crate::openid4vp::DcqlError::UnsupportedFormat) for the other formats
//!   OpenID4VP defines, [`DcqlError::UnknownFormat`](crate::openid4vp::DcqlError::UnknownFormat) for anything else); `meta` is required
//!   and holds a non-empty `vct_values` array of strings;
//! - `claims`: non-empty, each with a non-empty claims path pointer (strings, `null`,
//!   non-negative integers, starting with a claim name), an optional unique `id`, and
//!   optional `values` (a non-empty array of strings, integers and booleans); the same
//!   path twice is refused;
//! - `claim_sets`: only with `claims`, every claim then has an `id`, every option is a
//!   non-empty array of known claim ids;
//! - `credential_sets`: non-empty, every option a non-empty array of known Credential
//!   Query ids; `required` a boolean;
//! - `multiple`, `require_cryptographic_holder_binding`: booleans;
//!   `trusted_authorities`: a non-empty array of `{type, values}` (kept and passed on,
//!   not evaluated: Civitas decides trust at the counter, see §6.1.1's note).
//!
//! Unknown members are ignored, as §6 requires ("Implementations MUST ignore any
//! unknown properties"), and are not kept. Sizes are capped ([`MAX_CREDENTIAL_QUERIES`],
//! [`MAX_CLAIMS`], …).

//!
//! # Layout
//!
//! - this file: the types, the limits, the builders and the JSON form written out;
//! - [`read`](self::read): every rule above, checked while reading a query
//!   (`from_value` of each type);
//! - [`claim_sets`](self::claim_sets): a counter's required and optional claims as
//!   `claim_sets` ([`CredentialQuery::with_claims`]) and back
//!   ([`CredentialQuery::required_and_optional`]);
//! - [`select`](self::select): claims path processing (§7.1.1,
//!   [`select_claims`]).

mod claim_sets;
mod read;
mod select;
#[cfg(test)]
mod tests;

pub use claim_sets::MAX_OPTIONAL_CLAIMS;
pub use select::select_claims;

use super::error::Result;
use super::json::parse_strict;
use civitas_credential::ClaimPath;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

/// The Credential Format Identifier of SD-JWT VCs (OpenID4VP 1.0 Appendix B.3.1).
pub const FORMAT_DC_SD_JWT: &str = "dc+sd-jwt";
/// The other format identifiers OpenID4VP 1.0 defines; refused as unsupported.
pub const OTHER_FORMATS: [&str; 3] = ["mso_mdoc", "jwt_vc_json", "ldp_vc"];

/// Most Credential Queries in one query.
pub const MAX_CREDENTIAL_QUERIES: usize = 32;
/// Most Claims Queries in one Credential Query.
pub const MAX_CLAIMS: usize = 64;
/// Most options in `claim_sets` or in one Credential Set Query, and most Credential Set
/// Queries.
pub const MAX_SETS: usize = 64;
/// Most entries in `values`, `vct_values` or `trusted_authorities`.
pub const MAX_VALUES: usize = 64;
/// Longest identifier (`id`), in bytes. (The specification sets no limit.)
pub const MAX_ID_LEN: usize = 64;
/// Most elements in a claims path pointer.
pub const MAX_PATH_LEN: usize = 32;
/// Longest string anywhere in a query (a `vct`, a claim name, a value), in bytes.
pub const MAX_STRING_LEN: usize = 2048;
/// Longest DCQL query accepted as JSON text, in bytes.
pub const MAX_QUERY_LEN: usize = 32 * 1024;

/// A DCQL query: what the Verifier asks the Wallet to present.
///
/// Build one with [`DcqlQuery::new`] (which validates) or read one with
/// [`DcqlQuery::parse`] / [`DcqlQuery::from_value`]; serde goes through the same
/// checks.
#[derive(Debug, Clone, PartialEq)]
pub struct DcqlQuery {
    /// The Credential Queries (`credentials`).
    pub credentials: Vec<CredentialQuery>,
    /// The Credential Set Queries (`credential_sets`), if any.
    pub credential_sets: Option<Vec<CredentialSetQuery>>,
}

/// One Credential Query (§6.1) for an SD-JWT VC.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialQuery {
    /// Identifies the credential in the response and in `credential_sets`.
    pub id: String,
    /// `meta.vct_values`: the accepted credential types (Appendix B.3.5).
    pub vct_values: Vec<String>,
    /// `multiple`: whether several credentials may be returned (default false).
    pub multiple: Option<bool>,
    /// `require_cryptographic_holder_binding` (default true).
    pub require_cryptographic_holder_binding: Option<bool>,
    /// `trusted_authorities`, kept as given.
    pub trusted_authorities: Option<Vec<TrustedAuthority>>,
    /// `claims`: the claims requested; `None` asks for no selectively disclosable
    /// claim at all.
    pub claims: Option<Vec<ClaimsQuery>>,
    /// `claim_sets`: acceptable combinations of claim ids, most preferred first.
    pub claim_sets: Option<Vec<Vec<String>>>,
}

/// One Claims Query (§6.3).
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimsQuery {
    /// Identifies the claim in `claim_sets` (required when `claim_sets` is present).
    pub id: Option<String>,
    /// The claims path pointer (§7).
    pub path: ClaimPath,
    /// Accepted values: strings, integers and booleans; the claim matches if its type
    /// and value equal one of them.
    pub values: Option<Vec<Value>>,
}

/// One Trusted Authorities Query (§6.1.1), kept as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedAuthority {
    /// `type` (`aki`, `etsi_tl`, `openid_federation`, or another).
    pub kind: String,
    /// `values`.
    pub values: Vec<String>,
}

/// One Credential Set Query (§6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSetQuery {
    /// `options`: each a set of Credential Query ids that together satisfy the use case.
    pub options: Vec<Vec<String>>,
    /// `required` (default true).
    pub required: Option<bool>,
}

/// Whether `id` is a valid DCQL identifier: non-empty, `A-Z a-z 0-9 _ -` only, at most
/// [`MAX_ID_LEN`] bytes.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl DcqlQuery {
    /// A query from its parts, validated as if it had been parsed.
    pub fn new(
        credentials: Vec<CredentialQuery>,
        credential_sets: Option<Vec<CredentialSetQuery>>,
    ) -> Result<Self> {
        let query = DcqlQuery {
            credentials,
            credential_sets,
        };
        query.validate()?;
        Ok(query)
    }

    /// Checks every rule (what [`DcqlQuery::from_value`] checks).
    pub fn validate(&self) -> Result<()> {
        let again = Self::from_value(&self.to_value())?;
        // The JSON form carries everything, so reading it back gives the same query.
        debug_assert_eq!(&again, self);
        Ok(())
    }

    /// Parses a DCQL query from JSON text (duplicate member names refused).
    pub fn parse(text: &str) -> Result<Self> {
        let value = parse_strict(text.as_bytes(), "dcql_query", MAX_QUERY_LEN)?;
        Self::from_value(&value)
    }

    /// The JSON form.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert(
            "credentials".into(),
            Value::Array(self.credentials.iter().map(|c| c.to_value()).collect()),
        );
        if let Some(sets) = &self.credential_sets {
            map.insert(
                "credential_sets".into(),
                Value::Array(sets.iter().map(|s| s.to_value()).collect()),
            );
        }
        Value::Object(map)
    }

    /// The compact JSON text (what goes into the `dcql_query` parameter).
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// The Credential Query with this id.
    pub fn get(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// The credential sets the Wallet must satisfy, as `(required, options)`; without
    /// `credential_sets`, one required set per Credential Query (§6.4.2: "all
    /// Credentials in `credentials`").
    pub fn effective_sets(&self) -> Vec<(bool, Vec<Vec<String>>)> {
        match &self.credential_sets {
            Some(sets) => sets
                .iter()
                .map(|s| (s.is_required(), s.options.clone()))
                .collect(),
            None => self
                .credentials
                .iter()
                .map(|c| (true, vec![vec![c.id.clone()]]))
                .collect(),
        }
    }
}

impl CredentialQuery {
    /// A query for an SD-JWT VC of one of `vct_values`, with no claims (yet).
    pub fn sd_jwt(id: &str, vct_values: &[&str]) -> Self {
        CredentialQuery {
            id: id.to_string(),
            vct_values: vct_values.iter().map(|v| v.to_string()).collect(),
            multiple: None,
            require_cryptographic_holder_binding: None,
            trusted_authorities: None,
            claims: None,
            claim_sets: None,
        }
    }

    /// The format (always `dc+sd-jwt`).
    pub fn format(&self) -> &'static str {
        FORMAT_DC_SD_JWT
    }

    /// Whether several credentials may answer this query (`multiple`, default false).
    pub fn allows_multiple(&self) -> bool {
        self.multiple.unwrap_or(false)
    }

    /// Whether a key binding proof is required (default true).
    pub fn requires_holder_binding(&self) -> bool {
        self.require_cryptographic_holder_binding.unwrap_or(true)
    }

    fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("id".into(), json!(self.id));
        map.insert("format".into(), json!(FORMAT_DC_SD_JWT));
        if let Some(m) = self.multiple {
            map.insert("multiple".into(), json!(m));
        }
        map.insert("meta".into(), json!({ "vct_values": self.vct_values }));
        if let Some(ta) = &self.trusted_authorities {
            let list: Vec<Value> = ta
                .iter()
                .map(|t| json!({"type": t.kind, "values": t.values}))
                .collect();
            map.insert("trusted_authorities".into(), Value::Array(list));
        }
        if let Some(b) = self.require_cryptographic_holder_binding {
            map.insert("require_cryptographic_holder_binding".into(), json!(b));
        }
        if let Some(claims) = &self.claims {
            map.insert(
                "claims".into(),
                Value::Array(claims.iter().map(ClaimsQuery::to_value).collect()),
            );
        }
        if let Some(sets) = &self.claim_sets {
            map.insert("claim_sets".into(), json!(sets));
        }
        Value::Object(map)
    }
}

impl ClaimsQuery {
    /// A request for the claim at `path`.
    pub fn new(path: ClaimPath) -> Self {
        ClaimsQuery {
            id: None,
            path,
            values: None,
        }
    }

    /// With an `id` (needed for `claim_sets`).
    pub fn with_id(mut self, id: &str) -> Self {
        self.id = Some(id.to_string());
        self
    }

    /// With accepted `values`.
    pub fn with_values(mut self, values: Vec<Value>) -> Self {
        self.values = Some(values);
        self
    }

    fn to_value(&self) -> Value {
        let mut map = Map::new();
        if let Some(id) = &self.id {
            map.insert("id".into(), json!(id));
        }
        map.insert("path".into(), self.path.to_dcql());
        if let Some(values) = &self.values {
            map.insert("values".into(), Value::Array(values.clone()));
        }
        Value::Object(map)
    }
}

impl CredentialSetQuery {
    /// A set satisfied by any of `options` (each a list of Credential Query ids).
    pub fn new(options: &[&[&str]], required: bool) -> Self {
        CredentialSetQuery {
            options: options
                .iter()
                .map(|o| o.iter().map(|id| id.to_string()).collect())
                .collect(),
            required: Some(required),
        }
    }

    /// Whether the set must be satisfied (`required`, default true).
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(true)
    }
    fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("options".into(), json!(self.options));
        if let Some(r) = self.required {
            map.insert("required".into(), json!(r));
        }
        Value::Object(map)
    }
}

impl Serialize for DcqlQuery {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DcqlQuery {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        DcqlQuery::from_value(&value).map_err(serde::de::Error::custom)
    }
}
