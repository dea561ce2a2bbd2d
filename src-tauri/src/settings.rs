//! The app's own settings (ledger, language, theme, text size, the root authorities
//! the citizen trusts), in a small JSON file beside the wallet's. The wallet's idle
//! lock lives in the vault itself (`set_auto_lock`).

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
    /// The root authorities (DIDs) whose accreditations the app trusts: a credential
    /// offered over OpenID4VCI is kept only when a chain of accreditations on the
    /// ledger leads from its issuer to one of them. Empty: no issuer is trusted (the
    /// offer screen says so), never "every issuer".
    pub trusted_roots: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ledger: LedgerChoice::Embedded { path: None },
            locale: "en-US".into(),
            theme: "system".into(),
            text_size: 1.0,
            trusted_roots: Vec::new(),
        }
    }
}

/// At most this many trusted roots (a city has one or two).
pub(crate) const MAX_ROOTS: usize = 32;

/// The languages the front end has.
pub(crate) const LOCALES: [&str; 2] = ["en-US", "zh-TW"];
/// The themes the front end has.
pub(crate) const THEMES: [&str; 4] = ["system", "light", "dark", "contrast"];

impl Settings {
    /// Reads the file; defaults if it is unreadable (a broken settings file must not
    /// keep the citizen out of the wallet), and for a profile that has no settings
    /// file yet, with `initial_roots` as its trusted roots (`$CIVITAS_TRUSTED_ROOTS`: a
    /// city's deployment presets its root; the citizen changes it in Settings from
    /// then on).
    pub(crate) fn load_or(path: &Path, initial_roots: &[String]) -> Settings {
        if !path.exists() {
            let mut s = Settings {
                trusted_roots: initial_roots.to_vec(),
                ..Settings::default()
            };
            if s.check().is_err() {
                s.trusted_roots.clear();
            }
            return s;
        }
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
        if self.trusted_roots.len() > MAX_ROOTS {
            return Err(Error::InvalidSetting(format!(
                "at most {MAX_ROOTS} trusted authorities"
            )));
        }
        for (i, root) in self.trusted_roots.iter().enumerate() {
            if civitas_did::validate_did(root).is_err() {
                return Err(Error::InvalidSetting(format!(
                    "trusted authority {} is not a DID (did:method:identifier)",
                    i.saturating_add(1)
                )));
            }
            if self.trusted_roots[..i].contains(root) {
                return Err(Error::InvalidSetting(format!(
                    "trusted authority {} is listed twice",
                    i.saturating_add(1)
                )));
            }
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
        assert_eq!(Settings::load_or(&path, &[]), Settings::default());
        let s = Settings {
            ledger: LedgerChoice::Node {
                url: "http://127.0.0.1:8080".into(),
            },
            locale: "zh-TW".into(),
            theme: "dark".into(),
            text_size: 1.25,
            trusted_roots: vec!["did:webvh:QmRoot:ledger.example:root".into()],
        };
        s.save(&path).unwrap();
        assert_eq!(Settings::load_or(&path, &[]), s);
        // The initial roots count for a fresh profile only.
        assert_eq!(
            Settings::load_or(&path, &["did:jwk:other".into()]).trusted_roots,
            s.trusted_roots
        );
        let mut bad = s.clone();
        bad.locale = "xx".into();
        assert!(bad.check().is_err());
        let mut bad = s;
        bad.ledger = LedgerChoice::Node {
            url: "file:///etc".into(),
        };
        assert!(bad.check().is_err());
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(Settings::load_or(&path, &[]), Settings::default());
    }

    #[test]
    fn trusted_roots_are_dids_listed_once() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("none.json");
        let roots = vec!["did:webvh:QmRoot:ledger.example:root".to_string()];
        assert_eq!(Settings::load_or(&fresh, &roots).trusted_roots, roots);
        // A bad initial value is dropped, not trusted.
        assert!(
            Settings::load_or(&fresh, &["not a did".into()])
                .trusted_roots
                .is_empty()
        );
        // A settings file from before the setting existed still loads.
        let old = dir.path().join("old.json");
        std::fs::write(
            &old,
            br#"{"ledger":{"kind":"embedded"},"locale":"en-US","theme":"system","text_size":1.0}"#,
        )
        .unwrap();
        assert!(Settings::load_or(&old, &roots).trusted_roots.is_empty());
        for bad in [
            vec!["https://root.example".to_string()],
            vec!["did:".to_string()],
            vec!["did:webvh:a b".to_string()],
            vec!["did:jwk:x".to_string(), "did:jwk:x".to_string()],
            vec!["did:jwk:x".to_string(); MAX_ROOTS + 1],
        ] {
            let s = Settings {
                trusted_roots: bad.clone(),
                ..Settings::default()
            };
            let e = s.check().unwrap_err();
            assert_eq!(e.code(), "invalid_setting", "{bad:?}");
        }
    }
}
