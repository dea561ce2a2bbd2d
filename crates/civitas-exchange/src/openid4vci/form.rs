//! `application/x-www-form-urlencoded` and URL query strings, strictly: the encoder
//! escapes all but the RFC 3986 unreserved characters; the decoder refuses broken `%`
//! escapes, non-UTF-8 and a parameter given twice (RFC 6749 §3.1), and drops empty
//! values ("treated as if they were omitted").

use super::error::{Error, Result, shorten};

/// Percent-encodes `text`: every byte but `A-Z a-z 0-9 - . _ ~` becomes `%XX`.
pub fn encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// `name=value&…` with both sides encoded.
pub fn serialize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode(name));
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

/// Parses a query or form body into `(name, value)` pairs, in order; a name twice is
/// an error, an empty value is dropped.
pub fn parse(query: &str, what: &'static str) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for segment in query.split('&') {
        if segment.is_empty() {
            continue;
        }
        let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
        let name = decode(name, what)?;
        let value = decode(value, what)?;
        if seen.contains(&name) {
            return Err(Error::malformed(
                what,
                format!("parameter {} given twice", shorten(&name, 40)),
            ));
        }
        seen.push(name.clone());
        if !value.is_empty() {
            out.push((name, value));
        }
    }
    Ok(out)
}

/// Decodes one name or value (`+` is a space).
pub fn decode(text: &str, what: &'static str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let digit = |c: Option<&u8>| c.and_then(|c| char::from(*c).to_digit(16));
                match (digit(bytes.get(i + 1)), digit(bytes.get(i + 2))) {
                    (Some(h), Some(l)) => out.push(u8::try_from(h * 16 + l).unwrap_or(0)),
                    _ => return Err(Error::malformed(what, "a broken %-escape")),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| Error::malformed(what, "not UTF-8"))
}

/// The value of `name` in parsed pairs.
pub fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        let s = serialize([("a b", "x&y=z"), ("c", "飲")]);
        assert_eq!(s, "a%20b=x%26y%3Dz&c=%E9%A3%B2");
        let p = parse(&s, "t").unwrap();
        assert_eq!(get(&p, "a b"), Some("x&y=z"));
        assert_eq!(get(&p, "c"), Some("飲"));
        assert!(parse("a=1&a=2", "t").is_err());
        assert!(parse("a=%4", "t").is_err());
        assert!(parse("a=%zz", "t").is_err());
        assert!(parse("a=%ff", "t").is_err());
        assert_eq!(
            parse("a=&b=+", "t").unwrap(),
            vec![("b".into(), " ".into())]
        );
    }
}
