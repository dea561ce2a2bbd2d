//! DID and DID URL syntax (W3C DID Core §3.1–3.2), the parts Civitas needs.

use crate::{Error, Result};

/// Splits a DID URL into the DID and the fragment (without `#`), validating the DID.
pub fn split_did_url(url: &str) -> Result<(&str, Option<&str>)> {
    let (did, fragment) = match url.split_once('#') {
        Some((d, f)) => (d, Some(f)),
        None => (url, None),
    };
    validate_did(did)?;
    if let Some(f) = fragment
        && (f.is_empty() || f.len() > 256 || !f.bytes().all(is_fragment_byte))
    {
        return Err(Error::InvalidDid("malformed fragment".into()));
    }
    Ok((did, fragment))
}

fn is_fragment_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b)
}

/// Checks `did:<method>:<method-specific-id>` syntax; returns the method name.
pub fn validate_did(did: &str) -> Result<&str> {
    let rest = did
        .strip_prefix("did:")
        .ok_or_else(|| Error::InvalidDid(short(did)))?;
    let (method, id) = rest
        .split_once(':')
        .ok_or_else(|| Error::InvalidDid(short(did)))?;
    let method_ok = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let id_ok = !id.is_empty()
        && !id.ends_with(':')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_:%".contains(&b));
    if !method_ok || !id_ok || did.len() > 4096 {
        return Err(Error::InvalidDid(short(did)));
    }
    Ok(method)
}

/// A DID shortened for messages (DIDs can be long; errors stay readable).
pub(crate) fn short(did: &str) -> String {
    const MAX: usize = 80;
    if did.chars().count() <= MAX {
        did.to_string()
    } else {
        let head: String = did.chars().take(MAX).collect();
        format!("{head}…")
    }
}
