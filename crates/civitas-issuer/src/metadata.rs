//! The three credential configurations and the metadata documents built from
//! civitas-credential's type metadata (display in en-US and zh-TW).

use civitas_credential::types::{ALL_TYPES, LOCALES};
use civitas_credential::{ClaimPath, CredentialType};
use civitas_crypto::Algorithm;
use civitas_exchange::openid4vci::{
    AuthorizationServerMetadata, ClaimDescription, CredentialConfiguration,
    CredentialIssuerMetadata, CredentialMetadata, Display, FORMAT_SD_JWT_VC, PRE_AUTHORIZED_GRANT,
    ProofType,
};
use std::collections::BTreeMap;

/// Configuration ids, by credential type short name.
pub const CONFIGURATIONS: [(&str, &str); 3] = [
    ("pid", "pid"),
    ("medical", "medical_summary"),
    ("service-record", "service_record"),
];

/// Binding methods offered (`cryptographic_binding_methods_supported`).
pub const BINDING_METHODS: [&str; 3] = ["jwk", "did:webvh", "did:jwk"];

/// Proof algorithms accepted.
pub const PROOF_ALGORITHMS: [Algorithm; 2] = [Algorithm::Es256, Algorithm::EdDsa];

/// The configuration id of a credential type (`pid` → `pid`, `medical` →
/// `medical_summary`); also takes the id itself or the vct.
pub fn configuration_id(type_name: &str) -> Option<&'static str> {
    if let Some((_, id)) = CONFIGURATIONS.iter().find(|(_, id)| *id == type_name) {
        return Some(id);
    }
    let t = CredentialType::lookup(type_name)?;
    CONFIGURATIONS
        .iter()
        .find(|(short, _)| *short == t.short)
        .map(|(_, id)| *id)
}

/// The credential type of a configuration id.
pub fn credential_type(configuration_id: &str) -> Option<&'static CredentialType> {
    let (short, _) = CONFIGURATIONS
        .iter()
        .find(|(_, id)| *id == configuration_id)?;
    CredentialType::lookup(short)
}

/// The issuer's display names.
fn issuer_display(names: &[(String, String)]) -> Vec<Display> {
    names
        .iter()
        .map(|(locale, name)| Display {
            name: Some(name.clone()),
            locale: Some(locale.clone()),
            ..Display::default()
        })
        .collect()
}

fn configuration(t: &CredentialType, id: &str, signing: Algorithm) -> CredentialConfiguration {
    let display = LOCALES
        .iter()
        .enumerate()
        .map(|(i, l)| Display {
            name: Some(t.names[i].to_string()),
            locale: Some((*l).to_string()),
            description: Some(t.descriptions[i].to_string()),
            ..Display::default()
        })
        .collect();
    let claims = t
        .claims
        .iter()
        .filter_map(|spec| {
            let path = ClaimPath::parse(spec.path).ok()?;
            let serde_json::Value::Array(path) = path.to_dcql() else {
                return None;
            };
            Some(ClaimDescription {
                path,
                mandatory: Some(spec.mandatory),
                display: LOCALES
                    .iter()
                    .enumerate()
                    .map(|(i, l)| Display {
                        name: Some(spec.labels[i].to_string()),
                        locale: Some((*l).to_string()),
                        ..Display::default()
                    })
                    .collect(),
            })
        })
        .collect();
    CredentialConfiguration {
        format: FORMAT_SD_JWT_VC.into(),
        scope: Some(id.to_string()),
        vct: Some(t.vct.to_string()),
        credential_signing_alg_values_supported: vec![signing.jose_name().into()],
        cryptographic_binding_methods_supported: BINDING_METHODS
            .iter()
            .map(|m| (*m).to_string())
            .collect(),
        proof_types_supported: BTreeMap::from([(
            "jwt".to_string(),
            ProofType {
                proof_signing_alg_values_supported: PROOF_ALGORITHMS
                    .iter()
                    .map(|a| a.jose_name().to_string())
                    .collect(),
                key_attestations_required: None,
            },
        )]),
        credential_metadata: Some(CredentialMetadata { display, claims }),
        civitas_copies: None,
    }
}

/// The Credential Issuer Metadata for the issuer at `public_url`.
pub fn issuer_metadata(
    public_url: &str,
    names: &[(String, String)],
    signing: Algorithm,
) -> CredentialIssuerMetadata {
    let base = public_url.trim_end_matches('/');
    let mut configs = BTreeMap::new();
    for t in ALL_TYPES {
        if let Some(id) = configuration_id(t.short) {
            configs.insert(id.to_string(), configuration(t, id, signing));
        }
    }
    CredentialIssuerMetadata {
        credential_issuer: public_url.to_string(),
        authorization_servers: None,
        credential_endpoint: format!("{base}/credential"),
        nonce_endpoint: Some(format!("{base}/nonce")),
        deferred_credential_endpoint: Some(format!("{base}/deferred_credential")),
        notification_endpoint: Some(format!("{base}/notification")),
        batch_credential_issuance: None,
        display: issuer_display(names),
        credential_configurations_supported: configs,
    }
}

/// The Authorization Server Metadata (the issuer is its own Authorization Server).
pub fn authorization_server_metadata(public_url: &str) -> AuthorizationServerMetadata {
    let base = public_url.trim_end_matches('/');
    AuthorizationServerMetadata {
        issuer: public_url.to_string(),
        token_endpoint: format!("{base}/token"),
        authorization_endpoint: None,
        pushed_authorization_request_endpoint: None,
        grant_types_supported: vec![PRE_AUTHORIZED_GRANT.to_string()],
        code_challenge_methods_supported: Vec::new(),
        token_endpoint_auth_methods_supported: vec!["none".to_string()],
        pre_authorized_grant_anonymous_access_supported: Some(true),
    }
}

/// The Authorization Server Metadata members of the Authorization Code Flow (added
/// when the issuer has a login): the authorization and PAR endpoints (RFC 9126: PAR
/// required), PKCE `S256` only, `code` responses with `iss` (RFC 9207), the grant.
pub fn authorization_code_metadata(public_url: &str) -> serde_json::Map<String, serde_json::Value> {
    let base = public_url.trim_end_matches('/');
    match serde_json::json!({
        "authorization_endpoint": format!("{base}/authorize"),
        "pushed_authorization_request_endpoint": format!("{base}/par"),
        "require_pushed_authorization_requests": true,
        "code_challenge_methods_supported": ["S256"],
        "response_types_supported": ["code"],
        "authorization_response_iss_parameter_supported": true,
        "grant_types_supported": [civitas_exchange::openid4vci::AUTHORIZATION_CODE_GRANT],
        "scopes_supported": ["pid"],
        "authorization_details_types_supported": ["openid_credential"],
    }) {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_configurations_with_both_languages() {
        let names = vec![("en-US".to_string(), "City Hall".to_string())];
        let m = issuer_metadata("http://127.0.0.1:8090", &names, Algorithm::Es256);
        assert_eq!(m.credential_configurations_supported.len(), 3);
        let pid = &m.credential_configurations_supported["pid"];
        assert_eq!(pid.vct.as_deref(), Some(civitas_credential::types::PID.vct));
        let cm = pid.credential_metadata.as_ref().unwrap();
        let locales: Vec<_> = cm.display.iter().filter_map(|d| d.locale.clone()).collect();
        assert_eq!(locales, ["en-US", "zh-TW"]);
        assert_eq!(configuration_id("medical"), Some("medical_summary"));
        assert_eq!(configuration_id("service_record"), Some("service_record"));
        assert_eq!(
            credential_type("medical_summary").map(|t| t.short),
            Some("medical")
        );
        assert_eq!(configuration_id("nope"), None);
        // Round trip through the wallet's parser.
        let body = serde_json::to_vec(&m).unwrap();
        CredentialIssuerMetadata::from_json(&body, "http://127.0.0.1:8090").unwrap();
    }
}
