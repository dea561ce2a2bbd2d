//! Key files, and the atomic write that every Civitas file write goes through.

use crate::{Error, Jwk, Result, SigningKey};
use std::fs;
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, created
/// with `mode`, written, fsynced, renamed over the target, and the directory fsynced. A
/// crash leaves either the old file or the new one, never a mix. With `overwrite`
/// false an existing target is an error.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32, overwrite: bool) -> Result<()> {
    if !overwrite && path.exists() {
        return Err(Error::KeyFileExists(path.display().to_string()));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let mut suffix = [0u8; 8];
    crate::Rng::fill(&crate::SystemRng, &mut suffix)?;
    let tmp = dir.join(format!(".{name}.{}.tmp", crate::b64::encode(suffix)));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options.open(&tmp).map_err(|e| io_err(&tmp, e))?;
        file.write_all(bytes).map_err(|e| io_err(&tmp, e))?;
        file.sync_all().map_err(|e| io_err(&tmp, e))?;
        drop(file);
        fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
        #[cfg(unix)]
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

impl SigningKey {
    /// Saves the private JWK to `path` (mode 0600, atomically). Refuses to overwrite an
    /// existing file: a key file is never destroyed by accident.
    pub fn save(&self, path: &Path) -> Result<()> {
        let jwk = self.to_private_jwk();
        let mut text = Zeroizing::new(
            serde_json::to_string_pretty(&jwk).map_err(|e| Error::InvalidJwk(e.to_string()))?,
        );
        text.push('\n');
        write_atomic(path, text.as_bytes(), 0o600, false)
    }

    /// Loads a private JWK file. The file must not be readable by group or others.
    pub fn load(path: &Path) -> Result<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = fs::metadata(path).map_err(|e| io_err(path, e))?;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::KeyFilePermissions {
                    path: path.display().to_string(),
                    mode,
                });
            }
        }
        let jwk = read_jwk(path)?;
        if !jwk.is_private() {
            return Err(Error::NotAPrivateKey(path.display().to_string()));
        }
        SigningKey::from_jwk(&jwk).map_err(|e| match e {
            Error::InvalidJwk(why) => Error::InvalidJwk(format!("{}: {why}", path.display())),
            other => other,
        })
    }
}

/// Reads a JWK file (public or private) without the permission check.
pub fn read_jwk(path: &Path) -> Result<Jwk> {
    let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| io_err(path, e))?);
    // serde_json's error names only the position, never the content.
    Jwk::from_json(&text).map_err(|e| match e {
        Error::InvalidJwk(why) => Error::InvalidJwk(format!("{}: {why}", path.display())),
        other => other,
    })
}
