//! The app's own settings (ledger, language, theme), in a small JSON file beside the
//! wallet's. The wallet's idle lock lives in the vault itself (`set_auto_lock`).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Which ledger the wallet anchors its DID on and reads issuers from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum LedgerChoice {
    /// An embedded ledger file (nothing to run).
    Embedded {
        /// The file; `None`: the default one (shared with the `civitas` CLI).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(test, ts(as = "Option<String>"))]
        path: Option<PathBuf>,
    },
    /// A ledger node over HTTP (`civitas ledger serve`).
    Node {
        /// Its base URL.
        url: String,
    },
}

/// Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Settings {
    /// The ledger.
    pub ledger: LedgerChoice,
    /// `en-US` or `zh-TW`.
    pub locale: String,
    /// `system`, `light`, `dark` or `contrast`.
    pub theme: String,
    /// Text size factor: 1.0, 1.25 or 1.5.
    pub text_size: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ledger: LedgerChoice::Embedded { path: None },
            locale: "en-US".into(),
            theme: "system".into(),
            text_size: 1.0,
        }
    }
}

/// The languages the front end has.
pub(crate) const LOCALES: [&str; 2] = ["en-US", "zh-TW"];
/// The themes the front end has.
pub(crate) const THEMES: [&str; 4] = ["system", "light", "dark", "contrast"];

impl Settings {
    /// Reads the file; defaults if it is missing or unreadable (a broken settings
    /// file must not keep the citizen out of the wallet).
    pub(crate) fn load(path: &Path) -> Settings {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Settings>(&b).ok())
            .filter(|s| s.check().is_ok())
            .unwrap_or_default()
    }

    /// Checks every value.
    pub(crate) fn check(&self) -> Result<()> {
        if !LOCALES.contains(&self.locale.as_str()) {
            return Err(Error::InvalidSetting(format!(
                "unknown language {}",
                self.locale
            )));
        }
        if !THEMES.contains(&self.theme.as_str()) {
            return Err(Error::InvalidSetting(format!(
                "unknown theme {}",
                self.theme
            )));
        }
        if !(0.75..=2.0).contains(&self.text_size) {
            return Err(Error::InvalidSetting("text size out of range".into()));
        }
        if let LedgerChoice::Node { url } = &self.ledger
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(Error::InvalidSetting(format!(
                "{url} is not a ledger node address (http:// or https://)"
            )));
        }
        Ok(())
    }

    /// Writes the file atomically.
    pub(crate) fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let text = serde_json::to_vec_pretty(self).map_err(|e| Error::io(path, e))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn settings_round_trip_and_refuse_bad_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.json");
        assert_eq!(Settings::load(&path), Settings::default());
        let s = Settings {
            ledger: LedgerChoice::Node {
                url: "http://127.0.0.1:8080".into(),
            },
            locale: "zh-TW".into(),
            theme: "dark".into(),
            text_size: 1.25,
        };
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path), s);
        let mut bad = s.clone();
        bad.locale = "xx".into();
        assert!(bad.check().is_err());
        let mut bad = s;
        bad.ledger = LedgerChoice::Node {
            url: "file:///etc".into(),
        };
        assert!(bad.check().is_err());
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
    }
}
