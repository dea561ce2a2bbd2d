use super::*;

#[test]
fn es256_and_eddsa_sign_and_verify() {
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg, &SystemRng).unwrap();
        let sig = key.sign(b"message").unwrap();
        key.public_key().verify(alg, b"message", &sig).unwrap();
        assert!(matches!(
            key.public_key().verify(alg, b"massage", &sig),
            Err(Error::BadSignature)
        ));
    }
}

#[test]
fn wrong_algorithm_or_length_is_refused() {
    let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    let sig = key.sign(b"m").unwrap();
    assert!(matches!(
        key.public_key().verify(Algorithm::EdDsa, b"m", &sig),
        Err(Error::AlgorithmMismatch { .. })
    ));
    assert!(matches!(
        key.public_key().verify(Algorithm::Es256, b"m", &sig[..63]),
        Err(Error::SignatureLength { got: 63, .. })
    ));
}

#[test]
fn seeded_rng_makes_the_same_key() {
    let a = SigningKey::generate(Algorithm::Es256, &SeededRng::new(7)).unwrap();
    let b = SigningKey::generate(Algorithm::Es256, &SeededRng::new(7)).unwrap();
    let c = SigningKey::generate(Algorithm::Es256, &SeededRng::new(8)).unwrap();
    assert_eq!(a.public_key(), b.public_key());
    assert_ne!(a.public_key(), c.public_key());
}

#[test]
fn none_and_hmac_are_not_algorithms() {
    for name in ["none", "HS256", "RS256", "ES384", ""] {
        assert!(matches!(
            Algorithm::from_jose(name),
            Err(Error::UnsupportedAlgorithm(_))
        ));
    }
}

#[test]
fn private_jwk_round_trips_and_must_match() {
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg, &SeededRng::new(1)).unwrap();
        let jwk = key.to_private_jwk();
        let back = SigningKey::from_jwk(&jwk).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        let other = SigningKey::generate(alg, &SeededRng::new(2)).unwrap();
        let mut mixed = other.to_private_jwk();
        mixed.d = jwk.d.clone();
        assert!(matches!(
            SigningKey::from_jwk(&mixed),
            Err(Error::InvalidPrivateKey)
        ));
    }
}

#[test]
fn debug_never_prints_the_private_key() {
    let key = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(3)).unwrap();
    let jwk = key.to_private_jwk();
    let d = jwk.d.as_ref().unwrap().to_string();
    assert!(!format!("{key:?}").contains(&d));
    assert!(!format!("{jwk:?}").contains(&d));
    assert!(format!("{jwk:?}").contains("<redacted>"));
}

#[test]
fn public_jwk_with_private_member_is_refused() {
    let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(4)).unwrap();
    let err = PublicKey::from_jwk(&key.to_private_jwk()).unwrap_err();
    assert!(err.to_string().contains("private key material"), "{err}");
}

#[test]
fn jwk_with_bad_coordinates_is_refused() {
    let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(5)).unwrap();
    let mut jwk = key.public_key().to_jwk();
    jwk.x = Some("AAAA".into());
    assert!(
        PublicKey::from_jwk(&jwk)
            .unwrap_err()
            .to_string()
            .contains("\"x\" has 3 bytes")
    );
    jwk.x = Some("not base64!".into());
    assert!(
        PublicKey::from_jwk(&jwk)
            .unwrap_err()
            .to_string()
            .contains("base64url")
    );
    let mut jwk = key.public_key().to_jwk();
    jwk.alg = Some("EdDSA".into());
    assert!(
        PublicKey::from_jwk(&jwk)
            .unwrap_err()
            .to_string()
            .contains("does not fit")
    );
    let mut jwk = key.public_key().to_jwk();
    jwk.kty = "RSA".into();
    assert!(
        PublicKey::from_jwk(&jwk)
            .unwrap_err()
            .to_string()
            .contains("unsupported key type")
    );
}

/// RFC 7638 §3.1 example thumbprint is for an RSA key, which Civitas does not use; the
/// did:jwk spec's P-256 example gives a fixed JWK and DID instead.
#[test]
fn did_jwk_spec_example_p256() {
    let jwk = Jwk::from_json(
        r#"{"crv":"P-256","kty":"EC","x":"acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0","y":"_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE"}"#,
    )
    .unwrap();
    let key = PublicKey::from_jwk(&jwk).unwrap();
    assert_eq!(
        key.did_jwk(),
        "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
    );
    assert_eq!(PublicKey::from_did(&key.did_jwk()).unwrap(), key);
}

/// did:key spec test vector (Ed25519): the multibase value of the spec's first example.
#[test]
fn did_key_round_trips_both_algorithms() {
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg, &SeededRng::new(9))
            .unwrap()
            .public_key();
        let did = key.did_key();
        let prefix = match alg {
            Algorithm::Es256 => "did:key:zDn",
            Algorithm::EdDsa => "did:key:z6Mk",
        };
        assert!(did.starts_with(prefix), "{did}");
        assert_eq!(PublicKey::from_did(&did).unwrap(), key);
    }
}

#[test]
fn did_key_spec_example_ed25519() {
    // did:key spec v0.9, §2.1.1 example.
    let did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
    let key = PublicKey::from_did(did).unwrap();
    assert_eq!(key.algorithm(), Algorithm::EdDsa);
    assert_eq!(key.did_key(), did);
}

#[test]
fn key_file_is_private_and_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("issuer.jwk");
    let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
    key.save(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let loaded = SigningKey::load(&path).unwrap();
    assert_eq!(loaded.public_key(), key.public_key());
    assert!(matches!(key.save(&path), Err(Error::KeyFileExists(_))));
    assert_eq!(
        SigningKey::load(&path).unwrap().public_key(),
        key.public_key()
    );
}

#[cfg(unix)]
#[test]
fn key_file_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.jwk");
    SigningKey::generate(Algorithm::EdDsa, &SystemRng)
        .unwrap()
        .save(&path)
        .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = SigningKey::load(&path).unwrap_err();
    assert!(
        matches!(err, Error::KeyFilePermissions { mode: 0o644, .. }),
        "{err}"
    );
}

#[test]
fn public_key_file_is_not_a_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pub.jwk");
    let key = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
    let text = serde_json::to_string(&key.public_key().to_jwk()).unwrap();
    write_atomic(&path, text.as_bytes(), 0o600, false).unwrap();
    assert!(matches!(
        SigningKey::load(&path),
        Err(Error::NotAPrivateKey(_))
    ));
}

#[test]
fn constant_time_eq_compares_content_and_length() {
    use crate::constant_time_eq;
    assert!(constant_time_eq(b"", b""));
    assert!(constant_time_eq(b"secret", b"secret"));
    assert!(!constant_time_eq(b"secret", b"secreT"));
    assert!(!constant_time_eq(b"secret", b"secret!"));
    assert!(!constant_time_eq(b"", b"x"));
}
