//! How much a QR code holds: the options (largest version, ECC level, boost), and the
//! smallest version a text needs ([`min_version`]). Multi-part splitting and rendering
//! both build on it.

use qrcode::Version;
use qrcode::bits::Bits;

use super::base45::is_alphanumeric_charset;
use super::ecc::EccLevel;
use super::error::{RenderError, Result};

/// The default largest QR version: 117×117 modules, still read reliably by a phone
/// camera from another phone's screen and by common 2D counter scanners.
pub const DEFAULT_MAX_VERSION: u8 = 25;
/// The largest version any option may ask for. Version 40 (177×177 modules) is never
/// produced: few scanners read it off a screen; a longer payload is split instead.
pub const HARD_MAX_VERSION: u8 = 39;

/// When to use a higher error-correction level than [`QrOptions::ecc`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum EccBoost {
    /// Never: always [`QrOptions::ecc`].
    Off,
    /// Use the highest level (H, then Q) that fits in the same version as
    /// [`QrOptions::ecc`] needs: more robustness at no cost in size (what segno calls
    /// `boost_error`).
    #[default]
    SameVersion,
    /// Use the highest level that fits in at most [`QrOptions::max_version`], even if
    /// that makes the code larger.
    UpToMaxVersion,
}

/// How to render: the largest version and the error-correction level.
///
/// Built from [`QrOptions::default`] (version ≤ 25, ECC M, [`EccBoost::SameVersion`])
/// and the `with_*` methods.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QrOptions {
    /// The largest QR version allowed, 1 to [`HARD_MAX_VERSION`]. Larger presentations
    /// are split into a sequence by [`encode_parts`](crate::qr::encode_parts).
    pub max_version: u8,
    /// The lowest error-correction level allowed.
    pub ecc: EccLevel,
    /// When to raise the error-correction level above `ecc`.
    pub boost: EccBoost,
}

impl Default for QrOptions {
    fn default() -> Self {
        QrOptions {
            max_version: DEFAULT_MAX_VERSION,
            ecc: EccLevel::M,
            boost: EccBoost::SameVersion,
        }
    }
}

impl QrOptions {
    /// The same options with another largest version.
    pub fn with_max_version(mut self, max_version: u8) -> Self {
        self.max_version = max_version;
        self
    }

    /// The same options with another lowest error-correction level.
    pub fn with_ecc(mut self, ecc: EccLevel) -> Self {
        self.ecc = ecc;
        self
    }

    /// The same options with another boost policy.
    pub fn with_boost(mut self, boost: EccBoost) -> Self {
        self.boost = boost;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if !(1..=HARD_MAX_VERSION).contains(&self.max_version) {
            return Err(RenderError::InvalidOption("max_version must be between 1 and 39").into());
        }
        Ok(())
    }
}

/// The smallest QR version that holds `text` at `ecc`, `None` if even version 40 does
/// not. `CIV1` texts (all in the alphanumeric set) are measured as one alphanumeric
/// segment, as [`render`](super::render()) encodes them; other text as the QR encoder would segment it.
pub fn min_version(text: &str, ecc: EccLevel) -> Option<u8> {
    if is_alphanumeric_charset(text) {
        let len = text.len();
        (1..=40u8).find(|&v| {
            let count_bits = match v {
                1..=9 => 9,
                10..=26 => 11,
                _ => 13,
            };
            let need = 4 + count_bits + 11 * (len / 2) + 6 * (len % 2);
            len < (1 << count_bits)
                && Bits::new(Version::Normal(i16::from(v)))
                    .max_len(ecc.to_qrcode())
                    .is_ok_and(|capacity| need <= capacity)
        })
    } else {
        (1..=40u8).find(|&v| build_bits(text, v, ecc).is_ok())
    }
}

/// The data bits of `text` at version `v`: one alphanumeric segment when the text
/// allows it, the encoder's optimal segments otherwise.
pub(crate) fn build_bits(
    text: &str,
    v: u8,
    ecc: EccLevel,
) -> std::result::Result<Bits, qrcode::types::QrError> {
    let mut bits = Bits::new(Version::Normal(i16::from(v)));
    if is_alphanumeric_charset(text) {
        bits.push_alphanumeric_data(text.as_bytes())?;
    } else {
        bits.push_optimal_data(text.as_bytes())?;
    }
    bits.push_terminator(ecc.to_qrcode())?;
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_version_matches_the_encoder() {
        for ecc in [EccLevel::L, EccLevel::M, EccLevel::Q, EccLevel::H] {
            for len in (0..4300).step_by(37) {
                let text = "A".repeat(len);
                let by_formula = min_version(&text, ecc);
                let by_encoder = (1..=40u8).find(|&v| {
                    let mut bits = Bits::new(Version::Normal(i16::from(v)));
                    bits.push_alphanumeric_data(text.as_bytes()).is_ok()
                        && bits.push_terminator(ecc.to_qrcode()).is_ok()
                });
                assert_eq!(by_formula, by_encoder, "{len} chars at {ecc}");
            }
        }
        // ISO/IEC 18004 Table 7 (and segno agrees): version 25-M holds 1,451
        // alphanumeric characters, 24-M 1,326.
        assert_eq!(min_version(&"A".repeat(1326), EccLevel::M), Some(24));
        assert_eq!(min_version(&"A".repeat(1451), EccLevel::M), Some(25));
        assert_eq!(min_version(&"A".repeat(1452), EccLevel::M), Some(26));
    }
}
