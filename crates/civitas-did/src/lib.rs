#![doc = include_str!("../README.md")]

mod document;
mod error;
mod resolver;
mod retirement;
mod syntax;
pub mod webvh;

pub use document::{DidDocument, DocumentMetadata, Purpose, Resolution, VerificationMethod};
pub use error::{Error, Result};
pub use resolver::{
    CachingResolver, JwkResolver, KEY_HISTORY_TTL, KeyResolver, MethodResolver, ResolveOptions,
    Resolver,
};
pub use retirement::{
    KeyHistory, RETIREMENT_PROPERTY, RetiredKey, RetirementReason, state_retirement,
};
pub use syntax::{split_did_url, validate_did};
pub use webvh::{DidLogSource, WebvhResolver};

#[cfg(test)]
mod tests;
