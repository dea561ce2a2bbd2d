//! Whether verified presentations satisfy the request's DCQL query (§8.6 step 3,
//! §6.4), what is unmet, and assigning scanned presentations to Credential Queries.

use crate::openid4vp::dcql::{CredentialQuery, DcqlQuery};
use crate::openid4vp::error::shorten;
use crate::openid4vp::matching::{MissingClaim, MissingReason};
use crate::openid4vp::request::AuthorizationRequest;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;

/// The claims of each verified presentation, by the Credential Query it answers: the
/// verifier's `claims` (disclosed and always visible, SD-JWT machinery removed).
pub type VerifiedClaims = HashMap<String, Vec<Map<String, Value>>>;

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
                    && !crate::openid4vp::dcql::select_claims(&root, &c.path).is_empty()
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
