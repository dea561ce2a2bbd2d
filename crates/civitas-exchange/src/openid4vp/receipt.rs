//! The counter's receipt: what it returns to the Wallet after a `direct_post`, so the
//! citizen keeps a signed record of who was shown what (claim names, never values).
//!
//! A compact JWS, `typ` `civitas-receipt+jwt`, `kid` a DID URL of the counter's key
//! (its DID must be `iss`), ES256 or EdDSA. The payload has exactly these members:
//!
//! | member | what |
//! |---|---|
//! | `iss` | the counter's DID |
//! | `iat` | when the counter decided (Unix seconds) |
//! | `nonce` | the request's nonce |
//! | `client_id` | the request's Client Identifier |
//! | `valid` | whether the response was accepted |
//! | `vct` | the types presented, one per presentation (an array) |
//! | `disclosed` | the names (paths) of the claims disclosed: `age_over_18`, `address.locality` |
//! | `jti` | a unique id (16 random bytes, base64url) |
//!
//! A Civitas format, so it is closed: an unknown member is refused.

use super::error::{Error, InputError, Result, SignedObjectError, shorten};
use super::json::{Obj, as_array, as_str};
use super::limits::MAX_TOKEN_LEN;
use super::request::ClientId;
use super::{form, jws};
use civitas_credential::ClaimPath;
use civitas_crypto::{Rng, Signer, b64};
use civitas_did::{Purpose, Resolver};
use serde_json::{Map, Value, json};

/// The `typ` of a receipt.
pub const TYP_RECEIPT: &str = "civitas-receipt+jwt";
/// Longest receipt accepted, in bytes.
pub const MAX_RECEIPT_LEN: usize = 32 * 1024;
/// How far in the future a receipt's `iat` may be, seconds (clock skew).
pub const RECEIPT_SKEW: i64 = 300;
/// Most entries in `vct` and in `disclosed`.
const MAX_ENTRIES: usize = 256;
const MEMBERS: [&str; 8] = [
    "iss",
    "iat",
    "nonce",
    "client_id",
    "valid",
    "vct",
    "disclosed",
    "jti",
];

/// What a receipt says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The counter's DID.
    pub iss: String,
    /// When the counter decided.
    pub iat: i64,
    /// The request's nonce.
    pub nonce: String,
    /// The request's Client Identifier.
    pub client_id: String,
    /// Whether the response was accepted.
    pub valid: bool,
    /// The type of each presentation.
    pub vct: Vec<String>,
    /// The paths of the claims disclosed, as text (names, never values).
    pub disclosed: Vec<String>,
    /// A unique id.
    pub jti: String,
}

impl Receipt {
    /// A receipt with a fresh `jti` from `rng`; `disclosed` is written as claim names.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        iss: &str,
        client_id: &str,
        nonce: &str,
        valid: bool,
        vct: Vec<String>,
        disclosed: &[ClaimPath],
        iat: i64,
        rng: &dyn Rng,
    ) -> Result<Self> {
        let mut jti = [0u8; 16];
        rng.fill(&mut jti)?;
        let receipt = Receipt {
            iss: iss.to_string(),
            iat,
            nonce: nonce.to_string(),
            client_id: client_id.to_string(),
            valid,
            vct,
            disclosed: disclosed.iter().map(ClaimPath::to_string).collect(),
            jti: b64::encode(jti),
        };
        receipt.validate()?;
        Ok(receipt)
    }

    fn to_value(&self) -> Value {
        json!({
            "iss": self.iss,
            "iat": self.iat,
            "nonce": self.nonce,
            "client_id": self.client_id,
            "valid": self.valid,
            "vct": self.vct,
            "disclosed": self.disclosed,
            "jti": self.jti,
        })
    }

    fn from_map(map: &Map<String, Value>) -> Result<Self> {
        if let Some(unknown) = map.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
            return Err(InputError::UnknownMember {
                field: shorten(unknown, 40),
                what: "a receipt",
            }
            .into());
        }
        let value = Value::Object(map.clone());
        let obj = Obj::new(&value, "")?;
        let strings = |name: &str| -> Result<Vec<String>> {
            let v = obj.required(name)?;
            if v.as_array().is_some_and(Vec::is_empty) {
                return Ok(Vec::new());
            }
            as_array(v, name, MAX_ENTRIES)?
                .iter()
                .enumerate()
                .map(|(i, s)| as_str(s, &format!("{name}[{i}]"), 2048).map(str::to_string))
                .collect()
        };
        let receipt = Receipt {
            iss: obj.str("iss", 4096)?.to_string(),
            iat: obj.int("iat")?,
            nonce: obj.str("nonce", MAX_TOKEN_LEN)?.to_string(),
            client_id: obj
                .str("client_id", super::limits::MAX_URI_LEN)?
                .to_string(),
            valid: obj.opt_bool("valid")?.ok_or(InputError::MissingField {
                field: "valid".into(),
            })?,
            vct: strings("vct")?,
            disclosed: strings("disclosed")?,
            jti: obj.str("jti", 64)?.to_string(),
        };
        receipt.validate()?;
        Ok(receipt)
    }

    /// Checks every member: `iss` a DID, `client_id` a supported Client Identifier,
    /// `nonce` and `jti` URL-safe tokens, `vct` non-empty strings, `disclosed` claim
    /// paths in their canonical text form, `iat` not negative.
    fn validate(&self) -> Result<()> {
        let wrong = |field: &str, expected| {
            Error::from(InputError::WrongType {
                field: field.to_string(),
                expected,
            })
        };
        civitas_did::validate_did(&self.iss).map_err(|_| wrong("iss", "a DID"))?;
        ClientId::parse(&self.client_id)?;
        for (name, value, max) in [
            ("nonce", &self.nonce, MAX_TOKEN_LEN),
            ("jti", &self.jti, 64),
        ] {
            if value.is_empty() || value.len() > max || !value.bytes().all(form::is_unreserved) {
                return Err(wrong(name, "1 or more ASCII URL-safe characters"));
            }
        }
        if self.iat < 0 {
            return Err(wrong("iat", "a NumericDate"));
        }
        if self.vct.len() > MAX_ENTRIES || self.disclosed.len() > MAX_ENTRIES {
            return Err(InputError::TooMany {
                field: "vct / disclosed".into(),
                max: MAX_ENTRIES,
            }
            .into());
        }
        if self.vct.iter().any(|v| v.is_empty() || v.len() > 2048) {
            return Err(wrong("vct", "non-empty strings"));
        }
        for (i, name) in self.disclosed.iter().enumerate() {
            let canonical = ClaimPath::parse(name).is_ok_and(|p| &p.to_string() == name);
            if !canonical {
                return Err(wrong(
                    &format!("disclosed[{i}]"),
                    "a claim name or path (address.locality)",
                ));
            }
        }
        Ok(())
    }
}

impl serde::Serialize for Receipt {
    /// As the receipt's payload.
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

/// Signs `receipt` with the counter's key `kid` (a DID URL whose DID is
/// `receipt.iss`).
pub fn sign_receipt(receipt: &Receipt, kid: &str, signer: &dyn Signer) -> Result<String> {
    receipt.validate()?;
    let (kid_did, _) = civitas_did::split_did_url(kid).map_err(SignedObjectError::KeyResolution)?;
    if kid_did != receipt.iss {
        return Err(SignedObjectError::KidMismatch {
            kid: shorten(kid, 80),
            expected: shorten(&receipt.iss, 80),
        }
        .into());
    }
    let mut header = Map::new();
    header.insert("typ".into(), json!(TYP_RECEIPT));
    header.insert("kid".into(), json!(kid));
    jws::sign(header, &receipt.to_value(), signer)
}

/// Verifies a receipt: the JWS (ES256 or EdDSA, no self-asserted key, `typ`
/// `civitas-receipt+jwt`), every member, `kid`'s DID equal to `iss`, the key resolved
/// as an `assertionMethod` key of `iss` as of the receipt's `iat`, the signature, and
/// `iat` at most 5 minutes after `now`.
pub fn verify_receipt(token: &str, resolver: &dyn Resolver, now: i64) -> Result<Receipt> {
    const WHAT: &str = "receipt";
    let token = token.trim_end_matches(['\r', '\n']);
    let jws = jws::parse(token, WHAT, TYP_RECEIPT, MAX_RECEIPT_LEN)?;
    let receipt = Receipt::from_map(&jws.payload)?;
    jws.verify_with_did(
        WHAT,
        &receipt.iss,
        resolver,
        Purpose::AssertionMethod,
        Some(receipt.iat),
    )?;
    if receipt.iat > now + RECEIPT_SKEW {
        return Err(SignedObjectError::IssuedInFuture {
            what: WHAT,
            ahead: receipt.iat - now,
        }
        .into());
    }
    Ok(receipt)
}
