//! The wallet: lifecycle (init, open, unlock, lock, idle), the identity on the ledger
//! (create, rotate with the recovery secret, deactivate), passphrase change, status.

use crate::history::{self, Event, GENESIS, HistoryEntry, IntegrityReport, Problem};
use crate::keystore::{KeyHandle, KeyStore, SoftwareKeyStore};
use crate::records::{
    self, IDENTITY_ID, Identity, SETTINGS_ID, STATE_ID, Settings, State, StoredKey, from_bytes,
    to_bytes,
};
use crate::seal::{KdfParams, Key, hex};
use crate::vault::{Kind, Vault, Writer};
use crate::{Error, Result};
use civitas_crypto::{PublicKey, Rng, Signer, SystemRng};
use civitas_ledger::LedgerWriter;
use std::path::Path;
use std::sync::Arc;

/// Idle time after which an unlocked wallet locks itself, by default (seconds).
pub const DEFAULT_IDLE_TIMEOUT: i64 = 300;
/// Shortest passphrase accepted.
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// The fragment of the holder key in the citizen's DID document.
pub const HOLDER_FRAGMENT: &str = "holder-1";

/// What an unlocked wallet holds in memory: the vault key and the decrypted identity,
/// settings and state records, with the time of the last activity (for the idle lock).
/// Dropped on lock.
pub(crate) struct Unlocked {
    pub(crate) key: Key,
    pub(crate) identity: Identity,
    pub(crate) settings: Settings,
    pub(crate) state: State,
    last_activity: i64,
}

impl Unlocked {
    pub(crate) fn new(
        key: Key,
        identity: Identity,
        settings: Settings,
        state: State,
        now: i64,
    ) -> Self {
        Unlocked {
            key,
            identity,
            settings,
            state,
            last_activity: now,
        }
    }
}

/// The citizen's wallet.
///
/// One process holds it at a time (a lock file); it opens locked, and
/// [`Wallet::unlock`] turns the passphrase into the vault key. Every operation takes
/// the current time, and an unlocked wallet idle for longer than its timeout locks
/// itself on the next call ([`Error::Locked`]).
pub struct Wallet {
    pub(crate) vault: Vault,
    pub(crate) ledger: Arc<dyn LedgerWriter>,
    pub(crate) keystore: Arc<dyn KeyStore>,
    pub(crate) rng: Arc<dyn Rng>,
    pub(crate) session: Option<Unlocked>,
    /// Roots trusted for this process only ([`Wallet::trust_roots`]).
    pub(crate) extra_roots: Vec<String>,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("dir", &self.vault.dir())
            .field("unlocked", &self.session.is_some())
            .finish()
    }
}

pub(crate) fn check_passphrase(p: &str) -> Result<()> {
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::WeakPassphrase(MIN_PASSPHRASE_CHARS));
    }
    Ok(())
}

impl Wallet {
    /// Opens the wallet in `dir`, locked, with the software key store. Takes the
    /// process lock ([`Error::Busy`] if another process has it) and checks the vault
    /// file and its header; writes nothing.
    pub fn open(dir: &Path, ledger: Arc<dyn LedgerWriter>) -> Result<Wallet> {
        Self::open_with(dir, ledger, Arc::new(SoftwareKeyStore), Arc::new(SystemRng))
    }

    /// [`Wallet::open`] with a chosen key store and randomness.
    pub fn open_with(
        dir: &Path,
        ledger: Arc<dyn LedgerWriter>,
        keystore: Arc<dyn KeyStore>,
        rng: Arc<dyn Rng>,
    ) -> Result<Wallet> {
        Ok(Wallet {
            vault: Vault::open(dir)?,
            ledger,
            keystore,
            rng,
            session: None,
            extra_roots: Vec::new(),
        })
    }

    /// Unlocks with the passphrase: derives the key-encryption key (Argon2id),
    /// unwraps the vault key, checks that every identity, key and credential record
    /// authenticates, and checks the history chain. Returns what the history check
    /// found (tampering is reported, not fatal: the citizen keeps access). Wrong
    /// passphrases are rate-limited ([`Error::WrongPassphrase`], then
    /// [`Error::RateLimited`]).
    pub fn unlock(&mut self, passphrase: &str, now: i64) -> Result<IntegrityReport> {
        self.session = None;
        let key = self.vault.unlock(passphrase.as_bytes(), now)?;
        let identity: Identity = self.required(&key, Kind::Identity, IDENTITY_ID)?;
        let settings: Settings = self.required(&key, Kind::Settings, SETTINGS_ID)?;
        // Every initialised wallet has a state record (written with its first history
        // entry, in the same transaction as its identity): one missing was deleted.
        let state: State = match self.vault.get(&key, Kind::State, STATE_ID)? {
            Some(b) => from_bytes(&b, "state")?,
            None => self.rebuild_state(&key)?,
        };
        for (_, opened) in self.vault.list(&key, Kind::Key)? {
            let bytes = opened.ok_or(Error::RecordCorrupted { kind: "key" })?;
            from_bytes::<StoredKey>(&bytes, "key")?;
        }
        if self
            .vault
            .get(&key, Kind::Key, &identity.holder_key)?
            .is_none()
        {
            return Err(Error::RecordMissing("holder key"));
        }
        let credentials = self.vault.list(&key, Kind::Credential)?;
        for (_, opened) in &credentials {
            let bytes = opened
                .as_ref()
                .ok_or(Error::RecordCorrupted { kind: "credential" })?;
            from_bytes::<records::StoredCredential>(bytes, "credential")?;
        }
        let mut report = self.check_history(&key, &state)?;
        let found = credentials.len() as u64;
        if found < state.credentials {
            report.problems.push(Problem::CredentialsMissing {
                expected: state.credentials,
                found,
            });
        }
        self.session = Some(Unlocked {
            key,
            identity,
            settings,
            state,
            last_activity: now,
        });
        Ok(report)
    }

    fn required<T: for<'de> serde::Deserialize<'de>>(
        &self,
        key: &Key,
        kind: Kind,
        id: &str,
    ) -> Result<T> {
        let bytes = self
            .vault
            .get(key, kind, id)?
            .ok_or(Error::RecordMissing(kind.name()))?;
        from_bytes(&bytes, kind.name())
    }

    /// A state for a vault whose state record is gone, from what is left (the last
    /// history entry present, the credentials present), marked `rebuilt` so that the
    /// loss is reported on every unlock, also after the next write persists it. New
    /// entries then continue after the last one present instead of overwriting entry 1.
    fn rebuild_state(&self, key: &Key) -> Result<State> {
        let rows = self.vault.list(key, Kind::History)?;
        let last = rows
            .iter()
            .filter_map(|(id, opened)| Some((history::seq_of(id, "h:")?, opened)))
            .max_by_key(|(seq, _)| *seq);
        let (history_count, history_head) = match last {
            Some((seq, Some(bytes))) => (seq, HistoryEntry::hash_of(bytes)),
            Some((seq, None)) => (seq, GENESIS.to_string()),
            None => (0, GENESIS.to_string()),
        };
        Ok(State {
            history_count,
            history_head,
            credentials: self.vault.list(key, Kind::Credential)?.len() as u64,
            rebuilt: true,
        })
    }

    pub(crate) fn check_history(&self, key: &Key, state: &State) -> Result<IntegrityReport> {
        let rows = self.vault.list(key, Kind::History)?;
        let (mut problems, entries) =
            history::check_chain(&rows, state.history_count, &state.history_head);
        if state.rebuilt {
            problems.insert(0, Problem::StateMissing);
        }
        for (id, opened) in self.vault.list(key, Kind::Receipt)? {
            let seq = history::seq_of(&id, "r:").unwrap_or(0);
            let ok = opened
                .and_then(|b| serde_json::from_slice::<records::StoredReceipt>(&b).ok())
                .is_some_and(|r| {
                    r.seq == seq && entries.iter().any(|(e, h)| e.seq == seq && *h == r.entry)
                });
            if !ok {
                problems.push(Problem::ReceiptAltered { seq });
            }
        }
        Ok(IntegrityReport {
            history_entries: rows.len() as u64,
            problems,
        })
    }

    /// Locks: forgets the vault key and everything decrypted.
    pub fn lock(&mut self) {
        self.session = None;
    }

    /// Records activity at `now` (postpones the idle lock).
    pub fn touch(&mut self, now: i64) {
        if let Some(s) = &mut self.session {
            s.last_activity = s.last_activity.max(now);
        }
    }

    /// Whether the wallet is locked at `now` (never unlocked, locked, or idle longer
    /// than its timeout).
    pub fn is_locked(&self, now: i64) -> bool {
        match &self.session {
            None => true,
            Some(s) => now.saturating_sub(s.last_activity) > s.settings.idle_timeout,
        }
    }

    /// The session, or [`Error::Locked`] (locking now if idle too long).
    pub(crate) fn session(&mut self, now: i64) -> Result<&mut Unlocked> {
        if self.is_locked(now) {
            self.session = None;
            return Err(Error::Locked);
        }
        let s = self.session.as_mut().ok_or(Error::Locked)?;
        s.last_activity = s.last_activity.max(now);
        Ok(s)
    }

    /// Sets the idle timeout (seconds, at least 10).
    pub fn set_idle_timeout(&mut self, seconds: i64, now: i64) -> Result<()> {
        let mut settings = self.session(now)?.settings.clone();
        settings.idle_timeout = seconds.max(10);
        self.write(now, |w, _| {
            w.put(Kind::Settings, SETTINGS_ID, &to_bytes(&settings)?)?;
            Ok(())
        })?;
        if let Some(s) = &mut self.session {
            s.settings = settings;
        }
        Ok(())
    }

    /// Runs `f` in one vault transaction with the session's state; the state (history
    /// head, counts) is written in the same transaction and kept on success.
    pub(crate) fn write<T>(
        &mut self,
        now: i64,
        f: impl FnOnce(&mut Writer<'_>, &mut State) -> Result<T>,
    ) -> Result<T> {
        let rng = self.rng.clone();
        let session = self.session(now)?;
        let key = session.key.clone();
        let mut state = session.state.clone();
        let out = self.vault.write(&key, &*rng, |w| {
            let out = f(w, &mut state)?;
            w.put(Kind::State, STATE_ID, &to_bytes(&state)?)?;
            Ok(out)
        })?;
        if let Some(s) = &mut self.session {
            s.state = state;
        }
        Ok(out)
    }

    /// Writes the identity record (with a history event) in one transaction.
    pub(crate) fn save_identity(
        &mut self,
        identity: Identity,
        event: Option<Event>,
        now: i64,
    ) -> Result<()> {
        let bytes = to_bytes(&identity)?;
        self.write(now, |w, state| {
            w.put(Kind::Identity, IDENTITY_ID, &bytes)?;
            if let Some(event) = event {
                append_history(w, state, event, now)?;
            }
            Ok(())
        })?;
        if let Some(s) = &mut self.session {
            s.identity = identity;
        }
        Ok(())
    }

    /// A fresh record id with `prefix` (`c:`, `k:`), unused in the vault.
    pub(crate) fn new_id(&self, prefix: &str) -> Result<String> {
        let mut bytes = [0u8; 4];
        self.rng.fill(&mut bytes)?;
        Ok(format!("{prefix}{}", hex(&bytes)))
    }

    /// The citizen's DID.
    pub fn did(&mut self, now: i64) -> Result<String> {
        Ok(self.session(now)?.identity.did.clone())
    }

    /// The vault directory.
    pub fn dir(&self) -> &Path {
        self.vault.dir()
    }

    /// The ledger this wallet anchors its DID on.
    pub fn ledger(&self) -> &Arc<dyn LedgerWriter> {
        &self.ledger
    }

    /// The vault's Argon2id parameters (readable while locked).
    pub fn kdf(&self) -> KdfParams {
        self.vault.kdf()
    }

    /// Bytes the vault's files take on disk.
    pub fn vault_bytes(&self) -> u64 {
        self.vault.size_on_disk()
    }

    /// Folds the write-ahead log into the vault file.
    pub fn checkpoint(&self) -> Result<()> {
        self.vault.checkpoint()
    }

    /// A resolver for did:jwk, did:key and this ledger's did:webvh DIDs, as of `now`.
    pub fn resolver(&self, now: i64) -> civitas_did::MethodResolver {
        civitas_ledger::resolver(self.ledger.clone(), now)
    }

    /// This device's holder key handle.
    pub(crate) fn holder_handle(&mut self, now: i64) -> Result<KeyHandle> {
        let session = self.session(now)?;
        let id = session.identity.holder_key.clone();
        let key = session.key.clone();
        let bytes = self
            .vault
            .get(&key, Kind::Key, &id)?
            .ok_or(Error::RecordMissing("holder key"))?;
        Ok(from_bytes::<StoredKey>(&bytes, "key")?.handle)
    }

    /// This device's holder public key.
    pub fn holder_key(&mut self, now: i64) -> Result<PublicKey> {
        self.holder_handle(now)?.public_key()
    }

    /// A signer for this device's holder key, through the key store.
    pub(crate) fn holder_signer(&mut self, now: i64) -> Result<Box<dyn Signer>> {
        let handle = self.holder_handle(now)?;
        self.keystore.signer(&handle)
    }

    /// Changes the passphrase: the vault key is re-wrapped under a key derived from
    /// the new one (new salt, `kdf` or the current parameters); no record is
    /// re-encrypted. Needs the current passphrase even while unlocked.
    pub fn change_passphrase(
        &mut self,
        current: &str,
        new: &str,
        kdf: Option<KdfParams>,
        now: i64,
    ) -> Result<()> {
        check_passphrase(new)?;
        if self.is_locked(now) {
            self.unlock(current, now)?;
        } else {
            // Unlocked already: the current passphrase must still be proven.
            self.vault.unlock(current.as_bytes(), now)?;
        }
        let key = self.session(now)?.key.clone();
        let kdf = kdf.unwrap_or(self.vault.kdf());
        let header = self
            .vault
            .new_header(&key, new.as_bytes(), kdf, &*self.rng)?;
        self.write(now, |w, state| {
            w.put_header(&header)?;
            append_history(w, state, Event::PassphraseChanged, now).map(|_| ())
        })?;
        self.vault.set_header(header);
        Ok(())
    }
}

/// Appends a history entry inside a write; returns its number.
pub(crate) fn append_history(
    w: &mut Writer<'_>,
    state: &mut State,
    event: Event,
    now: i64,
) -> Result<u64> {
    let seq = state.history_count + 1;
    let prev = if state.history_count == 0 {
        GENESIS.to_string()
    } else {
        state.history_head.clone()
    };
    let entry = HistoryEntry {
        seq,
        time: now,
        event,
        prev,
    };
    let bytes = to_bytes(&entry)?;
    w.put(Kind::History, &history::entry_id(seq), &bytes)?;
    state.history_count = seq;
    state.history_head = HistoryEntry::hash_of(&bytes);
    Ok(seq)
}

/// Whether another process holds the wallet at `dir` open (what `civitas wallet lock`
/// reports).
pub fn is_open_elsewhere(dir: &Path) -> Result<bool> {
    crate::vault::is_held(dir)
}
