//! Writes the tamper suite: `testdata/tamper/*.txt`, one malicious presentation per
//! file, named after its defect, and `manifest.json` with the code each must be
//! refused with. Run from the crate directory:
//!
//! ```text
//! cargo run -p civitas-verifier --example make_tamper_fixtures
//! ```
//!
//! Keys come from fixed seeds, so the DIDs are stable; ES256 signatures are randomized
//! by nature, so the files change on every run while staying equivalent.

use civitas_credential::{ClaimPath, Credential, HolderBinding, IssueOptions, issue};
use civitas_crypto::{Algorithm, SeededRng, Signer, SigningKey, b64};
use serde_json::{Map, Value, json};
use std::path::Path;

type Object = Map<String, Value>;

const AT: &str = "2026-11-25T10:00:00Z";
const NONCE: &str = "n-0S6_WzA2Mj";
const AUD: &str = "https://counter-7.city-hall.example";
const PID: &str = "https://civitas.example/credentials/pid/v1";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tamper");
    std::fs::create_dir_all(&out)?;
    let now = chrono::DateTime::parse_from_rfc3339(AT)?.timestamp();
    let rng = SeededRng::new(2026);
    let city_hall = SigningKey::generate(Algorithm::Es256, &SeededRng::new(1))?;
    let holder = SigningKey::generate(Algorithm::Es256, &SeededRng::new(2))?;
    let attacker = SigningKey::generate(Algorithm::Es256, &SeededRng::new(3))?;
    let other_issuer = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(4))?;
    let ch_did = city_hall.public().did_jwk();
    let ch_kid = city_hall.public().did_jwk_url();

    let claims = json!({
        "given_name": "Mei-Ling",
        "family_name": "Chen",
        "birthdate": "1958-03-14",
        "age_over_18": true,
        "age_over_65": true,
        "nationality": "TW",
        "address": {"street_address": "1 Shifu Road", "locality": "Taipei", "postal_code": "110"},
        "personal_number": "A123456789"
    });
    let claims = claims.as_object().cloned().unwrap_or_default();
    let options = |issuer: &SigningKey| {
        let did = issuer.public().did_jwk();
        let mut o = IssueOptions::new(&did, &format!("{did}#0"), PID, now - 86_400);
        o.exp = Some(now + 365 * 86_400);
        o.holder = Some(HolderBinding::Jwk(holder.public_key()));
        o.nested_sd = vec![ClaimPath::parse("address.locality")?];
        Ok::<_, Box<dyn std::error::Error>>(o)
    };
    let issued = issue(&claims, &options(&city_hall)?, &city_hall, &rng)?;
    let cred = Credential::parse(&issued)?;
    let chosen = [
        ClaimPath::parse("given_name")?,
        ClaimPath::parse("age_over_18")?,
    ];
    let base = cred.present_without_key_binding(&chosen)?;
    let kb = |sd: &str, typ: &str, key: &SigningKey, nonce: &str, aud: &str, iat: i64| {
        let header = json!({"alg": key.algorithm().jose_name(), "typ": typ});
        let payload =
            json!({"iat": iat, "aud": aud, "nonce": nonce, "sd_hash": b64::sha256_b64(sd)});
        Ok::<_, Box<dyn std::error::Error>>(format!("{sd}{}", jws(&header, &payload, key)?))
    };
    let present = |sd: &str| kb(sd, "kb+jwt", &holder, NONCE, AUD, now - 30);
    let (jwt, discs) = split(&base);
    let find = |name: &str| -> String {
        discs
            .iter()
            .find(|d| decode_disclosure(d).get(1).and_then(Value::as_str) == Some(name))
            .cloned()
            .unwrap_or_default()
    };
    // Re-sign the issuer JWT after `f` edits header and payload.
    let resign = |f: &dyn Fn(&mut Object, &mut Object), key: &SigningKey| {
        let (h, p) = decode_jwt(&jwt);
        let (mut h, mut p) = (h, p);
        f(&mut h, &mut p);
        jws(&Value::Object(h), &Value::Object(p), key)
    };
    let join = |jwt: &str, discs: &[String]| {
        let mut s = jwt.to_string();
        for d in discs {
            s.push('~');
            s.push_str(d);
        }
        s.push('~');
        s
    };
    let add_sd = |p: &mut Map<String, Value>, digest: String| {
        if let Some(Value::Array(sd)) = p.get_mut("_sd") {
            sd.push(Value::String(digest));
        }
    };

    let mut cases: Vec<(String, Option<&'static str>, String)> = Vec::new();
    let mut put = |name: &str, code: Option<&'static str>, text: String| {
        cases.push((name.to_string(), code, text));
    };

    put("valid", None, present(&base)?);

    // Disclosures.
    let age = find("age_over_18");
    let mut arr = decode_disclosure(&age);
    arr[2] = Value::Bool(false);
    let forged = b64::encode(Value::Array(arr).to_string());
    put(
        "tampered_disclosure_value",
        Some("unreferenced_disclosure"),
        present(&join(&jwt, &[find("given_name"), forged]))?,
    );
    let other = issue(&claims, &options(&city_hall)?, &city_hall, &rng)?;
    let (_, other_discs) = split(&other);
    let mut with_foreign = discs.clone();
    with_foreign.push(other_discs[0].clone());
    put(
        "unreferenced_disclosure",
        Some("unreferenced_disclosure"),
        present(&join(&jwt, &with_foreign))?,
    );
    let mut dup = discs.clone();
    dup.push(age.clone());
    put(
        "duplicate_disclosure",
        Some("duplicate_disclosure"),
        present(&join(&jwt, &dup))?,
    );
    for (name, reserved) in [
        ("reserved_claim_name_sd", "_sd"),
        ("reserved_claim_name_ellipsis", "..."),
    ] {
        let d = b64::encode(json!(["c2FsdHNhbHRzYWx0c2FsdA", reserved, "x"]).to_string());
        let digest = b64::sha256_b64(&d);
        let j = resign(&|_, p| add_sd(p, digest.clone()), &city_hall)?;
        let mut ds = discs.clone();
        ds.push(d);
        put(name, Some("reserved_claim_name"), present(&join(&j, &ds))?);
    }
    {
        let digest = b64::sha256_b64(&age);
        let j = resign(&|_, p| add_sd(p, digest.clone()), &city_hall)?;
        put(
            "duplicate_digest",
            Some("duplicate_digest"),
            present(&join(&j, &discs))?,
        );
    }
    {
        let j = resign(
            &|_, p| {
                p.insert("given_name".into(), json!("Mallory"));
            },
            &city_hall,
        )?;
        put(
            "claim_collision",
            Some("claim_collision"),
            present(&join(&j, &discs))?,
        );
    }
    {
        let d = b64::encode(json!(["c2FsdHNhbHRzYWx0c2FsdA", "element"]).to_string());
        let digest = b64::sha256_b64(&d);
        let j = resign(&|_, p| add_sd(p, digest.clone()), &city_hall)?;
        let mut ds = discs.clone();
        ds.push(d);
        put(
            "array_element_disclosure_in_object",
            Some("malformed_disclosure"),
            present(&join(&j, &ds))?,
        );
    }
    {
        let d = b64::encode(json!([12345, "nickname", "Mei"]).to_string());
        let digest = b64::sha256_b64(&d);
        let j = resign(&|_, p| add_sd(p, digest.clone()), &city_hall)?;
        let mut ds = discs.clone();
        ds.push(d);
        put(
            "non_string_salt",
            Some("malformed_disclosure"),
            present(&join(&j, &ds))?,
        );
    }
    {
        let j = resign(
            &|_, p| {
                p.insert("_sd_alg".into(), json!("sha-512"));
            },
            &city_hall,
        )?;
        put(
            "unsupported_sd_alg",
            Some("unsupported_sd_alg"),
            present(&join(&j, &discs))?,
        );
    }

    // Key binding.
    put(
        "kb_jwt_signed_by_other_key",
        Some("key_binding_signature_invalid"),
        kb(&base, "kb+jwt", &attacker, NONCE, AUD, now - 30)?,
    );
    put("missing_kb_jwt", Some("missing_key_binding"), base.clone());
    {
        let full = join(&jwt, &discs);
        let fewer = join(&jwt, &discs[..1]);
        let signed = kb(&full, "kb+jwt", &holder, NONCE, AUD, now - 30)?;
        let kb_part = &signed[full.len()..];
        put(
            "sd_hash_mismatch",
            Some("sd_hash_mismatch"),
            format!("{fewer}{kb_part}"),
        );
    }
    put(
        "wrong_nonce",
        Some("nonce_mismatch"),
        kb(&base, "kb+jwt", &holder, "another-nonce", AUD, now - 30)?,
    );
    put(
        "wrong_aud",
        Some("aud_mismatch"),
        kb(
            &base,
            "kb+jwt",
            &holder,
            NONCE,
            "https://evil.example",
            now - 30,
        )?,
    );
    put(
        "stale_kb_iat",
        Some("key_binding_stale"),
        kb(&base, "kb+jwt", &holder, NONCE, AUD, now - 3600)?,
    );
    put(
        "future_kb_iat",
        Some("key_binding_future"),
        kb(&base, "kb+jwt", &holder, NONCE, AUD, now + 3600)?,
    );
    put(
        "kb_typ_jwt",
        Some("wrong_typ"),
        kb(&base, "JWT", &holder, NONCE, AUD, now - 30)?,
    );

    // The issuer-signed JWT.
    {
        let (mut h, p) = decode_jwt(&jwt);
        h.insert("alg".into(), json!("none"));
        let j = format!(
            "{}.{}.",
            b64::encode(Value::Object(h).to_string()),
            b64::encode(Value::Object(p).to_string())
        );
        put(
            "alg_none",
            Some("algorithm_not_allowed"),
            present(&join(&j, &discs))?,
        );
    }
    {
        let (mut h, p) = decode_jwt(&jwt);
        h.insert("alg".into(), json!("HS256"));
        let input = format!(
            "{}.{}",
            b64::encode(Value::Object(h).to_string()),
            b64::encode(Value::Object(p).to_string())
        );
        // The classic confusion: an HMAC keyed with the issuer's public key.
        let public = serde_json::to_string(&city_hall.public().to_jwk())?;
        let mac = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, public.as_bytes()),
            input.as_bytes(),
        );
        let j = format!("{input}.{}", b64::encode(mac.as_ref()));
        put(
            "hs256_keyed_with_public_key",
            Some("algorithm_not_allowed"),
            present(&join(&j, &discs))?,
        );
    }
    for (name, code, edit) in [
        ("expired", "expired", ("exp", now - 86_400)),
        ("nbf_in_future", "not_yet_valid", ("nbf", now + 86_400)),
    ] {
        let j = resign(
            &|_, p| {
                p.insert(edit.0.into(), json!(edit.1));
            },
            &city_hall,
        )?;
        put(name, Some(code), present(&join(&j, &discs))?);
    }
    {
        let j = resign(
            &|h, _| {
                h.insert("typ".into(), json!("JWT"));
            },
            &city_hall,
        )?;
        put("typ_jwt", Some("wrong_typ"), present(&join(&j, &discs))?);
    }
    {
        let j = resign(
            &|h, _| {
                h.remove("kid");
            },
            &city_hall,
        )?;
        put(
            "missing_kid",
            Some("missing_kid"),
            present(&join(&j, &discs))?,
        );
    }
    {
        let j = resign(
            &|h, _| {
                h.insert("jwk".into(), attacker.public().to_jwk_value());
            },
            &city_hall,
        )?;
        put(
            "embedded_jwk_header",
            Some("forbidden_header"),
            present(&join(&j, &discs))?,
        );
    }
    {
        let j = resign(
            &|h, _| {
                h.insert("crit".into(), json!(["exp"]));
            },
            &city_hall,
        )?;
        put(
            "crit_header",
            Some("forbidden_header"),
            present(&join(&j, &discs))?,
        );
    }
    {
        let (h, mut p) = decode_jwt(&jwt);
        p.insert("exp".into(), json!(now + 50 * 365 * 86_400));
        let sig = jwt.rsplit('.').next().unwrap_or_default();
        let j = format!(
            "{}.{}.{sig}",
            b64::encode(Value::Object(h).to_string()),
            b64::encode(Value::Object(p).to_string())
        );
        put(
            "payload_modified_after_signing",
            Some("issuer_signature_invalid"),
            present(&join(&j, &discs))?,
        );
    }
    {
        let other_cred = Credential::parse(&issue(
            &claims,
            &options(&other_issuer)?,
            &other_issuer,
            &rng,
        )?)?;
        put(
            "untrusted_issuer",
            Some("untrusted_issuer"),
            present(&other_cred.present_without_key_binding(&chosen)?)?,
        );
    }
    {
        // Everything says city hall, but the attacker signed it.
        let j = resign(
            &|h, p| {
                h.insert("kid".into(), json!(ch_kid));
                p.insert("iss".into(), json!(ch_did));
            },
            &attacker,
        )?;
        put(
            "issuer_impersonation",
            Some("issuer_signature_invalid"),
            present(&join(&j, &discs))?,
        );
    }
    {
        let j = resign(
            &|h, _| {
                h.insert("kid".into(), json!(attacker.public().did_jwk_url()));
            },
            &attacker,
        )?;
        put(
            "kid_did_not_iss",
            Some("kid_not_issuer"),
            present(&join(&j, &discs))?,
        );
    }
    {
        let j = resign(
            &|_, p| {
                p.remove("cnf");
            },
            &city_hall,
        )?;
        put(
            "no_holder_binding",
            Some("no_holder_binding"),
            present(&join(&j, &discs))?,
        );
    }
    put(
        "garbage",
        Some("malformed"),
        "hello, I am not a credential\n".into(),
    );
    let valid = present(&base)?;
    put("truncated", Some("malformed"), valid[..120].to_string());
    put(
        "binary_junk",
        Some("malformed"),
        "\u{1}\u{2}\u{7f}~\u{0}".into(),
    );

    let mut manifest = Vec::new();
    for (name, code, text) in &cases {
        let file = format!("{name}.txt");
        std::fs::write(out.join(&file), format!("{}\n", text.trim_end()))?;
        manifest.push(json!({"file": file, "valid": code.is_none(), "code": code}));
    }
    let manifest = json!({
        "about": "Malicious presentations, one per file, named after their defect. Regenerate with: cargo run -p civitas-verifier --example make_tamper_fixtures",
        "at": AT,
        "nonce": NONCE,
        "aud": AUD,
        "trust": [ch_did],
        "cases": manifest,
    });
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    println!("wrote {} fixtures to {}", cases.len(), out.display());
    Ok(())
}

fn jws(header: &Value, payload: &Value, key: &SigningKey) -> Result<String, civitas_crypto::Error> {
    let input = format!(
        "{}.{}",
        b64::encode(header.to_string()),
        b64::encode(payload.to_string())
    );
    let sig = key.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", b64::encode(sig)))
}

fn split(sd: &str) -> (String, Vec<String>) {
    let mut parts: Vec<String> = sd.split('~').map(str::to_string).collect();
    parts.pop();
    let jwt = parts.remove(0);
    (jwt, parts)
}

fn decode_jwt(jwt: &str) -> (Map<String, Value>, Map<String, Value>) {
    let mut it = jwt.split('.');
    let mut obj = || {
        it.next()
            .and_then(|s| b64::decode(s).ok())
            .and_then(|b| serde_json::from_slice::<Map<String, Value>>(&b).ok())
            .unwrap_or_default()
    };
    let h = obj();
    let p = obj();
    (h, p)
}

fn decode_disclosure(d: &str) -> Vec<Value> {
    b64::decode(d)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}
