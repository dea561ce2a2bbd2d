#![doc = include_str!("../README.md")]

mod credential;
mod error;
mod evidence;
mod issue;
pub mod json;
pub mod jws;
mod model;
mod path;
pub mod samples;
pub mod sd;
pub mod status_list;
pub mod types;
mod verify;

pub use credential::{Credential, Disclosable};
pub use error::{Error, Part, Result};
pub use evidence::{IssuanceEvidence, issuer_jwt_digest};
pub use issue::{IssueOptions, issue};
pub use model::{
    HolderBinding, REGISTERED, StatusRef, TYP_KB_JWT, TYP_SD_JWT_VC, TYP_SD_JWT_VC_LEGACY,
};
pub use path::{ClaimPath, PathElement};
pub use types::CredentialType;
pub use verify::{KeyBindingInfo, KeyBindingRule, TypRule, Verified, VerifyOptions, verify};
