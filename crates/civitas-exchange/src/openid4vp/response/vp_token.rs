//! The VP Token (§8.1): presentations by Credential Query id, its JSON form, and the
//! shape every presentation must have (a compact SD-JWT+KB).

use crate::openid4vp::dcql::DcqlQuery;
use crate::openid4vp::error::{DcqlError, Error, InputError, ResponseError, Result, shorten};
use crate::openid4vp::json::{as_array, as_str, parse_strict};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Longest `direct_post` body accepted, in bytes.
pub const MAX_BODY_LEN: usize = 1024 * 1024;
/// Most presentations in one VP Token.
pub const MAX_PRESENTATIONS: usize = 32;
/// Longest presentation accepted, in bytes (as `civitas-credential` accepts).
pub const MAX_PRESENTATION_LEN: usize = civitas_credential::sd::MAX_INPUT;

/// A VP Token (§8.1): for each answered Credential Query, one presentation (several
/// when the query allows `multiple`). SD-JWT VC presentations are strings (compact
/// SD-JWT+KB). Entries are kept sorted by id, so the JSON is deterministic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VpToken {
    entries: BTreeMap<String, Vec<String>>,
}

impl VpToken {
    /// An empty token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the presentations answering `query_id`: a valid id not already present, a
    /// non-empty list, each a well-formed compact SD-JWT, at most
    /// [`MAX_PRESENTATIONS`] in the whole token.
    pub fn insert(&mut self, query_id: &str, presentations: Vec<String>) -> Result<()> {
        if !crate::openid4vp::dcql::is_valid_id(query_id) {
            return Err(DcqlError::InvalidId {
                field: "vp_token".into(),
                id: shorten(query_id, 40),
            }
            .into());
        }
        if self.entries.contains_key(query_id) {
            return Err(DcqlError::DuplicateCredentialId(query_id.to_string()).into());
        }
        if presentations.is_empty() {
            return Err(InputError::EmptyArray {
                field: format!("vp_token.{query_id}"),
            }
            .into());
        }
        if self.len() + presentations.len() > MAX_PRESENTATIONS {
            return Err(InputError::TooMany {
                field: "vp_token".into(),
                max: MAX_PRESENTATIONS,
            }
            .into());
        }
        for (index, p) in presentations.iter().enumerate() {
            check_presentation(query_id, index, p)?;
        }
        self.entries.insert(query_id.to_string(), presentations);
        Ok(())
    }

    /// The presentations answering `query_id`.
    pub fn get(&self, query_id: &str) -> Option<&[String]> {
        self.entries.get(query_id).map(Vec::as_slice)
    }

    /// Every `(query id, presentations)`, sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// How many presentations in all.
    pub fn len(&self) -> usize {
        self.entries.values().map(Vec::len).sum()
    }

    /// Whether the token holds no presentation.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The JSON text: `{"<query id>": ["<presentation>", …], …}`.
    pub fn to_json(&self) -> String {
        let map: Map<String, Value> = self
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .collect();
        Value::Object(map).to_string()
    }

    /// Parses the JSON text strictly: an object (duplicate keys refused) whose keys are
    /// valid ids and whose values are non-empty arrays of well-formed compact SD-JWTs.
    pub fn parse(text: &str) -> Result<Self> {
        let value = parse_strict(text.as_bytes(), "vp_token", MAX_BODY_LEN)?;
        let Value::Object(map) = value else {
            return Err(InputError::WrongType {
                field: "vp_token".into(),
                expected: "a JSON object",
            }
            .into());
        };
        if map.is_empty() {
            return Err(InputError::EmptyArray {
                field: "vp_token".into(),
            }
            .into());
        }
        let mut token = VpToken::new();
        for (id, list) in &map {
            let field = format!("vp_token.{}", shorten(id, 40));
            let items = as_array(list, &field, MAX_PRESENTATIONS)?;
            let presentations = items
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    as_str(p, &format!("{field}[{i}]"), MAX_PRESENTATION_LEN).map(str::to_string)
                })
                .collect::<Result<Vec<_>>>()?;
            token.insert(id, presentations)?;
        }
        Ok(token)
    }

    /// Checks the token's shape against the request (§8.1): every key a Credential
    /// Query of the request, one presentation unless the query allows `multiple`, a
    /// key binding JWT on every presentation of a query that requires holder binding.
    pub fn check_against(&self, query: &DcqlQuery) -> Result<()> {
        for (id, presentations) in self.iter() {
            let q = query
                .get(id)
                .ok_or_else(|| ResponseError::UnexpectedCredentialQuery(id.to_string()))?;
            if presentations.len() > 1 && !q.allows_multiple() {
                return Err(ResponseError::TooManyPresentations {
                    query: id.to_string(),
                    count: presentations.len(),
                }
                .into());
            }
            if q.requires_holder_binding() {
                for (index, p) in presentations.iter().enumerate() {
                    let kb = p.rsplit('~').next().unwrap_or_default();
                    if kb.is_empty() || kb.split('.').count() != 3 {
                        return Err(ResponseError::MalformedPresentation {
                            query: id.to_string(),
                            index,
                            why: "no key binding JWT after the last '~'",
                        }
                        .into());
                    }
                }
            }
        }
        Ok(())
    }
}

impl serde::Serialize for VpToken {
    /// As the JSON object of [`VpToken::to_json`].
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.entries.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for VpToken {
    /// With every check of [`VpToken::insert`] (duplicate keys are caught by
    /// [`VpToken::parse`] only, as serde's own maps keep the last one).
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let entries = BTreeMap::<String, Vec<String>>::deserialize(deserializer)?;
        let mut token = VpToken::new();
        for (id, presentations) in entries {
            token
                .insert(&id, presentations)
                .map_err(serde::de::Error::custom)?;
        }
        Ok(token)
    }
}

/// A compact SD-JWT: base64url, `.` and `~` only, with a `~`, starting with a
/// three-part JWT.
fn check_presentation(query: &str, index: usize, p: &str) -> Result<()> {
    let bad = |why| {
        Error::from(ResponseError::MalformedPresentation {
            query: query.to_string(),
            index,
            why,
        })
    };
    if p.len() > MAX_PRESENTATION_LEN {
        return Err(bad("too long"));
    }
    if !p
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
    {
        return Err(bad("a character outside base64url, '.' and '~'"));
    }
    let issuer_jwt = p.split('~').next().unwrap_or_default();
    if !p.contains('~') || issuer_jwt.split('.').count() != 3 {
        return Err(bad(
            "not an SD-JWT (issuer JWT '~' disclosures '~' key binding JWT)",
        ));
    }
    Ok(())
}
