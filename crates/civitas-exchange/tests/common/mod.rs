//! A generator of realistic Civitas presentations for the tests: compact SD-JWT
//! (RFC 9901) with a did:webvh issuer, decoys, disclosures and a KB-JWT. Signatures,
//! digests and keys are random bytes: the codec must be byte-exact whatever they are.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn random_bytes(rng: &mut StdRng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.r#gen()).collect()
}

/// A did:webvh SCID: base58btc of a sha2-256 multihash, 46 characters starting "Qm".
fn scid(rng: &mut StdRng) -> String {
    let mut multihash = vec![0x12, 0x20];
    multihash.extend(random_bytes(rng, 32));
    bs58::encode(multihash).into_string()
}

/// The three Civitas credential types and their claims.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Pid,
    Medical,
    Service,
}

impl Kind {
    pub fn vct(self) -> &'static str {
        match self {
            Kind::Pid => "https://civitas.example/credentials/pid/v1",
            Kind::Medical => "https://civitas.example/credentials/medical-summary/v1",
            Kind::Service => "https://civitas.example/credentials/service-record/v1",
        }
    }

    fn issuer(self) -> &'static str {
        match self {
            Kind::Pid | Kind::Service => "city-hall",
            Kind::Medical => "hospital",
        }
    }

    pub fn claims(self) -> Vec<(&'static str, Value)> {
        match self {
            Kind::Pid => vec![
                ("age_over_18", json!(true)),
                ("given_name", json!("Mei-Ling")),
                ("family_name", json!("Chen")),
                ("birthdate", json!("1990-04-12")),
                ("age_over_65", json!(false)),
                ("nationality", json!("TW")),
                (
                    "address",
                    json!({"street_address": "No. 1, Sec. 1, Civic Blvd", "locality": "Civitas", "postal_code": "100"}),
                ),
                ("personal_number", json!("A123456789")),
            ],
            Kind::Medical => vec![
                ("blood_type", json!("O+")),
                ("organ_donor", json!(true)),
                ("allergies", json!(["penicillin"])),
                (
                    "vaccinations",
                    json!([{"vaccine": "MMR", "date": "2019-05-01", "dose": 2}]),
                ),
                ("chronic_conditions", json!(["asthma"])),
            ],
            Kind::Service => vec![
                ("service", json!("residence-permit")),
                ("outcome", json!("granted")),
                ("agency", json!("city-hall")),
                ("requested_at", json!("2025-10-01T09:00:00Z")),
                ("completed_at", json!("2025-10-03T15:30:00Z")),
                ("reference", json!("SR-2025-0042")),
            ],
        }
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    pub kind: Kind,
    /// How many claims to disclose (the first ones of the type's list).
    pub disclose: usize,
    /// Decoy digests added to `_sd`.
    pub decoys: usize,
    /// Whether a KB-JWT ends the presentation (otherwise it ends with `~`).
    pub key_binding: bool,
}

impl Spec {
    /// The measured case: a PID disclosing `age_over_18` and `given_name`.
    pub fn pid_two_claims() -> Self {
        Spec {
            kind: Kind::Pid,
            disclose: 2,
            decoys: 2,
            key_binding: true,
        }
    }
}

/// A presentation from a seed.
pub fn presentation(seed: u64, spec: &Spec) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let did = format!(
        "did:webvh:{}:ledger.civitas.example:issuers:{}",
        scid(&mut rng),
        spec.kind.issuer()
    );
    let header = json!({"alg": "ES256", "typ": "dc+sd-jwt", "kid": format!("{did}#key-1")});
    let claims = spec.kind.claims();
    let mut disclosures = Vec::new();
    let mut digests = Vec::new();
    for (name, value) in &claims {
        let d =
            serde_json::to_string(&json!([b64(random_bytes(&mut rng, 16)), name, value])).unwrap();
        disclosures.push(b64(&d));
        digests.push(b64(random_bytes(&mut rng, 32)));
    }
    for _ in 0..spec.decoys {
        digests.push(b64(random_bytes(&mut rng, 32)));
    }
    digests.shuffle(&mut rng);
    let iat = 1_764_068_400u64 + rng.gen_range(0..86_400);
    let payload = json!({
        "_sd": digests,
        "iss": did,
        "iat": iat,
        "exp": iat + 31_536_000,
        "vct": spec.kind.vct(),
        "_sd_alg": "sha-256",
        "cnf": {"jwk": {"kty": "EC", "crv": "P-256",
            "x": b64(random_bytes(&mut rng, 32)), "y": b64(random_bytes(&mut rng, 32))}},
        "status": {"status_list": {"idx": rng.gen_range(0..100_000),
            "uri": format!("https://ledger.civitas.example/status/{}", spec.kind.issuer())}},
    });
    let mut out = format!(
        "{}.{}.{}~",
        b64(serde_json::to_string(&header).unwrap()),
        b64(serde_json::to_string(&payload).unwrap()),
        b64(random_bytes(&mut rng, 64))
    );
    for d in disclosures.iter().take(spec.disclose) {
        out.push_str(d);
        out.push('~');
    }
    if spec.key_binding {
        let kb_header = r#"{"alg":"ES256","typ":"kb+jwt"}"#;
        let kb = json!({
            "iat": iat + 60,
            "aud": format!("counter-{}.{}.example", rng.gen_range(1..20), spec.kind.issuer()),
            "nonce": b64(random_bytes(&mut rng, 16)),
            "sd_hash": b64(random_bytes(&mut rng, 32)),
        });
        out.push_str(&format!(
            "{}.{}.{}",
            b64(kb_header),
            b64(serde_json::to_string(&kb).unwrap()),
            b64(random_bytes(&mut rng, 64))
        ));
    }
    out
}

/// A random spec from a seed.
pub fn random_spec(seed: u64) -> Spec {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5EED);
    let kind = [Kind::Pid, Kind::Medical, Kind::Service][rng.gen_range(0..3)];
    let n = kind.claims().len();
    Spec {
        kind,
        disclose: rng.gen_range(0..=n),
        decoys: rng.gen_range(0..5),
        key_binding: rng.gen_bool(0.8),
    }
}
