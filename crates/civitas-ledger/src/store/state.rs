//! The ledger's state as the validator sees it: the index tables (DIDs, roots,
//! accreditations, status lists) read through a connection, with the writer's cache of
//! validated DID logs.

use crate::traits::AccreditationRecord;
use crate::validate::State;
use crate::{Entry, Error, Result};
use civitas_did::webvh::{LogState, validate_log};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;

/// Most validated DID logs kept in memory by the writer.
const DID_CACHE: usize = 16_384;

/// The state over a connection (inside a transaction, the batch's own writes are
/// visible): what [`crate::validate`] reads to decide on an entry.
pub(super) struct SqlState<'c, 'k> {
    pub(super) conn: &'c Connection,
    pub(super) cache: &'k mut HashMap<String, LogState>,
    pub(super) now: i64,
}

/// The log lines of `did`, in order.
pub(super) fn load_did_log(conn: &Connection, did: &str) -> Result<Vec<String>> {
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

/// The ledger index of the entry of `did`'s log whose `versionId` is `version_id`.
pub(super) fn did_log_index(conn: &Connection, did: &str, version_id: &str) -> Result<Option<u64>> {
    let mut st = conn.prepare_cached(
        "SELECT idx, body FROM entries WHERE kind = 'did-log' AND subject = ?1 ORDER BY idx",
    )?;
    let rows = st.query_map([did], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    for row in rows {
        let (idx, body) = row?;
        let Entry::DidLog { line } = Entry::from_bytes(&body)? else {
            return Err(Error::Storage("index points at a non-DID entry".into()));
        };
        let value: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| Error::Storage(format!("a stored DID log line is not JSON: {e}")))?;
        if value.get("versionId").and_then(serde_json::Value::as_str) == Some(version_id) {
            return Ok(u64::try_from(idx).ok());
        }
    }
    Ok(None)
}

/// The ledger index of the first issuance anchor by `issuer` of `digest`.
pub(super) fn issuance_index(conn: &Connection, issuer: &str, digest: &str) -> Result<Option<u64>> {
    let idx: Option<i64> = conn
        .prepare_cached("SELECT idx FROM issuances WHERE issuer = ?1 AND digest = ?2")?
        .query_row([issuer, digest], |r| r.get(0))
        .optional()?;
    Ok(idx.and_then(|i| u64::try_from(i).ok()))
}

/// The DID whose log lives at the web path `path`.
pub(super) fn did_at_path(conn: &Connection, path: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT did FROM dids WHERE path = ?1")?
        .query_row([path], |r| r.get(0))
        .optional()?)
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

/// The accreditations of `subject`, oldest first.
pub(super) fn query_accreditations(
    conn: &Connection,
    subject: &str,
) -> Result<Vec<AccreditationRecord>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {ACCREDITATION_COLUMNS} FROM accreditations WHERE subject = ?1 ORDER BY idx"
    ))?;
    let rows = st.query_map([subject], accreditation_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl State for SqlState<'_, '_> {
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
        did_at_path(self.conn, path)
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
