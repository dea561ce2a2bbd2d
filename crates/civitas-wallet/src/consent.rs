//! Consent and presentation: what a request would disclose, the citizen's choice,
//! the presentation, and its history entry.
//!
//! ```text
//! PresentationRequest {nonce, aud, vct, required, optional}
//!   ──prepare──▶ Consent: from which credential; which required and optional claims
//!                would be shown (with their values, for the citizen's eyes); which
//!                are missing; what is always visible; warnings
//!   ──present(consent, dropped optional claims)──▶ presentation (SD-JWT + KB-JWT)
//!                + history entry {aud, time, type, claim names}, one transaction
//! ```
//!
//! The request shape is the part of an OpenID4VP / DCQL request a wallet needs for
//! one credential: a DCQL credential query's `vct_values`, its `claims` paths (all
//! required unless a `claim_sets` option leaves them out) and the request's `nonce`
//! and `client_id` map onto it one to one.

use crate::credentials::{Binding, Held};
use crate::history::Event;
use crate::wallet::append_history;
use crate::{Error, Result, Wallet};
use civitas_credential::types::CredentialType;
use civitas_credential::{ClaimPath, PathElement};
use serde::Serialize;
use serde_json::Value;

/// What a verifier asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PresentationRequest {
    /// The verifier's nonce (bound into the key binding JWT).
    pub nonce: String,
    /// The verifier's identity: its client id / audience.
    pub aud: String,
    /// The credential type: a `vct` URI, or a known short name (`pid`, `medical`).
    pub vct: String,
    /// Claims that must be disclosed.
    #[serde(serialize_with = "paths")]
    #[cfg_attr(feature = "ts", ts(as = "Vec<String>"))]
    pub required: Vec<ClaimPath>,
    /// Claims the citizen may choose to disclose.
    #[serde(serialize_with = "paths")]
    #[cfg_attr(feature = "ts", ts(as = "Vec<String>"))]
    pub optional: Vec<ClaimPath>,
}

impl PresentationRequest {
    /// A request for `required` claims of `vct`.
    pub fn new(nonce: &str, aud: &str, vct: &str, required: Vec<ClaimPath>) -> Self {
        PresentationRequest {
            nonce: nonce.to_string(),
            aud: aud.to_string(),
            vct: vct.to_string(),
            required,
            optional: Vec::new(),
        }
    }

    /// Adds optional claims.
    pub fn with_optional(mut self, optional: Vec<ClaimPath>) -> Self {
        self.optional = optional;
        self
    }

    /// The `vct` URI, resolving known short names.
    pub fn vct_uri(&self) -> String {
        CredentialType::lookup(&self.vct).map_or_else(|| self.vct.clone(), |t| t.vct.to_string())
    }

    fn check(&self) -> Result<()> {
        if self.nonce.trim().is_empty() {
            return Err(Error::InvalidRequest("the nonce is empty".into()));
        }
        if self.aud.trim().is_empty() {
            return Err(Error::InvalidRequest(
                "the audience (client id) is empty".into(),
            ));
        }
        if self.vct.trim().is_empty() {
            return Err(Error::InvalidRequest("no credential type".into()));
        }
        if let Some(p) = self.required.iter().find(|p| self.optional.contains(p)) {
            return Err(Error::InvalidRequest(format!(
                "{p} is asked for as both required and optional"
            )));
        }
        Ok(())
    }
}

/// One claim that would be disclosed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentClaim {
    /// Its path, as the request named it.
    #[serde(serialize_with = "path")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub path: ClaimPath,
    /// Its label in English, if the type defines one.
    pub label: Option<String>,
    /// Its label in Traditional Chinese.
    pub label_zh: Option<String>,
    /// What would be shown (the citizen's own data, for the consent screen).
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Value,
}

/// Exactly what a presentation would disclose, for the citizen to approve.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Consent {
    /// The request.
    pub request: PresentationRequest,
    /// The credential it would come from (the wallet's id).
    pub credential: String,
    /// Its type.
    pub vct: String,
    /// Display name of the type (English).
    pub type_name: Option<String>,
    /// Display name of the type (Traditional Chinese).
    pub type_name_zh: Option<String>,
    /// The issuer.
    pub issuer: String,
    /// Required claims that would be disclosed.
    pub required: Vec<ConsentClaim>,
    /// Optional claims that would be disclosed unless the citizen drops them.
    pub optional: Vec<ConsentClaim>,
    /// Required claims the credential does not have: nothing can be presented.
    #[serde(serialize_with = "paths")]
    #[cfg_attr(feature = "ts", ts(as = "Vec<String>"))]
    pub missing_required: Vec<ClaimPath>,
    /// Optional claims the credential does not have.
    #[serde(serialize_with = "paths")]
    #[cfg_attr(feature = "ts", ts(as = "Vec<String>"))]
    pub missing_optional: Vec<ClaimPath>,
    /// Claims every presentation of this credential shows (issuer, type, validity
    /// dates, holder binding, status reference, and any claim the issuer made
    /// always-visible).
    pub always_visible: Vec<String>,
    /// Other credentials that could answer the request.
    pub alternatives: Vec<String>,
    /// Things the citizen should know (e.g. this device's key is not yet authorized
    /// by the DID after a restore).
    pub warnings: Vec<String>,
}

impl Consent {
    /// Whether a presentation can be made (no required claim is missing).
    pub fn can_present(&self) -> bool {
        self.missing_required.is_empty()
    }
}

/// A presentation and the history entry that records it.
#[derive(Debug, Clone)]
pub struct Presentation {
    /// The SD-JWT presentation (`jwt~disclosures~kb-jwt`).
    pub text: String,
    /// The history entry number.
    pub history: u64,
    /// The claim paths disclosed.
    pub disclosed: Vec<ClaimPath>,
}

impl Presentation {
    /// The presentation as a `CIV1:` QR payload.
    pub fn qr_payload(&self) -> String {
        civitas_exchange::qr::encode_payload(&self.text)
    }
}

fn path<S: serde::Serializer>(p: &ClaimPath, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string())
}

fn paths<S: serde::Serializer>(p: &[ClaimPath], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(p.iter().map(ToString::to_string))
}

fn values_at(path: &ClaimPath, claims: &Value) -> Option<Value> {
    if let Some(v) = path.lookup(claims) {
        return Some(v.clone());
    }
    if !path.exists_in(claims) {
        return None;
    }
    // A pattern with "all elements": the matching values, as an array.
    fn walk(v: &Value, rest: &[PathElement], out: &mut Vec<Value>) {
        match rest.split_first() {
            None => out.push(v.clone()),
            Some((PathElement::Key(k), t)) => {
                if let Some(v) = v.get(k) {
                    walk(v, t, out);
                }
            }
            Some((PathElement::Index(i), t)) => {
                if let Some(v) = v.get(*i) {
                    walk(v, t, out);
                }
            }
            Some((PathElement::AllElements, t)) => {
                for item in v.as_array().into_iter().flatten() {
                    walk(item, t, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(claims, &path.0, &mut out);
    Some(Value::Array(out))
}

impl Wallet {
    /// What answering `request` would disclose, from the best credential of its type
    /// that this device can present (the one having most required, then optional,
    /// claims; the newest on a tie).
    pub fn prepare(&mut self, request: &PresentationRequest, now: i64) -> Result<Consent> {
        self.prepare_from(request, None, now)
    }

    /// [`Wallet::prepare`] with a chosen credential.
    pub fn prepare_with(
        &mut self,
        request: &PresentationRequest,
        credential: &str,
        now: i64,
    ) -> Result<Consent> {
        self.prepare_from(request, Some(credential), now)
    }

    fn prepare_from(
        &mut self,
        request: &PresentationRequest,
        chosen: Option<&str>,
        now: i64,
    ) -> Result<Consent> {
        request.check()?;
        let vct = request.vct_uri();
        let mut candidates = Vec::new();
        let mut unusable = None;
        for h in self.held(now)? {
            if h.credential.vct() != vct || chosen.is_some_and(|c| c != h.id) {
                continue;
            }
            match self.usable(&h, now)? {
                Ok(()) => candidates.push(h),
                Err(why) => unusable = Some(why),
            }
        }
        let score = |h: &Held| {
            let claims = Value::Object(h.credential.claims().clone());
            let req = request
                .required
                .iter()
                .filter(|p| p.exists_in(&claims))
                .count();
            let opt = request
                .optional
                .iter()
                .filter(|p| p.exists_in(&claims))
                .count();
            (req, opt, h.stored.received)
        };
        candidates.sort_by_key(|h| std::cmp::Reverse(score(h)));
        let Some(best) = candidates.first() else {
            if let Some(id) = chosen {
                return match unusable {
                    Some(why) => Err(Error::CredentialUnusable(why)),
                    None => Err(Error::UnknownCredential(format!("{id} (of type {vct})"))),
                };
            }
            return Err(match unusable {
                Some(why) => Error::CredentialUnusable(why),
                None => Error::NoMatchingCredential(vct),
            });
        };
        let c = &best.credential;
        let t = CredentialType::by_vct(c.vct());
        let claims = Value::Object(c.claims().clone());
        let item = |path: &ClaimPath| -> Option<ConsentClaim> {
            values_at(path, &claims).map(|value| ConsentClaim {
                path: path.clone(),
                label: t.and_then(|t| t.label(path, "en-US")).map(str::to_string),
                label_zh: t.and_then(|t| t.label(path, "zh-TW")).map(str::to_string),
                value,
            })
        };
        let split = |paths: &[ClaimPath]| {
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for p in paths {
                match item(p) {
                    Some(i) => found.push(i),
                    None => missing.push(p.clone()),
                }
            }
            (found, missing)
        };
        let (required, missing_required) = split(&request.required);
        let (optional, missing_optional) = split(&request.optional);
        let disclosable: Vec<ClaimPath> = c.disclosable().into_iter().map(|d| d.path).collect();
        let always_visible = c
            .claims()
            .keys()
            .filter(|k| *k != "_sd_alg")
            .filter(|k| !disclosable.iter().any(|d| d.top() == Some(k.as_str())))
            .cloned()
            .collect();
        let mut warnings = Vec::new();
        if let Binding::Did { .. } = self.binding_of(c, now)? {
            match self.device_authorized(now) {
                Ok(true) => {}
                Ok(false) => warnings.push(
                    "this device's key is not authorized by your DID yet: verifiers will refuse the presentation until you rotate with your recovery words".into(),
                ),
                // An unreachable ledger is said, not taken for "authorized".
                Err(e) => warnings.push(format!(
                    "could not check the device's authorization: {e}"
                )),
            }
        }
        let (type_name, type_name_zh) = match t {
            Some(t) => (Some(t.name("en-US").into()), Some(t.name("zh-TW").into())),
            None => (None, None),
        };
        Ok(Consent {
            request: request.clone(),
            credential: best.id.clone(),
            vct: c.vct().to_string(),
            type_name,
            type_name_zh,
            issuer: c.issuer().to_string(),
            required,
            optional,
            missing_required,
            missing_optional,
            always_visible,
            alternatives: candidates.iter().skip(1).map(|h| h.id.clone()).collect(),
            warnings,
        })
    }

    /// Whether this device can present `h` now: `Err(reason)` if not.
    fn usable(&mut self, h: &Held, now: i64) -> Result<std::result::Result<(), String>> {
        if let Some(exp) = h.credential.exp()
            && now >= exp
        {
            return Ok(Err(format!(
                "credential {} expired at {}",
                h.id,
                crate::history::rfc3339(exp)
            )));
        }
        if let Some(nbf) = h.credential.nbf()
            && now < nbf
        {
            return Ok(Err(format!("credential {} is not valid yet", h.id)));
        }
        Ok(match self.binding_of(&h.credential, now)? {
            Binding::Did { .. } | Binding::DeviceKey => Ok(()),
            Binding::OldDeviceKey => Err(format!(
                "credential {} is bound to the key of the device it was issued to, which this device does not have; ask the issuer to issue it again (credentials bound to your DID survive a device change)",
                h.id
            )),
            Binding::Foreign => Err(format!(
                "credential {} is bound to a key this wallet does not hold",
                h.id
            )),
        })
    }

    /// Makes the presentation the citizen consented to, leaving out the optional
    /// claims in `dropped` (only optional claims can be dropped). Nothing the request
    /// did not ask for is disclosed. The key binding JWT is signed through the key
    /// store; the history entry (verifier, time, type, claim names) is written in the
    /// same transaction before the presentation is returned.
    pub fn present(
        &mut self,
        consent: &Consent,
        dropped: &[ClaimPath],
        now: i64,
    ) -> Result<Presentation> {
        consent.request.check()?;
        if let Some(d) = dropped
            .iter()
            .find(|d| !consent.optional.iter().any(|o| &o.path == *d))
        {
            return Err(Error::NotOptional(d.to_string()));
        }
        if let Some(m) = consent.missing_required.first() {
            return Err(Error::RequiredClaimMissing(m.to_string()));
        }
        let h = self.held_one(&consent.credential, now)?;
        if let Err(why) = self.usable(&h, now)? {
            return Err(Error::CredentialUnusable(why));
        }
        // Only what the request named, checked again against this credential.
        let claims = Value::Object(h.credential.claims().clone());
        let mut selection = Vec::new();
        for p in &consent.request.required {
            if !p.exists_in(&claims) {
                return Err(Error::RequiredClaimMissing(p.to_string()));
            }
            selection.push(p.clone());
        }
        for o in &consent.optional {
            let asked = consent.request.optional.contains(&o.path);
            if asked && !dropped.contains(&o.path) && o.path.exists_in(&claims) {
                selection.push(o.path.clone());
            }
        }
        let signer = self.holder_signer(now)?;
        let text = h.credential.present(
            &selection,
            &*signer,
            &consent.request.nonce,
            &consent.request.aud,
            now,
        )?;
        drop(signer);
        let event = Event::Presented {
            credential: h.id.clone(),
            vct: h.credential.vct().to_string(),
            aud: consent.request.aud.clone(),
            nonce: consent.request.nonce.clone(),
            claims: selection.iter().map(ToString::to_string).collect(),
        };
        let seq = self.write(now, |w, state| append_history(w, state, event, now))?;
        Ok(Presentation {
            text,
            history: seq,
            disclosed: selection,
        })
    }
}
