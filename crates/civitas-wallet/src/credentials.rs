//! Credentials: receive (checked), list, show (with status on the ledger), delete.

use crate::accreditation::Accreditation;
use crate::history::Event;
use crate::records::{StoredCredential, from_bytes, to_bytes};
use crate::seal::{hex, sha256};
use crate::vault::Kind;
use crate::wallet::append_history;
use crate::{Error, Result, Wallet};
use civitas_credential::status_list::{parse_status_list_token, status};
use civitas_credential::types::CredentialType;
use civitas_credential::{
    ClaimPath, Credential, HolderBinding, KeyBindingRule, VerifyOptions, verify,
};
use civitas_crypto::PublicKey;
use civitas_did::{Purpose, Resolver};
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

/// A credential as received.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Received {
    /// The wallet's id for it (what `show`, `delete` and consent use).
    pub id: String,
    /// Its type.
    pub vct: String,
    /// Display name of the type (English), if it is one of the city's.
    pub type_name: Option<String>,
    /// The issuer's DID (checked: it signed the credential).
    pub issuer: String,
    /// Who accredited the issuer for this type, as far as the wallet can tell: names
    /// only through a chain to a root the wallet trusts; "could not check" when the
    /// ledger cannot be read. Trust is the verifier's decision; this is for the
    /// citizen's information.
    pub accreditation: Accreditation,
    /// How it is bound to the holder.
    pub binding: Binding,
}

/// How a credential is bound to its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Binding {
    /// To the citizen's DID (`cnf.kid`): survives a lost device after a rotation.
    Did {
        /// The verification method.
        kid: String,
    },
    /// To this device's holder key (`cnf.jwk`).
    DeviceKey,
    /// To the key of an earlier device (`cnf.jwk`): cannot be presented from here;
    /// ask the issuer to issue it again.
    OldDeviceKey,
    /// To a key this wallet does not hold.
    Foreign,
}

/// The revocation status of a credential, as the ledger has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CredentialStatus {
    /// The credential names no status list.
    NotTracked,
    /// Valid.
    Valid,
    /// Revoked by its issuer.
    Revoked,
    /// Suspended by its issuer.
    Suspended,
    /// An application-specific value.
    Other(u8),
    /// The status could not be established (list missing, signature wrong…).
    Unavailable(String),
}

/// One claim of a credential, for display.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClaimView {
    /// Its path.
    pub path: String,
    /// Its label in English, if the type defines one.
    pub label: Option<String>,
    /// Its label in Traditional Chinese, if the type defines one.
    pub label_zh: Option<String>,
    /// Its value.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Value,
    /// Whether a presentation can leave it out.
    pub selectively_disclosable: bool,
}

/// A credential in the list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CredentialSummary {
    /// The wallet's id.
    pub id: String,
    /// Its type.
    pub vct: String,
    /// Display name (English).
    pub type_name: Option<String>,
    /// Display name (Traditional Chinese).
    pub type_name_zh: Option<String>,
    /// The issuer.
    pub issuer: String,
    /// Issued at.
    pub issued_at: Option<i64>,
    /// Expiry.
    pub expires: Option<i64>,
    /// When the wallet received it.
    pub received: i64,
    /// Whether it is within its validity period now.
    pub valid_now: bool,
    /// Holder binding.
    pub binding: Binding,
}

/// A credential in full.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CredentialDetails {
    /// The summary.
    #[serde(flatten)]
    pub summary: CredentialSummary,
    /// Not before.
    pub not_before: Option<i64>,
    /// Why it is not valid now, if it is not.
    pub validity: Option<String>,
    /// Revocation status on the ledger.
    pub status: CredentialStatus,
    /// Every claim, labels from the type metadata.
    pub claims: Vec<ClaimView>,
}

pub(crate) struct Held {
    pub(crate) id: String,
    pub(crate) stored: StoredCredential,
    pub(crate) credential: Credential,
}

/// Reads what `receive` accepts: a compact SD-JWT VC, a `CIV1:` payload, or the parts
/// of a multi-part `CIV1-k/n-…:` sequence (one per line).
pub fn decode_input(input: &str) -> Result<Zeroizing<String>> {
    let text = input.trim();
    if text.starts_with(civitas_exchange::qr::PART_PREFIX) {
        let mut assembler = civitas_exchange::qr::Assembler::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            assembler.add(line)?;
        }
        return Ok(Zeroizing::new(assembler.finish()?));
    }
    if text.starts_with(civitas_exchange::qr::PREFIX) {
        return Ok(Zeroizing::new(civitas_exchange::qr::decode_payload(text)?));
    }
    Ok(Zeroizing::new(text.to_string()))
}

fn type_names(vct: &str) -> (Option<String>, Option<String>) {
    match CredentialType::by_vct(vct) {
        Some(t) => (
            Some(t.name("en-US").to_string()),
            Some(t.name("zh-TW").to_string()),
        ),
        None => (None, None),
    }
}

fn validity(c: &Credential, now: i64) -> Option<String> {
    if let Some(exp) = c.exp()
        && now >= exp
    {
        return Some(format!("expired at {}", crate::history::rfc3339(exp)));
    }
    if let Some(nbf) = c.nbf()
        && now < nbf
    {
        return Some(format!("not valid before {}", crate::history::rfc3339(nbf)));
    }
    None
}

impl Wallet {
    /// Every credential held, parsed.
    pub(crate) fn held(&mut self, now: i64) -> Result<Vec<Held>> {
        let key = self.session(now)?.key.clone();
        let mut out = Vec::new();
        for (id, opened) in self.vault.list(&key, Kind::Credential)? {
            let bytes = opened.ok_or(Error::RecordCorrupted { kind: "credential" })?;
            let stored: StoredCredential = from_bytes(&bytes, "credential")?;
            let credential = Credential::parse(&stored.compact)
                .map_err(|_| Error::RecordCorrupted { kind: "credential" })?;
            out.push(Held {
                id: id.strip_prefix("c:").unwrap_or(&id).to_string(),
                stored,
                credential,
            });
        }
        Ok(out)
    }

    pub(crate) fn held_one(&mut self, id: &str, now: i64) -> Result<Held> {
        self.held(now)?
            .into_iter()
            .find(|h| h.id == id)
            .ok_or_else(|| Error::UnknownCredential(id.to_string()))
    }

    /// How `credential` is bound, relative to this wallet.
    pub(crate) fn binding_of(&mut self, credential: &Credential, now: i64) -> Result<Binding> {
        let holder = self.holder_key(now)?;
        let session = self.session(now)?;
        Ok(match credential.holder() {
            Ok(Some(HolderBinding::Did(kid))) => {
                if kid.split('#').next() == Some(session.identity.did.as_str()) {
                    Binding::Did { kid }
                } else {
                    Binding::Foreign
                }
            }
            Ok(Some(HolderBinding::Jwk(key))) => {
                if key == holder {
                    Binding::DeviceKey
                } else if session
                    .identity
                    .old_keys
                    .iter()
                    .any(|k| PublicKey::from_jwk_value(k).is_ok_and(|k| k == key))
                {
                    Binding::OldDeviceKey
                } else {
                    Binding::Foreign
                }
            }
            _ => Binding::Foreign,
        })
    }

    /// Receives a credential from `input` (compact SD-JWT VC, pasted text, or a `CIV1:`
    /// QR payload). Refused, each with its reason: not a credential; an issuer
    /// signature that does not verify through the ledger (or any other failure of the
    /// credential's own checks: expiry, structure); no holder binding; a binding to a
    /// key or DID that is not this wallet's; a credential already held. The issuer
    /// need not be trusted here (the verifier decides); its accreditation is
    /// reported ([`Accreditation`]). Stored with a history entry in one transaction.
    pub fn receive(&mut self, input: &str, now: i64) -> Result<Received> {
        self.receive_with(input, now, |_, _| Ok(None))
    }

    /// [`Wallet::receive`], with `check` run on the verified credential and its
    /// accreditation before anything is stored: an error refuses it; `Some(via)` records
    /// it as obtained over OpenID4VCI (and, for a deferred one, removes its pending
    /// record in the same transaction).
    pub(crate) fn receive_with(
        &mut self,
        input: &str,
        now: i64,
        check: impl FnOnce(
            &civitas_credential::Verified,
            &Accreditation,
        ) -> Result<Option<crate::openid4vci::Via>>,
    ) -> Result<Received> {
        self.session(now)?;
        let text = decode_input(input)?;
        let credential =
            Credential::parse(&text).map_err(|e| Error::NotACredential(e.to_string()))?;
        let compact = Zeroizing::new(credential.to_compact());
        let resolver = self.resolver(now);
        let mut options = VerifyOptions::at(now);
        options.key_binding = KeyBindingRule::IfPresent;
        let verified = verify(&compact, &resolver, &options).map_err(Error::CredentialRefused)?;
        let did = self.did(now)?;
        let binding = match &verified.holder {
            None => return Err(Error::NoHolderBinding),
            Some(HolderBinding::Jwk(key)) => {
                if *key != self.holder_key(now)? {
                    return Err(Error::NotOurBinding(format!(
                        "the key with thumbprint {}",
                        key.thumbprint()
                    )));
                }
                Binding::DeviceKey
            }
            Some(HolderBinding::Did(kid)) => {
                if kid.split('#').next() != Some(did.as_str()) {
                    return Err(Error::NotOurBinding(kid.clone()));
                }
                // The verification method must exist in our DID for authentication.
                resolver
                    .resolve_key(kid, Purpose::Authentication, Some(now))
                    .map_err(|_| {
                        Error::NotOurBinding(format!(
                            "{kid} (no such authentication key in this wallet's DID)"
                        ))
                    })?;
                Binding::Did { kid: kid.clone() }
            }
        };
        let digest = hex(&sha256(&[compact.as_bytes()]));
        if let Some(h) = self.held(now)?.iter().find(|h| h.stored.digest == digest) {
            return Err(Error::DuplicateCredential(h.id.clone()));
        }
        let accreditation = self.accreditation(&verified.issuer, &verified.vct, now)?;
        let via = check(&verified, &accreditation)?;
        let id = self.new_id("c:")?;
        let (notification, pending) = match &via {
            Some(v) => (v.notification.clone(), v.pending.clone()),
            None => (None, None),
        };
        let stored = StoredCredential {
            compact,
            received: now,
            digest,
            notification,
        };
        let bytes = to_bytes(&stored)?;
        let short = id.strip_prefix("c:").unwrap_or(&id).to_string();
        let event = match via {
            Some(v) if v.pending.is_some() => Event::IssuedDeferred {
                credential: short.clone(),
                vct: verified.vct.clone(),
                issuer: verified.issuer.clone(),
                credential_issuer: v.credential_issuer,
            },
            Some(v) => Event::Issued {
                credential: short.clone(),
                vct: verified.vct.clone(),
                issuer: verified.issuer.clone(),
                credential_issuer: v.credential_issuer,
            },
            None => Event::Received {
                credential: short.clone(),
                vct: verified.vct.clone(),
                issuer: verified.issuer.clone(),
            },
        };
        self.write(now, |w, state| {
            if let Some(p) = &pending
                && !w.delete(p)?
            {
                return Err(Error::Storage("the pending issuance is gone".into()));
            }
            w.put(Kind::Credential, &id, &bytes)?;
            state.credentials += 1;
            append_history(w, state, event, now)?;
            Ok(())
        })?;
        let (type_name, _) = type_names(&verified.vct);
        Ok(Received {
            id: short,
            vct: verified.vct,
            type_name,
            issuer: verified.issuer,
            accreditation,
            binding,
        })
    }

    fn summary(&mut self, h: &Held, now: i64) -> Result<CredentialSummary> {
        let c = &h.credential;
        let (type_name, type_name_zh) = type_names(c.vct());
        Ok(CredentialSummary {
            id: h.id.clone(),
            vct: c.vct().to_string(),
            type_name,
            type_name_zh,
            issuer: c.issuer().to_string(),
            issued_at: c.iat(),
            expires: c.exp(),
            received: h.stored.received,
            valid_now: validity(c, now).is_none(),
            binding: self.binding_of(c, now)?,
        })
    }

    /// The credentials held, oldest first.
    pub fn credentials(&mut self, now: i64) -> Result<Vec<CredentialSummary>> {
        let mut held = self.held(now)?;
        held.sort_by_key(|h| h.stored.received);
        held.iter().map(|h| self.summary(h, now)).collect()
    }

    /// One credential in full: claims with their labels, issuer, type names,
    /// validity, and its status on the ledger.
    pub fn show(&mut self, id: &str, now: i64) -> Result<CredentialDetails> {
        let h = self.held_one(id, now)?;
        let summary = self.summary(&h, now)?;
        let c = &h.credential;
        let t = CredentialType::by_vct(c.vct());
        let mut claims = Vec::new();
        let disclosable: Vec<ClaimPath> = c.disclosable().into_iter().map(|d| d.path).collect();
        let mut walk = Vec::new();
        collect_claims(
            &Value::Object(c.claims().clone()),
            &ClaimPath::default(),
            &mut walk,
        );
        for (path, value) in walk {
            // Registered claims (issuer, type, dates, cnf, status) are shown apart.
            if path.top().is_some_and(|n| {
                (civitas_credential::REGISTERED.contains(&n) && n != "sub") || n == "_sd_alg"
            }) {
                continue;
            }
            claims.push(ClaimView {
                label: t.and_then(|t| t.label(&path, "en-US")).map(str::to_string),
                label_zh: t.and_then(|t| t.label(&path, "zh-TW")).map(str::to_string),
                selectively_disclosable: disclosable.contains(&path),
                path: path.to_string(),
                value,
            });
        }
        let status = self.status_of(c, now);
        Ok(CredentialDetails {
            summary,
            not_before: c.nbf(),
            validity: validity(c, now),
            status,
            claims,
        })
    }

    /// The credential's Token Status List entry on the ledger: the newest list at its
    /// `uri`, signed by its issuer (key resolved through the ledger).
    pub fn status_of(&self, c: &Credential, now: i64) -> CredentialStatus {
        let reference = match c.status() {
            Ok(None) => return CredentialStatus::NotTracked,
            Ok(Some(r)) => r,
            Err(e) => return CredentialStatus::Unavailable(e.to_string()),
        };
        let token = match self.ledger.status_list(&reference.uri) {
            Ok(Some(t)) => t,
            Ok(None) => {
                return CredentialStatus::Unavailable(format!(
                    "no status list at {} on the ledger",
                    reference.uri
                ));
            }
            Err(e) => return CredentialStatus::Unavailable(e.to_string()),
        };
        let (token, signature) = match parse_status_list_token(&token) {
            Ok(t) => t,
            Err(e) => return CredentialStatus::Unavailable(e.to_string()),
        };
        if token.issuer != c.issuer() {
            return CredentialStatus::Unavailable(
                "the status list is not signed by the credential's issuer".into(),
            );
        }
        let key = match self.resolver(now).resolve_key(
            &token.kid,
            Purpose::AssertionMethod,
            Some(token.iat),
        ) {
            Ok(k) => k,
            Err(e) => return CredentialStatus::Unavailable(e.to_string()),
        };
        if signature.verify(&key).is_err() {
            return CredentialStatus::Unavailable(
                "the status list's signature does not verify".into(),
            );
        }
        match token.list.get(reference.idx) {
            None => CredentialStatus::Unavailable("the index is outside the list".into()),
            Some(status::VALID) => CredentialStatus::Valid,
            Some(status::INVALID) => CredentialStatus::Revoked,
            Some(status::SUSPENDED) => CredentialStatus::Suspended,
            Some(v) => CredentialStatus::Other(v),
        }
    }

    /// Deletes a credential (with a history entry, in one transaction).
    pub fn delete(&mut self, id: &str, now: i64) -> Result<()> {
        let h = self.held_one(id, now)?;
        let record = format!("c:{id}");
        let event = Event::Deleted {
            credential: id.to_string(),
            vct: h.credential.vct().to_string(),
        };
        self.write(now, |w, state| {
            if !w.delete(&record)? {
                return Err(Error::UnknownCredential(record.clone()));
            }
            state.credentials = state.credentials.saturating_sub(1);
            append_history(w, state, event, now)?;
            Ok(())
        })
    }
}

/// The claims of `value` for display: scalars, arrays of scalars as one claim, and the
/// members of objects (and of objects in arrays) one by one.
fn collect_claims(value: &Value, path: &ClaimPath, out: &mut Vec<(ClaimPath, Value)>) {
    use civitas_credential::PathElement;
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_claims(v, &path.child(PathElement::Key(k.clone())), out);
            }
        }
        Value::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()) => {
            for (i, v) in items.iter().enumerate() {
                collect_claims(v, &path.child(PathElement::Index(i)), out);
            }
        }
        other => out.push((path.clone(), other.clone())),
    }
}
