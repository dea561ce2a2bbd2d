//! [`SqliteLedger`]: the embedded ledger's handle. Creating and opening the file, the
//! pool of read connections, and appends: the stateless checks run on the caller's
//! thread, then the entries go to the group-commit writer (`writer.rs`).

use super::clock::Clock;
use super::evidence::all_evidence;
use super::integrate::{insert_checkpoint, timed_checkpoint};
use super::schema::{Meta, SCHEMA, key_path, open_conn};
use super::writer::{WriterHandle, WriterStats};
use crate::checkpoint::{NoteSigner, NoteVerifier};
use crate::merkle::EMPTY_ROOT;
use crate::traits::{LedgerInfo, LedgerWriter, Receipt};
use crate::validate::prepare_all;
use crate::{Entry, Error, Result};
use civitas_crypto::SigningKey;
use rusqlite::{Connection, OpenFlags, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The embedded SQLite ledger.
pub struct SqliteLedger {
    pub(super) path: PathBuf,
    pub(super) meta: Meta,
    clock: Clock,
    readers: Mutex<Vec<Connection>>,
    writer: Option<WriterHandle>,
    stats: Arc<Mutex<WriterStats>>,
}

impl std::fmt::Debug for SqliteLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLedger")
            .field("path", &self.path)
            .field("origin", &self.meta.origin)
            .field("role", &self.meta.role)
            .finish()
    }
}

/// Makes a new ledger file at `path` (which must not exist): the schema, the `meta`
/// rows, and the checkpoint of the empty tree (`note` empty and `signed` `None` for a
/// replica, which signs nothing).
fn create_file(path: &Path, meta: &[(&str, &str)], note: &str, signed: Option<i64>) -> Result<()> {
    let conn = open_conn(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )?;
    conn.execute_batch(SCHEMA)?;
    let tx = conn.unchecked_transaction()?;
    for (k, v) in meta {
        tx.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2)",
            params![k, v],
        )?;
    }
    insert_checkpoint(&tx, 0, EMPTY_ROOT, note, signed)?;
    tx.commit()?;
    Ok(())
}

/// Refuses to create a ledger over an existing file.
fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(Error::InvalidEntry(format!(
            "{} already exists",
            path.display()
        )));
    }
    Ok(())
}

impl SqliteLedger {
    /// Creates a new primary ledger at `path` (which must not exist) for DIDs on
    /// `host`, signing checkpoints with `key` (Ed25519).
    pub fn create(path: &Path, host: &str, key: SigningKey, clock: Clock) -> Result<Self> {
        refuse_existing(path)?;
        let origin = format!("{host}/civitas-ledger");
        let signer = NoteSigner::new(origin.clone(), key)?;
        let log_key = signer.verifier()?.to_vkey();
        let note = signer.sign_checkpoint(&timed_checkpoint(&origin, 0, EMPTY_ROOT, clock()))?;
        let signed = clock();
        create_file(
            path,
            &[
                ("origin", origin.as_str()),
                ("host", host),
                ("log_key", &log_key),
                ("role", "primary"),
            ],
            &note,
            Some(signed),
        )?;
        Self::open_with(path, Some(signer.into_inner()), clock)
    }

    /// Creates an empty replica of the ledger described by `info`, synced from
    /// `source`.
    pub fn create_replica(
        path: &Path,
        info: &LedgerInfo,
        source: &str,
        clock: Clock,
    ) -> Result<Self> {
        refuse_existing(path)?;
        NoteVerifier::parse(&info.log_key)?;
        create_file(
            path,
            &[
                ("origin", info.origin.as_str()),
                ("host", info.host.as_str()),
                ("log_key", info.log_key.as_str()),
                ("role", "replica"),
                ("source", source),
            ],
            "",
            None,
        )?;
        Self::open_with(path, None, clock)
    }

    /// Opens an existing ledger. A primary needs its checkpoint `key` to take appends;
    /// without it (or for a replica) the ledger is read-only.
    pub fn open(path: &Path, key: Option<SigningKey>, clock: Clock) -> Result<Self> {
        if !path.exists() {
            return Err(Error::NotFound(format!("no ledger at {}", path.display())));
        }
        Self::open_with(path, key, clock)
    }

    /// The embedded default: opens the ledger at `path`, creating it (and its key file
    /// `<path>.key`, mode 0600) for DIDs on `host` if it does not exist yet.
    pub fn embedded(path: &Path, host: &str, clock: Clock) -> Result<Self> {
        let key_file = key_path(path);
        if path.exists() {
            let key = if key_file.exists() {
                Some(SigningKey::load(&key_file)?)
            } else {
                None
            };
            return Self::open(path, key, clock);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::Storage(e.to_string()))?;
        }
        let key =
            SigningKey::generate(civitas_crypto::Algorithm::EdDsa, &civitas_crypto::SystemRng)?;
        if key_file.exists() {
            return Err(Error::InvalidEntry(format!(
                "{} exists without its ledger; refusing to replace a key",
                key_file.display()
            )));
        }
        key.save(&key_file)?;
        let key = SigningKey::load(&key_file)?;
        Self::create(path, host, key, clock)
    }

    fn open_with(path: &Path, key: Option<SigningKey>, clock: Clock) -> Result<Self> {
        let stats = Arc::new(Mutex::new(WriterStats::default()));
        let conn = open_conn(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        // Files made before a table existed get it (every statement is IF NOT EXISTS).
        conn.execute_batch(SCHEMA)?;
        let meta = Meta::load(&conn)?;
        let writer = match (meta.role.as_str(), key) {
            ("primary", Some(key)) => {
                let signer = NoteSigner::new(meta.origin.clone(), key)?;
                if signer.verifier()?.to_vkey() != meta.log_key.to_vkey() {
                    return Err(Error::InvalidEntry(
                        "this key is not the ledger's checkpoint key".into(),
                    ));
                }
                Some(WriterHandle::spawn(
                    conn,
                    signer,
                    meta.clone(),
                    clock.clone(),
                    stats.clone(),
                )?)
            }
            _ => None,
        };
        Ok(SqliteLedger {
            path: path.to_path_buf(),
            meta,
            clock,
            readers: Mutex::new(Vec::new()),
            writer,
            stats,
        })
    }

    /// Re-signs the newest checkpoint (same size and root, the clock's time now) when it
    /// is at least `older_than` seconds old. An idle node calls this periodically
    /// (`civitas ledger serve` every minute), so that a verifier, which refuses data
    /// whose newest signed checkpoint is too old, can still tell a quiet node from one
    /// that replays an old answer. A replica or a read-only ledger cannot.
    pub fn refresh_checkpoint(&self, older_than: i64) -> Result<()> {
        let Some(writer) = &self.writer else {
            return Err(if self.is_replica() {
                Error::ReadOnly(self.meta.source.clone().unwrap_or_default())
            } else {
                Error::ReadOnly("no checkpoint key given: opened read-only".into())
            });
        };
        writer.refresh(older_than)
    }

    /// What the writer has done so far.
    pub fn writer_stats(&self) -> WriterStats {
        self.stats.lock().map(|s| *s).unwrap_or_default()
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The checkpoint verifier key.
    pub fn log_key(&self) -> &NoteVerifier {
        &self.meta.log_key
    }

    /// Whether this is a replica.
    pub fn is_replica(&self) -> bool {
        self.meta.role == "replica"
    }

    pub(crate) fn clock(&self) -> i64 {
        (self.clock)()
    }

    /// Runs `f` with a read connection from the pool.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = match self.readers.lock().ok().and_then(|mut p| p.pop()) {
            Some(c) => c,
            None => open_conn(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
        };
        let out = f(&conn);
        if let Ok(mut pool) = self.readers.lock()
            && pool.len() < 16
        {
            pool.push(conn);
        }
        out
    }

    /// Opens a write connection for sync (replicas only).
    pub(crate) fn sync_connection(&self) -> Result<Connection> {
        if !self.is_replica() {
            return Err(Error::InvalidEntry(
                "only a replica can be synced into".into(),
            ));
        }
        open_conn(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE)
    }

    /// The evidence of misbehaviour recorded (split views, inconsistent logs): kind,
    /// checkpoint held, checkpoint received.
    pub fn evidence(&self) -> Result<Vec<(String, String, String)>> {
        self.read(all_evidence)
    }
}

impl LedgerWriter for SqliteLedger {
    fn append_batch(&self, entries: &[Entry]) -> Result<Vec<Result<Receipt>>> {
        let Some(writer) = &self.writer else {
            return Err(if self.is_replica() {
                Error::ReadOnly(self.meta.source.clone().unwrap_or_default())
            } else {
                Error::ReadOnly("no checkpoint key given: opened read-only".into())
            });
        };
        // The expensive, stateless checks run here, on the caller's thread, so that
        // concurrent callers use every core; the writer does what needs the state.
        let now = self.clock();
        let mut early: Vec<Option<Error>> = Vec::with_capacity(entries.len());
        let mut prepared = Vec::with_capacity(entries.len());
        let mut to_send = Vec::with_capacity(entries.len());
        for (entry, prepared_entry) in entries.iter().zip(prepare_all(entries, now)) {
            match prepared_entry {
                Some(Err(e)) => early.push(Some(e)),
                other => {
                    early.push(None);
                    prepared.push(other.and_then(Result::ok));
                    to_send.push(entry.clone());
                }
            }
        }
        let written = if to_send.is_empty() {
            Vec::new()
        } else {
            writer.submit(to_send, prepared)?
        };
        let mut written = written.into_iter();
        Ok(early
            .into_iter()
            .map(|e| match e {
                Some(err) => Err(err),
                None => written.next().unwrap_or(Err(Error::Closed)),
            })
            .collect())
    }
}
