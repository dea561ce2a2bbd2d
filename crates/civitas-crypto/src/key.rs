//! Public keys (verification) and signing keys (private, zeroized), on ring.

use crate::jwk::decode_coordinate;
use crate::{Algorithm, Error, Jwk, Result, Rng, b64};
use ring::signature::{self, KeyPair as _};
use std::fmt;
use zeroize::Zeroizing;

/// Something that signs with one key. A hardware keystore implements this too.
pub trait Signer: Send + Sync {
    /// The algorithm this signer uses.
    fn algorithm(&self) -> Algorithm;
    /// The public key matching the signatures.
    fn public_key(&self) -> PublicKey;
    /// Signs `message`; JOSE form (`r || s` for ES256).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;
}

/// Something that checks signatures.
pub trait Verifier {
    /// Verifies a JOSE-form signature made with `alg` over `message`.
    fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<()>;
}

/// A public key of an allowed algorithm: P-256 as an uncompressed SEC1 point (65
/// bytes), Ed25519 as its 32 bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    alg: Algorithm,
    bytes: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({}, {})", self.alg, b64::encode(&self.bytes))
    }
}

impl PublicKey {
    /// A key from its raw form; the length is checked, the point itself is checked by
    /// ring when it verifies.
    pub fn from_bytes(alg: Algorithm, bytes: &[u8]) -> Result<Self> {
        let ok = match alg {
            Algorithm::Es256 => bytes.len() == 65 && bytes[0] == 4,
            Algorithm::EdDsa => bytes.len() == 32,
        };
        if !ok {
            return Err(Error::InvalidJwk(format!(
                "a {alg} public key cannot have {} bytes",
                bytes.len()
            )));
        }
        Ok(PublicKey {
            alg,
            bytes: bytes.to_vec(),
        })
    }

    /// Reads a public JWK. A JWK that carries a private member is refused: a private key
    /// must never travel where a public one is expected.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        if jwk.is_private() {
            return Err(Error::InvalidJwk(
                "contains private key material (\"d\") where a public key was expected".into(),
            ));
        }
        Self::from_jwk_public_part(jwk)
    }

    /// Reads a JWK from a JSON value (see [`PublicKey::from_jwk`]).
    pub fn from_jwk_value(value: &serde_json::Value) -> Result<Self> {
        Self::from_jwk(&Jwk::from_value(value)?)
    }

    pub(crate) fn from_jwk_public_part(jwk: &Jwk) -> Result<Self> {
        let alg = jwk.algorithm()?;
        match alg {
            Algorithm::Es256 => {
                let x = decode_coordinate("x", jwk.x.as_deref(), 32)?;
                let y = decode_coordinate("y", jwk.y.as_deref(), 32)?;
                let mut bytes = Vec::with_capacity(65);
                bytes.push(4);
                bytes.extend_from_slice(&x);
                bytes.extend_from_slice(&y);
                Ok(PublicKey { alg, bytes })
            }
            Algorithm::EdDsa => {
                if jwk.y.is_some() {
                    return Err(Error::InvalidJwk("an OKP key has no \"y\"".into()));
                }
                let x = decode_coordinate("x", jwk.x.as_deref(), 32)?;
                Ok(PublicKey { alg, bytes: x })
            }
        }
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The raw key bytes (uncompressed SEC1 point, or Ed25519 bytes).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The public JWK (no `alg`, no `kid`).
    pub fn to_jwk(&self) -> Jwk {
        match self.alg {
            Algorithm::Es256 => Jwk {
                kty: "EC".into(),
                crv: Some("P-256".into()),
                x: Some(b64::encode(&self.bytes[1..33])),
                y: Some(b64::encode(&self.bytes[33..65])),
                d: None,
                alg: None,
                kid: None,
            },
            Algorithm::EdDsa => Jwk {
                kty: "OKP".into(),
                crv: Some("Ed25519".into()),
                x: Some(b64::encode(&self.bytes)),
                y: None,
                d: None,
                alg: None,
                kid: None,
            },
        }
    }

    /// The public JWK as a JSON value.
    pub fn to_jwk_value(&self) -> serde_json::Value {
        serde_json::to_value(self.to_jwk()).unwrap_or(serde_json::Value::Null)
    }

    /// RFC 7638 thumbprint.
    pub fn thumbprint(&self) -> String {
        b64::sha256_b64(self.canonical_json())
    }

    fn canonical_json(&self) -> String {
        // The JWK built by `to_jwk` always has the members `canonical_public_json` needs.
        self.to_jwk().canonical_public_json().unwrap_or_default()
    }

    /// `did:jwk` of this key: base64url of the JCS-serialised public JWK.
    pub fn did_jwk(&self) -> String {
        format!("did:jwk:{}", b64::encode(self.canonical_json()))
    }

    /// The verification method id of the key in its `did:jwk` document.
    pub fn did_jwk_url(&self) -> String {
        format!("{}#0", self.did_jwk())
    }

    /// Multicodec-prefixed public key, multibase base58btc (`z…`): the `did:key`
    /// method-specific id and the `publicKeyMultibase` of a Multikey.
    pub fn multikey(&self) -> String {
        let mut data = Vec::with_capacity(35);
        match self.alg {
            Algorithm::Es256 => {
                data.extend_from_slice(&[0x80, 0x24]); // p256-pub, varint of 0x1200
                let y_odd = self.bytes[64] & 1 == 1;
                data.push(if y_odd { 3 } else { 2 });
                data.extend_from_slice(&self.bytes[1..33]);
            }
            Algorithm::EdDsa => {
                data.extend_from_slice(&[0xed, 0x01]); // ed25519-pub
                data.extend_from_slice(&self.bytes);
            }
        }
        format!("z{}", bs58::encode(data).into_string())
    }

    /// Reads a Multikey (`z…` base58btc, multicodec p256-pub or ed25519-pub).
    pub fn from_multikey(text: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidDid(format!("multikey: {why}"));
        let body = text.strip_prefix('z').ok_or_else(|| bad("not base58btc"))?;
        let data = bs58::decode(body)
            .into_vec()
            .map_err(|_| bad("not base58btc"))?;
        match data.as_slice() {
            [0xed, 0x01, rest @ ..] if rest.len() == 32 => {
                PublicKey::from_bytes(Algorithm::EdDsa, rest)
            }
            [0x80, 0x24, rest @ ..] if rest.len() == 33 => {
                let point =
                    p256::PublicKey::from_sec1_bytes(rest).map_err(|_| bad("not a P-256 point"))?;
                use p256::elliptic_curve::sec1::ToEncodedPoint;
                PublicKey::from_bytes(Algorithm::Es256, point.to_encoded_point(false).as_bytes())
            }
            [] | [_] => Err(bad("too short")),
            _ => Err(Error::UnsupportedKeyType(
                "multikey is not P-256 or Ed25519".into(),
            )),
        }
    }

    /// `did:key` of this key.
    pub fn did_key(&self) -> String {
        format!("did:key:{}", self.multikey())
    }

    /// The key of a `did:jwk` or `did:key` DID (a fragment, if any, is ignored).
    pub fn from_did(did: &str) -> Result<Self> {
        let did = did.split('#').next().unwrap_or(did);
        if let Some(id) = did.strip_prefix("did:jwk:") {
            let json = b64::decode(id)
                .map_err(|_| Error::InvalidDid("did:jwk id is not base64url".into()))?;
            let text = std::str::from_utf8(&json)
                .map_err(|_| Error::InvalidDid("did:jwk id is not UTF-8".into()))?;
            PublicKey::from_jwk(&Jwk::from_json(text)?)
        } else if let Some(id) = did.strip_prefix("did:key:") {
            PublicKey::from_multikey(id)
        } else {
            Err(Error::InvalidDid(
                "only did:jwk and did:key carry their key".into(),
            ))
        }
    }
}

impl Verifier for PublicKey {
    fn verify(&self, alg: Algorithm, message: &[u8], sig: &[u8]) -> Result<()> {
        if alg != self.alg {
            return Err(Error::AlgorithmMismatch {
                key: self.alg.jose_name(),
                sig: alg.jose_name().into(),
            });
        }
        if sig.len() != alg.signature_len() {
            return Err(Error::SignatureLength {
                alg: alg.jose_name(),
                want: alg.signature_len(),
                got: sig.len(),
            });
        }
        let verification: &dyn signature::VerificationAlgorithm = match alg {
            Algorithm::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
            Algorithm::EdDsa => &signature::ED25519,
        };
        signature::UnparsedPublicKey::new(verification, &self.bytes)
            .verify(message, sig)
            .map_err(|_| Error::BadSignature)
    }
}

/// A private signing key. The private bytes live in a `Zeroizing` buffer, wiped on
/// drop; `Debug` shows only the public half.
pub struct SigningKey {
    alg: Algorithm,
    secret: Zeroizing<Vec<u8>>,
    public: PublicKey,
    /// ring's P-256 key pair, built on the first signature and kept: building it
    /// checks the public point (a scalar multiplication), a third of an ES256
    /// signature's cost. ring does not wipe it on drop; it holds the same scalar as
    /// `secret` for the key's lifetime (rebuilding it per signature left one such
    /// copy in freed memory per signature instead).
    es256: std::sync::OnceLock<signature::EcdsaKeyPair>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigningKey({}, public {})",
            self.alg,
            self.public.did_jwk()
        )
    }
}

impl SigningKey {
    /// Generates a new key from `rng`.
    pub fn generate(alg: Algorithm, rng: &dyn Rng) -> Result<Self> {
        for _ in 0..16 {
            let mut secret = Zeroizing::new(vec![0u8; 32]);
            rng.fill(&mut secret)?;
            match Self::from_secret(alg, &secret) {
                Ok(key) => return Ok(key),
                // A P-256 scalar of zero or ≥ n: astronomically rare, draw again.
                Err(Error::InvalidPrivateKey) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Rng)
    }

    /// A key from its 32 private bytes: the P-256 scalar, or the Ed25519 seed.
    pub fn from_secret(alg: Algorithm, secret: &[u8]) -> Result<Self> {
        if secret.len() != 32 {
            return Err(Error::InvalidPrivateKey);
        }
        let public = match alg {
            Algorithm::Es256 => {
                use p256::elliptic_curve::sec1::ToEncodedPoint;
                let sk =
                    p256::SecretKey::from_slice(secret).map_err(|_| Error::InvalidPrivateKey)?;
                let point = sk.public_key().to_encoded_point(false);
                PublicKey::from_bytes(alg, point.as_bytes())?
            }
            Algorithm::EdDsa => {
                let pair = signature::Ed25519KeyPair::from_seed_unchecked(secret)
                    .map_err(|_| Error::InvalidPrivateKey)?;
                PublicKey::from_bytes(alg, pair.public_key().as_ref())?
            }
        };
        Ok(SigningKey {
            alg,
            secret: Zeroizing::new(secret.to_vec()),
            public,
            es256: std::sync::OnceLock::new(),
        })
    }

    /// A key from a private JWK; the private part must match the public one.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        let alg = jwk.algorithm()?;
        let d = jwk
            .d
            .as_ref()
            .ok_or_else(|| Error::NotAPrivateKey("the JWK".into()))?;
        let secret =
            Zeroizing::new(crate::b64::decode(d.as_bytes()).map_err(|_| Error::InvalidPrivateKey)?);
        let key = Self::from_secret(alg, &secret)?;
        let stated = PublicKey::from_jwk_public_part(jwk)?;
        if stated != key.public {
            return Err(Error::InvalidPrivateKey);
        }
        Ok(key)
    }

    /// The private JWK, with `alg` set. Handle with care: it is the key.
    pub fn to_private_jwk(&self) -> Jwk {
        let mut jwk = self.public.to_jwk();
        jwk.d = Some(Zeroizing::new(b64::encode(&*self.secret)));
        jwk.alg = Some(self.alg.jose_name().into());
        jwk
    }

    /// The 32 private bytes, for wrapping into an encrypted store.
    pub fn secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.secret.clone()
    }

    /// The public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }
}

impl Signer for SigningKey {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        match self.alg {
            Algorithm::Es256 => {
                let rng = ring::rand::SystemRandom::new();
                let pair = match self.es256.get() {
                    Some(pair) => pair,
                    None => {
                        let pair = signature::EcdsaKeyPair::from_private_key_and_public_key(
                            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                            &self.secret,
                            self.public.as_bytes(),
                            &rng,
                        )
                        .map_err(|_| Error::InvalidPrivateKey)?;
                        // A racing thread may have set it first: either pair is the same key.
                        let _ = self.es256.set(pair);
                        self.es256.get().ok_or(Error::Signing)?
                    }
                };
                let sig = pair.sign(&rng, message).map_err(|_| Error::Signing)?;
                Ok(sig.as_ref().to_vec())
            }
            Algorithm::EdDsa => {
                let pair = signature::Ed25519KeyPair::from_seed_and_public_key(
                    &self.secret,
                    self.public.as_bytes(),
                )
                .map_err(|_| Error::InvalidPrivateKey)?;
                Ok(pair.sign(message).as_ref().to_vec())
            }
        }
    }
}

impl<S: Signer + ?Sized> Signer for &S {
    fn algorithm(&self) -> Algorithm {
        (**self).algorithm()
    }
    fn public_key(&self) -> PublicKey {
        (**self).public_key()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        (**self).sign(message)
    }
}

impl<S: Signer + ?Sized> Signer for std::sync::Arc<S> {
    fn algorithm(&self) -> Algorithm {
        (**self).algorithm()
    }
    fn public_key(&self) -> PublicKey {
        (**self).public_key()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        (**self).sign(message)
    }
}
