//! `civitas qr payload|encode|decode`: a presentation as a `CIV1:` QR payload, the QR
//! image, and back.

use crate::error::{CliError, Result};
use crate::qr_file::write_qr;
use crate::util::{out, read_input};
use civitas_exchange::qr::{self, EccLevel, QrOptions, TerminalStyle};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Ecc {
    L,
    M,
    Q,
    H,
}

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CodeOptions {
    /// Largest QR version per code; larger payloads are split into numbered codes.
    #[arg(long, default_value_t = 25)]
    pub(crate) max_version: u8,
    /// Error correction level (raised automatically when it costs no version).
    #[arg(long, value_enum, default_value = "m")]
    pub(crate) ecc: Ecc,
}

impl CodeOptions {
    fn options(&self) -> QrOptions {
        let ecc = match self.ecc {
            Ecc::L => EccLevel::L,
            Ecc::M => EccLevel::M,
            Ecc::Q => EccLevel::Q,
            Ecc::H => EccLevel::H,
        };
        QrOptions::default()
            .with_ecc(ecc)
            .with_max_version(self.max_version)
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print the CIV1: payload(s) of a presentation, one per line.
    Payload {
        #[command(flatten)]
        code: CodeOptions,
        /// The presentation (file, or - / nothing for standard input).
        input: Option<PathBuf>,
    },
    /// Render a presentation as QR code image(s): FILE, or FILE-1, FILE-2… when it
    /// takes several.
    Encode {
        #[command(flatten)]
        code: CodeOptions,
        /// Output file: .png or .svg.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Also draw it in the terminal.
        #[arg(long)]
        show: bool,
        /// The presentation (file, or - / nothing for standard input).
        input: Option<PathBuf>,
    },
    /// Read the QR code(s) in an image (PNG or JPEG) and print what they hold.
    Decode {
        /// The image.
        image: PathBuf,
    },
}

fn presentation(input: Option<&std::path::Path>) -> Result<String> {
    let bytes = read_input(input)?;
    civitas_verifier::scan::presentation_from_bytes(&bytes).map_err(|r| CliError::Failed(r.reason))
}

pub(crate) fn exec(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Payload { code, input } => {
            let p = presentation(input.as_deref())?;
            for part in qr::encode_parts(&p, &code.options())
                .map_err(|e| CliError::Failed(e.to_string()))?
            {
                out(&part)?;
            }
        }
        Command::Encode {
            code,
            output,
            show,
            input,
        } => {
            let p = presentation(input.as_deref())?;
            let codes = qr::render_presentation(&p, &code.options())
                .map_err(|e| CliError::Failed(e.to_string()))?;
            let n = codes.len();
            for (i, c) in codes.iter().enumerate() {
                let path = if n == 1 {
                    output.clone()
                } else {
                    let stem = output.file_stem().and_then(|s| s.to_str()).unwrap_or("qr");
                    let ext = output.extension().and_then(|s| s.to_str()).unwrap_or("png");
                    output.with_file_name(format!("{stem}-{}.{ext}", i + 1))
                };
                write_qr(c, &path)?;
                if show {
                    out(&c.to_terminal(TerminalStyle::default()))?;
                }
                let info = c.info();
                out(&format!(
                    "{}: QR version {} ({}×{} modules), ECC {:?}",
                    path.display(),
                    info.version,
                    info.modules,
                    info.modules,
                    info.ecc
                ))?;
            }
        }
        Command::Decode { image } => {
            let bytes = read_input(Some(&image))?;
            for text in qr::decode_image(&bytes).map_err(|e| CliError::Failed(e.to_string()))? {
                out(&text)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
