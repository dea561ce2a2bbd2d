//! The Authorization Response (OpenID4VP 1.0 §8): the VP Token, the `direct_post`
//! body, and the check that verified presentations satisfy the DCQL query.
//!
//! Verifying each presentation (signatures, key binding to the request's `nonce` and
//! Client Identifier, trust, status) is `civitas-verifier`'s work, above this crate;
//! [`check_dcql_satisfied`] takes its results and does the rest of §8.6.

use super::dcql::{CredentialQuery, DcqlQuery};
use super::error::{Error, Result, shorten};
use super::json::{as_array, as_str, parse_strict};
use super::matching::{MissingClaim, MissingReason};
use super::request::AuthorizationRequest;
use super::{MAX_TOKEN_LEN, form};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The claims of each verified presentation, by the Credential Query it answers: the
/// verifier's `claims` (disclosed and always visible, SD-JWT machinery removed).
pub type VerifiedClaims = HashMap<String, Vec<Map<String, Value>>>;

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
        if !super::dcql::is_valid_id(query_id) {
            return Err(Error::InvalidId {
                field: "vp_token".into(),
                id: shorten(query_id, 40),
            });
        }
        if self.entries.contains_key(query_id) {
            return Err(Error::DuplicateCredentialId(query_id.to_string()));
        }
        if presentations.is_empty() {
            return Err(Error::EmptyArray {
                field: format!("vp_token.{query_id}"),
            });
        }
        if self.len() + presentations.len() > MAX_PRESENTATIONS {
            return Err(Error::TooMany {
                field: "vp_token".into(),
                max: MAX_PRESENTATIONS,
            });
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
            return Err(Error::WrongType {
                field: "vp_token".into(),
                expected: "a JSON object",
            });
        };
        if map.is_empty() {
            return Err(Error::EmptyArray {
                field: "vp_token".into(),
            });
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
                .ok_or_else(|| Error::UnexpectedCredentialQuery(id.to_string()))?;
            if presentations.len() > 1 && !q.allows_multiple() {
                return Err(Error::TooManyPresentations {
                    query: id.to_string(),
                    count: presentations.len(),
                });
            }
            if q.requires_holder_binding() {
                for (index, p) in presentations.iter().enumerate() {
                    let kb = p.rsplit('~').next().unwrap_or_default();
                    if kb.is_empty() || kb.split('.').count() != 3 {
                        return Err(Error::MalformedPresentation {
                            query: id.to_string(),
                            index,
                            why: "no key binding JWT after the last '~'",
                        });
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
    let bad = |why| Error::MalformedPresentation {
        query: query.to_string(),
        index,
        why,
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

/// A successful Authorization Response: the VP Token and the request's `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationResponse {
    /// The presentations.
    pub vp_token: VpToken,
    /// The request's `state`, echoed.
    pub state: Option<String>,
}

/// An Authorization Error Response (§8.5, RFC 6749 §4.1.2.1), as a Wallet posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The error code (`access_denied`, `invalid_request`, `vp_formats_not_supported`…).
    pub error: String,
    /// A human-readable description, if given.
    pub error_description: Option<String>,
    /// The request's `state`, echoed.
    pub state: Option<String>,
}

/// What a Wallet posts to the Response URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectPostBody {
    /// Presentations.
    Response(AuthorizationResponse),
    /// A refusal or failure.
    Error(ErrorResponse),
}

impl AuthorizationResponse {
    /// The response to `request`: `vp_token` checked against its query
    /// ([`VpToken::check_against`]), its `state` echoed.
    pub fn for_request(request: &AuthorizationRequest, vp_token: VpToken) -> Result<Self> {
        vp_token.check_against(request.dcql_query())?;
        Ok(AuthorizationResponse {
            vp_token,
            state: request.state().map(str::to_string),
        })
    }

    /// The `application/x-www-form-urlencoded` body: `vp_token=…[&state=…]`.
    pub fn to_form(&self) -> String {
        let token = self.vp_token.to_json();
        let mut pairs = vec![("vp_token", token.as_str())];
        if let Some(state) = &self.state {
            pairs.push(("state", state.as_str()));
        }
        form::serialize(pairs)
    }

    /// Checks the response against the request it answers: the same `state` (none if
    /// the request had none), and the VP Token's shape.
    pub fn check(&self, request: &AuthorizationRequest) -> Result<()> {
        if self.state.as_deref() != request.state() {
            return Err(Error::StateMismatch);
        }
        self.vp_token.check_against(request.dcql_query())
    }
}

/// Parses a `direct_post` body (§8.2): form-encoded, UTF-8, no parameter twice, at
/// most [`MAX_BODY_LEN`] bytes. `vp_token` makes a response, `error` an error
/// response; both, or neither, is refused, and so is `response` (the encrypted
/// `direct_post.jwt`, not supported). Other parameters are ignored (§8.1).
pub fn parse_direct_post(body: &str) -> Result<DirectPostBody> {
    if body.len() > MAX_BODY_LEN {
        return Err(Error::TooLong {
            what: "the direct_post body",
            len: body.len(),
            max: MAX_BODY_LEN,
        });
    }
    let body = body.trim_end_matches(['\r', '\n']);
    let pairs = form::parse(body)?;
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if get("response").is_some() {
        return Err(Error::UnsupportedResponseMode("direct_post.jwt".into()));
    }
    let state = get("state")
        .map(|s| {
            if s.len() > MAX_TOKEN_LEN || !s.bytes().all(form::is_unreserved) {
                Err(Error::InvalidToken {
                    param: "state",
                    max: MAX_TOKEN_LEN,
                })
            } else {
                Ok(s.to_string())
            }
        })
        .transpose()?;
    match (get("vp_token"), get("error")) {
        (Some(_), Some(_)) => Err(Error::UnsupportedParameter("error")),
        (None, None) => Err(Error::MissingParameter("vp_token")),
        (Some(token), None) => Ok(DirectPostBody::Response(AuthorizationResponse {
            vp_token: VpToken::parse(token)?,
            state,
        })),
        (None, Some(error)) => {
            // RFC 6749 §4.1.2.1: error and error_description use %x20-21 / %x23-5B /
            // %x5D-7E.
            let ok = |s: &str| {
                s.len() <= 1024
                    && s.bytes()
                        .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\')
            };
            let description = get("error_description");
            if !ok(error) || description.is_some_and(|d| !ok(d)) {
                return Err(Error::WrongType {
                    field: "error".into(),
                    expected: "printable ASCII without '\"' or '\\'",
                });
            }
            Ok(DirectPostBody::Error(ErrorResponse {
                error: error.to_string(),
                error_description: description.map(str::to_string),
                state,
            }))
        }
    }
}

/// Why a response does not satisfy the request's DCQL query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unmet {
    /// Presentations for a Credential Query the request does not have.
    UnexpectedQuery {
        /// The id.
        query_id: String,
    },
    /// Several presentations for a query without `multiple`.
    TooManyPresentations {
        /// The query.
        query_id: String,
        /// How many.
        count: usize,
    },
    /// A required Credential Query (no `credential_sets`) was not answered.
    NoPresentation {
        /// The query.
        query_id: String,
    },
    /// A presentation of a type the query does not accept.
    TypeNotAccepted {
        /// The query.
        query_id: String,
        /// Index of the presentation.
        index: usize,
        /// Its `vct` (empty if none).
        vct: String,
    },
    /// A presentation that satisfies none of the query's claim options: the claims of
    /// the closest option that are missing.
    MissingClaims {
        /// The query.
        query_id: String,
        /// Index of the presentation.
        index: usize,
        /// What is missing.
        missing: Vec<MissingClaim>,
    },
    /// A required credential set none of whose options is fully answered.
    SetUnsatisfied {
        /// Index in `credential_sets`.
        set: usize,
        /// Its options.
        options: Vec<Vec<String>>,
    },
}

impl Unmet {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Unmet::UnexpectedQuery { .. } => "dcql.unexpected_query",
            Unmet::TooManyPresentations { .. } => "dcql.too_many_presentations",
            Unmet::NoPresentation { .. } => "dcql.no_presentation",
            Unmet::TypeNotAccepted { .. } => "dcql.type_not_accepted",
            Unmet::MissingClaims { .. } => "dcql.missing_claims",
            Unmet::SetUnsatisfied { .. } => "dcql.set_unsatisfied",
        }
    }
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unmet::UnexpectedQuery { query_id } => {
                write!(f, "'{query_id}' was not asked for")
            }
            Unmet::TooManyPresentations { query_id, count } => {
                write!(
                    f,
                    "{count} presentations for '{query_id}', which allows one"
                )
            }
            Unmet::NoPresentation { query_id } => write!(f, "no presentation for '{query_id}'"),
            Unmet::TypeNotAccepted {
                query_id,
                index,
                vct,
            } => write!(
                f,
                "presentation {index} for '{query_id}' is of type '{}', which it does not accept",
                shorten(vct, 80)
            ),
            Unmet::MissingClaims {
                query_id,
                index,
                missing,
            } => {
                write!(f, "presentation {index} for '{query_id}' lacks ")?;
                for (i, m) in missing.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    let why = match m.reason {
                        MissingReason::Absent => "",
                        MissingReason::ValueMismatch => " (other value)",
                    };
                    write!(f, "{sep}{}{why}", m.path)?;
                }
                Ok(())
            }
            Unmet::SetUnsatisfied { set, options } => {
                write!(
                    f,
                    "credential set {set} is not satisfied (options: {options:?})"
                )
            }
        }
    }
}

/// The outcome of [`check_dcql_satisfied`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DcqlCheck {
    /// The Credential Queries answered by presentations that meet every constraint, in
    /// the request's order.
    pub answered: Vec<String>,
    /// Why the response does not satisfy the query; empty when it does.
    pub unmet: Vec<Unmet>,
    /// Problems of presentations the response did not need: those presentations are
    /// to be discarded (§8.6), the response stands.
    pub discarded: Vec<Unmet>,
}

impl DcqlCheck {
    /// Whether the response satisfies the query.
    pub fn is_satisfied(&self) -> bool {
        self.unmet.is_empty()
    }
}

/// Checks that presentations, each already verified (by `civitas-verifier`, against
/// the request's nonce and Client Identifier), satisfy `request`'s DCQL query (§8.6
/// step 3, §6.4): `verified` maps each answered Credential Query id to the claims of
/// each of its presentations (disclosed and always visible, SD-JWT machinery removed:
/// the verifier's `claims`). For each presentation: its `vct` is accepted and one of
/// the query's claim options is met (values included). Then every required credential
/// set (every query, without `credential_sets`) must have an option whose queries are
/// all answered. A Verifier must not rely on the Wallet for any of this (§14.7).
pub fn check_dcql_satisfied(
    request: &AuthorizationRequest,
    verified: &VerifiedClaims,
) -> DcqlCheck {
    check_dcql(request.dcql_query(), verified)
}

/// [`check_dcql_satisfied`] for a bare DCQL query.
pub fn check_dcql(query: &DcqlQuery, verified: &VerifiedClaims) -> DcqlCheck {
    let mut check = DcqlCheck::default();
    let mut problems: Vec<(String, Unmet)> = Vec::new();
    let mut ids: Vec<&String> = verified.keys().collect();
    ids.sort();
    for id in ids {
        if query.get(id).is_none() {
            check.unmet.push(Unmet::UnexpectedQuery {
                query_id: id.clone(),
            });
        }
    }
    for q in &query.credentials {
        let Some(presentations) = verified.get(&q.id) else {
            continue;
        };
        if presentations.len() > 1 && !q.allows_multiple() {
            check.unmet.push(Unmet::TooManyPresentations {
                query_id: q.id.clone(),
                count: presentations.len(),
            });
            continue;
        }
        // A presentation that fails is discarded (§8.6); the query is answered if one
        // remains.
        let mut any_ok = false;
        for (index, claims) in presentations.iter().enumerate() {
            match check_presentation_claims(q, index, claims) {
                Some(problem) => problems.push((q.id.clone(), problem)),
                None => any_ok = true,
            }
        }
        if any_ok {
            check.answered.push(q.id.clone());
        }
    }
    let answered = |id: &String| check.answered.contains(id);
    let mut failing_sets = Vec::new();
    for (set, (required, options)) in query.effective_sets().into_iter().enumerate() {
        if required && !options.iter().any(|o| o.iter().all(answered)) {
            failing_sets.push((set, options));
        }
    }
    for (set, options) in failing_sets {
        // The reasons of the presentations that could have satisfied it.
        for (id, problem) in &problems {
            if options.iter().flatten().any(|o| o == id) && !check.unmet.contains(problem) {
                check.unmet.push(problem.clone());
            }
        }
        match &query.credential_sets {
            Some(_) => check.unmet.push(Unmet::SetUnsatisfied { set, options }),
            None => {
                let id = options.into_iter().flatten().next().unwrap_or_default();
                if !verified.contains_key(&id) {
                    check.unmet.push(Unmet::NoPresentation { query_id: id });
                }
            }
        }
    }
    for (_, problem) in problems {
        if !check.unmet.contains(&problem) {
            check.discarded.push(problem);
        }
    }
    check
}

/// For a counter without network, which receives presentations as scanned `CIV1` QR
/// codes rather than a VP Token: assigns each verified presentation (its claims, as
/// for [`check_dcql_satisfied`]) to a Credential Query, the first whose type and claim
/// options it satisfies, else the first that accepts its type. Presentations no query
/// accepts are returned apart. The result feeds [`check_dcql_satisfied`].
pub fn assign_to_queries(
    query: &DcqlQuery,
    presentations: Vec<Map<String, Value>>,
) -> (VerifiedClaims, Vec<Map<String, Value>>) {
    let mut assigned = VerifiedClaims::new();
    let mut unassigned = Vec::new();
    for claims in presentations {
        let vct = claims
            .get("vct")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let accepts = |q: &&CredentialQuery| q.vct_values.iter().any(|v| v == vct);
        let taken = |q: &&CredentialQuery| {
            !q.allows_multiple() && assigned.get(&q.id).is_some_and(|v| !v.is_empty())
        };
        let target = query
            .credentials
            .iter()
            .filter(accepts)
            .filter(|q| !taken(q))
            .find(|q| check_presentation_claims(q, 0, &claims).is_none())
            .or_else(|| query.credentials.iter().filter(accepts).find(|q| !taken(q)))
            .map(|q| q.id.clone());
        match target {
            Some(id) => assigned.entry(id).or_default().push(claims),
            None => unassigned.push(claims),
        }
    }
    (assigned, unassigned)
}

fn check_presentation_claims(
    query: &CredentialQuery,
    index: usize,
    claims: &Map<String, Value>,
) -> Option<Unmet> {
    let vct = claims
        .get("vct")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !query.vct_values.iter().any(|v| v == vct) {
        return Some(Unmet::TypeNotAccepted {
            query_id: query.id.clone(),
            index,
            vct: vct.to_string(),
        });
    }
    let root = Value::Object(claims.clone());
    let all = query.claims.as_deref().unwrap_or_default();
    let missing_in = |option: &Vec<usize>| -> Vec<MissingClaim> {
        option
            .iter()
            .filter_map(|&i| all.get(i))
            .filter(|c| c.select(&root).is_empty())
            .map(|c| MissingClaim {
                id: c.id.clone(),
                path: c.path.clone(),
                reason: if c.values.is_some()
                    && !super::dcql::select_claims(&root, &c.path).is_empty()
                {
                    MissingReason::ValueMismatch
                } else {
                    MissingReason::Absent
                },
            })
            .collect()
    };
    let options = query.claim_options();
    let per_option: Vec<Vec<MissingClaim>> = options.iter().map(missing_in).collect();
    if per_option.iter().any(Vec::is_empty) {
        return None;
    }
    let closest = per_option
        .into_iter()
        .min_by_key(Vec::len)
        .unwrap_or_default();
    Some(Unmet::MissingClaims {
        query_id: query.id.clone(),
        index,
        missing: closest,
    })
}
