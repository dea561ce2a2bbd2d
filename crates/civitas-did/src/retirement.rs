//! Retired keys: what a DID authorized once and no longer does, which update retired
//! it, and why (compromise or routine rotation).
//!
//! A signature is judged against the DID's *current* state: the signer chooses a
//! credential's `iat`, so "the key in force at `iat`" would let anyone holding a
//! rotated-out key sign as the issuer again. [`KeyHistory`] gives the current key and
//! every key the DID retired, each with the update that retired it, so that a
//! verifier can refuse the retired ones unless something the signer cannot forge
//! (an issuance anchor on the ledger before that update) proves the signature older.
//!
//! The reason is stated by the update itself, in the DID document it publishes, as
//! the property [`RETIREMENT_PROPERTY`] (`"civitasKeyRetirement": "routine"` or
//! `"compromise"`). A DID document may carry extension properties (DID Core §4.1)
//! and did:webvh signs the whole document, so the statement is covered by the
//! update's proof; did:webvh's `parameters` are a closed set, so it cannot go
//! there. No statement (or any other value) means compromise: the safe default.

use crate::{DidDocument, Purpose};
use civitas_crypto::PublicKey;
use serde_json::Value;

/// The DID document property in which an update states why it retires keys.
pub const RETIREMENT_PROPERTY: &str = "civitasKeyRetirement";

/// Why an update retired keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetirementReason {
    /// The key may be in someone else's hands: every signature by it is void.
    Compromise,
    /// A planned rotation: signatures proven older than the update stay valid.
    Routine,
}

impl RetirementReason {
    /// The value written in [`RETIREMENT_PROPERTY`].
    pub fn as_str(self) -> &'static str {
        match self {
            RetirementReason::Compromise => "compromise",
            RetirementReason::Routine => "routine",
        }
    }

    /// Reads a stated reason: `routine` is routine; anything else, or nothing, is
    /// compromise.
    pub fn from_value(value: Option<&Value>) -> Self {
        match value.and_then(Value::as_str) {
            Some("routine") => RetirementReason::Routine,
            _ => RetirementReason::Compromise,
        }
    }

    /// The reason a DID document (the `state` of an update) states.
    pub fn stated_by(document: &Value) -> Self {
        Self::from_value(document.get(RETIREMENT_PROPERTY))
    }

    /// Parses `compromise` or `routine`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "compromise" => Some(RetirementReason::Compromise),
            "routine" => Some(RetirementReason::Routine),
            _ => None,
        }
    }
}

impl std::fmt::Display for RetirementReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Sets the retirement statement of a DID document (an object; anything else is left
/// as it is).
pub fn state_retirement(document: &mut Value, reason: RetirementReason) {
    if let Some(obj) = document.as_object_mut() {
        obj.insert(RETIREMENT_PROPERTY.into(), Value::from(reason.as_str()));
    }
}

/// A key the DID authorized (for the purpose asked) until an update retired it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetiredKey {
    /// The key.
    pub key: PublicKey,
    /// The `versionId` of the update that retired it (the first version after the
    /// last one that authorized it).
    pub retired_by: String,
    /// That update's version number.
    pub retired_version: u64,
    /// That update's `versionTime`, Unix seconds (stated by the DID controller: for
    /// display, not for ordering).
    pub retired_time: i64,
    /// Why, as the update states it.
    pub reason: RetirementReason,
}

/// The keys a DID URL has named for a purpose: the one the DID authorizes now, if
/// any, and those it retired, newest retirement first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyHistory {
    /// The key authorized by the DID's current state.
    pub current: Option<PublicKey>,
    /// Keys authorized by earlier versions and retired since (not the current key).
    pub retired: Vec<RetiredKey>,
}

impl KeyHistory {
    /// Only a current key (methods without history: did:jwk, did:key).
    pub fn current(key: PublicKey) -> Self {
        KeyHistory {
            current: Some(key),
            retired: Vec::new(),
        }
    }
}

/// The history of `did_url`'s key for `purpose` over `versions` (oldest first: the
/// document of each version, its `versionId`, number, time and stated retirement
/// reason). Both parts are empty when no version ever authorized it.
pub(crate) fn history_over(
    did_url: &str,
    purpose: Purpose,
    versions: &[(DidDocument, &str, u64, i64, RetirementReason)],
) -> KeyHistory {
    let key_in = |doc: &DidDocument| doc.key_for(did_url, purpose).ok().cloned();
    let current = versions.last().and_then(|(doc, ..)| key_in(doc));
    let mut retired = Vec::new();
    // Walk back: version i authorized a key that version i+1 no longer authorizes
    // (removed, or the fragment now names another key): retired by version i+1.
    for pair in versions.windows(2).rev() {
        let (before, after) = (&pair[0], &pair[1]);
        let Some(key) = key_in(&before.0) else {
            continue;
        };
        if key_in(&after.0).as_ref() == Some(&key) {
            continue;
        }
        if current.as_ref() == Some(&key) {
            // Retired once, authorized again since: the current state decides.
            continue;
        }
        retired.push(RetiredKey {
            key,
            retired_by: after.1.to_string(),
            retired_version: after.2,
            retired_time: after.3,
            reason: after.4,
        });
    }
    KeyHistory { current, retired }
}
