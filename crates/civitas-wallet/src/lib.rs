#![doc = include_str!("../README.md")]

mod accreditation;
mod backup;
mod consent;
mod create;
mod credentials;
mod data_dir;
mod error;
pub mod history;
mod journal;
mod keystore;
pub mod openid4vci;
mod records;
mod recovery;
pub mod request;
mod rotation;
mod seal;
pub mod send;
mod status;
pub mod vault;
mod wallet;

pub use accreditation::Accreditation;
pub use backup::{BackupInfo, RestoreReport};
pub use consent::{Consent, ConsentClaim, Presentation, PresentationRequest};
pub use create::{InitOptions, Initialized};
pub use credentials::{
    Binding, ClaimView, CredentialDetails, CredentialStatus, CredentialSummary, Received,
    decode_input,
};
pub use data_dir::default_data_dir;
pub use error::{Error, Result};
pub use history::{Event, HistoryEntry, HistoryItem, IntegrityReport, Problem};
pub use keystore::{KeyHandle, KeyStore, SoftwareKeyStore};
pub use recovery::RecoverySecret;
pub use rotation::Rotation;
pub use seal::KdfParams;
pub use status::Status;
pub use wallet::{
    DEFAULT_IDLE_TIMEOUT, HOLDER_FRAGMENT, MIN_PASSPHRASE_CHARS, Wallet, is_open_elsewhere,
};
