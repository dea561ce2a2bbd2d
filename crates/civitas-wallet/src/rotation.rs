//! Lost-device recovery on the ledger: rotating the DID to this device with the
//! recovery secret ([`Wallet::rotate`]) and deactivating it ([`Wallet::deactivate`]).

use crate::history::Event;
use crate::recovery::RecoverySecret;
use crate::wallet::Wallet;
use crate::{Error, Result};
use civitas_did::Purpose;
use civitas_did::webvh::{self, DocKey, LogState};
use civitas_ledger::LedgerWriter;
use serde::Serialize;

/// How far past the recorded update-key index a rotation searches for the committed
/// key (rotations made by another restored copy of the wallet).
const UPDATE_KEY_SEARCH: u32 = 64;

/// What a rotation did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rotation {
    /// The DID.
    pub did: String,
    /// The new log version.
    pub version: String,
    /// The holder key the DID now authorizes (thumbprint).
    pub holder_key: String,
}

impl Wallet {
    /// The update key committed in the DID's current `nextKeyHashes`, derived from
    /// the recovery secret, with its index.
    fn committed_key(
        &mut self,
        recovery: &RecoverySecret,
        state: &LogState,
        now: i64,
    ) -> Result<(u32, civitas_crypto::SigningKey)> {
        let start = self.session(now)?.identity.update_index;
        let did = state.did().to_string();
        let hashes = state.next_key_hashes();
        for n in 1..=start.saturating_add(UPDATE_KEY_SEARCH) {
            let k = recovery.update_key(n)?;
            if hashes.contains(&webvh::next_key_hash(k.public())) {
                return Ok((n, k));
            }
        }
        Err(Error::WrongRecoverySecret(did))
    }

    /// Rotates the DID with the recovery secret: the committed update key signs a new
    /// log entry that makes it the update key, commits to the next one, and puts this
    /// device's holder key under the holder fragment (`#holder-1`) in
    /// `authentication`. From then on a key binding by any other device's key fails
    /// for every credential bound to the DID, at every verifier that resolves the DID.
    pub fn rotate(&mut self, recovery: &RecoverySecret, now: i64) -> Result<Rotation> {
        let state = self.did_state(now)?;
        if state.deactivated() {
            return Err(Error::Deactivated);
        }
        if now <= state.version_time() {
            return Err(Error::TooSoon(1));
        }
        let (n, signer) = self.committed_key(recovery, &state, now)?;
        let next = recovery.update_key(n + 1)?;
        let holder = self.holder_key(now)?;
        let fragment = self.session(now)?.identity.fragment.clone();
        let doc_keys = [DocKey::new(
            fragment,
            holder.clone(),
            &[Purpose::Authentication],
        )];
        let entry = webvh::rotate(
            &state,
            &[signer.public().clone()],
            vec![webvh::next_key_hash(next.public())],
            Some(&doc_keys),
            &signer,
            now,
        )?;
        drop((signer, next));
        self.ledger
            .append(&civitas_ledger::sign::did_log(entry.as_str()))?;
        let version = entry.version_id().to_string();
        let mut identity = self.session(now)?.identity.clone();
        identity.update_index = n;
        identity.deactivated = false;
        self.save_identity(
            identity.clone(),
            Some(Event::Rotated {
                version: version.clone(),
            }),
            now,
        )?;
        Ok(Rotation {
            did: identity.did,
            version,
            holder_key: holder.thumbprint(),
        })
    }

    /// Deactivates the DID (the citizen leaves): with pre-rotation on, as the spec
    /// requires, first a rotation to the committed key that commits to nothing, then
    /// the deactivation, both signed with keys from the recovery secret. Credentials
    /// bound to the DID stop verifying everywhere.
    pub fn deactivate(&mut self, recovery: &RecoverySecret, now: i64) -> Result<String> {
        let state = self.did_state(now)?;
        if state.deactivated() {
            return Err(Error::Deactivated);
        }
        let mut entries = Vec::new();
        let (state, signer, n) = if state.pre_rotation_active() {
            if now.saturating_sub(1) <= state.version_time() {
                return Err(Error::TooSoon(2));
            }
            let (n, signer) = self.committed_key(recovery, &state, now)?;
            let off = webvh::rotate(
                &state,
                &[signer.public().clone()],
                Vec::new(),
                None,
                &signer,
                now.saturating_sub(1),
            )?;
            let next_state = state.appended(off.as_str(), now)?;
            entries.push(civitas_ledger::sign::did_log(off.as_str()));
            (next_state, signer, n)
        } else {
            // A deactivation cut short after its first entry: the update key in force
            // is one the secret derives.
            if now <= state.version_time() {
                return Err(Error::TooSoon(1));
            }
            let start = self.session(now)?.identity.update_index;
            let mut found = None;
            for n in 1..=start.saturating_add(UPDATE_KEY_SEARCH) {
                let k = recovery.update_key(n)?;
                if state.update_keys().contains(&k.public().multikey()) {
                    found = Some((n, k));
                    break;
                }
            }
            let (n, k) = found.ok_or_else(|| Error::WrongRecoverySecret(state.did().into()))?;
            (state, k, n)
        };
        let last = webvh::deactivate(&state, &signer, now)?;
        let version = last.version_id().to_string();
        entries.push(civitas_ledger::sign::did_log(last.as_str()));
        for result in self.ledger.append_batch(&entries)? {
            result?;
        }
        let mut identity = self.session(now)?.identity.clone();
        identity.update_index = n;
        identity.deactivated = true;
        self.save_identity(
            identity,
            Some(Event::Deactivated {
                version: version.clone(),
            }),
            now,
        )?;
        Ok(version)
    }
}
