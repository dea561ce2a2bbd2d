//! The vault's files in the wallet directory: their names, the process lock, the
//! checks made before SQLite opens the vault file, the id file that ties a vault to
//! its directory, and removing them all after a failed init or restore.

use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The vault file.
pub const VAULT_FILE: &str = "vault.db";
/// The file naming the vault that belongs in this directory.
pub const ID_FILE: &str = "wallet.id";

/// Removes a wallet's files from `dir` (the vault, its SQLite side files, the identity
/// file, the wrong-passphrase counter): what a failed `init` or `restore` leaves behind, so that no half wallet stays.
/// Best effort: a file already gone is not an error.
pub(crate) fn remove_files(dir: &Path) {
    for f in [
        ID_FILE,
        VAULT_FILE,
        "vault.db-wal",
        "vault.db-shm",
        ATTEMPTS_FILE,
    ] {
        let _ = std::fs::remove_file(dir.join(f));
    }
}
/// The lock file.
pub const LOCK_FILE: &str = "vault.lock";
/// The wrong-passphrase counter.
pub const ATTEMPTS_FILE: &str = "unlock-attempts";

pub(crate) const ID_PREFIX: &str = "civitas-wallet 1 ";
pub(crate) const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

pub(crate) fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(&path).map_err(|e| io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Busy(dir.display().to_string())),
        Err(std::fs::TryLockError::Error(e)) => Err(io(&path, e)),
    }
}

/// Whether another process holds the wallet at `dir` open.
pub fn is_held(dir: &Path) -> Result<bool> {
    if !dir.join(VAULT_FILE).exists() {
        return Err(Error::NotInitialized(dir.display().to_string()));
    }
    match lock(dir) {
        Ok(_) => Ok(false),
        Err(Error::Busy(_)) => Ok(true),
        Err(e) => Err(e),
    }
}

pub(crate) fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    // Per-connection settings: none of them writes to the file.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    Ok(conn)
}

/// Checks the SQLite file itself before SQLite reads it: a file that is not SQLite is
/// not a vault; one shorter than its header's page count was truncated. (With a
/// non-empty WAL beside it the size check is skipped: a checkpoint cut short by a
/// crash may leave the main file short, and SQLite recovers it from the WAL.)
pub(crate) fn precheck(path: &Path) -> Result<()> {
    let name = path.display().to_string();
    let len = fs::metadata(path).map_err(|e| io(path, e))?.len();
    let mut head = Vec::with_capacity(100);
    File::open(path)
        .map_err(|e| io(path, e))?
        .take(100)
        .read_to_end(&mut head)
        .map_err(|e| io(path, e))?;
    let prefix = head.len().min(16);
    if head[..prefix] != SQLITE_MAGIC[..prefix] {
        return Err(Error::NotAVault(name));
    }
    if head.len() < 100 {
        return Err(Error::Truncated {
            path: name,
            expected: 512,
            found: len,
        });
    }
    let wal = wal_path(path);
    let wal_len = fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    if wal_len > 0 {
        return Ok(());
    }
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([head[28], head[29], head[30], head[31]]));
    let change = &head[24..28];
    let valid_for = &head[92..96];
    if change == valid_for && pages > 0 {
        let expected = pages * page_size;
        if len < expected {
            return Err(Error::Truncated {
                path: name,
                expected,
                found: len,
            });
        }
    }
    if page_size >= 512 && len % page_size != 0 {
        return Err(Error::Truncated {
            path: name,
            expected: len.div_ceil(page_size) * page_size,
            found: len,
        });
    }
    Ok(())
}

pub(crate) fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

pub(crate) fn shm_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-shm");
    PathBuf::from(p)
}

pub(crate) fn read_id_file(dir: &Path) -> Result<[u8; 16]> {
    let path = dir.join(ID_FILE);
    let text = fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Corrupted(format!(
            "{} is missing: this directory does not say which vault belongs in it",
            path.display()
        )),
        _ => io(&path, e),
    })?;
    let hex_id = text
        .trim()
        .strip_prefix(ID_PREFIX)
        .ok_or_else(|| Error::Corrupted(format!("{} is unreadable", path.display())))?;
    let mut id = [0u8; 16];
    if hex_id.len() != 32 {
        return Err(Error::Corrupted(format!(
            "{} is unreadable",
            path.display()
        )));
    }
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex_id[2 * i..2 * i + 2], 16)
            .map_err(|_| Error::Corrupted(format!("{} is unreadable", path.display())))?;
    }
    Ok(id)
}
