//! The holder's view of a credential: parse, inspect, choose what to disclose, present.

use crate::error::Part;
use crate::issue::sign_jws;
use crate::model::{HolderBinding, StatusRef, TYP_KB_JWT, opt_time, req_str};
use crate::path::ClaimPath;
use crate::sd::{self, Disclosure, Processed, parse_jws};
use crate::{Error, Result};
use civitas_crypto::{Signer, b64};
use serde_json::{Map, Value, json};

/// An SD-JWT VC as its holder keeps it: the issuer-signed JWT and every disclosure.
/// Parsing checks structure and the §7.1 disclosure rules, not the issuer's
/// signature (see [`crate::verify`] for that).
#[derive(Debug, Clone)]
pub struct Credential {
    issuer_jwt: String,
    disclosures: Vec<Disclosure>,
    processed: Processed,
    header: Map<String, Value>,
    payload: Map<String, Value>,
}

/// What the holder sees of one selectively disclosable claim.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosable {
    /// Where the claim sits.
    pub path: ClaimPath,
    /// Its value.
    pub value: Value,
}

impl Credential {
    /// Parses an issued SD-JWT VC (`jwt~d1~…~dn~`); a trailing key binding JWT, if
    /// present, is ignored.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        sd::explain(text, || Self::parse_inner(text))
    }

    fn parse_inner(text: &str) -> Result<Self> {
        let mut buf = Vec::new();
        let compact = sd::split(text, &mut buf)?;
        let jws = parse_jws(compact.issuer_jwt, Part::Issuer)?;
        let disclosures = compact
            .disclosures
            .iter()
            .map(|d| Disclosure::parse(d))
            .collect::<Result<Vec<_>>>()?;
        let processed = sd::process(jws.payload.clone(), &disclosures)?;
        req_str(&processed.claims, "iss")?;
        req_str(&processed.claims, "vct")?;
        Ok(Credential {
            issuer_jwt: compact.issuer_jwt.to_string(),
            disclosures,
            processed,
            header: jws.header,
            payload: jws.payload,
        })
    }

    /// The issuer (`iss`).
    pub fn issuer(&self) -> &str {
        self.claim_str("iss").unwrap_or_default()
    }

    /// The credential type (`vct`).
    pub fn vct(&self) -> &str {
        self.claim_str("vct").unwrap_or_default()
    }

    /// The signing key id (`kid` header).
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    fn claim_str(&self, name: &str) -> Option<&str> {
        self.processed.claims.get(name).and_then(Value::as_str)
    }

    /// Issued at.
    pub fn iat(&self) -> Option<i64> {
        opt_time(&self.processed.claims, "iat").ok().flatten()
    }

    /// Expiry.
    pub fn exp(&self) -> Option<i64> {
        opt_time(&self.processed.claims, "exp").ok().flatten()
    }

    /// Not before.
    pub fn nbf(&self) -> Option<i64> {
        opt_time(&self.processed.claims, "nbf").ok().flatten()
    }

    /// The holder binding, if any.
    pub fn holder(&self) -> Result<Option<HolderBinding>> {
        self.processed
            .claims
            .get("cnf")
            .map(HolderBinding::from_cnf)
            .transpose()
    }

    /// The status list reference, if any.
    pub fn status(&self) -> Result<Option<StatusRef>> {
        match self.processed.claims.get("status") {
            None => Ok(None),
            Some(s) => StatusRef::from_claim(s),
        }
    }

    /// Every claim, with all disclosures applied.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.processed.claims
    }

    /// The claims a presentation can leave out, with their paths.
    pub fn disclosable(&self) -> Vec<Disclosable> {
        self.disclosures
            .iter()
            .zip(&self.processed.paths)
            .map(|(d, p)| Disclosable {
                path: p.clone(),
                value: d.value.clone(),
            })
            .collect()
    }

    /// Whether `path` names a claim that is always visible (not disclosable).
    pub fn is_always_visible(&self, path: &ClaimPath) -> bool {
        path.lookup(&Value::Object(self.payload.clone())).is_some()
    }

    /// The disclosures needed to reveal what `selection` names: each named claim with
    /// everything inside it, and the enclosing claims it sits in. A path that names no
    /// claim is an error, so a typo never silently discloses less than meant.
    pub fn select(&self, selection: &[ClaimPath]) -> Result<Vec<&Disclosure>> {
        let claims = Value::Object(self.processed.claims.clone());
        let mut chosen = vec![false; self.disclosures.len()];
        for pattern in selection {
            let mut found = pattern.exists_in(&claims);
            for (i, path) in self.processed.paths.iter().enumerate() {
                if pattern.covers(path) || ClaimPath::is_needed_by(path, pattern) {
                    chosen[i] = true;
                    found = true;
                }
            }
            if !found {
                return Err(Error::NoSuchClaim(pattern.to_string()));
            }
        }
        Ok(self
            .disclosures
            .iter()
            .zip(chosen)
            .filter_map(|(d, c)| c.then_some(d))
            .collect())
    }

    /// The SD-JWT with only the selected disclosures, without key binding
    /// (`jwt~d…~`).
    pub fn present_without_key_binding(&self, selection: &[ClaimPath]) -> Result<String> {
        let mut out = self.issuer_jwt.clone();
        for d in self.select(selection)? {
            out.push('~');
            out.push_str(&d.encoded);
        }
        out.push('~');
        Ok(out)
    }

    /// A presentation disclosing `selection`, bound to the verifier's `nonce` and
    /// `aud` by a key binding JWT signed by `holder` at `iat`.
    pub fn present(
        &self,
        selection: &[ClaimPath],
        holder: &dyn Signer,
        nonce: &str,
        aud: &str,
        iat: i64,
    ) -> Result<String> {
        let mut out = self.present_without_key_binding(selection)?;
        let header = json!({ "alg": holder.algorithm().jose_name(), "typ": TYP_KB_JWT });
        let payload = json!({
            "iat": iat,
            "aud": aud,
            "nonce": nonce,
            "sd_hash": b64::sha256_b64(&out),
        });
        out.push_str(&sign_jws(&header, &payload, holder)?);
        Ok(out)
    }

    /// The credential as issued (every disclosure, no key binding).
    pub fn to_compact(&self) -> String {
        let mut out = self.issuer_jwt.clone();
        for d in &self.disclosures {
            out.push('~');
            out.push_str(&d.encoded);
        }
        out.push('~');
        out
    }
}
