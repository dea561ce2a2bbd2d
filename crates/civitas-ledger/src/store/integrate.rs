//! Tree integration: how accepted entries become leaves. An entry is written with its
//! index rows and the Merkle nodes it completes ([`insert_entry`]); a log received from
//! elsewhere is re-validated and integrated the same way ([`apply_chunk`], for sync and
//! audit); roots are computed over the stored nodes and checkpoints recorded.

use super::state::SqlState;
use crate::checkpoint::{Checkpoint, SignedNote};
use crate::merkle::{self, Hash, NodeId, NodeReader};
use crate::validate::{Effect, prepare_all, validate_prepared};
use crate::{Entry, Error, Result};
use civitas_did::webvh::LogState;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// Nodes read through a connection (inside a transaction, the batch's own writes are
/// visible).
pub(super) struct ConnNodes<'c>(pub(super) &'c Connection);

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

/// The number of entries held.
pub(crate) fn tree_size(conn: &Connection) -> Result<u64> {
    let max: Option<i64> = conn.query_row("SELECT MAX(idx) FROM entries", [], |r| r.get(0))?;
    Ok(max.map_or(0, |m| m as u64 + 1))
}

/// The root of the tree of the first `size` entries, from the stored nodes.
pub(crate) fn tree_root(conn: &Connection, size: u64) -> Result<Hash> {
    merkle::root(size, &ConnNodes(conn))
}

/// Writes an accepted entry and its index rows; returns its leaf hash.
pub(super) fn insert_entry(
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
        Effect::Issuance { issuer, digests } => {
            // The first anchor of a digest is the one that counts: the lowest index.
            let mut st = conn.prepare_cached(
                "INSERT OR IGNORE INTO issuances(issuer, digest, idx) VALUES (?1, ?2, ?3)",
            )?;
            for d in &digests {
                st.execute(params![issuer, d, index as i64])?;
            }
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
            let mut state = SqlState { conn, cache, now };
            validate_prepared(&entry, genesis, &mut state, host, now)
        }
        .map_err(|e| Error::Inconsistent(format!("entry {index} does not validate: {e}")))?;
        if let Some(state) = insert_entry(conn, index, &entry, bytes, effect, now)?.1 {
            cache.insert(state.did().to_string(), *state);
        }
    }
    Ok(())
}

/// A checkpoint with the signing time as an extension line (`time <unix seconds>`),
/// so a counter can say how old its copy of the ledger is.
pub(super) fn timed_checkpoint(origin: &str, size: u64, root: Hash, time: i64) -> Checkpoint {
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
    Checkpoint::parse(signed.text()).ok()?.time()
}

/// Records the checkpoint of `size` entries: its root, its signed note (empty for a
/// replica's empty tree) and when it was signed.
pub(super) fn insert_checkpoint(
    conn: &Connection,
    size: u64,
    root: Hash,
    note: &str,
    signed: Option<i64>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO checkpoints(size, root, note, signed) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        size as i64,
        root.as_bytes().as_slice(),
        note,
        signed
    ])?;
    Ok(())
}

/// When the checkpoint for `size` was signed by this ledger's writer, if it was.
pub(super) fn checkpoint_signed_at(conn: &Connection, size: u64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT signed FROM checkpoints WHERE size = ?1",
            [size as i64],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten())
}

/// Replaces the signed note of the checkpoint for `size` (same size, same root) with
/// a newer one: what an idle node does so that its data stays provably fresh.
pub(super) fn resign_checkpoint(conn: &Connection, size: u64, note: &str, now: i64) -> Result<()> {
    conn.prepare_cached("UPDATE checkpoints SET note = ?2, signed = ?3 WHERE size = ?1")?
        .execute(params![size as i64, note, now])?;
    Ok(())
}

/// Records a checkpoint a replica received (replacing one held for the same size) and
/// the time of the sync.
pub(crate) fn record_synced_checkpoint(
    conn: &Connection,
    note: &str,
    cp: &Checkpoint,
    now: i64,
) -> Result<()> {
    SignedNote::parse(note)?;
    conn.execute(
        "INSERT INTO checkpoints(size, root, note, signed) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(size) DO UPDATE SET note = excluded.note, root = excluded.root",
        params![
            cp.size as i64,
            cp.root.as_bytes().as_slice(),
            note,
            checkpoint_time(note)
        ],
    )?;
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('synced_at', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [now.to_string()],
    )?;
    Ok(())
}

/// The signed note held for the tree of `size` entries, if any.
pub(crate) fn signed_note_at(conn: &Connection, size: u64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT note FROM checkpoints WHERE size = ?1 AND note != ''",
            [size as i64],
            |r| r.get(0),
        )
        .optional()?)
}

/// The newest signed note held, if any.
pub(super) fn newest_signed_note(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT note FROM checkpoints WHERE note != '' ORDER BY size DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?)
}
