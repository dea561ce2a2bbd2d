//! The bundled demo issuer: "Civitas Demo City Hall", a did:webvh DID on the embedded
//! ledger (created on first start, its key kept beside the ledger), which issues a
//! sample PID and medical summary bound to the citizen's DID, so that a new user can
//! receive credentials and try a presentation at once.
//!
//! This is demo machinery, not the wallet: a real issuer runs elsewhere
//! (`civitas issue`, later an issuance service).

use crate::error::{Error, Result};
use civitas_credential::types::{MEDICAL, PID};
use civitas_credential::{HolderBinding, IssueOptions, issue};
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_did::Purpose;
use civitas_did::webvh::{self, DocKey};
use civitas_ledger::LedgerWriter;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::path::Path;

/// The demo issuer's display name.
pub(crate) const NAME: &str = "Civitas Demo City Hall";
/// Validity of demo credentials: one year.
const VALIDITY: i64 = 365 * 86_400;

/// The demo issuer's DID and key id (its key is in `issuer.jwk` beside this record).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DemoIssuer {
    /// The issuer's did:webvh DID.
    pub(crate) did: String,
    /// Its assertion key's DID URL.
    pub(crate) kid: String,
    /// The ledger file or URL it was anchored on.
    pub(crate) ledger: String,
}

fn demo_err(e: impl std::fmt::Display) -> Error {
    Error::Demo(e.to_string())
}

/// The demo issuer anchored on `ledger` (identified by `ledger_id`), created on first
/// use: its DID log genesis and a root declaration for the PID and medical types.
pub(crate) fn ensure_issuer(
    dir: &Path,
    ledger: &dyn LedgerWriter,
    ledger_id: &str,
    now: i64,
) -> Result<(DemoIssuer, SigningKey)> {
    // One creation at a time (the startup seeding and the button may race).
    static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _creating = CREATING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let record = dir.join("issuer.json");
    let key_file = dir.join("issuer.jwk");
    if let (Ok(bytes), true) = (std::fs::read(&record), key_file.exists())
        && let Ok(issuer) = serde_json::from_slice::<DemoIssuer>(&bytes)
        && issuer.ledger == ledger_id
        && ledger.did_log(&issuer.did).is_ok_and(|l| !l.is_empty())
    {
        let key = SigningKey::load(&key_file).map_err(demo_err)?;
        return Ok((issuer, key));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let key = SigningKey::generate(Algorithm::Es256, &SystemRng).map_err(demo_err)?;
    let update = SigningKey::generate(Algorithm::EdDsa, &SystemRng).map_err(demo_err)?;
    let next = SigningKey::generate(Algorithm::EdDsa, &SystemRng).map_err(demo_err)?;
    let host = ledger.info()?.host;
    let keys = [DocKey::new(
        "key-1",
        key.public().clone(),
        &[Purpose::AssertionMethod],
    )];
    let (did, genesis) = webvh::create(
        &format!("{host}:issuers:demo-city-hall"),
        &keys,
        &update,
        vec![webvh::next_key_hash(next.public())],
        now,
    )
    .map_err(demo_err)?;
    let did = did.as_str().to_string();
    let kid = format!("{did}#key-1");
    ledger.append(&civitas_ledger::sign::did_log(genesis.as_str()))?;
    let signing = civitas_ledger::sign::Signing {
        did: &did,
        kid: &kid,
        signer: &key,
    };
    ledger.append(&civitas_ledger::sign::root(
        signing,
        &[PID.vct, MEDICAL.vct],
        Some(NAME),
        now,
    )?)?;
    let _ = std::fs::remove_file(&key_file);
    key.save(&key_file).map_err(demo_err)?;
    let issuer = DemoIssuer {
        did,
        kid,
        ledger: ledger_id.to_string(),
    };
    let text = serde_json::to_vec_pretty(&issuer).map_err(demo_err)?;
    std::fs::write(&record, text).map_err(|e| Error::io(&record, e))?;
    Ok((issuer, key))
}

/// A sample PID.
pub(crate) fn pid_claims() -> Map<String, Value> {
    civitas_credential::samples::pid_claims()
}

/// A sample medical summary.
pub(crate) fn medical_claims() -> Map<String, Value> {
    object(json!({
        "blood_type": "O+",
        "allergies": ["penicillin"],
        "vaccinations": [
            {"vaccine": "COVID-19", "date": "2025-10-02", "dose": 4},
            {"vaccine": "Influenza", "date": "2025-11-03", "dose": 1}
        ],
        "organ_donor": true,
        "chronic_conditions": ["hypertension"]
    }))
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Issues the sample PID and medical summary to `holder_did` (bound to its holder key
/// `#holder-1`).
pub(crate) fn issue_samples(
    issuer: &DemoIssuer,
    key: &SigningKey,
    holder_did: &str,
    now: i64,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (t, claims) in [(&PID, pid_claims()), (&MEDICAL, medical_claims())] {
        t.validate(&claims).map_err(demo_err)?;
        let mut options = IssueOptions::new(&issuer.did, &issuer.kid, t.vct, now);
        options.holder = Some(HolderBinding::Did(format!(
            "{holder_did}#{}",
            civitas_wallet::HOLDER_FRAGMENT
        )));
        options.exp = Some(now + VALIDITY);
        options.nested_sd = t.nested_sd_for(&claims);
        out.push(issue(&claims, &options, key, &SystemRng).map_err(demo_err)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn samples_are_valid_for_their_types() {
        PID.validate(&pid_claims()).unwrap();
        MEDICAL.validate(&medical_claims()).unwrap();
    }

    #[test]
    fn the_issuer_is_created_once_and_anchored() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = civitas_ledger::SqliteLedger::embedded(
            &dir.path().join("ledger.db"),
            crate::state::EMBEDDED_HOST,
            civitas_ledger::system_clock(),
        )
        .unwrap();
        let now = crate::state::now();
        let (a, _) = ensure_issuer(&dir.path().join("demo"), &ledger, "x", now).unwrap();
        let (b, _) = ensure_issuer(&dir.path().join("demo"), &ledger, "x", now).unwrap();
        assert_eq!(a.did, b.did);
        assert!(a.did.starts_with("did:webvh:"));
        assert_eq!(
            civitas_ledger::LedgerReader::did_log(&ledger, &a.did)
                .unwrap()
                .len(),
            1
        );
    }
}
