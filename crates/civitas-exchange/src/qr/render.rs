//! Rendering payload texts as QR codes: version and ECC choice, PNG, SVG, terminal.

use std::fmt::{self, Write as _};

use qrcode::bits::Bits;
use qrcode::{EcLevel, Version};

use super::base45::is_alphanumeric_charset;
use super::error::{Error, Result};
use super::multipart;

/// The default largest QR version: 117×117 modules, still read reliably by a phone
/// camera from another phone's screen and by common 2D counter scanners.
pub const DEFAULT_MAX_VERSION: u8 = 25;
/// The largest version any option may ask for. Version 40 (177×177 modules) is never
/// produced: few scanners read it off a screen; a longer payload is split instead.
pub const HARD_MAX_VERSION: u8 = 39;
/// Width of the light border around every rendering, in modules (ISO/IEC 18004 asks
/// for 4).
pub const QUIET_ZONE: usize = 4;

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
    fn to_qrcode(self) -> EcLevel {
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
            return Err(Error::InvalidOption("max_version must be between 1 and 39"));
        }
        Ok(())
    }
}

/// What a rendered code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QrInfo {
    /// QR version, 1 to 39.
    pub version: u8,
    /// Error-correction level.
    pub ecc: EccLevel,
    /// Modules per side, without the quiet zone (`17 + 4 × version`).
    pub modules: usize,
    /// Whether the text was encoded as a single alphanumeric segment (always, for
    /// `CIV1` texts); otherwise the QR encoder chose the segments.
    pub alphanumeric: bool,
}

/// A QR code, ready to be written as PNG, SVG or terminal text.
#[derive(Clone, Debug)]
pub struct QrCode {
    text: String,
    info: QrInfo,
    dark: Vec<bool>,
}

/// The smallest QR version that holds `text` at `ecc`, `None` if even version 40 does
/// not. `CIV1` texts (all in the alphanumeric set) are measured as one alphanumeric
/// segment, as [`render`] encodes them; other text as the QR encoder would segment it.
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
fn build_bits(
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

/// Renders one text (a `CIV1:` payload or a part) as a QR code: the smallest version at
/// `options.ecc`, then the error-correction level raised as `options.boost` allows.
///
/// Texts made only of the QR alphanumeric characters, which every `CIV1` text is, are
/// encoded as a single alphanumeric segment (5.5 bits a character; the `qrcode` crate's
/// own choice would cut them into alphanumeric and numeric runs). Fails with
/// [`Error::TooLargeForQr`] if the text needs a version above `options.max_version`:
/// use [`render_presentation`] to split.
pub fn render(text: &str, options: &QrOptions) -> Result<QrCode> {
    options.validate()?;
    let too_large = || Error::TooLargeForQr {
        max_version: options.max_version,
        ecc: options.ecc,
    };
    let version = min_version(text, options.ecc)
        .filter(|&v| v <= options.max_version)
        .ok_or_else(too_large)?;
    let higher: &[EccLevel] = match options.ecc {
        EccLevel::L => &[EccLevel::H, EccLevel::Q, EccLevel::M],
        EccLevel::M => &[EccLevel::H, EccLevel::Q],
        EccLevel::Q => &[EccLevel::H],
        EccLevel::H => &[],
    };
    let limit = match options.boost {
        EccBoost::Off => 0,
        EccBoost::SameVersion => version,
        EccBoost::UpToMaxVersion => options.max_version,
    };
    let (version, ecc) = higher
        .iter()
        .find_map(|&ecc| {
            min_version(text, ecc)
                .filter(|&v| v <= limit)
                .map(|v| (v, ecc))
        })
        .unwrap_or((version, options.ecc));
    let bits = build_bits(text, version, ecc).map_err(|e| Error::QrEncode(e.to_string()))?;
    let code = qrcode::QrCode::with_bits(bits, ecc.to_qrcode())
        .map_err(|e| Error::QrEncode(e.to_string()))?;
    let modules = code.width();
    Ok(QrCode {
        text: text.to_owned(),
        info: QrInfo {
            version,
            ecc,
            modules,
            alphanumeric: is_alphanumeric_charset(text),
        },
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    })
}

/// Encodes a presentation ([`encode_parts`](crate::qr::encode_parts)) and renders
/// each text: one code, or a sequence when it does not fit in
/// `options.max_version`.
pub fn render_presentation(presentation: &str, options: &QrOptions) -> Result<Vec<QrCode>> {
    multipart::encode_parts(presentation, options)?
        .iter()
        .map(|text| render(text, options))
        .collect()
}

/// How [`QrCode::to_terminal`] draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TerminalStyle {
    /// Explicit black and white through ANSI colour codes: right on a dark and on a
    /// light terminal alike.
    #[default]
    Ansi,
    /// Plain characters, the blocks drawing the dark modules: for a terminal with dark
    /// text on a light background.
    DarkOnLight,
    /// Plain characters, the blocks drawing the light modules and the quiet zone
    /// (inverted): for a terminal with light text on a dark background.
    LightOnDark,
}

impl QrCode {
    /// Version, ECC level and size.
    pub fn info(&self) -> &QrInfo {
        &self.info
    }

    /// The text this code holds.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the module at column `x`, row `y` (from the top left, quiet zone not
    /// counted) is dark; outside the code: `false`.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        let n = self.info.modules;
        x < n && y < n && self.dark[y * n + x]
    }

    /// Like [`is_dark`](Self::is_dark) in coordinates that include the quiet zone.
    fn dark_with_border(&self, x: usize, y: usize) -> bool {
        x >= QUIET_ZONE && y >= QUIET_ZONE && self.is_dark(x - QUIET_ZONE, y - QUIET_ZONE)
    }

    /// Side of the rendering in modules, quiet zone included.
    fn side(&self) -> usize {
        self.info.modules + 2 * QUIET_ZONE
    }

    /// A greyscale PNG, `module_px` pixels a module (1 to 32), with a quiet zone of
    /// [`QUIET_ZONE`] modules.
    pub fn to_png(&self, module_px: u32) -> Result<Vec<u8>> {
        use image::{ExtendedColorType, ImageEncoder, codecs::png::PngEncoder};
        if !(1..=32).contains(&module_px) {
            return Err(Error::InvalidOption("module_px must be between 1 and 32"));
        }
        let px = module_px as usize;
        let side_px = self.side() * px;
        let mut pixels = vec![255u8; side_px * side_px];
        for (y, row) in pixels.chunks_exact_mut(side_px).enumerate() {
            for (x, p) in row.iter_mut().enumerate() {
                if self.dark_with_border(x / px, y / px) {
                    *p = 0;
                }
            }
        }
        let side = u32::try_from(side_px).map_err(|_| Error::InvalidOption("image too large"))?;
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(&pixels, side, side, ExtendedColorType::L8)
            .map_err(Error::Png)?;
        Ok(png)
    }

    /// An SVG document: one path of the dark modules on a white square, a
    /// [`QUIET_ZONE`] wide, in a `viewBox` of one unit a module (4 px a module as
    /// intrinsic size; scale it with CSS).
    pub fn to_svg(&self) -> String {
        let side = self.side();
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 {side} {side}\" \
             width=\"{w}\" height=\"{w}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
            w = side * 4
        );
        let n = self.info.modules;
        for y in 0..n {
            let mut x = 0;
            while x < n {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < n && self.is_dark(x, y) {
                    x += 1;
                }
                let _ = write!(
                    svg,
                    "M{},{}h{}v1h-{}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE,
                    x - start,
                    x - start
                );
            }
        }
        svg.push_str("\"/></svg>\n");
        svg
    }

    /// Terminal text: Unicode half blocks, two module rows a line, with the quiet zone,
    /// one line per `\n`.
    pub fn to_terminal(&self, style: TerminalStyle) -> String {
        let side = self.side();
        let mut out = String::new();
        for y in (0..side).step_by(2) {
            // (top, bottom): Some(true) dark, Some(false) light, None below the code.
            let cell = |x: usize| {
                let top = self.dark_with_border(x, y);
                let bottom = (y + 1 < side).then(|| self.dark_with_border(x, y + 1));
                (top, bottom)
            };
            match style {
                TerminalStyle::Ansi => {
                    let mut current = None;
                    for x in 0..side {
                        let (top, bottom) = cell(x);
                        // The line below the code is light, like the quiet zone.
                        let colours = (top, bottom.unwrap_or(false));
                        if current != Some(colours) {
                            let fg = if colours.0 { 30 } else { 97 };
                            let bg = if colours.1 { 40 } else { 107 };
                            let _ = write!(out, "\x1b[{fg};{bg}m");
                            current = Some(colours);
                        }
                        out.push('▀');
                    }
                    out.push_str("\x1b[0m");
                }
                TerminalStyle::DarkOnLight | TerminalStyle::LightOnDark => {
                    let ink = style == TerminalStyle::DarkOnLight;
                    let mut line = String::new();
                    for x in 0..side {
                        let (top, bottom) = cell(x);
                        let top = top == ink;
                        let bottom = bottom.is_some_and(|b| b == ink);
                        line.push(match (top, bottom) {
                            (true, true) => '█',
                            (true, false) => '▀',
                            (false, true) => '▄',
                            (false, false) => ' ',
                        });
                    }
                    out.push_str(line.trim_end_matches(' '));
                }
            }
            out.push('\n');
        }
        out
    }
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
