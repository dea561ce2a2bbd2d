//! The wallet: lifecycle (init, open, unlock, lock, idle), the identity on the ledger
//! (create, rotate with the recovery secret, deactivate), passphrase change, status.

use crate::history::{self, Event, GENESIS, HistoryEntry, IntegrityReport, Problem};
use crate::keystore::{KeyHandle, KeyStore, SoftwareKeyStore};
use crate::records::{
    self, IDENTITY_ID, Identity, SETTINGS_ID, STATE_ID, Settings, State, StoredKey, from_bytes,
    to_bytes,
};
use crate::recovery::RecoverySecret;
use crate::seal::{KdfParams, Key, hex};
use crate::vault::{Kind, Vault, Writer};
use crate::{Error, Result};
use civitas_crypto::{PublicKey, Rng, Signer, SystemRng, b64};
use civitas_did::Purpose;
use civitas_did::webvh::{self, DocKey, LogState};
use civitas_ledger::LedgerWriter;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Idle time after which an unlocked wallet locks itself, by default (seconds).
pub const DEFAULT_IDLE_TIMEOUT: i64 = 300;
/// Shortest passphrase accepted.
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// The fragment of the holder key in the citizen's DID document.
pub const HOLDER_FRAGMENT: &str = "holder-1";
/// How far past the recorded update-key index a rotation searches for the committed
/// key (rotations made by another restored copy of the wallet).
const UPDATE_KEY_SEARCH: u32 = 64;

/// How a new wallet is made.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Argon2id parameters for the passphrase (at least [`KdfParams::MINIMUM`]).
    pub kdf: KdfParams,
    /// Idle time before the wallet locks itself, seconds.
    pub idle_timeout: i64,
}

impl Default for InitOptions {
    /// RFC 9106's second recommendation (64 MiB, t=3, p=4) and a 5-minute idle lock.
    /// The CLI and the app use [`KdfParams::calibrate`] instead.
    fn default() -> Self {
        InitOptions {
            kdf: KdfParams::RFC9106_SECOND,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// What `init` hands back: the DID and the backup kit, shown once.
#[derive(Debug)]
pub struct Initialized {
    /// The citizen's new DID.
    pub did: String,
    /// The recovery secret. Show it (words and QR) and drop it: the wallet keeps no
    /// copy.
    pub recovery: RecoverySecret,
}

pub(crate) struct Session {
    pub(crate) key: Key,
    pub(crate) identity: Identity,
    pub(crate) settings: Settings,
    pub(crate) state: State,
    last_activity: i64,
}

impl Session {
    pub(crate) fn new(
        key: Key,
        identity: Identity,
        settings: Settings,
        state: State,
        now: i64,
    ) -> Self {
        Session {
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
    pub(crate) session: Option<Session>,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("dir", &self.vault.dir())
            .field("unlocked", &self.session.is_some())
            .finish()
    }
}

/// The wallet at a glance.
#[derive(Debug, Clone, Serialize)]
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

/// What a rotation did.
#[derive(Debug, Clone, Serialize)]
pub struct Rotation {
    /// The DID.
    pub did: String,
    /// The new log version.
    pub version: String,
    /// The holder key the DID now authorizes (thumbprint).
    pub holder_key: String,
}

fn check_passphrase(p: &str) -> Result<()> {
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::WeakPassphrase(MIN_PASSPHRASE_CHARS));
    }
    Ok(())
}

impl Wallet {
    /// Creates a wallet in `dir`: the vault, an ES256 holder key, the recovery secret,
    /// and the citizen's did:webvh DID anchored on `ledger` (host from the ledger, path
    /// `citizens:{random}`), its genesis signed by update key 1 and committing to key
    /// 2. Returns the wallet, unlocked, and the recovery secret to show.
    pub fn init(
        dir: &Path,
        passphrase: &str,
        ledger: Arc<dyn LedgerWriter>,
        options: &InitOptions,
        now: i64,
    ) -> Result<(Wallet, Initialized)> {
        Self::init_with(
            dir,
            passphrase,
            ledger,
            Arc::new(SoftwareKeyStore),
            Arc::new(SystemRng),
            options,
            now,
        )
    }

    /// [`Wallet::init`] with a chosen key store and randomness.
    pub fn init_with(
        dir: &Path,
        passphrase: &str,
        ledger: Arc<dyn LedgerWriter>,
        keystore: Arc<dyn KeyStore>,
        rng: Arc<dyn Rng>,
        options: &InitOptions,
        now: i64,
    ) -> Result<(Wallet, Initialized)> {
        check_passphrase(passphrase)?;
        let host = ledger.info()?.host;
        let (vault, key) = Vault::create(dir, passphrase.as_bytes(), options.kdf, &*rng)?;
        Wallet::fill_new(vault, ledger, keystore, rng, |w| {
            w.init_identity(key, &host, options, now)
        })
    }

    /// A wallet over a vault just created, filled by `fill` (a new identity, or a
    /// backup's contents). If `fill` fails the vault's files are removed: no half
    /// wallet is left behind.
    pub(crate) fn fill_new<T>(
        vault: Vault,
        ledger: Arc<dyn LedgerWriter>,
        keystore: Arc<dyn KeyStore>,
        rng: Arc<dyn Rng>,
        fill: impl FnOnce(&mut Wallet) -> Result<T>,
    ) -> Result<(Wallet, T)> {
        let mut wallet = Wallet {
            vault,
            ledger,
            keystore,
            rng,
            session: None,
        };
        match fill(&mut wallet) {
            Ok(filled) => Ok((wallet, filled)),
            Err(e) => {
                let dir = wallet.vault.dir().to_path_buf();
                drop(wallet);
                crate::vault::remove_files(&dir);
                Err(e)
            }
        }
    }

    fn init_identity(
        &mut self,
        key: Key,
        host: &str,
        options: &InitOptions,
        now: i64,
    ) -> Result<Initialized> {
        let handle = self.keystore.generate(&*self.rng)?;
        let holder = handle.public_key()?;
        let recovery = RecoverySecret::generate(&*self.rng)?;
        let mut path_id = [0u8; 10];
        self.rng.fill(&mut path_id)?;
        let host_path = format!("{host}:citizens:{}", hex(&path_id));
        let update = recovery.update_key(1)?;
        let next = recovery.update_key(2)?;
        let doc_keys = [DocKey::new(
            HOLDER_FRAGMENT,
            holder,
            &[Purpose::Authentication],
        )];
        let (did, genesis) = webvh::create(
            &host_path,
            &doc_keys,
            &update,
            vec![webvh::next_key_hash(next.public())],
            now,
        )?;
        drop((update, next));
        self.ledger
            .append(&civitas_ledger::build::did_log(genesis.as_str()))?;
        let did = did.as_str().to_string();
        let key_id = self.new_id("k:")?;
        let identity = Identity {
            did: did.clone(),
            fragment: HOLDER_FRAGMENT.into(),
            holder_key: key_id.clone(),
            update_index: 1,
            backup_key: Zeroizing::new(b64::encode(recovery.backup_key()?.as_bytes())),
            backup_id: b64::encode(recovery.backup_id()?),
            created: now,
            deactivated: false,
            old_keys: Vec::new(),
            last_backup: None,
        };
        let settings = Settings {
            idle_timeout: options.idle_timeout,
            ..Settings::default()
        };
        let mut state = State::default();
        let stored_key = StoredKey {
            handle,
            created: now,
        };
        let rng = self.rng.clone();
        self.vault.write(&key, &*rng, |w| {
            w.put(Kind::Key, &key_id, &to_bytes(&stored_key)?)?;
            w.put(Kind::Identity, IDENTITY_ID, &to_bytes(&identity)?)?;
            w.put(Kind::Settings, SETTINGS_ID, &to_bytes(&settings)?)?;
            append_history(w, &mut state, Event::Initialized { did: did.clone() }, now)?;
            w.put(Kind::State, STATE_ID, &to_bytes(&state)?)?;
            Ok(())
        })?;
        self.session = Some(Session {
            key,
            identity,
            settings,
            state,
            last_activity: now,
        });
        Ok(Initialized { did, recovery })
    }

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
        let state: State = match self.vault.get(&key, Kind::State, STATE_ID)? {
            Some(b) => from_bytes(&b, "state")?,
            None => State::default(),
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
        self.session = Some(Session {
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

    fn check_history(&self, key: &Key, state: &State) -> Result<IntegrityReport> {
        let rows = self.vault.list(key, Kind::History)?;
        let (mut problems, entries) =
            history::check_chain(&rows, state.history_count, &state.history_head);
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
            Some(s) => now - s.last_activity > s.settings.idle_timeout,
        }
    }

    /// The session, or [`Error::Locked`] (locking now if idle too long).
    pub(crate) fn session(&mut self, now: i64) -> Result<&mut Session> {
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
            .append(&civitas_ledger::build::did_log(entry.as_str()))?;
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
            if now - 1 <= state.version_time() {
                return Err(Error::TooSoon(2));
            }
            let (n, signer) = self.committed_key(recovery, &state, now)?;
            let off = webvh::rotate(
                &state,
                &[signer.public().clone()],
                Vec::new(),
                None,
                &signer,
                now - 1,
            )?;
            let next_state = state.appended(off.as_str(), now)?;
            entries.push(civitas_ledger::build::did_log(off.as_str()));
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
        entries.push(civitas_ledger::build::did_log(last.as_str()));
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
