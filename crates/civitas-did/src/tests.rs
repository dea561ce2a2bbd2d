use super::*;
use civitas_crypto::{Algorithm, SeededRng, SigningKey};

#[test]
fn did_jwk_resolves_to_the_key_for_both_purposes() {
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg, &SeededRng::new(11)).unwrap();
        let url = key.public().did_jwk_url();
        for purpose in [Purpose::AssertionMethod, Purpose::Authentication] {
            let found = JwkResolver.resolve_key(&url, purpose, None).unwrap();
            assert_eq!(&found, key.public());
        }
    }
}

#[test]
fn did_key_resolves_to_the_key() {
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg, &SeededRng::new(12)).unwrap();
        let did = key.public().did_key();
        let resolution = KeyResolver
            .resolve(&did, &ResolveOptions::default())
            .unwrap();
        assert_eq!(resolution.document.id, did);
        let found = KeyResolver
            .resolve_key(&did, Purpose::AssertionMethod, None)
            .unwrap();
        assert_eq!(&found, key.public());
        let vm = &resolution.document.verification_methods[0];
        let by_url = KeyResolver
            .resolve_key(&vm.id, Purpose::Authentication, None)
            .unwrap();
        assert_eq!(&by_url, key.public());
    }
}

#[test]
fn router_rejects_unknown_methods_and_garbage() {
    let r = MethodResolver::local();
    assert!(matches!(
        r.resolve("did:web:example.com", &ResolveOptions::default()),
        Err(Error::UnsupportedMethod(m)) if m == "web"
    ));
    for bad in [
        "",
        "did:",
        "did:jwk",
        "did:JWK:abc",
        "nonsense",
        "did:jwk:a b",
    ] {
        assert!(
            matches!(
                r.resolve(bad, &ResolveOptions::default()),
                Err(Error::InvalidDid(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        r.resolve("did:jwk:bm90IGEgandr", &ResolveOptions::default()),
        Err(Error::InvalidDid(_))
    ));
}

#[test]
fn unknown_fragment_is_key_not_found() {
    let key = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(13)).unwrap();
    let url = format!("{}#1", key.public().did_jwk());
    assert!(matches!(
        MethodResolver::local().resolve_key(&url, Purpose::AssertionMethod, None),
        Err(Error::KeyNotFound(_))
    ));
}

#[test]
fn key_outside_the_relationship_is_not_authorized() {
    let key = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(14)).unwrap();
    let did = "did:example:123";
    let doc = DidDocument::from_json(serde_json::json!({
        "id": did,
        "verificationMethod": [{
            "id": "#k1", "type": "JsonWebKey2020", "controller": did,
            "publicKeyJwk": key.public().to_jwk_value()
        }],
        "authentication": ["#k1"]
    }))
    .unwrap();
    assert!(
        doc.key_for("did:example:123#k1", Purpose::Authentication)
            .is_ok()
    );
    assert!(matches!(
        doc.key_for("did:example:123#k1", Purpose::AssertionMethod),
        Err(Error::NotAuthorized {
            purpose: "assertionMethod",
            ..
        })
    ));
}

#[test]
fn caching_resolver_returns_the_same_answers() {
    let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(15)).unwrap();
    let url = key.public().did_jwk_url();
    let cached = CachingResolver::new(MethodResolver::local(), 2);
    for _ in 0..3 {
        assert_eq!(
            &cached
                .resolve_key(&url, Purpose::AssertionMethod, None)
                .unwrap(),
            key.public()
        );
    }
    assert!(
        cached
            .resolve_key("did:jwk:xx#0", Purpose::AssertionMethod, None)
            .is_err()
    );
}

#[test]
fn keys_of_other_types_are_skipped_not_errors() {
    let key = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(16)).unwrap();
    let did = "did:example:456";
    let doc = DidDocument::from_json(serde_json::json!({
        "id": did,
        "verificationMethod": [
            {"id": "#k1", "type": "JsonWebKey2020", "controller": did,
             "publicKeyJwk": key.public().to_jwk_value()},
            {"id": "#x", "type": "JsonWebKey2020", "controller": did,
             "publicKeyJwk": {"kty": "OKP", "crv": "X25519", "x": "AAAA"}},
            {"id": "#m", "type": "Multikey", "controller": did,
             "publicKeyMultibase": "z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc"}
        ],
        "authentication": ["#k1"],
        "keyAgreement": ["#x", "#m"]
    }))
    .unwrap();
    assert_eq!(doc.verification_methods.len(), 1);
    // A malformed key of a supported type is still an error.
    let bad = DidDocument::from_json(serde_json::json!({
        "id": did,
        "verificationMethod": [{"id": "#k", "publicKeyJwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}}]
    }));
    assert!(matches!(bad, Err(Error::BadKey { .. })));
}
