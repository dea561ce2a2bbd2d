//! Real credentials for the OpenID4VP tests: city hall and a hospital issue SD-JWT VCs
//! (the city's PID and medical summary types, nested disclosures as the types define
//! them) bound to the citizen's key, with `civitas_credential::issue`.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use civitas_credential::types::{MEDICAL, PID};
use civitas_credential::{
    ClaimPath, Credential, HolderBinding, IssueOptions, Verified, VerifyOptions, issue, verify,
};
use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_did::MethodResolver;
use serde_json::{Map, Value, json};

/// Verification time of the stories (2025-11-24).
pub const NOW: i64 = 1_764_000_000;

pub struct World {
    pub rng: SeededRng,
    pub city_hall: SigningKey,
    pub hospital: SigningKey,
    pub citizen: SigningKey,
    pub counter: SigningKey,
}

impl World {
    pub fn new(seed: u64) -> Self {
        let rng = SeededRng::new(seed);
        let city_hall = SigningKey::generate(Algorithm::Es256, &rng).unwrap();
        let hospital = SigningKey::generate(Algorithm::Es256, &rng).unwrap();
        let citizen = SigningKey::generate(Algorithm::Es256, &rng).unwrap();
        let counter = SigningKey::generate(Algorithm::EdDsa, &rng).unwrap();
        World {
            rng,
            city_hall,
            hospital,
            citizen,
            counter,
        }
    }

    /// The counter's DID (did:jwk).
    pub fn counter_did(&self) -> String {
        self.counter.public().did_jwk()
    }

    /// An SD-JWT VC of `vct` with `claims`, every top-level claim disclosable plus
    /// `nested` paths, bound to the citizen's key when `bound`.
    pub fn issue_with(
        &self,
        issuer: &SigningKey,
        vct: &str,
        claims: &Value,
        nested: Vec<ClaimPath>,
        bound: bool,
    ) -> Credential {
        let claims = claims.as_object().unwrap();
        let did = issuer.public().did_jwk();
        let mut options =
            IssueOptions::new(&did, &issuer.public().did_jwk_url(), vct, NOW - 86_400);
        options.exp = Some(NOW + 365 * 86_400);
        if bound {
            options.holder = Some(HolderBinding::Jwk(self.citizen.public().clone()));
        }
        options.nested_sd = nested;
        let sd_jwt = issue(claims, &options, issuer, &self.rng).unwrap();
        Credential::parse(&sd_jwt).unwrap()
    }

    /// The citizen's personal ID.
    pub fn pid(&self) -> Credential {
        self.pid_with(pid_claims(), true)
    }

    pub fn pid_with(&self, claims: Value, bound: bool) -> Credential {
        PID.validate(claims.as_object().unwrap()).unwrap();
        let nested = PID.nested_sd_for(claims.as_object().unwrap());
        self.issue_with(&self.city_hall, PID.vct, &claims, nested, bound)
    }

    /// The citizen's medical summary.
    pub fn medical(&self) -> Credential {
        let claims = medical_claims();
        MEDICAL.validate(claims.as_object().unwrap()).unwrap();
        let nested = MEDICAL.nested_sd_for(claims.as_object().unwrap());
        self.issue_with(&self.hospital, MEDICAL.vct, &claims, nested, true)
    }

    /// Verifies a presentation for `nonce` and `aud`, trusting any issuer (trust is
    /// not what these tests are about).
    pub fn verify(&self, presentation: &str, nonce: &str, aud: &str) -> Verified {
        verify(
            presentation,
            &MethodResolver::local(),
            &VerifyOptions::at(NOW + 30).for_request(nonce, aud),
        )
        .unwrap()
    }
}

pub fn pid_claims() -> Value {
    json!({
        "given_name": "Mei-Ling", "family_name": "Chen", "birthdate": "1958-03-14",
        "age_over_18": true, "age_over_65": true, "nationality": "TW",
        "address": {"street_address": "1 Shifu Road", "locality": "Taipei", "postal_code": "110"},
        "personal_number": "A123456789"
    })
}

pub fn medical_claims() -> Value {
    json!({
        "blood_type": "O+", "allergies": ["penicillin", "latex"], "organ_donor": true,
        "vaccinations": [
            {"vaccine": "influenza", "date": "2025-10-02", "dose": 1},
            {"vaccine": "covid-19", "date": "2025-09-15", "dose": 4}
        ],
        "chronic_conditions": ["hypertension"]
    })
}

pub fn path(text: &str) -> ClaimPath {
    ClaimPath::parse(text).unwrap()
}

pub fn paths(texts: &[&str]) -> Vec<ClaimPath> {
    texts.iter().map(|t| path(t)).collect()
}

/// The paths (in the full credential) of the disclosures a presentation of
/// `credential` carries, found by their encoded form.
pub fn disclosed_paths(credential: &Credential, presentation: &str) -> Vec<ClaimPath> {
    let full = credential.to_compact();
    let encoded: Vec<&str> = full.split('~').skip(1).filter(|s| !s.is_empty()).collect();
    let all = credential.disclosable();
    assert_eq!(encoded.len(), all.len());
    let sent: Vec<&str> = presentation.split('~').collect();
    let sent = &sent[1..sent.len() - 1]; // neither the issuer JWT nor the KB-JWT
    sent.iter()
        .map(|d| {
            let i = encoded
                .iter()
                .position(|e| e == d)
                .expect("a disclosure of the credential");
            all[i].path.clone()
        })
        .collect()
}

/// The verified claims of each presentation of a VP Token, by Credential Query.
pub fn claims_of(verified: &Verified) -> Map<String, Value> {
    verified.claims.clone()
}
