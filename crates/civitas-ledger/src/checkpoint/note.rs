//! Signed notes (C2SP signed-note): the text, a blank line, one signature line per
//! key; strict parsing and verification against known keys.

use super::key::{NoteVerifier, check_key_name};
use crate::{Error, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use civitas_crypto::{Algorithm, Verifier as _};
use std::fmt;
use std::str::FromStr;

/// The em dash and space that open a signature line.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// The largest note [`SignedNote::parse`] accepts, in bytes.
pub const MAX_NOTE_LEN: usize = 256 * 1024;
/// The most signature lines [`SignedNote::parse`] accepts (the spec asks for at least
/// 16; golang.org/x/mod/sumdb/note allows 100).
pub const MAX_SIGNATURES: usize = 100;

/// Checks a note text: non-empty, ends in a newline, no control characters other than
/// newline, within [`MAX_NOTE_LEN`].
pub(super) fn check_note_text(text: &str) -> Result<()> {
    if text.len() > MAX_NOTE_LEN {
        return Err(Error::MalformedNote("the note is too large".into()));
    }
    if !text.ends_with('\n') {
        return Err(Error::MalformedNote(
            "the note text does not end in a newline".into(),
        ));
    }
    if text.bytes().any(|b| b < 0x20 && b != b'\n') {
        return Err(Error::MalformedNote(
            "the note contains a control character".into(),
        ));
    }
    Ok(())
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub key_id: u32,
    /// The signature bytes, after the key ID.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    fn parse_line(line: &str) -> Result<Self> {
        let bad = |why: &str| Error::MalformedNote(why.into());
        let rest = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or_else(|| bad("a signature line does not start with an em dash and a space"))?;
        let (name, encoded) = rest
            .split_once(' ')
            .ok_or_else(|| bad("a signature line has no signature"))?;
        check_key_name(name).map_err(|_| bad("a signature line has an invalid key name"))?;
        let blob = STANDARD
            .decode(encoded)
            .map_err(|_| bad("a signature is not padded standard base64"))?;
        if blob.len() < 5 {
            return Err(bad("a signature is shorter than a key ID and one byte"));
        }
        let (id, signature) = blob.split_at(4);
        Ok(NoteSignature {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
            signature: signature.to_vec(),
        })
    }
}

impl fmt::Display for NoteSignature {
    /// The signature line, without its newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut blob = Vec::with_capacity(4 + self.signature.len());
        blob.extend_from_slice(&self.key_id.to_be_bytes());
        blob.extend_from_slice(&self.signature);
        write!(
            f,
            "{SIGNATURE_PREFIX}{} {}",
            self.name,
            STANDARD.encode(blob)
        )
    }
}

/// A parsed signed note: its text and signature lines. Its text must be ignored until
/// [`SignedNote::verify`] (or one of its variants) has succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    pub(super) text: String,
    pub(super) signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// Parses a signed note, strictly: valid UTF-8 (see [`SignedNote::parse_bytes`]),
    /// no control characters other than newline, at most [`MAX_NOTE_LEN`] bytes; the
    /// text ends in a newline and is separated from the signatures by the last blank
    /// line; then 1 to [`MAX_SIGNATURES`] well-formed signature lines, each ending in a
    /// newline, and nothing else.
    pub fn parse(note: &str) -> Result<Self> {
        let bad = |why: &str| Err(Error::MalformedNote(why.into()));
        if note.len() > MAX_NOTE_LEN {
            return bad("the note is too large");
        }
        if note.bytes().any(|b| b < 0x20 && b != b'\n') {
            return bad("the note contains a control character");
        }
        let Some(split) = note.rfind("\n\n") else {
            return bad("no blank line separates the text from the signatures");
        };
        let (text, signatures) = (&note[..=split], &note[split + 2..]);
        let Some(signatures) = signatures.strip_suffix('\n') else {
            return bad(if signatures.is_empty() {
                "the note has no signature lines"
            } else {
                "the last signature line does not end in a newline"
            });
        };
        let mut parsed = Vec::new();
        for line in signatures.split('\n') {
            if parsed.len() == MAX_SIGNATURES {
                return bad("the note has too many signatures");
            }
            parsed.push(NoteSignature::parse_line(line)?);
        }
        Ok(SignedNote {
            text: text.to_owned(),
            signatures: parsed,
        })
    }

    /// [`SignedNote::parse`] from bytes, which must be valid UTF-8.
    pub fn parse_bytes(note: &[u8]) -> Result<Self> {
        let note = std::str::from_utf8(note)
            .map_err(|_| Error::MalformedNote("the note is not valid UTF-8".into()))?;
        Self::parse(note)
    }

    /// The note text, final newline included. Unverified until a `verify` succeeds.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Verifies the signatures of the `known` keys and returns those keys whose
    /// signatures verified (each once, in order of first signature line).
    ///
    /// Signatures from unknown keys (no known key with both the name and the key ID)
    /// are ignored; a signature from a known key that does not verify is
    /// [`Error::BadSignature`]; two different known keys with the same name and ID are
    /// [`Error::AmbiguousKey`] when a line names them; no valid known signature at all
    /// is [`Error::NoValidSignature`]. A line repeated verbatim counts once.
    pub fn verify<'v>(&self, known: &'v [NoteVerifier]) -> Result<Vec<&'v NoteVerifier>> {
        let known: Vec<&NoteVerifier> = known.iter().collect();
        self.verify_refs(&known)
    }

    /// Like [`SignedNote::verify`], and `required` must be among the signers. The
    /// `others` (witnesses, say) are verified too when present.
    pub fn verify_required<'v>(
        &self,
        required: &'v NoteVerifier,
        others: &'v [NoteVerifier],
    ) -> Result<Vec<&'v NoteVerifier>> {
        let known: Vec<&NoteVerifier> = std::iter::once(required).chain(others).collect();
        let signers = match self.verify_refs(&known) {
            Err(Error::NoValidSignature) => Vec::new(),
            other => other?,
        };
        if !signers.contains(&required) {
            return Err(Error::MissingSignature {
                name: required.name().to_owned(),
                key_id: required.key_id(),
            });
        }
        Ok(signers)
    }

    fn verify_refs<'v>(&self, known: &[&'v NoteVerifier]) -> Result<Vec<&'v NoteVerifier>> {
        let mut signers: Vec<&'v NoteVerifier> = Vec::new();
        for signature in &self.signatures {
            let mut matching = known
                .iter()
                .filter(|v| v.name() == signature.name && v.key_id() == signature.key_id);
            let Some(&verifier) = matching.next() else {
                continue;
            };
            if matching.any(|other| other.public_key() != verifier.public_key()) {
                return Err(Error::AmbiguousKey {
                    name: signature.name.clone(),
                    key_id: signature.key_id,
                });
            }
            verifier
                .public_key()
                .verify(Algorithm::EdDsa, self.text.as_bytes(), &signature.signature)
                .map_err(|_| Error::BadSignature {
                    name: signature.name.clone(),
                    key_id: signature.key_id,
                })?;
            if !signers.contains(&verifier) {
                signers.push(verifier);
            }
        }
        if signers.is_empty() {
            return Err(Error::NoValidSignature);
        }
        Ok(signers)
    }
}

impl fmt::Display for SignedNote {
    /// The note as it travels: text, blank line, one line per signature.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for signature in &self.signatures {
            writeln!(f, "{signature}")?;
        }
        Ok(())
    }
}

impl FromStr for SignedNote {
    type Err = Error;
    fn from_str(note: &str) -> Result<Self> {
        SignedNote::parse(note)
    }
}
