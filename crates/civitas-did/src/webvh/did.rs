//! did:webvh identifiers: `did:webvh:{SCID}:{host}[%3A{port}]:{path…}`.

use super::{LogError, Result};
use didwebvh_rs::url::WebVHURL;
use std::fmt;

/// The SCID placeholder of a genesis entry before the SCID is known.
pub(crate) const SCID_PLACEHOLDER: &str = "{SCID}";

/// A did:webvh DID: `did:webvh:{SCID}:{host}[%3A{port}][:{path}…]`.
///
/// The host is a domain name (two labels or more, or `localhost` for development;
/// never an IP address), the port is percent-encoded (`%3A`), and path segments are
/// separated by `:`. The Civitas ledger node serving the log is the host: the log of
/// `did:webvh:{SCID}:ledger.example:people:alice` is at
/// `https://ledger.example/people/alice/did.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Did(String);

impl Did {
    /// Parses and checks a did:webvh DID (no fragment, query or path).
    pub fn parse(did: &str) -> Result<Did> {
        let rest = did.strip_prefix("did:webvh:").ok_or_else(|| {
            LogError::InvalidDid(format!("{} is not a did:webvh DID", short(did)))
        })?;
        let (scid, host_path) = rest
            .split_once(':')
            .ok_or_else(|| LogError::InvalidDid("no host after the SCID".into()))?;
        check_scid(scid)?;
        check_host_path(host_path)?;
        Ok(Did(did.to_string()))
    }

    /// The DID whose SCID is still the `{SCID}` placeholder (genesis, before hashing).
    pub(crate) fn placeholder(host_path: &str) -> Result<String> {
        check_host_path(host_path)?;
        Ok(format!("did:webvh:{SCID_PLACEHOLDER}:{host_path}"))
    }

    /// The DID as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The self-certifying identifier.
    pub fn scid(&self) -> &str {
        self.parts().0
    }

    /// Everything after the SCID: `{host}[%3A{port}][:{path}…]`.
    pub fn host_path(&self) -> &str {
        self.parts().1
    }

    /// The host name (without the port).
    pub fn host(&self) -> &str {
        let host = self.host_path().split(':').next().unwrap_or_default();
        host.split_once("%3A")
            .or_else(|| host.split_once("%3a"))
            .map_or(host, |(h, _)| h)
    }

    /// The port, if the DID names one.
    pub fn port(&self) -> Option<u16> {
        let host = self.host_path().split(':').next().unwrap_or_default();
        host.split_once("%3A")
            .or_else(|| host.split_once("%3a"))
            .and_then(|(_, p)| p.parse().ok())
    }

    /// The path segments after the host (empty for a DID at the domain root).
    pub fn path(&self) -> Vec<&str> {
        self.host_path().split(':').skip(1).collect()
    }

    /// The HTTPS URL of the DID log (did:webvh 1.0 §"The DID to HTTPS
    /// Transformation"), through didwebvh-rs's transformation (IDNA, ports,
    /// `.well-known`). `localhost` gives an `http://` URL, for development only.
    pub fn log_url(&self) -> Result<String> {
        self.url_of("did.jsonl")
    }

    /// The URL of the witness proofs file (`did-witness.json`) beside the log.
    pub fn witness_url(&self) -> Result<String> {
        self.url_of("did-witness.json")
    }

    fn url_of(&self, file: &str) -> Result<String> {
        let parsed =
            WebVHURL::parse_did_url(&self.0).map_err(|e| LogError::InvalidDid(e.to_string()))?;
        parsed
            .get_http_url(Some(file))
            .map(|u| u.to_string())
            .map_err(|e| LogError::InvalidDid(e.to_string()))
    }

    fn parts(&self) -> (&str, &str) {
        self.0
            .strip_prefix("did:webvh:")
            .and_then(|rest| rest.split_once(':'))
            .unwrap_or(("", ""))
    }
}

impl fmt::Display for Did {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Did {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Did {
    type Err = LogError;
    fn from_str(s: &str) -> Result<Did> {
        Did::parse(s)
    }
}

/// The SCID of a did:webvh 1.0 DID: 46 base58btc characters (a SHA-256 multihash).
fn check_scid(scid: &str) -> Result<()> {
    let ok = scid.len() == 46
        && bs58::decode(scid)
            .into_vec()
            .is_ok_and(|bytes| bytes.len() == 34 && bytes[0] == 0x12 && bytes[1] == 0x20);
    if ok {
        Ok(())
    } else {
        Err(LogError::InvalidDid(format!(
            "SCID {} is not a base58btc SHA-256 multihash",
            short(scid)
        )))
    }
}

/// Checks `{host}[%3A{port}][:{segment}…]` against the did:webvh ABNF: a domain of two
/// labels or more (or `localhost`), no IP address, an optional percent-encoded port,
/// non-empty path segments of unreserved or percent-encoded characters.
pub(crate) fn check_host_path(host_path: &str) -> Result<()> {
    let bad = |why: &str| Err(LogError::InvalidDid(format!("{}: {why}", short(host_path))));
    if host_path.is_empty() || host_path.len() > 1024 {
        return bad("empty or too long");
    }
    let mut parts = host_path.split(':');
    let host_port = parts.next().unwrap_or_default();
    let (host, port) = match host_port
        .split_once("%3A")
        .or_else(|| host_port.split_once("%3a"))
    {
        Some((h, p)) => (h, Some(p)),
        None => (host_port, None),
    };
    if let Some(port) = port {
        let valid = !port.is_empty()
            && !port.starts_with('0')
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok();
        if !valid {
            return bad("invalid port");
        }
    }
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !labels.iter().all(label_ok) {
        return bad("invalid host name");
    }
    let is_ip = labels.len() == 4 && labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit()));
    if is_ip {
        return bad("the host must be a domain name, not an IP address");
    }
    if labels.len() < 2 && host != "localhost" {
        return bad("the host must be a domain name of two labels or more");
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return bad("invalid top-level domain");
    }
    for segment in parts {
        let ok = !segment.is_empty()
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b));
        if !ok {
            return bad("invalid path segment");
        }
    }
    Ok(())
}

pub(crate) fn short(text: &str) -> String {
    crate::syntax::short(text)
}
