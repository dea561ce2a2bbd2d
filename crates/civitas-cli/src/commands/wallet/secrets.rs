//! Secrets from a prompt (no echo) or the environment, consent questions, the vault's
//! key derivation cost, and files only the owner may read.

use super::args::KdfArgs;
use crate::error::{CliError, Result};
use civitas_wallet::{KdfParams, RecoverySecret};
use std::io::{IsTerminal, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// A secret from `var`, or typed at a prompt (no echo).
pub(super) fn passphrase(var: &str, prompt: &str) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var(var) {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "no terminal to ask for the passphrase: set {var}"
        )));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| CliError::Input(format!("cannot read the passphrase: {e}")))
}

/// A new passphrase, typed twice at a prompt.
pub(super) fn new_passphrase(fallback: Option<&str>) -> Result<Zeroizing<String>> {
    for var in std::iter::once("CIVITAS_NEW_PASSPHRASE").chain(fallback) {
        if let Ok(p) = std::env::var(var) {
            return Ok(Zeroizing::new(p));
        }
    }
    let first = passphrase("CIVITAS_NEW_PASSPHRASE", "New passphrase: ")?;
    let again = passphrase("CIVITAS_NEW_PASSPHRASE", "Repeat it: ")?;
    if first != again {
        return Err(CliError::Usage("the two passphrases differ".into()));
    }
    Ok(first)
}

/// The 24 recovery words (`CIVITAS_RECOVERY`, or a prompt).
pub(super) fn recovery() -> Result<RecoverySecret> {
    let words = passphrase("CIVITAS_RECOVERY", "Recovery words: ")?;
    RecoverySecret::from_words(&words).map_err(CliError::from)
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
