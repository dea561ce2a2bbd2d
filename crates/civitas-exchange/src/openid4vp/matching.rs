//! The Wallet's side of DCQL (OpenID4VP 1.0 §6.4): which held credentials answer which
//! Credential Query, exactly what a presentation would disclose, what is missing, and
//! what the holder may leave out.
//!
//! For each Credential Query, every held credential whose `vct` is one of
//! `meta.vct_values` (exactly: type inheritance is not followed) is a candidate. A
//! candidate is unusable when the query requires holder binding (the default) and the
//! credential has no valid `cnf`. For a usable one each Claims Query is applied with
//! the claims path semantics of §7 to the credential's claims (every disclosure
//! applied), keeping only values equal in type and value to one of `values` when
//! given; a claim query that selects nothing is missing (absent, or present with
//! another value). The claim options are tried in the Verifier's order (§6.4.1: the
//! first one the Wallet can satisfy): no `claims` is one empty option, `claims`
//! without `claim_sets` one option with all of them.
//!
//! In the chosen option, a claim is **required** when every satisfiable option asks
//! for it, **optional** otherwise: leaving optional claims out
//! ([`MatchReport::selection`]) picks the first satisfiable option that asks for none
//! of them, so what is disclosed is always exactly one option of the request. (The
//! counter's builder lists every subset of its optional claims, so any combination can
//! be left out.)
//!
//! The best candidate is the usable one whose chosen option comes first, the first in
//! the wallet's order among equals. Credential sets (§6.4.2) are satisfied by their
//! first option whose every Credential Query has a best candidate; without
//! `credential_sets` every Credential Query is required. [`MatchReport::to_present`]
//! lists the queries to answer.
//!
//! **Nothing the request did not ask for is disclosed**: a selection names only the
//! concrete claims an option selected, and [`civitas_credential::Credential::select`]
//! adds only the disclosures of those claims, everything inside them, and the
//! containers they sit in (disclosing `address.locality` reveals that `address`
//! exists, not its other selectively disclosable members). Members of a disclosed
//! container that are not separately disclosable are shown in
//! [`Candidate::also_revealed`] (§6.4: a presentation may contain claims that are not
//! selectively disclosable).

use super::dcql::{CredentialQuery, DcqlQuery};
use super::error::{MatchingError, Result};
use super::request::AuthorizationRequest;
use civitas_credential::{ClaimPath, Credential, PathElement};
use civitas_crypto::Signer;
use serde_json::Value;

/// What the wallet can answer to a request.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchReport {
    /// One entry per Credential Query, in the request's order.
    pub queries: Vec<QueryMatch>,
    /// The credential sets to satisfy (one required set per query when the request has
    /// no `credential_sets`).
    pub sets: Vec<SetMatch>,
    /// Whether every required set can be satisfied.
    pub satisfiable: bool,
}

/// The candidates for one Credential Query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryMatch {
    /// The Credential Query's id.
    pub query_id: String,
    /// Every held credential of an accepted type, in the wallet's order.
    pub candidates: Vec<Candidate>,
    /// Index into `candidates` of the one to present, if any satisfies the query.
    pub best: Option<usize>,
}

/// One held credential of an accepted type, and how it answers the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index of the credential in the slice given to [`match_request`].
    pub credential: usize,
    /// Its `vct`.
    pub vct: String,
    /// Why it cannot be used at all, if so.
    pub unusable: Option<Unusable>,
    /// Index of the chosen claim option (into `claim_sets`, or 0), when one is
    /// satisfied.
    pub claim_set: Option<usize>,
    /// Claims of the chosen option that every satisfiable option asks for.
    pub required: Vec<RequestedClaim>,
    /// Claims of the chosen option the holder may leave out.
    pub optional: Vec<RequestedClaim>,
    /// The disclosures a presentation of `required` and `optional` carries, by the
    /// path of the claim each reveals (containers included).
    pub disclosures: Vec<ClaimPath>,
    /// Claims such a presentation shows beyond the requested ones and the always
    /// visible ones: members of a disclosed claim that are not separately disclosable.
    pub also_revealed: Vec<ClaimPath>,
    /// When no option is satisfied: the claims of the closest option (fewest missing,
    /// most preferred among equals) that are missing.
    pub missing: Vec<MissingClaim>,
    /// Every satisfiable option, most preferred first: index and claims.
    options: Vec<(usize, Vec<RequestedClaim>)>,
}

/// Why a credential of an accepted type cannot answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// Holder binding is required and the credential has no `cnf`.
    NoHolderBinding,
    /// Its `cnf` is malformed.
    InvalidHolderBinding,
}

/// A requested claim and what it selects in the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedClaim {
    /// The Claims Query's id, if any.
    pub id: Option<String>,
    /// The path as requested (may contain "all elements").
    pub path: ClaimPath,
    /// The concrete claims selected (and matching `values`, if given).
    pub selected: Vec<ClaimPath>,
}

/// A requested claim the credential cannot provide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingClaim {
    /// The Claims Query's id, if any.
    pub id: Option<String>,
    /// The path as requested.
    pub path: ClaimPath,
    /// Why.
    pub reason: MissingReason,
}

/// Why a requested claim is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingReason {
    /// The credential has no such claim.
    Absent,
    /// The claim exists but none of its values is among the requested `values`.
    ValueMismatch,
}

/// How one credential set is satisfied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMatch {
    /// Whether the set is required.
    pub required: bool,
    /// Its options (Credential Query ids).
    pub options: Vec<Vec<String>>,
    /// The first option whose every query has a best candidate.
    pub chosen: Option<usize>,
}

/// Matches `request` against the wallet's `credentials`.
pub fn match_request(request: &AuthorizationRequest, credentials: &[Credential]) -> MatchReport {
    match_query(request.dcql_query(), credentials)
}

/// Matches a DCQL query against the wallet's `credentials`.
pub fn match_query(query: &DcqlQuery, credentials: &[Credential]) -> MatchReport {
    let queries: Vec<QueryMatch> = query
        .credentials
        .iter()
        .map(|q| match_credential_query(q, credentials))
        .collect();
    let answered = |id: &String| {
        queries
            .iter()
            .any(|m| &m.query_id == id && m.best.is_some())
    };
    let sets: Vec<SetMatch> = query
        .effective_sets()
        .into_iter()
        .map(|(required, options)| {
            let chosen = options.iter().position(|o| o.iter().all(answered));
            SetMatch {
                required,
                options,
                chosen,
            }
        })
        .collect();
    let satisfiable = sets.iter().all(|s| !s.required || s.chosen.is_some());
    MatchReport {
        queries,
        sets,
        satisfiable,
    }
}

fn match_credential_query(query: &CredentialQuery, credentials: &[Credential]) -> QueryMatch {
    let candidates: Vec<Candidate> = credentials
        .iter()
        .enumerate()
        .filter(|(_, c)| query.vct_values.iter().any(|v| v == c.vct()))
        .map(|(i, c)| evaluate(query, i, c))
        .collect();
    let best = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.claim_set.map(|s| (s, i)))
        .min()
        .map(|(_, i)| i);
    QueryMatch {
        query_id: query.id.clone(),
        candidates,
        best,
    }
}

fn evaluate(query: &CredentialQuery, index: usize, credential: &Credential) -> Candidate {
    let mut candidate = Candidate {
        credential: index,
        vct: credential.vct().to_string(),
        unusable: None,
        claim_set: None,
        required: Vec::new(),
        optional: Vec::new(),
        disclosures: Vec::new(),
        also_revealed: Vec::new(),
        missing: Vec::new(),
        options: Vec::new(),
    };
    if query.requires_holder_binding() {
        candidate.unusable = match credential.holder() {
            Ok(Some(_)) => None,
            Ok(None) => Some(Unusable::NoHolderBinding),
            Err(_) => Some(Unusable::InvalidHolderBinding),
        };
        if candidate.unusable.is_some() {
            return candidate;
        }
    }
    let root = Value::Object(credential.claims().clone());
    let claims = query.claims.as_deref().unwrap_or_default();
    // Each Claims Query evaluated once: what it selects, or why it is missing.
    let evaluated: Vec<std::result::Result<RequestedClaim, MissingClaim>> = claims
        .iter()
        .map(|c| {
            let selected: Vec<ClaimPath> = c.select(&root).into_iter().map(|(p, _)| p).collect();
            if selected.is_empty() {
                let reason = if c.values.is_some()
                    && !super::dcql::select_claims(&root, &c.path).is_empty()
                {
                    MissingReason::ValueMismatch
                } else {
                    MissingReason::Absent
                };
                Err(MissingClaim {
                    id: c.id.clone(),
                    path: c.path.clone(),
                    reason,
                })
            } else {
                Ok(RequestedClaim {
                    id: c.id.clone(),
                    path: c.path.clone(),
                    selected,
                })
            }
        })
        .collect();
    let options = query.claim_options();
    for (o, members) in options.iter().enumerate() {
        if members.iter().all(|&i| evaluated[i].is_ok()) {
            let claims = members
                .iter()
                .filter_map(|&i| evaluated[i].as_ref().ok().cloned())
                .collect();
            candidate.options.push((o, claims));
        }
    }
    let Some((chosen, chosen_claims)) = candidate.options.first().cloned() else {
        // The closest option: fewest missing claims, the most preferred among equals.
        let closest = options
            .iter()
            .min_by_key(|members| members.iter().filter(|&&i| evaluated[i].is_err()).count());
        candidate.missing = closest
            .into_iter()
            .flatten()
            .filter_map(|&i| evaluated[i].as_ref().err().cloned())
            .collect();
        return candidate;
    };
    candidate.claim_set = Some(chosen);
    for claim in chosen_claims {
        let everywhere = candidate
            .options
            .iter()
            .all(|(_, claims)| claims.iter().any(|c| c.path == claim.path));
        if everywhere {
            candidate.required.push(claim);
        } else {
            candidate.optional.push(claim);
        }
    }
    // An optional claim inside a required one (`address.locality` with `address`)
    // is disclosed anyway: it is not the holder's to leave out.
    let (inside, optional): (Vec<_>, Vec<_>) = std::mem::take(&mut candidate.optional)
        .into_iter()
        .partition(|o| {
            o.selected
                .iter()
                .all(|s| candidate.required.iter().any(|r| r.path.covers(s)))
        });
    candidate.optional = optional;
    candidate.required.extend(inside);
    let selection = candidate.selection(&[]).unwrap_or_default();
    (candidate.disclosures, candidate.also_revealed) = inspect(credential, &selection);
    candidate
}

/// The disclosures a presentation of `selection` carries (what
/// [`Credential::select`] picks: the claims named, everything inside them, the
/// containers they sit in), and the claims it reveals beyond the selection and the
/// always visible ones. All paths are the credential's own (with every disclosure
/// applied), so array indices are those the holder sees.
fn inspect(credential: &Credential, selection: &[ClaimPath]) -> (Vec<ClaimPath>, Vec<ClaimPath>) {
    let all: Vec<ClaimPath> = credential
        .disclosable()
        .into_iter()
        .map(|d| d.path)
        .collect();
    let disclosed: Vec<ClaimPath> = all
        .iter()
        .filter(|p| {
            selection
                .iter()
                .any(|s| s.covers(p) || ClaimPath::is_needed_by(p, s))
        })
        .cloned()
        .collect();
    let also = leaves(&Value::Object(credential.claims().clone()))
        .into_iter()
        .filter(|leaf| {
            // Visible when every disclosure on its way is included, and not always
            // visible (at least one is needed).
            let mut on_the_way = all.iter().filter(|d| d.covers(leaf)).peekable();
            on_the_way.peek().is_some() && on_the_way.all(|d| disclosed.contains(d))
        })
        .filter(|leaf| !selection.iter().any(|s| s.covers(leaf)))
        .collect();
    (disclosed, also)
}

/// The concrete paths of every scalar (and empty container) in `value`.
fn leaves(value: &Value) -> Vec<ClaimPath> {
    fn walk(value: &Value, at: &mut ClaimPath, out: &mut Vec<ClaimPath>) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    at.0.push(PathElement::Key(k.clone()));
                    walk(v, at, out);
                    at.0.pop();
                }
            }
            Value::Array(items) if !items.is_empty() => {
                for (i, v) in items.iter().enumerate() {
                    at.0.push(PathElement::Index(i));
                    walk(v, at, out);
                    at.0.pop();
                }
            }
            _ => out.push(at.clone()),
        }
    }
    let mut out = Vec::new();
    walk(value, &mut ClaimPath::default(), &mut out);
    out
}

impl Candidate {
    /// Whether this credential satisfies the query.
    pub fn satisfies(&self) -> bool {
        self.claim_set.is_some()
    }

    /// The claims to present, leaving out `drop_optional` (paths as in
    /// [`Candidate::optional`]): the concrete claims of the first satisfiable option
    /// that asks for none of them, nor for a claim containing one of them (leaving out
    /// `address.locality` also leaves out an optional `address`). Feed it to
    /// [`Credential::present`](civitas_credential::Credential::present).
    pub fn selection(&self, drop_optional: &[ClaimPath]) -> Result<Vec<ClaimPath>> {
        self.selection_for("", drop_optional)
    }

    fn selection_for(&self, query_id: &str, drop: &[ClaimPath]) -> Result<Vec<ClaimPath>> {
        if !self.satisfies() {
            return Err(MatchingError::NotSatisfiable(query_id.to_string()).into());
        }
        for path in drop {
            if !self.optional.iter().any(|c| &c.path == path) {
                return Err(MatchingError::NotOptional {
                    query: query_id.to_string(),
                    path: super::error::shorten(&path.to_string(), 80),
                }
                .into());
            }
        }
        // What leaving those claims out must keep hidden: their concrete claims, also
        // when another claim of an option would contain them (`address` holds
        // `address.locality`).
        let hidden: Vec<&ClaimPath> = self
            .optional
            .iter()
            .filter(|c| drop.contains(&c.path))
            .flat_map(|c| &c.selected)
            .collect();
        let (_, claims) = self
            .options
            .iter()
            .find(|(_, claims)| {
                !claims.iter().any(|c| {
                    drop.contains(&c.path)
                        || c.selected
                            .iter()
                            .any(|s| hidden.iter().any(|h| s.covers(h)))
                })
            })
            .ok_or_else(|| MatchingError::NotSatisfiable(query_id.to_string()))?;
        let mut out: Vec<ClaimPath> = Vec::new();
        for path in claims.iter().flat_map(|c| &c.selected) {
            if !out.contains(path) {
                out.push(path.clone());
            }
        }
        Ok(out)
    }
}

impl MatchReport {
    /// The entry of Credential Query `query_id`.
    pub fn query(&self, query_id: &str) -> Option<&QueryMatch> {
        self.queries.iter().find(|q| q.query_id == query_id)
    }

    /// The best candidate for `query_id`, if any satisfies it.
    pub fn best(&self, query_id: &str) -> Option<&Candidate> {
        let q = self.query(query_id)?;
        q.best.and_then(|i| q.candidates.get(i))
    }

    /// The Credential Queries to answer, in the request's order: those of the chosen
    /// option of every satisfiable set. Empty when a required set cannot be satisfied
    /// (§6.4.2: then no credential at all is returned).
    pub fn to_present(&self) -> Vec<&str> {
        if !self.satisfiable {
            return Vec::new();
        }
        self.queries
            .iter()
            .map(|q| q.query_id.as_str())
            .filter(|id| {
                self.sets.iter().any(|s| {
                    s.chosen
                        .is_some_and(|c| s.options[c].iter().any(|o| o == id))
                })
            })
            .collect()
    }

    /// The claims to present for `query_id` with its best candidate, leaving out
    /// `drop_optional` (see [`Candidate::selection`]).
    pub fn selection(&self, query_id: &str, drop_optional: &[ClaimPath]) -> Result<Vec<ClaimPath>> {
        let query = self
            .query(query_id)
            .ok_or_else(|| MatchingError::UnknownQuery(query_id.to_string()))?;
        let best = query
            .best
            .and_then(|i| query.candidates.get(i))
            .ok_or_else(|| MatchingError::NotSatisfiable(query_id.to_string()))?;
        best.selection_for(query_id, drop_optional)
    }

    /// The presentation answering `query_id` with its best candidate among
    /// `credentials` (the slice given to [`match_request`]): the selection without
    /// `drop_optional`, bound by a key binding JWT signed by `holder` at `iat` to the
    /// request's nonce and, as `aud`, its Client Identifier (Appendix B.3.6).
    pub fn present(
        &self,
        request: &AuthorizationRequest,
        credentials: &[Credential],
        query_id: &str,
        drop_optional: &[ClaimPath],
        holder: &dyn Signer,
        iat: i64,
    ) -> Result<String> {
        let selection = self.selection(query_id, drop_optional)?;
        let best = self
            .best(query_id)
            .ok_or_else(|| MatchingError::NotSatisfiable(query_id.to_string()))?;
        let credential = credentials
            .get(best.credential)
            .ok_or_else(|| MatchingError::NotSatisfiable(query_id.to_string()))?;
        Ok(credential.present(
            &selection,
            holder,
            request.nonce(),
            request.client_id().as_str(),
            iat,
        )?)
    }
}
