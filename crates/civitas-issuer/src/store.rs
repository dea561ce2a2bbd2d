//! The issuer's SQLite store (WAL, so `civitas issuer offer` can write while the
//! server runs): offers with their hashed pre-authorized code, hashed PIN, attempt
//! counter and claims (deleted once issued); nonces; the status-list cursor; the
//! audit trail of what was issued (no claim values).
//!
//! Secrets are never stored in the clear: the pre-authorized code and the access token
//! as SHA-256 digests, the PIN as a digest over the code and the PIN (so the 20-bit PIN
//! cannot be searched without the 128-bit code). Every state change is one
//! transaction (`BEGIN IMMEDIATE`).

use crate::error::Result;
use civitas_crypto::b64::sha256_b64;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS offers (
    id TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    pin_hash TEXT,
    configuration_id TEXT NOT NULL,
    claims TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    token_expires_at INTEGER
);
CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces (expires_at);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    offer_id TEXT NOT NULL,
    configuration_id TEXT NOT NULL,
    holder_thumbprint TEXT NOT NULL,
    holder_kid TEXT,
    status_uri TEXT NOT NULL,
    status_index INTEGER NOT NULL,
    credential_digest TEXT NOT NULL,
    anchor_index INTEGER,
    issued_at INTEGER NOT NULL
);
";

/// Offer states.
pub mod state {
    /// Made, not yet exchanged for a token.
    pub const OPEN: &str = "open";
    /// Exchanged for an access token; the credential not yet issued.
    pub const REDEEMED: &str = "redeemed";
    /// A credential request is being served.
    pub const ISSUING: &str = "issuing";
    /// Issued.
    pub const ISSUED: &str = "issued";
    /// Too many wrong PINs.
    pub const DEAD: &str = "dead";
}

/// The most nonces outstanding at once (the Nonce Endpoint is unauthenticated).
pub const MAX_NONCES: i64 = 100_000;

/// The digest a pre-authorized code or access token is stored as.
pub fn secret_hash(kind: &str, secret: &str) -> String {
    sha256_b64(format!("{kind}:{secret}"))
}

/// The digest a PIN is stored as: over the offer's code and the PIN.
pub fn pin_hash(code: &str, pin: &str) -> String {
    sha256_b64(format!("tx:{code}:{pin}"))
}

/// A new offer to store.
#[derive(Debug, Clone)]
pub struct NewOffer<'a> {
    /// Its id (not a secret: for the back office).
    pub id: &'a str,
    /// [`secret_hash`]`("code", code)`.
    pub code_hash: String,
    /// [`pin_hash`], when a PIN is required.
    pub pin_hash: Option<String>,
    /// The credential configuration.
    pub configuration_id: &'a str,
    /// The subject's claims (JSON object text).
    pub claims: String,
    /// Now.
    pub created_at: i64,
    /// When the code stops working.
    pub expires_at: i64,
}

/// What a token request's code and PIN came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeem {
    /// The token is stored; the offer's id.
    Redeemed(String),
    /// No offer with this code.
    Unknown,
    /// The offer has expired.
    Expired,
    /// Already exchanged, issued or dead.
    NotOpen,
    /// The offer requires a PIN and none was sent.
    PinMissing,
    /// A PIN was sent for an offer without one.
    PinUnexpected,
    /// Wrong PIN; `dead` when that was the last attempt allowed.
    WrongPin {
        /// Attempts left.
        left: u32,
    },
}

/// An offer being issued.
#[derive(Debug, Clone)]
pub struct Issuing {
    /// Its id.
    pub id: String,
    /// Its configuration.
    pub configuration_id: String,
    /// Its claims (JSON object text).
    pub claims: String,
}

/// One audit row: what was issued, to which key, with which status index. No claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// The offer.
    pub offer_id: String,
    /// The credential configuration.
    pub configuration_id: String,
    /// The holder key's JWK thumbprint.
    pub holder_thumbprint: String,
    /// The holder's DID URL, when the proof named one.
    pub holder_kid: Option<String>,
    /// The status list.
    pub status_uri: String,
    /// The credential's index in it.
    pub status_index: u64,
    /// SHA-256 of the issuer-signed JWT (as anchored).
    pub credential_digest: String,
    /// The ledger index of the issuance anchor.
    pub anchor_index: Option<u64>,
    /// When.
    pub issued_at: i64,
}

/// An offer, as the back office lists it (no secrets, no claims).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferSummary {
    /// Its id.
    pub offer_id: String,
    /// Its configuration.
    pub configuration_id: String,
    /// State (`open`, `redeemed`, `issuing`, `issued`, `dead`).
    pub state: String,
    /// Created.
    pub created_at: i64,
    /// Expires.
    pub expires_at: i64,
    /// Wrong PINs so far.
    pub attempts: u32,
}

/// The store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating) the store at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// An in-memory store (tests).
    pub fn memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn })
    }

    /// A `meta` value.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a `meta` value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Sets a `meta` value unless one is there; returns the value in force.
    pub fn init_meta(&self, key: &str, value: &str) -> Result<String> {
        self.conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(self.meta(key)?.unwrap_or_else(|| value.to_string()))
    }

    /// Stores a new offer.
    pub fn insert_offer(&self, o: &NewOffer<'_>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO offers (id, code_hash, pin_hash, configuration_id, claims, created_at,
                                 expires_at, attempts, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
            params![
                o.id,
                o.code_hash,
                o.pin_hash,
                o.configuration_id,
                o.claims,
                o.created_at,
                o.expires_at,
                state::OPEN
            ],
        )?;
        Ok(())
    }

    /// Deletes the claims of offers that can no longer be used: expired unredeemed
    /// ones, and redeemed ones whose access token expired.
    pub fn purge_expired(&self, now: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE offers SET claims = NULL
             WHERE claims IS NOT NULL
               AND ((state = 'open' AND expires_at <= ?1)
                 OR (state = 'redeemed' AND token_expires_at <= ?1))",
            [now],
        )?;
        Ok(())
    }

    /// Exchanges a pre-authorized code (and PIN) for an access token, atomically:
    /// a wrong PIN counts an attempt, the `max_attempts`-th kills the offer.
    pub fn redeem(
        &mut self,
        code: &str,
        pin: Option<&str>,
        now: i64,
        token_hash: &str,
        token_expires_at: i64,
        max_attempts: u32,
    ) -> Result<Redeem> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, Option<String>, i64, u32, String)> = tx
            .query_row(
                "SELECT id, pin_hash, expires_at, attempts, state FROM offers WHERE code_hash = ?1",
                [secret_hash("code", code)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((id, stored_pin, expires_at, attempts, st)) = row else {
            return Ok(Redeem::Unknown);
        };
        if st != state::OPEN {
            return Ok(Redeem::NotOpen);
        }
        if now >= expires_at {
            return Ok(Redeem::Expired);
        }
        match (&stored_pin, pin) {
            (Some(_), None) => return Ok(Redeem::PinMissing),
            (None, Some(_)) => return Ok(Redeem::PinUnexpected),
            (Some(expected), Some(pin)) => {
                let given = pin_hash(code, pin);
                if !ring_eq(expected.as_bytes(), given.as_bytes()) {
                    let attempts = attempts.saturating_add(1);
                    let dead = attempts >= max_attempts;
                    tx.execute(
                        "UPDATE offers SET attempts = ?2, state = ?3 WHERE id = ?1",
                        params![id, attempts, if dead { state::DEAD } else { state::OPEN }],
                    )?;
                    // A dead offer's claims are of no further use.
                    if dead {
                        tx.execute("UPDATE offers SET claims = NULL WHERE id = ?1", [&id])?;
                    }
                    tx.commit()?;
                    return Ok(Redeem::WrongPin {
                        left: max_attempts.saturating_sub(attempts),
                    });
                }
            }
            (None, None) => {}
        }
        tx.execute(
            "UPDATE offers SET state = ?2, token_hash = ?3, token_expires_at = ?4 WHERE id = ?1",
            params![id, state::REDEEMED, token_hash, token_expires_at],
        )?;
        tx.commit()?;
        Ok(Redeem::Redeemed(id))
    }

    /// Claims the offer an access token was issued for, for one credential request
    /// (`redeemed` → `issuing`); `None` when the token is unknown, expired, or
    /// another request holds it.
    pub fn begin_issue(&mut self, token_hash: &str, now: i64) -> Result<Option<Issuing>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<Issuing> = tx
            .query_row(
                "SELECT id, configuration_id, claims FROM offers
                 WHERE token_hash = ?1 AND state = ?2 AND token_expires_at > ?3
                   AND claims IS NOT NULL",
                params![token_hash, state::REDEEMED, now],
                |r| {
                    Ok(Issuing {
                        id: r.get(0)?,
                        configuration_id: r.get(1)?,
                        claims: r.get(2)?,
                    })
                },
            )
            .optional()?;
        if let Some(o) = &row {
            tx.execute(
                "UPDATE offers SET state = ?2 WHERE id = ?1",
                params![o.id, state::ISSUING],
            )?;
        }
        tx.commit()?;
        Ok(row)
    }

    /// Gives a claimed offer back after a refused request (the wallet may retry).
    pub fn abort_issue(&self, id: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE offers SET state = ?2 WHERE id = ?1 AND state = ?3",
            params![id, state::REDEEMED, state::ISSUING],
        )?;
        Ok(())
    }

    /// Records an issuance: the audit row, the offer issued, its claims and token
    /// deleted — in one transaction.
    pub fn finish_issue(&mut self, row: &AuditRow) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO audit (offer_id, configuration_id, holder_thumbprint, holder_kid,
                                status_uri, status_index, credential_digest, anchor_index,
                                issued_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                row.offer_id,
                row.configuration_id,
                row.holder_thumbprint,
                row.holder_kid,
                row.status_uri,
                i64::try_from(row.status_index).unwrap_or(i64::MAX),
                row.credential_digest,
                row.anchor_index.and_then(|i| i64::try_from(i).ok()),
                row.issued_at
            ],
        )?;
        tx.execute(
            "UPDATE offers SET state = ?2, claims = NULL, token_hash = NULL WHERE id = ?1",
            params![row.offer_id, state::ISSUED],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Stores a nonce; `false` when too many are outstanding (expired ones are purged
    /// first).
    pub fn put_nonce(&self, nonce: &str, now: i64, expires_at: i64) -> Result<bool> {
        self.conn
            .execute("DELETE FROM nonces WHERE expires_at <= ?1", [now])?;
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM nonces", [], |r| r.get(0))?;
        if count >= MAX_NONCES {
            return Ok(false);
        }
        self.conn.execute(
            "INSERT INTO nonces (nonce, expires_at) VALUES (?1, ?2)",
            params![nonce, expires_at],
        )?;
        Ok(true)
    }

    /// Consumes a nonce: `true` once for a nonce issued and not expired.
    pub fn take_nonce(&self, nonce: &str, now: i64) -> Result<bool> {
        Ok(self.conn.execute(
            "DELETE FROM nonces WHERE nonce = ?1 AND expires_at > ?2",
            params![nonce, now],
        )? == 1)
    }

    /// Allocates the next status-list index below `size`, atomically; `None` when the
    /// list is full.
    pub fn next_status_index(&mut self, size: u64) -> Result<Option<u64>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let next: u64 = tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'status_next'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if next >= size {
            return Ok(None);
        }
        let after = next.saturating_add(1);
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('status_next', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [after.to_string()],
        )?;
        tx.commit()?;
        Ok(Some(next))
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> Result<Vec<AuditRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT offer_id, configuration_id, holder_thumbprint, holder_kid, status_uri,
                    status_index, credential_digest, anchor_index, issued_at
             FROM audit ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AuditRow {
                offer_id: r.get(0)?,
                configuration_id: r.get(1)?,
                holder_thumbprint: r.get(2)?,
                holder_kid: r.get(3)?,
                status_uri: r.get(4)?,
                status_index: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
                credential_digest: r.get(6)?,
                anchor_index: r
                    .get::<_, Option<i64>>(7)?
                    .and_then(|i| u64::try_from(i).ok()),
                issued_at: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Offers not yet issued, dead or expired, oldest first.
    pub fn pending(&self, now: i64) -> Result<Vec<OfferSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, configuration_id, state, created_at, expires_at, attempts FROM offers
             WHERE state IN ('open', 'redeemed', 'issuing')
               AND (expires_at > ?1 OR (state != 'open' AND token_expires_at > ?1))
             ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([now], |r| {
            Ok(OfferSummary {
                offer_id: r.get(0)?,
                configuration_id: r.get(1)?,
                state: r.get(2)?,
                created_at: r.get(3)?,
                expires_at: r.get(4)?,
                attempts: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// One offer's summary.
    pub fn offer(&self, id: &str) -> Result<Option<OfferSummary>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, configuration_id, state, created_at, expires_at, attempts
                 FROM offers WHERE id = ?1",
                [id],
                |r| {
                    Ok(OfferSummary {
                        offer_id: r.get(0)?,
                        configuration_id: r.get(1)?,
                        state: r.get(2)?,
                        created_at: r.get(3)?,
                        expires_at: r.get(4)?,
                        attempts: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether an offer still holds its claims (tests: claims are deleted after
    /// issuance and when an offer dies).
    pub fn has_claims(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT claims IS NOT NULL FROM offers WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }
}

/// Constant-time equality of two digests.
fn ring_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
