#![doc = include_str!("../README.md")]

mod backup;
mod consent;
mod credentials;
mod error;
pub mod history;
mod journal;
mod keystore;
mod records;
mod recovery;
mod seal;
pub mod vault;
mod wallet;

pub use backup::{BackupInfo, RestoreReport};
pub use consent::{Consent, ConsentClaim, Presentation, PresentationRequest};
pub use credentials::{
    Binding, ClaimView, CredentialDetails, CredentialStatus, CredentialSummary, Received,
    decode_input,
};
pub use error::{Error, Result};
pub use history::{Event, HistoryEntry, HistoryItem, IntegrityReport, Problem};
pub use keystore::{KeyHandle, KeyStore, SoftwareKeyStore};
pub use recovery::RecoverySecret;
pub use seal::KdfParams;
pub use wallet::{
    DEFAULT_IDLE_TIMEOUT, HOLDER_FRAGMENT, InitOptions, Initialized, MIN_PASSPHRASE_CHARS,
    Rotation, Status, Wallet, is_open_elsewhere,
};
