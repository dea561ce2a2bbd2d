//! The front end's TypeScript types, generated from the Rust types the commands take
//! and return (ts-rs, honouring their serde attributes), checked in under
//! `ui/src/bindings/`, one `.ts` file per type.
//!
//! The test below regenerates them into a temporary directory and fails when the
//! checked-in files differ, so a renamed or retyped field fails the build. After
//! changing such a type, regenerate them with
//!
//! ```text
//! CIVITAS_WRITE_BINDINGS=1 cargo test -p civitas-app bindings
//! ```
//!
//! Integers are `number` (the commands' JSON carries them as numbers).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::commands::{credentials, history, onboarding, present};
use crate::settings::Settings;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::{Config, TS};

/// Where the checked-in bindings live.
fn checked_in() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings")
}

/// Writes every command's argument and result types (and what they embed) to `dir`.
fn export(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    onboarding::AppStatus::export_all(&cfg).unwrap();
    onboarding::Created::export_all(&cfg).unwrap();
    onboarding::RecoveryKit::export_all(&cfg).unwrap();
    onboarding::WordCheck::export_all(&cfg).unwrap();
    civitas_wallet::RestoreReport::export_all(&cfg).unwrap();
    civitas_wallet::IntegrityReport::export_all(&cfg).unwrap();
    civitas_wallet::Status::export_all(&cfg).unwrap();
    credentials::HolderKey::export_all(&cfg).unwrap();
    civitas_wallet::CredentialSummary::export_all(&cfg).unwrap();
    civitas_wallet::CredentialDetails::export_all(&cfg).unwrap();
    civitas_wallet::Received::export_all(&cfg).unwrap();
    civitas_wallet::openid4vci::OfferPreview::export_all(&cfg).unwrap();
    civitas_wallet::openid4vci::Accepted::export_all(&cfg).unwrap();
    civitas_wallet::openid4vci::FetchOutcome::export_all(&cfg).unwrap();
    present::ConsentView::export_all(&cfg).unwrap();
    present::Proof::export_all(&cfg).unwrap();
    present::Sent::export_all(&cfg).unwrap();
    history::HistoryView::export_all(&cfg).unwrap();
    civitas_wallet::Rotation::export_all(&cfg).unwrap();
    civitas_wallet::BackupInfo::export_all(&cfg).unwrap();
    Settings::export_all(&cfg).unwrap();
}

/// The `.ts` files under `dir`, by name.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ts"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn bindings_match_the_rust_types() {
    let fresh = tempfile::tempdir().unwrap();
    export(fresh.path());
    let generated = files(fresh.path());
    let target = checked_in();
    if std::env::var_os("CIVITAS_WRITE_BINDINGS").is_some() {
        std::fs::create_dir_all(&target).unwrap();
        for stale in files(&target).keys() {
            std::fs::remove_file(target.join(stale)).unwrap();
        }
        for (name, text) in &generated {
            std::fs::write(target.join(name), text).unwrap();
        }
        return;
    }
    let current = files(&target);
    assert_eq!(
        current.keys().collect::<Vec<_>>(),
        generated.keys().collect::<Vec<_>>(),
        "ui/src/bindings/ is out of date: run CIVITAS_WRITE_BINDINGS=1 cargo test -p civitas-app bindings"
    );
    for (name, text) in &generated {
        assert_eq!(
            &current[name], text,
            "ui/src/bindings/{name} is out of date: run CIVITAS_WRITE_BINDINGS=1 cargo test -p civitas-app bindings"
        );
    }
}
