//! `civitas demo`: the whole story on an embedded ledger, told step by step for a
//! person to watch.

use crate::error::{CliError, Result};
use crate::render::plain;
use crate::util::out;
use civitas_credential::status_list::{StatusList, status};
use civitas_credential::types::{MEDICAL, PID};
use civitas_credential::{Credential, HolderBinding, IssueOptions, StatusRef, issue};
use civitas_crypto::{Algorithm, SigningKey, SystemRng, b64};
use civitas_did::Purpose;
use civitas_did::webvh::{self, DocKey};
use civitas_exchange::openid4vp::{self, AuthorizationRequest};
use civitas_exchange::qr::{self, QrOptions};
use civitas_ledger::sign::{self, AccreditationSpec, Signing};
use civitas_ledger::{LedgerReader, LedgerWriter, SqliteLedger, system_clock};
use civitas_verifier::{AccreditationTrust, LedgerStatus, Policy, Request, Verifier};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Keep the ledger, keys, credentials and presentations in this directory (to try
    /// `civitas verify` on them yourself); default: a temporary directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) keep: Option<PathBuf>,
}

/// A party with a did:webvh DID on the demo ledger.
struct Party {
    did: String,
    kid: String,
    key: SigningKey,
}

impl Party {
    fn signing(&self) -> Signing<'_> {
        Signing {
            did: &self.did,
            kid: &self.kid,
            signer: &self.key,
        }
    }
}

/// Any library failure during the story: the demo fails (exit 1) with its message.
fn story_failed<E: std::fmt::Display>(e: E) -> CliError {
    CliError::Failed(e.to_string())
}

fn create(ledger: &dyn LedgerWriter, host: &str, path: &str, now: i64) -> Result<Party> {
    let key = SigningKey::generate(Algorithm::Es256, &SystemRng)?;
    let update = SigningKey::generate(Algorithm::EdDsa, &SystemRng)?;
    let next = SigningKey::generate(Algorithm::EdDsa, &SystemRng)?;
    let keys = [DocKey::new(
        "key-1",
        key.public().clone(),
        &[Purpose::AssertionMethod],
    )];
    let (did, entry) = webvh::create(
        &format!("{host}:{path}"),
        &keys,
        &update,
        vec![webvh::next_key_hash(next.public())],
        now,
    )
    .map_err(story_failed)?;
    ledger
        .append(&sign::did_log(entry.as_str()))
        .map_err(story_failed)?;
    let did = did.as_str().to_string();
    Ok(Party {
        kid: format!("{did}#key-1"),
        did,
        key,
    })
}

fn short(did: &str) -> String {
    if did.len() > 60 {
        format!("{}…{}", &did[..24], &did[did.len() - 30..])
    } else {
        did.to_string()
    }
}

pub(crate) fn exec(args: Args) -> Result<ExitCode> {
    let tmp;
    let dir = match &args.keep {
        Some(d) => {
            std::fs::create_dir_all(d)
                .map_err(|e| CliError::Input(format!("{}: {e}", d.display())))?;
            d.clone()
        }
        None => {
            tmp = tempfile::tempdir().map_err(story_failed)?;
            tmp.path().to_path_buf()
        }
    };
    let db = dir.join("ledger.db");
    if db.exists() {
        return Err(CliError::Usage(format!(
            "{} already holds a demo; choose an empty directory",
            dir.display()
        )));
    }
    let now = chrono::Utc::now().timestamp();
    let year = 365 * 86_400;
    let mut all_as_expected = true;

    out("Civitas demo: a citizen proves two facts at a city counter, and nothing more.\n")?;

    out("1. The city's ledger starts (an embedded file: nothing to run). It records who")?;
    out("   may issue what, and which credentials are revoked, in a verifiable log.")?;
    let ledger = Arc::new(
        SqliteLedger::embedded(&db, crate::ledger_arg::DEFAULT_HOST, system_clock())
            .map_err(story_failed)?,
    );
    let host = ledger.info().map_err(story_failed)?.host;

    out("2. The City of Civitas, city hall and the hospital get decentralized identifiers")?;
    out("   (did:webvh) anchored on the ledger; each can rotate its keys later.")?;
    let city = create(&*ledger, &host, "roots:city-of-civitas", now)?;
    let hall = create(&*ledger, &host, "issuers:city-hall", now)?;
    let hospital = create(&*ledger, &host, "issuers:general-hospital", now)?;
    out(&format!("   City of Civitas  {}", short(&city.did)))?;
    out(&format!("   city hall        {}", short(&hall.did)))?;
    out(&format!("   hospital         {}\n", short(&hospital.did)))?;

    out("3. The City declares itself the root of trust and accredits city hall for")?;
    out("   personal IDs and the hospital for medical summaries.")?;
    ledger
        .append(
            &sign::root(
                city.signing(),
                &[PID.vct, MEDICAL.vct],
                Some("City of Civitas"),
                now,
            )
            .map_err(story_failed)?,
        )
        .map_err(story_failed)?;
    for (id, party, vct, name) in [
        ("acc-city-hall", &hall, PID.vct, "City Hall"),
        ("acc-hospital", &hospital, MEDICAL.vct, "General Hospital"),
    ] {
        let spec = AccreditationSpec {
            id,
            subject: &party.did,
            name: Some(name),
            vcts: &[vct],
            nbf: None,
            exp: Some(now + 5 * year),
            delegate: false,
        };
        ledger
            .append(&sign::accreditation(city.signing(), &spec, now).map_err(story_failed)?)
            .map_err(story_failed)?;
    }
    let uri = sign::status_list_uri(&host, &hall.did, "pid");
    let mut list = StatusList::new(2, 1024).map_err(story_failed)?;
    ledger
        .append(&sign::status_list(hall.signing(), &uri, &list, now).map_err(story_failed)?)
        .map_err(story_failed)?;
    out("   City hall publishes a revocation list for the IDs it issues.\n")?;

    out("4. City hall issues the citizen's personal ID; the hospital a medical summary.")?;
    out("   Every claim is sealed separately, so the citizen can reveal one alone.")?;
    let citizen = SigningKey::generate(Algorithm::Es256, &SystemRng)?;
    let pid_claims = civitas_credential::samples::pid_claims();
    let mut o = IssueOptions::new(&hall.did, &hall.kid, PID.vct, now);
    PID.configure(&mut o, &pid_claims);
    o.exp = Some(now + 10 * year);
    o.holder = Some(HolderBinding::Jwk(citizen.public().clone()));
    o.status = Some(StatusRef {
        idx: 42,
        uri: uri.clone(),
    });
    let pid = issue(&pid_claims, &o, &hall.key, &SystemRng).map_err(story_failed)?;
    let med_claims = json!({
        "blood_type": "O+", "allergies": ["penicillin"], "organ_donor": true,
        "vaccinations": [{"vaccine": "influenza", "date": "2026-10-02", "dose": 1}],
        "chronic_conditions": ["hypertension"]
    });
    let med_claims = med_claims.as_object().cloned().unwrap_or_default();
    let mut o = IssueOptions::new(&hospital.did, &hospital.kid, MEDICAL.vct, now);
    MEDICAL.configure(&mut o, &med_claims);
    o.exp = Some(now + 2 * year);
    o.holder = Some(HolderBinding::Jwk(citizen.public().clone()));
    let medical = issue(&med_claims, &o, &hospital.key, &SystemRng).map_err(story_failed)?;
    out(&format!(
        "   {}: {} sealed claims; {}: {} sealed claims\n",
        PID.name("en"),
        pid.matches('~').count() - 1,
        MEDICAL.name("en"),
        medical.matches('~').count() - 1
    ))?;

    out("5. Counter 7 asks for \"over 18\" (OpenID4VP request, fresh nonce); the wallet")?;
    out("   discloses exactly that and shows a QR code a counter scanner can read.")?;
    let client_id = "redirect_uri:https://counter-7.civitas.example/response";
    let request = AuthorizationRequest::for_counter(
        client_id,
        None,
        &openid4vp::generate_nonce(&SystemRng).map_err(story_failed)?,
        PID.vct,
        &[civitas_credential::ClaimPath::key("age_over_18")],
        &[],
    )
    .map_err(story_failed)?;
    let wallet = [
        Credential::parse(&pid).map_err(story_failed)?,
        Credential::parse(&medical).map_err(story_failed)?,
    ];
    let report = openid4vp::match_request(&request, &wallet);
    let p1 = report
        .present(&request, &wallet, "pid", &[], &citizen, now)
        .map_err(story_failed)?;
    let payload = qr::encode_payload(&p1);
    let code = qr::render(&payload, &QrOptions::default()).map_err(story_failed)?;
    out(&format!(
        "   {} characters of presentation → {} characters of CIV1 payload → QR version {} ({:?})",
        p1.len(),
        payload.len(),
        code.info().version,
        code.info().ecc
    ))?;
    out("   Name, birth date, address and ID number stay on the phone.\n")?;

    out("6. The counter verifies: signatures, disclosures, nonce, the issuer's key from")?;
    out("   the ledger, its accreditation by the City, and the revocation list.")?;
    let resolver = civitas_ledger::resolver(ledger.clone(), now);
    let verifier = Verifier::new(
        resolver.clone(),
        AccreditationTrust::new(ledger.clone(), vec![city.did.clone()]),
        Policy::default(),
    )
    .with_status(LedgerStatus::new(ledger.clone(), resolver).with_cache_seconds(0));
    let counter_request = Request {
        nonce: Some(request.nonce().to_string()),
        aud: Some(client_id.to_string()),
        required: Vec::new(),
    };
    let decoded = qr::decode_payload(&payload).map_err(story_failed)?;
    let verdict = verifier.verify(&decoded, &counter_request, now);
    all_as_expected &= verdict.valid;
    for line in plain(&verdict).lines() {
        out(&format!("     {line}"))?;
    }
    out("")?;

    out("7. Someone edits a presentation of the medical summary to change the blood type,")?;
    out("   keeping the hospital's signature. The counter refuses it, and says why:")?;
    let med_request = AuthorizationRequest::for_counter(
        client_id,
        None,
        &openid4vp::generate_nonce(&SystemRng).map_err(story_failed)?,
        MEDICAL.vct,
        &[civitas_credential::ClaimPath::key("blood_type")],
        &[],
    )
    .map_err(story_failed)?;
    let report = openid4vp::match_request(&med_request, &wallet);
    let p2 = report
        .present(&med_request, &wallet, "medical", &[], &citizen, now)
        .map_err(story_failed)?;
    let med_counter = Request {
        nonce: Some(med_request.nonce().to_string()),
        ..counter_request.clone()
    };
    let honest = verifier.verify(&p2, &med_counter, now);
    all_as_expected &= honest.valid;
    out(&format!(
        "     honest copy:   {}",
        if honest.valid {
            "VALID, blood type O+"
        } else {
            "NOT VALID (unexpected)"
        }
    ))?;
    let tampered = tamper_blood_type(&p2);
    let v = verifier.verify(&tampered, &med_counter, now);
    all_as_expected &= !v.valid;
    out(&format!("     tampered copy: {}", plain(&v)))?;

    out("8. The ID presentation replayed for another counter's request is refused:")?;
    let other = Request {
        nonce: Some("a-different-nonce".into()),
        ..counter_request.clone()
    };
    let v = verifier.verify(&p1, &other, now);
    all_as_expected &= !v.valid;
    out(&format!("     {}", plain(&v)))?;

    out("9. City hall revokes the ID (it was reported stolen). The same presentation,")?;
    out("   checked again, is refused:")?;
    list.set(42, status::INVALID).map_err(story_failed)?;
    ledger
        .append(&sign::status_list(hall.signing(), &uri, &list, now + 1).map_err(story_failed)?)
        .map_err(story_failed)?;
    let v = verifier.verify(&p1, &counter_request, now + 2);
    all_as_expected &= v.code == Some("revoked");
    out(&format!("     {}", plain(&v)))?;

    if args.keep.is_some() {
        let save = |name: &str, text: &str| {
            civitas_crypto::write_atomic(
                &dir.join(name),
                format!("{text}\n").as_bytes(),
                0o644,
                true,
            )
        };
        save("pid.sdjwt", &pid)?;
        save("medical.sdjwt", &medical)?;
        save("presentation-age.txt", &p1)?;
        save("presentation-age.civ1", &payload)?;
        save("presentation-tampered.txt", &tampered)?;
        citizen.save(&dir.join("citizen.jwk"))?;
        out(&format!("\nSaved in {}. Try, for example:", dir.display()))?;
        out(&format!(
            "  civitas verify --ledger {} --root {} --nonce {} --aud {} {}",
            db.display(),
            city.did,
            med_request.nonce(),
            client_id,
            dir.join("presentation-tampered.txt").display()
        ))?;
    }
    out(if all_as_expected {
        "\nDone: a fact proven without the rest, a forgery, a replay and a revoked ID caught."
    } else {
        "\nSomething did not go as expected (see above)."
    })?;
    Ok(if all_as_expected {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Replaces the blood type disclosure's value, keeping everything else.
fn tamper_blood_type(presentation: &str) -> String {
    presentation
        .split('~')
        .map(|part| {
            let decoded = b64::decode(part)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
            match decoded {
                Some(serde_json::Value::Array(mut a)) if a.get(1) == Some(&json!("blood_type")) => {
                    a[2] = json!("AB-");
                    b64::encode(serde_json::Value::Array(a).to_string())
                }
                _ => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("~")
}
