//! [`NoteSigner`]: signs note texts with an Ed25519 [`Signer`], and adds
//! cosignatures to parsed notes.

use super::key::{NoteVerifier, check_key_name, ed25519_bytes, ed25519_key_id};
use super::note::{MAX_SIGNATURES, NoteSignature, SignedNote, check_note_text};
use crate::{Error, Result};
use civitas_crypto::{Algorithm, Signer, SigningKey};
use std::fmt;

/// Signs notes as `name` with an Ed25519 [`Signer`] (a [`SigningKey`] by default; a
/// hardware keystore implementing [`Signer`] works the same).
pub struct NoteSigner<S: Signer = SigningKey> {
    name: String,
    key_id: u32,
    signer: S,
}

impl<S: Signer> fmt::Debug for NoteSigner<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteSigner({}+{:08x})", self.name, self.key_id)
    }
}

impl<S: Signer> NoteSigner<S> {
    /// A signer for `name`; the signer's algorithm must be EdDSA (Ed25519).
    pub fn new(name: impl Into<String>, signer: S) -> Result<Self> {
        let name = name.into();
        check_key_name(&name)?;
        if signer.algorithm() != Algorithm::EdDsa {
            return Err(Error::UnsupportedAlgorithm(signer.algorithm()));
        }
        let key_id = ed25519_key_id(&name, &ed25519_bytes(&signer.public_key())?);
        Ok(NoteSigner {
            name,
            key_id,
            signer,
        })
    }

    /// The signer inside.
    pub fn into_inner(self) -> S {
        self.signer
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The matching verifier (publish its [`NoteVerifier::to_vkey`] string).
    pub fn verifier(&self) -> Result<NoteVerifier> {
        NoteVerifier::new(self.name.clone(), self.signer.public_key())
    }

    /// The signature line for `text`, which must be a valid note text.
    pub fn signature(&self, text: &str) -> Result<NoteSignature> {
        check_note_text(text)?;
        let signature = self.signer.sign(text.as_bytes())?;
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.key_id,
            signature,
        })
    }

    /// Signs `text` (ending in a newline, no control characters other than newline)
    /// and returns the whole signed note.
    pub fn sign(&self, text: &str) -> Result<String> {
        let signature = self.signature(text)?;
        Ok(SignedNote {
            text: text.to_owned(),
            signatures: vec![signature],
        }
        .to_string())
    }
}

impl SignedNote {
    /// Adds `signer`'s signature (a cosignature, say), replacing any line it had.
    pub fn add_signature<S: Signer>(&mut self, signer: &NoteSigner<S>) -> Result<()> {
        let signature = signer.signature(&self.text)?;
        self.signatures
            .retain(|s| !(s.name == signature.name && s.key_id == signature.key_id));
        if self.signatures.len() == MAX_SIGNATURES {
            return Err(Error::MalformedNote(
                "the note has too many signatures".into(),
            ));
        }
        self.signatures.push(signature);
        Ok(())
    }
}
