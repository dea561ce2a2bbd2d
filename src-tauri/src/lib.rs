#![doc = include_str!("../README.md")]

#[cfg(test)]
mod bindings;
mod commands;
mod demo;
mod error;
mod qr_image;
mod settings;
mod state;

pub use commands::NAMES as COMMANDS;
pub use error::{Error, Result};
pub use settings::{LedgerChoice, Settings};
pub use state::AppState;

use tauri::{Emitter, Manager};

/// How often the idle lock is checked, seconds.
const IDLE_CHECK: u64 = 5;

/// With `CIVITAS_APP_STARTUP_PROBE` set, the app exits as soon as the front end asks
/// for its state (the last step before it draws the first screen): `scripts/measure-app`
/// times process start to that point, against a Tauri hello-world doing the same.
pub(crate) fn startup_probe() {
    if std::env::var_os("CIVITAS_APP_STARTUP_PROBE").is_some() {
        std::process::exit(0);
    }
}

/// Starts the app: the state (wallet opened locked, if there is one), the idle-lock
/// watcher, the commands, the window.
pub fn run() {
    let app = tauri::Builder::default()
        .setup(|app| {
            let state = AppState::load(state::Paths::from_env());
            app.manage(state.clone());
            let seed = state.clone();
            std::thread::Builder::new()
                .name("demo-issuer".into())
                .spawn(move || {
                    // After the first screen: not competing with the start for the CPU.
                    std::thread::sleep(std::time::Duration::from_secs(2));
                    if let Err(e) = seed.seed_demo_issuer() {
                        eprintln!("civitas-app: the demo issuer could not be set up: {e}");
                    }
                })?;
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("idle-lock".into())
                .spawn(move || idle_lock(&state, &handle))?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::onboarding::app_state,
            commands::onboarding::create_wallet,
            commands::onboarding::recovery_kit,
            commands::onboarding::confirm_recovery,
            commands::onboarding::restore_wallet,
            commands::onboarding::unlock,
            commands::credentials::identity,
            commands::credentials::holder_key,
            commands::credentials::list_credentials,
            commands::credentials::credential_details,
            commands::credentials::receive_credential,
            commands::credentials::receive_qr_image,
            commands::credentials::delete_credential,
            commands::credentials::demo_credentials,
            commands::offer::preview_offer,
            commands::offer::preview_offer_image,
            commands::offer::accept_offer,
            commands::offer::pending_credentials,
            commands::offer::fetch_pending,
            commands::present::open_request,
            commands::present::open_request_image,
            commands::present::present,
            commands::present::send_online,
            commands::history::history,
            commands::history::verify_history,
            commands::history::attach_receipt,
            commands::security::lock,
            commands::security::set_auto_lock,
            commands::security::change_passphrase,
            commands::security::rotate_keys,
            commands::security::backup,
            commands::security::deactivate,
            commands::settings::get_settings,
            commands::settings::set_settings,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("civitas-app: {e}");
        std::process::exit(1);
    }
}

/// Locks an unlocked wallet as soon as it has been idle past its timeout (the wallet
/// would refuse the next call anyway; this also wipes the key from memory on time)
/// and tells the window.
fn idle_lock(state: &AppState, handle: &tauri::AppHandle) {
    let mut was_unlocked = false;
    loop {
        std::thread::sleep(std::time::Duration::from_secs(IDLE_CHECK));
        let mut inner = state.lock();
        let Some(wallet) = inner.wallet.as_mut() else {
            was_unlocked = false;
            continue;
        };
        let locked = wallet.is_locked(state::now());
        if locked && was_unlocked {
            wallet.lock();
            inner.forget_session();
            drop(inner);
            let _ = handle.emit("locked", "idle");
        }
        was_unlocked = !locked;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    /// Every command is granted in the capability, and nothing else of ours is.
    #[test]
    fn the_capability_grants_exactly_the_commands() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let granted: Vec<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        let mut want: Vec<String> = super::COMMANDS.iter().map(|s| s.to_string()).collect();
        let mut got = granted.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want);
        let lib = include_str!("lib.rs");
        for name in super::COMMANDS {
            assert!(
                lib.contains(&format!("::{name},")),
                "{name} is not in the invoke handler"
            );
        }
        // Least privilege: no plugin, and of the core only events.
        for p in cap["permissions"].as_array().unwrap() {
            let p = p.as_str().unwrap();
            assert!(
                p.starts_with("allow-") || p.starts_with("core:event:allow-"),
                "{p}"
            );
        }
    }

    /// The CSP is strict: no inline script, no remote origin, no eval.
    #[test]
    fn the_csp_is_strict() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let csp = &conf["app"]["security"]["csp"];
        assert_eq!(csp["default-src"], "'none'");
        assert_eq!(csp["script-src"], "'self'");
        let all = csp.to_string().replace("http://ipc.localhost", "");
        for bad in ["unsafe-inline", "unsafe-eval", "http:", "https:", "*"] {
            assert!(!all.contains(bad), "{bad} in {all}");
        }
    }
}
