//! The vault on disk: one SQLite file of AEAD-sealed records, its header, the lock
//! file and the wrong-passphrase counter. Nothing here knows what a credential is.
//!
//! ```text
//! <wallet dir>/            (0700)
//!   wallet.id              "civitas-wallet 1 <vault id, hex>": which vault belongs here
//!   vault.lock             held (flock) by the one process that has the wallet open
//!   vault.db (-wal, -shm)  SQLite, WAL: header + sealed records      (0600)
//!   unlock-attempts        {"failures": n, "last": t}: wrong-passphrase counter (0600)
//! ```

use crate::seal::{KdfParams, Key, hex, sha256};
use crate::{Error, Result};
use civitas_crypto::Rng;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The vault file.
pub const VAULT_FILE: &str = "vault.db";
/// The file naming the vault that belongs in this directory.
pub const ID_FILE: &str = "wallet.id";

/// Removes a wallet's files from `dir` (the vault, its SQLite side files, the identity
/// file): what a failed `init` or `restore` leaves behind, so that no half wallet stays.
/// Best effort: a file already gone is not an error.
pub(crate) fn remove_files(dir: &Path) {
    for f in [ID_FILE, VAULT_FILE, "vault.db-wal", "vault.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
}
/// The lock file.
pub const LOCK_FILE: &str = "vault.lock";
/// The wrong-passphrase counter.
pub const ATTEMPTS_FILE: &str = "unlock-attempts";

const MAGIC: &str = "civitas-wallet-vault";
const FORMAT: u32 = 1;
const ID_PREFIX: &str = "civitas-wallet 1 ";
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Wrong passphrases allowed in a row before the delays start.
pub const FREE_ATTEMPTS: u32 = 3;
/// The first delay, seconds; it doubles with each further failure.
pub const FIRST_DELAY: i64 = 30;
/// The longest delay, seconds.
pub const MAX_DELAY: i64 = 3600;

/// The delay owed after `failures` wrong passphrases in a row.
pub fn backoff(failures: u32) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(20);
    (FIRST_DELAY << doublings).min(MAX_DELAY)
}

const SCHEMA: &str = "
CREATE TABLE header(
    one INTEGER PRIMARY KEY CHECK (one = 1),
    magic TEXT NOT NULL,
    format INTEGER NOT NULL,
    vault_id BLOB NOT NULL,
    kdf TEXT NOT NULL,
    salt BLOB NOT NULL,
    wrapped_key BLOB NOT NULL,
    checksum BLOB NOT NULL);
CREATE TABLE records(
    id TEXT PRIMARY KEY,
    kind INTEGER NOT NULL,
    body BLOB NOT NULL) WITHOUT ROWID;
";

/// What a record holds. The kind is visible on disk (so are the number of records of
/// each kind and their sizes); what is in them is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Identity = 1,
    Key = 2,
    Credential = 3,
    History = 4,
    Receipt = 5,
    Settings = 6,
    State = 7,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Identity => "identity",
            Kind::Key => "key",
            Kind::Credential => "credential",
            Kind::History => "history",
            Kind::Receipt => "receipt",
            Kind::Settings => "settings",
            Kind::State => "state",
        }
    }
}

/// The vault header: everything needed to turn the passphrase into the data key.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub(crate) vault_id: [u8; 16],
    pub(crate) kdf: KdfParams,
    salt: Vec<u8>,
    wrapped_key: Vec<u8>,
}

impl Header {
    fn kdf_json(&self) -> String {
        serde_json::to_string(&self.kdf).unwrap_or_default()
    }

    /// Binds the wrapped key to this vault and these KDF inputs: a header with other
    /// parameters (a downgrade) cannot unwrap it.
    fn wrap_aad(vault_id: &[u8], kdf_json: &str, salt: &[u8]) -> Vec<u8> {
        let mut aad = b"civitas-vault-v1 data key\0".to_vec();
        aad.extend_from_slice(vault_id);
        aad.extend_from_slice(kdf_json.as_bytes());
        aad.push(0);
        aad.extend_from_slice(salt);
        aad
    }

    /// An unkeyed checksum that tells a damaged header from a wrong passphrase.
    fn checksum(vault_id: &[u8], kdf_json: &str, salt: &[u8], wrapped: &[u8]) -> [u8; 32] {
        sha256(&[
            MAGIC.as_bytes(),
            &FORMAT.to_be_bytes(),
            vault_id,
            kdf_json.as_bytes(),
            &[0],
            salt,
            wrapped,
        ])
    }

    fn wrap(
        vault_id: [u8; 16],
        kdf: KdfParams,
        passphrase: &[u8],
        data_key: &Key,
        rng: &dyn Rng,
    ) -> Result<Header> {
        let mut salt = vec![0u8; 16];
        rng.fill(&mut salt)?;
        let kek = kdf.derive(passphrase, &salt)?;
        let kdf_json = serde_json::to_string(&kdf).unwrap_or_default();
        let wrapped_key = kek.seal(
            rng,
            &Self::wrap_aad(&vault_id, &kdf_json, &salt),
            data_key.as_bytes(),
        )?;
        Ok(Header {
            vault_id,
            kdf,
            salt,
            wrapped_key,
        })
    }

    fn unwrap_key(&self, passphrase: &[u8]) -> Result<Option<Key>> {
        let kek = self.kdf.derive(passphrase, &self.salt)?;
        let aad = Self::wrap_aad(&self.vault_id, &self.kdf_json(), &self.salt);
        Ok(kek
            .open(&aad, &self.wrapped_key)
            .and_then(|k| Key::from_slice(&k)))
    }

    fn write(&self, conn: &Connection) -> Result<()> {
        let kdf_json = self.kdf_json();
        let checksum = Self::checksum(&self.vault_id, &kdf_json, &self.salt, &self.wrapped_key);
        conn.execute(
            "INSERT OR REPLACE INTO header(one, magic, format, vault_id, kdf, salt, wrapped_key, checksum)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                MAGIC,
                FORMAT,
                &self.vault_id[..],
                kdf_json,
                self.salt,
                self.wrapped_key,
                &checksum[..]
            ],
        )?;
        Ok(())
    }

    fn read(conn: &Connection, file: &str) -> Result<Header> {
        let row = conn
            .query_row(
                "SELECT magic, format, vault_id, kdf, salt, wrapped_key, checksum FROM header WHERE one = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                        r.get::<_, Vec<u8>>(5)?,
                        r.get::<_, Vec<u8>>(6)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| match Error::from(e) {
                Error::Storage(_) => Error::NotAVault(file.to_string()),
                other => other,
            })?;
        let (magic, format, vault_id, kdf_json, salt, wrapped_key, checksum) =
            row.ok_or_else(|| Error::Corrupted("the vault header is missing".into()))?;
        if magic != MAGIC {
            return Err(Error::NotAVault(file.to_string()));
        }
        if format != i64::from(FORMAT) {
            return Err(Error::UnsupportedFormat(
                u32::try_from(format).unwrap_or(u32::MAX),
            ));
        }
        if Header::checksum(&vault_id, &kdf_json, &salt, &wrapped_key)[..] != checksum[..] {
            return Err(Error::Corrupted(
                "the vault header fails its checksum (damaged on disk)".into(),
            ));
        }
        let vault_id: [u8; 16] = vault_id
            .try_into()
            .map_err(|_| Error::Corrupted("the vault id has the wrong length".into()))?;
        let kdf: KdfParams = serde_json::from_str(&kdf_json)
            .map_err(|_| Error::Corrupted("the KDF parameters are unreadable".into()))?;
        kdf.check()?;
        Ok(Header {
            vault_id,
            kdf,
            salt,
            wrapped_key,
        })
    }
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Attempts {
    failures: u32,
    last: i64,
}

/// The open vault: the lock is held for as long as this lives.
pub(crate) struct Vault {
    dir: PathBuf,
    conn: Connection,
    header: Header,
    _lock: File,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("dir", &self.dir).finish()
    }
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(&path).map_err(|e| io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Busy(dir.display().to_string())),
        Err(std::fs::TryLockError::Error(e)) => Err(io(&path, e)),
    }
}

/// Whether another process holds the wallet at `dir` open.
pub fn is_held(dir: &Path) -> Result<bool> {
    if !dir.join(VAULT_FILE).exists() {
        return Err(Error::NotInitialized(dir.display().to_string()));
    }
    match lock(dir) {
        Ok(_) => Ok(false),
        Err(Error::Busy(_)) => Ok(true),
        Err(e) => Err(e),
    }
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    // Per-connection settings: none of them writes to the file.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    Ok(conn)
}

/// Checks the SQLite file itself before SQLite reads it: a file that is not SQLite is
/// not a vault; one shorter than its header's page count was truncated. (With a
/// non-empty WAL beside it the size check is skipped: a checkpoint cut short by a
/// crash may leave the main file short, and SQLite recovers it from the WAL.)
fn precheck(path: &Path) -> Result<()> {
    let name = path.display().to_string();
    let len = fs::metadata(path).map_err(|e| io(path, e))?.len();
    let mut head = Vec::with_capacity(100);
    File::open(path)
        .map_err(|e| io(path, e))?
        .take(100)
        .read_to_end(&mut head)
        .map_err(|e| io(path, e))?;
    let prefix = head.len().min(16);
    if head[..prefix] != SQLITE_MAGIC[..prefix] {
        return Err(Error::NotAVault(name));
    }
    if head.len() < 100 {
        return Err(Error::Truncated {
            path: name,
            expected: 512,
            found: len,
        });
    }
    let wal = wal_path(path);
    let wal_len = fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    if wal_len > 0 {
        return Ok(());
    }
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([head[28], head[29], head[30], head[31]]));
    let change = &head[24..28];
    let valid_for = &head[92..96];
    if change == valid_for && pages > 0 {
        let expected = pages * page_size;
        if len < expected {
            return Err(Error::Truncated {
                path: name,
                expected,
                found: len,
            });
        }
    }
    if page_size >= 512 && len % page_size != 0 {
        return Err(Error::Truncated {
            path: name,
            expected: len.div_ceil(page_size) * page_size,
            found: len,
        });
    }
    Ok(())
}

fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

fn shm_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-shm");
    PathBuf::from(p)
}

fn read_id_file(dir: &Path) -> Result<[u8; 16]> {
    let path = dir.join(ID_FILE);
    let text = fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Corrupted(format!(
            "{} is missing: this directory does not say which vault belongs in it",
            path.display()
        )),
        _ => io(&path, e),
    })?;
    let hex_id = text
        .trim()
        .strip_prefix(ID_PREFIX)
        .ok_or_else(|| Error::Corrupted(format!("{} is unreadable", path.display())))?;
    let mut id = [0u8; 16];
    if hex_id.len() != 32 {
        return Err(Error::Corrupted(format!(
            "{} is unreadable",
            path.display()
        )));
    }
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex_id[2 * i..2 * i + 2], 16)
            .map_err(|_| Error::Corrupted(format!("{} is unreadable", path.display())))?;
    }
    Ok(id)
}

impl Vault {
    /// Creates a new vault in `dir` (created if needed; it must not hold a wallet).
    pub(crate) fn create(
        dir: &Path,
        passphrase: &[u8],
        kdf: KdfParams,
        rng: &dyn Rng,
    ) -> Result<(Vault, Key)> {
        kdf.check()?;
        fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| io(dir, e))?;
        }
        let lock = lock(dir)?;
        let path = dir.join(VAULT_FILE);
        if path.exists() || dir.join(ID_FILE).exists() {
            return Err(Error::AlreadyInitialized(dir.display().to_string()));
        }
        let mut vault_id = [0u8; 16];
        rng.fill(&mut vault_id)?;
        let data_key = Key::random(rng)?;
        let header = Header::wrap(vault_id, kdf, passphrase, &data_key, rng)?;
        let result = (|| {
            let conn = connect(
                &path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            )?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
                    .map_err(|e| io(&path, e))?;
            }
            conn.pragma_update(None, "journal_mode", "WAL")?;
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(SCHEMA)?;
            header.write(&tx)?;
            tx.commit()?;
            Ok::<_, Error>(conn)
        })();
        let conn = match result {
            Ok(conn) => conn,
            Err(e) => {
                let _ = fs::remove_file(&path);
                let _ = fs::remove_file(wal_path(&path));
                return Err(e);
            }
        };
        // Written last: a directory with wallet.id always has its vault.
        civitas_crypto::write_atomic(
            &dir.join(ID_FILE),
            format!("{ID_PREFIX}{}\n", hex(&vault_id)).as_bytes(),
            0o600,
            false,
        )?;
        Ok((
            Vault {
                dir: dir.to_path_buf(),
                conn,
                header,
                _lock: lock,
            },
            data_key,
        ))
    }

    /// Opens the vault in `dir`, still locked: takes the process lock, checks the file
    /// and its header. Writes nothing.
    pub(crate) fn open(dir: &Path) -> Result<Vault> {
        let path = dir.join(VAULT_FILE);
        if !path.exists() {
            return Err(Error::NotInitialized(dir.display().to_string()));
        }
        let lock = lock(dir)?;
        precheck(&path)?;
        let wal = wal_path(&path);
        let shm = shm_path(&path);
        let had = (wal.exists(), shm.exists());
        let opened = (|| {
            let conn = connect(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
            let header = Header::read(&conn, &path.display().to_string())?;
            if read_id_file(dir)? != header.vault_id {
                return Err(Error::ForeignVault(dir.display().to_string()));
            }
            let check: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
            if check != "ok" {
                return Err(Error::Corrupted(format!(
                    "the database structure is damaged ({check})"
                )));
            }
            Ok((conn, header))
        })();
        match opened {
            Ok((conn, header)) => Ok(Vault {
                dir: dir.to_path_buf(),
                conn,
                header,
                _lock: lock,
            }),
            Err(e) => {
                // SQLite made an empty WAL and its shared-memory index just by opening
                // the file; we hold the lock, so they are ours to remove: a refused
                // vault is left exactly as it was.
                if !had.0 && fs::metadata(&wal).is_ok_and(|m| m.len() == 0) {
                    let _ = fs::remove_file(&wal);
                }
                if !had.1 {
                    let _ = fs::remove_file(&shm);
                }
                Err(e)
            }
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn kdf(&self) -> KdfParams {
        self.header.kdf
    }

    fn attempts(&self) -> Attempts {
        let path = self.dir.join(ATTEMPTS_FILE);
        match fs::read(&path) {
            Err(_) => Attempts::default(),
            // An unreadable counter (a crash while writing it, or an edit) counts as
            // the free attempts used up: the delays apply.
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Attempts {
                failures: FREE_ATTEMPTS,
                last: 0,
            }),
        }
    }

    fn save_attempts(&self, attempts: &Attempts) -> Result<()> {
        let path = self.dir.join(ATTEMPTS_FILE);
        let text = serde_json::to_vec(attempts).unwrap_or_default();
        civitas_crypto::write_atomic(&path, &text, 0o600, true)?;
        Ok(())
    }

    /// Wrong passphrases so far, and when the next attempt is allowed.
    pub(crate) fn rate_limit(&self, now: i64) -> (u32, i64) {
        let a = self.attempts();
        let wait = backoff(a.failures);
        // A clock set back does not shorten the wait: it counts from the last failure.
        let now = now.max(a.last);
        (a.failures, (a.last + wait - now).max(0))
    }

    /// Turns the passphrase into the data key. Rate-limited: after
    /// [`FREE_ATTEMPTS`] failures each attempt must wait [`backoff`]; the counter is
    /// the only thing a wrong passphrase writes.
    pub(crate) fn unlock(&self, passphrase: &[u8], now: i64) -> Result<Key> {
        let (failures, wait) = self.rate_limit(now);
        if wait > 0 {
            return Err(Error::RateLimited { retry_after: wait });
        }
        match self.header.unwrap_key(passphrase)? {
            Some(key) => {
                if failures > 0 {
                    let path = self.dir.join(ATTEMPTS_FILE);
                    fs::remove_file(&path).map_err(|e| io(&path, e))?;
                }
                Ok(key)
            }
            None => {
                let failures = failures.saturating_add(1);
                self.save_attempts(&Attempts {
                    failures,
                    last: now,
                })?;
                Err(Error::WrongPassphrase {
                    failures,
                    retry_after: backoff(failures),
                })
            }
        }
    }

    /// A header wrapping `data_key` under a new passphrase (new salt, `kdf`), to be
    /// written with [`Writer::put_header`] in the same transaction as its history
    /// entry; no record is re-encrypted.
    pub(crate) fn new_header(
        &self,
        data_key: &Key,
        passphrase: &[u8],
        kdf: KdfParams,
        rng: &dyn Rng,
    ) -> Result<Header> {
        Header::wrap(self.header.vault_id, kdf, passphrase, data_key, rng)
    }

    /// Adopts a header once its transaction committed.
    pub(crate) fn set_header(&mut self, header: Header) {
        self.header = header;
    }

    fn aad(&self, kind: Kind, id: &str) -> Vec<u8> {
        let mut aad = b"civitas-vault-v1 record\0".to_vec();
        aad.extend_from_slice(&self.header.vault_id);
        aad.push(kind as u8);
        aad.extend_from_slice(id.as_bytes());
        aad
    }

    /// Reads and opens one record.
    pub(crate) fn get(
        &self,
        key: &Key,
        kind: Kind,
        id: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let body: Option<(i64, Option<Vec<u8>>)> = self
            .conn
            .query_row("SELECT kind, body FROM records WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, blob(r, 1)))
            })
            .optional()?;
        match body {
            None => Ok(None),
            Some((k, Some(body))) if k == kind as i64 => key
                .open(&self.aad(kind, id), &body)
                .map(Some)
                .ok_or(Error::RecordCorrupted { kind: kind.name() }),
            Some(_) => Err(Error::RecordCorrupted { kind: kind.name() }),
        }
    }

    /// Every record of `kind` in id order, opened; a record that fails authentication
    /// is returned as `Err` in its place so the caller can report which.
    #[allow(clippy::type_complexity)]
    pub(crate) fn list(
        &self,
        key: &Key,
        kind: Kind,
    ) -> Result<Vec<(String, Option<Zeroizing<Vec<u8>>>)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, body FROM records WHERE kind = ?1 ORDER BY id")?;
        let rows = stmt.query_map([kind as i64], |r| Ok((r.get::<_, String>(0)?, blob(r, 1))))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row?;
            let opened = body.and_then(|body| key.open(&self.aad(kind, &id), &body));
            out.push((id, opened));
        }
        Ok(out)
    }

    /// Runs `f` in one transaction (BEGIN IMMEDIATE … COMMIT): all of its writes land,
    /// or none.
    pub(crate) fn write<T>(
        &mut self,
        key: &Key,
        rng: &dyn Rng,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut writer = Writer {
            tx: &tx,
            key,
            rng,
            vault_id: self.header.vault_id,
        };
        let out = f(&mut writer)?;
        tx.commit()?;
        Ok(out)
    }

    /// Size on disk of the vault's files (db, WAL, shared memory), bytes.
    pub(crate) fn size_on_disk(&self) -> u64 {
        let db = self.dir.join(VAULT_FILE);
        let mut total = 0;
        for p in [db.clone(), wal_path(&db), shm_path(&db)] {
            total += fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        }
        total
    }

    /// Folds the WAL into the main file (the app calls this when going idle).
    pub(crate) fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// A BLOB column, or `None` if something else was stored there (tampering).
fn blob(row: &rusqlite::Row<'_>, i: usize) -> Option<Vec<u8>> {
    row.get_ref(i).ok()?.as_blob().ok().map(<[u8]>::to_vec)
}

/// Writes inside one transaction; every body is sealed under the data key with the
/// record's identity (vault id, kind, id) as associated data.
pub(crate) struct Writer<'t> {
    tx: &'t rusqlite::Transaction<'t>,
    key: &'t Key,
    rng: &'t dyn Rng,
    vault_id: [u8; 16],
}

impl Writer<'_> {
    pub(crate) fn put(&mut self, kind: Kind, id: &str, plaintext: &[u8]) -> Result<()> {
        let mut aad = b"civitas-vault-v1 record\0".to_vec();
        aad.extend_from_slice(&self.vault_id);
        aad.push(kind as u8);
        aad.extend_from_slice(id.as_bytes());
        let body = self.key.seal(self.rng, &aad, plaintext)?;
        self.tx.execute(
            "INSERT OR REPLACE INTO records(id, kind, body) VALUES (?1, ?2, ?3)",
            params![id, kind as i64, body],
        )?;
        Ok(())
    }

    pub(crate) fn put_header(&mut self, header: &Header) -> Result<()> {
        if header.vault_id != self.vault_id {
            return Err(Error::ForeignVault("the new header".into()));
        }
        header.write(self.tx)
    }

    pub(crate) fn delete(&mut self, id: &str) -> Result<bool> {
        Ok(self.tx.execute("DELETE FROM records WHERE id = ?1", [id])? > 0)
    }
}
