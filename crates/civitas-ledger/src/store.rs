//! The embedded ledger: one SQLite file (WAL), appends validated and written by one
//! writer thread with group commit — every batch of concurrent appends is one
//! transaction and one fsync — and reads on their own connections.

use crate::checkpoint::{Checkpoint, NoteSigner, NoteVerifier, SignedNote};
use crate::merkle::{self, Hash, NodeId, NodeReader};
use crate::traits::{AccreditationRecord, LedgerInfo, LedgerReader, LedgerWriter, Receipt};
use crate::validate::{Effect, State, prepare_all, validate_prepared};
use crate::{Entry, Error, Result};
use civitas_crypto::SigningKey;
use civitas_did::webvh::{LogState, validate_log};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Time source (Unix seconds): passed in, so tests are deterministic.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().timestamp())
}

/// Most entries the writer takes into one transaction.
const MAX_BATCH: usize = 8192;
/// Most validated DID logs kept in memory by the writer.
const DID_CACHE: usize = 16_384;
/// Most entries returned by one `entries` call.
pub const MAX_ENTRIES_PER_READ: u64 = 1000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries(
    idx INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,
    body BLOB NOT NULL, leaf BLOB NOT NULL, appended INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS entries_subject ON entries(kind, subject, idx);
CREATE TABLE IF NOT EXISTS nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL,
    hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dids(did TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL, deactivated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS roots(did TEXT PRIMARY KEY, vcts TEXT NOT NULL, idx INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accreditations(id TEXT PRIMARY KEY, idx INTEGER NOT NULL,
    issuer TEXT NOT NULL, subject TEXT NOT NULL, name TEXT, vcts TEXT NOT NULL,
    nbf INTEGER NOT NULL, exp INTEGER, delegate INTEGER NOT NULL, revoked_at INTEGER);
CREATE INDEX IF NOT EXISTS accreditations_subject ON accreditations(subject);
CREATE TABLE IF NOT EXISTS status_lists(uri TEXT PRIMARY KEY, issuer TEXT NOT NULL,
    iat INTEGER NOT NULL, idx INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER PRIMARY KEY, root BLOB NOT NULL,
    note TEXT NOT NULL, signed INTEGER);
CREATE TABLE IF NOT EXISTS evidence(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,
    held TEXT NOT NULL, received TEXT NOT NULL, detected INTEGER NOT NULL);
";

/// How this ledger file was made.
#[derive(Debug, Clone)]
struct Meta {
    origin: String,
    host: String,
    log_key: NoteVerifier,
    role: String,
    source: Option<String>,
}

/// What the writer has done since the ledger was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WriterStats {
    /// Entries written.
    pub entries: u64,
    /// Transactions committed (one fsync each).
    pub commits: u64,
    /// Seconds the writer spent on state checks, SQLite, fsync and checkpoint
    /// signing (not on the stateless checks callers ran in parallel).
    pub busy_seconds: f64,
}

/// The embedded SQLite ledger.
pub struct SqliteLedger {
    path: PathBuf,
    meta: Meta,
    clock: Clock,
    readers: Mutex<Vec<Connection>>,
    writer: Option<Mutex<mpsc::Sender<Job>>>,
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

struct Job {
    entries: Vec<Entry>,
    /// For each entry: a DID genesis entry's state, checked on the caller's thread.
    prepared: Vec<Option<LogState>>,
    reply: mpsc::Sender<Result<Vec<Result<Receipt>>>>,
}

fn open_conn(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a commit is on disk when it returns; a crash never loses an acknowledged
    // append.
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// The file that holds an embedded ledger's checkpoint key: `<db>.key`.
pub fn key_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".key");
    PathBuf::from(p)
}

impl SqliteLedger {
    /// Creates a new primary ledger at `path` (which must not exist) for DIDs on
    /// `host`, signing checkpoints with `key` (Ed25519).
    pub fn create(path: &Path, host: &str, key: SigningKey, clock: Clock) -> Result<Self> {
        if path.exists() {
            return Err(Error::InvalidEntry(format!(
                "{} already exists",
                path.display()
            )));
        }
        let origin = format!("{host}/civitas-ledger");
        let signer = NoteSigner::new(origin.clone(), key)?;
        let conn = open_conn(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        conn.execute_batch(SCHEMA)?;
        let tx = conn.unchecked_transaction()?;
        for (k, v) in [
            ("origin", origin.as_str()),
            ("host", host),
            ("log_key", &signer.verifier()?.to_vkey()),
            ("role", "primary"),
        ] {
            tx.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)",
                params![k, v],
            )?;
        }
        let note = signer.sign_checkpoint(&checkpoint(&origin, 0, merkle::EMPTY_ROOT, clock()))?;
        tx.execute(
            "INSERT INTO checkpoints(size, root, note, signed) VALUES (0, ?1, ?2, ?3)",
            params![merkle::EMPTY_ROOT.as_bytes().as_slice(), note, clock()],
        )?;
        tx.commit()?;
        drop(conn);
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
        if path.exists() {
            return Err(Error::InvalidEntry(format!(
                "{} already exists",
                path.display()
            )));
        }
        NoteVerifier::parse(&info.log_key)?;
        let conn = open_conn(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        conn.execute_batch(SCHEMA)?;
        let tx = conn.unchecked_transaction()?;
        for (k, v) in [
            ("origin", info.origin.as_str()),
            ("host", info.host.as_str()),
            ("log_key", info.log_key.as_str()),
            ("role", "replica"),
            ("source", source),
        ] {
            tx.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)",
                params![k, v],
            )?;
        }
        tx.execute(
            "INSERT INTO checkpoints(size, root, note, signed) VALUES (0, ?1, '', NULL)",
            params![merkle::EMPTY_ROOT.as_bytes().as_slice()],
        )?;
        tx.commit()?;
        drop(conn);
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
        let meta = Meta {
            origin: meta_get(&conn, "origin")?
                .ok_or_else(|| Error::Storage("not a Civitas ledger (no origin)".into()))?,
            host: meta_get(&conn, "host")?.unwrap_or_default(),
            log_key: NoteVerifier::parse(&meta_get(&conn, "log_key")?.unwrap_or_default())?,
            role: meta_get(&conn, "role")?.unwrap_or_default(),
            source: meta_get(&conn, "source")?,
        };
        let writer = match (meta.role.as_str(), key) {
            ("primary", Some(key)) => {
                let signer = NoteSigner::new(meta.origin.clone(), key)?;
                if signer.verifier()?.to_vkey() != meta.log_key.to_vkey() {
                    return Err(Error::InvalidEntry(
                        "this key is not the ledger's checkpoint key".into(),
                    ));
                }
                let (tx, rx) = mpsc::channel::<Job>();
                let writer = Writer {
                    stats: stats.clone(),
                    conn,
                    signer,
                    meta: meta.clone(),
                    clock: clock.clone(),
                    cache: HashMap::new(),
                };
                std::thread::Builder::new()
                    .name("civitas-ledger-writer".into())
                    .spawn(move || writer.run(rx))
                    .map_err(|e| Error::Storage(e.to_string()))?;
                Some(Mutex::new(tx))
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
        self.read(|c| {
            let mut st = c.prepare("SELECT kind, held, received FROM evidence ORDER BY id")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Replays the whole log from entry 0 into a scratch database beside it: every
    /// entry re-validated against the state before it, the Merkle root recomputed and
    /// compared with the newest signed checkpoint. `progress(done, total)` is called
    /// as it goes. Nothing in the ledger is changed.
    pub fn audit(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<AuditReport> {
        let note = self.checkpoint()?;
        let size = self.info()?.size;
        let scratch_dir = tempfile::Builder::new()
            .prefix(".civitas-audit")
            .tempdir_in(
                self.path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new(".")),
            )
            .map_err(|e| Error::Storage(e.to_string()))?;
        let scratch = open_conn(
            &scratch_dir.path().join("replay.db"),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        scratch.pragma_update(None, "synchronous", "OFF")?;
        scratch.execute_batch(SCHEMA)?;
        let mut cache = HashMap::new();
        let now = self.clock();
        let mut start = 0;
        while start < size {
            let end = (start + MAX_ENTRIES_PER_READ).min(size);
            let chunk = self.entries(start, end)?;
            let tx = scratch.unchecked_transaction()?;
            apply_chunk(&tx, start, &chunk, &self.meta.host, now, &mut cache)?;
            tx.commit()?;
            progress(end, size);
            start = end;
        }
        let root = merkle::root(size, &ConnNodes(&scratch))?;
        let cp = Checkpoint::open(&note, &self.meta.log_key)?;
        if cp.size != size || cp.root != root {
            return Err(Error::Inconsistent(format!(
                "replayed root {root} of size {size} differs from the signed checkpoint (size {}, root {})",
                cp.size, cp.root
            )));
        }
        Ok(AuditReport {
            entries: size,
            root,
            checkpoint_verified: true,
        })
    }
}

/// Re-validates and writes entries `first..` (their canonical bytes) into `conn`'s
/// open transaction: sync and audit both go through it. Any refusal is fatal: a log
/// that does not re-validate is inconsistent.
pub(crate) fn apply_chunk(
    conn: &Connection,
    first: u64,
    entries: &[Vec<u8>],
    host: &str,
    now: i64,
    cache: &mut HashMap<String, LogState>,
) -> Result<()> {
    let parsed = entries
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            Entry::from_bytes(bytes)
                .map_err(|e| Error::Inconsistent(format!("entry {}: {e}", first + i as u64)))
        })
        .collect::<Result<Vec<_>>>()?;
    let prepared = prepare_all(&parsed, now);
    for (i, ((bytes, entry), genesis)) in entries.iter().zip(parsed).zip(prepared).enumerate() {
        let index = first + i as u64;
        // A genesis entry that failed its stateless checks is checked again, serially,
        // for the same reason.
        let genesis = genesis.and_then(Result::ok);
        let effect = {
            let mut state = TxState { conn, cache, now };
            validate_prepared(&entry, genesis, &mut state, host, now)
        }
        .map_err(|e| Error::Inconsistent(format!("entry {index} does not validate: {e}")))?;
        if let Some(state) = insert_entry(conn, index, &entry, bytes, effect, now)?.1 {
            cache.insert(state.did().to_string(), *state);
        }
    }
    Ok(())
}

/// What `audit` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// Entries replayed.
    pub entries: u64,
    /// The recomputed root.
    pub root: Hash,
    /// Whether the newest signed checkpoint matched (false only for an empty log).
    pub checkpoint_verified: bool,
}

/// A checkpoint with the signing time as an extension line (`time <unix seconds>`),
/// so a counter can say how old its copy of the ledger is.
pub(crate) fn checkpoint(origin: &str, size: u64, root: Hash, time: i64) -> Checkpoint {
    Checkpoint {
        origin: origin.to_string(),
        size,
        root,
        extensions: vec![format!("time {time}")],
    }
}

/// The `time` extension of a checkpoint note, if present.
pub fn checkpoint_time(note: &str) -> Option<i64> {
    let signed = SignedNote::parse(note).ok()?;
    let cp = Checkpoint::parse(signed.text()).ok()?;
    cp.extensions
        .iter()
        .find_map(|l| l.strip_prefix("time ").and_then(|t| t.parse().ok()))
}

/// Nodes read through a connection (inside a transaction, the batch's own writes are
/// visible).
pub(crate) struct ConnNodes<'c>(pub(crate) &'c Connection);

impl NodeReader for ConnNodes<'_> {
    fn node(&self, id: NodeId) -> Result<Hash> {
        let mut st = self
            .0
            .prepare_cached("SELECT hash FROM nodes WHERE level = ?1 AND idx = ?2")?;
        let bytes: Option<Vec<u8>> = st
            .query_row(params![id.level, id.index as i64], |r| r.get(0))
            .optional()?;
        match bytes {
            Some(b) => Hash::from_slice(&b),
            None => Err(Error::MissingNode(id)),
        }
    }
}

pub(crate) fn size_of(conn: &Connection) -> Result<u64> {
    let max: Option<i64> = conn.query_row("SELECT MAX(idx) FROM entries", [], |r| r.get(0))?;
    Ok(max.map_or(0, |m| m as u64 + 1))
}

/// The writer's view of the state, over its open transaction.
pub(crate) struct TxState<'c, 'k> {
    pub(crate) conn: &'c Connection,
    pub(crate) cache: &'k mut HashMap<String, LogState>,
    pub(crate) now: i64,
}

pub(crate) fn load_did_log(conn: &Connection, did: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT body FROM entries WHERE kind = 'did-log' AND subject = ?1 ORDER BY idx",
    )?;
    let rows = st.query_map([did], |r| r.get::<_, Vec<u8>>(0))?;
    let mut lines = Vec::new();
    for body in rows {
        match Entry::from_bytes(&body?)? {
            Entry::DidLog { line } => lines.push(line),
            _ => return Err(Error::Storage("index points at a non-DID entry".into())),
        }
    }
    Ok(lines)
}

fn accreditation_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccreditationRecord> {
    let vcts: String = r.get(5)?;
    Ok(AccreditationRecord {
        id: r.get(0)?,
        index: r.get::<_, i64>(1)? as u64,
        issuer: r.get(2)?,
        subject: r.get(3)?,
        name: r.get(4)?,
        vcts: serde_json::from_str(&vcts).unwrap_or_default(),
        nbf: r.get(6)?,
        exp: r.get(7)?,
        delegate: r.get::<_, i64>(8)? != 0,
        revoked_at: r.get(9)?,
    })
}

const ACCREDITATION_COLUMNS: &str =
    "id, idx, issuer, subject, name, vcts, nbf, exp, delegate, revoked_at";

pub(crate) fn query_accreditations(
    conn: &Connection,
    subject: &str,
) -> Result<Vec<AccreditationRecord>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {ACCREDITATION_COLUMNS} FROM accreditations WHERE subject = ?1 ORDER BY idx"
    ))?;
    let rows = st.query_map([subject], accreditation_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl State for TxState<'_, '_> {
    fn did_state(&mut self, did: &str) -> Result<Option<LogState>> {
        if let Some(s) = self.cache.get(did) {
            return Ok(Some(s.clone()));
        }
        let lines = load_did_log(self.conn, did)?;
        if lines.is_empty() {
            return Ok(None);
        }
        // Entries were valid when appended; replaying at "now" re-checks them all.
        let state = validate_log(lines.iter().map(String::as_str), self.now)?;
        if self.cache.len() >= DID_CACHE {
            self.cache.clear();
        }
        self.cache.insert(did.to_string(), state.clone());
        Ok(Some(state))
    }

    fn did_at_path(&mut self, path: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT did FROM dids WHERE path = ?1")?
            .query_row([path], |r| r.get(0))
            .optional()?)
    }

    fn root(&mut self, did: &str) -> Result<Option<Vec<String>>> {
        let vcts: Option<String> = self
            .conn
            .prepare_cached("SELECT vcts FROM roots WHERE did = ?1")?
            .query_row([did], |r| r.get(0))
            .optional()?;
        Ok(vcts.map(|v| serde_json::from_str(&v).unwrap_or_default()))
    }

    fn accreditation(&mut self, id: &str) -> Result<Option<AccreditationRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACCREDITATION_COLUMNS} FROM accreditations WHERE id = ?1"
            ))?
            .query_row([id], accreditation_from_row)
            .optional()?)
    }

    fn accreditations_of(&mut self, did: &str) -> Result<Vec<AccreditationRecord>> {
        query_accreditations(self.conn, did)
    }

    fn status_list_owner(&mut self, uri: &str) -> Result<Option<(String, i64)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT issuer, iat FROM status_lists WHERE uri = ?1")?
            .query_row([uri], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }
}

/// Writes an accepted entry and its index rows; returns its leaf hash.
pub(crate) fn insert_entry(
    conn: &Connection,
    index: u64,
    entry: &Entry,
    bytes: &[u8],
    effect: Effect,
    time: i64,
) -> Result<(Hash, Option<Box<LogState>>)> {
    let leaf = merkle::leaf_hash(bytes);
    conn.prepare_cached(
        "INSERT INTO entries(idx, kind, subject, body, leaf, appended) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![index as i64, entry.kind(), effect.subject(), bytes, leaf.as_bytes().as_slice(), time])?;
    let mut kept = None;
    match effect {
        Effect::Did { new_path, state } => {
            if let Some(path) = new_path {
                conn.prepare_cached(
                    "INSERT INTO dids(did, path, created, deactivated) VALUES (?1, ?2, ?3, 0)",
                )?
                .execute(params![state.did(), path, index as i64])?;
            }
            if state.deactivated() {
                conn.prepare_cached("UPDATE dids SET deactivated = 1 WHERE did = ?1")?
                    .execute([state.did()])?;
            }
            kept = Some(state);
        }
        Effect::Root { did, vcts } => {
            conn.prepare_cached("INSERT INTO roots(did, vcts, idx) VALUES (?1, ?2, ?3)")?
                .execute(params![
                    did,
                    serde_json::to_string(&vcts).unwrap_or_default(),
                    index as i64
                ])?;
        }
        Effect::Accreditation(a) => {
            conn.prepare_cached(
                "INSERT INTO accreditations(id, idx, issuer, subject, name, vcts, nbf, exp, delegate, revoked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)",
            )?
            .execute(params![
                a.id,
                index as i64,
                a.issuer,
                a.subject,
                a.name,
                serde_json::to_string(&a.vcts).unwrap_or_default(),
                a.nbf,
                a.exp,
                i64::from(a.delegate)
            ])?;
        }
        Effect::Revocation { id, at } => {
            conn.prepare_cached("UPDATE accreditations SET revoked_at = ?1 WHERE id = ?2")?
                .execute(params![at, id])?;
        }
        Effect::StatusList { uri, issuer, iat } => {
            conn.prepare_cached(
                "INSERT INTO status_lists(uri, issuer, iat, idx) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(uri) DO UPDATE SET iat = excluded.iat, idx = excluded.idx",
            )?
            .execute(params![uri, issuer, iat, index as i64])?;
        }
    }
    let nodes = merkle::append_nodes(index, leaf, &ConnNodes(conn))?;
    let mut st = conn.prepare_cached("INSERT INTO nodes(level, idx, hash) VALUES (?1, ?2, ?3)")?;
    for (id, hash) in nodes {
        st.execute(params![
            id.level,
            id.index as i64,
            hash.as_bytes().as_slice()
        ])?;
    }
    Ok((leaf, kept))
}

struct Writer {
    stats: Arc<Mutex<WriterStats>>,
    conn: Connection,
    signer: NoteSigner,
    meta: Meta,
    clock: Clock,
    cache: HashMap<String, LogState>,
}

impl Writer {
    fn run(mut self, rx: mpsc::Receiver<Job>) {
        while let Ok(first) = rx.recv() {
            let mut jobs = vec![first];
            let mut count = jobs[0].entries.len();
            while count < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => {
                        count += job.entries.len();
                        jobs.push(job);
                    }
                    Err(_) => break,
                }
            }
            let started = std::time::Instant::now();
            let outcome = self.commit(&mut jobs);
            if let Ok(mut st) = self.stats.lock() {
                st.busy_seconds += started.elapsed().as_secs_f64();
                if let Ok(results) = &outcome {
                    st.commits += 1;
                    st.entries += results.iter().flatten().filter(|r| r.is_ok()).count() as u64;
                }
            }
            match outcome {
                Ok(results) => {
                    for (job, r) in jobs.into_iter().zip(results) {
                        let _ = job.reply.send(Ok(r));
                    }
                }
                Err(e) => {
                    // Nothing of the batch was written; the cache may hold states of
                    // entries that never landed.
                    self.cache.clear();
                    let msg = e.to_string();
                    for job in jobs {
                        let _ = job.reply.send(Err(Error::Storage(msg.clone())));
                    }
                }
            }
        }
    }

    fn commit(&mut self, jobs: &mut [Job]) -> Result<Vec<Vec<Result<Receipt>>>> {
        let now = (self.clock)();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut size = size_of(&tx)?;
        let mut accepted: Vec<(usize, usize, u64, Hash)> = Vec::new();
        let mut results: Vec<Vec<Result<Receipt>>> = Vec::with_capacity(jobs.len());
        for (j, job) in jobs.iter_mut().enumerate() {
            let mut out = Vec::with_capacity(job.entries.len());
            for (e, entry) in job.entries.iter().enumerate() {
                let bytes = entry.to_bytes();
                if bytes.len() > crate::MAX_ENTRY_BYTES {
                    out.push(Err(Error::EntryTooLarge {
                        size: bytes.len(),
                        max: crate::MAX_ENTRY_BYTES,
                    }));
                    continue;
                }
                let effect = {
                    let mut state = TxState {
                        conn: &tx,
                        cache: &mut self.cache,
                        now,
                    };
                    let genesis = job.prepared.get_mut(e).and_then(Option::take);
                    validate_prepared(entry, genesis, &mut state, &self.meta.host, now)
                };
                match effect {
                    Ok(effect) => {
                        let (leaf, state) = insert_entry(&tx, size, entry, &bytes, effect, now)?;
                        if let Some(state) = state {
                            self.cache.insert(state.did().to_string(), *state);
                        }
                        accepted.push((j, e, size, leaf));
                        out.push(Err(Error::Closed)); // replaced below
                        size += 1;
                    }
                    Err(err) => out.push(Err(err)),
                }
            }
            results.push(out);
        }
        if !accepted.is_empty() {
            let root = merkle::root(size, &ConnNodes(&tx))?;
            let note =
                self.signer
                    .sign_checkpoint(&checkpoint(&self.meta.origin, size, root, now))?;
            tx.prepare_cached(
                "INSERT INTO checkpoints(size, root, note, signed) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![size as i64, root.as_bytes().as_slice(), note, now])?;
            tx.commit()?;
            for (j, e, index, leaf) in accepted {
                results[j][e] = Ok(Receipt {
                    index,
                    leaf_hash: leaf.to_hex(),
                    checkpoint: note.clone(),
                });
            }
        }
        Ok(results)
    }
}

impl LedgerReader for SqliteLedger {
    fn entries_verified(&self) -> bool {
        true
    }

    fn info(&self) -> Result<LedgerInfo> {
        self.read(|c| {
            let size = size_of(c)?;
            let note: Option<String> = c
                .query_row(
                    "SELECT note FROM checkpoints WHERE note != '' ORDER BY size DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            let synced_at = meta_get(c, "synced_at")?.and_then(|s| s.parse().ok());
            Ok(LedgerInfo {
                origin: self.meta.origin.clone(),
                host: self.meta.host.clone(),
                log_key: self.meta.log_key.to_vkey(),
                size,
                role: self.meta.role.clone(),
                source: self.meta.source.clone(),
                checkpoint_time: note.as_deref().and_then(checkpoint_time),
                synced_at,
            })
        })
    }

    fn checkpoint(&self) -> Result<String> {
        self.read(|c| {
            let note: Option<String> = c
                .query_row(
                    "SELECT note FROM checkpoints WHERE note != '' ORDER BY size DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            note.ok_or_else(|| Error::NotFound("no signed checkpoint yet".into()))
        })
    }

    fn checkpoint_at(&self, size: u64) -> Result<Option<String>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT note FROM checkpoints WHERE size = ?1 AND note != ''",
                [size as i64],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>> {
        if end < start {
            return Err(Error::SizesOutOfOrder {
                first: start,
                second: end,
            });
        }
        let end = end.min(start.saturating_add(MAX_ENTRIES_PER_READ));
        self.read(|c| {
            let size = size_of(c)?;
            if end > size {
                return Err(Error::IndexOutOfRange {
                    index: end.saturating_sub(1),
                    size,
                });
            }
            let mut st = c.prepare_cached(
                "SELECT body FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
            )?;
            let rows = st.query_map(params![start as i64, end as i64], |r| {
                r.get::<_, Vec<u8>>(0)
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        self.read(|c| {
            let held = size_of(c)?;
            if size > held {
                return Err(Error::IndexOutOfRange {
                    index: size,
                    size: held,
                });
            }
            merkle::inclusion_proof(index, size, &ConnNodes(c))
        })
    }

    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>> {
        self.read(|c| {
            let held = size_of(c)?;
            if second > held {
                return Err(Error::IndexOutOfRange {
                    index: second,
                    size: held,
                });
            }
            merkle::consistency_proof(first, second, &ConnNodes(c))
        })
    }

    fn did_log(&self, did: &str) -> Result<Vec<String>> {
        self.read(|c| load_did_log(c, did))
    }

    fn did_at_path(&self, path: &str) -> Result<Option<String>> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT did FROM dids WHERE path = ?1", [path], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    fn accreditations(&self, did: &str) -> Result<Vec<AccreditationRecord>> {
        self.read(|c| query_accreditations(c, did))
    }

    fn status_list(&self, uri: &str) -> Result<Option<String>> {
        self.read(|c| {
            let body: Option<Vec<u8>> = c
                .query_row(
                    "SELECT e.body FROM status_lists s JOIN entries e ON e.idx = s.idx WHERE s.uri = ?1",
                    [uri],
                    |r| r.get(0),
                )
                .optional()?;
            match body.map(|b| Entry::from_bytes(&b)).transpose()? {
                Some(Entry::StatusList { jws }) => Ok(Some(jws)),
                Some(_) => Err(Error::Storage("status index points at another entry".into())),
                None => Ok(None),
            }
        })
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
        let (reply, answer) = mpsc::channel();
        let written = if to_send.is_empty() {
            Vec::new()
        } else {
            writer
                .lock()
                .map_err(|_| Error::Closed)?
                .send(Job {
                    entries: to_send,
                    prepared,
                    reply,
                })
                .map_err(|_| Error::Closed)?;
            answer.recv().map_err(|_| Error::Closed)??
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
