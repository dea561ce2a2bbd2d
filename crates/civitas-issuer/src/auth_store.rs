//! The Authorization Code Flow's state in the issuer's SQLite database (its own
//! connection, WAL, tables created on open): pushed authorization requests by their
//! hashed `request_uri`, login sessions at the city's OpenID Connect provider by
//! their hashed `state`, authorization codes by their hash, offers with the
//! `authorization_code` grant by their hashed `issuer_state`. Each is single use: the
//! row is marked used (or deleted) in the same transaction that reads it.

use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS auth_requests (
    uri_hash TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS auth_logins (
    state_hash TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_offers (
    state_hash TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    offer_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS auth_codes (
    code_hash TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    claims TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
";

/// Creates the tables (idempotent).
pub fn create_tables(conn: &Connection) -> Result<()> {
    conn.execute_batch(SCHEMA)?;
    Ok(())
}

/// What taking a single-use row came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Take<T> {
    /// The row, now used up.
    Taken(T),
    /// No such row.
    Unknown,
    /// Expired.
    Expired,
    /// Used before.
    Used,
}

/// A login in progress at the provider.
#[derive(Debug, Clone)]
pub struct LoginRow {
    /// The pushed request (JSON).
    pub request: String,
    /// The ID token nonce.
    pub nonce: String,
    /// The PKCE verifier for the provider.
    pub verifier: String,
}

/// An authorization code's row.
#[derive(Debug, Clone)]
pub struct CodeRow {
    /// The pushed request (JSON).
    pub request: String,
    /// The subject's claims (JSON object).
    pub claims: String,
}

/// The store.
#[derive(Debug)]
pub struct AuthStore {
    conn: Connection,
}

impl AuthStore {
    /// Opens (creating) the tables in the database at `path` (the issuer's).
    pub fn open(path: &Path) -> Result<Self> {
        Self::init(Connection::open(path)?)
    }

    /// An in-memory store (tests).
    pub fn memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        create_tables(&conn)?;
        Ok(AuthStore { conn })
    }

    /// Deletes what has expired.
    pub fn purge(&self, now: i64) -> Result<()> {
        self.conn.execute_batch(&format!(
            "DELETE FROM auth_requests WHERE expires_at < {now};
             DELETE FROM auth_logins WHERE expires_at < {now};
             DELETE FROM auth_codes WHERE expires_at < {now};
             DELETE FROM auth_offers WHERE expires_at < {now};"
        ))?;
        Ok(())
    }

    /// Stores an offer's `issuer_state` (hashed) with its configuration.
    pub fn put_offer(
        &self,
        state_hash: &str,
        configuration_id: &str,
        offer_id: &str,
        expires_at: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO auth_offers (state_hash, request, offer_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![state_hash, configuration_id, offer_id, expires_at],
        )?;
        Ok(())
    }

    /// Takes an offer's `issuer_state` (single use): its configuration.
    pub fn take_offer(&mut self, state_hash: &str, now: i64) -> Result<Take<String>> {
        Ok(
            match self.take("auth_offers", "state_hash", state_hash, now)? {
                Take::Taken((configuration_id, _)) => Take::Taken(configuration_id),
                Take::Unknown => Take::Unknown,
                Take::Expired => Take::Expired,
                Take::Used => Take::Used,
            },
        )
    }

    /// Stores a pushed request.
    pub fn put_request(&self, uri_hash: &str, request: &str, expires_at: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO auth_requests (uri_hash, request, expires_at) VALUES (?1, ?2, ?3)",
            params![uri_hash, request, expires_at],
        )?;
        Ok(())
    }

    /// Takes a pushed request (single use).
    pub fn take_request(&mut self, uri_hash: &str, now: i64) -> Result<Take<String>> {
        self.take("auth_requests", "uri_hash", uri_hash, now)
            .map(|t| match t {
                Take::Taken((request, _)) => Take::Taken(request),
                Take::Unknown => Take::Unknown,
                Take::Expired => Take::Expired,
                Take::Used => Take::Used,
            })
    }

    /// Stores a login in progress.
    pub fn put_login(&self, state_hash: &str, row: &LoginRow, expires_at: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO auth_logins (state_hash, request, nonce, verifier, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![state_hash, row.request, row.nonce, row.verifier, expires_at],
        )?;
        Ok(())
    }

    /// Takes (deletes) a login in progress; `None` when unknown or expired.
    pub fn take_login(&mut self, state_hash: &str, now: i64) -> Result<Option<LoginRow>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row = tx
            .query_row(
                "SELECT request, nonce, verifier, expires_at FROM auth_logins WHERE state_hash = ?1",
                [state_hash],
                |r| {
                    Ok((
                        LoginRow {
                            request: r.get(0)?,
                            nonce: r.get(1)?,
                            verifier: r.get(2)?,
                        },
                        r.get::<_, i64>(3)?,
                    ))
                },
            )
            .optional()?;
        tx.execute(
            "DELETE FROM auth_logins WHERE state_hash = ?1",
            [state_hash],
        )?;
        tx.commit()?;
        Ok(row.and_then(|(row, exp)| (exp >= now).then_some(row)))
    }

    /// Stores an authorization code.
    pub fn put_code(&self, code_hash: &str, row: &CodeRow, expires_at: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO auth_codes (code_hash, request, claims, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![code_hash, row.request, row.claims, expires_at],
        )?;
        Ok(())
    }

    /// Takes an authorization code (single use; its claims are wiped).
    pub fn take_code(&mut self, code_hash: &str, now: i64) -> Result<Take<CodeRow>> {
        Ok(
            match self.take("auth_codes", "code_hash", code_hash, now)? {
                Take::Taken((request, claims)) => Take::Taken(CodeRow {
                    request,
                    claims: claims.unwrap_or_default(),
                }),
                Take::Unknown => Take::Unknown,
                Take::Expired => Take::Expired,
                Take::Used => Take::Used,
            },
        )
    }

    /// Marks a row of `table` used, returning its `request` (and `claims`).
    fn take(
        &mut self,
        table: &'static str,
        key: &'static str,
        value: &str,
        now: i64,
    ) -> Result<Take<(String, Option<String>)>> {
        let claims = if table == "auth_codes" {
            "claims"
        } else {
            "NULL"
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row = tx
            .query_row(
                &format!(
                    "SELECT request, {claims}, expires_at, used FROM {table} WHERE {key} = ?1"
                ),
                [value],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                },
            )
            .optional()?;
        let out = match row {
            None => Take::Unknown,
            Some((_, _, _, used)) if used != 0 => Take::Used,
            Some((_, _, exp, _)) if exp < now => Take::Expired,
            Some((request, claims, _, _)) => {
                let wipe = if table == "auth_codes" {
                    ", claims = '{}'"
                } else {
                    ""
                };
                tx.execute(
                    &format!("UPDATE {table} SET used = 1{wipe} WHERE {key} = ?1"),
                    [value],
                )?;
                Take::Taken((request, claims))
            }
        };
        tx.commit()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_single_use() {
        let mut s = AuthStore::memory().unwrap();
        s.put_request("h", "{}", 100).unwrap();
        assert_eq!(s.take_request("h", 50).unwrap(), Take::Taken("{}".into()));
        assert_eq!(s.take_request("h", 50).unwrap(), Take::Used);
        assert_eq!(s.take_request("x", 50).unwrap(), Take::Unknown);
        s.put_request("e", "{}", 10).unwrap();
        assert_eq!(s.take_request("e", 50).unwrap(), Take::Expired);
        let row = CodeRow {
            request: "{}".into(),
            claims: r#"{"a":1}"#.into(),
        };
        s.put_code("c", &row, 100).unwrap();
        assert!(matches!(s.take_code("c", 1).unwrap(), Take::Taken(r) if r.claims == row.claims));
        assert!(matches!(s.take_code("c", 1).unwrap(), Take::Used));
        let login = LoginRow {
            request: "{}".into(),
            nonce: "n".into(),
            verifier: "v".into(),
        };
        s.put_login("s", &login, 100).unwrap();
        assert!(s.take_login("s", 1).unwrap().is_some());
        assert!(s.take_login("s", 1).unwrap().is_none());
        s.purge(1000).unwrap();
    }
}
