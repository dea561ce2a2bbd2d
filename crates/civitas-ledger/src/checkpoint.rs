//! Checkpoints: C2SP tlog-checkpoint bodies inside C2SP signed notes.
//!
//! A checkpoint (<https://c2sp.org/tlog-checkpoint>) states a log's origin, tree size
//! and root hash:
//!
//! ```text
//! example.com/behind-the-sofa
//! 20852163
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//!
//! — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
//! ```
//!
//! and travels as a signed note (<https://c2sp.org/signed-note>): the text, a blank
//! line, then one line per signature, `— <key name> <base64(key ID || signature)>`.
//! Notes are signed here with Ed25519 (signature type `0x01`); the key ID is the first
//! four bytes of `SHA-256(key name || 0x0A || 0x01 || public key)`, and a verifier key
//! is written `<name>+<8 hex key ID>+<base64(0x01 || public key)>`.
//!
//! Parsing is strict: anything the specs do not allow is refused, never repaired.
//! Verification follows the signed-note rules: signatures from unknown keys are
//! ignored, a signature from a known key that does not verify rejects the whole note,
//! and a note without a valid signature from a known key is rejected.

use crate::{Error, Hash, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use civitas_crypto::{Algorithm, PublicKey, Signer, SigningKey, Verifier as _};
use std::fmt;
use std::str::FromStr;

/// The signature type byte of Ed25519 note signatures.
const ED25519_TYPE: u8 = 0x01;
/// Length of an Ed25519 public key.
const ED25519_KEY_LEN: usize = 32;
/// The em dash and space that open a signature line.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// The largest note [`SignedNote::parse`] accepts, in bytes.
pub const MAX_NOTE_LEN: usize = 256 * 1024;
/// The most signature lines [`SignedNote::parse`] accepts (the spec asks for at least
/// 16; golang.org/x/mod/sumdb/note allows 100).
pub const MAX_SIGNATURES: usize = 100;
/// The largest checkpoint body [`Checkpoint::parse`] accepts, in bytes.
pub const MAX_CHECKPOINT_LEN: usize = 64 * 1024;

/// A tree head as C2SP tlog-checkpoint writes it: origin, size, root, and optional
/// extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `example.com/log42`: non-empty, one line. It SHOULD be a
    /// schema-less URL with no spaces or '+', but verifiers may not assume so.
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The RFC 9162 root hash of the first `size` leaves.
    pub root: Hash,
    /// Extension lines, each non-empty (their use is NOT RECOMMENDED by the spec).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines; the origin is checked.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self> {
        let checkpoint = Checkpoint {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        };
        checkpoint.validate()?;
        Ok(checkpoint)
    }

    /// Checks what the fields cannot enforce: a non-empty one-line origin and non-empty
    /// one-line extensions, with no control characters.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: &str| Err(Error::MalformedCheckpoint(why.into()));
        if self.origin.is_empty() {
            return bad("the origin is empty");
        }
        if has_control(&self.origin) {
            return bad("the origin contains a control character or newline");
        }
        for extension in &self.extensions {
            if extension.is_empty() {
                return bad("an extension line is empty");
            }
            if has_control(extension) {
                return bad("an extension line contains a control character or newline");
            }
        }
        Ok(())
    }

    /// Parses a checkpoint body (the note text, without signatures): at least three
    /// non-empty lines, each ending in a newline; the size in decimal without leading
    /// zeros; the root in padded standard base64 of exactly 32 bytes.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| Err(Error::MalformedCheckpoint(why.into()));
        if text.len() > MAX_CHECKPOINT_LEN {
            return bad("the checkpoint is too large");
        }
        let Some(body) = text.strip_suffix('\n') else {
            return bad("the checkpoint does not end in a newline");
        };
        if body.bytes().any(|b| b < 0x20 && b != b'\n') {
            return bad("the checkpoint contains a control character");
        }
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return bad("a checkpoint has at least three lines");
        };
        if origin.is_empty() {
            return bad("the origin is empty");
        }
        let size = parse_decimal(size)
            .ok_or_else(|| Error::MalformedCheckpoint(format!("bad tree size {size:?}")))?;
        let root = STANDARD
            .decode(root)
            .ok()
            .and_then(|bytes| Hash::from_slice(&bytes).ok())
            .ok_or_else(|| Error::MalformedCheckpoint(format!("bad root hash {root:?}")))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return bad("an extension line is empty");
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// The checkpoint body, the exact text a log signs.
    pub fn to_text(&self) -> Result<String> {
        self.validate()?;
        let mut text = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root.as_bytes())
        );
        for extension in &self.extensions {
            text.push_str(extension);
            text.push('\n');
        }
        Ok(text)
    }

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

impl FromStr for Checkpoint {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        Checkpoint::parse(text)
    }
}

/// ASCII decimal without sign or leading zeros ("0" alone is allowed).
fn parse_decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if text.len() > 1 && text.starts_with('0') {
        return None;
    }
    text.parse().ok()
}

/// Whether `text` has a character below U+0020 (newline included).
fn has_control(text: &str) -> bool {
    text.bytes().any(|b| b < 0x20)
}

/// Checks a signed-note key name: non-empty, no Unicode spaces, no '+', no control
/// characters.
pub fn check_key_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c < ' ');
    if bad {
        Err(Error::InvalidKeyName(name.chars().take(64).collect()))
    } else {
        Ok(())
    }
}

/// The key ID of an Ed25519 note key: the first four bytes, big-endian, of
/// `SHA-256(name || 0x0A || 0x01 || public key)`.
pub fn ed25519_key_id(name: &str, public_key: &[u8; ED25519_KEY_LEN]) -> u32 {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(name.as_bytes());
    ctx.update(&[0x0a, ED25519_TYPE]);
    ctx.update(public_key);
    let digest = ctx.finish();
    let bytes = digest.as_ref();
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

fn ed25519_bytes(key: &PublicKey) -> Result<[u8; ED25519_KEY_LEN]> {
    if key.algorithm() != Algorithm::EdDsa {
        return Err(Error::UnsupportedAlgorithm(key.algorithm()));
    }
    <[u8; ED25519_KEY_LEN]>::try_from(key.as_bytes())
        .map_err(|_| Error::InvalidVerifierKey("an Ed25519 key has 32 bytes".into()))
}

/// A known note key: name, key ID and Ed25519 public key. Parsed from, and written as,
/// the verifier key string `<name>+<8 hex key ID>+<base64(0x01 || public key)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: PublicKey,
}

impl NoteVerifier {
    /// A verifier for `key` under `name`; the key must be Ed25519.
    pub fn new(name: impl Into<String>, key: PublicKey) -> Result<Self> {
        let name = name.into();
        check_key_name(&name)?;
        let key_id = ed25519_key_id(&name, &ed25519_bytes(&key)?);
        Ok(NoteVerifier { name, key_id, key })
    }

    /// Parses a verifier key string, strictly: lower-case hex key ID, padded canonical
    /// base64, signature type `0x01`, a 32-byte key, and a key ID that matches the name
    /// and key.
    pub fn parse(vkey: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidVerifierKey(why.into());
        let (name, rest) = vkey
            .split_once('+')
            .ok_or_else(|| bad("expected <name>+<key ID>+<key>"))?;
        check_key_name(name)?;
        let (id_hex, key_b64) = rest
            .split_once('+')
            .ok_or_else(|| bad("expected <name>+<key ID>+<key>"))?;
        if id_hex.len() != 8
            || !id_hex
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(bad("the key ID is not 8 lower-case hex digits"));
        }
        let key_id = u32::from_str_radix(id_hex, 16).map_err(|_| bad("bad key ID"))?;
        let key = STANDARD
            .decode(key_b64)
            .map_err(|_| bad("the key is not padded standard base64"))?;
        let Some((&key_type, public)) = key.split_first() else {
            return Err(bad("the key is empty"));
        };
        if key_type != ED25519_TYPE {
            return Err(bad("the key is not an Ed25519 (0x01) key"));
        }
        let public: [u8; ED25519_KEY_LEN] = public
            .try_into()
            .map_err(|_| bad("an Ed25519 key has 32 bytes"))?;
        if ed25519_key_id(name, &public) != key_id {
            return Err(bad("the key ID does not match the name and key"));
        }
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id,
            key: PublicKey::from_bytes(Algorithm::EdDsa, &public)?,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The verifier key string.
    pub fn to_vkey(&self) -> String {
        self.to_string()
    }

    fn matches(&self, signature: &NoteSignature) -> bool {
        self.name == signature.name && self.key_id == signature.key_id
    }
}

impl fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = Vec::with_capacity(1 + ED25519_KEY_LEN);
        key.push(ED25519_TYPE);
        key.extend_from_slice(self.key.as_bytes());
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.key_id,
            STANDARD.encode(key)
        )
    }
}

impl FromStr for NoteVerifier {
    type Err = Error;
    fn from_str(vkey: &str) -> Result<Self> {
        NoteVerifier::parse(vkey)
    }
}

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

    /// Signs a checkpoint and returns the signed note.
    pub fn sign_checkpoint(&self, checkpoint: &Checkpoint) -> Result<String> {
        self.sign(&checkpoint.to_text()?)
    }
}

/// Checks a note text: non-empty, ends in a newline, no control characters other than
/// newline, within [`MAX_NOTE_LEN`].
fn check_note_text(text: &str) -> Result<()> {
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
    text: String,
    signatures: Vec<NoteSignature>,
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
                name: required.name.clone(),
                key_id: required.key_id,
            });
        }
        Ok(signers)
    }

    /// Checks that `log_key` signed the note, then parses the text as a checkpoint.
    pub fn verify_checkpoint(&self, log_key: &NoteVerifier) -> Result<Checkpoint> {
        self.verify_required(log_key, &[])?;
        Checkpoint::parse(&self.text)
    }

    fn verify_refs<'v>(&self, known: &[&'v NoteVerifier]) -> Result<Vec<&'v NoteVerifier>> {
        let mut signers: Vec<&'v NoteVerifier> = Vec::new();
        for signature in &self.signatures {
            let mut matching = known.iter().filter(|v| v.matches(signature));
            let Some(&verifier) = matching.next() else {
                continue;
            };
            if matching.any(|other| other.key != verifier.key) {
                return Err(Error::AmbiguousKey {
                    name: signature.name.clone(),
                    key_id: signature.key_id,
                });
            }
            verifier
                .key
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
