#![doc = include_str!("../README.md")]

pub mod auth_store;
pub mod authorize;
mod ephemeral;
mod error;
pub mod http;
pub mod metadata;
mod service;
pub mod staff;
mod status_index;
pub mod store;
#[cfg(test)]
mod tests;

pub use error::{Error, Refusal, Result};
pub use http::router;
pub use metadata::{configuration_id, credential_type};
pub use service::{
    Clock, CreatedOffer, DEFAULT_COPIES, Issuer, IssuerConfig, OfferRequest, create_offer,
};
pub use store::{AuditRow, EventRow, OfferSummary, Store};
