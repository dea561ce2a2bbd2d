//! The platform data directory every default path lives in.

use std::path::PathBuf;

/// `$XDG_DATA_HOME/civitas`, or `~/.local/share/civitas`, or `./civitas`. An empty
/// `XDG_DATA_HOME` counts as unset (XDG Base Directory: "If $XDG_DATA_HOME is either not set
/// or empty, a default … should be used").
pub(crate) fn data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("civitas")
}
