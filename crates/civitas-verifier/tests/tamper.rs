#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The tamper suite through the library: every malicious presentation in
//! `testdata/tamper/` is refused with the specific code its manifest names, and the
//! untampered twin verifies (so a refusal is never an accident of the fixture). The
//! suite is exactly as large as the README says, every fixture on disk is in the
//! manifest, and no two fixtures are the same attack (distinct bytes, distinct
//! refusal).

use civitas_did::MethodResolver;
use civitas_verifier::{Check, Policy, Request, StaticTrust, Verifier};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The suite's size as the top-level README states it: "(`…/testdata/tamper/`, N
/// malicious presentations)".
fn readme_count() -> usize {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(readme).unwrap();
    let at = text
        .find("testdata/tamper/`, ")
        .expect("the README names the tamper suite and its size");
    let rest = &text[at + "testdata/tamper/`, ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    assert!(
        rest[digits.len()..].starts_with(" malicious presentations"),
        "{}",
        &rest[..40.min(rest.len())]
    );
    digits.parse().unwrap()
}

/// Every malicious fixture and the one code it must be refused with, pinned here
/// independently of the manifest: a fixture that disappears, appears, or is refused
/// for another reason fails the test. Several fixtures share a code because they are
/// the same defect reached another way (three kinds of unreadable input are all
/// `malformed`, a forged and an altered issuer signature both
/// `issuer_signature_invalid`); each file is still a different attack (distinct
/// bytes, asserted below).
const EXPECTED: [(&str, &str); 34] = [
    ("tampered_disclosure_value.txt", "unreferenced_disclosure"),
    ("unreferenced_disclosure.txt", "unreferenced_disclosure"),
    ("duplicate_disclosure.txt", "duplicate_disclosure"),
    ("reserved_claim_name_sd.txt", "reserved_claim_name"),
    ("reserved_claim_name_ellipsis.txt", "reserved_claim_name"),
    ("duplicate_digest.txt", "duplicate_digest"),
    ("claim_collision.txt", "claim_collision"),
    (
        "array_element_disclosure_in_object.txt",
        "malformed_disclosure",
    ),
    ("non_string_salt.txt", "malformed_disclosure"),
    ("unsupported_sd_alg.txt", "unsupported_sd_alg"),
    (
        "kb_jwt_signed_by_other_key.txt",
        "key_binding_signature_invalid",
    ),
    ("missing_kb_jwt.txt", "missing_key_binding"),
    ("sd_hash_mismatch.txt", "sd_hash_mismatch"),
    ("wrong_nonce.txt", "nonce_mismatch"),
    ("wrong_aud.txt", "aud_mismatch"),
    ("stale_kb_iat.txt", "key_binding_stale"),
    ("future_kb_iat.txt", "key_binding_future"),
    ("kb_typ_jwt.txt", "wrong_typ"),
    ("alg_none.txt", "algorithm_not_allowed"),
    ("hs256_keyed_with_public_key.txt", "algorithm_not_allowed"),
    ("expired.txt", "expired"),
    ("nbf_in_future.txt", "not_yet_valid"),
    ("typ_jwt.txt", "wrong_typ"),
    ("missing_kid.txt", "missing_kid"),
    ("embedded_jwk_header.txt", "forbidden_header"),
    ("crit_header.txt", "forbidden_header"),
    (
        "payload_modified_after_signing.txt",
        "issuer_signature_invalid",
    ),
    ("untrusted_issuer.txt", "untrusted_issuer"),
    ("issuer_impersonation.txt", "issuer_signature_invalid"),
    ("kid_did_not_iss.txt", "kid_not_issuer"),
    ("no_holder_binding.txt", "no_holder_binding"),
    ("garbage.txt", "malformed"),
    ("truncated.txt", "malformed"),
    ("binary_junk.txt", "malformed"),
];

/// How many distinct refusal codes the suite covers.
const DISTINCT_CODES: usize = 25;

fn manifest() -> (Value, std::path::PathBuf) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tamper");
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    (serde_json::from_str(&text).unwrap(), dir)
}

#[test]
fn every_tampered_presentation_is_refused_with_its_reason() {
    let (m, dir) = manifest();
    let at = chrono::DateTime::parse_from_rfc3339(m["at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    let trust = StaticTrust::new(
        m["trust"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string()),
    );
    let verifier = Verifier::new(MethodResolver::local(), trust, Policy::default());
    let request = Request {
        nonce: Some(m["nonce"].as_str().unwrap().into()),
        aud: Some(m["aud"].as_str().unwrap().into()),
        required: Vec::new(),
    };
    let cases = m["cases"].as_array().unwrap();
    let malicious = cases.iter().filter(|c| c["valid"] == false).count();
    assert_eq!(
        malicious,
        readme_count(),
        "the manifest's malicious cases against the README's figure"
    );
    assert_eq!(malicious, EXPECTED.len(), "the suite as pinned here");
    let manifest_codes: Vec<(&str, &str)> = cases
        .iter()
        .filter(|c| c["valid"] == false)
        .map(|c| (c["file"].as_str().unwrap(), c["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        manifest_codes.iter().copied().collect::<BTreeSet<_>>(),
        EXPECTED.into_iter().collect::<BTreeSet<_>>(),
        "the manifest's (file, code) pairs against the pinned table"
    );
    assert_eq!(
        cases.iter().filter(|c| c["valid"] == true).count(),
        1,
        "one untampered twin"
    );
    // Every fixture on disk is in the manifest, once, and vice versa.
    let listed: Vec<&str> = cases.iter().map(|c| c["file"].as_str().unwrap()).collect();
    let listed_set: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(listed.len(), listed_set.len(), "a file listed twice");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    assert_eq!(
        on_disk,
        listed_set.iter().map(|s| s.to_string()).collect(),
        "fixtures on disk vs the manifest"
    );
    let mut codes = BTreeSet::new();
    // Fixtures sharing a code (the same defect reached another way) must still each be
    // refused with their own reason: no two refusals read the same.
    let mut reasons: BTreeMap<String, &str> = BTreeMap::new();
    // Distinct attacks: no two fixtures hold the same bytes.
    let mut contents: BTreeMap<Vec<u8>, &str> = BTreeMap::new();
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(file)).unwrap();
        if let Some(other) = contents.insert(bytes.clone(), file) {
            panic!("{file} and {other} are the same presentation");
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let verdict = verifier.verify(&text, &request, at);
        if case["valid"].as_bool().unwrap() {
            assert!(verdict.valid, "{file}: {:?}", verdict.reason);
            assert_eq!(verdict.claims["age_over_18"], true);
            assert_eq!(verdict.claims["given_name"], "Mei-Ling");
            assert!(verdict.claims.get("family_name").is_none(), "not disclosed");
        } else {
            let want = case["code"].as_str().unwrap();
            assert!(!verdict.valid, "{file} was accepted");
            assert_eq!(verdict.code, Some(want), "{file}: {:?}", verdict.reason);
            let reason = verdict.reason.unwrap();
            assert!(!reason.is_empty() && reason.len() < 400, "{file}: {reason}");
            if let Some(other) = reasons.insert(reason.clone(), file) {
                // One pair is the same observation for any verifier: a signature that
                // does not verify under the issuer's key, whether the attacker signed
                // (impersonation) or altered what the issuer signed.
                let same = [other, file];
                let indistinguishable = same.contains(&"issuer_impersonation.txt")
                    && same.contains(&"payload_modified_after_signing.txt");
                assert!(
                    indistinguishable,
                    "{file} and {other} are refused with the same reason: {reason}"
                );
            }
            codes.insert(want);
        }
    }
    assert_eq!(
        codes,
        EXPECTED.iter().map(|(_, c)| *c).collect::<BTreeSet<_>>(),
        "the refusal codes seen"
    );
    assert_eq!(codes.len(), DISTINCT_CODES, "distinct codes: {codes:?}");
}

#[test]
fn the_valid_presentation_fails_outside_its_window() {
    let (m, dir) = manifest();
    let at = chrono::DateTime::parse_from_rfc3339(m["at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    let text = std::fs::read_to_string(dir.join("valid.txt")).unwrap();
    let trust = StaticTrust::new([m["trust"][0].as_str().unwrap().to_string()]);
    let verifier = Verifier::new(MethodResolver::local(), trust.clone(), Policy::default());
    let request = Request::default();
    // Without nonce/aud the default policy refuses: a replay would pass.
    let verdict = verifier.verify(&text, &request, at);
    assert_eq!(
        verdict.code,
        Some("replay_check_missing"),
        "{:?}",
        verdict.reason
    );
    // Under the explicit opt-out it is valid, and says what was not checked.
    let lax = Verifier::new(
        MethodResolver::local(),
        trust,
        Policy {
            require_replay_check: false,
            ..Policy::default()
        },
    );
    let verdict = lax.verify(&text, &request, at);
    assert!(verdict.valid, "{:?}", verdict.reason);
    assert_eq!(verdict.replay_check, Some(Check::SkippedByOperator));
    assert_eq!(verdict.warnings.len(), 1, "{:?}", verdict.warnings);
    // An hour later the key binding is stale.
    let verdict = lax.verify(&text, &request, at + 3600);
    assert_eq!(verdict.code, Some("key_binding_stale"));
}
