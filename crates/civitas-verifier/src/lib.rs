#![doc = include_str!("../README.md")]

pub mod counter;
mod error;
mod ledger;
pub mod scan;
mod verdict;
mod verifier;

pub use civitas_did::Resolver;
pub use counter::{CounterSession, ReceiptSigner};
pub use error::{Error, Result};
pub use ledger::{AccreditationTrust, DEFAULT_CACHE_SECONDS, LedgerStatus, MAX_CHAIN};
pub use verdict::Verdict;
pub use verifier::{
    CredentialStatus, Policy, Request, StaticTrust, StatusSource, TrustSource, Verifier,
};
