//! OpenID4VP 1.0: the specification's examples (testdata/openid4vp, see its README),
//! DCQL and Authorization Request validation (every rejection with its own error), the
//! `openid4vp://` URL forms and signed Request Objects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wallet;

use civitas_credential::ClaimPath;
use civitas_crypto::{Algorithm, SeededRng, Signer, SigningKey, b64};
use civitas_did::MethodResolver;
use civitas_exchange::openid4vp::{
    AuthorizationRequest, ClaimsQuery, ClientIdPrefix, CredentialQuery, CredentialSetQuery,
    DcqlQuery, Error, RequestReference, RequestUriMethod, RequestUrl, generate_nonce,
};
use civitas_exchange::openid4vp::{DcqlError, RequestError, SignedObjectError};
use serde_json::{Value, json};
use std::path::PathBuf;
use wallet::{NOW, path, paths};

fn testdata(name: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "testdata", "openid4vp", name]
        .iter()
        .collect();
    std::fs::read_to_string(p).unwrap()
}

fn assert_round_trip(text: &str) -> DcqlQuery {
    let query = DcqlQuery::parse(text).unwrap();
    let original: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        query.to_value(),
        original,
        "to_value gives back the example"
    );
    assert_eq!(DcqlQuery::parse(&query.to_json()).unwrap(), query);
    // serde goes through the same checks.
    let via_serde: DcqlQuery = serde_json::from_str(text).unwrap();
    assert_eq!(via_serde, query);
    assert_eq!(serde_json::to_value(&query).unwrap(), original);
    query
}

#[test]
fn openid4vp_6_5_simple_query() {
    let q = assert_round_trip(&testdata("dcql/simple.json"));
    assert_eq!(q.credentials.len(), 1);
    let c = &q.credentials[0];
    assert_eq!(c.id, "my_credential");
    assert_eq!(c.format(), "dc+sd-jwt");
    assert_eq!(
        c.vct_values,
        ["https://credentials.example.com/identity_credential"]
    );
    let claims = c.claims.as_ref().unwrap();
    assert_eq!(claims[2].path, path("address.street_address"));
    assert!(!c.allows_multiple());
    assert!(c.requires_holder_binding());
    assert_eq!(c.claim_options(), vec![vec![0, 1, 2]]);
}

#[test]
fn openid4vp_appendix_d_credentials_alternatives() {
    let q = assert_round_trip(&testdata("dcql/credentials_alternatives.json"));
    let sets = q.credential_sets.as_ref().unwrap();
    assert!(sets[0].is_required());
    assert!(!sets[1].is_required());
    assert_eq!(
        sets[0].options[2],
        ["pid_reduced_cred_1", "pid_reduced_cred_2"]
    );
    assert_eq!(q.effective_sets().len(), 2);
}

#[test]
fn openid4vp_appendix_d_claims_alternatives() {
    let q = assert_round_trip(&testdata("dcql/claims_alternatives.json"));
    // a, c, d, e then a, b, e: indices into claims.
    assert_eq!(
        q.credentials[0].claim_options(),
        vec![vec![0, 2, 3, 4], vec![0, 1, 4]]
    );
}

#[test]
fn openid4vp_appendix_d_value_matching() {
    let q = assert_round_trip(&testdata("dcql/value_matching_simple.json"));
    let claims = q.credentials[0].claims.as_ref().unwrap();
    assert_eq!(claims[0].values.as_ref().unwrap(), &vec![json!("Doe")]);
    assert_eq!(claims[3].values.as_ref().unwrap().len(), 2);
}

#[test]
fn openid4vp_5_4_and_8_3_inline_queries() {
    assert_round_trip(&testdata("dcql/section_5_4_request_object.json"));
    assert_round_trip(&testdata(
        "dcql/section_8_3_encrypted_response_request.json",
    ));
}

#[test]
fn openid4vp_mdoc_examples_are_refused_as_unsupported() {
    for name in [
        "simple_mdoc.json",
        "complex_mdoc.json",
        "multi_credentials.json",
    ] {
        let e = DcqlQuery::parse(&testdata(&format!("dcql/{name}"))).unwrap_err();
        assert!(
            matches!(&e, Error::Dcql(DcqlError::UnsupportedFormat(f)) if f == "mso_mdoc"),
            "{name}: {e}"
        );
        assert_eq!(e.code(), "openid4vp.unsupported_format");
    }
}

#[test]
fn openid4vp_8_2_direct_post_request_object() {
    let text = testdata("requests/section_8_2_direct_post_request_object.json");
    let value: Value = serde_json::from_str(&text).unwrap();
    let request = AuthorizationRequest::from_json(value.as_object().unwrap()).unwrap();
    assert_eq!(request.client_id().prefix(), ClientIdPrefix::RedirectUri);
    assert_eq!(request.response_uri(), "https://client.example.org/post");
    assert_eq!(request.nonce(), "n-0S6_WzA2Mj");
    assert_eq!(request.state(), Some("eyJhb...6-sVA"));
    assert_eq!(Value::Object(request.to_json()), value);
    // As a URL, and back.
    let url = request.to_url();
    assert!(url.starts_with("openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fclient.example.org%2Fpost&response_type=vp_token&response_mode=direct_post&response_uri=https%3A%2F%2Fclient.example.org%2Fpost&nonce=n-0S6_WzA2Mj&state=eyJhb...6-sVA&dcql_query=%7B%22credentials%22"), "{url}");
    assert_eq!(
        RequestUrl::parse(&url).unwrap(),
        RequestUrl::ByValue(request)
    );
}

#[test]
fn openid4vp_5_4_by_reference_with_x509_is_refused() {
    let e = RequestUrl::parse(&testdata("requests/section_5_4_by_reference_x509.url")).unwrap_err();
    assert!(
        matches!(&e, Error::Request(RequestError::UnsupportedClientIdPrefix(p)) if p == "x509_san_dns"),
        "{e}"
    );
}

#[test]
fn openid4vp_5_9_3_default_fragment_mode_is_refused() {
    let e = RequestUrl::parse(&testdata(
        "requests/section_5_9_3_redirect_uri_fragment.url",
    ))
    .unwrap_err();
    assert!(
        matches!(&e, Error::Request(RequestError::UnsupportedResponseMode(m)) if m == "fragment"),
        "{e}"
    );
}

// ----- DCQL validation: every rule, its own error -----

fn base() -> Value {
    json!({"credentials": [{
        "id": "pid", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://civitas.example/credentials/pid/v1"]},
        "claims": [{"id": "a", "path": ["age_over_18"]}, {"id": "b", "path": ["address", "locality"]}]
    }]})
}

fn with(f: impl FnOnce(&mut Value)) -> Value {
    let mut v = base();
    f(&mut v);
    v
}

#[test]
fn dcql_every_rejection_has_its_own_error() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("not an object", json!([]), "openid4vp.wrong_type"),
        ("no credentials", json!({}), "openid4vp.missing_field"),
        (
            "credentials empty",
            json!({"credentials": []}),
            "openid4vp.empty_array",
        ),
        (
            "credentials not an array",
            json!({"credentials": {}}),
            "openid4vp.wrong_type",
        ),
        (
            "credential not an object",
            json!({"credentials": [1]}),
            "openid4vp.wrong_type",
        ),
        (
            "no id",
            with(|v| {
                v["credentials"][0].as_object_mut().unwrap().remove("id");
            }),
            "openid4vp.missing_field",
        ),
        (
            "id not a string",
            with(|v| v["credentials"][0]["id"] = json!(1)),
            "openid4vp.wrong_type",
        ),
        (
            "id empty",
            with(|v| v["credentials"][0]["id"] = json!("")),
            "openid4vp.invalid_id",
        ),
        (
            "id with a dot",
            with(|v| v["credentials"][0]["id"] = json!("p.d")),
            "openid4vp.invalid_id",
        ),
        (
            "id with a space",
            with(|v| v["credentials"][0]["id"] = json!("p d")),
            "openid4vp.invalid_id",
        ),
        (
            "duplicate id",
            with(|v| {
                let c = v["credentials"][0].clone();
                v["credentials"].as_array_mut().unwrap().push(c);
            }),
            "openid4vp.duplicate_credential_id",
        ),
        (
            "no format",
            with(|v| {
                v["credentials"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("format");
            }),
            "openid4vp.missing_field",
        ),
        (
            "unknown format",
            with(|v| v["credentials"][0]["format"] = json!("vc+sd-jwt")),
            "openid4vp.unknown_format",
        ),
        (
            "mdoc",
            with(|v| v["credentials"][0]["format"] = json!("mso_mdoc")),
            "openid4vp.unsupported_format",
        ),
        (
            "ldp_vc",
            with(|v| v["credentials"][0]["format"] = json!("ldp_vc")),
            "openid4vp.unsupported_format",
        ),
        (
            "no meta",
            with(|v| {
                v["credentials"][0].as_object_mut().unwrap().remove("meta");
            }),
            "openid4vp.missing_field",
        ),
        (
            "meta not an object",
            with(|v| v["credentials"][0]["meta"] = json!([])),
            "openid4vp.wrong_type",
        ),
        (
            "no vct_values",
            with(|v| v["credentials"][0]["meta"] = json!({})),
            "openid4vp.missing_field",
        ),
        (
            "vct_values empty",
            with(|v| v["credentials"][0]["meta"]["vct_values"] = json!([])),
            "openid4vp.empty_array",
        ),
        (
            "vct_values a string",
            with(|v| v["credentials"][0]["meta"]["vct_values"] = json!("x")),
            "openid4vp.wrong_type",
        ),
        (
            "vct empty",
            with(|v| v["credentials"][0]["meta"]["vct_values"] = json!([""])),
            "openid4vp.wrong_type",
        ),
        (
            "vct a number",
            with(|v| v["credentials"][0]["meta"]["vct_values"] = json!([1])),
            "openid4vp.wrong_type",
        ),
        (
            "multiple not a bool",
            with(|v| v["credentials"][0]["multiple"] = json!("yes")),
            "openid4vp.wrong_type",
        ),
        (
            "binding not a bool",
            with(|v| v["credentials"][0]["require_cryptographic_holder_binding"] = json!(0)),
            "openid4vp.wrong_type",
        ),
        (
            "trusted_authorities empty",
            with(|v| v["credentials"][0]["trusted_authorities"] = json!([])),
            "openid4vp.empty_array",
        ),
        (
            "trusted authority without values",
            with(|v| v["credentials"][0]["trusted_authorities"] = json!([{"type": "aki"}])),
            "openid4vp.missing_field",
        ),
        (
            "trusted authority values empty",
            with(|v| {
                v["credentials"][0]["trusted_authorities"] = json!([{"type": "aki", "values": []}])
            }),
            "openid4vp.empty_array",
        ),
        (
            "claims empty",
            with(|v| v["credentials"][0]["claims"] = json!([])),
            "openid4vp.empty_array",
        ),
        (
            "claims an object",
            with(|v| v["credentials"][0]["claims"] = json!({})),
            "openid4vp.wrong_type",
        ),
        (
            "claim without path",
            with(|v| v["credentials"][0]["claims"][0] = json!({"id": "a"})),
            "openid4vp.missing_field",
        ),
        (
            "empty path",
            with(|v| v["credentials"][0]["claims"][0]["path"] = json!([])),
            "openid4vp.invalid_path",
        ),
        (
            "path a string",
            with(|v| v["credentials"][0]["claims"][0]["path"] = json!("age_over_18")),
            "openid4vp.invalid_path",
        ),
        (
            "path with a negative index",
            with(|v| v["credentials"][0]["claims"][0]["path"] = json!(["a", -1])),
            "openid4vp.invalid_path",
        ),
        (
            "path with a fraction",
            with(|v| v["credentials"][0]["claims"][0]["path"] = json!(["a", 1.5])),
            "openid4vp.invalid_path",
        ),
        (
            "path with a bool",
            with(|v| v["credentials"][0]["claims"][0]["path"] = json!(["a", true])),
            "openid4vp.invalid_path",
        ),
        (
            "path starting with null",
            with(|v| v["credentials"][0]["claims"][0]["path"] = json!([null, "a"])),
            "openid4vp.invalid_path",
        ),
        (
            "path of 33 elements",
            with(|v| v["credentials"][0]["claims"][0]["path"] = json!(vec!["a"; 33])),
            "openid4vp.invalid_path",
        ),
        (
            "same path twice",
            with(|v| v["credentials"][0]["claims"][1]["path"] = json!(["age_over_18"])),
            "openid4vp.duplicate_claim_path",
        ),
        (
            "same claim id twice",
            with(|v| v["credentials"][0]["claims"][1]["id"] = json!("a")),
            "openid4vp.duplicate_claim_id",
        ),
        (
            "claim id invalid",
            with(|v| v["credentials"][0]["claims"][0]["id"] = json!("a b")),
            "openid4vp.invalid_id",
        ),
        (
            "values empty",
            with(|v| v["credentials"][0]["claims"][0]["values"] = json!([])),
            "openid4vp.empty_array",
        ),
        (
            "values with null",
            with(|v| v["credentials"][0]["claims"][0]["values"] = json!([null])),
            "openid4vp.invalid_value",
        ),
        (
            "values with a float",
            with(|v| v["credentials"][0]["claims"][0]["values"] = json!([1.5])),
            "openid4vp.invalid_value",
        ),
        (
            "values with an object",
            with(|v| v["credentials"][0]["claims"][0]["values"] = json!([{}])),
            "openid4vp.invalid_value",
        ),
        (
            "values with an array",
            with(|v| v["credentials"][0]["claims"][0]["values"] = json!([["x"]])),
            "openid4vp.invalid_value",
        ),
        (
            "claim_sets without claims",
            with(|v| {
                v["credentials"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("claims");
                v["credentials"][0]["claim_sets"] = json!([["a"]]);
            }),
            "openid4vp.claim_sets_without_claims",
        ),
        (
            "claim_sets with a claim without id",
            with(|v| {
                v["credentials"][0]["claims"][1]
                    .as_object_mut()
                    .unwrap()
                    .remove("id");
                v["credentials"][0]["claim_sets"] = json!([["a"]]);
            }),
            "openid4vp.claim_without_id",
        ),
        (
            "claim_sets empty",
            with(|v| v["credentials"][0]["claim_sets"] = json!([])),
            "openid4vp.empty_array",
        ),
        (
            "claim_sets option empty",
            with(|v| v["credentials"][0]["claim_sets"] = json!([[]])),
            "openid4vp.empty_array",
        ),
        (
            "claim_sets unknown id",
            with(|v| v["credentials"][0]["claim_sets"] = json!([["a", "z"]])),
            "openid4vp.unknown_claim_id",
        ),
        (
            "claim_sets id twice",
            with(|v| v["credentials"][0]["claim_sets"] = json!([["a", "a"]])),
            "openid4vp.duplicate_in_option",
        ),
        (
            "claim_sets not ids",
            with(|v| v["credentials"][0]["claim_sets"] = json!([[1]])),
            "openid4vp.wrong_type",
        ),
        (
            "credential_sets empty",
            with(|v| v["credential_sets"] = json!([])),
            "openid4vp.empty_array",
        ),
        (
            "credential set without options",
            with(|v| v["credential_sets"] = json!([{"required": true}])),
            "openid4vp.missing_field",
        ),
        (
            "credential set options empty",
            with(|v| v["credential_sets"] = json!([{"options": []}])),
            "openid4vp.empty_array",
        ),
        (
            "credential set option empty",
            with(|v| v["credential_sets"] = json!([{"options": [[]]}])),
            "openid4vp.empty_array",
        ),
        (
            "credential set unknown id",
            with(|v| v["credential_sets"] = json!([{"options": [["medical"]]}])),
            "openid4vp.unknown_credential_id",
        ),
        (
            "credential set id twice",
            with(|v| v["credential_sets"] = json!([{"options": [["pid", "pid"]]}])),
            "openid4vp.duplicate_in_option",
        ),
        (
            "credential set required not a bool",
            with(|v| v["credential_sets"] = json!([{"options": [["pid"]], "required": "no"}])),
            "openid4vp.wrong_type",
        ),
        (
            "credential set options an object",
            with(|v| v["credential_sets"] = json!([{"options": {}}])),
            "openid4vp.wrong_type",
        ),
    ];
    for (what, value, code) in cases {
        let e = DcqlQuery::from_value(&value).expect_err(what);
        assert_eq!(e.code(), code, "{what}: {e}");
        // The same through the text parser.
        assert_eq!(
            DcqlQuery::parse(&value.to_string()).unwrap_err().code(),
            code,
            "{what}"
        );
    }
    // Text-level problems.
    let e = DcqlQuery::parse(r#"{"credentials": [], "credentials": []}"#).unwrap_err();
    assert_eq!(e.code(), "openid4vp.invalid_json", "{e}");
    assert!(e.to_string().contains("duplicate member"));
    let e = DcqlQuery::parse(&format!("{{\"x\":\"{}\"}}", "a".repeat(40_000))).unwrap_err();
    assert_eq!(e.code(), "openid4vp.too_long");
    let mut many = base();
    let c = many["credentials"][0].clone();
    for i in 0..40 {
        let mut c = c.clone();
        c["id"] = json!(format!("c{i}"));
        many["credentials"].as_array_mut().unwrap().push(c);
    }
    assert_eq!(
        DcqlQuery::from_value(&many).unwrap_err().code(),
        "openid4vp.too_many"
    );
}

#[test]
fn dcql_unknown_members_are_ignored_and_not_kept() {
    let value = with(|v| {
        v["future_extension"] = json!(true);
        v["credentials"][0]["meta"]["doctype_value"] = json!("ignored");
        v["credentials"][0]["claims"][0]["intent_to_retain"] = json!(false);
    });
    let q = DcqlQuery::from_value(&value).unwrap();
    assert_eq!(q.to_value(), base());
}

#[test]
fn dcql_built_in_code_is_validated() {
    let good = CredentialQuery::sd_jwt("pid", &["v"])
        .with_claims(&paths(&["a"]), &[])
        .unwrap();
    assert!(DcqlQuery::new(vec![good.clone()], None).is_ok());
    let e = DcqlQuery::new(vec![good.clone(), good.clone()], None).unwrap_err();
    assert_eq!(e.code(), "openid4vp.duplicate_credential_id");
    let e = DcqlQuery::new(
        vec![good.clone()],
        Some(vec![CredentialSetQuery::new(&[&["other"]], true)]),
    )
    .unwrap_err();
    assert_eq!(e.code(), "openid4vp.unknown_credential_id");
    let bad_path = CredentialQuery {
        claims: Some(vec![ClaimsQuery::new(ClaimPath::default())]),
        ..good.clone()
    };
    assert_eq!(
        DcqlQuery::new(vec![bad_path], None).unwrap_err().code(),
        "openid4vp.invalid_path"
    );
    let e = CredentialQuery::sd_jwt("pid", &["v"])
        .with_claims(&[], &paths(&["a", "b", "c", "d", "e", "f"]))
        .unwrap_err();
    assert_eq!(e.code(), "openid4vp.too_many_optional_claims");
    let e = CredentialQuery::sd_jwt("pid", &["v"])
        .with_claims(&paths(&["a"]), &paths(&["a"]))
        .and_then(|q| DcqlQuery::new(vec![q], None))
        .unwrap_err();
    assert_eq!(e.code(), "openid4vp.duplicate_claim_path");
}

// ----- the counter's request -----

const CLIENT: &str = "redirect_uri:https://counter-7.city-hall.example/post";
const NONCE: &str = "bGV0LXRoZS1jb3VudGVyLWFzaw";

fn counter_request() -> AuthorizationRequest {
    AuthorizationRequest::for_counter(
        CLIENT,
        None,
        NONCE,
        civitas_credential::types::PID.vct,
        &paths(&["age_over_18"]),
        &paths(&["address.locality"]),
    )
    .unwrap()
}

#[test]
fn for_counter_builds_the_expected_url() {
    let request = counter_request().with_state("txn-42").unwrap();
    assert_eq!(
        request.response_uri(),
        "https://counter-7.city-hall.example/post"
    );
    let query = request.dcql_query();
    assert_eq!(query.credentials[0].id, "pid");
    assert_eq!(
        query.to_value(),
        json!({"credentials": [{
            "id": "pid", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://civitas.example/credentials/pid/v1"]},
            "claims": [{"id": "0", "path": ["age_over_18"]}, {"id": "1", "path": ["address", "locality"]}],
            "claim_sets": [["0", "1"], ["0"]]
        }]})
    );
    let url = request.to_url();
    assert_eq!(
        url,
        "openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fcounter-7.city-hall.example%2Fpost\
         &response_type=vp_token&response_mode=direct_post\
         &response_uri=https%3A%2F%2Fcounter-7.city-hall.example%2Fpost\
         &nonce=bGV0LXRoZS1jb3VudGVyLWFzaw&state=txn-42\
         &dcql_query=%7B%22credentials%22%3A%5B%7B%22claim_sets%22%3A%5B%5B%220%22%2C%221%22%5D%2C%5B%220%22%5D%5D%2C%22claims%22%3A%5B%7B%22id%22%3A%220%22%2C%22path%22%3A%5B%22age_over_18%22%5D%7D%2C%7B%22id%22%3A%221%22%2C%22path%22%3A%5B%22address%22%2C%22locality%22%5D%7D%5D%2C%22format%22%3A%22dc%2Bsd-jwt%22%2C%22id%22%3A%22pid%22%2C%22meta%22%3A%7B%22vct_values%22%3A%5B%22https%3A%2F%2Fcivitas.example%2Fcredentials%2Fpid%2Fv1%22%5D%7D%7D%5D%7D"
    );
    assert!(request.fits_by_value(url.len()));
    assert!(!request.fits_by_value(url.len() - 1));
    // The wallet reads back exactly the same request.
    assert_eq!(
        RequestUrl::parse(&url).unwrap(),
        RequestUrl::ByValue(request.clone())
    );
    // Scanner noise: trailing CR/LF, upper-case scheme, a path after '//'.
    assert!(RequestUrl::parse(&format!("{url}\r\n")).is_ok());
    assert!(RequestUrl::parse(&url.replacen("openid4vp://", "OPENID4VP://authorize", 1)).is_ok());
    // The QR a counter shows for it (byte mode, ECC M).
    let code = civitas_exchange::qr::render(&url, &Default::default()).unwrap();
    assert!(code.info().version <= 25, "version {}", code.info().version);
}

#[test]
fn serde_and_client_metadata() {
    let request = counter_request()
        .with_client_metadata(civitas_exchange::openid4vp::civitas_client_metadata())
        .unwrap();
    let url = request.to_url();
    assert!(url.contains("&client_metadata=%7B%22vp_formats_supported%22%3A%7B%22dc%2Bsd-jwt%22"));
    assert_eq!(
        RequestUrl::parse(&url).unwrap(),
        RequestUrl::ByValue(request.clone())
    );
    let json = serde_json::to_string(&request).unwrap();
    let back: AuthorizationRequest = serde_json::from_str(&json).unwrap();
    assert_eq!(back, request);
    let mut broken: Value = serde_json::from_str(&json).unwrap();
    broken["response_type"] = json!("code");
    let e = serde_json::from_value::<AuthorizationRequest>(broken).unwrap_err();
    assert!(
        e.to_string()
            .contains("response_type 'code' is not supported"),
        "{e}"
    );
    assert!(serde_json::from_str::<DcqlQuery>(r#"{"credentials":[]}"#).is_err());
}

#[test]
fn for_counter_ids_and_shapes() {
    let medical = AuthorizationRequest::for_counter(
        CLIENT,
        None,
        NONCE,
        civitas_credential::types::MEDICAL.vct,
        &paths(&["blood_type"]),
        &[],
    )
    .unwrap();
    let c = &medical.dcql_query().credentials[0];
    assert_eq!(c.id, "medical");
    assert!(c.claim_sets.is_none());
    assert!(c.claims.as_ref().unwrap()[0].id.is_none());
    let other = AuthorizationRequest::for_counter(
        CLIENT,
        None,
        NONCE,
        "https://library.example/card",
        &[],
        &[],
    )
    .unwrap();
    assert_eq!(other.dcql_query().credentials[0].id, "credential");
    assert!(other.dcql_query().credentials[0].claims.is_none());
    // A DID client needs a response URI; a redirect_uri client's must match.
    let did_client = "decentralized_identifier:did:jwk:eyJjcnYiOiJQLTI1NiJ9";
    let e = AuthorizationRequest::for_counter(did_client, None, NONCE, "v", &[], &[]).unwrap_err();
    assert!(matches!(
        e,
        Error::Request(RequestError::MissingParameter("response_uri"))
    ));
    let e = AuthorizationRequest::for_counter(
        CLIENT,
        Some("https://elsewhere.example/post"),
        NONCE,
        "v",
        &[],
        &[],
    )
    .unwrap_err();
    assert!(matches!(
        e,
        Error::Request(RequestError::ResponseUriMismatch)
    ));
    let e =
        AuthorizationRequest::for_counter(CLIENT, None, "not a nonce", "v", &[], &[]).unwrap_err();
    assert!(matches!(
        e,
        Error::Request(RequestError::InvalidToken { param: "nonce", .. })
    ));
    let e = counter_request().with_state("a/b").unwrap_err();
    assert!(matches!(
        e,
        Error::Request(RequestError::InvalidToken { param: "state", .. })
    ));
}

#[test]
fn nonces_are_fresh_and_128_bits() {
    let rng = SeededRng::new(7);
    let a = generate_nonce(&rng).unwrap();
    let b = generate_nonce(&rng).unwrap();
    assert_ne!(a, b);
    assert_eq!(b64::decode(&a).unwrap().len(), 16);
    assert!(AuthorizationRequest::for_counter(CLIENT, None, &a, "v", &[], &[]).is_ok());
}

#[test]
fn without_holder_binding_state_is_required() {
    let mut q = CredentialQuery::sd_jwt("ticket", &["https://cinema.example/ticket"]);
    q.require_cryptographic_holder_binding = Some(false);
    let query = DcqlQuery::new(vec![q], None).unwrap();
    let e = AuthorizationRequest::new(CLIENT, None, NONCE, query.clone()).unwrap_err();
    assert!(matches!(e, Error::Request(RequestError::MissingState)));
    // From a URL too.
    let url = format!(
        "openid4vp://?client_id={}&response_type=vp_token&response_mode=direct_post&nonce={NONCE}&dcql_query={}",
        enc(CLIENT),
        enc(&query.to_json())
    );
    assert!(matches!(
        RequestUrl::parse(&url),
        Err(Error::Request(RequestError::MissingState))
    ));
    assert!(RequestUrl::parse(&format!("{url}&state=s1")).is_ok());
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn request_url_every_rejection_has_its_own_error() {
    let good = counter_request().to_url();
    let dcql = enc(&counter_request().dcql_query().to_json());
    let head = format!("openid4vp://?client_id={}", enc(CLIENT));
    let tail = format!("&nonce={NONCE}&dcql_query={dcql}");
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "too long",
            format!("{good}&x={}", "a".repeat(17_000)),
            "openid4vp.too_long",
        ),
        ("no scheme", "client_id=x".into(), "openid4vp.invalid_url"),
        (
            "https scheme",
            good.replacen("openid4vp", "https", 1),
            "openid4vp.invalid_url",
        ),
        ("no query", "openid4vp://".into(), "openid4vp.invalid_url"),
        (
            "no slashes",
            good.replacen("openid4vp://?", "openid4vp:x?", 1),
            "openid4vp.invalid_url",
        ),
        ("fragment", format!("{good}#x"), "openid4vp.invalid_url"),
        (
            "raw brace",
            format!(
                "{head}&response_type=vp_token&response_mode=direct_post&nonce={NONCE}&dcql_query={{}}"
            ),
            "openid4vp.percent_encoding",
        ),
        (
            "raw space",
            format!("{good}&x=a b"),
            "openid4vp.percent_encoding",
        ),
        (
            "non-ASCII",
            format!("{good}&x=é"),
            "openid4vp.percent_encoding",
        ),
        (
            "bad escape",
            format!("{good}&x=%G1"),
            "openid4vp.percent_encoding",
        ),
        (
            "truncated escape",
            format!("{good}&x=%4"),
            "openid4vp.percent_encoding",
        ),
        (
            "not UTF-8",
            format!("{good}&x=%C3"),
            "openid4vp.percent_encoding",
        ),
        (
            "nonce twice",
            format!("{good}&nonce=abc"),
            "openid4vp.duplicate_parameter",
        ),
        (
            "transaction_data",
            format!("{good}&transaction_data=e30"),
            "openid4vp.transaction_data_unsupported",
        ),
        (
            "request",
            format!("{head}&request=eyJ"),
            "openid4vp.unsupported_parameter",
        ),
        (
            "scope",
            format!("{good}&scope=com.example.pid"),
            "openid4vp.unsupported_parameter",
        ),
        (
            "redirect_uri",
            format!("{good}&redirect_uri=https%3A%2F%2Fx.example"),
            "openid4vp.unsupported_parameter",
        ),
        (
            "no response_type",
            format!("{head}&response_mode=direct_post{tail}"),
            "openid4vp.missing_parameter",
        ),
        (
            "code flow",
            format!("{head}&response_type=code&response_mode=direct_post{tail}"),
            "openid4vp.unsupported_response_type",
        ),
        (
            "vp_token id_token",
            format!("{head}&response_type=vp_token%20id_token&response_mode=direct_post{tail}"),
            "openid4vp.unsupported_response_type",
        ),
        (
            "direct_post.jwt",
            format!("{head}&response_type=vp_token&response_mode=direct_post.jwt{tail}"),
            "openid4vp.unsupported_response_mode",
        ),
        (
            "no response_mode",
            format!("{head}&response_type=vp_token{tail}"),
            "openid4vp.unsupported_response_mode",
        ),
        (
            "request_uri_method alone",
            format!("{good}&request_uri_method=get"),
            "openid4vp.request_uri_method_without_request_uri",
        ),
        (
            "no client_id",
            format!("openid4vp://?response_type=vp_token&response_mode=direct_post{tail}"),
            "openid4vp.missing_parameter",
        ),
        (
            "pre-registered client",
            good.replacen(&enc(CLIENT), "counter-7", 1),
            "openid4vp.unsupported_client_id_prefix",
        ),
        (
            "origin client",
            good.replacen(&enc(CLIENT), "origin%3Ahttps%3A%2F%2Fx.example", 1),
            "openid4vp.unsupported_client_id_prefix",
        ),
        (
            "redirect_uri client not https",
            good.replacen(
                &enc(CLIENT),
                &enc("redirect_uri:http://counter.example/post"),
                1,
            ),
            "openid4vp.invalid_client_id",
        ),
        (
            "response_uri differs",
            good.replacen(
                "response_uri=https%3A%2F%2Fcounter-7",
                "response_uri=https%3A%2F%2Fcounter-8",
                1,
            ),
            "openid4vp.response_uri_mismatch",
        ),
        (
            "no nonce",
            format!("{head}&response_type=vp_token&response_mode=direct_post&dcql_query={dcql}"),
            "openid4vp.missing_parameter",
        ),
        (
            "nonce with '/'",
            good.replacen(NONCE, "a%2Fb", 1),
            "openid4vp.invalid_token",
        ),
        (
            "state with '+'",
            format!("{good}&state=a%2Bb"),
            "openid4vp.invalid_token",
        ),
        (
            "no dcql_query",
            format!("{head}&response_type=vp_token&response_mode=direct_post&nonce={NONCE}"),
            "openid4vp.missing_parameter",
        ),
        (
            "dcql_query not JSON",
            format!(
                "{head}&response_type=vp_token&response_mode=direct_post&nonce={NONCE}&dcql_query=%7B"
            ),
            "openid4vp.invalid_json",
        ),
        (
            "dcql_query invalid",
            format!(
                "{head}&response_type=vp_token&response_mode=direct_post&nonce={NONCE}&dcql_query=%7B%7D"
            ),
            "openid4vp.missing_field",
        ),
        (
            "client_metadata not an object",
            format!("{good}&client_metadata=%5B%5D"),
            "openid4vp.wrong_type",
        ),
        (
            "vp_formats_supported not an object",
            format!("{good}&client_metadata=%7B%22vp_formats_supported%22%3A1%7D"),
            "openid4vp.wrong_type",
        ),
        (
            "by reference without client_id",
            "openid4vp://?request_uri=https%3A%2F%2Fc.example%2Fr".into(),
            "openid4vp.missing_parameter",
        ),
        (
            "by reference, redirect_uri client",
            format!("{head}&request_uri=https%3A%2F%2Fc.example%2Fr"),
            "openid4vp.cannot_sign",
        ),
        (
            "by reference, bad method",
            format!(
                "openid4vp://?client_id={}&request_uri=https%3A%2F%2Fc.example%2Fr&request_uri_method=PUT",
                enc("decentralized_identifier:did:jwk:abc")
            ),
            "openid4vp.invalid_request_uri_method",
        ),
        (
            "by reference, http request_uri",
            format!(
                "openid4vp://?client_id={}&request_uri=http%3A%2F%2Fc.example%2Fr",
                enc("decentralized_identifier:did:jwk:abc")
            ),
            "openid4vp.invalid_uri",
        ),
    ];
    for (what, url, code) in cases {
        let e = RequestUrl::parse(&url).expect_err(what);
        assert_eq!(e.code(), code, "{what}: {e}");
    }
    // Parameters without a value are omitted, unknown ones ignored.
    assert!(RequestUrl::parse(&format!("{good}&state=&verifier_info=x")).is_ok());
}

// ----- by reference: signed Request Objects -----

struct Counter {
    key: SigningKey,
    did: String,
    client_id: String,
}

fn counter(seed: u64) -> Counter {
    let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(seed)).unwrap();
    let did = key.public().did_jwk();
    let client_id = format!("decentralized_identifier:{did}");
    Counter {
        key,
        did,
        client_id,
    }
}

fn did_request(c: &Counter) -> AuthorizationRequest {
    AuthorizationRequest::for_counter(
        &c.client_id,
        Some("https://counter-7.city-hall.example/post"),
        NONCE,
        civitas_credential::types::PID.vct,
        &paths(&["age_over_18"]),
        &paths(&["given_name", "family_name", "address.locality"]),
    )
    .unwrap()
    .with_state("txn-7")
    .unwrap()
}

#[test]
fn by_reference_signed_request_object_round_trip() {
    let c = counter(1);
    let request = did_request(&c).with_wallet_nonce("wn-1").unwrap();
    let reference = request
        .reference(
            "https://counter-7.city-hall.example/request/abc",
            Some(RequestUriMethod::Post),
        )
        .unwrap();
    let url = reference.to_url();
    assert!(url.starts_with("openid4vp://?client_id=decentralized_identifier%3Adid%3Ajwk%3A"));
    assert!(url.ends_with("&request_uri=https%3A%2F%2Fcounter-7.city-hall.example%2Frequest%2Fabc&request_uri_method=post"));
    let RequestUrl::ByReference(parsed) = RequestUrl::parse(&url).unwrap() else {
        panic!("a reference");
    };
    assert_eq!(parsed, reference);
    assert_eq!(parsed.method(), Some(RequestUriMethod::Post));
    let jwt = request
        .sign(&c.key.public().did_jwk_url(), &c.key, NOW)
        .unwrap();
    let got = parsed
        .verify_request_object(&jwt, &MethodResolver::local(), NOW + 5, Some("wn-1"))
        .unwrap();
    assert_eq!(got, request);
    // The header and the static-discovery audience.
    let header: Value =
        serde_json::from_slice(&b64::decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["typ"], "oauth-authz-req+jwt");
    assert_eq!(header["alg"], "ES256");
    let payload: Value =
        serde_json::from_slice(&b64::decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(payload["aud"], "https://self-issued.me/v2");
    assert_eq!(payload["dcql_query"]["credentials"][0]["id"], "pid");
    // A by-value URL of the same request would be longer than the reference.
    assert!(request.to_url().len() > url.len());
}

/// Signs an arbitrary header and payload with `key`.
fn jws(header: &Value, payload: &Value, key: &dyn Signer) -> String {
    let input = format!(
        "{}.{}",
        b64::encode(header.to_string()),
        b64::encode(payload.to_string())
    );
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64::encode(sig))
}

#[test]
fn request_object_every_rejection_has_its_own_error() {
    let c = counter(2);
    let other = counter(3);
    let request = did_request(&c);
    let reference = request
        .reference("https://counter.example/r", None)
        .unwrap();
    let kid = c.key.public().did_jwk_url();
    let mut payload = Value::Object(request.to_json());
    payload["aud"] = json!("https://self-issued.me/v2");
    payload["iat"] = json!(NOW);
    let header = json!({"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": kid});
    let resolver = MethodResolver::local();
    let check = |token: &str, wallet_nonce: Option<&str>| {
        reference.verify_request_object(token, &resolver, NOW, wallet_nonce)
    };
    assert!(check(&jws(&header, &payload, &c.key), None).is_ok());

    let good = jws(&header, &payload, &c.key);
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged_payload = {
        let mut p = payload.clone();
        p["nonce"] = json!("another-nonce");
        b64::encode(p.to_string())
    };
    parts[1] = &forged_payload;
    let tampered = parts.join(".");

    let edit = |f: &dyn Fn(&mut Value)| {
        let mut p = payload.clone();
        f(&mut p);
        jws(&header, &p, &c.key)
    };
    let with_header = |h: Value| jws(&h, &payload, &c.key);
    let cases: Vec<(&str, String, Option<&str>, &str)> = vec![
        ("tampered", tampered, None, "openid4vp.bad_signature"),
        (
            "signed by another key",
            jws(&header, &payload, &other.key),
            None,
            "openid4vp.bad_signature",
        ),
        (
            "kid of another DID",
            with_header(
                json!({"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": other.key.public().did_jwk_url()}),
            ),
            None,
            "openid4vp.kid_mismatch",
        ),
        (
            "no kid",
            with_header(json!({"alg": "ES256", "typ": "oauth-authz-req+jwt"})),
            None,
            "openid4vp.missing_kid",
        ),
        (
            "unknown key fragment",
            with_header(
                json!({"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": format!("{}#7", c.did)}),
            ),
            None,
            "openid4vp.key_resolution",
        ),
        (
            "wrong typ",
            with_header(json!({"alg": "ES256", "typ": "JWT", "kid": kid})),
            None,
            "openid4vp.wrong_typ",
        ),
        (
            "no typ",
            with_header(json!({"alg": "ES256", "kid": kid})),
            None,
            "openid4vp.wrong_typ",
        ),
        (
            "alg none",
            with_header(json!({"alg": "none", "typ": "oauth-authz-req+jwt", "kid": kid})),
            None,
            "openid4vp.algorithm_not_allowed",
        ),
        (
            "alg HS256",
            with_header(json!({"alg": "HS256", "typ": "oauth-authz-req+jwt", "kid": kid})),
            None,
            "openid4vp.algorithm_not_allowed",
        ),
        (
            "self-asserted jwk",
            with_header(
                json!({"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": kid, "jwk": c.key.public().to_jwk_value()}),
            ),
            None,
            "openid4vp.forbidden_header",
        ),
        (
            "x5c",
            with_header(
                json!({"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": kid, "x5c": ["MII"]}),
            ),
            None,
            "openid4vp.forbidden_header",
        ),
        (
            "crit",
            with_header(
                json!({"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": kid, "crit": ["x"]}),
            ),
            None,
            "openid4vp.forbidden_header",
        ),
        (
            "two parts",
            "eyJ.eyJ".into(),
            None,
            "openid4vp.malformed_jws",
        ),
        (
            "padding",
            good.replacen('.', "=.", 1),
            None,
            "openid4vp.malformed_jws",
        ),
        (
            "payload not JSON",
            format!(
                "{}.{}.{}",
                good.split('.').next().unwrap(),
                b64::encode("nope"),
                "c2ln"
            ),
            None,
            "openid4vp.invalid_json",
        ),
        (
            "client_id differs",
            edit(&|p| p["client_id"] = json!(other.client_id.clone())),
            None,
            "openid4vp.client_id_mismatch",
        ),
        (
            "aud differs",
            edit(&|p| p["aud"] = json!("https://wallet.example")),
            None,
            "openid4vp.audience_mismatch",
        ),
        (
            "expired",
            edit(&|p| p["exp"] = json!(NOW - 1)),
            None,
            "openid4vp.expired",
        ),
        (
            "from the future",
            edit(&|p| p["iat"] = json!(NOW + 3600)),
            None,
            "openid4vp.issued_in_future",
        ),
        (
            "wallet_nonce missing",
            jws(&header, &payload, &c.key),
            Some("wn-2"),
            "openid4vp.wallet_nonce_mismatch",
        ),
        (
            "wallet_nonce differs",
            edit(&|p| p["wallet_nonce"] = json!("wn-3")),
            Some("wn-2"),
            "openid4vp.wallet_nonce_mismatch",
        ),
        (
            "payload breaks a request rule",
            edit(&|p| p["response_mode"] = json!("fragment")),
            None,
            "openid4vp.unsupported_response_mode",
        ),
        (
            "dcql_query as a string",
            edit(&|p| p["dcql_query"] = json!("{}")),
            None,
            "openid4vp.wrong_type",
        ),
        (
            "too long",
            format!("{good}{}", "A".repeat(70_000)),
            None,
            "openid4vp.too_long",
        ),
    ];
    for (what, token, wallet_nonce, code) in cases {
        let e = check(&token, wallet_nonce).expect_err(what);
        assert_eq!(e.code(), code, "{what}: {e}");
    }
}

#[test]
fn only_did_clients_sign_and_kid_must_be_theirs() {
    let c = counter(4);
    let e = counter_request()
        .sign(&c.key.public().did_jwk_url(), &c.key, NOW)
        .unwrap_err();
    assert!(matches!(
        e,
        Error::Request(RequestError::CannotSign("redirect_uri"))
    ));
    let other = counter(5);
    let e = did_request(&c)
        .sign(&other.key.public().did_jwk_url(), &other.key, NOW)
        .unwrap_err();
    assert!(matches!(
        e,
        Error::SignedObject(SignedObjectError::KidMismatch { .. })
    ));
    let e = counter_request()
        .reference("https://counter.example/r", None)
        .unwrap_err();
    assert!(matches!(
        e,
        Error::Request(RequestError::CannotSign("redirect_uri"))
    ));
    let e = RequestReference::new(&c.client_id, "ftp://counter.example/r", None).unwrap_err();
    assert!(matches!(
        e,
        Error::Request(RequestError::InvalidUri {
            param: "request_uri",
            ..
        })
    ));
}
