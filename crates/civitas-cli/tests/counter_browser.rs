//! The counter's web page in headless Chromium (Debian `chromium`, driven by
//! `playwright-core`): the QR code shown to a fake webcam (a .y4m video made from the
//! PNG `civitas qr encode` renders), and by photo upload; the verdict appears on the
//! page. The page is opened at the clerk's address `counter serve` printed (with this
//! run's token); without the token it is refused. Setup: `bash
//! crates/civitas-cli/tests/browser/setup.sh`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use civitas_exchange::openid4vp::RequestUrl;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{did_create, ok, p, serve_counter};

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// A 1280×960 YUV 4:2:0 video of the QR code, scaled to 880 px, on white.
fn y4m(png: &Path, out: &Path) {
    let img = image::open(png).unwrap().into_luma8();
    let (w, h, side) = (1280u32, 960u32, 880u32);
    let (x0, y0) = ((w - side) / 2, (h - side) / 2);
    let mut y = vec![255u8; (w * h) as usize];
    for yy in 0..side {
        for xx in 0..side {
            let sx = xx * img.width() / side;
            let sy = yy * img.height() / side;
            y[((y0 + yy) * w + x0 + xx) as usize] = img.get_pixel(sx, sy)[0];
        }
    }
    let chroma = vec![128u8; (w * h / 4) as usize];
    let mut data = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    for _ in 0..3 {
        data.extend_from_slice(b"FRAME\n");
        data.extend_from_slice(&y);
        data.extend_from_slice(&chroma);
        data.extend_from_slice(&chroma);
    }
    std::fs::write(out, data).unwrap();
}

fn current_request(base: &str, token: &str) -> (String, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let r: Value = reqwest::blocking::Client::new()
        .get(format!("{base}/request"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let RequestUrl::ByValue(req) = RequestUrl::parse(r["url"].as_str().unwrap()).unwrap() else {
        panic!()
    };
    (
        req.nonce().to_string(),
        req.client_id().as_str().to_string(),
    )
}

fn drive(mode: &str, base: &str, file: &str) -> Value {
    assert!(
        browser_dir().join("node_modules/playwright-core").exists(),
        "run `bash crates/civitas-cli/tests/browser/setup.sh`"
    );
    let o = Command::new("node")
        .arg(browser_dir().join("counter_page.mjs"))
        .args([mode, base, file])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "chromium ({mode}): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn the_counter_page_reads_a_webcam_and_an_upload() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let db = p(d, "ledger.db");
    let issuer = did_create("issuers:city-hall", &p(d, "hall"), &db, None);
    ok(&["key", "generate", "-o", &p(d, "holder.jwk")]);
    std::fs::write(d.join("pid.json"), r#"{"given_name":"Mei-Ling","family_name":"Chen","birthdate":"1958-03-14","age_over_18":true,"personal_number":"A123456789"}"#).unwrap();
    let sd = ok(&[
        "issue",
        "--key",
        &p(d, "hall/signing.jwk"),
        "--issuer",
        &issuer,
        "--ledger",
        &db,
        "--vct",
        "pid",
        "--claims",
        &p(d, "pid.json"),
        "--holder",
        &p(d, "holder.jwk"),
    ]);
    std::fs::write(d.join("pid.sdjwt"), sd).unwrap();
    let (served, token) = serve_counter(&[
        "--claims",
        "age_over_18",
        "--trust",
        &issuer,
        "--ledger",
        &db,
    ]);
    let base = served.url.clone();
    let clerk_url = format!("{base}/?k={token}");
    // The page without the token: refused, nothing of the counter shown.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let refused = reqwest::blocking::get(format!("{base}/")).unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let show = |name: &str| {
        let (nonce, aud) = current_request(&base, &token);
        let pres = ok(&[
            "present",
            "--key",
            &p(d, "holder.jwk"),
            "--disclose",
            "age_over_18",
            "--nonce",
            &nonce,
            "--aud",
            &aud,
            &p(d, "pid.sdjwt"),
        ]);
        std::fs::write(d.join(format!("{name}.txt")), pres).unwrap();
        ok(&[
            "qr",
            "encode",
            &p(d, &format!("{name}.txt")),
            "-o",
            &p(d, &format!("{name}.png")),
        ]);
        d.join(format!("{name}.png"))
    };
    // 1. A fake webcam.
    let png = show("camera");
    y4m(&png, &d.join("camera.y4m"));
    let v = drive("camera", &clerk_url, &p(d, "camera.y4m"));
    assert_eq!(v["word"], "VALID", "{v}");
    assert!(
        v["claims"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "Over 18: yes"),
        "{v}"
    );
    // 2. A photo upload, for the next citizen (the nonce was renewed).
    let png = show("upload");
    let v = drive("upload", &clerk_url, png.to_str().unwrap());
    assert_eq!(v["word"], "VALID", "{v}");
    // 3. The same photo again: a replay, NOT VALID on the page.
    let v = drive("upload", &clerk_url, png.to_str().unwrap());
    assert_eq!(v["word"], "NOT VALID", "{v}");
    assert!(
        v["reason"].as_str().unwrap().contains("already used"),
        "{v}"
    );
}
