//! Sample claims for demonstrations and tests: the one sample citizen whom the CLI's
//! `civitas demo`, the app's demo issuer and the test kit all issue a personal ID to.

use serde_json::{Map, Value, json};

/// The sample citizen's personal ID claims (type [`crate::types::PID`]).
pub fn pid_claims() -> Map<String, Value> {
    match json!({
        "given_name": "Mei-Ling", "family_name": "Chen", "birthdate": "1958-03-14",
        "age_over_18": true, "age_over_65": true, "nationality": "TW",
        "address": {"street_address": "1 Shifu Road", "locality": "Taipei", "postal_code": "110"},
        "personal_number": "A123456789"
    }) {
        Value::Object(claims) => claims,
        _ => Map::new(),
    }
}
