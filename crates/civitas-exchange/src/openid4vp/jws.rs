//! Compact JWS for the objects this module signs itself (Request Objects, receipts):
//! ES256 or EdDSA only, no self-asserted keys, strict base64url and JSON, the key found
//! through the `kid` DID URL.

use super::error::{Error, InputError, Result, SignedObjectError, shorten};
use super::json::parse_strict;
use civitas_crypto::{Algorithm, Signer, Verifier as _, b64};
use civitas_did::{Purpose, Resolver};
use serde_json::{Map, Value};

/// Header members refused: they would let the token choose its own key, or demand
/// processing we do not implement.
const FORBIDDEN_HEADERS: [&str; 6] = ["crit", "jku", "jwk", "x5u", "x5c", "b64"];

/// A parsed, not yet verified, compact JWS.
pub(crate) struct Jws<'a> {
    pub(crate) header: Map<String, Value>,
    pub(crate) payload: Map<String, Value>,
    signing_input: &'a str,
    signature: Vec<u8>,
    alg: Algorithm,
}

/// Signs `payload` with `header` (to which `alg` is added).
pub(crate) fn sign(
    mut header: Map<String, Value>,
    payload: &Value,
    signer: &dyn Signer,
) -> Result<String> {
    header.insert("alg".into(), signer.algorithm().jose_name().into());
    let mut out = b64::encode(Value::Object(header).to_string());
    out.push('.');
    out.push_str(&b64::encode(payload.to_string()));
    let signature = signer.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&b64::encode(signature));
    Ok(out)
}

/// Parses `token` (at most `max` bytes), checking the `typ`.
pub(crate) fn parse<'a>(
    token: &'a str,
    what: &'static str,
    typ: &'static str,
    max: usize,
) -> Result<Jws<'a>> {
    let malformed = |why| Error::from(SignedObjectError::MalformedJws { what, why });
    if token.len() > max {
        return Err(InputError::TooLong {
            what,
            len: token.len(),
            max,
        }
        .into());
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("not three dot-separated parts"));
    };
    let header =
        decode_object(h, what).map_err(|e| e.unwrap_or(malformed("header is not base64url")))?;
    let alg_name = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(malformed("no \"alg\" in the header"))?;
    let alg = Algorithm::from_jose(alg_name)
        .map_err(|_| SignedObjectError::AlgorithmNotAllowed(shorten(alg_name, 32)))?;
    if let Some(member) = FORBIDDEN_HEADERS.iter().find(|m| header.contains_key(**m)) {
        return Err(SignedObjectError::ForbiddenHeader(member).into());
    }
    match header.get("typ").and_then(Value::as_str) {
        Some(t) if t == typ => {}
        other => {
            return Err(SignedObjectError::WrongTyp {
                expected: typ,
                found: shorten(other.unwrap_or("none"), 40),
            }
            .into());
        }
    }
    let payload =
        decode_object(p, what).map_err(|e| e.unwrap_or(malformed("payload is not base64url")))?;
    let signature = b64::decode(s).map_err(|_| malformed("signature is not base64url"))?;
    Ok(Jws {
        header,
        payload,
        signing_input: &token[..h.len() + 1 + p.len()],
        signature,
        alg,
    })
}

/// `Err(None)`: not base64url; `Err(Some(e))`: not a JSON object.
fn decode_object(segment: &str, what: &'static str) -> Result<Map<String, Value>, Option<Error>> {
    let bytes = b64::decode(segment).map_err(|_| None)?;
    match parse_strict(&bytes, what, usize::MAX).map_err(Some)? {
        Value::Object(map) => Ok(map),
        _ => Err(Some(Error::from(SignedObjectError::MalformedJws {
            what,
            why: "a part is not a JSON object",
        }))),
    }
}

impl Jws<'_> {
    /// The `kid` header, which must be a key of `did`; resolves it for `purpose` as of
    /// `at` and verifies the signature.
    pub(crate) fn verify_with_did(
        &self,
        what: &'static str,
        did: &str,
        resolver: &dyn Resolver,
        purpose: Purpose,
        at: Option<i64>,
    ) -> Result<()> {
        let kid = self
            .header
            .get("kid")
            .and_then(Value::as_str)
            .ok_or(SignedObjectError::MissingKid(what))?;
        let (kid_did, _) =
            civitas_did::split_did_url(kid).map_err(SignedObjectError::KeyResolution)?;
        if kid_did != did {
            return Err(SignedObjectError::KidMismatch {
                kid: shorten(kid, 80),
                expected: shorten(did, 80),
            }
            .into());
        }
        let key = resolver
            .resolve_key(kid, purpose, at)
            .map_err(SignedObjectError::KeyResolution)?;
        key.verify(self.alg, self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| Error::from(SignedObjectError::BadSignature(what)))
    }
}
