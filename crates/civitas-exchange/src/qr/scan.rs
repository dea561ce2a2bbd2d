//! Finding and reading QR codes in PNG and JPEG images, with rxing (a port of ZXing).

use std::collections::HashSet;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::{ImageError, ImageFormat, ImageReader, Limits};
use rxing::common::HybridBinarizer;
use rxing::multi::MultipleBarcodeReader as _;
use rxing::multi::qrcode::QRCodeMultiReader;
use rxing::{
    BarcodeFormat, BinaryBitmap, DecodeHintValue, DecodeHints, Luma8LuminanceSource,
    MultiFormatReader, Reader as _,
};

use super::error::{Result, ScanError};

/// The largest image side accepted, in pixels (a 50-megapixel photo fits).
pub const MAX_IMAGE_SIDE: u32 = 10_000;
/// The most memory decoding one image may take.
const MAX_IMAGE_ALLOC: u64 = 512 * 1024 * 1024;

/// Finds the QR codes in a PNG or JPEG image and returns their texts, each once, in the
/// order the detector found them.
///
/// Looks for several codes first (a multi-part sequence shown side by side), then, if
/// none was found, for a single code harder (also inverted, light on dark). The texts
/// are returned as the codes hold them: give them to
/// [`decode_payload`](crate::qr::decode_payload) or an
/// [`Assembler`](crate::qr::Assembler).
///
/// Errors: [`ScanError::NotAnImage`](crate::qr::ScanError::NotAnImage), [`ScanError::UnsupportedImageFormat`](crate::qr::ScanError::UnsupportedImageFormat),
/// [`ScanError::ImageTooLarge`](crate::qr::ScanError::ImageTooLarge) (more than [`MAX_IMAGE_SIDE`] pixels a side),
/// [`ScanError::ImageDecode`](crate::qr::ScanError::ImageDecode) (a corrupt file), [`ScanError::NoQrFound`](crate::qr::ScanError::NoQrFound).
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>> {
    let format = image::guess_format(bytes).map_err(|_| ScanError::NotAnImage)?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg) {
        return Err(ScanError::UnsupportedImageFormat(
            format
                .extensions_str()
                .first()
                .unwrap_or(&"?")
                .to_uppercase(),
        )
        .into());
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        ImageError::Limits(_) => ScanError::ImageTooLarge,
        other => ScanError::ImageDecode(other),
    })?;
    let luma = image.into_luma8();
    let (width, height) = luma.dimensions();
    let texts = scan_luma(luma.into_raw(), width, height);
    if texts.is_empty() {
        Err(ScanError::NoQrFound.into())
    } else {
        Ok(texts)
    }
}

/// Runs the detectors. rxing is a large port of Java code fed with untrusted pixels: a
/// panic inside it is caught and counts as "nothing found" rather than taking the
/// counter down.
fn scan_luma(luma: Vec<u8>, width: u32, height: u32) -> Vec<String> {
    if width == 0 || height == 0 {
        return Vec::new();
    }
    let hints = DecodeHints::default()
        .with(DecodeHintValue::TryHarder(true))
        .with(DecodeHintValue::PossibleFormats(HashSet::from([
            BarcodeFormat::QR_CODE,
        ])));
    let multi = catch_unwind(AssertUnwindSafe(|| {
        let source = Luma8LuminanceSource::new(luma.clone(), width, height).ok()?;
        let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
        QRCodeMultiReader::default()
            .decode_multiple_with_hints(&mut bitmap, &hints)
            .ok()
    }))
    .ok()
    .flatten()
    .unwrap_or_default();
    let mut texts: Vec<String> = Vec::new();
    for result in multi {
        let text = result.getText();
        if !texts.iter().any(|t| t == text) {
            texts.push(text.to_owned());
        }
    }
    if texts.is_empty() {
        let hints = hints.with(DecodeHintValue::AlsoInverted(true));
        let single = catch_unwind(AssertUnwindSafe(|| {
            let source = Luma8LuminanceSource::new(luma, width, height).ok()?;
            let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
            MultiFormatReader::default()
                .decode_with_hints(&mut bitmap, &hints)
                .ok()
        }))
        .ok()
        .flatten();
        texts.extend(single.map(|r| r.getText().to_owned()));
    }
    texts
}
