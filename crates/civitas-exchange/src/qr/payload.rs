//! `CIV1:` texts: the frame, deflate with the preset dictionary, the checks on scanned
//! text.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::base45;
use super::compact::{self, Strings};
use super::dictionary::DICTIONARY_V1;
use super::error::{Error, Result};
use super::multipart;

/// The prefix of a single-code payload.
pub const PREFIX: &str = "CIV1:";
/// The prefix of one part of a multi-part sequence (`CIV1-k/n-CRC32:`).
pub const PART_PREFIX: &str = "CIV1-";
/// The longest scanned text accepted, in bytes (a version-40 QR code holds at most
/// 4,296 alphanumeric characters, so this leaves room for text typed or pasted from
/// elsewhere).
pub const MAX_TEXT_LEN: usize = 16 * 1024;
/// The most bytes a payload may inflate to. Presentations are a few kilobytes; a
/// deflate bomb is refused as soon as it passes this.
pub const MAX_INFLATED_LEN: usize = 64 * 1024;

/// Frame format 1, compact form.
pub(crate) const FORMAT_COMPACT: u8 = 0x01;
/// Frame format 1, raw text.
pub(crate) const FORMAT_RAW: u8 = 0x02;

/// Encodes a presentation (or any text) as a single `CIV1:` payload.
///
/// [`decode_payload`] gives back exactly `presentation`, byte for byte, whatever it is:
/// a compact SD-JWT is packed into the compact form, and anything that would not pack
/// better that way is carried as raw text in the same format. The result uses only the
/// QR alphanumeric character set.
///
/// The decoder refuses texts longer than [`MAX_TEXT_LEN`] and payloads that inflate to
/// more than [`MAX_INFLATED_LEN`] bytes, so a presentation too large for those limits
/// encodes, but does not decode; [`encode_parts`](crate::qr::encode_parts) checks what
/// fits in QR codes.
///
/// ```
/// use civitas_exchange::qr::{decode_payload, encode_payload};
///
/// let text = encode_payload("eyJhbGciOiJFUzI1NiJ9.e30.c2ln~");
/// assert!(text.starts_with("CIV1:"));
/// assert_eq!(decode_payload(&text).unwrap(), "eyJhbGciOiJFUzI1NiJ9.e30.c2ln~");
/// ```
pub fn encode_payload(presentation: &str) -> String {
    let frame = encode_frame(presentation);
    let mut text = String::with_capacity(PREFIX.len() + frame.len() / 2 * 3 + 2);
    text.push_str(PREFIX);
    text.push_str(&base45::encode(&frame));
    text
}

/// Decodes a single `CIV1:` payload back to the exact presentation text.
///
/// Trailing CR/LF (as a keyboard-wedge scanner types) are ignored. Everything else is
/// checked, each failure with its own [`Error`]: the length
/// ([`Error::TextTooLong`]), non-ASCII and control characters, the prefix (a part of a
/// multi-part sequence gives [`Error::PartOfSequence`]), strict Base45, the frame
/// format, the inflated size ([`Error::InflatedTooLarge`]), the deflate stream and the
/// compact form.
pub fn decode_payload(text: &str) -> Result<String> {
    let text = clean_text(text)?;
    if let Some(rest) = text.strip_prefix(PREFIX) {
        let frame = base45::decode(rest, PREFIX.len())?;
        decode_frame(&frame)
    } else if text.starts_with(PART_PREFIX) {
        let part = multipart::parse_part(text)?;
        Err(Error::PartOfSequence {
            index: part.index,
            total: part.total,
        })
    } else {
        Err(wrong_prefix(text))
    }
}

pub(crate) fn wrong_prefix(text: &str) -> Error {
    // `text` is ASCII here (checked by `clean_text`), so any byte index is a boundary.
    Error::WrongPrefix {
        found: text[..text.len().min(PREFIX.len())].to_owned(),
    }
}

/// The checks every scanned text goes through first; returns the text without its
/// trailing CR/LF.
pub(crate) fn clean_text(text: &str) -> Result<&str> {
    if text.len() > MAX_TEXT_LEN {
        return Err(Error::TextTooLong {
            len: text.len(),
            max: MAX_TEXT_LEN,
        });
    }
    let text = text.trim_end_matches(['\r', '\n']);
    for (position, byte) in text.bytes().enumerate() {
        if !byte.is_ascii() {
            return Err(Error::NonAscii { position });
        }
        if byte.is_ascii_control() {
            return Err(Error::ControlCharacter { position, byte });
        }
    }
    Ok(text)
}

/// The binary frame: a format byte and a raw deflate stream. Tries the compact form
/// (two string policies) and the raw text, and keeps the shortest.
pub(crate) fn encode_frame(presentation: &str) -> Vec<u8> {
    let compact = |strings| {
        let c = compact::encode(presentation, strings);
        (FORMAT_COMPACT, c.items, c.pool)
    };
    let candidates = [
        compact(Strings::AlsoRandomLooking),
        compact(Strings::FixedSizes),
        (FORMAT_RAW, presentation.as_bytes().to_vec(), Vec::new()),
    ];
    let mut best: Option<Vec<u8>> = None;
    for (format, body, pool) in candidates {
        let mut frame = vec![format];
        frame.extend_from_slice(&deflate(&body));
        frame.extend_from_slice(&pool);
        if best.as_ref().is_none_or(|b| frame.len() < b.len()) {
            best = Some(frame);
        }
    }
    best.unwrap_or_default()
}

/// Decodes a binary frame (a single payload's, or a multi-part sequence's once
/// assembled).
pub(crate) fn decode_frame(frame: &[u8]) -> Result<String> {
    let (&format, deflated) = frame.split_first().ok_or(Error::EmptyPayload)?;
    match format {
        FORMAT_COMPACT => {
            let (items, pool) = inflate(deflated)?;
            compact::decode(&items, pool)
        }
        FORMAT_RAW => {
            let (text, rest) = inflate(deflated)?;
            if !rest.is_empty() {
                return Err(Error::TrailingData(rest.len()));
            }
            String::from_utf8(text).map_err(|e| Error::MalformedBody {
                position: e.utf8_error().valid_up_to(),
                reason: "raw text is not UTF-8",
            })
        }
        other => Err(Error::UnsupportedFormat(other)),
    }
}

/// Raw deflate (RFC 1951) at the best compression, with the preset dictionary.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    deflate_with(data, Some(DICTIONARY_V1)).unwrap_or_else(|| stored_blocks(data))
}

/// Raw deflate with an optional dictionary; `None` if the compressor fails (it does
/// not, short of running out of memory).
pub(crate) fn deflate_with(data: &[u8], dictionary: Option<&[u8]>) -> Option<Vec<u8>> {
    let mut c = Compress::new_with_window_bits(Compression::best(), false, 15);
    if let Some(dictionary) = dictionary {
        c.set_dictionary(dictionary).ok()?;
    }
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        let consumed = usize::try_from(c.total_in()).ok()?;
        let input = data.get(consumed..)?;
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(64));
        }
        match c
            .compress_vec(input, &mut out, FlushCompress::Finish)
            .ok()?
        {
            Status::StreamEnd => return Some(out),
            Status::Ok | Status::BufError => {}
        }
    }
}

/// Deflate "stored" blocks (no compression): a fallback that needs no compressor, so
/// that [`encode_payload`] never fails.
fn stored_blocks(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 5 * (data.len() / 65535 + 1));
    let mut chunks = data.chunks(65535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(chunk) = chunks.next() {
        let last = u8::from(chunks.peek().is_none());
        let len = chunk.len() as u16; // at most 65535
        out.push(last); // BFINAL, BTYPE = 00, then padding to the byte
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// Inflates a raw deflate stream with the preset dictionary, refusing to produce more
/// than [`MAX_INFLATED_LEN`] bytes: the output buffer never grows past that plus one.
/// Returns the inflated bytes and the bytes after the end of the stream.
pub(crate) fn inflate(data: &[u8]) -> Result<(Vec<u8>, &[u8])> {
    inflate_capped(data, MAX_INFLATED_LEN)
}

fn inflate_capped(data: &[u8], cap: usize) -> Result<(Vec<u8>, &[u8])> {
    let mut d = Decompress::new_with_window_bits(false, 15);
    d.set_dictionary(DICTIONARY_V1)
        .map_err(|_| Error::Deflate)?;
    let mut out: Vec<u8> = Vec::with_capacity((data.len() * 4).clamp(256, cap + 1));
    loop {
        let consumed = usize::try_from(d.total_in()).map_err(|_| Error::Deflate)?;
        let input = data.get(consumed..).ok_or(Error::Deflate)?;
        if out.len() == out.capacity() {
            if out.len() > cap {
                return Err(Error::InflatedTooLarge { max: cap });
            }
            let grow = out.len().max(256).min(cap + 1 - out.len());
            out.reserve_exact(grow);
        }
        let before = (d.total_in(), out.len());
        let status = d
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|_| Error::Deflate)?;
        if out.len() > cap {
            return Err(Error::InflatedTooLarge { max: cap });
        }
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                let stuck = before == (d.total_in(), out.len());
                if stuck && out.len() < out.capacity() {
                    // No progress with room to write: the input ran out mid-stream.
                    return Err(Error::DeflateTruncated);
                }
            }
        }
    }
    let consumed = usize::try_from(d.total_in()).map_err(|_| Error::Deflate)?;
    let rest = data.get(consumed..).ok_or(Error::Deflate)?;
    Ok((out, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::ErrorKind;

    #[test]
    fn stored_blocks_inflate() {
        for len in [0, 1, 1000, 65535, 65536, 70000] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let stored = stored_blocks(&data);
            let (res, rest) = inflate_capped(&stored, 100_000).unwrap();
            assert_eq!((res, rest), (data, &[][..]));
        }
    }

    #[test]
    fn inflate_stops_at_the_cap() {
        let bomb = deflate(&vec![0u8; 1 << 20]);
        assert!(bomb.len() < 2000);
        assert_eq!(
            inflate(&bomb).unwrap_err().kind(),
            ErrorKind::InflatedTooLarge
        );
        // Exactly at the cap is fine, one more byte is not.
        let at = deflate(&vec![b'a'; MAX_INFLATED_LEN]);
        assert_eq!(inflate(&at).unwrap().0.len(), MAX_INFLATED_LEN);
        let over = deflate(&vec![b'a'; MAX_INFLATED_LEN + 1]);
        assert_eq!(
            inflate(&over).unwrap_err().kind(),
            ErrorKind::InflatedTooLarge
        );
    }

    #[test]
    fn truncated_and_trailing_streams() {
        let d = deflate(b"a presentation that is long enough to need a few bytes");
        assert_eq!(
            inflate(&d[..d.len() - 2]).unwrap_err().kind(),
            ErrorKind::DeflateTruncated
        );
        let mut junk = vec![FORMAT_RAW];
        junk.extend_from_slice(&d);
        junk.extend_from_slice(b"xyz");
        match decode_frame(&junk) {
            Err(Error::TrailingData(3)) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(
            inflate(&[0xFF, 0xFF, 0xFF]).unwrap_err().kind(),
            ErrorKind::Deflate
        );
    }
}
