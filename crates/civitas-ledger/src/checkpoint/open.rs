//! Where checkpoints and notes meet: signing a checkpoint into a note, and opening a
//! note back into a checkpoint its log key signed.

use super::body::Checkpoint;
use super::key::NoteVerifier;
use super::note::SignedNote;
use super::signer::NoteSigner;
use crate::Result;
use civitas_crypto::Signer;

impl Checkpoint {
    /// Parses a signed checkpoint note, checks that `log_key` signed it (other
    /// signatures are ignored, as the spec says of unknown keys) and parses its body.
    ///
    /// The origin is not compared with the key name (the spec only recommends that
    /// they match, and real logs differ): the caller checks that `origin` is the log
    /// it expects.
    pub fn open(note: &str, log_key: &NoteVerifier) -> Result<Self> {
        SignedNote::parse(note)?.verify_checkpoint(log_key)
    }
}

impl SignedNote {
    /// Checks that `log_key` signed the note, then parses the text as a checkpoint.
    pub fn verify_checkpoint(&self, log_key: &NoteVerifier) -> Result<Checkpoint> {
        self.verify_required(log_key, &[])?;
        Checkpoint::parse(self.text())
    }
}

impl<S: Signer> NoteSigner<S> {
    /// Signs a checkpoint and returns the signed note.
    pub fn sign_checkpoint(&self, checkpoint: &Checkpoint) -> Result<String> {
        self.sign(&checkpoint.to_text()?)
    }
}
