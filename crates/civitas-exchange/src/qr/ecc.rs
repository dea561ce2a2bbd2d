//! The QR error-correction levels: a leaf type that the errors, the capacity
//! computations and the renderer all name.

use std::fmt;

use qrcode::EcLevel;

/// QR error-correction level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EccLevel {
    /// Low: about 7% of the codewords can be restored.
    L,
    /// Medium: about 15%.
    M,
    /// Quartile: about 25%.
    Q,
    /// High: about 30%.
    H,
}

impl EccLevel {
    pub(crate) fn to_qrcode(self) -> EcLevel {
        match self {
            EccLevel::L => EcLevel::L,
            EccLevel::M => EcLevel::M,
            EccLevel::Q => EcLevel::Q,
            EccLevel::H => EcLevel::H,
        }
    }
}

impl fmt::Display for EccLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EccLevel::L => "L",
            EccLevel::M => "M",
            EccLevel::Q => "Q",
            EccLevel::H => "H",
        })
    }
}
