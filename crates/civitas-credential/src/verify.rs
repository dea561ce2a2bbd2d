//! Verifying an SD-JWT VC presentation: the whole cryptographic pipeline short of the
//! trust decision (which `civitas-verifier` adds, with status and accreditation).
//!
//! parse → issuer key from `kid` (its DID must be `iss`) → issuer signature →
//! disclosures (RFC 9901 §7.1) → key binding JWT (typ, key = cnf, sd_hash, nonce, aud,
//! iat window) → exp / nbf / iat.

use crate::error::{Part, rfc3339};
use crate::evidence::IssuanceEvidence;
use crate::model::{
    HolderBinding, StatusRef, TYP_KB_JWT, TYP_SD_JWT_VC, TYP_SD_JWT_VC_LEGACY, opt_time, req_str,
};
use crate::path::ClaimPath;
use crate::sd::{self, Disclosure, parse_jws};
use crate::{Error, Result};
use civitas_crypto::{PublicKey, Verifier as _, b64};
use civitas_did::{Purpose, Resolver, RetirementReason};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Which `typ` the issuer-signed JWT must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypRule {
    /// `dc+sd-jwt`, or the legacy `vc+sd-jwt` (SD-JWT VC); `vct` is required.
    SdJwtVc,
    /// Any `typ` (plain RFC 9901 SD-JWTs, e.g. the RFC's own examples).
    Any,
}

/// Whether a key binding JWT is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyBindingRule {
    /// A presentation: the holder must prove possession (the default).
    Required,
    /// A credential being received or inspected: verify the key binding only if one
    /// is present.
    IfPresent,
}

/// How to verify. Time is an input: nothing here reads the clock.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The time to verify at, Unix seconds.
    pub now: i64,
    /// `typ` rule for the issuer-signed JWT.
    pub typ: TypRule,
    /// Whether key binding is required.
    pub key_binding: KeyBindingRule,
    /// The nonce the verifier issued; `None`: not compared (the verdict should say so).
    pub nonce: Option<String>,
    /// The verifier's audience; `None`: not compared.
    pub aud: Option<String>,
    /// Allowed distance of the key binding JWT's `iat` from `now`, both ways (seconds).
    pub kb_window: i64,
    /// Verify the issuer signature with this key instead of resolving `kid` (issuers
    /// that are not DIDs, test vectors).
    pub issuer_key: Option<PublicKey>,
    /// Where to look for proof that a credential signed by a key its issuer has since
    /// retired *routinely* existed before the retirement (a ledger's issuance
    /// anchors). `None`: no such proof can exist, and every signature by a retired key
    /// is refused (`issuer_key_retired`).
    pub evidence: Option<Arc<dyn IssuanceEvidence>>,
}

impl VerifyOptions {
    /// Presentation verification at `now` with the default ±5 minute window.
    pub fn at(now: i64) -> Self {
        VerifyOptions {
            now,
            typ: TypRule::SdJwtVc,
            key_binding: KeyBindingRule::Required,
            nonce: None,
            aud: None,
            kb_window: 300,
            issuer_key: None,
            evidence: None,
        }
    }

    /// Sets the expected nonce and audience.
    pub fn for_request(mut self, nonce: &str, aud: &str) -> Self {
        self.nonce = Some(nonce.to_string());
        self.aud = Some(aud.to_string());
        self
    }
}

/// What the key binding JWT said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBindingInfo {
    /// When the holder made the presentation.
    pub iat: i64,
    /// For whom.
    pub aud: String,
    /// For which request.
    pub nonce: String,
}

/// A verified presentation.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The issuer (`iss`); empty only when the issuer key was given out of band and the
    /// token has no `iss`.
    pub issuer: String,
    /// The key the issuer signed with (`kid`), if given.
    pub kid: Option<String>,
    /// The credential type (`vct`); empty for plain SD-JWTs without one.
    pub vct: String,
    /// Issued at.
    pub iat: Option<i64>,
    /// Expiry.
    pub exp: Option<i64>,
    /// Not before.
    pub nbf: Option<i64>,
    /// Disclosed and always-visible claims, SD-JWT machinery removed.
    pub claims: Map<String, Value>,
    /// Paths of the claims that were disclosed (not always visible).
    pub disclosed: Vec<ClaimPath>,
    /// The holder binding.
    pub holder: Option<HolderBinding>,
    /// Revocation status reference, to be checked by the caller.
    pub status: Option<StatusRef>,
    /// The key binding, when one was verified.
    pub key_binding: Option<KeyBindingInfo>,
}

/// Verifies a presentation (or, with [`KeyBindingRule::IfPresent`], an issued
/// credential). `resolver` resolves the issuer's `kid` and a DID-bound holder's key.
pub fn verify(input: &str, resolver: &dyn Resolver, options: &VerifyOptions) -> Result<Verified> {
    sd::explain(input, || verify_inner(input, resolver, options))
}

fn verify_inner(input: &str, resolver: &dyn Resolver, options: &VerifyOptions) -> Result<Verified> {
    let mut buf = Vec::new();
    let compact = sd::split(input, &mut buf)?;

    // 1. The issuer-signed JWT.
    let jws = parse_jws(compact.issuer_jwt, Part::Issuer)?;
    if options.typ == TypRule::SdJwtVc {
        match jws.header.get("typ").and_then(Value::as_str) {
            Some(TYP_SD_JWT_VC | TYP_SD_JWT_VC_LEGACY) => {}
            other => {
                return Err(Error::WrongType {
                    part: Part::Issuer,
                    expected: TYP_SD_JWT_VC,
                    found: other.unwrap_or("none").chars().take(40).collect(),
                });
            }
        }
    }
    // `iss` identifies the issuer whose DID the key comes from; with a key given out of
    // band (RFC 9901 §4.1 leaves `iss` to the application) it may be absent.
    let iss = match (jws.payload.get("iss"), &options.issuer_key) {
        (None, Some(_)) => String::new(),
        _ => req_str(&jws.payload, "iss")?.to_string(),
    };
    let iat = opt_time(&jws.payload, "iat")?;
    let kid = jws.header.get("kid").and_then(Value::as_str);

    // 2–3. The issuer's key, from the DID that `kid` names, which must be `iss`, as
    // the DID's *current* state has it (never as of `iat`, which the signer chose);
    // and the issuer's signature.
    match &options.issuer_key {
        Some(key) => key
            .verify(jws.alg, jws.signing_input.as_bytes(), &jws.signature)
            .map_err(|_| Error::IssuerSignature)?,
        None => {
            let kid = kid.ok_or(Error::MissingKid)?;
            let kid_did = kid.split('#').next().unwrap_or_default();
            if kid_did != iss {
                return Err(Error::KidNotIssuer {
                    kid: shorten(kid),
                    iss: shorten(&iss),
                });
            }
            verify_issuer_signature(
                &jws,
                compact.issuer_jwt,
                &iss,
                kid,
                resolver,
                options.evidence.as_deref(),
            )?;
        }
    }

    // 4. Disclosures.
    let disclosures = compact
        .disclosures
        .iter()
        .map(|d| Disclosure::parse(d))
        .collect::<Result<Vec<_>>>()?;
    let processed = sd::process(jws.payload, &disclosures)?;
    let claims = processed.claims;
    let vct = match options.typ {
        TypRule::SdJwtVc => req_str(&claims, "vct")?.to_string(),
        TypRule::Any => claims
            .get("vct")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    };

    // 5. Holder binding and the key binding JWT.
    let holder = claims.get("cnf").map(HolderBinding::from_cnf).transpose()?;
    let key_binding = match (compact.kb_jwt, &holder, options.key_binding) {
        (None, _, KeyBindingRule::Required) => {
            if holder.is_none() {
                return Err(Error::NoHolderBinding);
            }
            return Err(Error::MissingKeyBinding);
        }
        (None, _, KeyBindingRule::IfPresent) => None,
        (Some(_), None, _) => return Err(Error::NoHolderBinding),
        (Some(kb), Some(holder), _) => Some(verify_key_binding(
            kb,
            compact.sd_hash_input,
            holder,
            resolver,
            options,
        )?),
    };

    // 6. Validity period.
    let exp = opt_time(&claims, "exp")?;
    let nbf = opt_time(&claims, "nbf")?;
    if let Some(exp) = exp
        && options.now >= exp
    {
        return Err(Error::Expired(rfc3339(exp)));
    }
    if let Some(nbf) = nbf
        && options.now < nbf
    {
        return Err(Error::NotYetValid(rfc3339(nbf)));
    }
    // Times come from outside: compared with checked arithmetic (iat = i64::MIN or
    // a window near i64::MAX must not overflow).
    if let Some(iat) = iat
        && options
            .now
            .checked_add(options.kb_window)
            .is_some_and(|latest| iat > latest)
    {
        return Err(Error::IssuedInFuture(rfc3339(iat)));
    }
    let status = match claims.get("status") {
        Some(s) => StatusRef::from_claim(s)?,
        None => None,
    };
    Ok(Verified {
        issuer: iss,
        kid: kid.map(str::to_string),
        vct,
        iat,
        exp,
        nbf,
        claims,
        disclosed: processed.paths,
        holder,
        status,
        key_binding,
    })
}

fn verify_key_binding(
    kb: &str,
    sd_hash_input: &str,
    holder: &HolderBinding,
    resolver: &dyn Resolver,
    options: &VerifyOptions,
) -> Result<KeyBindingInfo> {
    let jws = parse_jws(kb, Part::KeyBinding)?;
    match jws.header.get("typ").and_then(Value::as_str) {
        Some(TYP_KB_JWT) => {}
        other => {
            return Err(Error::WrongType {
                part: Part::KeyBinding,
                expected: TYP_KB_JWT,
                found: other.unwrap_or("none").chars().take(40).collect(),
            });
        }
    }
    let resolved;
    let key = match holder {
        HolderBinding::Jwk(key) => key,
        HolderBinding::Did(kid) => {
            // The key the holder's DID authorizes *now*: a rotation after a lost device
            // locks the old key out of every DID-bound credential at once.
            resolved = resolver
                .resolve_key(kid, Purpose::Authentication, Some(options.now))
                .map_err(Error::HolderKey)?;
            &resolved
        }
    };
    key.verify(jws.alg, jws.signing_input.as_bytes(), &jws.signature)
        .map_err(|_| match holder {
            // Bound to a DID: the key that signed is not the one the DID authorizes now
            // (a rotated-out key: a lost or stolen device).
            HolderBinding::Did(kid) => Error::HolderKey(civitas_did::Error::NotAuthorized {
                id: shorten(kid),
                purpose: "authentication (signed by a key the DID no longer authorizes: a lost or replaced device?)",
            }),
            HolderBinding::Jwk(_) => Error::KeyBindingSignature,
        })?;
    let claims = &jws.payload;
    let sd_hash = claims
        .get("sd_hash")
        .and_then(Value::as_str)
        .ok_or(Error::BadClaim {
            name: "sd_hash",
            expected: "a string in the key binding JWT",
        })?;
    if sd_hash != b64::sha256_b64(sd_hash_input) {
        return Err(Error::SdHashMismatch);
    }
    let nonce = claims
        .get("nonce")
        .and_then(Value::as_str)
        .ok_or(Error::BadClaim {
            name: "nonce",
            expected: "a string in the key binding JWT",
        })?;
    let aud = claims
        .get("aud")
        .and_then(Value::as_str)
        .ok_or(Error::BadClaim {
            name: "aud",
            expected: "a string in the key binding JWT",
        })?;
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(Error::BadClaim {
            name: "iat",
            expected: "a NumericDate in the key binding JWT",
        })?;
    if let Some(expected) = &options.nonce
        && nonce != expected
    {
        return Err(Error::NonceMismatch);
    }
    if let Some(expected) = &options.aud
        && aud != expected
    {
        return Err(Error::AudienceMismatch(shorten(aud)));
    }
    let max = options.kb_window;
    // `iat` is the holder's: any i64. The differences are exact in i128 (no overflow);
    // the error reports them clamped to i64.
    let age = i128::from(options.now) - i128::from(iat);
    let clamp = |d: i128| i64::try_from(d).unwrap_or(i64::MAX);
    if age > i128::from(max) {
        return Err(Error::KeyBindingStale {
            age: clamp(age),
            max,
        });
    }
    if -age > i128::from(max) {
        return Err(Error::KeyBindingFuture {
            ahead: clamp(-age),
            max,
        });
    }
    Ok(KeyBindingInfo {
        iat,
        aud: aud.to_string(),
        nonce: nonce.to_string(),
    })
}

/// Verifies the issuer's signature with the key `kid` names in the issuer DID's
/// current state; a key the DID retired since is refused (`issuer_key_retired`),
/// unless the update that retired it states a routine rotation and `evidence` shows
/// the credential was anchored before that update.
fn verify_issuer_signature(
    jws: &sd::Jws,
    issuer_jwt: &str,
    iss: &str,
    kid: &str,
    resolver: &dyn Resolver,
    evidence: Option<&dyn IssuanceEvidence>,
) -> Result<()> {
    let history = resolver
        .key_history(kid, Purpose::AssertionMethod)
        .map_err(|e| match e {
            civitas_did::Error::Deactivated(did) => Error::IssuerDeactivated(did),
            other => Error::IssuerKey(other),
        })?;
    let signed_by = |key: &PublicKey| {
        key.verify(jws.alg, jws.signing_input.as_bytes(), &jws.signature)
            .is_ok()
    };
    if history.current.as_ref().is_some_and(signed_by) {
        return Ok(());
    }
    let Some(retired) = history.retired.iter().find(|r| signed_by(&r.key)) else {
        return Err(Error::IssuerSignature);
    };
    let refuse = |why: String| Error::IssuerKeyRetired {
        kid: shorten(kid),
        reason: retired.reason,
        version: retired.retired_version,
        why,
    };
    match retired.reason {
        RetirementReason::Compromise => Err(refuse(
            "every signature by it is void, whatever its date".into(),
        )),
        RetirementReason::Routine => {
            let Some(evidence) = evidence else {
                return Err(refuse(
                    "nothing shows this credential existed before the rotation (no ledger to look for an issuance anchor)".into(),
                ));
            };
            let digest = b64::sha256_b64(issuer_jwt);
            match evidence.anchored_before(iss, &digest, retired) {
                Ok(true) => Ok(()),
                Ok(false) => Err(refuse(
                    "the ledger holds no issuance anchor for this credential from before the rotation".into(),
                )),
                Err(why) => Err(refuse(format!(
                    "the ledger's issuance anchors could not be read: {why}"
                ))),
            }
        }
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 100 {
        let head: String = s.chars().take(100).collect();
        format!("{head}…")
    } else {
        s.to_string()
    }
}
