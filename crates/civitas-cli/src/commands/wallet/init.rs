//! `civitas wallet init` and `restore`: a new wallet on this device, from nothing or
//! from a backup.

use super::args::{KdfArgs, RecoveryArgs, WalletArgs};
use super::secrets::{kdf_params, new_passphrase, recovery, write_secret_file};
use crate::error::{CliError, Result};
use crate::util::out;
use civitas_exchange::qr;
use civitas_wallet::{InitOptions, Wallet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Creates the wallet, its DID and the recovery words.
pub(super) fn init(
    args: &WalletArgs,
    kdf: &KdfArgs,
    recovery_out: Option<PathBuf>,
    recovery_qr: Option<PathBuf>,
    idle_timeout: i64,
) -> Result<ExitCode> {
    let now = args.now()?;
    let dir = args.dir();
    for f in [&recovery_out, &recovery_qr].into_iter().flatten() {
        if f.exists() {
            return Err(CliError::Usage(format!(
                "{} exists; refusing to overwrite it",
                f.display()
            )));
        }
    }
    let passphrase = new_passphrase(
        None,
        args.passphrase_file.as_deref(),
        Some("CIVITAS_PASSPHRASE"),
    )?;
    let (params, ms) = kdf_params(kdf)?;
    let ledger = args.ledger(true)?;
    let options = InitOptions {
        kdf: params,
        idle_timeout,
    };
    let (mut wallet, init) = Wallet::init(&dir, &passphrase, ledger, &options, now)?;
    let key = wallet.holder_key(now)?;
    let words = init.recovery.to_words();
    if let Some(path) = &recovery_qr {
        let png = init
            .recovery
            .qr()
            .and_then(|q| q.to_png(8).map_err(civitas_wallet::Error::from))?;
        write_secret_file(path, &png)?;
    }
    let mut text = format!(
        "Created your wallet in {}\n  DID:        {}\n  holder key: {} (ES256, software key store)\n  vault:      {}{}\n",
        dir.display(),
        init.did,
        key.thumbprint(),
        params,
        ms.map(|ms| format!(" (unlock takes about {ms} ms here)"))
            .unwrap_or_default()
    );
    match &recovery_out {
        Some(path) => {
            let mut content = Zeroizing::new(words.to_string());
            content.push('\n');
            write_secret_file(path, content.as_bytes())?;
            text.push_str(&format!(
                "\nYour 24 recovery words are in {} (mode 0600). Copy them to paper and delete the file.\n",
                path.display()
            ));
        }
        None => {
            text.push_str(
                "\nYOUR RECOVERY WORDS. Write them down and keep them away from this device; they are\nshown only this once. With them and a backup you can restore your wallet and lock a lost\ndevice out. The wallet keeps no copy: without them, nobody can.\n\n",
            );
            let list: Vec<&str> = words.split(' ').collect();
            for (row, chunk) in list.chunks(6).enumerate() {
                let line: Vec<String> = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, w)| format!("{:>4} {w:<10}", row * 6 + i + 1))
                    .collect();
                text.push_str(line.join(" ").trim_end());
                text.push('\n');
            }
            if std::io::stdout().is_terminal()
                && let Ok(code) = init.recovery.qr()
            {
                text.push('\n');
                text.push_str(&code.to_terminal(qr::TerminalStyle::Ansi));
            }
        }
    }
    if let Some(path) = &recovery_qr {
        text.push_str(&format!(
            "The recovery words as a QR code: {} (a secret too).\n",
            path.display()
        ));
    }
    out(text.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

/// Restores a backup into a new wallet directory.
pub(super) fn restore(
    args: &WalletArgs,
    kdf: &KdfArgs,
    from: &Path,
    words: &RecoveryArgs,
) -> Result<ExitCode> {
    let now = args.now()?;
    let dir = args.dir();
    let secret = recovery(words)?;
    let passphrase = new_passphrase(
        None,
        args.passphrase_file.as_deref(),
        Some("CIVITAS_PASSPHRASE"),
    )?;
    let (params, _) = kdf_params(kdf)?;
    let ledger = args.ledger(false)?;
    let options = InitOptions {
        kdf: params,
        ..InitOptions::default()
    };
    let (_, report) = Wallet::restore(&dir, &passphrase, &secret, from, ledger, &options, now)?;
    let mut s = format!(
        "Restored {} into {}\n  credentials: {}{}\n  history:     {} entries{}\n  new holder key: {}\n",
        report.did,
        dir.display(),
        report.credentials,
        if report.bound_to_old_device > 0 {
            format!(
                " ({} bound to the old device's key: ask their issuers to issue them again)",
                report.bound_to_old_device
            )
        } else {
            String::new()
        },
        report.history_entries,
        if report.integrity.is_intact() {
            String::new()
        } else {
            format!(" (TAMPERED: {})", report.integrity.summary())
        },
        report.holder_key
    );
    s.push_str(
        "Next: `civitas wallet rotate --recovery` makes your DID authorize this device and locks the old one out.",
    );
    out(&s)?;
    Ok(ExitCode::SUCCESS)
}
