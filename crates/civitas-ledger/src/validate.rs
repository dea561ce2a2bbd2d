//! Whether an entry may join the log, given everything before it. Pure apart from the
//! reads it makes through [`State`]; the writer applies the returned [`Effect`].
//!
//! A signed entry's key must be authorized by its DID's state *at this position of
//! the log* (the DID's latest version among the entries before it), never as of the
//! entry's own `iat`, which the signer chooses: a key an update retired, or any key
//! of a deactivated DID, signs nothing new. So appending, auditing and syncing judge
//! an entry the same way: by log order, not by anyone's clock.
//!
//! An accreditation's validity starts at its `nbf` (default its `iat`), as signed. It
//! does not start at "the time it reached the ledger": that time is the writer's clock,
//! not part of the signed log, so a replica or an audit replaying the log could not
//! derive it, and replay would stop being deterministic.

use crate::entry::{
    MAX_ISSUANCE_DIGESTS, TYP_ACCREDITATION, TYP_ACCREDITATION_REVOCATION, TYP_ISSUANCE, TYP_ROOT,
};
use crate::{AccreditationRecord, Entry, Error, Result};
use civitas_credential::jws::Jws;
use civitas_credential::status_list::parse_status_list_token;
use civitas_did::webvh::{Did, LogState};
use civitas_did::{Purpose, Resolver};
use serde_json::Value;

/// How far in the future an entry's own time may be (clock skew), seconds.
pub const MAX_FUTURE_SKEW: i64 = 300;

/// The reads validation needs. The SQLite store implements it over its open
/// transaction, so entries earlier in the same batch are visible.
pub(crate) trait State {
    /// The validated log state of `did`, if the DID exists.
    fn did_state(&mut self, did: &str) -> Result<Option<LogState>>;
    /// The DID at a web path, if any.
    fn did_at_path(&mut self, path: &str) -> Result<Option<String>>;
    /// The `vct`s `did` declared itself root for, if it did.
    fn root(&mut self, did: &str) -> Result<Option<Vec<String>>>;
    /// An accreditation by id.
    fn accreditation(&mut self, id: &str) -> Result<Option<AccreditationRecord>>;
    /// Accreditations whose subject is `did`.
    fn accreditations_of(&mut self, did: &str) -> Result<Vec<AccreditationRecord>>;
    /// Issuer and `iat` of the newest status list at `uri`.
    fn status_list_owner(&mut self, uri: &str) -> Result<Option<(String, i64)>>;
}

/// What an accepted entry changes in the indexes.
#[derive(Debug)]
pub(crate) enum Effect {
    /// A DID log entry; `state` is the DID's state after it.
    Did {
        /// The DID's web path, on creation.
        new_path: Option<String>,
        /// State after the entry.
        state: Box<LogState>,
    },
    /// A root declaration.
    Root { did: String, vcts: Vec<String> },
    /// An accreditation.
    Accreditation(AccreditationRecord),
    /// A revocation of accreditation `id` as of `at`.
    Revocation { id: String, at: i64 },
    /// A status list version.
    StatusList {
        uri: String,
        issuer: String,
        iat: i64,
    },
    /// An issuance anchor: `issuer` vouches for these credential digests.
    Issuance {
        issuer: String,
        digests: Vec<String>,
    },
}

impl Effect {
    /// The DID or URI the entry is about (indexed for lookups).
    pub(crate) fn subject(&self) -> String {
        match self {
            Effect::Did { state, .. } => state.did().to_string(),
            Effect::Root { did, .. } => did.clone(),
            Effect::Accreditation(a) => a.subject.clone(),
            Effect::Revocation { id, .. } => id.clone(),
            Effect::StatusList { uri, .. } => uri.clone(),
            Effect::Issuance { issuer, .. } => issuer.clone(),
        }
    }
}

/// Validates `entry` against `state` at time `now`, for a ledger whose DIDs live on
/// `host`. `genesis`, when given, is the state of a DID genesis entry whose stateless
/// checks already ran (on the caller's thread, in parallel with other callers).
pub(crate) fn validate_prepared(
    entry: &Entry,
    genesis: Option<LogState>,
    state: &mut dyn State,
    host: &str,
    now: i64,
) -> Result<Effect> {
    match entry {
        Entry::DidLog { line } => did_log(line, genesis, state, host, now),
        Entry::Root { jws } => root(jws, state, now),
        Entry::Accreditation { jws } => accreditation(jws, state, now),
        Entry::AccreditationRevocation { jws } => revocation(jws, state, now),
        Entry::StatusList { jws } => status_list(jws, state, now),
        Entry::Issuance { jws } => issuance(jws, state, now),
    }
}

/// The stateless check of a DID genesis entry (signature, SCID, chain start), if `entry`
/// is one: what callers run in parallel before handing entries to the writer.
pub(crate) fn prepare_genesis(entry: &Entry, now: i64) -> Option<Result<LogState>> {
    let Entry::DidLog { line } = entry else {
        return None;
    };
    let value: Value = serde_json::from_str(line).ok()?;
    let genesis = value.get("versionId")?.as_str()?.starts_with("1-");
    genesis.then(|| LogState::genesis(line, now).map_err(Error::from))
}

/// [`prepare_genesis`] for every entry, spread over the machine's cores when there are
/// enough of them to be worth a thread each: a bulk import or a sync hands the writer
/// thousands of entries from one caller, and their signatures are independent.
pub(crate) fn prepare_all(entries: &[Entry], now: i64) -> Vec<Option<Result<LogState>>> {
    /// Below this many entries per thread, spawning costs more than it saves.
    const PER_THREAD: usize = 32;
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(entries.len() / PER_THREAD)
        .max(1);
    if threads == 1 {
        return entries.iter().map(|e| prepare_genesis(e, now)).collect();
    }
    let chunk = entries.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|e| prepare_genesis(e, now))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            // A panic in a check is a bug: raise it here, as a serial run would.
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

fn did_log(
    line: &str,
    genesis: Option<LogState>,
    state: &mut dyn State,
    host: &str,
    now: i64,
) -> Result<Effect> {
    // A prepared genesis entry was parsed on the caller's thread: its document's id is
    // the DID, and the writer need not parse the line again.
    let did = match &genesis {
        Some(g) => g.did().to_string(),
        None => {
            let value: Value = serde_json::from_str(line)
                .map_err(|e| Error::MalformedEntry(format!("DID log line is not JSON: {e}")))?;
            value
                .pointer("/state/id")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::MalformedEntry("DID log line has no state.id".into()))?
                .to_string()
        }
    };
    match state.did_state(&did)? {
        Some(mut current) => {
            current.append(line, now)?;
            Ok(Effect::Did {
                new_path: None,
                state: Box::new(current),
            })
        }
        None => {
            let genesis = match genesis {
                Some(g) => g,
                None => LogState::genesis(line, now)?,
            };
            let parsed = Did::parse(genesis.did())?;
            let did_host = match parsed.port() {
                Some(p) => format!("{}:{p}", parsed.host()),
                None => parsed.host().to_string(),
            };
            if did_host != host {
                return Err(Error::DidHostMismatch {
                    found: did_host,
                    expected: host.to_string(),
                });
            }
            let path = web_path(&parsed);
            if state.did_at_path(&path)?.is_some() {
                return Err(Error::DidPathTaken(path));
            }
            Ok(Effect::Did {
                new_path: Some(path),
                state: Box::new(genesis),
            })
        }
    }
}

/// The path a did:webvh DID's log is served at, without `/did.jsonl`.
pub fn web_path(did: &Did) -> String {
    let segments = did.path();
    if segments.is_empty() {
        ".well-known".to_string()
    } else {
        segments.join("/")
    }
}

/// Checks that `jws` (its `kid`, a key of `iss`) is signed by a key its DID authorizes
/// *now*, at this position of the log: through the ledger's own DID logs for did:webvh
/// (the latest version; a deactivated DID authorizes nothing), locally for did:jwk /
/// did:key. A key an earlier version authorized is [`Error::SignerKeyRetired`].
fn signer_key(jws: &Jws, state: &mut dyn State) -> Result<()> {
    jws.issuer()?;
    let kid = jws.kid()?;
    let did = kid.split('#').next().unwrap_or_default();
    if !did.starts_with("did:webvh:") {
        let key = civitas_did::MethodResolver::local()
            .resolve_key(kid, Purpose::AssertionMethod, None)
            .map_err(Error::SignerKey)?;
        jws.verify(&key)?;
        return Ok(());
    }
    let log = state
        .did_state(did)?
        .ok_or_else(|| Error::SignerKey(civitas_did::Error::NotFound(did.to_string())))?;
    let history = log
        .key_history(kid, Purpose::AssertionMethod)
        .map_err(Error::SignerKey)?;
    if let Some(current) = &history.current
        && jws.verify(current).is_ok()
    {
        return Ok(());
    }
    if let Some(retired) = history.retired.iter().find(|r| jws.verify(&r.key).is_ok()) {
        return Err(Error::SignerKeyRetired {
            kid: kid.chars().take(200).collect(),
            version: retired.retired_version,
        });
    }
    match &history.current {
        Some(current) => Ok(jws.verify(current)?),
        None => Err(Error::SignerKey(civitas_did::Error::NotAuthorized {
            id: kid.chars().take(200).collect(),
            purpose: "assertionMethod (not by the DID's current version)",
        })),
    }
}

fn iat(jws: &Jws, now: i64) -> Result<i64> {
    let iat = jws
        .time_claim("iat")?
        .ok_or_else(|| Error::InvalidEntry("missing iat".into()))?;
    if iat > now + MAX_FUTURE_SKEW {
        return Err(Error::InvalidEntry(format!(
            "iat is {} s in the future",
            iat - now
        )));
    }
    Ok(iat)
}

fn vcts(jws: &Jws) -> Result<Vec<String>> {
    let list = jws
        .payload
        .get("vcts")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::InvalidEntry("vcts must be a list of credential types".into()))?;
    let mut out = Vec::with_capacity(list.len());
    for v in list {
        let s = v
            .as_str()
            .filter(|s| !s.is_empty() && s.len() <= 512 && s.contains(':'))
            .ok_or_else(|| Error::InvalidEntry("each vct must be a URI".into()))?;
        if !out.iter().any(|o: &String| o == s) {
            out.push(s.to_string());
        }
    }
    if out.is_empty() || out.len() > 64 {
        return Err(Error::InvalidEntry("vcts must list 1 to 64 types".into()));
    }
    Ok(out)
}

fn root(token: &str, state: &mut dyn State, now: i64) -> Result<Effect> {
    let jws = Jws::parse(token, TYP_ROOT)?;
    iat(&jws, now)?;
    signer_key(&jws, state)?;
    let did = jws.issuer()?.to_string();
    if state.root(&did)?.is_some() {
        return Err(Error::Replay(format!(
            "{did} has already declared itself a root"
        )));
    }
    Ok(Effect::Root {
        did,
        vcts: vcts(&jws)?,
    })
}

fn accreditation(token: &str, state: &mut dyn State, now: i64) -> Result<Effect> {
    let jws = Jws::parse(token, TYP_ACCREDITATION)?;
    let iat = iat(&jws, now)?;
    signer_key(&jws, state)?;
    let issuer = jws.issuer()?.to_string();
    let subject = jws.str_claim("sub")?.to_string();
    civitas_did::validate_did(&subject)
        .map_err(|_| Error::InvalidEntry("sub is not a DID".into()))?;
    if subject.starts_with("did:webvh:") && state.did_state(&subject)?.is_none() {
        return Err(Error::InvalidEntry(format!(
            "the accredited DID {subject} is not on this ledger"
        )));
    }
    if subject == issuer {
        return Err(Error::InvalidEntry(
            "an issuer cannot accredit itself".into(),
        ));
    }
    let id = jws.str_claim("jti")?.to_string();
    if id.is_empty() || id.len() > 128 {
        return Err(Error::InvalidEntry(
            "jti must be 1 to 128 characters".into(),
        ));
    }
    if state.accreditation(&id)?.is_some() {
        return Err(Error::Replay(format!("accreditation {id} already exists")));
    }
    let vcts = vcts(&jws)?;
    let nbf = jws.time_claim("nbf")?.unwrap_or(iat);
    let exp = jws.time_claim("exp")?;
    if exp.is_some_and(|e| e <= nbf) {
        return Err(Error::InvalidEntry("exp must be after nbf".into()));
    }
    let delegate = match jws.payload.get("delegate") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(Error::InvalidEntry("delegate must be true or false".into())),
    };
    let name = match jws.payload.get("name") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 200 => Some(s.clone()),
        Some(_) => return Err(Error::InvalidEntry("name must be a short string".into())),
    };
    // The accreditor must be a root for every type, or accredited to delegate it.
    let root_vcts = state.root(&issuer)?.unwrap_or_default();
    let held = state.accreditations_of(&issuer)?;
    for vct in &vcts {
        let as_root = root_vcts.iter().any(|v| v == vct);
        // A delegation revoked earlier in the log delegates nothing, whatever this
        // entry's `iat` claims (the signer chose it).
        let delegated = held
            .iter()
            .any(|a| a.delegate && a.revoked_at.is_none() && a.covers(vct, iat));
        if !as_root && !delegated {
            return Err(Error::NotAuthorized(format!(
                "{issuer} is neither a root for {vct} nor accredited to delegate it"
            )));
        }
    }
    Ok(Effect::Accreditation(AccreditationRecord {
        index: 0,
        id,
        issuer,
        subject,
        name,
        vcts,
        nbf,
        exp,
        delegate,
        revoked_at: None,
    }))
}

fn revocation(token: &str, state: &mut dyn State, now: i64) -> Result<Effect> {
    let jws = Jws::parse(token, TYP_ACCREDITATION_REVOCATION)?;
    let iat = iat(&jws, now)?;
    signer_key(&jws, state)?;
    let issuer = jws.issuer()?;
    let id = jws.str_claim("jti")?;
    let record = state
        .accreditation(id)?
        .ok_or_else(|| Error::InvalidEntry(format!("no accreditation {id}")))?;
    if record.issuer != issuer {
        return Err(Error::NotAuthorized(format!(
            "only {} may revoke accreditation {id}",
            record.issuer
        )));
    }
    if record.revoked_at.is_some() {
        return Err(Error::Replay(format!(
            "accreditation {id} is already revoked"
        )));
    }
    Ok(Effect::Revocation {
        id: id.to_string(),
        at: iat,
    })
}

fn status_list(token: &str, state: &mut dyn State, now: i64) -> Result<Effect> {
    let (parsed, _) = parse_status_list_token(token)?;
    if parsed.iat > now + MAX_FUTURE_SKEW {
        return Err(Error::InvalidEntry("iat is in the future".into()));
    }
    // Check the signature through the same path as the other signed entries.
    let jws = Jws::parse(token, civitas_credential::status_list::TYP_STATUSLIST_JWT)?;
    signer_key(&jws, state)?;
    if parsed.uri.is_empty() || parsed.uri.len() > 512 {
        return Err(Error::InvalidEntry(
            "sub (the list URI) must be 1 to 512 characters".into(),
        ));
    }
    if let Some((owner, last_iat)) = state.status_list_owner(&parsed.uri)? {
        if owner != parsed.issuer {
            return Err(Error::NotAuthorized(format!(
                "status list {} belongs to {owner}",
                parsed.uri
            )));
        }
        if parsed.iat <= last_iat {
            return Err(Error::Replay(format!(
                "status list {} has a version as new or newer (iat {last_iat})",
                parsed.uri
            )));
        }
    }
    Ok(Effect::StatusList {
        uri: parsed.uri,
        issuer: parsed.issuer,
        iat: parsed.iat,
    })
}

/// An issuance anchor: the issuer's current key vouches, at this position of the log,
/// for up to [`MAX_ISSUANCE_DIGESTS`] credential digests (SHA-256 of the issuer-signed
/// JWT, base64url: 43 characters).
fn issuance(token: &str, state: &mut dyn State, now: i64) -> Result<Effect> {
    let jws = Jws::parse(token, TYP_ISSUANCE)?;
    iat(&jws, now)?;
    signer_key(&jws, state)?;
    let issuer = jws.issuer()?.to_string();
    let list = jws
        .payload
        .get("digests")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::InvalidEntry("digests must be a list of credential digests".into())
        })?;
    if list.is_empty() || list.len() > MAX_ISSUANCE_DIGESTS {
        return Err(Error::InvalidEntry(format!(
            "digests must list 1 to {MAX_ISSUANCE_DIGESTS} credential digests"
        )));
    }
    let mut digests: Vec<String> = Vec::with_capacity(list.len());
    for d in list {
        let d = d
            .as_str()
            .filter(|d| {
                d.len() == 43
                    && d.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            .ok_or_else(|| {
                Error::InvalidEntry(
                    "each digest must be a SHA-256 in base64url (43 characters)".into(),
                )
            })?;
        if !digests.iter().any(|o| o == d) {
            digests.push(d.to_string());
        }
    }
    Ok(Effect::Issuance { issuer, digests })
}
