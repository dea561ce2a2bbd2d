//! The wrong-passphrase counter (`unlock-attempts`) and the delays it imposes:
//! [`FREE_ATTEMPTS`] free, then [`backoff`] doubling from [`FIRST_DELAY`] up to
//! [`MAX_DELAY`].

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

/// The delay owed after `failures` wrong passphrases in a row.
pub fn backoff(failures: u32) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(20);
    (FIRST_DELAY << doublings).min(MAX_DELAY)
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
/// Wrong passphrases in a row and the time of the last one.
pub(crate) struct Attempts {
    pub(crate) failures: u32,
    pub(crate) last: i64,
}

impl Attempts {
    /// The counter in `dir`.
    pub(crate) fn load(dir: &Path) -> Attempts {
        let path = dir.join(ATTEMPTS_FILE);
        match fs::read(&path) {
            Err(_) => Attempts::default(),
            // An unreadable counter (a crash while writing it, or an edit) counts as
            // the free attempts used up: the delays apply.
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Attempts {
                failures: FREE_ATTEMPTS,
                last: 0,
            }),
        }
    }

    /// Writes the counter to `dir` (atomically, 0600).
    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(ATTEMPTS_FILE);
        let text = serde_json::to_vec(self).unwrap_or_default();
        civitas_crypto::write_atomic(&path, &text, 0o600, true)?;
        Ok(())
    }
}
