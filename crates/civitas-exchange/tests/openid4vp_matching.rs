//! The wallet's side of DCQL with real credentials: which credential answers, what is
//! disclosed (and nothing more), what is missing, optional claims left out,
//! alternatives through `claim_sets` and `credential_sets`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wallet;

use civitas_credential::types::{MEDICAL, PID};
use civitas_credential::{ClaimPath, Credential};
use civitas_exchange::openid4vp::MatchingError;
use civitas_exchange::openid4vp::{
    AuthorizationRequest, ClaimsQuery, CredentialQuery, CredentialSetQuery, DcqlQuery, Error,
    MissingReason, Unusable, match_query, match_request,
};
use serde_json::{Value, json};
use wallet::{NOW, World, disclosed_paths, path, paths};

const CLIENT: &str = "redirect_uri:https://counter-7.city-hall.example/post";
const NONCE: &str = "n-0S6_WzA2Mj";

fn request(vct: &str, required: &[&str], optional: &[&str]) -> AuthorizationRequest {
    AuthorizationRequest::for_counter(CLIENT, None, NONCE, vct, &paths(required), &paths(optional))
        .unwrap()
}

#[test]
fn over_18_with_optional_city_the_holder_leaves_out() {
    let world = World::new(1);
    let credentials = vec![world.medical(), world.pid()];
    let req = request(PID.vct, &["age_over_18"], &["address.locality"]);
    let report = match_request(&req, &credentials);
    assert!(report.satisfiable);
    assert_eq!(report.to_present(), ["pid"]);
    let best = report.best("pid").unwrap();
    assert_eq!(best.credential, 1, "the PID, not the medical summary");
    assert_eq!(best.claim_set, Some(0));
    assert_eq!(
        best.required
            .iter()
            .map(|c| c.path.clone())
            .collect::<Vec<_>>(),
        paths(&["age_over_18"])
    );
    assert_eq!(
        best.optional
            .iter()
            .map(|c| c.path.clone())
            .collect::<Vec<_>>(),
        paths(&["address.locality"])
    );
    // Disclosing address.locality reveals the address container, not its other members.
    let mut disclosures = best.disclosures.clone();
    disclosures.sort();
    assert_eq!(
        disclosures,
        paths(&["address", "address.locality", "age_over_18"])
    );
    assert!(best.also_revealed.is_empty(), "{:?}", best.also_revealed);
    assert!(best.missing.is_empty());

    // Everything asked for…
    assert_eq!(
        report.selection("pid", &[]).unwrap(),
        paths(&["age_over_18", "address.locality"])
    );
    // …or the city left out.
    let selection = report
        .selection("pid", &paths(&["address.locality"]))
        .unwrap();
    assert_eq!(selection, paths(&["age_over_18"]));
    let presentation = report
        .present(
            &req,
            &credentials,
            "pid",
            &paths(&["address.locality"]),
            &world.citizen,
            NOW,
        )
        .unwrap();
    assert_eq!(
        disclosed_paths(&credentials[1], &presentation),
        paths(&["age_over_18"])
    );
    let verified = world.verify(&presentation, NONCE, CLIENT);
    assert_eq!(verified.claims["age_over_18"], true);
    assert!(verified.claims.get("address").is_none());
    assert!(verified.claims.get("given_name").is_none());
    assert_eq!(
        verified.key_binding.unwrap().aud,
        CLIENT,
        "aud is the full client_id"
    );

    // Required claims cannot be dropped, nor claims never asked for.
    for bad in ["age_over_18", "given_name"] {
        let e = report.selection("pid", &paths(&[bad])).unwrap_err();
        assert!(
            matches!(e, Error::Matching(MatchingError::NotOptional { .. })),
            "{bad}: {e}"
        );
    }
    assert!(matches!(
        report.selection("medical", &[]),
        Err(Error::Matching(MatchingError::UnknownQuery(_)))
    ));
}

#[test]
fn every_subset_of_optional_claims_can_be_left_out() {
    let world = World::new(2);
    let credentials = vec![world.pid()];
    let optional = ["given_name", "family_name", "address.postal_code"];
    let req = request(PID.vct, &["age_over_65"], &optional);
    let report = match_request(&req, &credentials);
    for mask in 0..8u8 {
        let drop: Vec<ClaimPath> = (0..3)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| path(optional[i]))
            .collect();
        let selection = report.selection("pid", &drop).unwrap();
        let mut expected = paths(&["age_over_65"]);
        expected.extend(
            optional
                .iter()
                .map(|o| path(o))
                .filter(|p| !drop.contains(p)),
        );
        assert_eq!(selection, expected, "drop {drop:?}");
        let p = report
            .present(&req, &credentials, "pid", &drop, &world.citizen, NOW)
            .unwrap();
        let verified = world.verify(&p, NONCE, CLIENT);
        for d in &drop {
            assert!(
                !d.exists_in(&Value::Object(verified.claims.clone())),
                "{d} left out"
            );
        }
    }
}

#[test]
fn missing_claims_are_reported() {
    let world = World::new(3);
    let mut claims = wallet::pid_claims();
    claims.as_object_mut().unwrap().remove("nationality");
    claims.as_object_mut().unwrap().remove("age_over_65");
    let credentials = vec![world.pid_with(claims, true)];
    let req = request(PID.vct, &["age_over_18", "nationality", "age_over_65"], &[]);
    let report = match_request(&req, &credentials);
    assert!(!report.satisfiable);
    assert!(report.to_present().is_empty());
    let q = report.query("pid").unwrap();
    assert_eq!(q.best, None);
    let c = &q.candidates[0];
    assert!(!c.satisfies());
    let missing: Vec<(ClaimPath, MissingReason)> = c
        .missing
        .iter()
        .map(|m| (m.path.clone(), m.reason))
        .collect();
    assert_eq!(
        missing,
        vec![
            (path("nationality"), MissingReason::Absent),
            (path("age_over_65"), MissingReason::Absent)
        ]
    );
    assert!(matches!(
        report.selection("pid", &[]),
        Err(Error::Matching(MatchingError::NotSatisfiable(_)))
    ));

    // No credential of the type at all: no candidate.
    let report = match_request(&request(MEDICAL.vct, &["blood_type"], &[]), &credentials);
    assert!(report.query("medical").unwrap().candidates.is_empty());
    assert!(!report.satisfiable);
}

#[test]
fn values_constraints_select_and_report_mismatches() {
    let world = World::new(4);
    let credentials = vec![world.pid()];
    let query = |values: Value| {
        let q = CredentialQuery {
            claims: Some(vec![
                ClaimsQuery::new(path("nationality"))
                    .with_values(values.as_array().unwrap().clone()),
                ClaimsQuery::new(path("age_over_18")).with_values(vec![json!(true)]),
            ]),
            ..CredentialQuery::sd_jwt("pid", &[PID.vct])
        };
        DcqlQuery::new(vec![q], None).unwrap()
    };
    let report = match_query(&query(json!(["JP", "TW"])), &credentials);
    assert!(report.satisfiable);
    let report = match_query(&query(json!(["JP"])), &credentials);
    let c = &report.query("pid").unwrap().candidates[0];
    assert_eq!(c.missing[0].path, path("nationality"));
    assert_eq!(c.missing[0].reason, MissingReason::ValueMismatch);
    // Type matters: the string "true" is not the boolean true.
    let q = CredentialQuery {
        claims: Some(vec![
            ClaimsQuery::new(path("age_over_18")).with_values(vec![json!("true")]),
        ]),
        ..CredentialQuery::sd_jwt("pid", &[PID.vct])
    };
    let report = match_query(&DcqlQuery::new(vec![q], None).unwrap(), &credentials);
    assert!(!report.satisfiable);
}

#[test]
fn values_on_array_elements_disclose_only_the_matching_ones() {
    let world = World::new(5);
    let medical = world.medical();
    let q = CredentialQuery {
        claims: Some(vec![
            ClaimsQuery::new(path("allergies[]")).with_values(vec![json!("latex")]),
        ]),
        ..CredentialQuery::sd_jwt("medical", &[MEDICAL.vct])
    };
    let query = DcqlQuery::new(vec![q], None).unwrap();
    let report = match_query(&query, std::slice::from_ref(&medical));
    let best = report.best("medical").unwrap();
    assert_eq!(best.required[0].selected, paths(&["allergies[1]"]));
    let mut disclosures = best.disclosures.clone();
    disclosures.sort();
    assert_eq!(
        disclosures,
        paths(&["allergies", "allergies[1]"]),
        "not penicillin"
    );
}

#[test]
fn members_that_are_not_separately_disclosable_are_shown() {
    let world = World::new(6);
    let credentials = vec![world.medical()];
    let req = request(MEDICAL.vct, &["vaccinations[].vaccine"], &[]);
    let report = match_request(&req, &credentials);
    let best = report.best("medical").unwrap();
    // Each vaccination is one disclosure: its date and dose come with the vaccine.
    assert_eq!(
        best.also_revealed,
        paths(&[
            "vaccinations[0].date",
            "vaccinations[0].dose",
            "vaccinations[1].date",
            "vaccinations[1].dose"
        ])
    );
    assert!(!best.disclosures.contains(&path("allergies")));
}

#[test]
fn spec_claims_alternatives_pick_the_first_satisfiable_set() {
    // OpenID4VP 1.0 Appendix D, claims_alternatives.json, against a credential with a
    // postal code but no locality or region.
    let world = World::new(7);
    let vct = "https://credentials.example.com/identity_credential";
    let credential = world.issue_with(
        &world.city_hall,
        vct,
        &json!({"last_name": "Dent", "postal_code": "12345", "date_of_birth": "1942-03-08", "given_name": "Arthur"}),
        Vec::new(),
        true,
    );
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/openid4vp/dcql/claims_alternatives.json"
    ))
    .unwrap();
    let query = DcqlQuery::parse(&text).unwrap();
    let report = match_query(&query, std::slice::from_ref(&credential));
    let best = report.best("pid").unwrap();
    assert_eq!(best.claim_set, Some(1), "a, b, e: the second option");
    assert_eq!(
        report.selection("pid", &[]).unwrap(),
        paths(&["last_name", "postal_code", "date_of_birth"])
    );
    assert!(best.optional.is_empty(), "only one option is satisfiable");
    assert!(!best.disclosures.contains(&path("given_name")));
}

#[test]
fn spec_credentials_alternatives_with_an_optional_set() {
    // Appendix D credentials_alternatives.json: the wallet holds only the two reduced
    // credentials; nice_to_have is optional and absent.
    let world = World::new(8);
    let reduced_1 = world.issue_with(
        &world.city_hall,
        "https://credentials.example.com/reduced_identity_credential",
        &json!({"family_name": "Dent", "given_name": "Arthur"}),
        Vec::new(),
        true,
    );
    let reduced_2 = world.issue_with(
        &world.city_hall,
        "https://cred.example/residence_credential",
        &json!({"postal_code": "12345", "locality": "Cottington", "region": "West Country"}),
        Vec::new(),
        true,
    );
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/openid4vp/dcql/credentials_alternatives.json"
    ))
    .unwrap();
    let query = DcqlQuery::parse(&text).unwrap();
    let report = match_query(&query, &[reduced_1, reduced_2]);
    assert!(report.satisfiable);
    assert_eq!(report.sets[0].chosen, Some(2));
    assert_eq!(report.sets[1].chosen, None);
    assert_eq!(
        report.to_present(),
        ["pid_reduced_cred_1", "pid_reduced_cred_2"]
    );
}

#[test]
fn alternatives_of_types_through_credential_sets() {
    // "A PID showing age over 65, or a medical summary showing organ donor status":
    // the wallet answers with what it has.
    let world = World::new(9);
    let pid = CredentialQuery::sd_jwt("pid", &[PID.vct])
        .with_claims(&paths(&["age_over_65"]), &[])
        .unwrap();
    let med = CredentialQuery::sd_jwt("medical", &[MEDICAL.vct])
        .with_claims(&paths(&["organ_donor"]), &[])
        .unwrap();
    let query = DcqlQuery::new(
        vec![pid, med],
        Some(vec![CredentialSetQuery::new(
            &[&["pid"], &["medical"]],
            true,
        )]),
    )
    .unwrap();
    let req = AuthorizationRequest::new(CLIENT, None, NONCE, query).unwrap();
    let only_medical = vec![world.medical()];
    let report = match_request(&req, &only_medical);
    assert!(report.satisfiable);
    assert_eq!(report.sets[0].chosen, Some(1));
    assert_eq!(report.to_present(), ["medical"]);
    let both = vec![world.medical(), world.pid()];
    let report = match_request(&req, &both);
    assert_eq!(report.to_present(), ["pid"], "the first option wins");
    let nothing = match_request(&req, &[]);
    assert!(!nothing.satisfiable);
}

#[test]
fn several_vct_values_in_one_query() {
    let world = World::new(10);
    let credentials = vec![world.medical()];
    let q = CredentialQuery::sd_jwt("any", &[PID.vct, MEDICAL.vct]);
    let report = match_query(&DcqlQuery::new(vec![q], None).unwrap(), &credentials);
    let best = report.best("any").unwrap();
    assert_eq!(best.vct, MEDICAL.vct);
    // No claims asked: nothing selectively disclosable is disclosed.
    assert!(best.disclosures.is_empty());
    assert!(report.selection("any", &[]).unwrap().is_empty());
}

#[test]
fn holder_binding_is_required_unless_the_query_waives_it() {
    let world = World::new(11);
    let unbound = world.pid_with(wallet::pid_claims(), false);
    let credentials = vec![unbound];
    let report = match_request(&request(PID.vct, &["age_over_18"], &[]), &credentials);
    let c = &report.query("pid").unwrap().candidates[0];
    assert_eq!(c.unusable, Some(Unusable::NoHolderBinding));
    assert!(!report.satisfiable);
    let mut q = CredentialQuery::sd_jwt("pid", &[PID.vct])
        .with_claims(&paths(&["age_over_18"]), &[])
        .unwrap();
    q.require_cryptographic_holder_binding = Some(false);
    let report = match_query(&DcqlQuery::new(vec![q], None).unwrap(), &credentials);
    assert!(report.satisfiable);
}

#[test]
fn the_most_preferred_option_decides_between_credentials() {
    let world = World::new(12);
    let mut no_city = wallet::pid_claims();
    no_city["address"]
        .as_object_mut()
        .unwrap()
        .remove("locality");
    let credentials = vec![world.pid_with(no_city, true), world.pid()];
    let report = match_request(
        &request(PID.vct, &["age_over_18"], &["address.locality"]),
        &credentials,
    );
    let q = report.query("pid").unwrap();
    assert_eq!(q.candidates.len(), 2);
    assert_eq!(
        q.candidates[0].claim_set,
        Some(1),
        "only the required claim"
    );
    assert_eq!(q.candidates[1].claim_set, Some(0));
    assert_eq!(q.best, Some(1), "the one that can give everything asked");
    // The first candidate's only option has no optional claim.
    assert!(q.candidates[0].optional.is_empty());
}

/// The guarantee: whatever a counter asks, the presentation carries no disclosure
/// that the request did not ask for — only disclosures of the claims selected,
/// of what is inside them, and of the containers they sit in — and every selected
/// claim reaches the counter.
#[test]
fn nothing_is_disclosed_that_the_request_did_not_ask_for() {
    let world = World::new(13);
    let pid = world.pid();
    let medical = world.medical();
    let pid_paths = [
        "given_name",
        "family_name",
        "birthdate",
        "age_over_18",
        "age_over_65",
        "nationality",
        "address",
        "address.street_address",
        "address.locality",
        "address.postal_code",
        "personal_number",
        "iss",
        "vct",
    ];
    let medical_paths = [
        "blood_type",
        "allergies",
        "allergies[]",
        "allergies[0]",
        "allergies[1]",
        "vaccinations",
        "vaccinations[]",
        "vaccinations[].vaccine",
        "vaccinations[1].date",
        "organ_donor",
        "chronic_conditions[]",
    ];
    let mut checked = 0;
    for (credential, vct, all) in [
        (&pid, PID.vct, &pid_paths[..]),
        (&medical, MEDICAL.vct, &medical_paths[..]),
    ] {
        let n = all.len();
        // Every request of one or two claims, and of one required and two optional.
        let mut requests: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
        for i in 0..n {
            requests.push((vec![all[i]], vec![]));
            for j in i + 1..n {
                requests.push((vec![all[i], all[j]], vec![]));
                if j + 1 < n {
                    requests.push((vec![all[i]], vec![all[j], all[(j + 1) % n]]));
                }
            }
        }
        for (required, optional) in requests {
            let Ok(req) = AuthorizationRequest::for_counter(
                CLIENT,
                None,
                NONCE,
                vct,
                &paths(&required),
                &paths(&optional),
            ) else {
                continue; // overlapping paths ("allergies" and "allergies[]")? still valid; "vct" twice is not
            };
            let report = match_request(&req, std::slice::from_ref(credential));
            let query_id = &req.dcql_query().credentials[0].id;
            let Some(best) = report.best(query_id) else {
                continue;
            };
            let mut drops: Vec<Vec<ClaimPath>> = vec![vec![]];
            drops.extend(best.optional.iter().map(|o| vec![o.path.clone()]));
            for drop in drops {
                let selection = report.selection(query_id, &drop).unwrap();
                let asked: Vec<ClaimPath> = required
                    .iter()
                    .chain(&optional)
                    .map(|p| path(p))
                    .filter(|p| !drop.contains(p))
                    .collect();
                // The selection names only concrete claims of requested paths.
                for s in &selection {
                    assert!(
                        asked.iter().any(|a| a.covers(s) && a.0.len() == s.0.len()),
                        "{s} not asked"
                    );
                }
                let p = credential
                    .present(&selection, &world.citizen, NONCE, CLIENT, NOW)
                    .unwrap();
                for d in disclosed_paths(credential, &p) {
                    let allowed = selection
                        .iter()
                        .any(|s| s.covers(&d) || ClaimPath::is_needed_by(&d, s));
                    // In particular nothing of a claim left out, unless another
                    // selected claim sits inside it (then its container is needed).
                    assert!(
                        allowed,
                        "{d} disclosed for {required:?} + {optional:?} - {drop:?}"
                    );
                }
                // And everything selected is there: every disclosure of a selected
                // claim, of what is inside it, and of its containers.
                let sent = disclosed_paths(credential, &p);
                for s in &selection {
                    for d in credential.disclosable().into_iter().map(|d| d.path) {
                        if s.covers(&d) || ClaimPath::is_needed_by(&d, s) {
                            assert!(sent.contains(&d), "{d} needed for {s}");
                        }
                    }
                }
                world.verify(&p, NONCE, CLIENT);
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked} presentations checked");
}

#[test]
fn multiple_lets_every_matching_credential_answer() {
    let world = World::new(14);
    let credentials: Vec<Credential> = vec![world.pid(), world.medical(), world.pid()];
    let mut q = CredentialQuery::sd_jwt("pid", &[PID.vct])
        .with_claims(&paths(&["family_name"]), &[])
        .unwrap();
    q.multiple = Some(true);
    let report = match_query(&DcqlQuery::new(vec![q], None).unwrap(), &credentials);
    let q = report.query("pid").unwrap();
    let satisfying: Vec<usize> = q
        .candidates
        .iter()
        .filter(|c| c.satisfies())
        .map(|c| c.credential)
        .collect();
    assert_eq!(satisfying, [0, 2]);
    let second = &q.candidates[1];
    assert_eq!(second.selection(&[]).unwrap(), paths(&["family_name"]));
}
