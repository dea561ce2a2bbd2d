//! Unit tests of DCQL: claims path processing, identifiers, claim sets.

use super::*;

fn p(text: &str) -> ClaimPath {
    ClaimPath::parse(text).unwrap()
}

#[test]
fn claims_path_processing_follows_section_7() {
    // The example credential of §7.3.
    let cred = json!({
        "name": "Arthur Dent",
        "address": {"street_address": "42 Market Street", "locality": "Milliways", "postal_code": "12345"},
        "degrees": [
            {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
            {"type": "Master of Science", "university": "University of Betelgeuse"}
        ],
        "nationalities": ["British", "Betelgeusian"]
    });
    assert_eq!(select_claims(&cred, &p("name"))[0].1, "Arthur Dent");
    assert_eq!(
        select_claims(&cred, &p("address.street_address"))[0].1,
        "42 Market Street"
    );
    let types = select_claims(&cred, &p("degrees[].type"));
    assert_eq!(types.len(), 2);
    assert_eq!(types[1].0, p("degrees[1].type"));
    assert_eq!(
        select_claims(&cred, &p("nationalities[1]"))[0].1,
        "Betelgeusian"
    );
    // Errors: a key on an array, an index on an object, nothing selected.
    assert!(select_claims(&cred, &p("degrees.type")).is_empty());
    assert!(select_claims(&cred, &p("address[0]")).is_empty());
    assert!(select_claims(&cred, &p("nationalities[2]")).is_empty());
    assert!(select_claims(&cred, &p("missing")).is_empty());
}

#[test]
fn ids_are_checked() {
    assert!(is_valid_id("my_credential-1"));
    for bad in ["", "a b", "é", "a.b", "a/b", &"x".repeat(65)] {
        assert!(!is_valid_id(bad), "{bad}");
    }
}

#[test]
fn claim_sets_list_every_subset_of_optional_claims() {
    let p = |t: &str| ClaimPath::parse(t).unwrap();
    let q = CredentialQuery::sd_jwt("pid", &["v"])
        .with_claims(&[p("age_over_18")], &[p("given_name"), p("family_name")])
        .unwrap();
    assert_eq!(
        q.claim_sets.unwrap(),
        vec![
            vec!["0", "1", "2"],
            vec!["0", "1"],
            vec!["0", "2"],
            vec!["0"]
        ]
    );
    // Only optional claims: the empty set is left out (an option is non-empty).
    let q = CredentialQuery::sd_jwt("pid", &["v"])
        .with_claims(&[], &[p("a"), p("b")])
        .unwrap();
    assert_eq!(
        q.claim_sets.unwrap(),
        vec![vec!["0", "1"], vec!["0"], vec!["1"]]
    );
}
