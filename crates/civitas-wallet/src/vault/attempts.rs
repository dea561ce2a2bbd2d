//! The wrong-passphrase counter (`unlock-attempts`) and the delays it imposes:
//! [`FREE_ATTEMPTS`] free, then [`backoff`] doubling from [`FIRST_DELAY`] up to
//! [`MAX_DELAY`].
//!
//! The counter lives outside the vault file (a wrong passphrase cannot write a sealed
//! record), so it cannot be authenticated; instead every initialised wallet always has
//! one (written when the vault is made, reset to zero rather than removed after a
//! right passphrase). A counter that is missing or unreadable was deleted or edited:
//! it counts as [`LOCKOUT_FAILURES`], the longest delay, from the moment that is
//! noticed — deleting it never buys a free guess. Its numbers are read with checked
//! arithmetic: an edited file with huge values neither overflows nor shortens the wait.

use super::files::ATTEMPTS_FILE;
use crate::Result;
use std::fs;
use std::path::Path;

/// Wrong passphrases allowed in a row before the delays start.
pub const FREE_ATTEMPTS: u32 = 3;
/// The first delay, seconds; it doubles with each further failure.
pub const FIRST_DELAY: i64 = 30;
/// The longest delay, seconds.
pub const MAX_DELAY: i64 = 3600;
/// What a missing or unreadable counter counts as: enough failures for [`MAX_DELAY`].
pub const LOCKOUT_FAILURES: u32 = FREE_ATTEMPTS + 7;

/// The delay owed after `failures` wrong passphrases in a row.
pub fn backoff(failures: u32) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(20);
    FIRST_DELAY
        .checked_shl(doublings)
        .unwrap_or(MAX_DELAY)
        .min(MAX_DELAY)
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
/// Wrong passphrases in a row and the time of the last one.
pub(crate) struct Attempts {
    pub(crate) failures: u32,
    pub(crate) last: i64,
}

impl Attempts {
    /// The counter in `dir`. A missing or unreadable one (deleted or edited) is
    /// replaced by the lockout counter as of `now` ([`LOCKOUT_FAILURES`]), written
    /// back so that the wait runs from now.
    pub(crate) fn load(dir: &Path, now: i64) -> Result<Attempts> {
        let path = dir.join(ATTEMPTS_FILE);
        let read = fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Attempts>(&bytes).ok());
        match read {
            Some(a) => Ok(a),
            None => {
                let lockout = Attempts {
                    failures: LOCKOUT_FAILURES,
                    last: now,
                };
                lockout.save(dir)?;
                Ok(lockout)
            }
        }
    }

    /// Seconds still to wait at `now`: the delay owed, counted from the last failure.
    /// A clock set back (or a `last` in the future) does not shorten it; nothing
    /// overflows whatever the file says.
    pub(crate) fn wait(&self, now: i64) -> i64 {
        let owed = backoff(self.failures);
        let elapsed = now.saturating_sub(self.last).max(0);
        owed.saturating_sub(elapsed).clamp(0, owed)
    }

    /// Writes the counter to `dir` (atomically, 0600).
    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(ATTEMPTS_FILE);
        let text = serde_json::to_vec(self).unwrap_or_default();
        civitas_crypto::write_atomic(&path, &text, 0o600, true)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_lockout_is_the_longest_delay() {
        assert_eq!(backoff(LOCKOUT_FAILURES), MAX_DELAY);
        assert!(backoff(LOCKOUT_FAILURES - 1) < MAX_DELAY);
        assert_eq!(backoff(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn huge_numbers_neither_overflow_nor_shorten_the_wait() {
        let a = Attempts {
            failures: u32::MAX,
            last: i64::MAX,
        };
        assert_eq!(a.wait(0), MAX_DELAY);
        assert_eq!(a.wait(i64::MIN), MAX_DELAY);
        assert_eq!(a.wait(i64::MAX), MAX_DELAY);
        let a = Attempts {
            failures: u32::MAX,
            last: i64::MIN,
        };
        assert_eq!(a.wait(i64::MIN), MAX_DELAY);
        assert_eq!(a.wait(i64::MAX), 0);
        let a = Attempts {
            failures: 4,
            last: 100,
        };
        assert_eq!(a.wait(110), 50);
        assert_eq!(a.wait(50), 60);
        assert_eq!(a.wait(1000), 0);
    }
}
