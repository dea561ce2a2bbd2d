#![doc = include_str!("../README.md")]

mod error;
mod ledger;
mod verdict;
mod verifier;

pub use civitas_did::Resolver;
pub use error::{Error, Result};
pub use ledger::{AccreditationTrust, DEFAULT_CACHE_SECONDS, LedgerStatus, MAX_CHAIN};
pub use verdict::Verdict;
pub use verifier::{
    CredentialStatus, Policy, Request, StaticTrust, StatusSource, TrustSource, Verifier,
};
