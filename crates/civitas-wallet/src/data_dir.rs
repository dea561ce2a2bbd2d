//! Where Civitas keeps its files by default: one answer for the app and the CLI.

use std::path::PathBuf;

/// `$XDG_DATA_HOME/civitas`, or `~/.local/share/civitas`, or `./civitas`. An empty
/// `XDG_DATA_HOME` counts as unset (XDG Base Directory: "If $XDG_DATA_HOME is either
/// not set or empty, a default … should be used"). The default wallet is `wallet` in
/// it, the default embedded ledger `ledger.db`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("civitas")
}
