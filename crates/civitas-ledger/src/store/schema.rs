//! The ledger file: its SQLite schema, connection settings and the `meta` table that
//! says how the file was made.

use crate::checkpoint::NoteVerifier;
use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};

/// Every table and index of a ledger file (also of the audit's scratch replay).
pub(super) const SCHEMA: &str = "
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
CREATE TABLE IF NOT EXISTS issuances(issuer TEXT NOT NULL, digest TEXT NOT NULL,
    idx INTEGER NOT NULL, PRIMARY KEY(issuer, digest)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER PRIMARY KEY, root BLOB NOT NULL,
    note TEXT NOT NULL, signed INTEGER);
CREATE TABLE IF NOT EXISTS evidence(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,
    held TEXT NOT NULL, received TEXT NOT NULL, detected INTEGER NOT NULL);
";

/// Opens a connection with the ledger's settings: WAL, `synchronous=FULL`, a busy
/// timeout.
pub(super) fn open_conn(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a commit is on disk when it returns; a crash never loses an acknowledged
    // append.
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

/// One value of the `meta` table.
pub(super) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
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

/// How this ledger file was made.
#[derive(Debug, Clone)]
pub(super) struct Meta {
    pub(super) origin: String,
    pub(super) host: String,
    pub(super) log_key: NoteVerifier,
    pub(super) role: String,
    pub(super) source: Option<String>,
}

impl Meta {
    /// Reads the `meta` table.
    pub(super) fn load(conn: &Connection) -> Result<Meta> {
        Ok(Meta {
            origin: meta_get(conn, "origin")?
                .ok_or_else(|| Error::Storage("not a Civitas ledger (no origin)".into()))?,
            host: meta_get(conn, "host")?.unwrap_or_default(),
            log_key: NoteVerifier::parse(&meta_get(conn, "log_key")?.unwrap_or_default())?,
            role: meta_get(conn, "role")?.unwrap_or_default(),
            source: meta_get(conn, "source")?,
        })
    }
}
