//! Multi-part sequences: splitting a frame too large for one readable code, and the
//! [`Assembler`] that puts the parts back together.

use super::base45;
use super::capacity::{QrOptions, min_version};
use super::error::{MultipartError, RenderError, Result, TextError};
use super::frame::{decode_frame, encode_frame};
use super::prefix::{
    MAX_PARTS, PART_PREFIX, PREFIX, Part, checksum, clean_text, parse_part, part_text, wrong_prefix,
};

/// Encodes a presentation as one `CIV1:` text if it fits in a code of at most
/// `options.max_version` at `options.ecc`, or else as the fewest `CIV1-k/n-CRC32:`
/// parts that each fit.
///
/// Parts carry near-equal slices of the same binary frame that [`encode_payload`]
/// would put in one code, so they come out at about the same QR version. Fails with
/// [`RenderError::TooLargeForQr`](crate::qr::RenderError::TooLargeForQr) if even [`MAX_PARTS`](super::MAX_PARTS) parts would not fit, and with
/// [`RenderError::InvalidOption`](crate::qr::RenderError::InvalidOption) for an invalid `options`.
///
/// [`encode_payload`]: crate::qr::encode_payload
pub fn encode_parts(presentation: &str, options: &QrOptions) -> Result<Vec<String>> {
    options.validate()?;
    let frame = encode_frame(presentation);
    let fits =
        |text: &str| min_version(text, options.ecc).is_some_and(|v| v <= options.max_version);
    let single = format!("{PREFIX}{}", base45::encode(&frame));
    if fits(&single) {
        return Ok(vec![single]);
    }
    let crc = checksum(&frame);
    let most = usize::from(MAX_PARTS).min(frame.len());
    for n in 2..=most {
        let parts = split(&frame, n, crc);
        if parts.iter().all(|p| fits(p)) {
            return Ok(parts);
        }
    }
    Err(RenderError::TooLargeForQr {
        max_version: options.max_version,
        ecc: options.ecc,
    }
    .into())
}

/// Splits `frame` into `n` non-empty slices whose lengths differ by at most one.
fn split(frame: &[u8], n: usize, crc: u32) -> Vec<String> {
    let (base, extra) = (frame.len() / n, frame.len() % n);
    let mut parts = Vec::with_capacity(n);
    let mut start = 0;
    for k in 0..n {
        let len = base + usize::from(k < extra);
        let chunk = &frame[start..start + len];
        start += len;
        parts.push(part_text(k + 1, n, crc, chunk));
    }
    parts
}

/// Where an [`Assembler`] stands after a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Parts collected so far.
    pub received: u16,
    /// Parts in the sequence (1 for a single `CIV1:` code).
    pub total: u16,
    /// The scanned part had been collected already (a camera sees each code many
    /// times); nothing changed.
    pub duplicate: bool,
}

impl Progress {
    /// Whether every part is there: [`Assembler::finish`] can be called.
    pub fn is_complete(&self) -> bool {
        self.received == self.total
    }

    /// How many parts are still missing.
    pub fn missing(&self) -> u16 {
        self.total - self.received
    }
}

/// Collects scanned texts, single `CIV1:` codes or `CIV1-k/n-CRC32:` parts in any
/// order, and gives back the presentation once the sequence is complete.
///
/// A part from another sequence (a different count or checksum) is refused with
/// [`MultipartError::SequenceMismatch`](crate::qr::MultipartError::SequenceMismatch) and leaves the collected parts untouched, so a counter
/// can keep scanning; a part scanned twice is reported as a duplicate; a part whose
/// index was collected with other content is an [`MultipartError::ConflictingPart`](crate::qr::MultipartError::ConflictingPart).
///
/// ```
/// use civitas_exchange::qr::{encode_parts, Assembler, QrOptions};
///
/// // Stands for a long presentation: 1,500 pseudo-random letters.
/// let mut x = 1u32;
/// let presentation: String = (0..1500)
///     .map(|_| {
///         x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
///         char::from(b'a' + (x >> 16) as u8 % 26)
///     })
///     .collect();
/// let opts = QrOptions::default().with_max_version(10);
/// let parts = encode_parts(&presentation, &opts).unwrap();
/// assert!(parts.len() > 1);
///
/// let mut assembler = Assembler::new();
/// for part in parts.iter().rev() {
///     assembler.add(part).unwrap();
/// }
/// assert_eq!(assembler.finish().unwrap(), presentation);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Assembler {
    sequence: Option<Sequence>,
}

#[derive(Clone, Debug)]
struct Sequence {
    total: u16,
    checksum: u32,
    chunks: Vec<Option<Vec<u8>>>,
}

impl Sequence {
    fn progress(&self, duplicate: bool) -> Progress {
        let received = self.chunks.iter().filter(|c| c.is_some()).count();
        Progress {
            received: u16::try_from(received).unwrap_or(u16::MAX),
            total: self.total,
            duplicate,
        }
    }
}

impl Assembler {
    /// An empty assembler.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one scanned text (trailing CR/LF allowed). Errors leave the assembler as it
    /// was.
    pub fn add(&mut self, text: &str) -> Result<Progress> {
        let text = clean_text(text)?;
        let part = if let Some(rest) = text.strip_prefix(PREFIX) {
            let frame = base45::decode(rest, PREFIX.len())?;
            if frame.is_empty() {
                return Err(TextError::EmptyPayload.into());
            }
            Part {
                index: 1,
                total: 1,
                checksum: checksum(&frame),
                chunk: frame,
            }
        } else if text.starts_with(PART_PREFIX) {
            parse_part(text)?
        } else {
            return Err(wrong_prefix(text));
        };
        let seq = self.sequence.get_or_insert_with(|| Sequence {
            total: part.total,
            checksum: part.checksum,
            chunks: vec![None; usize::from(part.total)],
        });
        if (seq.total, seq.checksum) != (part.total, part.checksum) {
            return Err(MultipartError::SequenceMismatch {
                total: seq.total,
                checksum: seq.checksum,
                got_total: part.total,
                got_checksum: part.checksum,
            }
            .into());
        }
        let slot = &mut seq.chunks[usize::from(part.index - 1)];
        let duplicate = match slot {
            Some(existing) if *existing == part.chunk => true,
            Some(_) => return Err(MultipartError::ConflictingPart { index: part.index }.into()),
            None => {
                *slot = Some(part.chunk);
                false
            }
        };
        Ok(seq.progress(duplicate))
    }

    /// Where the assembler stands: `None` before the first part.
    pub fn progress(&self) -> Option<Progress> {
        self.sequence.as_ref().map(|s| s.progress(false))
    }

    /// The 1-based indexes of the parts still missing (empty before the first part:
    /// the count is not known yet).
    pub fn missing(&self) -> Vec<u16> {
        self.sequence.as_ref().map_or_else(Vec::new, |s| {
            (1..=s.total)
                .zip(&s.chunks)
                .filter(|(_, c)| c.is_none())
                .map(|(i, _)| i)
                .collect()
        })
    }

    /// Whether every part is there.
    pub fn is_complete(&self) -> bool {
        self.sequence
            .as_ref()
            .is_some_and(|s| s.chunks.iter().all(Option::is_some))
    }

    /// Forgets every part collected.
    pub fn reset(&mut self) {
        self.sequence = None;
    }

    /// Puts the parts together, checks the sequence checksum and decodes the
    /// presentation. [`MultipartError::MissingParts`](crate::qr::MultipartError::MissingParts) tells which parts are still missing (all of
    /// them, with a count of 0, before the first scan).
    pub fn finish(&self) -> Result<String> {
        let Some(seq) = &self.sequence else {
            return Err(MultipartError::MissingParts {
                total: 0,
                missing: Vec::new(),
            }
            .into());
        };
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(MultipartError::MissingParts {
                total: seq.total,
                missing,
            }
            .into());
        }
        let frame: Vec<u8> = seq.chunks.iter().flatten().flatten().copied().collect();
        if checksum(&frame) != seq.checksum {
            return Err(MultipartError::ChecksumMismatch.into());
        }
        decode_frame(&frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_even_and_complete() {
        let frame: Vec<u8> = (0..=255).collect();
        for n in 2..=32 {
            let parts = split(&frame, n, 0xDEADBEEF);
            assert_eq!(parts.len(), n);
            let chunks: Vec<Vec<u8>> = parts.iter().map(|p| parse_part(p).unwrap().chunk).collect();
            let lens: Vec<usize> = chunks.iter().map(Vec::len).collect();
            assert!(lens.iter().max().unwrap() - lens.iter().min().unwrap() <= 1);
            assert_eq!(chunks.concat(), frame);
        }
    }
}
