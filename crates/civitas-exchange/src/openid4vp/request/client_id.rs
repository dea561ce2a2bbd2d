//! The Client Identifier (OpenID4VP 1.0 §5.9): which prefixes Civitas supports and
//! what each one's identifier must be.

use crate::openid4vp::error::{RequestError, Result, shorten};
use crate::openid4vp::form;
use std::fmt;

/// The Client Identifier Prefixes Civitas supports (§5.9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientIdPrefix {
    /// `redirect_uri:<response URI>`: unsigned requests, the Verifier identified by
    /// where it receives the response.
    RedirectUri,
    /// `decentralized_identifier:<DID>`: the request is signed by a key of the DID.
    DecentralizedIdentifier,
}

impl ClientIdPrefix {
    /// The prefix as written, without the colon.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientIdPrefix::RedirectUri => "redirect_uri",
            ClientIdPrefix::DecentralizedIdentifier => "decentralized_identifier",
        }
    }
}

/// A Client Identifier with a supported prefix. It is the Verifier's identity for the
/// Wallet and the `aud` of every key binding JWT (§14.1.2): always the full string,
/// prefix included (§14.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientId {
    pub(super) full: String,
    pub(super) prefix: ClientIdPrefix,
}

impl ClientId {
    /// Parses and checks a Client Identifier: `redirect_uri:` followed by an `https`
    /// URI (or `http` to a loopback host), or `decentralized_identifier:` followed by a
    /// DID (no fragment, path or query). Other prefixes, `origin:` (reserved) and
    /// identifiers without a prefix (pre-registered clients) are refused.
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() > crate::openid4vp::limits::MAX_URI_LEN {
            return Err(RequestError::InvalidClientId("longer than 2048 bytes").into());
        }
        let Some((prefix, original)) = text.split_once(':') else {
            return Err(RequestError::UnsupportedClientIdPrefix("pre-registered".into()).into());
        };
        let prefix = match prefix {
            "redirect_uri" => {
                form::check_uri(original, "client_id").map_err(|_| {
                    RequestError::InvalidClientId("redirect_uri: needs an https URI")
                })?;
                ClientIdPrefix::RedirectUri
            }
            "decentralized_identifier" => {
                civitas_did::validate_did(original).map_err(|_| {
                    RequestError::InvalidClientId("decentralized_identifier: needs a DID")
                })?;
                ClientIdPrefix::DecentralizedIdentifier
            }
            other => return Err(RequestError::UnsupportedClientIdPrefix(shorten(other, 40)).into()),
        };
        Ok(ClientId {
            full: text.to_string(),
            prefix,
        })
    }

    /// The prefix.
    pub fn prefix(&self) -> ClientIdPrefix {
        self.prefix
    }

    /// The identifier without its prefix: the URI, or the DID.
    pub fn original(&self) -> &str {
        &self.full[self.prefix.as_str().len() + 1..]
    }

    /// The full Client Identifier, prefix included.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The DID, for a `decentralized_identifier` client.
    pub fn did(&self) -> Option<&str> {
        (self.prefix == ClientIdPrefix::DecentralizedIdentifier).then(|| self.original())
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}
