//! The Digital Credentials Query Language (OpenID4VP 1.0 §6, §7), for SD-JWT VCs.
//!
//! A [`DcqlQuery`] is read strictly: every rule the specification states is checked,
//! each failure with its own [`Error`] variant:
//!
//! - `credentials`: a non-empty array of Credential Queries with unique `id`s, each a
//!   non-empty string of `A-Z a-z 0-9 _ -`;
//! - `format`: `dc+sd-jwt` only ([`Error::UnsupportedFormat`] for the other formats
//!   OpenID4VP defines, [`Error::UnknownFormat`] for anything else); `meta` is required
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

use super::error::{Error, Result, shorten};
use super::json::{Obj, as_array, as_str, parse_strict};
use civitas_credential::{ClaimPath, PathElement};
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

    /// Reads a DCQL query from a JSON value.
    pub fn from_value(value: &Value) -> Result<Self> {
        let obj = Obj::new(value, "")?;
        let items = as_array(
            obj.required("credentials")?,
            "credentials",
            MAX_CREDENTIAL_QUERIES,
        )?;
        let mut credentials: Vec<CredentialQuery> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let query = CredentialQuery::from_value(item, &format!("credentials[{i}]"))?;
            if credentials.iter().any(|c| c.id == query.id) {
                return Err(Error::DuplicateCredentialId(query.id));
            }
            credentials.push(query);
        }
        let credential_sets = match obj.get("credential_sets") {
            None => None,
            Some(v) => {
                let items = as_array(v, "credential_sets", MAX_SETS)?;
                let mut sets = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let field = format!("credential_sets[{i}]");
                    let set = CredentialSetQuery::from_value(item, &field)?;
                    for id in set.options.iter().flatten() {
                        if !credentials.iter().any(|c| &c.id == id) {
                            return Err(Error::UnknownCredentialId(id.clone()));
                        }
                    }
                    sets.push(set);
                }
                Some(sets)
            }
        };
        Ok(DcqlQuery {
            credentials,
            credential_sets,
        })
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

    /// The claims every option of this query asks for (required), and those the
    /// first, fullest option adds (optional): the counter's terms in plain paths.
    pub fn required_and_optional(&self) -> (Vec<ClaimPath>, Vec<ClaimPath>) {
        let claims = self.claims.as_deref().unwrap_or_default();
        let sets: Vec<Vec<&ClaimPath>> = self
            .claim_options()
            .into_iter()
            .map(|o| {
                o.into_iter()
                    .filter_map(|i| claims.get(i).map(|c| &c.path))
                    .collect()
            })
            .collect();
        let Some(first) = sets.first() else {
            return (Vec::new(), Vec::new());
        };
        let (required, optional): (Vec<&ClaimPath>, Vec<&ClaimPath>) = first
            .iter()
            .partition(|p| sets.iter().all(|s| s.contains(p)));
        (
            required.into_iter().cloned().collect(),
            optional.into_iter().cloned().collect(),
        )
    }

    /// The acceptable claim combinations, most preferred first (§6.4.1): no claims
    /// → one empty combination; claims without `claim_sets` → all of them; otherwise
    /// one combination per `claim_sets` option. Indices into [`CredentialQuery::claims`].
    pub fn claim_options(&self) -> Vec<Vec<usize>> {
        let Some(claims) = &self.claims else {
            return vec![Vec::new()];
        };
        match &self.claim_sets {
            None => vec![(0..claims.len()).collect()],
            Some(sets) => sets
                .iter()
                .map(|set| {
                    set.iter()
                        .filter_map(|id| claims.iter().position(|c| c.id.as_ref() == Some(id)))
                        .collect()
                })
                .collect(),
        }
    }

    fn from_value(value: &Value, at: &str) -> Result<Self> {
        let obj = Obj::new(value, at)?;
        let id = parse_id(obj.required("id")?, &obj.field("id"))?;
        let format = obj.str("format", MAX_STRING_LEN)?;
        if format != FORMAT_DC_SD_JWT {
            let shown = shorten(format, 40);
            return Err(if OTHER_FORMATS.contains(&format) {
                Error::UnsupportedFormat(shown)
            } else {
                Error::UnknownFormat(shown)
            });
        }
        let multiple = obj.opt_bool("multiple")?;
        let binding = obj.opt_bool("require_cryptographic_holder_binding")?;
        let meta = Obj::new(obj.required("meta")?, obj.field("meta"))?;
        let vct_field = meta.field("vct_values");
        let vct_values = as_array(meta.required("vct_values")?, &vct_field, MAX_VALUES)?
            .iter()
            .enumerate()
            .map(|(i, v)| non_empty_str(v, &format!("{vct_field}[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        let trusted_authorities = match obj.get("trusted_authorities") {
            None => None,
            Some(v) => {
                let field = obj.field("trusted_authorities");
                Some(
                    as_array(v, &field, MAX_VALUES)?
                        .iter()
                        .enumerate()
                        .map(|(i, v)| TrustedAuthority::from_value(v, &format!("{field}[{i}]")))
                        .collect::<Result<Vec<_>>>()?,
                )
            }
        };
        let claims = match obj.get("claims") {
            None => None,
            Some(v) => {
                let field = obj.field("claims");
                let items = as_array(v, &field, MAX_CLAIMS)?;
                let mut claims: Vec<ClaimsQuery> = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let claim = ClaimsQuery::from_value(item, &format!("{field}[{i}]"))?;
                    if let Some(cid) = &claim.id
                        && claims.iter().any(|c| c.id.as_ref() == Some(cid))
                    {
                        return Err(Error::DuplicateClaimId {
                            query: id.clone(),
                            id: cid.clone(),
                        });
                    }
                    if claims.iter().any(|c| c.path == claim.path) {
                        return Err(Error::DuplicateClaimPath {
                            query: id.clone(),
                            path: shorten(&claim.path.to_string(), 80),
                        });
                    }
                    claims.push(claim);
                }
                Some(claims)
            }
        };
        let claim_sets = match obj.get("claim_sets") {
            None => None,
            Some(v) => {
                let Some(claims) = &claims else {
                    return Err(Error::ClaimSetsWithoutClaims(id));
                };
                if let Some(index) = claims.iter().position(|c| c.id.is_none()) {
                    return Err(Error::ClaimWithoutId { query: id, index });
                }
                let field = obj.field("claim_sets");
                let sets = parse_options(v, &field)?;
                for cid in sets.iter().flatten() {
                    if !claims.iter().any(|c| c.id.as_ref() == Some(cid)) {
                        return Err(Error::UnknownClaimId {
                            query: id,
                            id: cid.clone(),
                        });
                    }
                }
                Some(sets)
            }
        };
        Ok(CredentialQuery {
            id,
            vct_values,
            multiple,
            require_cryptographic_holder_binding: binding,
            trusted_authorities,
            claims,
            claim_sets,
        })
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

    /// The claims of `root` this query selects (§7.1.1), each with its concrete path,
    /// keeping only those whose value matches `values` when given (§6.4.1). Empty when
    /// nothing matches.
    pub fn select<'v>(&self, root: &'v Value) -> Vec<(ClaimPath, &'v Value)> {
        let mut selected = select_claims(root, &self.path);
        if let Some(values) = &self.values {
            selected.retain(|(_, v)| values.contains(v));
        }
        selected
    }

    fn from_value(value: &Value, at: &str) -> Result<Self> {
        let obj = Obj::new(value, at)?;
        let id = obj
            .get("id")
            .map(|v| parse_id(v, &obj.field("id")))
            .transpose()?;
        let path = parse_path(obj.required("path")?, &obj.field("path"))?;
        let values = match obj.get("values") {
            None => None,
            Some(v) => {
                let field = obj.field("values");
                let items = as_array(v, &field, MAX_VALUES)?;
                for (i, item) in items.iter().enumerate() {
                    let ok = match item {
                        Value::String(s) => s.len() <= MAX_STRING_LEN,
                        Value::Bool(_) => true,
                        Value::Number(n) => n.is_i64() || n.is_u64(),
                        _ => false,
                    };
                    if !ok {
                        return Err(Error::InvalidValue {
                            field: format!("{field}[{i}]"),
                        });
                    }
                }
                Some(items.to_vec())
            }
        };
        Ok(ClaimsQuery { id, path, values })
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

impl TrustedAuthority {
    fn from_value(value: &Value, at: &str) -> Result<Self> {
        let obj = Obj::new(value, at)?;
        let kind = non_empty_str(obj.required("type")?, &obj.field("type"))?;
        let field = obj.field("values");
        let values = as_array(obj.required("values")?, &field, MAX_VALUES)?
            .iter()
            .enumerate()
            .map(|(i, v)| non_empty_str(v, &format!("{field}[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        Ok(TrustedAuthority { kind, values })
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

    fn from_value(value: &Value, at: &str) -> Result<Self> {
        let obj = Obj::new(value, at)?;
        let options = parse_options(obj.required("options")?, &obj.field("options"))?;
        let required = obj.opt_bool("required")?;
        Ok(CredentialSetQuery { options, required })
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

/// Applies a claims path pointer to a JSON credential (§7.1.1): the selected elements
/// with their concrete paths (indices instead of `null`). Processing errors (a key
/// applied to a non-object, an index or `null` to a non-array) and an empty selection
/// both give an empty result.
pub fn select_claims<'v>(root: &'v Value, path: &ClaimPath) -> Vec<(ClaimPath, &'v Value)> {
    let mut selected = vec![(ClaimPath::default(), root)];
    for element in &path.0 {
        let mut next = Vec::new();
        for (at, value) in selected {
            match element {
                PathElement::Key(k) => {
                    let Value::Object(map) = value else {
                        return Vec::new();
                    };
                    if let Some(v) = map.get(k) {
                        next.push((at.child(element.clone()), v));
                    }
                }
                PathElement::AllElements => {
                    let Value::Array(items) = value else {
                        return Vec::new();
                    };
                    for (i, v) in items.iter().enumerate() {
                        next.push((at.child(PathElement::Index(i)), v));
                    }
                }
                PathElement::Index(i) => {
                    let Value::Array(items) = value else {
                        return Vec::new();
                    };
                    if let Some(v) = items.get(*i) {
                        next.push((at.child(element.clone()), v));
                    }
                }
            }
        }
        selected = next;
    }
    selected
}

fn parse_id(value: &Value, field: &str) -> Result<String> {
    let id = as_str(value, field, MAX_STRING_LEN)?;
    if !is_valid_id(id) {
        return Err(Error::InvalidId {
            field: field.to_string(),
            id: shorten(id, 40),
        });
    }
    Ok(id.to_string())
}

fn non_empty_str(value: &Value, field: &str) -> Result<String> {
    let s = as_str(value, field, MAX_STRING_LEN)?;
    if s.is_empty() {
        return Err(Error::WrongType {
            field: field.to_string(),
            expected: "a non-empty string",
        });
    }
    Ok(s.to_string())
}

/// `options` / `claim_sets`: a non-empty array of non-empty arrays of ids, no id twice
/// in one option.
fn parse_options(value: &Value, field: &str) -> Result<Vec<Vec<String>>> {
    let items = as_array(value, field, MAX_SETS)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let ids = as_array(item, &at, MAX_CLAIMS.max(MAX_CREDENTIAL_QUERIES))?;
        let mut option: Vec<String> = Vec::with_capacity(ids.len());
        for (j, id) in ids.iter().enumerate() {
            let id = parse_id(id, &format!("{at}[{j}]"))?;
            if option.contains(&id) {
                return Err(Error::DuplicateInOption { field: at, id });
            }
            option.push(id);
        }
        out.push(option);
    }
    Ok(out)
}

fn parse_path(value: &Value, field: &str) -> Result<ClaimPath> {
    let bad = |why| Error::InvalidPath {
        field: field.to_string(),
        why,
    };
    let items = value.as_array().ok_or_else(|| bad("not an array"))?;
    if items.is_empty() {
        return Err(bad("empty"));
    }
    if items.len() > MAX_PATH_LEN {
        return Err(bad("more than 32 elements"));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(match item {
            Value::String(s) if s.len() <= MAX_STRING_LEN => PathElement::Key(s.clone()),
            Value::String(_) => return Err(bad("a claim name longer than 2048 bytes")),
            Value::Null => PathElement::AllElements,
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(PathElement::Index)
                .ok_or_else(|| bad("a number that is not a non-negative integer"))?,
            _ => return Err(bad("an element that is not a string, null or an integer")),
        });
    }
    if !matches!(out.first(), Some(PathElement::Key(_))) {
        return Err(bad(
            "an SD-JWT VC's claims are an object: the first element must be a claim name",
        ));
    }
    Ok(ClaimPath(out))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> ClaimPath {
        ClaimPath::parse(text).unwrap()
    }

    #[test]
    fn claims_path_processing_follows_section_7() {
        // The example credential of §7.3.
        let cred = json!({
            "name": "Arthur Dent",
            "address": {"street_address": "42 Market Street", "locality": "Milliways", "postal_code": "12345"},
            "degrees": [
                {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
                {"type": "Master of Science", "university": "University of Betelgeuse"}
            ],
            "nationalities": ["British", "Betelgeusian"]
        });
        assert_eq!(select_claims(&cred, &p("name"))[0].1, "Arthur Dent");
        assert_eq!(
            select_claims(&cred, &p("address.street_address"))[0].1,
            "42 Market Street"
        );
        let types = select_claims(&cred, &p("degrees[].type"));
        assert_eq!(types.len(), 2);
        assert_eq!(types[1].0, p("degrees[1].type"));
        assert_eq!(
            select_claims(&cred, &p("nationalities[1]"))[0].1,
            "Betelgeusian"
        );
        // Errors: a key on an array, an index on an object, nothing selected.
        assert!(select_claims(&cred, &p("degrees.type")).is_empty());
        assert!(select_claims(&cred, &p("address[0]")).is_empty());
        assert!(select_claims(&cred, &p("nationalities[2]")).is_empty());
        assert!(select_claims(&cred, &p("missing")).is_empty());
    }

    #[test]
    fn ids_are_checked() {
        assert!(is_valid_id("my_credential-1"));
        for bad in ["", "a b", "é", "a.b", "a/b", &"x".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
