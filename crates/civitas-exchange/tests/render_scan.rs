//! Rendering (version and ECC choice, PNG, SVG, terminal) and scanning images, against
//! our own decoder, zbar (`zbarimg`) and codes made by segno.
//!
//! Needs, on the machine: `apt-get install -y zbar-tools` (zbarimg) and
//! `pip install segno` (python3). A missing tool fails the test with that hint.

// Helpers outside #[test] functions may unwrap and panic too: this is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Cursor;
use std::process::Command;

use civitas_exchange::qr::{
    Assembler, EccBoost, EccLevel, Error, ErrorKind, QUIET_ZONE, QrCode, QrOptions, TerminalStyle,
    decode_image, decode_payload, encode_parts, encode_payload, render, render_presentation,
};
use civitas_exchange::qr::{RenderError, RenderErrorKind, ScanError, ScanErrorKind};
use common::{Kind, Spec, presentation};
use image::{GrayImage, ImageFormat, Luma};

fn pid_payload() -> (String, String) {
    let p = presentation(21, &Spec::pid_two_claims());
    let text = encode_payload(&p);
    (p, text)
}

fn png_of(code: &QrCode) -> Vec<u8> {
    code.to_png(4).unwrap()
}

fn temp_file(name: &str, bytes: &[u8]) -> tempfile::TempPath {
    let file = tempfile::Builder::new().suffix(name).tempfile().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    file.into_temp_path()
}

// ---------------------------------------------------------------- version and ECC

#[test]
fn realistic_pid_presentation_fits_version_25_at_m() {
    let (_, text) = pid_payload();
    let off = render(&text, &QrOptions::default().with_boost(EccBoost::Off)).unwrap();
    assert_eq!(off.info().ecc, EccLevel::M);
    assert!(off.info().version <= 25, "version {}", off.info().version);
    assert!(off.info().alphanumeric);
    assert_eq!(off.info().modules, 17 + 4 * usize::from(off.info().version));
    // Boosting within the same version never makes the code larger.
    let same = render(&text, &QrOptions::default()).unwrap();
    assert_eq!(same.info().version, off.info().version);
    assert!(same.info().ecc >= EccLevel::M);
    // Boosting up to the maximum version reaches H within 25 (or stays lower).
    let up = render(
        &text,
        &QrOptions::default().with_boost(EccBoost::UpToMaxVersion),
    )
    .unwrap();
    assert!(up.info().version <= 25);
    assert!(up.info().ecc >= same.info().ecc);
    println!(
        "single code: {:?}; boosted to max: {:?}",
        same.info(),
        up.info()
    );
}

#[test]
fn ecc_boost_within_the_same_version() {
    // A short text at version 1 fits H at the same version.
    let code = render("CIV1:ABC", &QrOptions::default()).unwrap();
    assert_eq!((code.info().version, code.info().ecc), (1, EccLevel::H));
    let code = render("CIV1:ABC", &QrOptions::default().with_boost(EccBoost::Off)).unwrap();
    assert_eq!((code.info().version, code.info().ecc), (1, EccLevel::M));
    // Up to the maximum version: H even if the code grows, but not past the maximum.
    let text = format!("CIV1:{}", "A1B2C3".repeat(20));
    let m = render(&text, &QrOptions::default().with_boost(EccBoost::Off)).unwrap();
    let up = render(
        &text,
        &QrOptions::default().with_boost(EccBoost::UpToMaxVersion),
    )
    .unwrap();
    assert_eq!(up.info().ecc, EccLevel::H);
    assert!(up.info().version > m.info().version);
    let capped = render(
        &text,
        &QrOptions::default()
            .with_max_version(m.info().version + 1)
            .with_boost(EccBoost::UpToMaxVersion),
    )
    .unwrap();
    assert!(capped.info().version <= m.info().version + 1);
    // A requested level above M is a floor.
    let code = render(
        "CIV1:ABC",
        &QrOptions::default()
            .with_ecc(EccLevel::Q)
            .with_boost(EccBoost::Off),
    )
    .unwrap();
    assert_eq!(code.info().ecc, EccLevel::Q);
}

#[test]
fn too_large_for_the_max_version() {
    let (_, text) = pid_payload();
    match render(&text, &QrOptions::default().with_max_version(10)) {
        Err(Error::Render(RenderError::TooLargeForQr {
            max_version: 10, ..
        })) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        render("x", &QrOptions::default().with_max_version(40))
            .unwrap_err()
            .kind(),
        ErrorKind::Render(RenderErrorKind::InvalidOption)
    );
    // render_presentation splits instead.
    let p = presentation(21, &Spec::pid_two_claims());
    let codes = render_presentation(&p, &QrOptions::default().with_max_version(10)).unwrap();
    assert!(codes.len() > 1);
    assert!(codes.iter().all(|c| c.info().version <= 10));
}

#[test]
fn civ1_payloads_are_alphanumeric_for_the_qrcode_crate_too() {
    // We push one alphanumeric segment ourselves; check that the qrcode crate's own
    // segmentation would not have fallen back to byte mode either (it cuts the text
    // into alphanumeric and numeric runs), and that ours is never larger.
    use qrcode::optimize::Parser;
    use qrcode::types::Mode;
    let (_, text) = pid_payload();
    let ours = render(&text, &QrOptions::default().with_boost(EccBoost::Off)).unwrap();
    let theirs = qrcode::QrCode::with_error_correction_level(&text, qrcode::EcLevel::M).unwrap();
    let segments: Vec<_> = Parser::new(text.as_bytes())
        .optimize(theirs.version())
        .collect();
    assert!(
        segments
            .iter()
            .all(|s| matches!(s.mode, Mode::Alphanumeric | Mode::Numeric))
    );
    let qrcode::Version::Normal(v) = theirs.version() else {
        panic!()
    };
    println!(
        "ours: version {}; qrcode crate's segmentation: version {v}",
        ours.info().version
    );
    assert!(i16::from(ours.info().version) <= v + 1);
}

// ---------------------------------------------------------------- outputs

/// Reads a rendering back into modules: `grid[y][x]` dark, quiet zone included.
fn grid_of_png(png: &[u8], module_px: u32) -> Vec<Vec<bool>> {
    let img = image::load_from_memory(png).unwrap().into_luma8();
    let side = img.width() / module_px;
    (0..side)
        .map(|y| {
            (0..side)
                .map(|x| {
                    img.get_pixel(x * module_px + module_px / 2, y * module_px + module_px / 2)[0]
                        < 128
                })
                .collect()
        })
        .collect()
}

fn grid_of_code(code: &QrCode) -> Vec<Vec<bool>> {
    let side = code.info().modules + 2 * QUIET_ZONE;
    (0..side)
        .map(|y| {
            (0..side)
                .map(|x| {
                    x >= QUIET_ZONE
                        && y >= QUIET_ZONE
                        && code.is_dark(x - QUIET_ZONE, y - QUIET_ZONE)
                })
                .collect()
        })
        .collect()
}

#[test]
fn png_has_the_modules_and_a_quiet_zone() {
    let code = render("CIV1:HELLO", &QrOptions::default()).unwrap();
    let png = code.to_png(3).unwrap();
    let grid = grid_of_png(&png, 3);
    assert_eq!(grid, grid_of_code(&code));
    assert!(grid[..QUIET_ZONE].iter().all(|row| row.iter().all(|d| !d)));
    assert_eq!(
        code.to_png(0).unwrap_err().kind(),
        ErrorKind::Render(RenderErrorKind::InvalidOption)
    );
    assert_eq!(
        code.to_png(33).unwrap_err().kind(),
        ErrorKind::Render(RenderErrorKind::InvalidOption)
    );
}

#[test]
fn svg_path_draws_the_dark_modules() {
    let code = render("CIV1:HELLO SVG", &QrOptions::default()).unwrap();
    let svg = code.to_svg();
    let side = code.info().modules + 2 * QUIET_ZONE;
    assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut grid = vec![vec![false; side]; side];
    for run in d.split('M').filter(|r| !r.is_empty()) {
        // M{x},{y}h{len}v1h-{len}z
        let (xy, rest) = run.split_once('h').unwrap();
        let (x, y) = xy.split_once(',').unwrap();
        let len = rest.split_once('v').unwrap().0;
        let (x, y, len): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), len.parse().unwrap());
        for cell in &mut grid[y][x..x + len] {
            *cell = true;
        }
    }
    assert_eq!(grid, grid_of_code(&code));
}

/// Reads terminal text back into modules.
fn grid_of_terminal(text: &str, style: TerminalStyle, side: usize) -> Vec<Vec<bool>> {
    let mut grid = vec![vec![false; side]; side];
    for (line_no, line) in text.lines().enumerate() {
        let cells: Vec<(bool, bool)> = match style {
            TerminalStyle::Ansi => {
                // Each cell: optional ESC[fg;bgm then '▀'.
                let mut cells = Vec::new();
                let (mut fg, mut bg) = (false, false);
                let mut rest = line;
                while !rest.is_empty() {
                    if let Some(r) = rest.strip_prefix("\x1b[") {
                        let (codes, after) = r.split_once('m').unwrap();
                        if codes != "0" {
                            let (f, b) = codes.split_once(';').unwrap();
                            fg = f == "30";
                            bg = b == "40";
                        }
                        rest = after;
                    } else {
                        let c = rest.chars().next().unwrap();
                        assert_eq!(c, '▀');
                        cells.push((fg, bg));
                        rest = &rest[c.len_utf8()..];
                    }
                }
                cells
            }
            _ => {
                let ink = style == TerminalStyle::DarkOnLight;
                let mut cells: Vec<(bool, bool)> = line
                    .chars()
                    .map(|c| {
                        let (t, b) = match c {
                            '█' => (true, true),
                            '▀' => (true, false),
                            '▄' => (false, true),
                            ' ' => (false, false),
                            other => panic!("{other:?}"),
                        };
                        // Ink draws dark modules (DarkOnLight) or light ones (LightOnDark).
                        (t == ink, b == ink)
                    })
                    .collect();
                // Trailing spaces were trimmed: they are background.
                cells.resize(side, (!ink, !ink));
                cells
            }
        };
        assert_eq!(cells.len(), side, "line {line_no}");
        for (x, (top, bottom)) in cells.into_iter().enumerate() {
            grid[2 * line_no][x] = top;
            if 2 * line_no + 1 < side {
                grid[2 * line_no + 1][x] = bottom;
            }
        }
    }
    grid
}

#[test]
fn terminal_text_in_every_style() {
    let code = render("CIV1:TERMINAL", &QrOptions::default()).unwrap();
    let side = code.info().modules + 2 * QUIET_ZONE;
    for style in [
        TerminalStyle::Ansi,
        TerminalStyle::DarkOnLight,
        TerminalStyle::LightOnDark,
    ] {
        let text = code.to_terminal(style);
        assert_eq!(text.lines().count(), side.div_ceil(2), "{style:?}");
        assert_eq!(
            grid_of_terminal(&text, style, side),
            grid_of_code(&code),
            "{style:?}"
        );
    }
    // On a dark terminal the quiet zone is drawn: the first line is all full blocks.
    let inverted = code.to_terminal(TerminalStyle::LightOnDark);
    assert!(inverted.lines().next().unwrap().chars().all(|c| c == '█'));
    // On a light terminal it is background.
    assert_eq!(
        code.to_terminal(TerminalStyle::DarkOnLight)
            .lines()
            .next()
            .unwrap(),
        ""
    );
    println!("{}", code.to_terminal(TerminalStyle::Ansi));
}

// ---------------------------------------------------------------- scanning

#[test]
fn render_then_decode_with_our_decoder() {
    let (p, text) = pid_payload();
    let code = render(&text, &QrOptions::default()).unwrap();
    if let Ok(dir) = std::env::var("CIVITAS_QR_DUMP") {
        std::fs::write(format!("{dir}/pid.png"), png_of(&code)).unwrap();
        std::fs::write(format!("{dir}/pid.svg"), code.to_svg()).unwrap();
        std::fs::write(
            format!("{dir}/pid.ansi"),
            code.to_terminal(TerminalStyle::Ansi),
        )
        .unwrap();
        std::fs::write(
            format!("{dir}/pid.dark"),
            code.to_terminal(TerminalStyle::LightOnDark),
        )
        .unwrap();
    }
    let found = decode_image(&png_of(&code)).unwrap();
    assert_eq!(found, vec![text.clone()]);
    assert_eq!(decode_payload(&found[0]).unwrap(), p);
}

/// Runs `zbarimg --raw -q` on an image.
fn zbarimg(path: &std::path::Path) -> String {
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run zbarimg ({e}): install it with `apt-get install -y zbar-tools` (CI does)")
        });
    assert!(
        out.status.success(),
        "zbarimg failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn render_then_decode_with_zbar() {
    let (_, text) = pid_payload();
    let code = render(&text, &QrOptions::default()).unwrap();
    let png = temp_file(".png", &png_of(&code));
    let out = zbarimg(&png);
    assert_eq!(out.strip_suffix('\n').unwrap_or(&out), text);
}

/// Makes a PNG with segno (an independent encoder), scale 4, border 4.
fn segno_png(text: &str) -> Vec<u8> {
    let file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    let script = "import sys, segno\n\
                  q = segno.make(sys.argv[1], error='m', boost_error=False, micro=False)\n\
                  q.save(sys.argv[2], scale=4, border=4)\n\
                  print(q.version, q.mode)";
    // The peers venv (tests/peers/setup.sh) has segno pinned.
    let venv = std::env::var_os("CIVITAS_PEERS_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/civitas-peers/venv")
        });
    let out = Command::new(venv.join("bin/python"))
        .args(["-c", script, text])
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): segno is missing: run `bash tests/peers/setup.sh`")
        });
    assert!(
        out.status.success(),
        "segno failed (install it with `bash tests/peers/setup.sh`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "segno: version/mode {}",
        String::from_utf8_lossy(&out.stdout).trim()
    );
    std::fs::read(file.path()).unwrap()
}

/// Rotates by `degrees` on a larger white canvas, blurs, and JPEG-compresses: a photo
/// of a screen, roughly. Uses the `image` and `imageproc` crates.
fn photograph(png: &[u8], degrees: f32) -> Vec<u8> {
    use imageproc::geometric_transformations::{Interpolation, rotate_about_center};
    let img = image::load_from_memory(png).unwrap().into_luma8();
    let margin = img.width() / 4;
    let mut canvas = GrayImage::from_pixel(
        img.width() + 2 * margin,
        img.height() + 2 * margin,
        Luma([255]),
    );
    image::imageops::overlay(&mut canvas, &img, i64::from(margin), i64::from(margin));
    let rotated = rotate_about_center(
        &canvas,
        degrees.to_radians(),
        Interpolation::Bilinear,
        Luma([255]),
    );
    let blurred = imageproc::filter::gaussian_blur_f32(&rotated, 1.2);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 50)
        .encode_image(&blurred)
        .unwrap();
    jpeg
}

#[test]
fn segno_code_rotated_blurred_jpeg_decodes() {
    let (p, text) = pid_payload();
    let jpeg = photograph(&segno_png(&text), 7.0);
    if let Ok(dir) = std::env::var("CIVITAS_QR_DUMP") {
        std::fs::write(format!("{dir}/segno_photo.jpg"), &jpeg).unwrap();
    }
    assert_eq!(image::guess_format(&jpeg).unwrap(), ImageFormat::Jpeg);
    let found = decode_image(&jpeg).unwrap();
    assert_eq!(found, vec![text]);
    assert_eq!(decode_payload(&found[0]).unwrap(), p);
}

#[test]
fn two_codes_in_one_image() {
    // A two-part sequence shown side by side.
    let p = presentation(
        22,
        &Spec {
            kind: Kind::Pid,
            disclose: 8,
            decoys: 4,
            key_binding: true,
        },
    );
    let options = QrOptions::default().with_max_version(20);
    let parts = encode_parts(&p, &options).unwrap();
    assert_eq!(parts.len(), 2);
    let imgs: Vec<GrayImage> = parts
        .iter()
        .map(|t| {
            image::load_from_memory(&png_of(&render(t, &options).unwrap()))
                .unwrap()
                .into_luma8()
        })
        .collect();
    let gap = 40;
    let mut canvas = GrayImage::from_pixel(
        imgs[0].width() + imgs[1].width() + gap,
        imgs[0].height().max(imgs[1].height()),
        Luma([255]),
    );
    image::imageops::overlay(&mut canvas, &imgs[0], 0, 0);
    image::imageops::overlay(&mut canvas, &imgs[1], i64::from(imgs[0].width() + gap), 0);
    let mut png = Vec::new();
    canvas
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .unwrap();
    let mut found = decode_image(&png).unwrap();
    found.sort();
    let mut want = parts.clone();
    want.sort();
    assert_eq!(found, want);
    let mut assembler = Assembler::new();
    for t in &found {
        assembler.add(t).unwrap();
    }
    assert_eq!(assembler.finish().unwrap(), p);
}

#[test]
fn inverted_code_decodes() {
    // Light modules on dark, as a screenshot of a dark terminal would be.
    let code = render("CIV1:INVERTED", &QrOptions::default()).unwrap();
    let mut img = image::load_from_memory(&png_of(&code))
        .unwrap()
        .into_luma8();
    image::imageops::invert(&mut img);
    let mut png = Vec::new();
    img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .unwrap();
    assert_eq!(
        decode_image(&png).unwrap(),
        vec!["CIV1:INVERTED".to_owned()]
    );
}

#[test]
fn image_rejections() {
    assert_eq!(
        decode_image(b"not an image at all").unwrap_err().kind(),
        ErrorKind::Scan(ScanErrorKind::NotAnImage)
    );
    assert_eq!(
        decode_image(b"").unwrap_err().kind(),
        ErrorKind::Scan(ScanErrorKind::NotAnImage)
    );
    match decode_image(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;") {
        Err(Error::Scan(ScanError::UnsupportedImageFormat(f))) => assert_eq!(f, "GIF"),
        other => panic!("{other:?}"),
    }
    let code = render("CIV1:CUT", &QrOptions::default()).unwrap();
    let png = png_of(&code);
    assert_eq!(
        decode_image(&png[..png.len() / 2]).unwrap_err().kind(),
        ErrorKind::Scan(ScanErrorKind::ImageDecode)
    );
    // A blank page.
    let mut blank = Vec::new();
    GrayImage::from_pixel(200, 200, Luma([255]))
        .write_to(&mut Cursor::new(&mut blank), ImageFormat::Png)
        .unwrap();
    assert_eq!(
        decode_image(&blank).unwrap_err().kind(),
        ErrorKind::Scan(ScanErrorKind::NoQrFound)
    );
    // Wider than the scanner accepts (a small file that would decode to a huge image).
    let mut wide = Vec::new();
    GrayImage::from_pixel(20_000, 1, Luma([255]))
        .write_to(&mut Cursor::new(&mut wide), ImageFormat::Png)
        .unwrap();
    assert_eq!(
        decode_image(&wide).unwrap_err().kind(),
        ErrorKind::Scan(ScanErrorKind::ImageTooLarge)
    );
}
