//! JWT key proofs (OpenID4VCI 1.0 §8.2.1.1, Appendix F.1): the wallet builds one over
//! the issuer's `c_nonce`; the issuer checks it and learns the key to bind the
//! credential to.
//!
//! Checked: `typ` `openid4vci-proof+jwt`; `alg` ES256 or EdDSA (never `none`, never
//! HMAC) and in the issuer's list; exactly one of `jwk` (a public key) and `kid` (a DID
//! URL of an allowed method, resolved for `authentication`); no `x5c`, `jku`, `x5u`,
//! `crit`, `trust_chain` or `key_attestation` (not supported, so refused rather than
//! ignored); `aud` the Credential Issuer identifier; `iat` not older than the window
//! and not in the future beyond the skew; no `iss` when the token was obtained
//! anonymously; the signature by the header's key. The `nonce` is returned for the
//! issuer to consume against its store (single use, expiry): a missing one is
//! `invalid_nonce`, as is an unknown, stale or reused one.

use super::error::{Error, Result, shorten};
use super::metadata::PROOF_TYP;
use civitas_credential::HolderBinding;
use civitas_crypto::{Algorithm, PublicKey, Signer, Verifier as _, b64};
use civitas_did::{Purpose, Resolver};
use serde_json::{Map, Value, json};

/// Header members refused.
const FORBIDDEN_HEADERS: [&str; 7] = [
    "crit",
    "jku",
    "x5u",
    "x5c",
    "trust_chain",
    "key_attestation",
    "b64",
];

/// How the wallet names its key in the proof header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofKey {
    /// `jwk`: the public key by value.
    Jwk,
    /// `kid`: a DID URL of the holder's key.
    Kid(String),
}

/// Builds a key proof JWT signed by `signer`: header `typ`, `alg` and `jwk` or `kid`;
/// payload `aud` = `credential_issuer`, `iat`, and `nonce` when given.
pub fn build_proof(
    signer: &dyn Signer,
    key: &ProofKey,
    credential_issuer: &str,
    nonce: Option<&str>,
    iat: i64,
) -> Result<String> {
    let mut header = Map::new();
    header.insert("typ".into(), PROOF_TYP.into());
    header.insert("alg".into(), signer.algorithm().jose_name().into());
    match key {
        ProofKey::Jwk => {
            header.insert("jwk".into(), signer.public_key().to_jwk_value());
        }
        ProofKey::Kid(kid) => {
            header.insert("kid".into(), kid.clone().into());
        }
    }
    let mut payload = json!({"aud": credential_issuer, "iat": iat});
    if let (Some(n), Some(p)) = (nonce, payload.as_object_mut()) {
        p.insert("nonce".into(), n.into());
    }
    let mut out = b64::encode(Value::Object(header).to_string());
    out.push('.');
    out.push_str(&b64::encode(payload.to_string()));
    let sig = signer
        .sign(out.as_bytes())
        .map_err(|e| Error::Build(e.to_string()))?;
    out.push('.');
    out.push_str(&b64::encode(sig));
    Ok(out)
}

/// What the issuer requires of a proof.
#[derive(Debug, Clone)]
pub struct ProofCheck<'a> {
    /// The Credential Issuer identifier (`aud`).
    pub audience: &'a str,
    /// The time to check `iat` against (Unix seconds).
    pub now: i64,
    /// How old `iat` may be (seconds).
    pub max_age: i64,
    /// How far in the future `iat` may be (clock skew, seconds).
    pub skew: i64,
    /// The proof algorithms the issuer accepts (its metadata's list).
    pub algorithms: &'a [Algorithm],
    /// DID methods accepted in `kid` (`did:jwk`, `did:webvh`).
    pub did_methods: &'a [&'a str],
    /// The access token came from anonymous access: `iss` must be absent.
    pub anonymous: bool,
}

impl<'a> ProofCheck<'a> {
    /// The defaults: ES256 and EdDSA, `did:jwk` and `did:webvh`, `iat` within the last
    /// 5 minutes (60 s skew), anonymous.
    pub fn new(audience: &'a str, now: i64) -> Self {
        ProofCheck {
            audience,
            now,
            max_age: 300,
            skew: 60,
            algorithms: &[Algorithm::Es256, Algorithm::EdDsa],
            did_methods: &["did:jwk", "did:webvh"],
            anonymous: true,
        }
    }
}

/// The holder's key a valid proof names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderKey {
    /// The public key.
    pub key: PublicKey,
    /// The DID URL when the proof named the key by `kid`.
    pub kid: Option<String>,
}

impl HolderKey {
    /// The credential's `cnf`: the DID URL when given, else the key by value.
    pub fn binding(&self) -> HolderBinding {
        match &self.kid {
            Some(kid) => HolderBinding::Did(kid.clone()),
            None => HolderBinding::Jwk(self.key.clone()),
        }
    }

    /// The key's JWK thumbprint (RFC 7638), for audit records.
    pub fn thumbprint(&self) -> String {
        self.key.thumbprint()
    }
}

/// A proof that passed every check but the nonce's freshness, which the caller
/// decides against its store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedProof {
    /// The key to bind the credential to.
    pub holder: HolderKey,
    /// The proof's `nonce`.
    pub nonce: String,
    /// The proof's `iat`.
    pub iat: i64,
}

/// Checks a key proof JWT (see the module documentation); `resolver` resolves a
/// `kid` DID URL.
pub fn check_proof(
    jwt: &str,
    check: &ProofCheck<'_>,
    resolver: &dyn Resolver,
) -> Result<CheckedProof> {
    let bad = |why: String| Error::Proof(why);
    if jwt.len() > super::credential::MAX_PROOF_LEN {
        return Err(bad("longer than 8 KiB".into()));
    }
    let mut parts = jwt.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("not a compact JWS of three parts".into()));
    };
    let header = decode_object(h, "header")?;
    let payload = decode_object(p, "payload")?;
    let signature = b64::decode(s).map_err(|_| bad("signature is not base64url".into()))?;
    match header.get("typ").and_then(Value::as_str) {
        Some(PROOF_TYP) => {}
        other => {
            return Err(bad(format!(
                "typ is {}, not {PROOF_TYP}",
                shorten(other.unwrap_or("absent"), 40)
            )));
        }
    }
    let alg_name = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no alg".into()))?;
    let alg = Algorithm::from_jose(alg_name)
        .ok()
        .filter(|a| check.algorithms.contains(a))
        .ok_or_else(|| bad(format!("alg {} is not accepted", shorten(alg_name, 20))))?;
    if let Some(m) = FORBIDDEN_HEADERS.iter().find(|m| header.contains_key(**m)) {
        return Err(bad(format!("header member {m} is not supported")));
    }
    let holder = match (header.get("jwk"), header.get("kid")) {
        (Some(jwk), None) => {
            if jwk.get("d").is_some() {
                return Err(bad("the jwk header holds a private key".into()));
            }
            let key = PublicKey::from_jwk_value(jwk)
                .map_err(|e| bad(format!("jwk header: {}", shorten(&e.to_string(), 80))))?;
            HolderKey { key, kid: None }
        }
        (None, Some(Value::String(kid))) => {
            let method_ok = check.did_methods.iter().any(|m| {
                kid.strip_prefix(m)
                    .is_some_and(|rest| rest.starts_with(':'))
            });
            if !method_ok || !kid.contains('#') {
                return Err(bad(format!(
                    "kid {} is not a DID URL of an accepted method",
                    shorten(kid, 60)
                )));
            }
            let key = resolver
                .resolve_key(kid, Purpose::Authentication, Some(check.now))
                .map_err(|e| {
                    bad(format!(
                        "kid {} does not resolve to an authentication key: {}",
                        shorten(kid, 60),
                        shorten(&e.to_string(), 80)
                    ))
                })?;
            HolderKey {
                key,
                kid: Some(kid.clone()),
            }
        }
        (Some(_), Some(_)) => return Err(bad("both jwk and kid in the header".into())),
        _ => return Err(bad("neither a jwk nor a DID URL kid in the header".into())),
    };
    holder
        .key
        .verify(alg, &jwt.as_bytes()[..h.len() + 1 + p.len()], &signature)
        .map_err(|_| bad("the signature is not by the header's key".into()))?;
    let aud_ok = match payload.get("aud") {
        Some(Value::String(a)) => a == check.audience,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(check.audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(bad("aud is not this Credential Issuer".into()));
    }
    let iat = payload
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad("no integer iat".into()))?;
    let age = check.now.checked_sub(iat).unwrap_or(i64::MAX);
    if age > check.max_age {
        return Err(bad(format!(
            "iat is {age} s old (at most {})",
            check.max_age
        )));
    }
    if age < check.skew.checked_neg().unwrap_or(i64::MIN) {
        return Err(bad("iat is in the future".into()));
    }
    if check.anonymous && payload.contains_key("iss") {
        return Err(bad(
            "iss must be omitted when the token was obtained anonymously".into(),
        ));
    }
    let nonce = match payload.get("nonce") {
        Some(Value::String(n)) if !n.is_empty() && n.len() <= 256 => n.clone(),
        Some(_) => return Err(Error::Nonce("the nonce is not a short string".into())),
        None => {
            return Err(Error::Nonce(
                "no nonce: ask the Nonce Endpoint for a c_nonce".into(),
            ));
        }
    };
    Ok(CheckedProof { holder, nonce, iat })
}

fn decode_object(segment: &str, what: &str) -> Result<Map<String, Value>> {
    let bytes =
        b64::decode(segment).map_err(|_| Error::Proof(format!("{what} is not base64url")))?;
    match civitas_credential::json::parse_strict(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::Proof(format!("{what} is not a JSON object"))),
        Err(e) => Err(Error::Proof(format!("{what}: {}", shorten(&e, 80)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openid4vci::ErrorCode;
    use civitas_crypto::{SeededRng, SigningKey};
    use civitas_did::MethodResolver;

    const AUD: &str = "https://credential-issuer.example.com";

    /// Appendix F.1's example proof, verbatim (ES256, header `jwk`, iat 1701960444).
    const SPEC_PROOF: &str = "eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwiY3J2IjoiUC0yNTYiLCJ4IjoiblVXQW9BdjNYWml0aDhFN2kxOU9kYXhPTFlGT3dNLVoyRXVNMDJUaXJUNCIsInkiOiJIc2tIVThCalVpMVU5WHFpN1N3bWo4Z3dBS18weGtjRGpFV183MVNvc0VZIn19.eyJhdWQiOiJodHRwczovL2NyZWRlbnRpYWwtaXNzdWVyLmV4YW1wbGUuY29tIiwiaWF0IjoxNzAxOTYwNDQ0LCJub25jZSI6IkxhclJHU2JtVVBZdFJZTzZCUTR5bjgifQ.-a3EDsxClUB4O3LeDD5DVGEnNMT01FCQW4P6-2-BNBqc_Zxf0Qw4CWayLEpqkAomlkLb9zioZoipdP-jvh1WlA";

    fn key(seed: u64) -> SigningKey {
        SigningKey::generate(Algorithm::Es256, &SeededRng::new(seed)).unwrap()
    }

    #[test]
    fn spec_example_proof() {
        let resolver = MethodResolver::local();
        let checked = check_proof(
            SPEC_PROOF,
            &ProofCheck::new(AUD, 1_701_960_444 + 10),
            &resolver,
        );
        // The published example verifies (its key signed it).
        let c = checked.unwrap();
        assert_eq!(c.nonce, "LarRGSbmUPYtRYO6BQ4yn8");
        assert_eq!(c.iat, 1_701_960_444);
        assert_eq!(c.holder.kid, None);
        // Too old: refused.
        let e = check_proof(
            SPEC_PROOF,
            &ProofCheck::new(AUD, 1_701_960_444 + 3600),
            &resolver,
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidProof);
    }

    #[test]
    fn build_then_check_jwk_and_did_jwk() {
        let k = key(1);
        let resolver = MethodResolver::local();
        let jwt = build_proof(&k, &ProofKey::Jwk, AUD, Some("n0"), 1000).unwrap();
        let c = check_proof(&jwt, &ProofCheck::new(AUD, 1010), &resolver).unwrap();
        assert_eq!(c.nonce, "n0");
        assert_eq!(&c.holder.key, k.public());
        assert_eq!(c.holder.binding(), HolderBinding::Jwk(k.public().clone()));

        let kid = k.public().did_jwk_url();
        let jwt = build_proof(&k, &ProofKey::Kid(kid.clone()), AUD, Some("n1"), 1000).unwrap();
        let c = check_proof(&jwt, &ProofCheck::new(AUD, 1000), &resolver).unwrap();
        assert_eq!(c.holder.kid.as_deref(), Some(kid.as_str()));
        assert_eq!(c.holder.binding(), HolderBinding::Did(kid));
    }

    fn forge(header: Value, payload: Value, signer: &SigningKey) -> String {
        let mut out = b64::encode(header.to_string());
        out.push('.');
        out.push_str(&b64::encode(payload.to_string()));
        let sig = signer.sign(out.as_bytes()).unwrap();
        out.push('.');
        out.push_str(&b64::encode(sig));
        out
    }

    #[test]
    fn bad_proofs_are_refused_with_their_codes() {
        let k = key(1);
        let other = key(2);
        let resolver = MethodResolver::local();
        let jwk = k.public().to_jwk_value();
        let good_payload = json!({"aud": AUD, "iat": 1000, "nonce": "n"});
        let check = ProofCheck::new(AUD, 1000);
        let cases: Vec<(String, ErrorCode, &str)> = vec![
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": other.public().to_jwk_value()}),
                    good_payload.clone(),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "another key's jwk",
            ),
            (
                forge(
                    json!({"typ": "JWT", "alg": "ES256", "jwk": jwk}),
                    good_payload.clone(),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "wrong typ",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "none", "jwk": jwk}),
                    good_payload.clone(),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "alg none",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "HS256", "jwk": jwk}),
                    good_payload.clone(),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "alg HS256",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": jwk, "kid": k.public().did_jwk_url()}),
                    good_payload.clone(),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "jwk and kid",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256"}),
                    good_payload.clone(),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "no key",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "kid": "did:example:123#k"}),
                    good_payload.clone(),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "unaccepted DID method",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": jwk, "x5c": ["AA"]}),
                    good_payload.clone(),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "x5c",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": k.to_private_jwk()}),
                    good_payload.clone(),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "private jwk",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": jwk}),
                    json!({"aud": "https://other.example", "iat": 1000, "nonce": "n"}),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "wrong aud",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": jwk}),
                    json!({"aud": AUD, "iat": 100, "nonce": "n"}),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "stale iat",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": jwk}),
                    json!({"aud": AUD, "iat": 2000, "nonce": "n"}),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "future iat",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": jwk}),
                    json!({"aud": AUD, "nonce": "n"}),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "no iat",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": jwk}),
                    json!({"aud": AUD, "iat": 1000, "nonce": "n", "iss": "wallet"}),
                    &k,
                ),
                ErrorCode::InvalidProof,
                "iss in an anonymous flow",
            ),
            (
                forge(
                    json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": jwk}),
                    json!({"aud": AUD, "iat": 1000}),
                    &k,
                ),
                ErrorCode::InvalidNonce,
                "no nonce",
            ),
            ("a.b".into(), ErrorCode::InvalidProof, "two parts"),
            ("!!.!!.!!".into(), ErrorCode::InvalidProof, "not base64url"),
        ];
        for (jwt, code, what) in cases {
            let e = check_proof(&jwt, &check, &resolver).unwrap_err();
            assert_eq!(e.code(), code, "{what}: {e}");
        }
        // EdDSA keys work; an ES256-only issuer refuses them.
        let ed = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(3)).unwrap();
        let jwt = build_proof(&ed, &ProofKey::Jwk, AUD, Some("n"), 1000).unwrap();
        check_proof(&jwt, &check, &resolver).unwrap();
        let es_only = ProofCheck {
            algorithms: &[Algorithm::Es256],
            ..check.clone()
        };
        assert_eq!(
            check_proof(&jwt, &es_only, &resolver).unwrap_err().code(),
            ErrorCode::InvalidProof
        );
    }
}
