//! Making a wallet: a new vault, holder key, recovery secret and did:webvh DID
//! ([`Wallet::init`]), and the all-or-nothing filling of a new vault that `init` and
//! restore share ([`Wallet::fill_new`]).

use crate::Result;
use crate::history::Event;
use crate::keystore::{KeyStore, SoftwareKeyStore};
use crate::records::{
    IDENTITY_ID, Identity, SETTINGS_ID, STATE_ID, Settings, State, StoredKey, to_bytes,
};
use crate::recovery::RecoverySecret;
use crate::seal::{KdfParams, Key, hex};
use crate::vault::{Kind, Vault};
use crate::wallet::{
    DEFAULT_IDLE_TIMEOUT, HOLDER_FRAGMENT, Unlocked, Wallet, append_history, check_passphrase,
};
use civitas_crypto::{Rng, SystemRng, b64};
use civitas_did::Purpose;
use civitas_did::webvh::{self, DocKey};
use civitas_ledger::LedgerWriter;
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

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
            extra_roots: Vec::new(),
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
            .append(&civitas_ledger::sign::did_log(genesis.as_str()))?;
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
        self.session = Some(Unlocked::new(key, identity, settings, state, now));
        Ok(Initialized { did, recovery })
    }
}
