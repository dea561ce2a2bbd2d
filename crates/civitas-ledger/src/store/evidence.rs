//! Evidence of a source's misbehaviour (split views, rollbacks, inconsistent logs),
//! kept by a replica: both signed checkpoints, the one held and the one received.

use crate::Result;
use rusqlite::{Connection, params};

/// Records one piece of evidence of kind `kind`, detected at `detected`.
pub(crate) fn record_evidence(
    conn: &Connection,
    kind: &str,
    held: &str,
    received: &str,
    detected: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO evidence(kind, held, received, detected) VALUES (?1, ?2, ?3, ?4)",
        params![kind, held, received, detected],
    )?;
    Ok(())
}

/// Every piece of evidence recorded, oldest first: kind, checkpoint held, checkpoint
/// received.
pub(super) fn all_evidence(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut st = conn.prepare("SELECT kind, held, received FROM evidence ORDER BY id")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
