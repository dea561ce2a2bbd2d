//! `civitas key generate|show|public`.

use crate::error::Result;
use crate::identity::read_public_key;
use crate::util::out;
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Alg {
    /// ECDSA P-256 (what phone secure elements support).
    #[value(name = "ES256")]
    Es256,
    /// Ed25519.
    #[value(name = "EdDSA")]
    EdDsa,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a private key and save it as a JWK file readable only by you.
    /// The last line printed is the key's did:jwk.
    Generate {
        /// Signature algorithm.
        #[arg(long, value_enum, default_value = "ES256")]
        alg: Alg,
        /// Where to write the private key (must not exist yet).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Show a key's identifiers: did:jwk, did:key and JWK thumbprint.
    Show {
        /// A private or public JWK file.
        file: PathBuf,
    },
    /// Print the public JWK of a key (safe to share).
    Public {
        /// A private or public JWK file.
        file: PathBuf,
    },
}

pub(crate) fn exec(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Generate { alg, output } => {
            let alg = match alg {
                Alg::Es256 => Algorithm::Es256,
                Alg::EdDsa => Algorithm::EdDsa,
            };
            let key = SigningKey::generate(alg, &SystemRng)?;
            key.save(&output)?;
            out(&format!(
                "wrote {alg} private key to {} (mode 0600)",
                output.display()
            ))?;
            out(&format!("did:key  {}", key.public().did_key()))?;
            out(&key.public().did_jwk())?;
        }
        Command::Show { file } => {
            let key = read_public_key(&file)?;
            out(&format!("algorithm   {}", key.algorithm()))?;
            out(&format!("thumbprint  {}", key.thumbprint()))?;
            out(&format!("did:key     {}", key.did_key()))?;
            out(&format!("did:jwk     {}", key.did_jwk()))?;
        }
        Command::Public { file } => {
            let key = read_public_key(&file)?;
            let text = serde_json::to_string_pretty(&key.to_jwk())
                .map_err(|e| crate::error::CliError::Failed(e.to_string()))?;
            out(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
