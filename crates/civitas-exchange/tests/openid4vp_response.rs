//! The response side: the whole story at a counter (request, wallet, direct_post,
//! verification, DCQL check, receipt), the VP Token and form body rules, the DCQL
//! satisfaction check, and receipts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wallet;

use civitas_credential::types::{MEDICAL, PID};
use civitas_crypto::{Algorithm, SeededRng, Signer, SigningKey, b64};
use civitas_did::MethodResolver;
use civitas_exchange::openid4vp::{
    AuthorizationRequest, AuthorizationResponse, CredentialQuery, CredentialSetQuery, DcqlQuery,
    DirectPostBody, Error, Receipt, RequestUrl, Unmet, VpToken, assign_to_queries,
    check_dcql_satisfied, generate_nonce, match_request, parse_direct_post, sign_receipt,
    verify_receipt,
};
use civitas_exchange::openid4vp::{ResponseError, SignedObjectError};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use wallet::{NOW, World, path, paths};

const CLIENT: &str = "redirect_uri:https://counter-7.city-hall.example/post";

#[test]
fn the_story_at_counter_7() {
    // 1. City hall and the hospital have issued the citizen's credentials.
    let world = World::new(21);
    let credentials = vec![world.pid(), world.medical()];

    // 2. The clerk asks for "over 18" and the blood type, the city if the citizen
    //    agrees; the counter makes a fresh nonce and a state for the transaction.
    let nonce = generate_nonce(&world.rng).unwrap();
    let pid = CredentialQuery::sd_jwt("pid", &[PID.vct])
        .with_claims(&paths(&["age_over_18"]), &paths(&["address.locality"]))
        .unwrap();
    let med = CredentialQuery::sd_jwt("medical", &[MEDICAL.vct])
        .with_claims(&paths(&["blood_type"]), &[])
        .unwrap();
    let query = DcqlQuery::new(vec![pid, med], None).unwrap();
    let request = AuthorizationRequest::new(CLIENT, None, &nonce, query)
        .unwrap()
        .with_state("txn-0001")
        .unwrap();
    let url = request.to_url();
    assert!(request.fits_by_value(997), "{} bytes", url.len());
    assert!(request.fits_qr(&Default::default()));

    // 3. The wallet scans the QR code and reads the request.
    let RequestUrl::ByValue(scanned) = RequestUrl::parse(&url).unwrap() else {
        panic!("by value");
    };
    assert_eq!(scanned, request);

    // 4. It finds what answers, shows the citizen what would be disclosed; she leaves
    //    the city out.
    let report = match_request(&scanned, &credentials);
    assert!(report.satisfiable);
    assert_eq!(report.to_present(), ["pid", "medical"]);
    let mut vp_token = VpToken::new();
    for id in report.to_present() {
        let drop = if id == "pid" {
            paths(&["address.locality"])
        } else {
            Vec::new()
        };
        let p = report
            .present(&scanned, &credentials, id, &drop, &world.citizen, NOW)
            .unwrap();
        vp_token.insert(id, vec![p]).unwrap();
    }
    let body = AuthorizationResponse::for_request(&scanned, vp_token)
        .unwrap()
        .to_form();
    assert!(
        body.starts_with("vp_token=%7B%22medical%22%3A%5B%22ey"),
        "{body}"
    );
    assert!(body.ends_with("&state=txn-0001"));

    // 5. The counter receives the direct_post and checks state and shape.
    let DirectPostBody::Response(response) = parse_direct_post(&body).unwrap() else {
        panic!("a response");
    };
    response.check(&request).unwrap();

    // 6. Each presentation is verified (civitas-verifier does this in the CLI) against
    //    the request's nonce and, as audience, its client_id …
    let mut verified: HashMap<String, Vec<Map<String, Value>>> = HashMap::new();
    let mut disclosed = Vec::new();
    let mut vcts = Vec::new();
    for (id, presentations) in response.vp_token.iter() {
        for p in presentations {
            let v = world.verify(p, request.nonce(), request.client_id().as_str());
            disclosed.extend(v.disclosed.clone());
            vcts.push(v.vct.clone());
            verified.entry(id.to_string()).or_default().push(v.claims);
        }
    }
    // … and the set satisfies the query.
    let check = check_dcql_satisfied(&request, &verified);
    assert!(check.is_satisfied(), "{:?}", check.unmet);
    assert_eq!(check.answered, ["pid", "medical"]);
    assert!(check.discarded.is_empty());
    assert_eq!(verified["pid"][0]["age_over_18"], true);
    assert!(verified["pid"][0].get("address").is_none());
    assert_eq!(verified["medical"][0]["blood_type"], "O+");

    // 7. The counter returns a signed receipt; the wallet keeps it.
    let counter_did = world.counter_did();
    let receipt = Receipt::new(
        &counter_did,
        request.client_id().as_str(),
        request.nonce(),
        true,
        vcts,
        &disclosed,
        NOW + 31,
        &world.rng,
    )
    .unwrap();
    let token = sign_receipt(
        &receipt,
        &world.counter.public().did_jwk_url(),
        &world.counter,
    )
    .unwrap();
    let kept = verify_receipt(&token, &MethodResolver::local(), NOW + 40).unwrap();
    assert_eq!(kept, receipt);
    assert!(kept.valid);
    assert_eq!(kept.vct, [MEDICAL.vct, PID.vct]);
    let mut names = kept.disclosed.clone();
    names.sort();
    assert_eq!(
        names,
        ["age_over_18", "blood_type"],
        "names only, no values"
    );
    assert!(!token.contains("O+") && !payload_of(&token).contains("O+"));
}

#[test]
fn a_counter_without_network_scans_civ1_codes() {
    let world = World::new(26);
    let credentials = vec![world.pid(), world.medical()];
    let pid = CredentialQuery::sd_jwt("pid", &[PID.vct])
        .with_claims(&paths(&["age_over_65"]), &[])
        .unwrap();
    let med = CredentialQuery::sd_jwt("medical", &[MEDICAL.vct])
        .with_claims(&paths(&["organ_donor"]), &[])
        .unwrap();
    let query = DcqlQuery::new(vec![pid, med], None).unwrap();
    let request = AuthorizationRequest::new(CLIENT, None, "offline-0001", query).unwrap();
    // The wallet reads the request from the counter's screen, shows two CIV1 codes.
    let report = match_request(&request, &credentials);
    let codes: Vec<String> = report
        .to_present()
        .into_iter()
        .map(|id| {
            let p = report
                .present(&request, &credentials, id, &[], &world.citizen, NOW)
                .unwrap();
            civitas_exchange::qr::encode_payload(&p)
        })
        .collect();
    // The counter scans them in any order, verifies, assigns, checks.
    let mut scanned = Vec::new();
    for code in codes.iter().rev() {
        let p = civitas_exchange::qr::decode_payload(code).unwrap();
        scanned.push(
            world
                .verify(&p, request.nonce(), request.client_id().as_str())
                .claims,
        );
    }
    scanned.push(claims(json!({"vct": "https://library.example/card"})));
    let (assigned, unassigned) = assign_to_queries(request.dcql_query(), scanned);
    assert_eq!(unassigned.len(), 1);
    assert_eq!(assigned["pid"][0]["age_over_65"], true);
    assert_eq!(assigned["medical"][0]["organ_donor"], true);
    assert!(check_dcql_satisfied(&request, &assigned).is_satisfied());
}

fn payload_of(token: &str) -> String {
    String::from_utf8(b64::decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

// ----- VP Token and the form body -----

fn presentation(world: &World, nonce: &str) -> String {
    world
        .pid()
        .present(&paths(&["age_over_18"]), &world.citizen, nonce, CLIENT, NOW)
        .unwrap()
}

#[test]
fn vp_token_insert_and_parse_are_strict() {
    let world = World::new(22);
    let p = presentation(&world, "n1");
    let mut token = VpToken::new();
    assert!(token.is_empty());
    token.insert("pid", vec![p.clone()]).unwrap();
    assert_eq!(token.len(), 1);
    assert_eq!(token.get("pid").unwrap(), std::slice::from_ref(&p));
    assert_eq!(VpToken::parse(&token.to_json()).unwrap(), token);
    let via_serde: VpToken = serde_json::from_str(&serde_json::to_string(&token).unwrap()).unwrap();
    assert_eq!(via_serde, token);
    assert!(serde_json::from_str::<VpToken>(r#"{"pid":["not an sd-jwt"]}"#).is_err());

    let cases: Vec<(&str, Result<(), Error>, &str)> = vec![
        (
            "bad id",
            VpToken::new().insert("p d", vec![p.clone()]),
            "openid4vp.invalid_id",
        ),
        (
            "twice",
            token.clone().insert("pid", vec![p.clone()]),
            "openid4vp.duplicate_credential_id",
        ),
        (
            "empty list",
            VpToken::new().insert("pid", vec![]),
            "openid4vp.empty_array",
        ),
        (
            "not an SD-JWT",
            VpToken::new().insert("pid", vec!["eyJhbGci...QMA".into()]),
            "openid4vp.malformed_presentation",
        ),
        (
            "no tilde",
            VpToken::new().insert("pid", vec!["a.b.c".into()]),
            "openid4vp.malformed_presentation",
        ),
        (
            "junk",
            VpToken::new().insert("pid", vec![format!("{p} ")]),
            "openid4vp.malformed_presentation",
        ),
        (
            "33 presentations",
            VpToken::new().insert("pid", vec![p.clone(); 33]),
            "openid4vp.too_many",
        ),
    ];
    for (what, result, code) in cases {
        assert_eq!(result.unwrap_err().code(), code, "{what}");
    }
    let parse_cases = [
        ("not JSON", "{".to_string(), "openid4vp.invalid_json"),
        ("an array", format!("[\"{p}\"]"), "openid4vp.wrong_type"),
        ("empty object", "{}".to_string(), "openid4vp.empty_array"),
        (
            "duplicate key",
            format!("{{\"pid\":[\"{p}\"],\"pid\":[\"{p}\"]}}"),
            "openid4vp.invalid_json",
        ),
        (
            "a string, not an array",
            format!("{{\"pid\":\"{p}\"}}"),
            "openid4vp.wrong_type",
        ),
        (
            "empty array",
            "{\"pid\":[]}".to_string(),
            "openid4vp.empty_array",
        ),
        (
            "an object presentation",
            "{\"pid\":[{}]}".to_string(),
            "openid4vp.wrong_type",
        ),
        (
            "bad key",
            format!("{{\"p.d\":[\"{p}\"]}}"),
            "openid4vp.invalid_id",
        ),
    ];
    for (what, text, code) in parse_cases {
        assert_eq!(VpToken::parse(&text).unwrap_err().code(), code, "{what}");
    }
}

#[test]
fn vp_token_shape_against_the_request() {
    let world = World::new(23);
    let p = presentation(&world, "n1");
    let request = AuthorizationRequest::for_counter(
        CLIENT,
        None,
        "n1",
        PID.vct,
        &paths(&["age_over_18"]),
        &[],
    )
    .unwrap();
    let mut ok = VpToken::new();
    ok.insert("pid", vec![p.clone()]).unwrap();
    ok.check_against(request.dcql_query()).unwrap();
    let mut other = VpToken::new();
    other.insert("medical", vec![p.clone()]).unwrap();
    assert!(matches!(
        other.check_against(request.dcql_query()),
        Err(Error::Response(ResponseError::UnexpectedCredentialQuery(_)))
    ));
    let mut two = VpToken::new();
    two.insert("pid", vec![p.clone(), p.clone()]).unwrap();
    assert!(matches!(
        two.check_against(request.dcql_query()),
        Err(Error::Response(ResponseError::TooManyPresentations {
            count: 2,
            ..
        }))
    ));
    let without_kb = p[..p.rfind('~').unwrap() + 1].to_string();
    let mut no_kb = VpToken::new();
    no_kb.insert("pid", vec![without_kb]).unwrap();
    assert!(matches!(
        no_kb.check_against(request.dcql_query()),
        Err(Error::Response(ResponseError::MalformedPresentation { .. }))
    ));
    assert!(AuthorizationResponse::for_request(&request, no_kb).is_err());
}

#[test]
fn direct_post_bodies() {
    let world = World::new(24);
    let p = presentation(&world, "n1");
    let request = AuthorizationRequest::for_counter(
        CLIENT,
        None,
        "n1",
        PID.vct,
        &paths(&["age_over_18"]),
        &[],
    )
    .unwrap()
    .with_state("s-1")
    .unwrap();
    let mut token = VpToken::new();
    token.insert("pid", vec![p]).unwrap();
    let response = AuthorizationResponse::for_request(&request, token).unwrap();
    let body = response.to_form();
    assert_eq!(
        parse_direct_post(&body).unwrap(),
        DirectPostBody::Response(response.clone())
    );
    // Other parameters are ignored; order does not matter.
    let reordered = format!("iss=x&state=s-1&{}", body.split("&state").next().unwrap());
    assert!(parse_direct_post(&reordered).is_ok());

    // State must be the request's.
    let no_state = AuthorizationResponse {
        state: None,
        ..response.clone()
    };
    assert!(matches!(
        no_state.check(&request),
        Err(Error::Response(ResponseError::StateMismatch))
    ));
    let other_state = AuthorizationResponse {
        state: Some("s-2".into()),
        ..response.clone()
    };
    assert!(matches!(
        other_state.check(&request),
        Err(Error::Response(ResponseError::StateMismatch))
    ));
    let stateless =
        AuthorizationRequest::for_counter(CLIENT, None, "n1", PID.vct, &[], &[]).unwrap();
    assert!(matches!(
        response.check(&stateless),
        Err(Error::Response(ResponseError::StateMismatch))
    ));

    // An error response.
    let DirectPostBody::Error(e) = parse_direct_post(
        "error=access_denied&error_description=the%20citizen%20declined&state=s-1",
    )
    .unwrap() else {
        panic!("an error response");
    };
    assert_eq!(e.error, "access_denied");
    assert_eq!(e.error_description.as_deref(), Some("the citizen declined"));
    assert_eq!(e.state.as_deref(), Some("s-1"));

    let cases = [
        ("nothing", String::new(), "openid4vp.missing_parameter"),
        (
            "both",
            format!("{body}&error=access_denied"),
            "openid4vp.unsupported_parameter",
        ),
        (
            "encrypted",
            "response=eyJhbGciOiJFQ0RILUVTIn0..x.y.z".to_string(),
            "openid4vp.unsupported_response_mode",
        ),
        (
            "vp_token twice",
            format!("{body}&vp_token=%7B%7D"),
            "openid4vp.duplicate_parameter",
        ),
        (
            "bad state",
            format!("{}&state=a%20b", body.split("&state").next().unwrap()),
            "openid4vp.invalid_token",
        ),
        (
            "raw JSON",
            "vp_token={\"pid\":[]}".to_string(),
            "openid4vp.percent_encoding",
        ),
        (
            "vp_token not JSON",
            "vp_token=%7B".to_string(),
            "openid4vp.invalid_json",
        ),
        (
            "error with a quote",
            "error=a%22b".to_string(),
            "openid4vp.wrong_type",
        ),
        (
            "too long",
            format!("vp_token={}", "a".repeat(1024 * 1024 + 1)),
            "openid4vp.too_long",
        ),
    ];
    for (what, body, code) in cases {
        assert_eq!(parse_direct_post(&body).unwrap_err().code(), code, "{what}");
    }
}

// ----- check_dcql_satisfied -----

fn claims(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn pid_view(extra: Value) -> Map<String, Value> {
    let mut m = claims(json!({"iss": "did:jwk:x", "vct": PID.vct}));
    m.extend(claims(extra));
    m
}

fn verified(
    entries: &[(&str, Vec<Map<String, Value>>)],
) -> HashMap<String, Vec<Map<String, Value>>> {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[test]
fn dcql_check_reports_what_is_unmet() {
    let request = AuthorizationRequest::for_counter(
        CLIENT,
        None,
        "n1",
        PID.vct,
        &paths(&["age_over_18"]),
        &paths(&["address.locality"]),
    )
    .unwrap();
    // Satisfied, with or without the optional claim.
    for extra in [
        json!({"age_over_18": true}),
        json!({"age_over_18": true, "address": {"locality": "Taipei"}}),
    ] {
        let check = check_dcql_satisfied(&request, &verified(&[("pid", vec![pid_view(extra)])]));
        assert!(check.is_satisfied());
        assert_eq!(check.answered, ["pid"]);
    }
    // The required claim is missing.
    let check = check_dcql_satisfied(
        &request,
        &verified(&[(
            "pid",
            vec![pid_view(json!({"address": {"locality": "Taipei"}}))],
        )]),
    );
    assert!(!check.is_satisfied());
    let Unmet::MissingClaims {
        query_id, missing, ..
    } = &check.unmet[0]
    else {
        panic!("{:?}", check.unmet);
    };
    assert_eq!(query_id, "pid");
    assert_eq!(
        missing.iter().map(|m| m.path.clone()).collect::<Vec<_>>(),
        [path("age_over_18")]
    );
    assert_eq!(check.unmet[0].code(), "dcql.missing_claims");
    assert_eq!(
        check.unmet[0].to_string(),
        "presentation 0 for 'pid' lacks age_over_18"
    );
    // Nothing presented.
    let check = check_dcql_satisfied(&request, &verified(&[]));
    assert_eq!(
        check.unmet,
        [Unmet::NoPresentation {
            query_id: "pid".into()
        }]
    );
    // Another type.
    let mut wrong = pid_view(json!({"age_over_18": true}));
    wrong.insert("vct".into(), json!(MEDICAL.vct));
    let check = check_dcql_satisfied(&request, &verified(&[("pid", vec![wrong])]));
    assert!(matches!(&check.unmet[0], Unmet::TypeNotAccepted { vct, .. } if vct == MEDICAL.vct));
    // Something not asked for, and too many.
    let ok = pid_view(json!({"age_over_18": true}));
    let check = check_dcql_satisfied(
        &request,
        &verified(&[("pid", vec![ok.clone()]), ("extra", vec![ok.clone()])]),
    );
    assert_eq!(
        check.unmet,
        [Unmet::UnexpectedQuery {
            query_id: "extra".into()
        }]
    );
    let check = check_dcql_satisfied(
        &request,
        &verified(&[("pid", vec![ok.clone(), ok.clone()])]),
    );
    assert!(matches!(
        check.unmet[0],
        Unmet::TooManyPresentations { count: 2, .. }
    ));
}

#[test]
fn dcql_check_values_and_credential_sets() {
    let pid = CredentialQuery {
        claims: Some(vec![
            civitas_exchange::openid4vp::ClaimsQuery::new(path("nationality"))
                .with_values(vec![json!("TW")]),
        ]),
        ..CredentialQuery::sd_jwt("pid", &[PID.vct])
    };
    let med = CredentialQuery::sd_jwt("medical", &[MEDICAL.vct])
        .with_claims(&paths(&["blood_type"]), &[])
        .unwrap();
    let rewards = CredentialQuery::sd_jwt("rewards", &["https://library.example/card"])
        .with_claims(&paths(&["number"]), &[])
        .unwrap();
    let query = DcqlQuery::new(
        vec![pid, med, rewards],
        Some(vec![
            CredentialSetQuery::new(&[&["pid"], &["medical"]], true),
            CredentialSetQuery::new(&[&["rewards"]], false),
        ]),
    )
    .unwrap();
    let request = AuthorizationRequest::new(CLIENT, None, "n1", query).unwrap();
    let med_view = claims(json!({"vct": MEDICAL.vct, "blood_type": "O+"}));
    let bad_rewards = claims(json!({"vct": "https://library.example/card"}));

    // The medical summary satisfies the required set; a broken optional presentation
    // is discarded, not fatal.
    let check = check_dcql_satisfied(
        &request,
        &verified(&[
            ("medical", vec![med_view.clone()]),
            ("rewards", vec![bad_rewards]),
        ]),
    );
    assert!(check.is_satisfied(), "{:?}", check.unmet);
    assert_eq!(check.answered, ["medical"]);
    assert!(
        matches!(&check.discarded[0], Unmet::MissingClaims { query_id, .. } if query_id == "rewards")
    );

    // A PID with another nationality: value mismatch, and the set fails.
    let check = check_dcql_satisfied(
        &request,
        &verified(&[("pid", vec![pid_view(json!({"nationality": "JP"}))])]),
    );
    assert!(!check.is_satisfied());
    let Unmet::MissingClaims { missing, .. } = &check.unmet[0] else {
        panic!()
    };
    assert_eq!(
        missing[0].reason,
        civitas_exchange::openid4vp::MissingReason::ValueMismatch
    );
    assert!(matches!(
        &check.unmet[1],
        Unmet::SetUnsatisfied { set: 0, .. }
    ));
    assert_eq!(check.unmet[1].code(), "dcql.set_unsatisfied");

    // With multiple, a failing presentation is discarded and a good one answers.
    let mut q = CredentialQuery::sd_jwt("medical", &[MEDICAL.vct])
        .with_claims(&paths(&["blood_type"]), &[])
        .unwrap();
    q.multiple = Some(true);
    let request =
        AuthorizationRequest::new(CLIENT, None, "n1", DcqlQuery::new(vec![q], None).unwrap())
            .unwrap();
    let check = check_dcql_satisfied(
        &request,
        &verified(&[(
            "medical",
            vec![claims(json!({"vct": MEDICAL.vct})), med_view],
        )]),
    );
    assert!(check.is_satisfied());
    assert_eq!(check.discarded.len(), 1);
}

// ----- receipts -----

fn receipt(world: &World) -> Receipt {
    Receipt::new(
        &world.counter_did(),
        CLIENT,
        "n-0S6_WzA2Mj",
        true,
        vec![PID.vct.to_string()],
        &paths(&["age_over_18", "address.locality"]),
        NOW,
        &world.rng,
    )
    .unwrap()
}

fn jws(header: &Value, payload: &Value, key: &dyn Signer) -> String {
    let input = format!(
        "{}.{}",
        b64::encode(header.to_string()),
        b64::encode(payload.to_string())
    );
    format!(
        "{input}.{}",
        b64::encode(key.sign(input.as_bytes()).unwrap())
    )
}

#[test]
fn receipts_verify_and_every_rejection_has_its_own_error() {
    let world = World::new(25);
    let r = receipt(&world);
    assert_eq!(r.disclosed, ["age_over_18", "address.locality"]);
    assert_eq!(b64::decode(&r.jti).unwrap().len(), 16);
    let kid = world.counter.public().did_jwk_url();
    let resolver = MethodResolver::local();
    let token = sign_receipt(&r, &kid, &world.counter).unwrap();
    let header: Value =
        serde_json::from_slice(&b64::decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(
        header,
        json!({"alg": "EdDSA", "typ": "civitas-receipt+jwt", "kid": kid})
    );
    assert_eq!(verify_receipt(&token, &resolver, NOW).unwrap(), r);
    assert_eq!(
        verify_receipt(&format!("{token}\n"), &resolver, NOW).unwrap(),
        r
    );

    let stranger = SigningKey::generate(Algorithm::Es256, &SeededRng::new(99)).unwrap();
    let payload: Value = serde_json::from_str(&payload_of(&token)).unwrap();
    let h = |extra: Value| {
        let mut h = json!({"alg": "EdDSA", "typ": "civitas-receipt+jwt", "kid": kid});
        h.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        h
    };
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut p = payload.clone();
        f(&mut p);
        jws(&h(json!({})), &p, &world.counter)
    };
    let tampered = {
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        let mut p = payload.clone();
        p["valid"] = json!(false);
        parts[1] = b64::encode(p.to_string());
        parts.join(".")
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("tampered", tampered, "openid4vp.bad_signature"),
        (
            "signed by a stranger under the counter's kid",
            jws(&h(json!({"alg": "ES256"})), &payload, &stranger),
            "openid4vp.bad_signature",
        ),
        (
            "kid of another DID",
            jws(
                &h(json!({"alg": "ES256", "kid": stranger.public().did_jwk_url()})),
                &payload,
                &stranger,
            ),
            "openid4vp.kid_mismatch",
        ),
        (
            "no kid",
            {
                let mut hh = h(json!({}));
                hh.as_object_mut().unwrap().remove("kid");
                jws(&hh, &payload, &world.counter)
            },
            "openid4vp.missing_kid",
        ),
        (
            "kid not a DID URL",
            jws(&h(json!({"kid": "counter-7"})), &payload, &world.counter),
            "openid4vp.key_resolution",
        ),
        (
            "unknown fragment",
            jws(
                &h(json!({"kid": format!("{}#9", world.counter_did())})),
                &payload,
                &world.counter,
            ),
            "openid4vp.key_resolution",
        ),
        (
            "wrong typ",
            jws(&h(json!({"typ": "JWT"})), &payload, &world.counter),
            "openid4vp.wrong_typ",
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64::encode(h(json!({"alg": "none"})).to_string()),
                b64::encode(payload.to_string())
            ),
            "openid4vp.algorithm_not_allowed",
        ),
        (
            "jku",
            jws(
                &h(json!({"jku": "https://evil.example/keys"})),
                &payload,
                &world.counter,
            ),
            "openid4vp.forbidden_header",
        ),
        (
            "unknown member",
            edit(&|p| p["claims"] = json!({"age_over_18": true})),
            "openid4vp.unknown_member",
        ),
        (
            "no jti",
            edit(&|p| {
                p.as_object_mut().unwrap().remove("jti");
            }),
            "openid4vp.missing_field",
        ),
        (
            "valid a string",
            edit(&|p| p["valid"] = json!("yes")),
            "openid4vp.wrong_type",
        ),
        (
            "iss not a DID",
            edit(&|p| p["iss"] = json!("counter-7")),
            "openid4vp.wrong_type",
        ),
        (
            "disclosed not a path",
            edit(&|p| p["disclosed"] = json!(["a..b"])),
            "openid4vp.wrong_type",
        ),
        (
            "client_id unsupported",
            edit(&|p| p["client_id"] = json!("counter-7")),
            "openid4vp.unsupported_client_id_prefix",
        ),
        (
            "from the future",
            edit(&|p| p["iat"] = json!(NOW + 3600)),
            "openid4vp.issued_in_future",
        ),
        (
            "three dots",
            format!("{token}.x"),
            "openid4vp.malformed_jws",
        ),
        (
            "too long",
            format!("{token}{}", "A".repeat(40_000)),
            "openid4vp.too_long",
        ),
    ];
    for (what, token, code) in cases {
        let e = verify_receipt(&token, &resolver, NOW).expect_err(what);
        assert_eq!(e.code(), code, "{what}: {e}");
    }
    // Signing refuses a kid of another DID.
    let e = sign_receipt(&r, &stranger.public().did_jwk_url(), &stranger).unwrap_err();
    assert!(matches!(
        e,
        Error::SignedObject(SignedObjectError::KidMismatch { .. })
    ));
    // An invalid verdict can be receipted too, with no type.
    let refused = Receipt::new(
        &world.counter_did(),
        CLIENT,
        "n1",
        false,
        vec![],
        &[],
        NOW,
        &world.rng,
    )
    .unwrap();
    let t = sign_receipt(&refused, &kid, &world.counter).unwrap();
    assert!(!verify_receipt(&t, &resolver, NOW).unwrap().valid);
}
