//! Single `CIV1:` payloads: a frame (see [`frame`](super::frame)) in Base45 after the
//! prefix (see [`prefix`](super::prefix)).

use super::base45;
use super::error::{Result, TextError};
use super::frame::{decode_frame, encode_frame};
use super::prefix::{PART_PREFIX, PREFIX, clean_text, parse_part, wrong_prefix};

/// Encodes a presentation (or any text) as a single `CIV1:` payload.
///
/// [`decode_payload`] gives back exactly `presentation`, byte for byte, whatever it is:
/// a compact SD-JWT is packed into the compact form, and anything that would not pack
/// better that way is carried as raw text in the same format. The result uses only the
/// QR alphanumeric character set.
///
/// The decoder refuses texts longer than [`MAX_TEXT_LEN`](super::MAX_TEXT_LEN) and payloads that inflate to
/// more than [`MAX_INFLATED_LEN`](super::MAX_INFLATED_LEN) bytes, so a presentation too large for those limits
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
/// ([`TextError::TextTooLong`](crate::qr::TextError::TextTooLong)), non-ASCII and control characters, the prefix (a part of a
/// multi-part sequence gives [`TextError::PartOfSequence`](crate::qr::TextError::PartOfSequence)), strict Base45, the frame
/// format, the inflated size ([`FrameError::InflatedTooLarge`](crate::qr::FrameError::InflatedTooLarge)), the deflate stream and the
/// compact form.
pub fn decode_payload(text: &str) -> Result<String> {
    let text = clean_text(text)?;
    if let Some(rest) = text.strip_prefix(PREFIX) {
        let frame = base45::decode(rest, PREFIX.len())?;
        decode_frame(&frame)
    } else if text.starts_with(PART_PREFIX) {
        let part = parse_part(text)?;
        Err(TextError::PartOfSequence {
            index: part.index,
            total: part.total,
        }
        .into())
    } else {
        Err(wrong_prefix(text))
    }
}
