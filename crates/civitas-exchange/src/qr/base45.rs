//! Base45 (RFC 9285), strict.
//!
//! Written by hand rather than taken from the `base45` crate (3.2): that crate does reject
//! a triplet above 65535 and a dangling single character, but it silently truncates a
//! final pair above 255 to a byte (`"::"`, value 2024, decodes to `[0xE8]`), so two
//! different texts decode to the same bytes, and its one opaque `DecodeError` cannot say
//! which rule a scanned text broke or where. Both are pinned by the tests below, which
//! also cross-check our encoder against that crate.

use super::error::{Base45Error, Error, Result};

/// The 45 characters, in value order (RFC 9285 §4).
const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Value of an alphabet character, `None` for any other byte.
fn value_of(c: u8) -> Option<u32> {
    let v = match c {
        b'0'..=b'9' => c - b'0',
        b'A'..=b'Z' => c - b'A' + 10,
        b' ' => 36,
        b'$' => 37,
        b'%' => 38,
        b'*' => 39,
        b'+' => 40,
        b'-' => 41,
        b'.' => 42,
        b'/' => 43,
        b':' => 44,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Whether every byte of `text` is in the Base45 alphabet, which is exactly the QR
/// alphanumeric character set.
pub(crate) fn is_alphanumeric_charset(text: &str) -> bool {
    text.bytes().all(|b| value_of(b).is_some())
}

/// Encodes bytes as Base45.
pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(2) * 3);
    let mut push = |v: u32| out.push(char::from(ALPHABET[(v % 45) as usize]));
    for pair in data.chunks(2) {
        match *pair {
            [a, b] => {
                let n = u32::from(a) * 256 + u32::from(b);
                push(n);
                push(n / 45);
                push(n / 2025);
            }
            [a] => {
                let n = u32::from(a);
                push(n);
                push(n / 45);
            }
            _ => {}
        }
    }
    out
}

/// Decodes Base45 text. `offset` is the position of `text` inside the scanned text, so
/// that errors point at the right byte.
pub(crate) fn decode(text: &str, offset: usize) -> Result<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 3 * 2 + 1);
    let digit = |i: usize| -> Result<u32> {
        let c = bytes[i];
        value_of(c).ok_or(Error::from(Base45Error::Base45InvalidChar {
            position: offset + i,
            ch: char::from(c),
        }))
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes.len() - i {
            1 => {
                // Report a bad character before the length problem.
                digit(i)?;
                return Err(Base45Error::Base45Dangling {
                    position: offset + i,
                }
                .into());
            }
            2 => {
                let value = digit(i)? + digit(i + 1)? * 45;
                let byte = u8::try_from(value).map_err(|_| Base45Error::Base45Pair {
                    position: offset + i,
                    value,
                })?;
                out.push(byte);
                i += 2;
            }
            _ => {
                let value = digit(i)? + digit(i + 1)? * 45 + digit(i + 2)? * 2025;
                let pair = u16::try_from(value).map_err(|_| Base45Error::Base45Triplet {
                    position: offset + i,
                    value,
                })?;
                out.extend_from_slice(&pair.to_be_bytes());
                i += 3;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::ErrorKind;
    use crate::qr::error::Base45ErrorKind;

    #[test]
    fn rfc9285_examples() {
        // RFC 9285 §4.3 and §4.4.
        assert_eq!(encode(b"AB"), "BB8");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(decode("QED8WEX0", 0).unwrap(), b"ietf!");
        assert_eq!(encode(b""), "");
        assert_eq!(decode("", 0).unwrap(), b"");
    }

    #[test]
    fn rfc9285_4_4_invalid_examples() {
        // "GGW" is 65535 + 1 = 65536: too large for two bytes.
        assert_eq!(
            decode("GGW", 0).unwrap_err().kind(),
            ErrorKind::Base45(Base45ErrorKind::Base45Triplet)
        );
        assert_eq!(decode("FGW", 0).unwrap(), [0xFF, 0xFF]);
    }

    #[test]
    fn rejections_point_at_the_byte() {
        match decode("BB8a", 5) {
            Err(Error::Base45(Base45Error::Base45InvalidChar {
                position: 8,
                ch: 'a',
            })) => {}
            other => panic!("{other:?}"),
        }
        match decode("BB8B", 5) {
            Err(Error::Base45(Base45Error::Base45Dangling { position: 8 })) => {}
            other => panic!("{other:?}"),
        }
        match decode("BB8::", 0) {
            Err(Error::Base45(Base45Error::Base45Pair {
                position: 3,
                value: 2024,
            })) => {}
            other => panic!("{other:?}"),
        }
        match decode("BB8:::", 0) {
            Err(Error::Base45(Base45Error::Base45Triplet { position: 3, value })) => {
                assert!(value > 65535)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_base45_crate_is_not_strict_enough() {
        // Why this module exists: the crate accepts a final pair above 255.
        assert_eq!(base45::decode("::").unwrap(), [0xE8]);
        assert!(decode("::", 0).is_err());
        // It does reject the other two defects.
        assert!(base45::decode("GGW").is_err());
        assert!(base45::decode("BB8B").is_err());
    }

    #[test]
    fn agrees_with_the_base45_crate_and_round_trips() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(45);
        for len in 0..300 {
            let data: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
            let text = encode(&data);
            assert_eq!(text, base45::encode(&data));
            assert!(is_alphanumeric_charset(&text));
            assert_eq!(decode(&text, 0).unwrap(), data);
        }
    }
}
