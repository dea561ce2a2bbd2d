//! `application/x-www-form-urlencoded` (request URL queries, `direct_post` bodies),
//! strictly: the encoder escapes everything but the RFC 3986 unreserved characters; the
//! decoder refuses raw characters that must be escaped, broken `%` escapes, non-UTF-8
//! and repeated parameter names (RFC 6749 §3.1), and drops empty-valued parameters
//! ("treated as if they were omitted", RFC 6749 §3.1). `+` decodes to a space, as the
//! form encoding defines.

use super::error::{Error, RequestError, Result};

/// Percent-encodes `text`: every byte but `A-Z a-z 0-9 - . _ ~` becomes `%XX`.
pub(crate) fn encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for &b in text.as_bytes() {
        if is_unreserved(b) {
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
pub(crate) fn serialize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
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

pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The characters RFC 3986 allows raw in a query (`pchar / "/" / "?"`).
fn is_query_char(b: u8) -> bool {
    is_unreserved(b) || b"!$&'()*+,;=:@/?%".contains(&b)
}

/// Parses a query or form body into `(name, value)` pairs, in order. Empty segments
/// (`a=1&&b=2`) are skipped, parameters with an empty value dropped; a name twice is
/// an error.
pub(crate) fn parse(query: &str) -> Result<Vec<(String, String)>> {
    if let Some(b) = query.bytes().find(|b| !is_query_char(*b)) {
        return Err(RequestError::PercentEncoding(if b.is_ascii_whitespace() {
            "a raw space or line break"
        } else if b.is_ascii() {
            "a raw character that must be percent-encoded"
        } else {
            "a raw non-ASCII byte"
        })
        .into());
    }
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for segment in query.split('&') {
        if segment.is_empty() {
            continue;
        }
        let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
        let name = decode(name)?;
        let value = decode(value)?;
        if seen.contains(&name) {
            return Err(RequestError::DuplicateParameter(super::error::shorten(&name, 40)).into());
        }
        seen.push(name.clone());
        if !value.is_empty() {
            out.push((name, value));
        }
    }
    Ok(out)
}

/// Decodes one name or value.
pub(crate) fn decode(text: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .ok_or(RequestError::PercentEncoding("a truncated %-escape"))?;
                let digit = |c: u8| char::from(c).to_digit(16);
                match (digit(hex[0]), digit(hex[1])) {
                    (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                    _ => {
                        return Err(
                            RequestError::PercentEncoding("a %-escape that is not hex").into()
                        );
                    }
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
    String::from_utf8(out)
        .map_err(|_| Error::from(RequestError::PercentEncoding("decoded bytes are not UTF-8")))
}

/// Checks an absolute `https` URI (or `http` to a loopback host: a counter and its
/// response endpoint on one machine), without user info or fragment, of at most
/// `MAX_URI_LEN` bytes and only characters RFC 3986 allows raw.
pub(crate) fn check_uri(uri: &str, param: &'static str) -> Result<()> {
    let bad = |why| Error::from(RequestError::InvalidUri { param, why });
    if uri.len() > super::limits::MAX_URI_LEN {
        return Err(bad("longer than 2048 bytes"));
    }
    if !uri.bytes().all(|b| is_query_char(b) || b"#[]".contains(&b)) {
        return Err(bad("a character that must be percent-encoded"));
    }
    if uri.contains('#') {
        return Err(bad("it has a fragment"));
    }
    let (scheme, rest) = uri.split_once("://").ok_or_else(|| bad("not absolute"))?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(bad("it has user info"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    match scheme {
        "https" => Ok(()),
        "http" if matches!(host, "localhost" | "127.0.0.1" | "::1") => Ok(()),
        "http" => Err(bad("plain http is only allowed to a loopback host")),
        _ => Err(bad("the scheme is not https")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        let text = "{\"a\":[\"b c\",1]}+/?&=é";
        assert_eq!(decode(&encode(text)).unwrap(), text);
        assert_eq!(
            parse("a=1&&b=x+y&c=&d").unwrap(),
            vec![("a".into(), "1".into()), ("b".into(), "x y".into())]
        );
        assert!(matches!(
            parse("a=1&a=2"),
            Err(Error::Request(RequestError::DuplicateParameter(_)))
        ));
        assert!(matches!(
            parse("a=1&a="),
            Err(Error::Request(RequestError::DuplicateParameter(_)))
        ));
        assert!(matches!(
            parse("a=%4"),
            Err(Error::Request(RequestError::PercentEncoding(_)))
        ));
        assert!(matches!(
            parse("a=%zz"),
            Err(Error::Request(RequestError::PercentEncoding(_)))
        ));
        assert!(matches!(
            parse("a=%FF"),
            Err(Error::Request(RequestError::PercentEncoding(_)))
        ));
        assert!(matches!(
            parse("a={}"),
            Err(Error::Request(RequestError::PercentEncoding(_)))
        ));
        assert!(matches!(
            parse("a=b c"),
            Err(Error::Request(RequestError::PercentEncoding(_)))
        ));
    }

    #[test]
    fn uris() {
        for ok in [
            "https://counter-7.city.example/post",
            "https://counter.example:8443/p?x=1",
            "http://127.0.0.1:8080/post",
            "http://localhost/post",
            "http://[::1]:9/post",
        ] {
            check_uri(ok, "response_uri").unwrap();
        }
        for bad in [
            "counter.example/post",
            "http://counter.example/post",
            "ftp://counter.example/post",
            "https://user@counter.example/post",
            "https://counter.example/post#frag",
            "https:///post",
            "https://counter.example/a b",
        ] {
            assert!(
                matches!(
                    check_uri(bad, "response_uri"),
                    Err(Error::Request(RequestError::InvalidUri { .. }))
                ),
                "{bad}"
            );
        }
    }
}
