#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The verification pipeline's cost against its floor: two raw ring ES256
//! verifications (the issuer's signature and the key binding's), on the same core, in
//! the same run. Target: the whole pipeline ≤ 1.15× the two signature checks.
//!
//! ```text
//! cargo bench -p civitas-verifier --bench pipeline
//! ```
//!
//! The presentation is a PID with 10 claims, 5 disclosed (given_name, family_name,
//! age_over_18, nationality, address.locality), ES256 issuer and ES256 key binding;
//! the verifier checks trust (a --trust list) and caches the resolved issuer key, as a
//! counter does all day. Rounds alternate between the two measurements so that
//! frequency drift hits both; the median ratio is reported.

use civitas_credential::{ClaimPath, Credential, HolderBinding, IssueOptions, issue};
use civitas_crypto::{Algorithm, PublicKey, SeededRng, Signer, SigningKey, b64};
use civitas_did::MethodResolver;
use civitas_verifier::{Policy, Request, StaticTrust, Verifier};
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use std::hint::black_box;
use std::time::Instant;

/// The allocator the `civitas` binary uses (see crates/civitas-cli/src/main.rs).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let rng = SeededRng::new(7);
    let issuer = SigningKey::generate(Algorithm::Es256, &rng).expect("key");
    let holder = SigningKey::generate(Algorithm::Es256, &rng).expect("key");
    let did = issuer.public().did_jwk();
    let now = 1_795_600_000;
    let claims = serde_json::json!({
        "given_name": "Mei-Ling", "family_name": "Chen", "birthdate": "1958-03-14",
        "age_over_18": true, "age_over_65": true, "nationality": "TW",
        "address": {"street_address": "1 Shifu Road", "locality": "Taipei", "postal_code": "110"},
        "personal_number": "A123456789"
    });
    let claims = claims.as_object().cloned().expect("object");
    let mut options = IssueOptions::new(
        &did,
        &issuer.public().did_jwk_url(),
        civitas_credential::types::PID.vct,
        now - 86_400,
    );
    options.holder = Some(HolderBinding::Jwk(holder.public_key()));
    options.exp = Some(now + 86_400 * 365);
    options.nested_sd = civitas_credential::types::PID.nested_sd_for(&claims);
    let sd_jwt = issue(&claims, &options, &issuer, &rng).expect("issue");
    let selection: Vec<ClaimPath> = [
        "given_name",
        "family_name",
        "age_over_18",
        "nationality",
        "address.locality",
    ]
    .iter()
    .map(|p| ClaimPath::parse(p).expect("path"))
    .collect();
    let presentation = Credential::parse(&sd_jwt)
        .expect("parse")
        .present(
            &selection,
            &holder,
            "nonce-0123456789",
            "https://counter-7.example",
            now,
        )
        .expect("present");

    let verifier = Verifier::new(
        MethodResolver::local(),
        StaticTrust::new([did.clone()]),
        Policy::default(),
    );
    let request = Request {
        nonce: Some("nonce-0123456789".into()),
        aud: Some("https://counter-7.example".into()),
        required: Vec::new(),
    };
    let verdict = verifier.verify(&presentation, &request, now);
    assert!(verdict.valid, "{:?}", verdict.reason);
    assert_eq!(
        verdict.disclosed.len(),
        6,
        "5 claims + the address container"
    );

    // The two signatures the pipeline must check, over the same inputs.
    let (issuer_input, issuer_sig) = jws_parts(presentation.split('~').next().expect("jwt"));
    let (kb_input, kb_sig) = jws_parts(presentation.rsplit('~').next().expect("kb"));
    let issuer_pk: PublicKey = issuer.public().clone();
    let holder_pk: PublicKey = holder.public().clone();
    let raw = || {
        let a = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, issuer_pk.as_bytes())
            .verify(issuer_input.as_bytes(), &issuer_sig);
        let b = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, holder_pk.as_bytes())
            .verify(kb_input.as_bytes(), &kb_sig);
        black_box(a.is_ok() && b.is_ok())
    };
    assert!(raw());

    // CIVITAS_BENCH_ITERS / CIVITAS_BENCH_ROUNDS shrink the run (e.g. under callgrind).
    let env = |name: &str, default: u32| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let iters = env("CIVITAS_BENCH_ITERS", 2_000);
    let rounds = env("CIVITAS_BENCH_ROUNDS", 15) as usize;
    let mut ratios = Vec::new();
    let mut pipeline_us = Vec::new();
    let mut raw_us = Vec::new();
    for _ in 0..3 {
        black_box(
            verifier
                .verify(black_box(&presentation), &request, now)
                .valid,
        );
        raw();
    }
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(
                verifier
                    .verify(black_box(&presentation), &request, now)
                    .valid,
            );
        }
        let p = t.elapsed().as_secs_f64() / f64::from(iters) * 1e6;
        let t = Instant::now();
        for _ in 0..iters {
            raw();
        }
        let r = t.elapsed().as_secs_f64() / f64::from(iters) * 1e6;
        pipeline_us.push(p);
        raw_us.push(r);
        ratios.push(p / r);
    }
    {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(civitas_credential::Credential::parse(black_box(&presentation)).is_ok());
        }
        println!(
            "breakdown: parse + disclosures, no signatures (Credential::parse) {:.2} µs",
            t.elapsed().as_secs_f64() / f64::from(iters) * 1e6
        );
        let t = Instant::now();
        for _ in 0..iters {
            black_box(civitas_crypto::b64::sha256_b64(black_box(&presentation)));
        }
        println!(
            "breakdown: SHA-256 over the whole presentation {:.2} µs",
            t.elapsed().as_secs_f64() / f64::from(iters) * 1e6
        );
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (p, r, ratio) = (med(&mut pipeline_us), med(&mut raw_us), med(&mut ratios));
    println!(
        "presentation: {} bytes, {} disclosures, ES256 issuer + ES256 key binding",
        presentation.len(),
        verdict.disclosed.len()
    );
    println!(
        "pipeline (civitas-verifier, trust + cached key): {p:8.2} µs/presentation  {:8.0} /s per core",
        1e6 / p
    );
    println!(
        "two raw ring ES256 verifications:               {r:8.2} µs               {:8.0} /s per core",
        1e6 / r
    );
    println!(
        "ratio pipeline / two signatures (median of {rounds} rounds): {ratio:.3}  (target ≤ 1.15)"
    );
}

fn jws_parts(jwt: &str) -> (String, Vec<u8>) {
    let (input, sig) = jwt.rsplit_once('.').expect("jws");
    (input.to_string(), b64::decode(sig).expect("b64"))
}
