//! The compact form (frame format 0x01): see the [module docs](crate::qr) for the
//! grammar. Encoding never fails and never loses a byte: anything it does not recognise
//! stays literal text.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::error::{Error, FrameError, Result};

/// Literal UTF-8 text up to [`END`].
pub(crate) const LIT: u8 = 0xF0;
/// Base64url of text: the text, with string markers, up to [`END`].
pub(crate) const B64T: u8 = 0xF1;
/// Base64url of bytes: a varint length; the bytes are in the pool.
pub(crate) const B64B: u8 = 0xF2;
/// A `~`.
pub(crate) const TILDE: u8 = 0xF3;
/// A `.`.
pub(crate) const DOT: u8 = 0xF4;
/// Inside B64T text: a JSON string holding the base64url of the next 32 pool bytes.
pub(crate) const STR32: u8 = 0xF5;
/// Inside B64T text: a JSON string holding the base64url of the next 16 pool bytes.
pub(crate) const STR16: u8 = 0xF6;
/// Inside B64T text: a JSON string holding the base64url of a varint length of pool
/// bytes.
pub(crate) const STRN: u8 = 0xF7;
/// Inside B64T text: a did:webvh SCID, from the next 32 pool bytes (see [`push_text`]).
pub(crate) const SCID: u8 = 0xF8;
/// Inside B64T text: the same SCID as the last [`SCID`].
pub(crate) const SCID_AGAIN: u8 = 0xF9;
/// Ends LIT and B64T text.
pub(crate) const END: u8 = 0xFF;

/// Segments shorter than this stay literal: decoding them gains nothing and hides them
/// from the dictionary.
const MIN_B64_SEGMENT: usize = 16;
/// Strings shorter than this (other than the 22- and 43-character sizes) stay text.
const MIN_B64_STRING: usize = 16;

/// How eagerly the encoder turns JSON strings into bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strings {
    /// Only 22- and 43-character strings (salts, nonces, digests, coordinates).
    FixedSizes,
    /// Also any other canonical base64url string of 16+ characters that looks random
    /// (upper case, lower case and a digit, `-` or `_`).
    AlsoRandomLooking,
}

/// Decodes `s` as unpadded base64url if and only if encoding the result gives back
/// exactly `s`.
fn canonical_b64url(s: &[u8]) -> Option<Vec<u8>> {
    if s.is_empty() || !s.iter().all(|&b| is_b64url_char(b)) {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
    (URL_SAFE_NO_PAD.encode(&bytes).as_bytes() == s).then_some(bytes)
}

fn is_b64url_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn looks_random(s: &[u8]) -> bool {
    s.iter().any(u8::is_ascii_uppercase)
        && s.iter().any(u8::is_ascii_lowercase)
        && s.iter()
            .any(|&b| b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let low = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// The compact form of a text: the item stream, which gets deflated, and the binary
/// pool of the bytes it refers to, which does not (random bytes do not compress, and
/// keeping them out of the deflate stream keeps its Huffman codes short).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Compact {
    /// The items.
    pub(crate) items: Vec<u8>,
    /// The bytes of `F2`/`F5`/`F6`/`F7`/`F8`, in order.
    pub(crate) pool: Vec<u8>,
    /// The last SCID put in the pool.
    last_scid: Option<[u8; 32]>,
}

/// Encodes `input` in the compact form.
pub(crate) fn encode(input: &str, strings: Strings) -> Compact {
    let mut out = Compact {
        items: Vec::with_capacity(input.len()),
        pool: Vec::with_capacity(input.len() / 2),
        last_scid: None,
    };
    let mut start = 0;
    for (i, c) in input.char_indices() {
        if c == '~' || c == '.' {
            push_segment(&mut out, &input[start..i], strings);
            out.items.push(if c == '~' { TILDE } else { DOT });
            start = i + 1;
        }
    }
    push_segment(&mut out, &input[start..], strings);
    out
}

fn push_segment(out: &mut Compact, segment: &str, strings: Strings) {
    if segment.is_empty() {
        return;
    }
    let decoded = (segment.len() >= MIN_B64_SEGMENT)
        .then(|| canonical_b64url(segment.as_bytes()))
        .flatten();
    if let Some(bytes) = decoded {
        match std::str::from_utf8(&bytes) {
            Ok(text) if !text.bytes().any(|b| b < 0x20 && !b"\t\n\r".contains(&b)) => {
                out.items.push(B64T);
                push_json_text(out, text, strings);
                out.items.push(END);
            }
            _ => {
                out.items.push(B64B);
                push_varint(&mut out.items, bytes.len());
                out.pool.extend_from_slice(&bytes);
            }
        }
        return;
    }
    out.items.push(LIT);
    out.items.extend_from_slice(segment.as_bytes());
    out.items.push(END);
}

/// Copies JSON text, replacing string literals that hold canonical base64url by a
/// marker and the bytes. A small lexer finds the strings (escapes included) so that a
/// marker always stands for a whole string; on text that is not JSON it still copies
/// every byte, so the result is exact either way.
fn push_json_text(out: &mut Compact, text: &str, strings: Strings) {
    let bytes = text.as_bytes();
    // Bytes copied as text since the last substitution.
    let mut verbatim = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        // Find the closing quote.
        let mut j = i + 1;
        let end = loop {
            match bytes.get(j) {
                None => break None,
                Some(b'"') => break Some(j),
                Some(b'\\') => j += 2,
                Some(_) => j += 1,
            }
        };
        let Some(end) = end else {
            break;
        };
        let content = &bytes[i + 1..end];
        let substitute = match content.len() {
            22 | 43 => true,
            n => {
                strings == Strings::AlsoRandomLooking
                    && n >= MIN_B64_STRING
                    && looks_random(content)
            }
        };
        if let Some(raw) = substitute.then(|| canonical_b64url(content)).flatten() {
            push_text(out, &bytes[verbatim..i]);
            match raw.len() {
                32 => out.items.push(STR32),
                16 => out.items.push(STR16),
                n => {
                    out.items.push(STRN);
                    push_varint(&mut out.items, n);
                }
            }
            out.pool.extend_from_slice(&raw);
            verbatim = end + 1;
        }
        i = end + 1;
    }
    push_text(out, &bytes[verbatim..]);
}

/// Copies text, replacing each did:webvh SCID (`Qm` and 44 more base58btc characters
/// after a `:`, that decode canonically to a sha2-256 multihash) by [`SCID`] and the 32
/// hash bytes, or by [`SCID_AGAIN`] when it is the same as the last one (the `kid` and
/// the `iss` name the same DID).
fn push_text(out: &mut Compact, text: &[u8]) {
    let mut copied = 0;
    let mut i = 0;
    while i + SCID_LEN <= text.len() {
        let candidate = &text[i..i + SCID_LEN];
        let starts = i > 0 && text[i - 1] == b':' && candidate.starts_with(b"Qm");
        let ends = text.get(i + SCID_LEN).is_none_or(|b| !is_base58_char(*b));
        let hash = (starts && ends && candidate.iter().all(|&b| is_base58_char(b)))
            .then(|| scid_hash(candidate))
            .flatten();
        let Some(hash) = hash else {
            i += 1;
            continue;
        };
        out.items.extend_from_slice(&text[copied..i]);
        if out.last_scid == Some(hash) {
            out.items.push(SCID_AGAIN);
        } else {
            out.items.push(SCID);
            out.pool.extend_from_slice(&hash);
            out.last_scid = Some(hash);
        }
        i += SCID_LEN;
        copied = i;
    }
    out.items.extend_from_slice(&text[copied..]);
}

/// Characters in a did:webvh SCID.
const SCID_LEN: usize = 46;

fn is_base58_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() && !b"0OIl".contains(&b)
}

/// The 32 hash bytes of a SCID, if it re-encodes to exactly `scid`.
fn scid_hash(scid: &[u8]) -> Option<[u8; 32]> {
    let bytes = bs58::decode(scid).into_vec().ok()?;
    let (prefix, hash) = bytes.split_first_chunk::<2>()?;
    let hash: [u8; 32] = hash.try_into().ok()?;
    (*prefix == SHA2_256_MULTIHASH && scid_string(&hash).as_bytes() == scid).then_some(hash)
}

/// The multihash prefix of a sha2-256 digest: code 0x12, length 32.
const SHA2_256_MULTIHASH: [u8; 2] = [0x12, 0x20];

fn scid_string(hash: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&SHA2_256_MULTIHASH);
    bytes.extend_from_slice(hash);
    bs58::encode(bytes).into_string()
}

/// A cursor over the items, and one over the pool.
struct Reader<'a> {
    body: &'a [u8],
    pos: usize,
    pool: &'a [u8],
    last_scid: Option<String>,
}

impl<'a> Reader<'a> {
    fn error(&self, reason: &'static str) -> Error {
        Error::from(FrameError::MalformedBody {
            position: self.pos,
            reason,
        })
    }

    fn byte(&mut self, what: &'static str) -> Result<u8> {
        let b = *self.body.get(self.pos).ok_or_else(|| self.error(what))?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.body.len())
            .ok_or_else(|| self.error(what))?;
        let s = &self.body[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// The next `n` bytes of the pool.
    fn pool_take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.pool.len() {
            return Err(self.error("the binary pool is too short"));
        }
        let (taken, rest) = self.pool.split_at(n);
        self.pool = rest;
        Ok(taken)
    }

    /// An unsigned LEB128 length: shortest form, 1 to 4 bytes, at least 1.
    fn length(&mut self) -> Result<usize> {
        let start = self.pos;
        let mut n: usize = 0;
        for shift in [0, 7, 14, 21] {
            let b = self.byte("truncated length")?;
            n |= usize::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                if b == 0 && self.pos - start > 1 {
                    return Err(self.error("over-long length"));
                }
                if n == 0 {
                    return Err(self.error("zero length"));
                }
                return Ok(n);
            }
        }
        Err(self.error("length too large"))
    }
}

/// Decodes a compact form (inflated items, binary pool) back to the exact text it was
/// made from. Every pool byte must be used.
pub(crate) fn decode(body: &[u8], pool: &[u8]) -> Result<String> {
    let mut r = Reader {
        body,
        pos: 0,
        pool,
        last_scid: None,
    };
    let mut out = String::with_capacity(body.len() * 2);
    while r.pos < body.len() {
        match r.byte("truncated")? {
            LIT => {
                let len = body[r.pos..]
                    .iter()
                    .position(|&b| b == END)
                    .ok_or_else(|| r.error("literal text without end"))?;
                if len == 0 {
                    return Err(r.error("empty literal text"));
                }
                let text = std::str::from_utf8(r.take(len, "literal text")?)
                    .map_err(|_| r.error("literal text is not UTF-8"))?;
                out.push_str(text);
                r.pos += 1; // END
            }
            B64T => {
                let text = read_json_text(&mut r)?;
                URL_SAFE_NO_PAD.encode_string(text, &mut out);
            }
            B64B => {
                let len = r.length()?;
                let bytes = r.pool_take(len)?;
                URL_SAFE_NO_PAD.encode_string(bytes, &mut out);
            }
            TILDE => out.push('~'),
            DOT => out.push('.'),
            _ => {
                r.pos -= 1;
                return Err(r.error("unknown item tag"));
            }
        }
    }
    if !r.pool.is_empty() {
        return Err(FrameError::TrailingData(r.pool.len()).into());
    }
    Ok(out)
}

/// Reads B64T text up to its END, expanding the string markers.
fn read_json_text(r: &mut Reader<'_>) -> Result<Vec<u8>> {
    let mut text = Vec::new();
    loop {
        let b = r.byte("text without end")?;
        let raw = match b {
            END => break,
            STR32 => r.pool_take(32)?,
            STR16 => r.pool_take(16)?,
            STRN => {
                let len = r.length()?;
                r.pool_take(len)?
            }
            SCID => {
                let scid = scid_string(r.pool_take(32)?);
                text.extend_from_slice(scid.as_bytes());
                r.last_scid = Some(scid);
                continue;
            }
            SCID_AGAIN => {
                let scid = r
                    .last_scid
                    .as_ref()
                    .ok_or_else(|| r.error("no SCID to repeat"))?;
                text.extend_from_slice(scid.as_bytes());
                continue;
            }
            0xFA..=0xFE => {
                r.pos -= 1;
                return Err(r.error("unknown string marker"));
            }
            _ => {
                text.push(b);
                continue;
            }
        };
        text.push(b'"');
        text.extend_from_slice(URL_SAFE_NO_PAD.encode(raw).as_bytes());
        text.push(b'"');
    }
    if text.is_empty() {
        return Err(r.error("empty base64url text"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) {
        for strings in [Strings::FixedSizes, Strings::AlsoRandomLooking] {
            let c = encode(s, strings);
            assert_eq!(decode(&c.items, &c.pool).unwrap(), s, "{strings:?}");
        }
    }

    #[test]
    fn jwt_parts_become_items() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256","typ":"kb+jwt"}"#);
        let digest = URL_SAFE_NO_PAD.encode([7u8; 32]);
        let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"sd_hash":"{digest}"}}"#));
        let sig = URL_SAFE_NO_PAD.encode([0xFFu8; 64]);
        let jwt = format!("{header}.{payload}.{sig}");
        let c = encode(&jwt, Strings::FixedSizes);
        let mut items = vec![B64T];
        items.extend_from_slice(br#"{"alg":"ES256","typ":"kb+jwt"}"#);
        items.extend_from_slice(&[END, DOT, B64T]);
        items.extend_from_slice(br#"{"sd_hash":"#);
        items.extend_from_slice(&[STR32, b'}', END, DOT, B64B, 64]);
        assert_eq!(c.items, items);
        assert_eq!(
            c.pool,
            [[7u8; 32].as_slice(), [0xFF; 64].as_slice()].concat()
        );
        assert_eq!(decode(&c.items, &c.pool).unwrap(), jwt);
    }

    #[test]
    fn odd_inputs_round_trip() {
        for s in [
            "",
            "~",
            "..~~..",
            "hello",
            "héllo wörld ~ ünïcödé 🎫",
            "eyJhbGciOiJFUzI1NiJ9=.x~",
            // A 43-character string with non-zero trailing bits is not canonical.
            "eyJ4IjoiQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFCIn0",
            // Escapes and an unterminated string inside the JSON.
            "eyJhIjoiXCJcXCIsImIiOiJ1bnRlcm1pbmF0ZWQ",
        ] {
            round_trip(s);
        }
    }

    #[test]
    fn scids() {
        let hash = [0xAB; 32];
        let scid = scid_string(&hash);
        assert_eq!(scid.len(), SCID_LEN);
        assert!(scid.starts_with("Qm"));
        let other = scid_string(&[0x01; 32]);
        let json = format!(
            r#"{{"kid":"did:webvh:{scid}:x#k","iss":"did:webvh:{scid}:x","sub":"did:webvh:{other}","a":"{scid}","b":":{scid}z"}}"#
        );
        let c = encode(&URL_SAFE_NO_PAD.encode(&json), Strings::FixedSizes);
        // First one from the pool, the repeat without, the other one from the pool; not
        // after a quote, nor when followed by another base58 character.
        assert_eq!(c.items.iter().filter(|&&b| b == SCID).count(), 2);
        assert_eq!(c.items.iter().filter(|&&b| b == SCID_AGAIN).count(), 1);
        assert_eq!(c.pool, [hash, [0x01; 32]].concat());
        assert_eq!(
            decode(&c.items, &c.pool).unwrap(),
            URL_SAFE_NO_PAD.encode(&json)
        );
        // A random "Qm…" string that is not a canonical multihash stays text.
        round_trip(
            &URL_SAFE_NO_PAD.encode(
                r#"{"iss":"did:webvh:QmXb1yq8zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz:x"}"#,
            ),
        );
    }

    #[test]
    fn malformed_bodies_are_rejected() {
        for (body, reason) in [
            (&[0x00][..], "unknown item tag"),
            (&[LIT, b'a'][..], "literal text without end"),
            (&[LIT, END][..], "empty literal text"),
            (&[LIT, 0xC3, END][..], "literal text is not UTF-8"),
            (&[B64T, b'{'][..], "text without end"),
            (&[B64T, END][..], "empty base64url text"),
            (&[B64T, STR32, END][..], "the binary pool is too short"),
            (&[B64T, 0xFA, END][..], "unknown string marker"),
            (&[B64T, SCID_AGAIN, END][..], "no SCID to repeat"),
            (&[B64T, SCID, END][..], "the binary pool is too short"),
            (&[B64B, 0x80, 0x00][..], "over-long length"),
            (&[B64B, 0x00][..], "zero length"),
            (&[B64B, 5][..], "the binary pool is too short"),
            (
                &[B64B, 0xFF, 0xFF, 0xFF, 0xFF, 0x01][..],
                "length too large",
            ),
        ] {
            match decode(body, &[1, 2, 3]) {
                Err(Error::Frame(FrameError::MalformedBody { reason: r, .. })) => {
                    assert_eq!(r, reason, "{body:?}")
                }
                other => panic!("{body:?}: {other:?}"),
            }
        }
        // Pool bytes nothing refers to.
        assert!(matches!(
            decode(&[TILDE], &[1]),
            Err(Error::Frame(FrameError::TrailingData(1)))
        ));
        assert_eq!(decode(&[B64B, 1], &[0xFB]).unwrap(), "-w");
    }
}
