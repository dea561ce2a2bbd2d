//! The binary frame inside a `CIV1` text: a format byte, then raw deflate with the
//! preset dictionary (the compact form or the raw text), and its decoding with the
//! size cap.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::compact::{self, Strings};
use super::dictionary::DICTIONARY_V1;
use super::error::{Error, FrameError, Result, TextError};

/// The most bytes a payload may inflate to. Presentations are a few kilobytes; a
/// deflate bomb is refused as soon as it passes this.
pub const MAX_INFLATED_LEN: usize = 64 * 1024;

/// Frame format 1, compact form.
pub(crate) const FORMAT_COMPACT: u8 = 0x01;
/// Frame format 1, raw text.
pub(crate) const FORMAT_RAW: u8 = 0x02;

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
    let (&format, deflated) = frame.split_first().ok_or(TextError::EmptyPayload)?;
    match format {
        FORMAT_COMPACT => {
            let (items, pool) = inflate(deflated)?;
            compact::decode(&items, pool)
        }
        FORMAT_RAW => {
            let (text, rest) = inflate(deflated)?;
            if !rest.is_empty() {
                return Err(FrameError::TrailingData(rest.len()).into());
            }
            String::from_utf8(text).map_err(|e| {
                Error::from(FrameError::MalformedBody {
                    position: e.utf8_error().valid_up_to(),
                    reason: "raw text is not UTF-8",
                })
            })
        }
        other => Err(FrameError::UnsupportedFormat(other).into()),
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
        .map_err(|_| FrameError::Deflate)?;
    let mut out: Vec<u8> = Vec::with_capacity((data.len() * 4).clamp(256, cap + 1));
    loop {
        let consumed = usize::try_from(d.total_in()).map_err(|_| FrameError::Deflate)?;
        let input = data.get(consumed..).ok_or(FrameError::Deflate)?;
        if out.len() == out.capacity() {
            if out.len() > cap {
                return Err(FrameError::InflatedTooLarge { max: cap }.into());
            }
            let grow = out.len().max(256).min(cap + 1 - out.len());
            out.reserve_exact(grow);
        }
        let before = (d.total_in(), out.len());
        let status = d
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|_| FrameError::Deflate)?;
        if out.len() > cap {
            return Err(FrameError::InflatedTooLarge { max: cap }.into());
        }
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                let stuck = before == (d.total_in(), out.len());
                if stuck && out.len() < out.capacity() {
                    // No progress with room to write: the input ran out mid-stream.
                    return Err(FrameError::DeflateTruncated.into());
                }
            }
        }
    }
    let consumed = usize::try_from(d.total_in()).map_err(|_| FrameError::Deflate)?;
    let rest = data.get(consumed..).ok_or(FrameError::Deflate)?;
    Ok((out, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::ErrorKind;
    use crate::qr::error::FrameErrorKind;

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
            ErrorKind::Frame(FrameErrorKind::InflatedTooLarge)
        );
        // Exactly at the cap is fine, one more byte is not.
        let at = deflate(&vec![b'a'; MAX_INFLATED_LEN]);
        assert_eq!(inflate(&at).unwrap().0.len(), MAX_INFLATED_LEN);
        let over = deflate(&vec![b'a'; MAX_INFLATED_LEN + 1]);
        assert_eq!(
            inflate(&over).unwrap_err().kind(),
            ErrorKind::Frame(FrameErrorKind::InflatedTooLarge)
        );
    }

    #[test]
    fn truncated_and_trailing_streams() {
        let d = deflate(b"a presentation that is long enough to need a few bytes");
        assert_eq!(
            inflate(&d[..d.len() - 2]).unwrap_err().kind(),
            ErrorKind::Frame(FrameErrorKind::DeflateTruncated)
        );
        let mut junk = vec![FORMAT_RAW];
        junk.extend_from_slice(&d);
        junk.extend_from_slice(b"xyz");
        match decode_frame(&junk) {
            Err(Error::Frame(FrameError::TrailingData(3))) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(
            inflate(&[0xFF, 0xFF, 0xFF]).unwrap_err().kind(),
            ErrorKind::Frame(FrameErrorKind::Deflate)
        );
    }
}
