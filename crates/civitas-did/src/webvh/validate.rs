//! Building a [`LogState`]: the first entry ([`LogState::genesis`]), each next one
//! ([`LogState::append`]), a whole log ([`validate_log`], [`validate_jsonl`]) or one a
//! trusted store already checked ([`replay_verified_log`]). Every entry goes through
//! [`check_entry`](super::check::check_entry).

use super::check::{CheckedEntry, check_entry};
use super::log::LogState;
use super::{LogError, Result};

impl LogState {
    /// The state of a log whose first entry passed its checks.
    fn started(first: CheckedEntry, unverified: bool) -> LogState {
        LogState {
            scid: first.scid,
            versions: vec![first.version],
            active: first.active,
            rs_params: first.rs_params,
            unverified,
        }
    }

    /// Adds an entry that passed its checks against this state.
    fn extend(&mut self, next: CheckedEntry) {
        self.versions.push(next.version);
        self.active = next.active;
        self.rs_params = next.rs_params;
    }

    /// Verifies the first entry of a log (version 1, which carries the SCID) as of
    /// `now` (Unix seconds).
    pub fn genesis(line: &str, now: i64) -> Result<LogState> {
        Ok(LogState::started(
            check_entry(None, line, now, true)?,
            false,
        ))
    }

    /// Verifies the next entry against this state as of `now` (Unix seconds) and, if
    /// it passes, adds it. On error the state is unchanged.
    pub fn append(&mut self, line: &str, now: i64) -> Result<()> {
        if self.unverified {
            return Err(LogError::Rejected {
                version: self.version_number() + 1,
                reason: "this state was replayed without re-checking signatures; validate the whole log before extending it".into(),
            });
        }
        let next = check_entry(Some(self), line, now, true)?;
        self.extend(next);
        Ok(())
    }

    /// Like [`LogState::append`], on a copy: the state after `line`.
    pub fn appended(&self, line: &str, now: i64) -> Result<LogState> {
        let mut next = self.clone();
        next.append(line, now)?;
        Ok(next)
    }
}

/// Replays a log that a trusted store already validated entry by entry (the embedded
/// ledger, which checks every entry before writing it, or a replica that re-checked
/// every entry when it synced): structure, chain, SCID, parameters and authorization
/// are checked again, but not the proof signatures or didwebvh-rs's second opinion,
/// which are most of the cost. The state can be resolved, not appended to.
pub fn replay_verified_log<I, L>(lines: I, now: i64) -> Result<LogState>
where
    I: IntoIterator<Item = L>,
    L: AsRef<str>,
{
    let mut lines = lines.into_iter();
    let first = lines.next().ok_or(LogError::EmptyLog)?;
    let mut state = LogState::started(check_entry(None, first.as_ref(), now, false)?, true);
    for line in lines {
        let next = check_entry(Some(&state), line.as_ref(), now, false)?;
        state.extend(next);
    }
    Ok(state)
}

/// Validates a whole log, replaying it from its first entry, as of `now` (Unix
/// seconds: no `versionTime` may be later). Each item is one entry (a JSON line).
pub fn validate_log<I, L>(lines: I, now: i64) -> Result<LogState>
where
    I: IntoIterator<Item = L>,
    L: AsRef<str>,
{
    let mut lines = lines.into_iter();
    let first = lines.next().ok_or(LogError::EmptyLog)?;
    let mut state = LogState::genesis(first.as_ref(), now)?;
    for line in lines {
        state.append(line.as_ref(), now)?;
    }
    Ok(state)
}

/// Validates a `did.jsonl` file's text (entries separated by `\n`; a final newline is
/// allowed, blank lines elsewhere are malformed entries).
pub fn validate_jsonl(text: &str, now: i64) -> Result<LogState> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Err(LogError::EmptyLog);
    }
    validate_log(text.split('\n'), now)
}
