//! `civitas issuer serve`'s staff page options: where its secret comes from, and
//! whether other machines may reach it (civitas_issuer::staff).

use crate::error::{CliError, Result};
use civitas_issuer::staff::Staff;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct StaffArgs {
    /// The staff page's secret, read from this file (at least 16 characters of
    /// A-Z a-z 0-9 - _). Default: a fresh one each start, printed once as
    /// `staff http://ADDR/staff?k=SECRET`.
    #[arg(long, value_name = "FILE")]
    staff_secret_file: Option<PathBuf>,
    /// Serve the staff page (/staff) to other machines too; by default only to this
    /// machine (loopback), others get 403 staff_loopback_only.
    #[arg(long)]
    staff_anywhere: bool,
}

impl StaffArgs {
    /// The staff access these options describe, and whether its secret was generated
    /// (then it is printed once).
    pub(crate) fn staff(&self) -> Result<(Staff, bool)> {
        match &self.staff_secret_file {
            Some(file) => {
                let text = zeroize::Zeroizing::new(std::fs::read_to_string(file).map_err(|e| {
                    CliError::Input(format!("--staff-secret-file {}: {e}", file.display()))
                })?);
                let staff = Staff::new(&text, self.staff_anywhere).map_err(|e| {
                    CliError::Usage(format!("--staff-secret-file {}: {e}", file.display()))
                })?;
                Ok((staff, false))
            }
            None => Staff::generate(&civitas_crypto::SystemRng, self.staff_anywhere)
                .map(|s| (s, true))
                .map_err(|_| {
                    CliError::Failed(
                        "the random number generator failed: cannot make the staff secret".into(),
                    )
                }),
        }
    }
}
