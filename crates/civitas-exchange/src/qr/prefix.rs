//! The text around a frame, the lowest layer above Base45: the `CIV1:` prefix of a
//! single code, the `CIV1-k/n-CRC32:` header of a part (written by [`part_text`],
//! read by [`parse_part`]), the sequence checksum, and the checks every scanned text
//! goes through first ([`clean_text`]).

use flate2::Crc;

use super::base45;
use super::error::{Error, MultipartError, Result, TextError};

/// The prefix of a single-code payload.
pub const PREFIX: &str = "CIV1:";
/// The prefix of one part of a multi-part sequence (`CIV1-k/n-CRC32:`).
pub const PART_PREFIX: &str = "CIV1-";
/// The longest scanned text accepted, in bytes (a version-40 QR code holds at most
/// 4,296 alphanumeric characters, so this leaves room for text typed or pasted from
/// elsewhere).
pub const MAX_TEXT_LEN: usize = 16 * 1024;

/// The most parts a sequence may have.
pub const MAX_PARTS: u16 = 32;

/// CRC-32 (ISO-HDLC, as in zip and PNG) of a frame.
pub(crate) fn checksum(frame: &[u8]) -> u32 {
    let mut crc = Crc::new();
    crc.update(frame);
    crc.sum()
}

pub(crate) fn wrong_prefix(text: &str) -> Error {
    // `text` is ASCII here (checked by `clean_text`), so any byte index is a boundary.
    Error::from(TextError::WrongPrefix {
        found: text[..text.len().min(PREFIX.len())].to_owned(),
    })
}

/// The checks every scanned text goes through first; returns the text without its
/// trailing CR/LF.
pub(crate) fn clean_text(text: &str) -> Result<&str> {
    if text.len() > MAX_TEXT_LEN {
        return Err(TextError::TextTooLong {
            len: text.len(),
            max: MAX_TEXT_LEN,
        }
        .into());
    }
    let text = text.trim_end_matches(['\r', '\n']);
    for (position, byte) in text.bytes().enumerate() {
        if !byte.is_ascii() {
            return Err(TextError::NonAscii { position }.into());
        }
        if byte.is_ascii_control() {
            return Err(TextError::ControlCharacter { position, byte }.into());
        }
    }
    Ok(text)
}

/// The text of part `index` of `total`: `CIV1-k/n-CRC32:` and the Base45 of `chunk`.
pub(crate) fn part_text(index: usize, total: usize, crc: u32, chunk: &[u8]) -> String {
    format!(
        "{PART_PREFIX}{index}/{total}-{crc:08X}:{}",
        base45::encode(chunk)
    )
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
        .ok_or_else(|| wrong_prefix(text))?;
    let (header, data) = rest
        .split_once(':')
        .ok_or(MultipartError::PartHeader("no ':' after the part header"))?;
    let (numbers, crc) = header
        .split_once('-')
        .ok_or(MultipartError::PartHeader("no '-' before the checksum"))?;
    let (index, total) = numbers.split_once('/').ok_or(MultipartError::PartHeader(
        "no '/' between part index and count",
    ))?;
    let index = number(index)?;
    let total = number(total)?;
    if !(2..=MAX_PARTS).contains(&total) {
        return Err(MultipartError::PartHeader("part count outside 2..=32").into());
    }
    if index == 0 || index > total {
        return Err(MultipartError::PartHeader("part index outside 1..=count").into());
    }
    if crc.len() != 8
        || !crc
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    {
        return Err(MultipartError::PartHeader("checksum is not 8 upper-case hex digits").into());
    }
    let checksum = u32::from_str_radix(crc, 16)
        .map_err(|_| MultipartError::PartHeader("checksum is not 8 upper-case hex digits"))?;
    let offset = text.len() - data.len();
    let chunk = base45::decode(data, offset)?;
    if chunk.is_empty() {
        return Err(TextError::EmptyPayload.into());
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
        return Err(MultipartError::PartHeader(
            "part index and count are 1 or 2 digits without leading zeros",
        )
        .into());
    }
    s.parse().map_err(|_| {
        Error::from(MultipartError::PartHeader(
            "part index or count is not a number",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::error::Base45Error;

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
                matches!(
                    parse_part(bad),
                    Err(Error::Multipart(MultipartError::PartHeader(_)))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_part("CIV1-1/3-0A0B0C0D:"),
            Err(Error::Text(TextError::EmptyPayload))
        ));
        assert!(matches!(
            parse_part("CIV1-1/3-0A0B0C0D:GGW"),
            Err(Error::Base45(Base45Error::Base45Triplet {
                position: 18,
                ..
            }))
        ));
    }
}
