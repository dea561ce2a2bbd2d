//! Trust and revocation from the ledger: accreditation chains up to the verifier's
//! roots, and Token Status Lists published by issuers.
//!
//! Both read only a ledger whose every entry this process validated
//! ([`LedgerReader::entries_verified`]: an embedded ledger, a synced replica, or a node
//! read through `civitas_ledger::VerifiedNode`). A node's own answers — accreditation
//! records and status lists as unsigned JSON — are refused: a hostile node could make
//! any issuer trusted or serve an old list.

use crate::{CredentialStatus, Error, Result, StatusSource, TrustSource};
use civitas_credential::StatusRef;
use civitas_credential::jws::Jws;
use civitas_credential::status_list::StatusListToken;
use civitas_credential::status_list::{TYP_STATUSLIST_JWT, parse_status_list_token, status};
use civitas_did::{Purpose, Resolver};
use civitas_ledger::LedgerReader;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a trust decision or a verified status list is reused before the ledger is
/// read again, by default (seconds of verification time).
pub const DEFAULT_CACHE_SECONDS: i64 = 30;

/// Longest accreditation chain followed (root → … → issuer).
pub const MAX_CHAIN: usize = 5;

/// An issuer is trusted for a `vct` when a chain of accreditations in force at the
/// verification time — none revoked, every intermediate one allowed to delegate —
/// leads from it to one of `roots` (an issuer that is itself a root is trusted).
#[derive(Debug)]
pub struct AccreditationTrust<R> {
    ledger: R,
    roots: Vec<String>,
    also_trusted: Vec<String>,
    cache_seconds: i64,
    cache: Mutex<HashMap<String, HashMap<String, i64>>>,
}

impl<R: LedgerReader> AccreditationTrust<R> {
    /// Trust rooted in `roots`, read from `ledger`.
    pub fn new(ledger: R, roots: Vec<String>) -> Self {
        AccreditationTrust {
            ledger,
            roots,
            also_trusted: Vec::new(),
            cache_seconds: DEFAULT_CACHE_SECONDS,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Reuses a positive decision for `seconds` (0: always read the ledger).
    pub fn with_cache_seconds(mut self, seconds: i64) -> Self {
        self.cache_seconds = seconds.max(0);
        self
    }

    /// Also trusts these issuers directly (`--trust`).
    pub fn with_trusted(mut self, issuers: Vec<String>) -> Self {
        self.also_trusted = issuers;
        self
    }
}

impl<R: LedgerReader> TrustSource for AccreditationTrust<R> {
    fn check(&self, issuer: &str, vct: &str, at: i64) -> Result<()> {
        // Looked up by &str: a hit allocates nothing.
        let hit = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.get(issuer).and_then(|m| m.get(vct)).copied());
        if hit.is_some_and(|when| (at - when).abs() < self.cache_seconds) {
            return Ok(());
        }
        self.check_ledger(issuer, vct, at)?;
        if let Ok(mut c) = self.cache.lock() {
            if c.len() > 10_000 {
                c.clear();
            }
            c.entry(issuer.to_string())
                .or_default()
                .insert(vct.to_string(), at);
        }
        Ok(())
    }
}

impl<R: LedgerReader> AccreditationTrust<R> {
    fn check_ledger(&self, issuer: &str, vct: &str, at: i64) -> Result<()> {
        if self.also_trusted.iter().any(|t| t == issuer) || self.roots.iter().any(|r| r == issuer) {
            return Ok(());
        }
        if self.roots.is_empty() {
            return Err(untrusted(
                issuer,
                vct,
                ": no trusted roots are configured (use --root DID, --trust DID or a policy file)",
            ));
        }
        if !self.ledger.entries_verified() {
            return Err(untrusted(issuer, vct, &format!(": {UNVERIFIED}")));
        }
        let mut frontier = vec![issuer.to_string()];
        let mut seen = vec![issuer.to_string()];
        let mut revoked_seen = false;
        for depth in 0..MAX_CHAIN {
            let mut next = Vec::new();
            for did in &frontier {
                let records = self.ledger.accreditations(did).map_err(|e| {
                    Error::StatusUnavailable(format!("cannot read accreditations: {e}"))
                })?;
                for a in records {
                    let vct_ok = a.vcts.iter().any(|v| v == vct);
                    if vct_ok && a.revoked_at.is_some_and(|r| r <= at) {
                        revoked_seen = true;
                    }
                    // Past the issuer itself, an accreditor must have been allowed to
                    // delegate.
                    if !a.covers(vct, at) || (depth > 0 && !a.delegate) {
                        continue;
                    }
                    if self.roots.contains(&a.issuer) {
                        return Ok(());
                    }
                    if !seen.contains(&a.issuer) {
                        seen.push(a.issuer.clone());
                        next.push(a.issuer);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        Err(untrusted(
            issuer,
            vct,
            if revoked_seen {
                ": its accreditation has been revoked"
            } else {
                ": no accreditation in force leads to a trusted root"
            },
        ))
    }
}

/// What a reader that is not verified says, and why it is not used.
const UNVERIFIED: &str = "the ledger reader serves a node's own answers, which prove nothing: \
     read the node through a verified replica pinned to its log key";

fn untrusted(issuer: &str, vct: &str, why: &str) -> Error {
    Error::UntrustedIssuer {
        issuer: issuer.to_string(),
        vct: vct.to_string(),
        why: why.to_string(),
    }
}

/// A verified list: when it was fetched (verification time), the token, the list.
type CachedList = (i64, String, Arc<StatusListToken>);

/// Status from the issuer's Token Status List on the ledger: the newest token at the
/// credential's URI, signed by the credential's issuer (key resolved as of the token's
/// `iat`), not expired.
#[derive(Debug)]
pub struct LedgerStatus<R, V> {
    ledger: R,
    resolver: V,
    cache_seconds: i64,
    cache: Mutex<HashMap<String, CachedList>>,
}

impl<R: LedgerReader, V: Resolver> LedgerStatus<R, V> {
    /// Reads lists from `ledger`, resolving issuer keys with `resolver`.
    pub fn new(ledger: R, resolver: V) -> Self {
        LedgerStatus {
            ledger,
            resolver,
            cache_seconds: DEFAULT_CACHE_SECONDS,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Reuses a verified list for `seconds` of verification time before reading the
    /// ledger again (0: always read).
    pub fn with_cache_seconds(mut self, seconds: i64) -> Self {
        self.cache_seconds = seconds.max(0);
        self
    }

    /// The newest list at `uri`, verified: from the cache while fresh, and re-verified
    /// only when the ledger holds a different token.
    fn list(&self, issuer: &str, uri: &str, at: i64) -> Result<Arc<StatusListToken>> {
        // Only the fetch time and the Arc are copied on a hit.
        if let Some(list) = self.cache.lock().ok().and_then(|c| {
            c.get(uri)
                .filter(|(fetched, _, _)| (at - fetched).abs() < self.cache_seconds)
                .map(|(_, _, list)| list.clone())
        }) {
            return Ok(list);
        }
        if !self.ledger.entries_verified() {
            return Err(Error::StatusUnavailable(UNVERIFIED.into()));
        }
        let cached = self.cache.lock().ok().and_then(|c| c.get(uri).cloned());
        let token = self
            .ledger
            .status_list(uri)
            .map_err(|e| Error::StatusUnavailable(format!("cannot read the status list: {e}")))?
            .ok_or_else(|| {
                Error::StatusUnavailable(format!("no status list is published at {uri}"))
            })?;
        let list = match cached {
            Some((_, old, list)) if old == token => list,
            _ => Arc::new(self.verify_token(issuer, uri, &token)?),
        };
        if let Ok(mut c) = self.cache.lock() {
            if c.len() > 1000 {
                c.clear();
            }
            c.insert(uri.to_string(), (at, token, list.clone()));
        }
        Ok(list)
    }

    fn verify_token(&self, issuer: &str, uri: &str, token: &str) -> Result<StatusListToken> {
        let (list, _) = parse_status_list_token(token)
            .map_err(|e| Error::StatusUnavailable(format!("bad status list: {e}")))?;
        if list.issuer != issuer {
            return Err(Error::StatusUnavailable(format!(
                "the status list at {uri} is published by {}, not by the credential's issuer",
                list.issuer
            )));
        }
        let jws = Jws::parse(token, TYP_STATUSLIST_JWT)
            .map_err(|e| Error::StatusUnavailable(format!("bad status list: {e}")))?;
        let key = self
            .resolver
            .resolve_key(&list.kid, Purpose::AssertionMethod, Some(list.iat))
            .map_err(|e| Error::StatusUnavailable(format!("the status list's signing key: {e}")))?;
        jws.verify(&key).map_err(|_| {
            Error::StatusUnavailable("the status list's signature does not verify".into())
        })?;
        Ok(list)
    }
}

impl<R: LedgerReader, V: Resolver> StatusSource for LedgerStatus<R, V> {
    fn status(&self, issuer: &str, reference: &StatusRef, at: i64) -> Result<CredentialStatus> {
        let list = self.list(issuer, &reference.uri, at)?;
        if list.issuer != issuer {
            return Err(Error::StatusUnavailable(format!(
                "the status list at {} is published by {}, not by the credential's issuer",
                reference.uri, list.issuer
            )));
        }
        if list.exp.is_some_and(|exp| at >= exp) {
            return Err(Error::StatusUnavailable(
                "the status list has expired".into(),
            ));
        }
        match list.list.get(reference.idx) {
            None => Err(Error::StatusUnavailable(format!(
                "index {} is outside the status list",
                reference.idx
            ))),
            Some(status::VALID) => Ok(CredentialStatus::Valid),
            Some(status::INVALID) => Ok(CredentialStatus::Invalid),
            Some(status::SUSPENDED) => Ok(CredentialStatus::Suspended),
            Some(other) => Ok(CredentialStatus::Other(other)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    //! A reader that relays a node's own answers (not verified) is never believed,
    //! whatever it says (issue 11, finding 2).
    use super::*;
    use civitas_ledger::{AccreditationRecord, Hash, LedgerInfo};

    const ROOT: &str = "did:example:root";
    const ISSUER: &str = "did:example:issuer";
    const PID: &str = "https://civitas.example/credentials/pid/v1";

    /// Says the issuer is accredited by the root and serves a status list.
    struct LyingNode;

    impl LedgerReader for LyingNode {
        fn info(&self) -> civitas_ledger::Result<LedgerInfo> {
            Err(civitas_ledger::Error::NotFound("info".into()))
        }
        fn checkpoint(&self) -> civitas_ledger::Result<String> {
            Err(civitas_ledger::Error::NotFound("checkpoint".into()))
        }
        fn checkpoint_at(&self, _: u64) -> civitas_ledger::Result<Option<String>> {
            Ok(None)
        }
        fn entries(&self, _: u64, _: u64) -> civitas_ledger::Result<Vec<Vec<u8>>> {
            Ok(Vec::new())
        }
        fn inclusion_proof(&self, _: u64, _: u64) -> civitas_ledger::Result<Vec<Hash>> {
            Ok(Vec::new())
        }
        fn consistency_proof(&self, _: u64, _: u64) -> civitas_ledger::Result<Vec<Hash>> {
            Ok(Vec::new())
        }
        fn did_log(&self, _: &str) -> civitas_ledger::Result<Vec<String>> {
            Ok(Vec::new())
        }
        fn did_at_path(&self, _: &str) -> civitas_ledger::Result<Option<String>> {
            Ok(None)
        }
        fn accreditations(&self, did: &str) -> civitas_ledger::Result<Vec<AccreditationRecord>> {
            Ok(vec![AccreditationRecord {
                index: 0,
                id: "forged".into(),
                issuer: ROOT.into(),
                subject: did.into(),
                name: Some("Forged".into()),
                vcts: vec![PID.into()],
                nbf: 0,
                exp: None,
                delegate: true,
                revoked_at: None,
            }])
        }
        fn status_list(&self, _: &str) -> civitas_ledger::Result<Option<String>> {
            Ok(Some("eyJ0eXAiOiJzdGF0dXNsaXN0K2p3dCJ9.e30.sig".into()))
        }
    }

    #[test]
    fn a_nodes_own_accreditation_records_and_status_lists_are_not_used() {
        let trust = AccreditationTrust::new(LyingNode, vec![ROOT.into()]);
        let err = trust.check(ISSUER, PID, 100).unwrap_err();
        assert_eq!(err.code(), "untrusted_issuer", "{err}");
        assert!(err.to_string().contains("prove nothing"), "{err}");
        // Roots and directly trusted issuers need no ledger.
        trust.check(ROOT, PID, 100).unwrap();
        let status = LedgerStatus::new(LyingNode, civitas_did::MethodResolver::local());
        let reference = StatusRef {
            idx: 0,
            uri: "https://ledger.example/status/1".into(),
        };
        let err = status.status(ISSUER, &reference, 100).unwrap_err();
        assert_eq!(err.code(), "status_unavailable", "{err}");
        assert!(err.to_string().contains("prove nothing"), "{err}");
    }
}
