//! Multi-part sequences: splitting a frame too large for one readable code, and the
//! [`Assembler`] that puts the parts back together.

use flate2::Crc;

use super::base45;
use super::error::{Error, Result};
use super::payload::{self, PART_PREFIX, PREFIX};
use super::render::{self, QrOptions};

/// The most parts a sequence may have.
pub const MAX_PARTS: u16 = 32;

/// CRC-32 (ISO-HDLC, as in zip and PNG) of a frame.
pub(crate) fn checksum(frame: &[u8]) -> u32 {
    let mut crc = Crc::new();
    crc.update(frame);
    crc.sum()
}

/// Encodes a presentation as one `CIV1:` text if it fits in a code of at most
/// `options.max_version` at `options.ecc`, or else as the fewest `CIV1-k/n-CRC32:`
/// parts that each fit.
///
/// Parts carry near-equal slices of the same binary frame that [`encode_payload`]
/// would put in one code, so they come out at about the same QR version. Fails with
/// [`Error::TooLargeForQr`] if even [`MAX_PARTS`] parts would not fit, and with
/// [`Error::InvalidOption`] for an invalid `options`.
///
/// [`encode_payload`]: crate::qr::encode_payload
pub fn encode_parts(presentation: &str, options: &QrOptions) -> Result<Vec<String>> {
    options.validate()?;
    let frame = payload::encode_frame(presentation);
    let fits = |text: &str| {
        render::min_version(text, options.ecc).is_some_and(|v| v <= options.max_version)
    };
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
    Err(Error::TooLargeForQr {
        max_version: options.max_version,
        ecc: options.ecc,
    })
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
        parts.push(format!(
            "{PART_PREFIX}{}/{n}-{crc:08X}:{}",
            k + 1,
            base45::encode(chunk)
        ));
    }
    parts
}

/// One parsed part.
#[derive(Debug)]
pub(crate) struct Part {
    pub(crate) index: u16,
    pub(crate) total: u16,
    pub(crate) checksum: u32,
    pub(crate) chunk: Vec<u8>,
}

/// Parses `CIV1-k/n-XXXXXXXX:<Base45>`; `text` has been through `clean_text`.
pub(crate) fn parse_part(text: &str) -> Result<Part> {
    let rest = text
        .strip_prefix(PART_PREFIX)
        .ok_or_else(|| payload::wrong_prefix(text))?;
    let (header, data) = rest
        .split_once(':')
        .ok_or(Error::PartHeader("no ':' after the part header"))?;
    let (numbers, crc) = header
        .split_once('-')
        .ok_or(Error::PartHeader("no '-' before the checksum"))?;
    let (index, total) = numbers
        .split_once('/')
        .ok_or(Error::PartHeader("no '/' between part index and count"))?;
    let index = number(index)?;
    let total = number(total)?;
    if !(2..=MAX_PARTS).contains(&total) {
        return Err(Error::PartHeader("part count outside 2..=32"));
    }
    if index == 0 || index > total {
        return Err(Error::PartHeader("part index outside 1..=count"));
    }
    if crc.len() != 8
        || !crc
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    {
        return Err(Error::PartHeader("checksum is not 8 upper-case hex digits"));
    }
    let checksum = u32::from_str_radix(crc, 16)
        .map_err(|_| Error::PartHeader("checksum is not 8 upper-case hex digits"))?;
    let offset = text.len() - data.len();
    let chunk = base45::decode(data, offset)?;
    if chunk.is_empty() {
        return Err(Error::EmptyPayload);
    }
    Ok(Part {
        index,
        total,
        checksum,
        chunk,
    })
}

/// A decimal number of 1 to 2 digits, without leading zeros.
fn number(s: &str) -> Result<u16> {
    let ok = !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !ok || (s.len() > 1 && s.starts_with('0')) {
        return Err(Error::PartHeader(
            "part index and count are 1 or 2 digits without leading zeros",
        ));
    }
    s.parse()
        .map_err(|_| Error::PartHeader("part index or count is not a number"))
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
/// [`Error::SequenceMismatch`] and leaves the collected parts untouched, so a counter
/// can keep scanning; a part scanned twice is reported as a duplicate; a part whose
/// index was collected with other content is an [`Error::ConflictingPart`].
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
        let text = payload::clean_text(text)?;
        let part = if let Some(rest) = text.strip_prefix(PREFIX) {
            let frame = base45::decode(rest, PREFIX.len())?;
            if frame.is_empty() {
                return Err(Error::EmptyPayload);
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
            return Err(payload::wrong_prefix(text));
        };
        let seq = self.sequence.get_or_insert_with(|| Sequence {
            total: part.total,
            checksum: part.checksum,
            chunks: vec![None; usize::from(part.total)],
        });
        if (seq.total, seq.checksum) != (part.total, part.checksum) {
            return Err(Error::SequenceMismatch {
                total: seq.total,
                checksum: seq.checksum,
                got_total: part.total,
                got_checksum: part.checksum,
            });
        }
        let slot = &mut seq.chunks[usize::from(part.index - 1)];
        let duplicate = match slot {
            Some(existing) if *existing == part.chunk => true,
            Some(_) => return Err(Error::ConflictingPart { index: part.index }),
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
    /// presentation. [`Error::MissingParts`] tells which parts are still missing (all of
    /// them, with a count of 0, before the first scan).
    pub fn finish(&self) -> Result<String> {
        let Some(seq) = &self.sequence else {
            return Err(Error::MissingParts {
                total: 0,
                missing: Vec::new(),
            });
        };
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(Error::MissingParts {
                total: seq.total,
                missing,
            });
        }
        let frame: Vec<u8> = seq.chunks.iter().flatten().flatten().copied().collect();
        if checksum(&frame) != seq.checksum {
            return Err(Error::ChecksumMismatch);
        }
        payload::decode_frame(&frame)
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

    #[test]
    fn part_headers() {
        let good = parse_part("CIV1-2/3-0A0B0C0D:BB8").unwrap();
        assert_eq!(
            (good.index, good.total, good.checksum, good.chunk),
            (2, 3, 0x0A0B0C0D, b"AB".to_vec())
        );
        for bad in [
            "CIV1-2/3-0A0B0C0DBB8",
            "CIV1-2/3:BB8",
            "CIV1-23-0A0B0C0D:BB8",
            "CIV1-02/3-0A0B0C0D:BB8",
            "CIV1-4/3-0A0B0C0D:BB8",
            "CIV1-0/3-0A0B0C0D:BB8",
            "CIV1-1/1-0A0B0C0D:BB8",
            "CIV1-1/33-0A0B0C0D:BB8",
            "CIV1-1/100-0A0B0C0D:BB8",
            "CIV1-1/3-0A0B0C0:BB8",
            "CIV1-1/3-0A0B0C0G:BB8",
            "CIV1-/3-0A0B0C0D:BB8",
        ] {
            assert!(
                matches!(parse_part(bad), Err(Error::PartHeader(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_part("CIV1-1/3-0A0B0C0D:"),
            Err(Error::EmptyPayload)
        ));
        assert!(matches!(
            parse_part("CIV1-1/3-0A0B0C0D:GGW"),
            Err(Error::Base45Triplet { position: 18, .. })
        ));
    }
}
