//! `civitas demo`: the whole story, told step by step for a person to watch.

use crate::error::{CliError, Result};
use crate::util::{out, show_time};
use civitas_credential::types::{MEDICAL, PID};
use civitas_credential::{ClaimPath, Credential, HolderBinding, IssueOptions, issue};
use civitas_crypto::{Algorithm, Rng, SigningKey, SystemRng, b64};
use civitas_did::MethodResolver;
use civitas_verifier::{Policy, Request, StaticTrust, Verifier};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Also save the keys, credentials and presentations in this directory, to try
    /// `civitas verify` on them yourself.
    #[arg(long, value_name = "DIR")]
    pub(crate) keep: Option<PathBuf>,
}

pub(crate) fn exec(args: Args) -> Result<ExitCode> {
    let rng = SystemRng;
    let now = chrono::Utc::now().timestamp();
    let year = 365 * 86_400;
    let fail = |e: civitas_credential::Error| CliError::Failed(e.to_string());

    out("Civitas demo: a citizen proves two facts at a city counter, and nothing more.\n")?;

    out("1. City hall, a hospital and the citizen each create a key pair.")?;
    let city_hall = SigningKey::generate(Algorithm::Es256, &rng)?;
    let hospital = SigningKey::generate(Algorithm::Es256, &rng)?;
    let citizen = SigningKey::generate(Algorithm::Es256, &rng)?;
    let ch_did = city_hall.public().did_jwk();
    let hosp_did = hospital.public().did_jwk();
    out(&format!("   city hall: {}", short(&ch_did)))?;
    out(&format!("   hospital:  {}", short(&hosp_did)))?;
    out(&format!(
        "   citizen:   {}\n",
        short(&citizen.public().did_jwk())
    ))?;

    out("2. City hall issues the citizen's personal ID; every claim is sealed separately,")?;
    out("   so the citizen can later reveal one without the others.")?;
    let pid_claims = json!({
        "given_name": "Mei-Ling", "family_name": "Chen", "birthdate": "1958-03-14",
        "age_over_18": true, "age_over_65": true, "nationality": "TW",
        "address": {"street_address": "1 Shifu Road", "locality": "Taipei", "postal_code": "110"},
        "personal_number": "A123456789"
    });
    let pid_claims = pid_claims.as_object().cloned().unwrap_or_default();
    let mut opts = IssueOptions::new(&ch_did, &city_hall.public().did_jwk_url(), PID.vct, now);
    opts.exp = Some(now + 10 * year);
    opts.holder = Some(HolderBinding::Jwk(citizen.public().clone()));
    PID.configure(&mut opts, &pid_claims);
    let pid = issue(&pid_claims, &opts, &city_hall, &rng).map_err(fail)?;
    out(&format!(
        "   {} ({} bytes, {} sealed claims)",
        PID.name("en"),
        pid.len(),
        pid.matches('~').count() - 1
    ))?;

    out("3. The hospital issues a medical summary.")?;
    let med_claims = json!({
        "blood_type": "O+", "allergies": ["penicillin"], "organ_donor": true,
        "vaccinations": [{"vaccine": "influenza", "date": "2026-10-02", "dose": 1}],
        "chronic_conditions": ["hypertension"]
    });
    let med_claims = med_claims.as_object().cloned().unwrap_or_default();
    let mut opts = IssueOptions::new(
        &hosp_did,
        &hospital.public().did_jwk_url(),
        MEDICAL.vct,
        now,
    );
    opts.exp = Some(now + 2 * year);
    opts.holder = Some(HolderBinding::Jwk(citizen.public().clone()));
    MEDICAL.configure(&mut opts, &med_claims);
    let medical = issue(&med_claims, &opts, &hospital, &rng).map_err(fail)?;
    out(&format!(
        "   {} ({} bytes)\n",
        MEDICAL.name("en"),
        medical.len()
    ))?;

    out("4. At counter 7, the clerk asks for \"over 18\" and \"blood type\", with a fresh nonce.")?;
    let aud = "https://counter-7.city-hall.example";
    let mut nonce_bytes = [0u8; 16];
    rng.fill(&mut nonce_bytes)?;
    let nonce = b64::encode(nonce_bytes);
    out(&format!("   nonce {nonce}, counter {aud}\n"))?;

    out("5. The citizen's wallet discloses exactly those two claims, signed for this counter.")?;
    let p1 = Credential::parse(&pid)
        .and_then(|c| c.present(&[ClaimPath::key("age_over_18")], &citizen, &nonce, aud, now))
        .map_err(fail)?;
    let p2 = Credential::parse(&medical)
        .and_then(|c| c.present(&[ClaimPath::key("blood_type")], &citizen, &nonce, aud, now))
        .map_err(fail)?;
    out(&format!(
        "   two presentations, {} and {} bytes; name, birth date and address stay home\n",
        p1.len(),
        p2.len()
    ))?;

    out(
        "6. The counter checks signatures, disclosures, the nonce, and that it trusts the issuers.",
    )?;
    let verifier = Verifier::new(
        MethodResolver::local(),
        StaticTrust::new([ch_did.clone(), hosp_did.clone()]),
        Policy::default(),
    );
    let request = Request {
        nonce: Some(nonce.clone()),
        aud: Some(aud.into()),
        required: Vec::new(),
    };
    let mut all_valid = true;
    for (what, p) in [("personal ID", &p1), ("medical summary", &p2)] {
        let verdict = verifier.verify(p, &request, now);
        all_valid &= verdict.valid;
        out(&format!("   {what}:"))?;
        for line in super::verify::plain(&verdict).lines() {
            out(&format!("     {line}"))?;
        }
    }
    out("")?;

    out("7. Someone edits the presentation to claim a different blood type, keeping the")?;
    out("   issuer's signature. The counter refuses it and says why:")?;
    let tampered = tamper_blood_type(&p2);
    let verdict = verifier.verify(&tampered, &request, now);
    out(&format!("     {}", super::verify::plain(&verdict)))?;
    all_valid &= !verdict.valid;

    out("8. The same presentation replayed at another counter's request is refused too:")?;
    let other = Request {
        nonce: Some("a-different-nonce".into()),
        aud: Some(aud.into()),
        required: Vec::new(),
    };
    let verdict = verifier.verify(&p1, &other, now);
    out(&format!("     {}", super::verify::plain(&verdict)))?;
    all_valid &= !verdict.valid;

    if let Some(dir) = args.keep {
        keep(
            &dir,
            &[
                ("city-hall.jwk", None, Some(&city_hall)),
                ("hospital.jwk", None, Some(&hospital)),
                ("citizen.jwk", None, Some(&citizen)),
                ("pid.sdjwt", Some(pid.as_str()), None),
                ("medical.sdjwt", Some(medical.as_str()), None),
                ("presentation-age.txt", Some(p1.as_str()), None),
                ("presentation-blood-type.txt", Some(p2.as_str()), None),
                ("presentation-tampered.txt", Some(tampered.as_str()), None),
            ],
        )?;
        out(&format!("\nSaved in {}. Try:", dir.display()))?;
        out(&format!(
            "  civitas verify --trust {ch_did} --nonce {nonce} --aud {aud} --at {} {}",
            show_time(now + 60),
            dir.join("presentation-age.txt").display()
        ))?;
    }
    out(if all_valid {
        "\nDone: two facts proven, a forgery and a replay caught."
    } else {
        "\nSomething did not go as expected (see above)."
    })?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn short(did: &str) -> String {
    if did.len() > 48 {
        format!("{}…{}", &did[..36], &did[did.len() - 8..])
    } else {
        did.to_string()
    }
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

type Item<'a> = (&'a str, Option<&'a str>, Option<&'a SigningKey>);

fn keep(dir: &std::path::Path, items: &[Item<'_>]) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::Input(format!("cannot create {}: {e}", dir.display())))?;
    for (name, text, key) in items {
        let path = dir.join(name);
        if let Some(key) = key {
            key.save(&path)?;
        }
        if let Some(text) = text {
            civitas_crypto::write_atomic(&path, format!("{text}\n").as_bytes(), 0o644, true)?;
        }
    }
    Ok(())
}
