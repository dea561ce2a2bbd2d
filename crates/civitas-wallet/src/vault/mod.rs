//! The vault on disk: one SQLite file of AEAD-sealed records, its header, the lock
//! file and the wrong-passphrase counter. Nothing here knows what a credential is.
//!
//! ```text
//! <wallet dir>/            (0700)
//!   wallet.id              "civitas-wallet 1 <vault id, hex>": which vault belongs here
//!   vault.lock             held (flock) by the one process that has the wallet open
//!   vault.db (-wal, -shm)  SQLite, WAL: header + sealed records      (0600)
//!   unlock-attempts        {"failures": n, "last": t}: wrong-passphrase counter (0600);
//!                          always present (missing or unreadable: the longest delay)
//! ```
//!
//! Layout: this file opens and creates the vault and reads and writes its sealed
//! records (`Vault`, `Writer`, `Kind`); `header.rs` wraps the data key under the
//! passphrase (Argon2id, AES-256-GCM); `attempts.rs` is the wrong-passphrase counter
//! and its delays; `files.rs` names the files, takes the process lock and prechecks
//! the vault file before SQLite opens it.

mod attempts;
mod files;
mod header;

pub use attempts::{FIRST_DELAY, FREE_ATTEMPTS, LOCKOUT_FAILURES, MAX_DELAY, backoff};
pub(crate) use files::remove_files;
pub use files::{ATTEMPTS_FILE, ID_FILE, LOCK_FILE, VAULT_FILE, is_held};
pub(crate) use header::Header;

use crate::seal::{KdfParams, Key, hex};
use crate::{Error, Result};
use attempts::Attempts;
use civitas_crypto::Rng;
use files::{ID_PREFIX, connect, io, lock, precheck, read_id_file, shm_path, wal_path};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

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
    /// A deferred issuance the wallet waits for (OpenID4VCI §9).
    Pending = 8,
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
            Kind::Pending => "pending issuance",
        }
    }
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
        // The wrong-passphrase counter exists from the start: a wallet without one
        // had it deleted.
        if let Err(e) = Attempts::default().save(dir) {
            let _ = fs::remove_file(&path);
            let _ = fs::remove_file(wal_path(&path));
            return Err(e);
        }
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

    /// Wrong passphrases so far, and when the next attempt is allowed (a missing or
    /// unreadable counter is the lockout: see `attempts.rs`).
    pub(crate) fn rate_limit(&self, now: i64) -> Result<(u32, i64)> {
        let a = Attempts::load(&self.dir, now)?;
        Ok((a.failures, a.wait(now)))
    }

    /// Turns the passphrase into the data key. Rate-limited: after
    /// [`FREE_ATTEMPTS`] failures each attempt must wait [`backoff`]; the counter is
    /// the only thing a wrong passphrase writes. A right one resets it to zero (the
    /// file stays: its absence means it was deleted).
    pub(crate) fn unlock(&self, passphrase: &[u8], now: i64) -> Result<Key> {
        let (failures, wait) = self.rate_limit(now)?;
        if wait > 0 {
            return Err(Error::RateLimited { retry_after: wait });
        }
        match self.header.unwrap_key(passphrase)? {
            Some(key) => {
                if failures > 0 {
                    Attempts {
                        failures: 0,
                        last: now,
                    }
                    .save(&self.dir)?;
                }
                Ok(key)
            }
            None => {
                let failures = failures.saturating_add(1);
                Attempts {
                    failures,
                    last: now,
                }
                .save(&self.dir)?;
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
