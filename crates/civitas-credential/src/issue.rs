//! Issuing SD-JWT VCs.

use crate::model::{HolderBinding, REGISTERED, StatusRef, TYP_SD_JWT_VC};
use crate::path::{ClaimPath, PathElement};
use crate::sd::{Disclosure, RESERVED};
use crate::{Error, Result};
use civitas_crypto::{Rng, Signer, b64};
use serde_json::{Map, Value, json};

/// What to issue, apart from the subject's claims.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// The issuer's DID (`iss`).
    pub issuer: String,
    /// The DID URL of the signing key (`kid`); its DID must be `issuer`.
    pub kid: String,
    /// The credential type (`vct`).
    pub vct: String,
    /// Issuance time (`iat`), Unix seconds.
    pub iat: i64,
    /// Expiry (`exp`).
    pub exp: Option<i64>,
    /// Not before (`nbf`).
    pub nbf: Option<i64>,
    /// Holder binding (`cnf`).
    pub holder: Option<HolderBinding>,
    /// Revocation status reference (`status`).
    pub status: Option<StatusRef>,
    /// Nested members and array elements to make selectively disclosable, besides the
    /// top-level claims (`address.locality`, `allergies[]`).
    pub nested_sd: Vec<ClaimPath>,
    /// Top-level claims to leave always visible instead of disclosable.
    pub always_visible: Vec<String>,
    /// Decoy digests added to each `_sd` array: a number drawn in this range
    /// (inclusive), so the count of real claims is hidden.
    pub decoys: (u8, u8),
    /// Objects whose `_sd` arrays are padded with decoys to a fixed length instead
    /// (the empty path is the top level): for a type whose claims are known, a
    /// digest count that never varies says nothing — not even whether an optional
    /// claim is there — and costs fewer digests than random decoys.
    pub pad_to: Vec<(ClaimPath, usize)>,
}

impl IssueOptions {
    /// Options with the defaults: every top-level claim disclosable, 1–3 decoys.
    pub fn new(issuer: &str, kid: &str, vct: &str, iat: i64) -> Self {
        IssueOptions {
            issuer: issuer.to_string(),
            kid: kid.to_string(),
            vct: vct.to_string(),
            iat,
            exp: None,
            nbf: None,
            holder: None,
            status: None,
            nested_sd: Vec::new(),
            always_visible: Vec::new(),
            decoys: (1, 3),
            pad_to: Vec::new(),
        }
    }
}

/// Issues an SD-JWT VC: `<issuer-signed JWT>~<disclosure>~…~`.
///
/// Every top-level subject claim is selectively disclosable unless listed in
/// `always_visible`; `nested_sd` adds nested members and array elements. Registered
/// claims (`iss`, `vct`, `cnf`, `status`, `exp`…) are set from `options` and may not
/// appear in `claims`.
pub fn issue(
    claims: &Map<String, Value>,
    options: &IssueOptions,
    signer: &dyn Signer,
    rng: &dyn Rng,
) -> Result<String> {
    for name in claims.keys() {
        if REGISTERED.contains(&name.as_str()) && name != "sub" {
            return Err(Error::InvalidClaims(format!(
                "'{name}' is set by the issuer, not given as a subject claim"
            )));
        }
        if RESERVED.contains(&name.as_str()) || name == "_sd_alg" {
            return Err(Error::InvalidClaims(format!("'{name}' is a reserved name")));
        }
    }
    let kid_did = options.kid.split('#').next().unwrap_or_default();
    if kid_did != options.issuer {
        return Err(Error::InvalidClaims(format!(
            "kid {} is not a key of the issuer {}",
            options.kid, options.issuer
        )));
    }
    if options.vct.is_empty() {
        return Err(Error::InvalidClaims("vct is empty".into()));
    }
    for path in &options.nested_sd {
        if path.0.len() < 2 || !has_match(&Value::Object(claims.clone()), path) {
            return Err(Error::NoSuchClaim(path.to_string()));
        }
    }
    let mut builder = Builder {
        rng,
        patterns: &options.nested_sd,
        decoys: options.decoys,
        pad_to: &options.pad_to,
        disclosures: Vec::new(),
    };
    // Top level: subject claims first, each disclosable unless kept visible.
    let mut top = Map::new();
    let mut sd = Vec::new();
    for (name, value) in claims {
        let path = ClaimPath::key(name);
        let value = builder.build(value, &path)?;
        if name == "sub" || options.always_visible.iter().any(|v| v == name) {
            top.insert(name.clone(), value);
        } else {
            sd.push(builder.disclose(Some(name), &value)?);
        }
    }
    builder.finish_sd(&mut top, sd, &ClaimPath::default())?;
    let mut payload = Map::new();
    if let Some(sd) = top.remove("_sd") {
        payload.insert("_sd".into(), sd);
    }
    payload.insert("iss".into(), options.issuer.clone().into());
    payload.insert("iat".into(), options.iat.into());
    if let Some(nbf) = options.nbf {
        payload.insert("nbf".into(), nbf.into());
    }
    if let Some(exp) = options.exp {
        payload.insert("exp".into(), exp.into());
    }
    payload.insert("vct".into(), options.vct.clone().into());
    payload.append(&mut top);
    payload.insert("_sd_alg".into(), "sha-256".into());
    if let Some(holder) = &options.holder {
        payload.insert("cnf".into(), holder.to_cnf());
    }
    if let Some(status) = &options.status {
        payload.insert("status".into(), status.to_claim());
    }
    let header = json!({
        "alg": signer.algorithm().jose_name(),
        "typ": TYP_SD_JWT_VC,
        "kid": options.kid,
    });
    let mut out = sign_jws(&header, &Value::Object(payload), signer)?;
    for d in &builder.disclosures {
        out.push('~');
        out.push_str(&d.encoded);
    }
    out.push('~');
    Ok(out)
}

/// Signs a compact JWS.
pub(crate) fn sign_jws(header: &Value, payload: &Value, signer: &dyn Signer) -> Result<String> {
    let mut out = b64::encode(header.to_string());
    out.push('.');
    out.push_str(&b64::encode(payload.to_string()));
    let sig = signer.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&b64::encode(sig));
    Ok(out)
}

fn has_match(value: &Value, pattern: &ClaimPath) -> bool {
    fn walk(value: &Value, rest: &[PathElement]) -> bool {
        match rest.split_first() {
            None => true,
            Some((PathElement::Key(k), tail)) => value.get(k).is_some_and(|v| walk(v, tail)),
            Some((PathElement::Index(i), tail)) => value.get(*i).is_some_and(|v| walk(v, tail)),
            Some((PathElement::AllElements, tail)) => value
                .as_array()
                .is_some_and(|a| !a.is_empty() && a.iter().all(|v| walk(v, tail))),
        }
    }
    walk(value, &pattern.0)
}

struct Builder<'a> {
    rng: &'a dyn Rng,
    patterns: &'a [ClaimPath],
    decoys: (u8, u8),
    pad_to: &'a [(ClaimPath, usize)],
    disclosures: Vec<Disclosure>,
}

impl Builder<'_> {
    fn salt(&self) -> Result<String> {
        let mut salt = [0u8; 16];
        self.rng.fill(&mut salt)?;
        Ok(b64::encode(salt))
    }

    fn disclose(&mut self, name: Option<&str>, value: &Value) -> Result<String> {
        let d = Disclosure::new(&self.salt()?, name, value);
        let digest = d.digest.clone();
        self.disclosures.push(d);
        Ok(digest)
    }

    fn is_sd(&self, path: &ClaimPath) -> bool {
        self.patterns
            .iter()
            .any(|p| p.0.len() == path.0.len() && p.covers(path))
    }

    fn decoy_count(&self) -> Result<usize> {
        let (lo, hi) = (
            self.decoys.0.min(self.decoys.1),
            self.decoys.1.max(self.decoys.0),
        );
        let mut b = [0u8; 1];
        self.rng.fill(&mut b)?;
        Ok(usize::from(lo) + usize::from(b[0]) % (usize::from(hi - lo) + 1))
    }

    fn decoy(&self) -> Result<String> {
        let mut random = [0u8; 32];
        self.rng.fill(&mut random)?;
        Ok(b64::sha256_b64(random))
    }

    /// Adds `_sd` (with decoys, sorted so that the order reveals nothing).
    fn finish_sd(
        &mut self,
        map: &mut Map<String, Value>,
        mut sd: Vec<String>,
        path: &ClaimPath,
    ) -> Result<()> {
        if sd.is_empty() {
            return Ok(());
        }
        let decoys = match self.pad_to.iter().find(|(p, _)| p == path) {
            Some((_, target)) => target.saturating_sub(sd.len()),
            None => self.decoy_count()?,
        };
        for _ in 0..decoys {
            sd.push(self.decoy()?);
        }
        sd.sort_unstable();
        map.insert("_sd".into(), sd.into_iter().map(Value::String).collect());
        Ok(())
    }

    /// Rebuilds `value` at `path` with nested disclosures applied, bottom-up.
    fn build(&mut self, value: &Value, path: &ClaimPath) -> Result<Value> {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                let mut sd = Vec::new();
                for (k, v) in map {
                    if RESERVED.contains(&k.as_str()) || k == "_sd_alg" {
                        return Err(Error::InvalidClaims(format!("'{k}' is a reserved name")));
                    }
                    let child = path.child(PathElement::Key(k.clone()));
                    let v = self.build(v, &child)?;
                    if self.is_sd(&child) {
                        sd.push(self.disclose(Some(k), &v)?);
                    } else {
                        out.insert(k.clone(), v);
                    }
                }
                self.finish_sd(&mut out, sd, path)?;
                Ok(Value::Object(out))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut any = false;
                for (i, v) in items.iter().enumerate() {
                    let child = path.child(PathElement::Index(i));
                    let v = self.build(v, &child)?;
                    if self.is_sd(&child) {
                        any = true;
                        out.push(json!({ "...": self.disclose(None, &v)? }));
                    } else {
                        out.push(v);
                    }
                }
                if any {
                    for _ in 0..self.decoy_count()? {
                        let at = {
                            let mut b = [0u8; 1];
                            self.rng.fill(&mut b)?;
                            usize::from(b[0]) % (out.len() + 1)
                        };
                        out.insert(at, json!({ "...": self.decoy()? }));
                    }
                }
                Ok(Value::Array(out))
            }
            other => Ok(other.clone()),
        }
    }
}
