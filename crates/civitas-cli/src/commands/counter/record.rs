//! Every service leaves a record: with `--issuer-db`, after each VALID verdict (never
//! after a refused one) the counter makes a `service_record` offer in the office's
//! issuer database — through [`civitas_issuer::create_offer`], as `civitas issuer
//! offer --db` does — and shows it to the clerk (offer URI, PIN, QR code). The offer
//! holds service facts only (service, agency, requested_at, completed_at, outcome,
//! reference), never a presented claim value, and is bound to the key the citizen
//! just presented with (`OfferRequest::holder`: their DID, or their key's RFC 7638
//! thumbprint).
//!
//! Everything is checked when the counter starts (the database exists and takes
//! writes, the issuer's URL and the agency's name are known), not after the first
//! citizen.

use crate::error::{CliError, Result};
use civitas_credential::HolderBinding;
use civitas_crypto::Rng;
use civitas_exchange::openid4vci::{
    CredentialIssuerMetadata, ISSUER_METADATA_PATH, well_known_url,
};
use civitas_exchange::qr::{self, EccLevel, QrCode, QrOptions};
use civitas_issuer::{CreatedOffer, OfferRequest, Store};
use civitas_verifier::Verdict;
use civitas_wallet::openid4vci::{HttpTransport, Transport};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The office's issuer, for the service record the counter offers.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct RecordArgs {
    /// Offer a service record after each valid verdict: the SQLite database of this
    /// office's `civitas issuer serve` (it must exist and be writable).
    #[arg(long, value_name = "FILE")]
    pub(crate) issuer_db: Option<PathBuf>,
    /// The credential issuer's public URL (default: the one `issuer serve` recorded
    /// in the database).
    #[arg(long, value_name = "URL", requires = "issuer_db")]
    pub(crate) issuer_url: Option<String>,
    /// What this counter does, as the record names it ("Household registration
    /// transcript"); required with --issuer-db.
    #[arg(long, value_name = "NAME", requires = "issuer_db")]
    pub(crate) service: Option<String>,
    /// The agency, as the record names it (default: the issuer's English display name
    /// from its metadata).
    #[arg(long, value_name = "NAME", requires = "issuer_db")]
    pub(crate) agency: Option<String>,
    /// Seconds a service-record offer stays valid.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub(crate) record_expires_in: i64,
    /// Also write each service-record offer's QR code as DIR/REFERENCE.png (the
    /// terminal counter).
    #[arg(long, value_name = "DIR", requires = "issuer_db")]
    pub(crate) qr_dir: Option<PathBuf>,
}

/// The counter's link to the office's issuer.
pub(crate) struct ServiceDesk {
    store: Mutex<Store>,
    credential_issuer: String,
    service: String,
    agency: String,
    expires_in: i64,
    qr_dir: Option<PathBuf>,
}

impl std::fmt::Debug for ServiceDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceDesk")
            .field("credential_issuer", &self.credential_issuer)
            .field("service", &self.service)
            .field("agency", &self.agency)
            .finish_non_exhaustive()
    }
}

/// A service-record offer made for a citizen.
pub(crate) struct ServiceOffer {
    pub(crate) created: CreatedOffer,
    pub(crate) reference: String,
    pub(crate) qr: Option<QrCode>,
    pub(crate) png: Option<PathBuf>,
}

fn not_text(what: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.len() > 200 || v.chars().any(char::is_control) {
        return Err(CliError::Usage(format!(
            "{what}: give a name of 1 to 200 characters, no control characters"
        )));
    }
    Ok(v.to_string())
}

impl RecordArgs {
    /// The service desk these options describe (`None` without --issuer-db: the
    /// counter offers nothing). Every check happens here, at start.
    pub(crate) fn desk(&self, now: i64) -> Result<Option<ServiceDesk>> {
        let Some(db) = &self.issuer_db else {
            return Ok(None);
        };
        let service = self.service.as_deref().ok_or_else(|| {
            CliError::Usage(
                "--issuer-db needs --service NAME (what this counter does, as the citizen's record names it)"
                    .into(),
            )
        })?;
        let service = not_text("--service", service)?;
        if !(60..=30 * 86_400).contains(&self.record_expires_in) {
            return Err(CliError::Usage(
                "--record-expires-in: give 60 seconds to 30 days".into(),
            ));
        }
        let store = open_writable(db, now)?;
        let credential_issuer = match &self.issuer_url {
            Some(u) => u.clone(),
            None => store
                .meta("credential_issuer")
                .map_err(|e| CliError::Input(format!("--issuer-db {}: {e}", db.display())))?
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "--issuer-db {} names no issuer URL: start `civitas issuer serve --db {0}` once, or pass --issuer-url",
                        db.display()
                    ))
                })?,
        };
        let agency = match &self.agency {
            Some(a) => not_text("--agency", a)?,
            None => issuer_name(&credential_issuer).map_err(|why| {
                CliError::Usage(format!(
                    "give --agency NAME: the issuer's name could not be read from {credential_issuer} ({why})"
                ))
            })?,
        };
        if let Some(dir) = &self.qr_dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::Input(format!("--qr-dir {}: {e}", dir.display())))?;
        }
        Ok(Some(ServiceDesk {
            store: Mutex::new(store),
            credential_issuer,
            service,
            agency,
            expires_in: self.record_expires_in,
            qr_dir: self.qr_dir.clone(),
        }))
    }
}

/// Opens the office's issuer database and proves it takes writes (purging expired
/// offers is a write transaction), so a missing, unreadable or read-only database is
/// an error at start.
fn open_writable(db: &Path, now: i64) -> Result<Store> {
    if !db.is_file() {
        return Err(CliError::Input(format!(
            "--issuer-db {}: no issuer database there (start `civitas issuer serve --db {0}` once)",
            db.display()
        )));
    }
    let store = Store::open(db).map_err(|e| {
        CliError::Input(format!("--issuer-db {}: cannot open it: {e}", db.display()))
    })?;
    store.purge_expired(now).map_err(|e| {
        CliError::Input(format!(
            "--issuer-db {}: cannot write to it: {e}",
            db.display()
        ))
    })?;
    Ok(store)
}

/// The issuer's English display name, from its Credential Issuer Metadata.
fn issuer_name(url: &str) -> std::result::Result<String, String> {
    let transport = HttpTransport::new().map_err(|e| e.to_string())?;
    let r = transport
        .get(&well_known_url(url, ISSUER_METADATA_PATH))
        .map_err(|e| e.to_string())?;
    if r.status != 200 {
        return Err(format!("its metadata answered HTTP {}", r.status));
    }
    let meta = CredentialIssuerMetadata::from_json(&r.body, url).map_err(|e| e.to_string())?;
    meta.display_name("en-US")
        .map(str::to_string)
        .ok_or_else(|| "its metadata has no display name".to_string())
}

/// The holder the presented credential was bound to: its DID (a `cnf.kid` DID URL
/// without the fragment), or its key's RFC 7638 thumbprint (`cnf.jwk`).
pub(crate) fn holder_of(verdict: &Verdict) -> Option<String> {
    match verdict.verified.as_ref()?.holder.as_ref()? {
        HolderBinding::Did(kid) => kid
            .split('#')
            .next()
            .filter(|d| d.starts_with("did:"))
            .map(str::to_string),
        HolderBinding::Jwk(key) => Some(key.thumbprint()),
    }
}

/// The record's claims: service facts only.
fn claims(desk: &ServiceDesk, requested_at: i64, now: i64, reference: &str) -> Map<String, Value> {
    let v = json!({
        "service": desk.service,
        "agency": desk.agency,
        "requested_at": crate::util::show_time(requested_at.min(now)),
        "completed_at": crate::util::show_time(now),
        "outcome": "completed",
        "reference": reference,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

impl ServiceDesk {
    /// One line for the clerk at start.
    pub(crate) fn summary(&self) -> String {
        format!(
            "After each valid presentation this counter offers a service record: \"{}\" by {} (issuer {}).",
            self.service, self.agency, self.credential_issuer
        )
    }

    /// Makes the service-record offer after a VALID `verdict` (a refused one gets
    /// none): `requested_at` is when the counter's request was made, `now` when it
    /// was completed.
    pub(crate) fn offer(
        &self,
        verdict: &Verdict,
        requested_at: i64,
        now: i64,
        rng: &dyn Rng,
    ) -> Result<ServiceOffer> {
        if !verdict.valid {
            return Err(CliError::Failed(
                "no service record for a presentation that was not valid".into(),
            ));
        }
        let mut r = [0u8; 6];
        rng.fill(&mut r)
            .map_err(|_| CliError::Failed("the random number generator failed".into()))?;
        let day = chrono::DateTime::from_timestamp(now, 0)
            .unwrap_or_default()
            .format("%Y%m%d");
        let reference = format!("SR-{day}-{}", civitas_crypto::b64::encode(r));
        let request = OfferRequest {
            credential_issuer: self.credential_issuer.clone(),
            configuration_id: "service_record".into(),
            claims: claims(self, requested_at, now, &reference),
            expires_in: self.expires_in,
            pin: true,
            deferred: false,
            holder: holder_of(verdict),
        };
        let created = {
            let store = self
                .store
                .lock()
                .map_err(|_| CliError::Failed("the issuer database is unavailable".into()))?;
            civitas_issuer::create_offer(&store, &request, now, rng)
                .map_err(|e| CliError::Failed(format!("the service record was not offered: {e}")))?
        };
        let options = QrOptions::default()
            .with_ecc(EccLevel::L)
            .with_max_version(30);
        let code = qr::render(&created.offer_uri, &options).ok();
        let mut png = None;
        if let (Some(dir), Some(code)) = (&self.qr_dir, &code) {
            let file = dir.join(format!("{reference}.png"));
            crate::qr_file::write_qr(code, &file)?;
            png = Some(file);
        }
        Ok(ServiceOffer {
            created,
            reference,
            qr: code,
            png,
        })
    }
}

impl ServiceOffer {
    /// For the clerk's page: the URI, PIN, expiry, reference and the QR code as SVG.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "offer_uri": self.created.offer_uri,
            "tx_code": self.created.tx_code,
            "expires_at": crate::util::show_time(self.created.expires_at),
            "offer_id": self.created.offer_id,
            "reference": self.reference,
            "svg": self.qr.as_ref().map(QrCode::to_svg).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn desk() -> ServiceDesk {
        ServiceDesk {
            store: Mutex::new(Store::memory().unwrap()),
            credential_issuer: "http://127.0.0.1:8091".into(),
            service: "Household registration transcript".into(),
            agency: "Household Registration Office".into(),
            expires_in: 900,
            qr_dir: None,
        }
    }

    fn valid() -> Verdict {
        let mut v = Verdict::rejected("x", "x".into());
        v.valid = true;
        v.code = None;
        v.reason = None;
        v.claims.insert("given_name".into(), json!("Mei-Ling"));
        v
    }

    #[test]
    fn a_valid_verdict_gets_an_offer_of_service_facts_only() {
        let d = desk();
        let now = 1_780_000_000;
        let o = d
            .offer(&valid(), now - 120, now, &civitas_crypto::SystemRng)
            .unwrap();
        assert!(o.created.tx_code.is_some());
        assert!(o.reference.starts_with("SR-20260528-"), "{}", o.reference);
        let c = claims(&d, now - 120, now, &o.reference);
        civitas_credential::types::SERVICE_RECORD
            .validate(&c)
            .unwrap();
        assert_eq!(c["requested_at"], "2026-05-28T20:24:40Z");
        assert_eq!(c["completed_at"], "2026-05-28T20:26:40Z");
        assert_eq!(c.len(), 6);
        assert!(!Value::Object(c).to_string().contains("Mei-Ling"));
        let open = d.store.lock().unwrap().pending(now).unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].configuration_id, "service_record");
        // A request "made" after its completion (a clock step) is clamped.
        assert_eq!(
            claims(&d, now + 50, now, "r")["requested_at"],
            "2026-05-28T20:26:40Z"
        );
    }

    #[test]
    fn a_refused_verdict_gets_no_offer() {
        let d = desk();
        let v = Verdict::rejected("replay", "already used".into());
        assert!(
            d.offer(&v, 0, 1_780_000_000, &civitas_crypto::SystemRng)
                .is_err()
        );
        assert!(
            d.store
                .lock()
                .unwrap()
                .pending(1_780_000_000)
                .unwrap()
                .is_empty()
        );
        assert_eq!(holder_of(&v), None);
    }

    #[test]
    fn names_are_checked() {
        assert!(not_text("--service", "  ").is_err());
        assert!(not_text("--service", "a\u{7}b").is_err());
        assert!(not_text("--service", &"x".repeat(201)).is_err());
        assert_eq!(not_text("--agency", " Office ").unwrap(), "Office");
    }
}
