//! What the app holds between commands, in the Rust process only: the wallet (locked or
//! unlocked: the vault key never leaves this process), the recovery secret between
//! "create" and "I wrote it down", the counter's request and the consent being shown,
//! and the app's settings.

use crate::error::{Error, Result};
use crate::settings::{LedgerChoice, Settings};
use civitas_exchange::openid4vp::AuthorizationRequest;
use civitas_ledger::LedgerWriter;
use civitas_wallet::openid4vci::OfferPreview;
use civitas_wallet::{Consent, Presentation, RecoverySecret, Wallet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The host a new embedded ledger gives its DIDs (the same as the `civitas` CLI's).
pub(crate) const EMBEDDED_HOST: &str = "ledger.civitas.example";

/// Where the app keeps its files.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    /// The wallet directory (`$CIVITAS_WALLET`, or `civitas/wallet` in the data
    /// directory).
    pub(crate) wallet: PathBuf,
    /// The default embedded ledger (`$CIVITAS_LEDGER`, or `civitas/ledger.db` in the
    /// data directory: the same file the `civitas` CLI uses by default).
    pub(crate) ledger: PathBuf,
    /// The app's settings file.
    pub(crate) settings: PathBuf,
    /// The bundled demo issuer's key and DID.
    pub(crate) demo: PathBuf,
    /// Where backups go by default.
    pub(crate) backups: PathBuf,
    /// The trusted root authorities of a fresh profile (`$CIVITAS_TRUSTED_ROOTS`:
    /// DIDs separated by commas or spaces; a city's deployment presets its root
    /// here). Read only when there is no settings file yet: from then on the list is
    /// the citizen's setting ([`Settings::trusted_roots`]).
    pub(crate) roots: Vec<String>,
}

impl Paths {
    /// The XDG locations (`$XDG_DATA_HOME`, `$XDG_CONFIG_HOME`, else under `$HOME`),
    /// with the `CIVITAS_WALLET` / `CIVITAS_LEDGER` overrides.
    pub(crate) fn from_env() -> Paths {
        let data = civitas_wallet::default_data_dir();
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map_or_else(
                || {
                    std::env::var_os("HOME")
                        .map_or_else(|| PathBuf::from("."), PathBuf::from)
                        .join(".config")
                },
                PathBuf::from,
            )
            .join("civitas");
        let env_path = |var: &str| std::env::var_os(var).filter(|v| !v.is_empty());
        Paths {
            wallet: env_path("CIVITAS_WALLET").map_or_else(|| data.join("wallet"), PathBuf::from),
            ledger: env_path("CIVITAS_LEDGER")
                .map_or_else(|| data.join("ledger.db"), PathBuf::from),
            settings: config.join("app.json"),
            demo: data.join("demo-issuer"),
            backups: data.join("backups"),
            roots: std::env::var("CIVITAS_TRUSTED_ROOTS")
                .map(|v| parse_roots(&v))
                .unwrap_or_default(),
        }
    }
}

/// The app's session: everything behind the lock (the wallet, the settings, the
/// recovery kit still to confirm, and the presentation flow: request, consent, proof).
/// The presentation flow's state lives here only; the front end shows it.
pub(crate) struct AppSession {
    pub(crate) paths: Paths,
    pub(crate) settings: Settings,
    /// The wallet, opened (locked or unlocked), if there is one.
    pub(crate) wallet: Option<Wallet>,
    /// Why the wallet could not be opened (another process holds it…).
    pub(crate) open_error: Option<String>,
    /// The recovery secret of a wallet just created, until the citizen confirms it
    /// was written down.
    pub(crate) recovery: Option<RecoverySecret>,
    /// The counter's request being answered.
    pub(crate) request: Option<AuthorizationRequest>,
    /// What the citizen is being asked to consent to.
    pub(crate) consent: Option<Consent>,
    /// The last presentation made (for sending it online).
    pub(crate) presentation: Option<Presentation>,
    /// The credential offer being shown (its pre-authorized code stays here), until
    /// the citizen accepts it with the PIN or a new one replaces it.
    pub(crate) offer: Option<OfferPreview>,
}

impl AppSession {
    /// The wallet, or [`Error::NoWallet`].
    pub(crate) fn wallet(&mut self) -> Result<&mut Wallet> {
        self.wallet.as_mut().ok_or(Error::NoWallet)
    }

    /// Forgets everything tied to an unlocked session.
    pub(crate) fn forget_session(&mut self) {
        self.request = None;
        self.consent = None;
        self.presentation = None;
        self.offer = None;
    }
}

/// The managed state: shared with the blocking tasks commands run on.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Mutex<AppSession>>,
}

impl AppState {
    /// Loads the settings and opens the wallet (locked) if there is one.
    pub(crate) fn load(paths: Paths) -> AppState {
        let settings = Settings::load_or(&paths.settings, &paths.roots);
        let mut inner = AppSession {
            paths,
            settings,
            wallet: None,
            open_error: None,
            recovery: None,
            request: None,
            consent: None,
            presentation: None,
            offer: None,
        };
        reopen(&mut inner);
        AppState {
            inner: Arc::new(Mutex::new(inner)),
        }
    }

    /// The lock (a poisoned lock is taken over: the state is still consistent, every
    /// write goes through the wallet's own transactions).
    pub(crate) fn lock(&self) -> MutexGuard<'_, AppSession> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Anchors the bundled demo issuer on the embedded ledger if it is not there yet
    /// (so that "Get demo credentials" works at once, and `civitas verify` on the same
    /// ledger resolves it). Nothing for a ledger node.
    pub(crate) fn seed_demo_issuer(&self) -> Result<()> {
        let (paths, choice) = {
            let inner = self.lock();
            (inner.paths.clone(), inner.settings.ledger.clone())
        };
        if !matches!(choice, LedgerChoice::Embedded { .. }) {
            return Ok(());
        }
        let ledger = open_ledger(&paths, &choice)?;
        let id = serde_json::to_string(&choice).map_err(|e| Error::Demo(e.to_string()))?;
        crate::demo::ensure_issuer(&paths.demo, &*ledger, &id, now()).map(|_| ())
    }

    /// Runs `f` on a blocking thread (Argon2id, SQLite and the HTTP ledger client
    /// must not run on the UI thread nor inside the async runtime).
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AppSession) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let me = self.clone();
        tauri::async_runtime::spawn_blocking(move || f(&mut me.lock()))
            .await
            .map_err(|_| Error::Cancelled)?
    }

    /// Runs `f` on the wallet, on a blocking thread.
    pub(crate) async fn wallet<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Wallet) -> civitas_wallet::Result<T> + Send + 'static,
    ) -> Result<T> {
        self.run(move |inner| Ok(f(inner.wallet()?)?)).await
    }
}

/// The ledger the settings choose.
pub(crate) fn open_ledger(paths: &Paths, choice: &LedgerChoice) -> Result<Arc<dyn LedgerWriter>> {
    Ok(match choice {
        LedgerChoice::Embedded { path } => {
            let path = path.as_ref().unwrap_or(&paths.ledger);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            Arc::new(civitas_ledger::SqliteLedger::embedded(
                path,
                EMBEDDED_HOST,
                civitas_ledger::system_clock(),
            )?)
        }
        LedgerChoice::Node { url } => Arc::new(civitas_ledger::http::client::HttpLedger::new(url)?),
    })
}

/// (Re)opens the wallet, locked, on the ledger the settings choose.
pub(crate) fn reopen(inner: &mut AppSession) {
    inner.wallet = None;
    inner.open_error = None;
    inner.forget_session();
    if !has_wallet(&inner.paths.wallet) {
        return;
    }
    let opened = open_ledger(&inner.paths, &inner.settings.ledger)
        .and_then(|ledger| Ok(Wallet::open(&inner.paths.wallet, ledger)?))
        .map(|mut w| {
            w.trust_roots(inner.settings.trusted_roots.clone());
            w
        });
    match opened {
        Ok(w) => inner.wallet = Some(w),
        Err(e) => inner.open_error = Some(e.to_string()),
    }
}

/// The DIDs in `$CIVITAS_TRUSTED_ROOTS` (separated by commas or white space).
pub(crate) fn parse_roots(value: &str) -> Vec<String> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|r| r.starts_with("did:"))
        .map(str::to_string)
        .collect()
}

/// Whether `dir` holds a wallet (its vault file).
pub(crate) fn has_wallet(dir: &Path) -> bool {
    dir.join(civitas_wallet::vault::VAULT_FILE).exists()
}

/// Now, Unix seconds.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    #[test]
    fn trusted_roots_are_read_from_a_list() {
        assert_eq!(
            super::parse_roots(" did:webvh:a:x,did:jwk:b \n not-a-did ,,"),
            vec!["did:webvh:a:x".to_string(), "did:jwk:b".to_string()]
        );
        assert!(super::parse_roots("").is_empty());
    }
}
