//! The entries' Data Integrity proofs (`eddsa-jcs-2022`), signed and verified by
//! affinidi-data-integrity (didwebvh-rs's own proof layer) through an adapter over
//! `civitas_crypto::Signer`: the private key never leaves the Civitas signer, so no
//! secret is converted into another library's type.

use super::{LogError, Result};
use affinidi_data_integrity::crypto_suites::CryptoSuite;
use affinidi_data_integrity::{DataIntegrityError, DataIntegrityProof, SignOptions, VerifyOptions};
use chrono::{DateTime, Utc};
use civitas_crypto::{Algorithm, PublicKey, Signer};
use didwebvh_rs::prelude::{KeyType, async_trait};
use serde_json::Value;

/// `did:key:{multikey}#{multikey}`: how did:webvh proofs name their update key.
pub(crate) fn verification_method(key: &PublicKey) -> String {
    let mk = key.multikey();
    format!("did:key:{mk}#{mk}")
}

/// Presents a Civitas [`Signer`] (Ed25519) as an affinidi-data-integrity signer.
struct SignerAdapter<'a> {
    inner: &'a dyn Signer,
    verification_method: String,
}

#[async_trait]
impl affinidi_data_integrity::signer::Signer for SignerAdapter<'_> {
    fn key_type(&self) -> KeyType {
        KeyType::Ed25519
    }

    fn verification_method(&self) -> &str {
        &self.verification_method
    }

    async fn sign(&self, data: &[u8]) -> std::result::Result<Vec<u8>, DataIntegrityError> {
        self.inner.sign(data).map_err(DataIntegrityError::signing)
    }
}

/// Signs `entry` (without `proof`) with `signer`, `created` = `time`, purpose
/// `assertionMethod`: the proof object to put in the entry's `proof` array.
pub(crate) fn sign_entry(entry: &Value, signer: &dyn Signer, time: DateTime<Utc>) -> Result<Value> {
    if signer.algorithm() != Algorithm::EdDsa {
        return Err(LogError::UnsupportedKey(signer.algorithm().jose_name()));
    }
    let adapter = SignerAdapter {
        inner: signer,
        verification_method: verification_method(&signer.public_key()),
    };
    let options = SignOptions::new()
        .with_created(time)
        .with_cryptosuite(CryptoSuite::EddsaJcs2022)
        .with_proof_purpose("assertionMethod");
    // Nothing here awaits I/O: the future completes on its first poll.
    let proof = pollster::block_on(DataIntegrityProof::sign(entry, &adapter, options)).map_err(
        |e| match e {
            DataIntegrityError::Signing(source) => match source.downcast::<civitas_crypto::Error>()
            {
                Ok(civitas) => LogError::Signing(*civitas),
                Err(other) => LogError::Malformed(format!("cannot sign the entry: {other}")),
            },
            other => LogError::Malformed(format!("cannot sign the entry: {other}")),
        },
    )?;
    serde_json::to_value(proof).map_err(|e| LogError::Malformed(e.to_string()))
}

/// A proof that passed the shape checks: its key and the parsed proof.
pub(crate) struct CheckedProof {
    pub(crate) key: PublicKey,
    pub(crate) multikey: String,
    proof: DataIntegrityProof,
}

/// Shape checks of did:webvh 1.0 §"Authorized Keys": a `DataIntegrityProof` with the
/// `eddsa-jcs-2022` cryptosuite, `proofPurpose` `assertionMethod`, a `proofValue`,
/// and a verification method `did:key:{mk}#{mk}` naming an Ed25519 multikey.
pub(crate) fn check_proof(version: u64, proof: &Value) -> Result<CheckedProof> {
    let bad = |reason: &str| LogError::BadProof {
        version,
        reason: reason.to_string(),
    };
    let obj = proof
        .as_object()
        .ok_or_else(|| bad("a proof is not an object"))?;
    let text = |name: &str| obj.get(name).and_then(Value::as_str);
    if text("type") != Some("DataIntegrityProof") {
        return Err(bad("type is not DataIntegrityProof"));
    }
    if text("cryptosuite") != Some("eddsa-jcs-2022") {
        return Err(bad(
            "cryptosuite is not eddsa-jcs-2022 (the only one did:webvh 1.0 allows)",
        ));
    }
    if text("proofPurpose") != Some("assertionMethod") {
        return Err(bad("proofPurpose is not assertionMethod"));
    }
    if !text("proofValue").is_some_and(|v| v.starts_with('z')) {
        return Err(bad("no base58btc proofValue"));
    }
    let vm = text("verificationMethod").ok_or_else(|| bad("no verificationMethod"))?;
    let (did, fragment) = vm
        .split_once('#')
        .ok_or_else(|| bad("verificationMethod has no fragment"))?;
    let multikey = did
        .strip_prefix("did:key:")
        .ok_or_else(|| bad("verificationMethod is not a did:key"))?;
    if multikey != fragment {
        return Err(bad("verificationMethod fragment differs from its did:key"));
    }
    let key = PublicKey::from_multikey(multikey)
        .map_err(|_| bad("verificationMethod is not a valid multikey"))?;
    if key.algorithm() != Algorithm::EdDsa {
        return Err(bad("the update key is not Ed25519"));
    }
    let proof: DataIntegrityProof =
        serde_json::from_value(proof.clone()).map_err(|e| bad(&e.to_string()))?;
    Ok(CheckedProof {
        key,
        multikey: multikey.to_string(),
        proof,
    })
}

/// Verifies the signature of a checked proof over `entry` (the received entry object
/// with `proof` removed). The proof's `created` is not compared with the wall clock:
/// time is the caller's input, and did:webvh orders entries by `versionTime`.
pub(crate) fn verify(version: u64, checked: &CheckedProof, unsigned_entry: &Value) -> Result<()> {
    let options = VerifyOptions::new()
        .with_allowed_suites(vec![CryptoSuite::EddsaJcs2022])
        .with_clock_skew(chrono::TimeDelta::MAX);
    checked
        .proof
        .verify_with_public_key(unsigned_entry, checked.key.as_bytes(), options)
        .map_err(|_| LogError::BadSignature { version })
}
