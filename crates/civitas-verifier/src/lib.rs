#![doc = include_str!("../README.md")]

mod anchor;
pub mod counter;
mod error;
mod ledger;
pub mod scan;
mod verdict;
mod verifier;

pub use anchor::LedgerAnchors;
pub use civitas_did::Resolver;
pub use counter::{CounterSession, ReceiptSigner, SessionError};
pub use error::{Error, Result};
pub use ledger::{AccreditationTrust, DEFAULT_CACHE_SECONDS, LedgerStatus, MAX_CHAIN};
pub use verdict::{Check, Verdict};
pub use verifier::{
    CredentialStatus, Policy, Request, StaticTrust, StatusSource, TrustSource, Verifier,
};
