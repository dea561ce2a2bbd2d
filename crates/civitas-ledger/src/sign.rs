//! Making the signed entries a ledger records — DID log lines, root declarations,
//! accreditations, their revocations, status lists — and status list URIs: what
//! `civitas accredit`, `civitas status`, the issuer and the wallet call.

use crate::entry::{TYP_ACCREDITATION, TYP_ACCREDITATION_REVOCATION, TYP_ISSUANCE, TYP_ROOT};
use crate::{Entry, Result};
use civitas_credential::jws;
use civitas_credential::status_list::{StatusList, sign_status_list};
use civitas_crypto::Signer;
use serde_json::json;

/// Who signs: a DID and the DID URL of the key used.
#[derive(Clone, Copy)]
pub struct Signing<'a> {
    /// The signer's DID (`iss`).
    pub did: &'a str,
    /// The key's DID URL (`kid`); its DID must be `did`.
    pub kid: &'a str,
    /// The key.
    pub signer: &'a dyn Signer,
}

impl std::fmt::Debug for Signing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signing").field("kid", &self.kid).finish()
    }
}

/// A DID log line as an entry.
pub fn did_log(line: &str) -> Entry {
    Entry::DidLog {
        line: line.to_string(),
    }
}

/// `by` declares itself a root authority for `vcts`.
pub fn root(by: Signing<'_>, vcts: &[&str], name: Option<&str>, iat: i64) -> Result<Entry> {
    let mut payload = json!({"iss": by.did, "iat": iat, "vcts": vcts});
    if let Some(name) = name {
        payload["name"] = json!(name);
    }
    Ok(Entry::Root {
        jws: jws::sign(TYP_ROOT, by.kid, &payload, by.signer)?,
    })
}

/// What an accreditation says.
#[derive(Debug, Clone)]
pub struct AccreditationSpec<'a> {
    /// Its id (unique on the ledger).
    pub id: &'a str,
    /// The accredited DID.
    pub subject: &'a str,
    /// Its display name.
    pub name: Option<&'a str>,
    /// Types covered.
    pub vcts: &'a [&'a str],
    /// Valid from (default: `iat`).
    pub nbf: Option<i64>,
    /// Valid until.
    pub exp: Option<i64>,
    /// May accredit others for these types.
    pub delegate: bool,
}

/// `by` accredits `spec.subject`.
pub fn accreditation(by: Signing<'_>, spec: &AccreditationSpec<'_>, iat: i64) -> Result<Entry> {
    let mut payload = json!({
        "iss": by.did, "sub": spec.subject, "jti": spec.id, "iat": iat,
        "vcts": spec.vcts, "delegate": spec.delegate,
    });
    if let Some(name) = spec.name {
        payload["name"] = json!(name);
    }
    if let Some(nbf) = spec.nbf {
        payload["nbf"] = json!(nbf);
    }
    if let Some(exp) = spec.exp {
        payload["exp"] = json!(exp);
    }
    Ok(Entry::Accreditation {
        jws: jws::sign(TYP_ACCREDITATION, by.kid, &payload, by.signer)?,
    })
}

/// `by` revokes its accreditation `id`.
pub fn revocation(by: Signing<'_>, id: &str, iat: i64) -> Result<Entry> {
    let payload = json!({"iss": by.did, "jti": id, "iat": iat});
    Ok(Entry::AccreditationRevocation {
        jws: jws::sign(TYP_ACCREDITATION_REVOCATION, by.kid, &payload, by.signer)?,
    })
}

/// A (new version of a) status list at `uri`.
pub fn status_list(by: Signing<'_>, uri: &str, list: &StatusList, iat: i64) -> Result<Entry> {
    Ok(Entry::StatusList {
        jws: sign_status_list(list, by.did, by.kid, uri, iat, None, by.signer)?,
    })
}

/// `by` anchors credentials it issued: `sd_jwts` are the credentials (or just their
/// issuer-signed JWTs); the entry records the SHA-256 of each issuer-signed JWT
/// ([`civitas_credential::issuer_jwt_digest`]). A credential anchored before a
/// *routine* rotation of the key that signed it stays valid after it.
pub fn issuance(by: Signing<'_>, sd_jwts: &[&str], iat: i64) -> Result<Entry> {
    let digests: Vec<String> = sd_jwts
        .iter()
        .map(|s| civitas_credential::issuer_jwt_digest(s))
        .collect();
    let payload = json!({"iss": by.did, "iat": iat, "digests": digests});
    Ok(Entry::Issuance {
        jws: jws::sign(TYP_ISSUANCE, by.kid, &payload, by.signer)?,
    })
}

/// The URI of an issuer's status list `name` on a ledger for `host`:
/// `https://{host}/status/{hash of the issuer DID}/{name}`.
pub fn status_list_uri(host: &str, issuer: &str, name: &str) -> String {
    let digest = civitas_crypto::b64::sha256_b64(issuer);
    format!("https://{host}/status/{}/{name}", &digest[..16])
}
