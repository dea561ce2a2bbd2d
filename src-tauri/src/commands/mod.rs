//! The commands, one module per domain. Each command takes the [`State`], calls one
//! civitas-wallet function (on a blocking thread), and returns its result or an
//! [`Error`](crate::Error) that reaches the front end as `{code, message}`.
//!
//! [`State`]: tauri::State

pub(crate) mod credentials;
pub(crate) mod history;
pub(crate) mod offer;
pub(crate) mod onboarding;
pub(crate) mod present;
pub(crate) mod security;
pub(crate) mod settings;

/// The command names, as granted in `capabilities/main.json` (the same list build.rs
/// puts in the app manifest).
pub const NAMES: &[&str] = &include!("names.in");
