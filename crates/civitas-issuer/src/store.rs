//! The issuer's SQLite store (WAL, so `civitas issuer offer` can write while the
//! server runs): offers with their hashed pre-authorized code, hashed PIN, attempt
//! counter and claims (deleted once issued); the status-list cursor; the
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
use std::ops::Range;
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
CREATE TABLE IF NOT EXISTS transactions (
    id_hash TEXT PRIMARY KEY,
    offer_id TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL,
    holder TEXT NOT NULL,
    state TEXT NOT NULL,
    credential TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    id_hash TEXT PRIMARY KEY,
    offer_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
-- Only offers still holding claims (few): the purge finds them without a scan.
CREATE INDEX IF NOT EXISTS offers_live ON offers (state, expires_at) WHERE claims IS NOT NULL;
CREATE INDEX IF NOT EXISTS transactions_expiry ON transactions (expires_at);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    offer_id TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT,
    at INTEGER NOT NULL
);
";

/// Offer states. (Stores written by earlier versions may hold `issuing`, a state no
/// longer used: [`Store::open`] turns it back into `redeemed`.)
pub mod state {
    /// Made, not yet exchanged for a token.
    pub const OPEN: &str = "open";
    /// Exchanged for an access token; the credential not yet issued.
    pub const REDEEMED: &str = "redeemed";
    /// Issued.
    pub const ISSUED: &str = "issued";
    /// Too many wrong PINs.
    pub const DEAD: &str = "dead";
    /// Deferred: the holder's key is bound, the credential awaits approval.
    pub const DEFERRED: &str = "deferred";
    /// Deferred and rejected by the back office.
    pub const REJECTED: &str = "rejected";
}

/// Deferred transaction states.
pub mod tx_state {
    /// Awaiting approval.
    pub const PENDING: &str = "pending";
    /// Signed; the wallet has not fetched it yet.
    pub const APPROVED: &str = "approved";
    /// Rejected; the wallet has not been told yet.
    pub const REJECTED: &str = "rejected";
    /// Fetched or told: the `transaction_id` is used up.
    pub const DONE: &str = "done";
}

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
    /// The credential waits for approval.
    pub deferred: bool,
    /// The only holder the credential may be bound to: a DID, or an RFC 7638 JWK
    /// SHA-256 thumbprint (base64url).
    pub holder: Option<String>,
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
    /// Whether the credential waits for approval (deferred issuance).
    pub deferred: bool,
    /// The only holder the credential may be bound to (a DID or a JWK thumbprint).
    pub holder: Option<String>,
}

/// A deferred transaction, as the Deferred Credential Endpoint finds it.
#[derive(Debug, Clone)]
pub struct Transaction {
    /// The offer.
    pub offer_id: String,
    /// [`secret_hash`]`("token", token)` of the access token bound to it.
    pub token_hash: String,
    /// State ([`tx_state`]).
    pub state: String,
    /// The signed credential, once approved.
    pub credential: Option<String>,
    /// When the transaction expires.
    pub expires_at: i64,
}

/// A deferred transaction awaiting approval, as the back office reads it.
#[derive(Debug, Clone)]
pub struct Awaiting {
    /// The offer.
    pub offer_id: String,
    /// Its configuration.
    pub configuration_id: String,
    /// The offer's claims (JSON object text).
    pub claims: Option<String>,
    /// The bound holder key (`{"jwk": …, "kid": …}`).
    pub holder: String,
}

/// One back-office or wallet event of the audit trail: a notification, an
/// approval, a rejection, a revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRow {
    /// The offer.
    pub offer_id: String,
    /// What (`credential_accepted`, `approved`, `revoked`, …).
    pub event: String,
    /// The wallet's `event_description` or a note.
    pub detail: Option<String>,
    /// When.
    pub at: i64,
}

/// A notification id to expect: hashed, with the access token it goes with.
#[derive(Debug, Clone)]
pub struct Notification {
    /// [`secret_hash`]`("notification", id)`.
    pub id_hash: String,
    /// [`secret_hash`]`("token", token)`.
    pub token_hash: String,
    /// Until when it is accepted.
    pub expires_at: i64,
}

/// A new deferred transaction.
#[derive(Debug, Clone)]
pub struct NewTransaction<'a> {
    /// [`secret_hash`]`("transaction", id)`.
    pub id_hash: String,
    /// The offer.
    pub offer_id: &'a str,
    /// The access token's hash (the Deferred Credential Endpoint asks for it).
    pub token_hash: String,
    /// The holder key: `{"jwk": …, "kid": …}`.
    pub holder: String,
    /// Now.
    pub created_at: i64,
    /// When the transaction expires.
    pub expires_at: i64,
}

/// One audit row: what was issued, to which key, with which status index. No claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// Its number in the trail (1-based; 0 before it is stored).
    pub seq: i64,
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
    /// State (`open`, `redeemed`, `deferred` (awaiting approval),
    /// `issued`, `rejected`, `dead`).
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
        // Columns added after the first version.
        for (column, definition) in [
            ("deferred", "deferred INTEGER NOT NULL DEFAULT 0"),
            ("holder", "holder TEXT"),
        ] {
            let present: bool = conn.query_row(
                "SELECT COUNT(*) FROM pragma_table_info('offers') WHERE name = ?1",
                [column],
                |r| r.get::<_, i64>(0).map(|n| n > 0),
            )?;
            if !present {
                conn.execute_batch(&format!("ALTER TABLE offers ADD COLUMN {definition}"))?;
            }
        }
        // Earlier versions marked an offer `issuing` while a request was served, and a
        // crash left it stuck there; a redeemed offer is what it was.
        conn.execute(
            "UPDATE offers SET state = ?1 WHERE state = 'issuing'",
            [state::REDEEMED],
        )?;
        // Nonces now live in the server's memory (a restart refuses outstanding ones).
        conn.execute_batch("DROP TABLE IF EXISTS nonces")?;
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
                                 expires_at, attempts, state, deferred, holder)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9, ?10)",
            params![
                o.id,
                o.code_hash,
                o.pin_hash,
                o.configuration_id,
                o.claims,
                o.created_at,
                o.expires_at,
                state::OPEN,
                o.deferred,
                o.holder
            ],
        )?;
        Ok(())
    }

    /// Deletes the claims of offers that can no longer be used: expired unredeemed
    /// ones, and redeemed ones whose access token expired.
    pub fn purge_expired(&self, now: i64) -> Result<()> {
        // One statement per state, each led by `state = …` so `offers_live` serves it.
        for sql in [
            "UPDATE offers SET claims = NULL
             WHERE state = 'open' AND claims IS NOT NULL AND expires_at <= ?1",
            "UPDATE offers SET claims = NULL
             WHERE state = 'redeemed' AND claims IS NOT NULL AND token_expires_at <= ?1",
            "UPDATE offers SET claims = NULL
             WHERE state = 'deferred' AND claims IS NOT NULL AND id IN
                 (SELECT offer_id FROM transactions WHERE expires_at <= ?1)",
        ] {
            self.conn.prepare_cached(sql)?.execute([now])?;
        }
        // Expired transactions: an unfetched credential is deleted with them.
        self.conn
            .execute("DELETE FROM transactions WHERE expires_at <= ?1", [now])?;
        self.conn
            .execute("DELETE FROM notifications WHERE expires_at <= ?1", [now])?;
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
                if !civitas_crypto::constant_time_eq(expected.as_bytes(), given.as_bytes()) {
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

    /// The offer an access token was issued for, ready for a credential request:
    /// redeemed, the token unexpired, the claims held. Reads only: the request that
    /// records first wins ([`Store::finish_issue`], [`Store::defer_issue`]).
    pub fn issuing(&self, token_hash: &str, now: i64) -> Result<Option<Issuing>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, configuration_id, claims, deferred, holder FROM offers
                 WHERE token_hash = ?1 AND state = ?2 AND token_expires_at > ?3
                   AND claims IS NOT NULL",
            )?
            .query_row(params![token_hash, state::REDEEMED, now], |r| {
                Ok(Issuing {
                    id: r.get(0)?,
                    configuration_id: r.get(1)?,
                    claims: r.get(2)?,
                    deferred: r.get(3)?,
                    holder: r.get(4)?,
                })
            })
            .optional()?)
    }

    /// Records an issuance in one transaction: the offer issued (its claims and
    /// token deleted), the audit row, the notification id. `false` (nothing written)
    /// when the offer is no longer redeemed under `token_hash` — another request
    /// recorded first, or the back office closed it meanwhile.
    pub fn finish_issue(
        &mut self,
        token_hash: &str,
        row: &AuditRow,
        notification: &Notification,
    ) -> Result<bool> {
        let done = self.finish_issues(&[(token_hash, std::slice::from_ref(row), notification)])?;
        Ok(done.first().copied().unwrap_or(false))
    }

    /// [`Store::finish_issue`] for several issuances in one transaction (group
    /// commit); one answer per issuance, in order.
    pub fn finish_issues(
        &mut self,
        batch: &[(&str, &[AuditRow], &Notification)],
    ) -> Result<Vec<bool>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut done = Vec::with_capacity(batch.len());
        for (token_hash, rows, notification) in batch {
            let Some(row) = rows.first() else {
                done.push(false);
                continue;
            };
            let changed = tx
                .prepare_cached(
                    "UPDATE offers SET state = ?2, claims = NULL, token_hash = NULL
                     WHERE id = ?1 AND state = ?3 AND token_hash = ?4",
                )?
                .execute(params![
                    row.offer_id,
                    state::ISSUED,
                    state::REDEEMED,
                    token_hash
                ])?;
            if changed == 1 {
                for row in *rows {
                    insert_audit(&tx, row)?;
                }
                insert_notification(&tx, &row.offer_id, notification)?;
            }
            done.push(changed == 1);
        }
        tx.commit()?;
        Ok(done)
    }

    /// Binds a deferred request's holder key and access token to a new transaction;
    /// the offer waits for approval (`redeemed` → `deferred`). `false` (nothing
    /// written) when the offer is no longer redeemed under the token.
    pub fn defer_issue(&mut self, d: &NewTransaction<'_>) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE offers SET state = ?2, token_hash = NULL
             WHERE id = ?1 AND state = ?3 AND token_hash = ?4",
            params![d.offer_id, state::DEFERRED, state::REDEEMED, d.token_hash],
        )?;
        if changed != 1 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO transactions (id_hash, offer_id, token_hash, holder, state,
                                       created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                d.id_hash,
                d.offer_id,
                d.token_hash,
                d.holder,
                tx_state::PENDING,
                d.created_at,
                d.expires_at
            ],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The transaction of an offer awaiting approval (`None` when there is none, or it
    /// expired).
    pub fn awaiting(&self, offer_id: &str, now: i64) -> Result<Option<Awaiting>> {
        Ok(self
            .conn
            .query_row(
                "SELECT o.id, o.configuration_id, o.claims, t.holder
                 FROM offers o JOIN transactions t ON t.offer_id = o.id
                 WHERE o.id = ?1 AND o.state = ?2 AND t.state = ?3 AND t.expires_at > ?4",
                params![offer_id, state::DEFERRED, tx_state::PENDING, now],
                |r| {
                    Ok(Awaiting {
                        offer_id: r.get(0)?,
                        configuration_id: r.get(1)?,
                        claims: r.get(2)?,
                        holder: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records an approval: the audit row, the signed credential kept for the wallet
    /// to fetch once, the offer issued and its claims deleted. `false` when the
    /// transaction was no longer pending (approved or rejected meanwhile).
    pub fn approve(&mut self, row: &AuditRow, credential: &str) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE transactions SET state = ?2, credential = ?3
             WHERE offer_id = ?1 AND state = ?4",
            params![
                row.offer_id,
                tx_state::APPROVED,
                credential,
                tx_state::PENDING
            ],
        )?;
        if n != 1 {
            return Ok(false);
        }
        insert_audit(&tx, row)?;
        tx.execute(
            "UPDATE offers SET state = ?2, claims = NULL WHERE id = ?1",
            params![row.offer_id, state::ISSUED],
        )?;
        insert_event(&tx, &row.offer_id, "approved", None, row.issued_at)?;
        tx.commit()?;
        Ok(true)
    }

    /// Rejects a pending deferred transaction; `false` when there is none.
    pub fn reject(&mut self, offer_id: &str, now: i64) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE transactions SET state = ?2 WHERE offer_id = ?1 AND state = ?3",
            params![offer_id, tx_state::REJECTED, tx_state::PENDING],
        )?;
        if n != 1 {
            return Ok(false);
        }
        tx.execute(
            "UPDATE offers SET state = ?2, claims = NULL WHERE id = ?1",
            params![offer_id, state::REJECTED],
        )?;
        insert_event(&tx, offer_id, "rejected", None, now)?;
        tx.commit()?;
        Ok(true)
    }

    /// The transaction a `transaction_id` names (by its hash).
    pub fn transaction(&self, id_hash: &str) -> Result<Option<Transaction>> {
        Ok(self
            .conn
            .query_row(
                "SELECT offer_id, token_hash, state, credential, expires_at
                 FROM transactions WHERE id_hash = ?1",
                [id_hash],
                |r| {
                    Ok(Transaction {
                        offer_id: r.get(0)?,
                        token_hash: r.get(1)?,
                        state: r.get(2)?,
                        credential: r.get(3)?,
                        expires_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Closes a transaction whose outcome the wallet was given (`from` → `done`, the
    /// credential deleted), with the notification to expect for an issued one;
    /// `false` when another request got there first.
    pub fn close_transaction(
        &mut self,
        id_hash: &str,
        from: &str,
        offer_id: &str,
        notification: Option<&Notification>,
    ) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE transactions SET state = ?2, credential = NULL
             WHERE id_hash = ?1 AND state = ?3",
            params![id_hash, tx_state::DONE, from],
        )?;
        if n != 1 {
            return Ok(false);
        }
        if let Some(note) = notification {
            insert_notification(&tx, offer_id, note)?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// The offer and access-token hash a `notification_id` (by its hash) belongs to,
    /// while it has not expired.
    pub fn notification(&self, id_hash: &str, now: i64) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT offer_id, token_hash FROM notifications
                 WHERE id_hash = ?1 AND expires_at > ?2",
                params![id_hash, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Appends an event to the audit trail.
    pub fn add_event(
        &self,
        offer_id: &str,
        event: &str,
        detail: Option<&str>,
        at: i64,
    ) -> Result<()> {
        insert_event(&self.conn, offer_id, event, detail, at)
    }

    /// The events of the audit trail, oldest first.
    pub fn events(&self) -> Result<Vec<EventRow>> {
        let mut stmt = self
            .conn
            .prepare("SELECT offer_id, event, detail, at FROM events ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            Ok(EventRow {
                offer_id: r.get(0)?,
                event: r.get(1)?,
                detail: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The audit row with sequence number `seq` (1-based, as `issuer audit` lists
    /// them), or the latest one of `offer_id`.
    pub fn audit_row(&self, seq: Option<i64>, offer_id: Option<&str>) -> Result<Option<AuditRow>> {
        let rows = self.audit()?;
        Ok(match (seq, offer_id) {
            (Some(n), _) => rows.into_iter().find(|r| r.seq == n),
            (None, Some(o)) => rows.into_iter().rev().find(|r| r.offer_id == o),
            (None, None) => None,
        })
    }

    /// Reserves up to `count` (at least 1) consecutive status-list indices below
    /// `size`, atomically, for one process to hand out from memory; `None` when the
    /// list is full. Indices a process reserved and never used (it stopped) stay
    /// unused: they are set to valid and no credential refers to them.
    pub fn reserve_status(&mut self, size: u64, count: u64) -> Result<Option<Range<u64>>> {
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
        let end = next.saturating_add(count.max(1)).min(size);
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('status_next', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [end.to_string()],
        )?;
        tx.commit()?;
        Ok(Some(next..end))
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> Result<Vec<AuditRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT offer_id, configuration_id, holder_thumbprint, holder_kid, status_uri,
                    status_index, credential_digest, anchor_index, issued_at, seq
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
                seq: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Offers not yet issued, dead or expired, oldest first.
    pub fn pending(&self, now: i64) -> Result<Vec<OfferSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, configuration_id, state, created_at, expires_at, attempts FROM offers
             WHERE (state IN ('open', 'redeemed')
                    AND (expires_at > ?1 OR (state != 'open' AND token_expires_at > ?1)))
                OR (state = 'deferred' AND id IN
                    (SELECT offer_id FROM transactions WHERE state = 'pending' AND expires_at > ?1))
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

fn insert_audit(conn: &Connection, row: &AuditRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit (offer_id, configuration_id, holder_thumbprint, holder_kid,
                            status_uri, status_index, credential_digest, anchor_index,
                            issued_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        row.offer_id,
        row.configuration_id,
        row.holder_thumbprint,
        row.holder_kid,
        row.status_uri,
        i64::try_from(row.status_index).unwrap_or(i64::MAX),
        row.credential_digest,
        row.anchor_index.and_then(|i| i64::try_from(i).ok()),
        row.issued_at
    ])?;
    Ok(())
}

fn insert_notification(conn: &Connection, offer_id: &str, n: &Notification) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO notifications (id_hash, offer_id, token_hash, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![n.id_hash, offer_id, n.token_hash, n.expires_at])?;
    Ok(())
}

fn insert_event(
    conn: &Connection,
    offer_id: &str,
    event: &str,
    detail: Option<&str>,
    at: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO events (offer_id, event, detail, at) VALUES (?1, ?2, ?3, ?4)",
        params![offer_id, event, detail, at],
    )?;
    Ok(())
}
