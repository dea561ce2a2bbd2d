//! A counter's terms as DCQL and back: required claims plus optional ones become
//! `claim_sets` ([`CredentialQuery::with_claims`]); the first, fullest option splits
//! back into required and optional ([`CredentialQuery::required_and_optional`]);
//! [`CredentialQuery::claim_options`] lists the acceptable combinations.

use super::{ClaimsQuery, CredentialQuery};
use crate::openid4vp::error::{DcqlError, Result};
use civitas_credential::ClaimPath;

/// Most optional claims [`CredentialQuery::with_claims`] takes: each subset of them
/// becomes a `claim_sets` option, 2⁵ = 32 at most.
pub const MAX_OPTIONAL_CLAIMS: usize = 5;

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
            return Err(DcqlError::TooManyOptionalClaims {
                max: MAX_OPTIONAL_CLAIMS,
            }
            .into());
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
}
