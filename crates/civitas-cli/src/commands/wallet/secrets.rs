//! Secrets from a file, a prompt (no echo) or the environment, consent questions, the vault's
//! key derivation cost, and files only the owner may read.

use super::args::{KdfArgs, RecoveryArgs};
use crate::error::{CliError, Result};
use civitas_wallet::{KdfParams, RecoverySecret};
use std::io::{IsTerminal, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// A secret from `file` (one trailing newline ignored), else from `var`, else typed at
/// a prompt (no echo).
pub(super) fn passphrase(
    file: Option<&Path>,
    var: &str,
    prompt: &str,
) -> Result<Zeroizing<String>> {
    if let Some(path) = file {
        return secret_file(path, "passphrase");
    }
    if let Ok(p) = std::env::var(var) {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "no terminal to ask for the passphrase: use --passphrase-file PATH (or set {var})"
        )));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| CliError::Input(format!("cannot read the passphrase: {e}")))
}

/// A new passphrase: from `file`, `CIVITAS_NEW_PASSPHRASE`, `fallback_file`, the
/// `fallback` variable, or typed twice at a prompt.
pub(super) fn new_passphrase(
    file: Option<&Path>,
    fallback_file: Option<&Path>,
    fallback: Option<&str>,
) -> Result<Zeroizing<String>> {
    if let Some(path) = file {
        return secret_file(path, "new passphrase");
    }
    if let Ok(p) = std::env::var("CIVITAS_NEW_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    if let Some(path) = fallback_file {
        return secret_file(path, "passphrase");
    }
    if let Some(p) = fallback.and_then(|var| std::env::var(var).ok()) {
        return Ok(Zeroizing::new(p));
    }
    let first = passphrase(None, "CIVITAS_NEW_PASSPHRASE", "New passphrase: ")?;
    let again = passphrase(None, "CIVITAS_NEW_PASSPHRASE", "Repeat it: ")?;
    if first != again {
        return Err(CliError::Usage("the two passphrases differ".into()));
    }
    Ok(first)
}

/// The 24 recovery words (`--recovery-file`, `CIVITAS_RECOVERY`, or a prompt).
pub(super) fn recovery(args: &RecoveryArgs) -> Result<RecoverySecret> {
    let words = match &args.recovery_file {
        Some(path) => secret_file(path, "recovery words")?,
        None => passphrase(None, "CIVITAS_RECOVERY", "Recovery words: ")?,
    };
    RecoverySecret::from_words(&words).map_err(CliError::from)
}

/// A secret kept in a file: its text without one trailing newline (`\n` or `\r\n`).
/// Errors name the file and what is wrong, never its content.
pub(super) fn secret_file(path: &Path, what: &str) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| {
        CliError::Input(format!(
            "cannot read the {what} file {}: {}",
            path.display(),
            match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            }
        ))
    })?);
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        CliError::Input(format!(
            "the {what} file {} is not UTF-8 text",
            path.display()
        ))
    })?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    if text.is_empty() {
        return Err(CliError::Input(format!(
            "the {what} file {} is empty",
            path.display()
        )));
    }
    Ok(Zeroizing::new(text.to_string()))
}

/// A yes/no question on the terminal; no terminal is a usage error (use --yes).
pub(super) fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "no terminal to ask for consent: use --yes".into(),
        ));
    }
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| CliError::Input(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// The Argon2id cost from the flags, or calibrated here (with the unlock time, ms).
pub(super) fn kdf_params(args: &KdfArgs) -> Result<(KdfParams, Option<u64>)> {
    match (args.kdf_memory, args.kdf_time, args.kdf_lanes) {
        (Some(m), Some(t), Some(p)) => {
            let params = KdfParams {
                m_kib: m.saturating_mul(1024),
                t,
                p,
            };
            if !params.is_acceptable() {
                return Err(CliError::Usage(format!(
                    "{params} is below the minimum (19 MiB, t=2, p=1)"
                )));
            }
            Ok((params, None))
        }
        _ => {
            let (params, ms) = KdfParams::calibrate(500)?;
            Ok((params, Some(ms)))
        }
    }
}

/// Writes a file only its owner can read (mode 0600), refusing to replace one.
pub(super) fn write_secret_file(path: &Path, bytes: &[u8]) -> Result<()> {
    civitas_crypto::write_atomic(path, bytes, 0o600, false).map_err(CliError::from)
}
