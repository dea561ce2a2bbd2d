#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The tamper suite through the library: every malicious presentation in
//! `testdata/tamper/` is refused with the specific code its manifest names, and the
//! untampered twin verifies (so a refusal is never an accident of the fixture).

use civitas_did::MethodResolver;
use civitas_verifier::{Policy, Request, StaticTrust, Verifier};
use serde_json::Value;
use std::path::Path;

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
    assert!(
        cases.len() >= 21,
        "the suite has at least 20 malicious cases"
    );
    let mut codes = std::collections::BTreeSet::new();
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let text = String::from_utf8_lossy(&std::fs::read(dir.join(file)).unwrap()).into_owned();
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
            codes.insert(want);
        }
    }
    assert!(codes.len() >= 20, "distinct reasons: {codes:?}");
}

#[test]
fn the_valid_presentation_fails_outside_its_window() {
    let (m, dir) = manifest();
    let at = chrono::DateTime::parse_from_rfc3339(m["at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    let text = std::fs::read_to_string(dir.join("valid.txt")).unwrap();
    let trust = StaticTrust::new([m["trust"][0].as_str().unwrap().to_string()]);
    let verifier = Verifier::new(MethodResolver::local(), trust, Policy::default());
    let request = Request::default();
    // Without nonce/aud the verdict is valid but says what was not checked.
    let verdict = verifier.verify(&text, &request, at);
    assert!(verdict.valid);
    assert_eq!(verdict.warnings.len(), 2, "{:?}", verdict.warnings);
    // An hour later the key binding is stale.
    let verdict = verifier.verify(&text, &request, at + 3600);
    assert_eq!(verdict.code, Some("key_binding_stale"));
}
