//! `civitas wallet …`: the citizen's wallet on the command line, thin over
//! `civitas-wallet` — everything the app does, scriptable.
//!
//! There is no session between commands: each command opens the wallet (taking its
//! lock), unlocks it with the passphrase for its own duration, and locks it when it
//! exits. `unlock` therefore only checks the passphrase and the vault's integrity, and
//! `lock` only checks that no other process (the app) holds the wallet open.
//!
//! Secrets come from a prompt (no echo) or, for scripts, from a file
//! (`--passphrase-file`, `--new-passphrase-file`, `--recovery-file`: not visible in
//! `/proc/PID/environ`) or the environment: `CIVITAS_PASSPHRASE` (the passphrase),
//! `CIVITAS_NEW_PASSPHRASE` (a new one for `init`, `restore`, `passwd`; `init` and
//! `restore` fall back to the passphrase), `CIVITAS_RECOVERY` (the 24 recovery words).
//!
//! Layout: `args` (the subcommands and their flags), `open` (where the wallet is,
//! opening it), `secrets` (passphrases, recovery words, consent questions), `render`
//! (how answers read), one file per larger subcommand (`init` with `restore`,
//! `credentials`, `present`, `history`, `deferred` with `pending`, `fetch`, `delete`); the small ones are dispatched here.

mod args;
mod credentials;
mod deferred;
mod history;
mod init;
mod open;
mod present;
mod receive_offer;
mod render;
mod secrets;

pub(crate) use args::Command;

use crate::error::{CliError, Result};
use crate::util::{claim_paths, out};
use secrets::{confirm, new_passphrase, passphrase, recovery};
use std::process::ExitCode;

/// Runs `civitas wallet …`.
pub(crate) fn exec(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Init {
            args,
            kdf,
            recovery_out,
            recovery_qr,
            idle_timeout,
        } => init::init(&args, &kdf, recovery_out, recovery_qr, idle_timeout),
        Command::Unlock { args } => {
            let (wallet, _, report) = args.open()?;
            if !report.is_intact() {
                return Err(CliError::Failed(format!(
                    "the wallet opened, but its history was tampered with: {}",
                    report.summary()
                )));
            }
            out(&format!(
                "Passphrase correct; vault intact ({} history entries, {}). The wallet is locked again: every command unlocks it for its own duration.",
                report.history_entries,
                wallet.kdf()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { args, json } => credentials::status(&args, json),
        Command::Receive {
            args,
            input,
            root,
            pin_file,
            login,
        } => match input.as_deref().and_then(|p| p.to_str()) {
            _ if login.issuer.is_some() => receive_offer::receive_from_issuer(&args, &login, root),
            Some(url) if receive_offer::is_offer(url) => {
                receive_offer::receive_offer(&args, url, pin_file.as_deref(), root, &login)
            }
            _ => credentials::receive(&args, input.as_deref(), root),
        },
        Command::List { args, json } => credentials::list(&args, json),
        Command::Show {
            args,
            id,
            locale,
            json,
        } => credentials::show(&args, &id, &locale, json),
        Command::Pending { args, json } => deferred::pending(&args, json),
        Command::Fetch {
            args,
            all,
            root,
            json,
        } => deferred::fetch(&args, all, root, json),
        Command::Delete { args, id } => deferred::delete(&args, &id),
        Command::Present {
            args,
            request: request_url,
            nonce,
            aud,
            vct,
            require,
            optional,
            drop,
            credential,
            yes,
            civ1,
            output,
            qr_png,
        } => {
            let request = present::request_from_flags(
                request_url.as_deref(),
                nonce.as_deref(),
                aud.as_deref(),
                vct.as_deref(),
                &require,
                &optional,
            )?;
            let choice = present::PresentChoice {
                dropped: claim_paths(&drop)?,
                credential,
                yes,
                civ1,
                output,
                qr_png,
            };
            present::present(&args, &request, &choice)
        }
        Command::History {
            args,
            json,
            attach,
            receipt,
        } => history::history(&args, json, attach, receipt.as_deref()),
        Command::Backup {
            args,
            output,
            force,
        } => {
            if output.exists() && !force {
                return Err(CliError::Usage(format!(
                    "{} exists; use --force to replace it",
                    output.display()
                )));
            }
            let (mut wallet, now, _) = args.open()?;
            let info = wallet.backup(&output, now)?;
            out(&format!(
                "Backup written to {} ({} credentials, {} history entries, {} bytes), encrypted under your recovery words. It holds no private key.",
                output.display(),
                info.credentials,
                info.history_entries,
                info.bytes
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore {
            args,
            kdf,
            from,
            recovery: words,
        } => init::restore(&args, &kdf, &from, &words),
        Command::Rotate { args, words, .. } => {
            let (mut wallet, now, _) = args.open()?;
            let secret = recovery(&words)?;
            let rotation = wallet.rotate(&secret, now)?;
            out(&format!(
                "Rotated {} (version {}).\nIt now authorizes only this device's key ({}); presentations made with any other device's key are refused.",
                rotation.did, rotation.version, rotation.holder_key
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Deactivate {
            args,
            yes,
            recovery: words,
        } => {
            let (mut wallet, now, _) = args.open()?;
            let did = wallet.did(now)?;
            if !yes && !confirm(&format!("Deactivate {did} for good? [y/N] "))? {
                return Err(CliError::Failed("not deactivated".into()));
            }
            let secret = recovery(&words)?;
            let version = wallet.deactivate(&secret, now)?;
            out(&format!(
                "Deactivated {did} (version {version}). No credential bound to it will verify again."
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Passwd {
            args,
            new_passphrase_file,
        } => {
            let (mut wallet, now, _) = args.open()?;
            let current = passphrase(
                args.passphrase_file.as_deref(),
                "CIVITAS_PASSPHRASE",
                "Current passphrase: ",
            )?;
            let new = new_passphrase(new_passphrase_file.as_deref(), None, None)?;
            wallet.change_passphrase(&current, &new, None, now)?;
            out("Passphrase changed.")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Lock { args } => {
            let dir = args.dir();
            if civitas_wallet::is_open_elsewhere(&dir)? {
                return Err(CliError::Failed(format!(
                    "the wallet at {} is open in another process (the app?); close it to lock it",
                    dir.display()
                )));
            }
            out("The wallet is locked: no process holds it open.")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
