//! Where an entry may stand in the log: not a replay, not after a deactivation, the
//! next version number, and a `versionTime` after the previous entry's and not after
//! `now`.

use super::super::LogError;
use super::super::Result;
use super::super::did::short;
use super::super::hash::{format_time, parse_time, to_datetime};
use super::super::log::LogState;
use super::entry::ParsedEntry;
use chrono::{DateTime, Utc};

/// An entry already in the log is a replay.
pub(super) fn check_not_replayed(prev: Option<&LogState>, entry: &ParsedEntry<'_>) -> Result<()> {
    if let Some(prev) = prev
        && prev
            .versions
            .iter()
            .any(|v| v.version_id == entry.version_id)
    {
        return Err(LogError::Replay {
            version_id: entry.version_id.to_string(),
        });
    }
    Ok(())
}

/// No entry may follow a deactivation.
pub(super) fn check_not_deactivated(prev: Option<&LogState>) -> Result<()> {
    if let Some(prev) = prev
        && prev.active.deactivated
    {
        let deactivated_at = prev
            .versions
            .iter()
            .find(|v| v.deactivated)
            .map_or(prev.version_number(), |v| v.number);
        return Err(LogError::AfterDeactivation { deactivated_at });
    }
    Ok(())
}

/// The entry's number is the next one: 1 for the first entry, no gap, no repeat.
pub(super) fn check_version_number(prev: Option<&LogState>, entry: &ParsedEntry<'_>) -> Result<()> {
    let expected = prev.map_or(1, |p| p.version_number() + 1);
    if entry.number != expected {
        return Err(LogError::WrongVersionNumber {
            expected,
            found: entry.number,
        });
    }
    Ok(())
}

/// The `versionTime`: an ISO 8601 UTC time, strictly after the previous entry's, not
/// after `now`.
pub(super) fn check_time(
    prev: Option<&LogState>,
    entry: &ParsedEntry<'_>,
    now: i64,
) -> Result<DateTime<Utc>> {
    let time = parse_time(entry.time_raw).ok_or_else(|| {
        LogError::Malformed(format!(
            "versionTime {} is not an ISO 8601 UTC time",
            short(entry.time_raw)
        ))
    })?;
    if let Some(prev) = prev
        && time <= prev.last().time
    {
        return Err(LogError::TimeNotIncreasing {
            version: entry.number,
            time: entry.time_raw.to_string(),
            previous: prev.last().time_raw.clone(),
        });
    }
    if time > to_datetime(now)? {
        return Err(LogError::TimeInFuture {
            version: entry.number,
            time: entry.time_raw.to_string(),
            now: format_time(now)?,
        });
    }
    Ok(time)
}
