//! The wallet at a glance ([`Wallet::status`]) and the DID as the ledger has it
//! ([`Wallet::did_state`], [`Wallet::device_authorized`]).

use crate::Result;
use crate::vault::Kind;
use crate::wallet::Wallet;
use civitas_did::Purpose;
use civitas_did::webvh::{self, LogState};
use serde::Serialize;

/// The wallet at a glance.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Status {
    /// The citizen's DID.
    pub did: String,
    /// The ledger's host.
    pub ledger_host: Option<String>,
    /// RFC 7638 thumbprint of this device's holder key.
    pub holder_key: String,
    /// Which key store holds it.
    pub key_store: String,
    /// Credentials held.
    pub credentials: u64,
    /// History entries.
    pub history_entries: u64,
    /// The vault's Argon2id parameters.
    pub kdf: String,
    /// Idle lock, seconds.
    pub idle_timeout: i64,
    /// Current DID log version on the ledger.
    pub did_version: Option<String>,
    /// Whether the DID is deactivated.
    pub deactivated: bool,
    /// Whether the DID currently authorizes this device's holder key (`None`: the
    /// ledger could not be read).
    pub device_authorized: Option<bool>,
    /// Why the ledger could not be read, if it could not.
    pub ledger_error: Option<String>,
    /// When the last backup was written.
    pub last_backup: Option<i64>,
    /// Bytes the vault takes on disk.
    pub vault_bytes: u64,
}

impl Wallet {
    /// The DID's log as the ledger has it, validated as of `now`.
    pub fn did_state(&mut self, now: i64) -> Result<LogState> {
        let did = self.did(now)?;
        let lines = self.ledger.did_log(&did)?;
        Ok(webvh::validate_log(lines, now)?)
    }

    /// Whether the DID currently authorizes this device's holder key under its
    /// fragment, for authentication.
    pub fn device_authorized(&mut self, now: i64) -> Result<bool> {
        let holder = self.holder_key(now)?;
        let session = self.session(now)?;
        let kid = format!("{}#{}", session.identity.did, session.identity.fragment);
        let resolver = self.resolver(now);
        match civitas_did::Resolver::resolve_key(
            &resolver,
            &kid,
            Purpose::Authentication,
            Some(now),
        ) {
            Ok(k) => Ok(k == holder),
            Err(
                civitas_did::Error::KeyNotFound(_)
                | civitas_did::Error::NotAuthorized { .. }
                | civitas_did::Error::Deactivated(_),
            ) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The wallet at a glance (reads the ledger for the DID's state; a ledger error is
    /// reported in the status, not returned).
    pub fn status(&mut self, now: i64) -> Result<Status> {
        let handle = self.holder_handle(now)?;
        let holder = handle.public_key()?;
        let key = self.session(now)?.key.clone();
        let credentials = self.vault.list(&key, Kind::Credential)?;
        let kdf = self.vault.kdf().to_string();
        let vault_bytes = self.vault.size_on_disk();
        let session = self.session(now)?;
        let mut status = Status {
            did: session.identity.did.clone(),
            ledger_host: None,
            holder_key: holder.thumbprint(),
            key_store: handle.store.clone(),
            credentials: credentials.len() as u64,
            history_entries: session.state.history_count,
            kdf,
            idle_timeout: session.settings.idle_timeout,
            did_version: None,
            deactivated: session.identity.deactivated,
            device_authorized: None,
            ledger_error: None,
            last_backup: session.identity.last_backup,
            vault_bytes,
        };
        let ledger = (|| -> Result<_> {
            let host = self.ledger.info()?.host;
            let state = self.did_state(now)?;
            let authorized = self.device_authorized(now)?;
            Ok((
                host,
                state.version_id().to_string(),
                state.deactivated(),
                authorized,
            ))
        })();
        match ledger {
            Ok((host, version, deactivated, authorized)) => {
                status.ledger_host = Some(host);
                status.did_version = Some(version);
                status.deactivated |= deactivated;
                status.device_authorized = Some(authorized);
            }
            Err(e) => status.ledger_error = Some(e.to_string()),
        }
        Ok(status)
    }
}
