//! The checkpoint body (C2SP tlog-checkpoint): origin, size, root, extension lines.

use crate::{Error, Hash, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::str::FromStr;

/// The largest checkpoint body [`Checkpoint::parse`] accepts, in bytes.
pub const MAX_CHECKPOINT_LEN: usize = 64 * 1024;

/// The latest signing time [`Checkpoint::time`] accepts: 9999-12-31T23:59:59Z, so that
/// any age computed from it stays far inside `i64`.
pub const MAX_CHECKPOINT_TIME: i64 = 253_402_300_799;

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

    /// The signing time a Civitas log writes as the extension line `time <unix
    /// seconds>`: plain decimal (no sign, no leading zeros), at most
    /// [`MAX_CHECKPOINT_TIME`]. `None` when there is no such line or it is not a time
    /// (a node-supplied `time -9223372036854775808` is no time, never a panic later).
    pub fn time(&self) -> Option<i64> {
        self.extensions
            .iter()
            .find_map(|l| l.strip_prefix("time "))
            .and_then(parse_decimal)
            .and_then(|t| i64::try_from(t).ok())
            .filter(|t| *t <= MAX_CHECKPOINT_TIME)
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
