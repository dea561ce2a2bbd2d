//! Rendering payload texts as QR codes: version and ECC choice, PNG, SVG, terminal.

use std::fmt::Write as _;

use super::base45::is_alphanumeric_charset;
use super::capacity::{EccBoost, QrOptions, build_bits, min_version};
use super::ecc::EccLevel;
use super::error::{Error, RenderError, Result};
use super::multipart;

/// Width of the light border around every rendering, in modules (ISO/IEC 18004 asks
/// for 4).
pub const QUIET_ZONE: usize = 4;

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

/// Renders one text (a `CIV1:` payload or a part) as a QR code: the smallest version at
/// `options.ecc`, then the error-correction level raised as `options.boost` allows.
///
/// Texts made only of the QR alphanumeric characters, which every `CIV1` text is, are
/// encoded as a single alphanumeric segment (5.5 bits a character; the `qrcode` crate's
/// own choice would cut them into alphanumeric and numeric runs). Fails with
/// [`RenderError::TooLargeForQr`](crate::qr::RenderError::TooLargeForQr) if the text needs a version above `options.max_version`:
/// use [`render_presentation`] to split.
pub fn render(text: &str, options: &QrOptions) -> Result<QrCode> {
    options.validate()?;
    let too_large = || {
        Error::from(RenderError::TooLargeForQr {
            max_version: options.max_version,
            ecc: options.ecc,
        })
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
    let bits = build_bits(text, version, ecc).map_err(|e| RenderError::QrEncode(e.to_string()))?;
    let code = qrcode::QrCode::with_bits(bits, ecc.to_qrcode())
        .map_err(|e| RenderError::QrEncode(e.to_string()))?;
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
            return Err(RenderError::InvalidOption("module_px must be between 1 and 32").into());
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
        let side =
            u32::try_from(side_px).map_err(|_| RenderError::InvalidOption("image too large"))?;
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(&pixels, side, side, ExtendedColorType::L8)
            .map_err(RenderError::Png)?;
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
