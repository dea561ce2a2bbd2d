//! The published examples of RFC 9901 (SD-JWT) and draft-ietf-oauth-sd-jwt-vc, checked
//! in under `testdata/` (see `testdata/README.md` for the exact source of every file),
//! run through [`civitas_credential::verify`], plus negative twins derived from them.
//!
//! Every example is signed by the spec's example issuer key (RFC 9901 Appendix A.5,
//! kid-less) and bound to the holder key in its `cnf`. The issuer key is passed as
//! `VerifyOptions::issuer_key` (the examples' issuers are HTTPS URLs, not DIDs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_credential::sd::Disclosure;
use civitas_credential::{
    Error, HolderBinding, KeyBindingInfo, KeyBindingRule, TypRule, Verified, VerifyOptions, verify,
};
use civitas_crypto::{Jwk, PublicKey};
use civitas_did::MethodResolver;
use serde_json::{Map, Value, json};
use std::path::PathBuf;

// ---------------------------------------------------------------------------------------
// Test data
// ---------------------------------------------------------------------------------------

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

fn text(rel: &str) -> String {
    std::fs::read_to_string(path(rel)).unwrap_or_else(|e| panic!("testdata/{rel}: {e}"))
}

/// A compact SD-JWT / SD-JWT+KB, as stored (one line, trailing newline removed).
fn vector(rel: &str) -> String {
    text(rel).trim().to_string()
}

fn json_file(rel: &str) -> Value {
    serde_json::from_str(&text(rel)).unwrap_or_else(|e| panic!("testdata/{rel}: {e}"))
}

fn key(rel: &str) -> PublicKey {
    PublicKey::from_jwk(&Jwk::from_json(&text(rel)).unwrap()).unwrap()
}

/// The payload of the Issuer-signed JWT of a vector, decoded (no verification).
fn issuer_payload(compact: &str) -> Value {
    let jwt = compact.split('~').next().unwrap();
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&civitas_crypto::b64::decode(payload).unwrap()).unwrap()
}

/// The disclosures of a vector, as sent.
fn disclosures(compact: &str) -> Vec<String> {
    let parts: Vec<&str> = compact.split('~').collect();
    parts[1..parts.len() - 1]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Rebuilds a compact SD-JWT (`jwt~d1~…~dn~`) from an issuer JWT and disclosures.
fn sd_jwt(issuer_jwt: &str, disclosures: &[String]) -> String {
    let mut out = issuer_jwt.to_string();
    for d in disclosures {
        out.push('~');
        out.push_str(d);
    }
    out.push('~');
    out
}

/// The expected processed payload of an *issued* SD-JWT (every Disclosure present): the
/// spec's input claims set on top of the always-visible claims of the payload it shows
/// (`_sd`, `_sd_alg` removed; array placeholders replaced by the input's arrays).
fn issued_expectation(input_claims: &str, payload: &str) -> Value {
    let Value::Object(mut out) = json_file(payload) else {
        panic!("payload not an object")
    };
    out.remove("_sd");
    out.remove("_sd_alg");
    let Value::Object(input) = json_file(input_claims) else {
        panic!("input not an object")
    };
    for (k, v) in input {
        out.insert(k, v);
    }
    Value::Object(out)
}

// ---------------------------------------------------------------------------------------
// The examples' key binding parameters
// ---------------------------------------------------------------------------------------

/// RFC 9901 §5.2, A.3, A.4: the Key Binding JWT payload.
const RFC_NONCE: &str = "1234567890";
const RFC_AUD: &str = "https://verifier.example.org";
const RFC_KB_IAT: i64 = 1_748_537_243;

/// draft-ietf-oauth-sd-jwt-vc-19 §2.3.2 (Figure 8) and A.1 (Figure 27).
const VC_NONCE: &str = "1234567890";
const VC_AUD: &str = "https://example.com/verifier";
const VC_KB_IAT: i64 = 1_788_209_976;

/// Verification a little after the holder made the presentation (inside the ±300 s
/// window), with the example's nonce and audience.
fn presentation_options(
    issuer_key: PublicKey,
    typ: TypRule,
    nonce: &str,
    aud: &str,
    kb_iat: i64,
) -> VerifyOptions {
    let mut options = VerifyOptions::at(kb_iat + 30).for_request(nonce, aud);
    options.typ = typ;
    options.issuer_key = Some(issuer_key);
    options.key_binding = KeyBindingRule::Required;
    options
}

/// Verification of an SD-JWT without a Key Binding JWT, at `now`.
fn no_kb_options(issuer_key: PublicKey, typ: TypRule, now: i64) -> VerifyOptions {
    let mut options = VerifyOptions::at(now);
    options.typ = typ;
    options.issuer_key = Some(issuer_key);
    options.key_binding = KeyBindingRule::IfPresent;
    options
}

fn rfc_issuer() -> PublicKey {
    key("rfc9901/issuer_key.json")
}

fn rfc_holder() -> PublicKey {
    key("rfc9901/holder_key.json")
}

fn vc_issuer() -> PublicKey {
    key("sd-jwt-vc/issuer_key.json")
}

fn vc_holder() -> PublicKey {
    key("sd-jwt-vc/holder_key.json")
}

fn run(compact: &str, options: &VerifyOptions) -> Verified {
    verify(compact, &MethodResolver::local(), options)
        .unwrap_or_else(|e| panic!("the spec example must verify, got {e:?} ({})", e.code()))
}

fn refuse(compact: &str, options: &VerifyOptions) -> Error {
    match verify(compact, &MethodResolver::local(), options) {
        Ok(v) => panic!("expected a refusal, got claims {:?}", v.claims),
        Err(e) => e,
    }
}

#[track_caller]
fn assert_claims(verified: &Verified, expected: &Value) {
    let got = Value::Object(verified.claims.clone());
    assert_eq!(
        got,
        *expected,
        "processed payload differs from the spec's\n got: {}\nwant: {}",
        serde_json::to_string_pretty(&got).unwrap(),
        serde_json::to_string_pretty(expected).unwrap()
    );
}

/// The stored decoded payload (shown in the spec) is the one inside the vector: guards
/// against a transcription slip in either file.
#[track_caller]
fn assert_payload_matches(compact: &str, payload_file: &str) {
    assert_eq!(
        issuer_payload(compact),
        json_file(payload_file),
        "{payload_file}"
    );
}

#[track_caller]
fn assert_key_binding(
    verified: &Verified,
    kb_file: Option<&str>,
    nonce: &str,
    aud: &str,
    iat: i64,
) {
    let expected = KeyBindingInfo {
        iat,
        aud: aud.to_string(),
        nonce: nonce.to_string(),
    };
    assert_eq!(verified.key_binding.as_ref(), Some(&expected));
    if let Some(kb_file) = kb_file {
        let kb = json_file(kb_file);
        assert_eq!(kb["nonce"], json!(nonce));
        assert_eq!(kb["aud"], json!(aud));
        assert_eq!(kb["iat"], json!(iat));
    }
}

fn paths(verified: &Verified) -> Vec<String> {
    let mut p: Vec<String> = verified.disclosed.iter().map(ToString::to_string).collect();
    p.sort();
    p
}

// ---------------------------------------------------------------------------------------
// RFC 9901
// ---------------------------------------------------------------------------------------

/// §4.2.1–§4.2.4: the Disclosure examples: digest over the base64url text, object
/// property vs array element, and the encoding variants of the same claim.
#[test]
fn rfc9901_section4_2_disclosure_examples() {
    let examples = json_file("rfc9901/disclosures.json");

    let prop = &examples["section4_2_1_object_property"];
    let d = Disclosure::parse(prop["disclosure"].as_str().unwrap()).unwrap();
    assert_eq!(d.digest, prop["sha256"].as_str().unwrap(), "§4.2.3 digest");
    assert_eq!(json!([d.salt, d.name, d.value]), prop["contents"]);

    let elem = &examples["section4_2_2_array_element"];
    let d = Disclosure::parse(elem["disclosure"].as_str().unwrap()).unwrap();
    assert_eq!(
        d.digest,
        elem["sha256"].as_str().unwrap(),
        "§4.2.4.2 digest"
    );
    assert_eq!(d.name, None, "a two-element Disclosure is an array element");
    assert_eq!(json!([d.salt, d.value]), elem["contents"]);

    // Different encodings of ["_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"]: the
    // same claim, each with its own digest.
    let mut digests = vec![prop["sha256"].as_str().unwrap().to_string()];
    for variant in examples["section4_2_1_encoding_variants"]
        .as_array()
        .unwrap()
    {
        let d = Disclosure::parse(variant.as_str().unwrap()).unwrap();
        assert_eq!(json!([d.salt, d.name, d.value]), prop["contents"]);
        digests.push(d.digest);
    }
    digests.sort();
    digests.dedup();
    assert_eq!(digests.len(), 4, "every encoding has its own digest");
}

/// §5.2: the SD-JWT+KB with given_name, family_name, address and one nationality.
#[test]
fn rfc9901_section5_example_presentation() {
    let compact = vector("rfc9901/section5_presentation.txt");
    assert_payload_matches(&compact, "rfc9901/section5_issued.payload.json");
    let options = presentation_options(rfc_issuer(), TypRule::Any, RFC_NONCE, RFC_AUD, RFC_KB_IAT);
    let verified = run(&compact, &options);

    assert_claims(
        &verified,
        &json_file("rfc9901/section5_presentation.expected.json"),
    );
    assert_key_binding(
        &verified,
        Some("rfc9901/section5_presentation.kb.json"),
        RFC_NONCE,
        RFC_AUD,
        RFC_KB_IAT,
    );
    assert_eq!(verified.holder, Some(HolderBinding::Jwk(rfc_holder())));
    assert_eq!(verified.issuer, "https://issuer.example.com");
    assert_eq!(verified.kid, None, "the examples' issuer JWTs carry no kid");
    assert_eq!(verified.vct, "", "a plain SD-JWT has no vct");
    assert_eq!(
        (verified.iat, verified.exp, verified.nbf),
        (Some(1_683_000_000), Some(1_883_000_000), None)
    );
    assert_eq!(
        paths(&verified),
        ["address", "family_name", "given_name", "nationalities[0]"]
    );
}

/// §5.1: the issued SD-JWT with all ten Disclosures (two of them array elements), no
/// Key Binding JWT.
#[test]
fn rfc9901_section5_issued_sd_jwt() {
    let compact = vector("rfc9901/section5_issued.txt");
    assert_payload_matches(&compact, "rfc9901/section5_issued.payload.json");
    let verified = run(
        &compact,
        &no_kb_options(rfc_issuer(), TypRule::Any, RFC_KB_IAT),
    );
    assert_claims(
        &verified,
        &issued_expectation(
            "rfc9901/section5_issued.input_claims.json",
            "rfc9901/section5_issued.payload.json",
        ),
    );
    assert_eq!(verified.key_binding, None);
    assert_eq!(verified.disclosed.len(), 10);
    // nationalities: both elements disclosed, in the issuer's order.
    assert_eq!(verified.claims["nationalities"], json!(["US", "DE"]));
}

/// Appendix A.1: structured address, decoys, only region and country disclosed, no KB.
#[test]
fn rfc9901_a1_simple_structured() {
    let compact = vector("rfc9901/a1_simple_structured.txt");
    assert_payload_matches(&compact, "rfc9901/a1_simple_structured.payload.json");
    let verified = run(
        &compact,
        &no_kb_options(rfc_issuer(), TypRule::Any, RFC_KB_IAT),
    );
    assert_claims(
        &verified,
        &json_file("rfc9901/a1_simple_structured.expected.json"),
    );
    assert_eq!(verified.holder, None);
    assert_eq!(paths(&verified), ["address.country", "address.region"]);
}

/// Appendix A.2: OIDC Identity Assurance claims, recursive Disclosures inside an array
/// element, no KB.
#[test]
fn rfc9901_a2_complex_structured() {
    let compact = vector("rfc9901/a2_complex_structured.txt");
    assert_payload_matches(&compact, "rfc9901/a2_complex_structured.payload.json");
    let verified = run(
        &compact,
        &no_kb_options(rfc_issuer(), TypRule::Any, RFC_KB_IAT),
    );
    assert_claims(
        &verified,
        &json_file("rfc9901/a2_complex_structured.expected.json"),
    );
    assert_eq!(
        paths(&verified),
        [
            "verified_claims.claims.address",
            "verified_claims.claims.family_name",
            "verified_claims.claims.given_name",
            "verified_claims.verification.evidence[0]",
            "verified_claims.verification.evidence[0].method",
            "verified_claims.verification.time",
        ]
    );
}

/// Appendix A.3: the SD-JWT VC (typ dc+sd-jwt) PID presentation: age_equal_or_over.18
/// and nationalities, with KB.
#[test]
fn rfc9901_a3_sd_jwt_vc() {
    let compact = vector("rfc9901/a3_sd_jwt_vc.txt");
    assert_payload_matches(&compact, "rfc9901/a3_sd_jwt_vc_issued.payload.json");
    let options = presentation_options(
        rfc_issuer(),
        TypRule::SdJwtVc,
        RFC_NONCE,
        RFC_AUD,
        RFC_KB_IAT,
    );
    let verified = run(&compact, &options);
    assert_claims(&verified, &json_file("rfc9901/a3_sd_jwt_vc.expected.json"));
    assert_key_binding(
        &verified,
        Some("rfc9901/a3_sd_jwt_vc.kb.json"),
        RFC_NONCE,
        RFC_AUD,
        RFC_KB_IAT,
    );
    assert_eq!(verified.vct, "urn:eudi:pid:de:1");
    assert_eq!(verified.issuer, "https://pid-issuer.bund.de.example");
    assert_eq!(verified.holder, Some(HolderBinding::Jwk(rfc_holder())));
}

/// Appendix A.3: the issued SD-JWT VC with all 27 Disclosures (nested address,
/// place_of_birth and age_equal_or_over), no KB.
#[test]
fn rfc9901_a3_sd_jwt_vc_issued() {
    let compact = vector("rfc9901/a3_sd_jwt_vc_issued.txt");
    assert_payload_matches(&compact, "rfc9901/a3_sd_jwt_vc_issued.payload.json");
    let verified = run(
        &compact,
        &no_kb_options(rfc_issuer(), TypRule::SdJwtVc, RFC_KB_IAT),
    );
    assert_claims(
        &verified,
        &issued_expectation(
            "rfc9901/a3_sd_jwt_vc_issued.input_claims.json",
            "rfc9901/a3_sd_jwt_vc_issued.payload.json",
        ),
    );
    assert_eq!(verified.disclosed.len(), 27);
}

/// Appendix A.4: W3C VCDM 2.0 payload, with KB. The example has no `iss` claim (RFC
/// 9901 §4.1 item 6 leaves it to the application); with the issuer key given out of
/// band, `verify` accepts it and reports an empty issuer.
#[test]
fn rfc9901_a4_w3c_vcdm() {
    let compact = vector("rfc9901/a4_w3c_vcdm.txt");
    assert_payload_matches(&compact, "rfc9901/a4_w3c_vcdm.payload.json");
    let options = presentation_options(rfc_issuer(), TypRule::Any, RFC_NONCE, RFC_AUD, RFC_KB_IAT);
    let verified = run(&compact, &options);
    assert_claims(&verified, &json_file("rfc9901/a4_w3c_vcdm.expected.json"));
    assert_key_binding(&verified, None, RFC_NONCE, RFC_AUD, RFC_KB_IAT);
}

/// Without an out-of-band key, `iss` is how the issuer's key is found: refused.
#[test]
fn rfc9901_a4_w3c_vcdm_without_issuer_key_needs_iss() {
    let compact = vector("rfc9901/a4_w3c_vcdm.txt");
    assert!(issuer_payload(&compact).get("iss").is_none());
    let mut options =
        presentation_options(rfc_issuer(), TypRule::Any, RFC_NONCE, RFC_AUD, RFC_KB_IAT);
    options.issuer_key = None;
    let err = refuse(&compact, &options);
    assert!(
        matches!(err, Error::BadClaim { name: "iss", .. }),
        "{err:?}"
    );
}

// --- negative twins of the §5 presentation ---------------------------------------------

fn section5() -> (String, VerifyOptions) {
    (
        vector("rfc9901/section5_presentation.txt"),
        presentation_options(rfc_issuer(), TypRule::Any, RFC_NONCE, RFC_AUD, RFC_KB_IAT),
    )
}

/// Inserts `extra` Disclosures after the §5 presentation's, keeping its KB-JWT.
fn with_extra_disclosures(compact: &str, extra: &[String]) -> String {
    let kb_at = compact.rfind('~').unwrap() + 1;
    let (sd, kb) = compact.split_at(kb_at);
    let mut out = sd.to_string();
    for d in extra {
        out.push_str(d);
        out.push('~');
    }
    out.push_str(kb);
    out
}

#[test]
fn rfc9901_section5_unreferenced_disclosure_from_a1() {
    let (compact, options) = section5();
    // A.1's "region" Disclosure: well-formed, signed for another SD-JWT.
    let foreign = disclosures(&vector("rfc9901/a1_simple_structured.txt"))[0].clone();
    let err = refuse(&with_extra_disclosures(&compact, &[foreign]), &options);
    assert!(
        matches!(&err, Error::UnreferencedDisclosure(name) if name == "region"),
        "{err:?}"
    );
}

#[test]
fn rfc9901_section5_duplicate_disclosure() {
    let (compact, options) = section5();
    let family_name = disclosures(&compact)[0].clone();
    let err = refuse(&with_extra_disclosures(&compact, &[family_name]), &options);
    assert!(
        matches!(&err, Error::DuplicateDisclosure(name) if name == "family_name"),
        "{err:?}"
    );
}

#[test]
fn rfc9901_section5_wrong_nonce() {
    let (compact, mut options) = section5();
    options.nonce = Some("0987654321".into());
    let err = refuse(&compact, &options);
    assert!(matches!(err, Error::NonceMismatch), "{err:?}");
}

#[test]
fn rfc9901_section5_wrong_audience() {
    let (compact, mut options) = section5();
    options.aud = Some("https://other-verifier.example.org".into());
    let err = refuse(&compact, &options);
    assert!(
        matches!(&err, Error::AudienceMismatch(aud) if aud == RFC_AUD),
        "{err:?}"
    );
}

#[test]
fn rfc9901_section5_key_binding_stale_one_hour_later() {
    let (compact, mut options) = section5();
    options.now = RFC_KB_IAT + 3600;
    let err = refuse(&compact, &options);
    assert!(
        matches!(
            err,
            Error::KeyBindingStale {
                age: 3600,
                max: 300
            }
        ),
        "{err:?}"
    );
}

#[test]
fn rfc9901_section5_key_binding_from_the_future() {
    let (compact, mut options) = section5();
    options.now = RFC_KB_IAT - 3600;
    let err = refuse(&compact, &options);
    assert!(
        matches!(
            err,
            Error::KeyBindingFuture {
                ahead: 3600,
                max: 300
            }
        ),
        "{err:?}"
    );
}

#[test]
fn rfc9901_section5_disclosure_removed_breaks_sd_hash() {
    let (compact, options) = section5();
    let jwt = compact.split('~').next().unwrap();
    let kb = compact.rsplit('~').next().unwrap();
    let mut ds = disclosures(&compact);
    ds.pop(); // drop the "US" nationality, keep the KB-JWT signed over all four
    let err = refuse(&format!("{}{kb}", sd_jwt(jwt, &ds)), &options);
    assert!(matches!(err, Error::SdHashMismatch), "{err:?}");
}

#[test]
fn rfc9901_section5_wrong_issuer_key() {
    let (compact, mut options) = section5();
    options.issuer_key = Some(rfc_holder());
    let err = refuse(&compact, &options);
    assert!(matches!(err, Error::IssuerSignature), "{err:?}");
}

#[test]
fn rfc9901_section5_key_binding_required_but_absent() {
    let (compact, options) = section5();
    let without_kb = &compact[..=compact.rfind('~').unwrap()];
    let err = refuse(without_kb, &options);
    assert!(matches!(err, Error::MissingKeyBinding), "{err:?}");
}

#[test]
fn rfc9901_section5_is_not_an_sd_jwt_vc() {
    // typ example+sd-jwt: refused where an SD-JWT VC is required.
    let (compact, mut options) = section5();
    options.typ = TypRule::SdJwtVc;
    let err = refuse(&compact, &options);
    assert!(
        matches!(&err, Error::WrongType { found, .. } if found == "example+sd-jwt"),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------
// draft-ietf-oauth-sd-jwt-vc (-19)
// ---------------------------------------------------------------------------------------

/// §2.3.1, Figure 7: the issued SD-JWT VC (header kid "doc-signer-05-25-2022").
#[test]
fn sd_jwt_vc_draft_example_section2_3_issuance() {
    let compact = vector("sd-jwt-vc/section2_3_issued.txt");
    assert_payload_matches(&compact, "sd-jwt-vc/section2_3_issued.payload.json");
    let verified = run(
        &compact,
        &no_kb_options(vc_issuer(), TypRule::SdJwtVc, VC_KB_IAT),
    );
    assert_claims(
        &verified,
        &issued_expectation(
            "sd-jwt-vc/section2_3_issued.input_claims.json",
            "sd-jwt-vc/section2_3_issued.payload.json",
        ),
    );
    assert_eq!(verified.kid.as_deref(), Some("doc-signer-05-25-2022"));
    assert_eq!(
        verified.vct,
        "https://credentials.example.com/identity_credential"
    );
    assert_eq!(verified.disclosed.len(), 9);
}

/// §2.3.2, Figures 8–9: presentation of address and is_over_65 with a KB-JWT.
#[test]
fn sd_jwt_vc_draft_example_section2_3_presentation() {
    let compact = vector("sd-jwt-vc/section2_3_presentation.txt");
    assert_payload_matches(&compact, "sd-jwt-vc/section2_3_issued.payload.json");
    let options = presentation_options(vc_issuer(), TypRule::SdJwtVc, VC_NONCE, VC_AUD, VC_KB_IAT);
    let verified = run(&compact, &options);
    assert_claims(
        &verified,
        &json_file("sd-jwt-vc/section2_3_presentation.expected.json"),
    );
    assert_key_binding(&verified, None, VC_NONCE, VC_AUD, VC_KB_IAT);
    assert_eq!(verified.holder, Some(HolderBinding::Jwk(vc_holder())));
}

/// §2.3.2, Figures 10–11: a (different) SD-JWT VC without cnf, presented without KB.
#[test]
fn sd_jwt_vc_draft_example_section2_3_presentation_without_kb() {
    let compact = vector("sd-jwt-vc/section2_3_presentation_without_kb.txt");
    let verified = run(
        &compact,
        &no_kb_options(vc_issuer(), TypRule::SdJwtVc, VC_KB_IAT),
    );
    assert_claims(
        &verified,
        &json_file("sd-jwt-vc/section2_3_presentation_without_kb.expected.json"),
    );
    assert_eq!(verified.holder, None);
    assert_eq!(verified.key_binding, None);

    // A verifier that requires Key Binding refuses it: there is no cnf to bind to.
    let mut options = no_kb_options(vc_issuer(), TypRule::SdJwtVc, VC_KB_IAT);
    options.key_binding = KeyBindingRule::Required;
    let err = refuse(&compact, &options);
    assert!(matches!(err, Error::NoHolderBinding), "{err:?}");
}

/// Appendix A.1, Figures 23–25: the issued PID with all 28 Disclosures (data-URI
/// portrait, non-ASCII values, nested address / place_of_birth / age_equal_or_over).
#[test]
fn sd_jwt_vc_draft_example_a1_pid_issuance() {
    let compact = vector("sd-jwt-vc/a1_pid_issued.txt");
    assert_payload_matches(&compact, "sd-jwt-vc/a1_pid_issued.payload.json");
    let verified = run(
        &compact,
        &no_kb_options(vc_issuer(), TypRule::SdJwtVc, VC_KB_IAT),
    );
    assert_claims(
        &verified,
        &issued_expectation(
            "sd-jwt-vc/a1_pid_issued.input_claims.json",
            "sd-jwt-vc/a1_pid_issued.payload.json",
        ),
    );
    assert_eq!(verified.disclosed.len(), 28);
}

/// Appendix A.1, Figures 26–28: the PID presented with age_equal_or_over.18 and
/// nationalities, with KB.
#[test]
fn sd_jwt_vc_draft_example_a1_pid_presentation() {
    let compact = vector("sd-jwt-vc/a1_pid_presentation.txt");
    assert_payload_matches(&compact, "sd-jwt-vc/a1_pid_issued.payload.json");
    let options = presentation_options(vc_issuer(), TypRule::SdJwtVc, VC_NONCE, VC_AUD, VC_KB_IAT);
    let verified = run(&compact, &options);
    assert_claims(
        &verified,
        &json_file("sd-jwt-vc/a1_pid_presentation.expected.json"),
    );
    assert_key_binding(
        &verified,
        Some("sd-jwt-vc/a1_pid_presentation.kb.json"),
        VC_NONCE,
        VC_AUD,
        VC_KB_IAT,
    );
    assert_eq!(verified.vct, "urn:example:eudi:pid:aendgard:1");
    assert_eq!(
        paths(&verified),
        ["age_equal_or_over", "age_equal_or_over.18", "nationalities"]
    );
}

/// The same PID presentation, one hour after the holder signed it.
#[test]
fn sd_jwt_vc_draft_example_a1_pid_key_binding_stale() {
    let compact = vector("sd-jwt-vc/a1_pid_presentation.txt");
    let mut options =
        presentation_options(vc_issuer(), TypRule::SdJwtVc, VC_NONCE, VC_AUD, VC_KB_IAT);
    options.now = VC_KB_IAT + 3600;
    let err = refuse(&compact, &options);
    assert!(
        matches!(
            err,
            Error::KeyBindingStale {
                age: 3600,
                max: 300
            }
        ),
        "{err:?}"
    );
}

/// Keeps the helper honest: the stored JSON files parse and the keys are the ones the
/// examples' `cnf` carries.
#[test]
fn testdata_keys_match_the_examples_cnf() {
    for payload in [
        "rfc9901/section5_issued.payload.json",
        "rfc9901/a3_sd_jwt_vc_issued.payload.json",
        "rfc9901/a4_w3c_vcdm.payload.json",
    ] {
        let cnf = &json_file(payload)["cnf"]["jwk"];
        assert_eq!(
            PublicKey::from_jwk_value(cnf).unwrap(),
            rfc_holder(),
            "{payload}"
        );
    }
    for payload in [
        "sd-jwt-vc/section2_3_issued.payload.json",
        "sd-jwt-vc/a1_pid_issued.payload.json",
    ] {
        let cnf = &json_file(payload)["cnf"]["jwk"];
        assert_eq!(
            PublicKey::from_jwk_value(cnf).unwrap(),
            vc_holder(),
            "{payload}"
        );
    }
    assert_eq!(
        rfc_issuer(),
        vc_issuer(),
        "draft -19 Figure 14 publishes the RFC 9901 A.5 key"
    );
    let _: Map<String, Value> =
        serde_json::from_value(json_file("rfc9901/disclosures.json")).unwrap();
}
