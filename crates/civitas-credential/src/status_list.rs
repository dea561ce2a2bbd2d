//! IETF Token Status List (draft-ietf-oauth-status-list): the status list, its
//! `statuslist+jwt` token, and lookups.
//!
//! Ours rather than `ssi-status` 0.8, which encodes `lst` with base64 padding against
//! the spec, rejects the spec's own example and panics on unknown media types.
//!
//! A list packs one status of `bits` (1, 2, 4 or 8) bits per credential, the first
//! status in the least significant bits of the first byte; `lst` is the list
//! compressed with DEFLATE in the ZLIB format, then base64url without padding.

use crate::error::Part;
use crate::issue::sign_jws;
use crate::sd::parse_jws;
use crate::{Error, Result};
use civitas_crypto::{PublicKey, Signer, Verifier as _, b64};
use serde_json::{Value, json};
use std::io::{Read, Write};

/// The media type of a status list token.
pub const TYP_STATUSLIST_JWT: &str = "statuslist+jwt";
/// Largest status list accepted, decompressed (8 MiB: 67 million 1-bit entries).
pub const MAX_LIST_BYTES: u64 = 8 * 1024 * 1024;

/// Status values (§7.1).
pub mod status {
    /// The credential is valid.
    pub const VALID: u8 = 0x00;
    /// Revoked: final.
    pub const INVALID: u8 = 0x01;
    /// Suspended: may become valid again.
    pub const SUSPENDED: u8 = 0x02;
}

/// A status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` entries, all valid, `bits` per entry.
    pub fn new(bits: u8, len: usize) -> Result<Self> {
        check_bits(bits)?;
        let total = len
            .checked_mul(usize::from(bits))
            .ok_or_else(|| Error::InvalidClaims("status list too long".into()))?;
        Ok(StatusList {
            bits,
            bytes: vec![0; total.div_ceil(8)],
        })
    }

    /// Bits per entry.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8 / usize::from(self.bits)
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The status of entry `idx`, if the list has it.
    pub fn get(&self, idx: u64) -> Option<u8> {
        let bits = u64::from(self.bits);
        let bit = idx.checked_mul(bits)?;
        let byte = usize::try_from(bit / 8).ok()?;
        let shift = bit % 8;
        let mask = ((1u16 << bits) - 1) as u8;
        self.bytes.get(byte).map(|b| (b >> shift) & mask)
    }

    /// Sets the status of entry `idx`.
    pub fn set(&mut self, idx: u64, value: u8) -> Result<()> {
        let bits = u64::from(self.bits);
        let mask = ((1u16 << bits) - 1) as u8;
        if value > mask {
            return Err(Error::InvalidClaims(format!(
                "status {value} does not fit in {bits} bits"
            )));
        }
        let bit = idx.saturating_mul(bits);
        let byte = usize::try_from(bit / 8)
            .ok()
            .filter(|b| *b < self.bytes.len())
            .ok_or_else(|| Error::InvalidClaims(format!("index {idx} is outside the list")))?;
        let shift = bit % 8;
        self.bytes[byte] = (self.bytes[byte] & !(mask << shift)) | (value << shift);
        Ok(())
    }

    /// The JSON form `{"bits": …, "lst": …}`.
    pub fn to_json(&self) -> Value {
        json!({ "bits": self.bits, "lst": b64::encode(compress(&self.bytes)) })
    }

    /// Reads the JSON form, refusing padding, bad bit sizes and lists that inflate
    /// beyond [`MAX_LIST_BYTES`].
    pub fn from_json(value: &Value) -> Result<Self> {
        let bad = |why: &str| Error::BadClaim {
            name: "status_list",
            expected: match why {
                "bits" => "bits of 1, 2, 4 or 8",
                _ => "an lst of base64url ZLIB data",
            },
        };
        let bits = value
            .get("bits")
            .and_then(Value::as_u64)
            .and_then(|b| u8::try_from(b).ok())
            .ok_or_else(|| bad("bits"))?;
        check_bits(bits).map_err(|_| bad("bits"))?;
        let lst = value
            .get("lst")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("lst"))?;
        let compressed = b64::decode(lst).map_err(|_| bad("lst"))?;
        let mut bytes = Vec::new();
        flate2::read::ZlibDecoder::new(compressed.as_slice())
            .take(MAX_LIST_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| bad("lst"))?;
        if bytes.len() as u64 > MAX_LIST_BYTES {
            return Err(Error::Malformed(format!(
                "status list inflates beyond {MAX_LIST_BYTES} bytes"
            )));
        }
        Ok(StatusList { bits, bytes })
    }
}

fn check_bits(bits: u8) -> Result<()> {
    if matches!(bits, 1 | 2 | 4 | 8) {
        Ok(())
    } else {
        Err(Error::InvalidClaims(format!(
            "bits must be 1, 2, 4 or 8, not {bits}"
        )))
    }
}

fn compress(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// A verified status list token.
#[derive(Debug, Clone)]
pub struct StatusListToken {
    /// The issuer (`iss`): Civitas requires it to be the DID of the signing key.
    pub issuer: String,
    /// The signing key id.
    pub kid: String,
    /// The list's URI (`sub`).
    pub uri: String,
    /// Issued at.
    pub iat: i64,
    /// Expiry, if any.
    pub exp: Option<i64>,
    /// Time to live, seconds, if any.
    pub ttl: Option<i64>,
    /// The list.
    pub list: StatusList,
}

/// Signs a status list token.
pub fn sign_status_list(
    list: &StatusList,
    issuer: &str,
    kid: &str,
    uri: &str,
    iat: i64,
    exp: Option<i64>,
    signer: &dyn Signer,
) -> Result<String> {
    let header =
        json!({"alg": signer.algorithm().jose_name(), "typ": TYP_STATUSLIST_JWT, "kid": kid});
    let mut payload = json!({"iss": issuer, "sub": uri, "iat": iat, "status_list": list.to_json()});
    if let Some(exp) = exp {
        payload["exp"] = json!(exp);
    }
    sign_jws(&header, &payload, signer)
}

/// Parses a status list token without checking its signature; returns it with the
/// signing input and signature so the caller can verify with the issuer's key.
pub fn parse_status_list_token(token: &str) -> Result<(StatusListToken, UnverifiedSignature)> {
    let token = token.trim();
    if token.len() > 12 * 1024 * 1024 {
        return Err(Error::Malformed("status list token too large".into()));
    }
    let jws = parse_jws(token, Part::Issuer)?;
    match jws.header.get("typ").and_then(Value::as_str) {
        Some(TYP_STATUSLIST_JWT) => {}
        other => {
            return Err(Error::WrongType {
                part: Part::Issuer,
                expected: TYP_STATUSLIST_JWT,
                found: other.unwrap_or("none").to_string(),
            });
        }
    }
    let kid = jws
        .header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or(Error::MissingKid)?
        .to_string();
    let p = &jws.payload;
    let str_claim = |name: &'static str| {
        p.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(Error::BadClaim {
                name,
                expected: "a string",
            })
    };
    let issuer = str_claim("iss")?;
    if kid.split('#').next() != Some(issuer.as_str()) {
        return Err(Error::KidNotIssuer { kid, iss: issuer });
    }
    let uri = str_claim("sub")?;
    let iat = p
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(Error::BadClaim {
            name: "iat",
            expected: "a NumericDate",
        })?;
    let exp = p
        .get("exp")
        .map(|v| {
            v.as_i64().ok_or(Error::BadClaim {
                name: "exp",
                expected: "a NumericDate",
            })
        })
        .transpose()?;
    let ttl = p
        .get("ttl")
        .map(|v| {
            v.as_i64().ok_or(Error::BadClaim {
                name: "ttl",
                expected: "an integer",
            })
        })
        .transpose()?;
    let list = StatusList::from_json(p.get("status_list").unwrap_or(&Value::Null))?;
    Ok((
        StatusListToken {
            issuer,
            kid,
            uri,
            iat,
            exp,
            ttl,
            list,
        },
        UnverifiedSignature {
            alg: jws.alg,
            signing_input: jws.signing_input.to_string(),
            signature: jws.signature,
        },
    ))
}

/// A signature still to be checked.
#[derive(Debug, Clone)]
pub struct UnverifiedSignature {
    alg: civitas_crypto::Algorithm,
    signing_input: String,
    signature: Vec<u8>,
}

impl UnverifiedSignature {
    /// Checks the signature with `key`.
    pub fn verify(&self, key: &PublicKey) -> Result<()> {
        key.verify(self.alg, self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| Error::IssuerSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_crypto::{Algorithm, SeededRng, SigningKey};

    /// draft-ietf-oauth-status-list §4.1 example: 1-bit list, statuses
    /// [1,0,0,1,1,1,0,1, 1,1,0,0,0,1,0,1].
    #[test]
    fn status_list_spec_example_1_bit() {
        let list = StatusList::from_json(&json!({"bits": 1, "lst": "eNrbuRgAAhcBXQ"})).unwrap();
        let want = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(list.get(i as u64), Some(*w), "index {i}");
        }
        assert_eq!(list.len(), 16);
        assert_eq!(list.get(16), None);
    }

    /// The spec's 2-bit example: statuses [1,2,0,3,0,1,0,1,1,2,3,3].
    #[test]
    fn status_list_spec_example_2_bits() {
        let list = StatusList::from_json(&json!({"bits": 2, "lst": "eNo76fITAAPfAgc"})).unwrap();
        let want = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(list.get(i as u64), Some(*w), "index {i}");
        }
    }

    #[test]
    fn set_get_round_trip_through_json() {
        for bits in [1, 2, 4, 8] {
            let mut list = StatusList::new(bits, 1000).unwrap();
            list.set(3, 1).unwrap();
            list.set(999, 1).unwrap();
            let back = StatusList::from_json(&list.to_json()).unwrap();
            assert_eq!(back, list);
            assert_eq!(back.get(3), Some(1));
            assert_eq!(back.get(4), Some(0));
            assert_eq!(back.get(999), Some(1));
        }
        let mut list = StatusList::new(1, 8).unwrap();
        assert!(list.set(0, 2).is_err());
        assert!(list.set(8, 1).is_err());
    }

    #[test]
    fn padding_bad_bits_and_bombs_are_refused() {
        assert!(StatusList::from_json(&json!({"bits": 1, "lst": "eNrbuRgAAhcBXQ=="})).is_err());
        assert!(StatusList::from_json(&json!({"bits": 3, "lst": "eNrbuRgAAhcBXQ"})).is_err());
        let bomb = compress(&vec![0u8; (MAX_LIST_BYTES + 1) as usize]);
        let err = StatusList::from_json(&json!({"bits": 1, "lst": b64::encode(bomb)})).unwrap_err();
        assert!(err.to_string().contains("inflates beyond"), "{err}");
    }

    #[test]
    fn token_signs_parses_and_verifies() {
        let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(5)).unwrap();
        let did = key.public().did_jwk();
        let mut list = StatusList::new(1, 128).unwrap();
        list.set(7, status::INVALID).unwrap();
        let token = sign_status_list(
            &list,
            &did,
            &format!("{did}#0"),
            "urn:civitas:status:1",
            100,
            None,
            &key,
        )
        .unwrap();
        let (parsed, sig) = parse_status_list_token(&token).unwrap();
        sig.verify(key.public()).unwrap();
        assert_eq!(parsed.issuer, did);
        assert_eq!(parsed.list.get(7), Some(status::INVALID));
        let other = SigningKey::generate(Algorithm::Es256, &SeededRng::new(6)).unwrap();
        assert!(matches!(
            sig.verify(other.public()),
            Err(Error::IssuerSignature)
        ));
    }
}
