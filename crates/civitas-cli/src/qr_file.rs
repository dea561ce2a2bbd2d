//! Writing a QR code to a file, for every command that does (`request --qr`,
//! `qr encode`).

use crate::error::{CliError, Result};
use civitas_exchange::qr;
use std::path::Path;

/// Writes a QR code as PNG or SVG, by the file's extension.
pub(crate) fn write_qr(code: &qr::QrCode, path: &Path) -> Result<()> {
    let bytes = match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => code.to_svg().into_bytes(),
        Some("png") | None => code
            .to_png(8)
            .map_err(|e| CliError::Failed(e.to_string()))?,
        Some(other) => {
            return Err(CliError::Usage(format!(
                "write QR codes as .png or .svg, not .{other}"
            )));
        }
    };
    civitas_crypto::write_atomic(path, &bytes, 0o644, true)?;
    Ok(())
}
