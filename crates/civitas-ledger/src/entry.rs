//! What the ledger records: typed entries, each one line of JSON, hashed as the leaf.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Largest entry accepted, in bytes (a DID log line is capped at 64 KiB too; a status
/// list token for a million credentials is about 20 KiB compressed).
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;

/// `typ` of an accreditation JWS.
pub const TYP_ACCREDITATION: &str = "civitas-accreditation+jwt";
/// `typ` of an accreditation revocation JWS.
pub const TYP_ACCREDITATION_REVOCATION: &str = "civitas-accreditation-revocation+jwt";
/// `typ` of a root declaration JWS.
pub const TYP_ROOT: &str = "civitas-root+jwt";
/// `typ` of an issuance anchor JWS.
pub const TYP_ISSUANCE: &str = "civitas-issuance+jwt";
/// Most credential digests one issuance anchor may carry.
pub const MAX_ISSUANCE_DIGESTS: usize = 1000;

/// A ledger entry.
///
/// - `did-log`: one did:webvh log line (kept byte for byte: its hashes cover it);
/// - `root`: a DID declares itself a root authority for some credential types (anyone
///   may; a verifier's policy chooses which roots it trusts);
/// - `accreditation`: a root, or an issuer accredited with `delegate`, accredits an
///   issuer DID for a set of `vct`s over a validity period;
/// - `accreditation-revocation`: the accreditor withdraws one;
/// - `status-list`: an issuer publishes (a new version of) a Token Status List;
/// - `issuance`: an issuer anchors credentials it issued (the SHA-256 digests of their
///   issuer-signed JWTs, a batch at a time), so that a later *routine* rotation of its
///   key does not void them: their anchor's log index is lower than the rotation's.
///
/// Every signed entry is a compact JWS whose `kid` is a key of its `iss` DID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Entry {
    /// A did:webvh log entry.
    DidLog {
        /// The JSON line.
        line: String,
    },
    /// A root declaration (`civitas-root+jwt`).
    Root {
        /// The JWS.
        jws: String,
    },
    /// An accreditation (`civitas-accreditation+jwt`).
    Accreditation {
        /// The JWS.
        jws: String,
    },
    /// An accreditation revocation (`civitas-accreditation-revocation+jwt`).
    AccreditationRevocation {
        /// The JWS.
        jws: String,
    },
    /// A status list token (`statuslist+jwt`).
    StatusList {
        /// The JWS.
        jws: String,
    },
    /// An issuance anchor (`civitas-issuance+jwt`).
    Issuance {
        /// The JWS.
        jws: String,
    },
}

impl Entry {
    /// The kind, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::DidLog { .. } => "did-log",
            Entry::Root { .. } => "root",
            Entry::Accreditation { .. } => "accreditation",
            Entry::AccreditationRevocation { .. } => "accreditation-revocation",
            Entry::StatusList { .. } => "status-list",
            Entry::Issuance { .. } => "issuance",
        }
    }

    /// The canonical bytes: compact JSON, the Merkle leaf's data.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses the bytes of an entry, refusing oversized input, unknown types and
    /// extra members. The bytes must be canonical (what [`Entry::to_bytes`] makes),
    /// so that one entry has one leaf hash.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(Error::EntryTooLarge {
                size: bytes.len(),
                max: MAX_ENTRY_BYTES,
            });
        }
        let entry: Entry =
            serde_json::from_slice(bytes).map_err(|e| Error::MalformedEntry(e.to_string()))?;
        if entry.to_bytes() != bytes {
            return Err(Error::MalformedEntry(
                "not in canonical form (compact JSON, members in order)".into(),
            ));
        }
        Ok(entry)
    }

    /// Parses an entry from JSON a client sent (any formatting); the ledger stores its
    /// canonical form.
    pub fn from_json(text: &str) -> Result<Self> {
        if text.len() > MAX_ENTRY_BYTES {
            return Err(Error::EntryTooLarge {
                size: text.len(),
                max: MAX_ENTRY_BYTES,
            });
        }
        let entry: Entry =
            serde_json::from_str(text).map_err(|e| Error::MalformedEntry(e.to_string()))?;
        let size = entry.to_bytes().len();
        if size > MAX_ENTRY_BYTES {
            return Err(Error::EntryTooLarge {
                size,
                max: MAX_ENTRY_BYTES,
            });
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_canonically() {
        let e = Entry::DidLog {
            line: "{\"versionId\":\"1-x\"}".into(),
        };
        let bytes = e.to_bytes();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"type":"did-log","line":"{\"versionId\":\"1-x\"}"}"#
        );
        assert_eq!(Entry::from_bytes(&bytes).unwrap(), e);
        assert!(Entry::from_bytes(br#"{"line":"x","type":"did-log"}"#).is_err());
        assert!(Entry::from_bytes(br#"{"type":"other","jws":"x"}"#).is_err());
        assert!(Entry::from_bytes(br#"{"type":"root","jws":"x","extra":1}"#).is_err());
        let big = vec![b'a'; MAX_ENTRY_BYTES + 1];
        assert!(matches!(
            Entry::from_bytes(&big),
            Err(Error::EntryTooLarge { .. })
        ));
    }
}
