//! The `CIV1:` payload codec: exact round trips on realistic and odd input, and every
//! rejection with its own error.

// Helpers outside #[test] functions may unwrap and panic too: this is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write as _;

use civitas_exchange::qr::{
    Base45Error, Base45ErrorKind, FrameError, FrameErrorKind, MultipartErrorKind, ScanErrorKind,
    TextError, TextErrorKind,
};
use civitas_exchange::qr::{
    Error, ErrorKind, MAX_INFLATED_LEN, MAX_TEXT_LEN, decode_payload, encode_payload,
};
use common::{Kind, Spec, b64, presentation, random_spec};
use proptest::prelude::*;

fn assert_round_trip(p: &str) {
    let text = encode_payload(p);
    assert!(text.starts_with("CIV1:"));
    assert!(
        text.bytes()
            .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b)),
        "outside the QR alphanumeric set: {text}"
    );
    assert_eq!(decode_payload(&text).unwrap(), p);
}

// ---------------------------------------------------------------- round trips

#[test]
fn realistic_presentations_round_trip() {
    for seed in 0..100 {
        assert_round_trip(&presentation(seed, &random_spec(seed)));
    }
}

#[test]
fn golden_vector_decodes() {
    // Written by `measure::write_golden_vectors` with format 1. The decoder must read it
    // forever; the encoder may produce other (equally valid) deflate streams if zlib-rs
    // changes, so only the decoding direction is pinned.
    let presentation = include_str!("../testdata/pid_two_claims.sd-jwt");
    let civ1 = include_str!("../testdata/pid_two_claims.civ1");
    assert_eq!(decode_payload(civ1).unwrap(), presentation);
}

#[test]
fn scanner_line_endings_are_tolerated() {
    let p = presentation(3, &Spec::pid_two_claims());
    let text = encode_payload(&p);
    for ending in ["\n", "\r\n", "\r", "\r\n\r\n"] {
        assert_eq!(decode_payload(&format!("{text}{ending}")).unwrap(), p);
    }
}

/// Ways to make a real presentation odd.
fn mutate(p: &str, how: u8, extra: &str) -> String {
    let parts: Vec<&str> = p.split('~').collect();
    match how % 12 {
        // Padding on the issuer JWT's signature.
        0 => p.replacen("~", "==~", 1),
        // A non-canonical last character (stray trailing bits) on the signature.
        1 => {
            let first = parts[0];
            let mut chars: Vec<char> = first.chars().collect();
            let last = chars.len() - 1;
            chars[last] = 'B';
            let mut out: String = chars.into_iter().collect();
            for part in &parts[1..] {
                out.push('~');
                out.push_str(part);
            }
            out
        }
        // Trailing and repeated `~`, empty parts.
        2 => format!("{p}~~"),
        3 => p.replace('~', "~~"),
        4 => format!("~{p}."),
        // A pretty-printed header with Unicode and escapes in a disclosure.
        5 => {
            let header = b64("{\n  \"alg\": \"ES256\",\n  \"typ\": \"dc+sd-jwt\"\n}");
            let disclosure = b64(serde_json::to_string(&serde_json::json!([
                "c2FsdHNhbHRzYWx0c2FsdA",
                "given_name",
                format!("Zoë \"陳美玲\" \\ {extra}")
            ]))
            .unwrap());
            format!(
                "{header}.{}~{disclosure}~",
                &p[p.find('.').unwrap() + 1..p.find('~').unwrap()]
            )
        }
        // Unicode and arbitrary text spliced in.
        6 => format!("{extra}{p}"),
        7 => p.replacen('.', &format!(".{extra}."), 1),
        // Non-JSON, non-UTF-8 bytes base64url-encoded where JSON was.
        8 => format!(
            "{}.{}",
            b64(extra
                .as_bytes()
                .iter()
                .map(|b| b ^ 0xA5)
                .collect::<Vec<u8>>()),
            p
        ),
        // Whitespace, as if copied from an e-mail.
        9 => format!(" {p}\n"),
        // Cut short.
        10 => p[..p.len() / 2].to_owned(),
        // Mixed-case and lookalike base64 (standard alphabet `+` and `/`).
        _ => p.replace('-', "+").replace('_', "/"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn odd_presentations_round_trip(seed in any::<u64>(), how in any::<u8>(), extra in "\\PC{0,20}") {
        let p = mutate(&presentation(seed, &random_spec(seed)), how, &extra);
        let text = encode_payload(&p);
        prop_assert_eq!(decode_payload(&text).unwrap(), p);
    }

    #[test]
    fn any_text_round_trips(s in any::<String>()) {
        prop_assert_eq!(decode_payload(&encode_payload(&s)).unwrap(), s);
    }

    #[test]
    fn base64ish_text_round_trips(s in "[A-Za-z0-9_=~.+/-]{0,400}") {
        prop_assert_eq!(decode_payload(&encode_payload(&s)).unwrap(), s);
    }

    #[test]
    fn json_with_any_strings_round_trips(
        strings in proptest::collection::vec(any::<String>(), 0..6),
        blobs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..70), 0..6),
    ) {
        // JSON whose strings are text or base64url of random blobs of any length.
        let mut values: Vec<serde_json::Value> = strings.into_iter().map(Into::into).collect();
        values.extend(blobs.iter().map(|b| b64(b).into()));
        let json = serde_json::to_string(&values).unwrap();
        let p = format!("{}.{}~{}~", b64(&json), b64(json.as_bytes().iter().rev().copied().collect::<Vec<u8>>()), b64(&json));
        prop_assert_eq!(decode_payload(&encode_payload(&p)).unwrap(), p);
    }

    #[test]
    fn junk_never_panics(s in "CIV1:[0-9A-Z $%*+./:-]{0,300}") {
        let _ = decode_payload(&s);
    }
}

#[test]
fn odd_inputs_fall_back_to_raw_mode_and_cost_little() {
    // Plain text is carried raw: hardly longer than deflate alone.
    let format = |text: &str| base45::decode(&text[5..]).unwrap()[0];
    let text = "Not an SD-JWT at all — just a note: ünïcödé, 🎫, ~ and . everywhere ~~..";
    assert_round_trip(text);
    assert_eq!(format(&encode_payload(text)), 0x02, "raw format");
    assert_eq!(
        format(&encode_payload(&presentation(1, &Spec::pid_two_claims()))),
        0x01,
        "compact format"
    );
    assert_round_trip("");
    assert_round_trip("~");
    // A presentation packs much better than as raw text.
    let p = presentation(
        4,
        &Spec {
            kind: Kind::Medical,
            disclose: 5,
            decoys: 3,
            key_binding: true,
        },
    );
    assert!(encode_payload(&p).len() < p.len() * 2 / 3);
}

// ---------------------------------------------------------------- rejections

/// A `CIV1:` text around a hand-made frame.
fn civ1(frame: &[u8]) -> String {
    format!("CIV1:{}", base45::encode(frame))
}

/// Raw deflate without dictionary (valid input to our inflater, which sets the
/// dictionary but does not require the stream to use it).
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn kind(text: &str) -> ErrorKind {
    match decode_payload(text) {
        Ok(p) => panic!("accepted: {p:?}"),
        Err(e) => {
            // Every error renders to a message and has a stable code.
            assert!(!e.to_string().is_empty());
            assert!(e.code().starts_with("qr."));
            e.kind()
        }
    }
}

#[test]
fn too_long_text() {
    let text = format!("CIV1:{}", "A".repeat(MAX_TEXT_LEN));
    match decode_payload(&text) {
        Err(Error::Text(TextError::TextTooLong { len, max })) => {
            assert_eq!((len, max), (MAX_TEXT_LEN + 5, MAX_TEXT_LEN))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn keyboard_wedge_junk() {
    let good = encode_payload(&presentation(5, &Spec::pid_two_claims()));
    // Non-ASCII (a scanner on the wrong code page).
    match decode_payload(&good.replacen('A', "Ä", 1)) {
        Err(Error::Text(TextError::NonAscii { position })) => assert!(position >= 5),
        other => panic!("{other:?}"),
    }
    // Control characters: a tab, an escape sequence, a CR in the middle, NUL, DEL.
    for junk in ["\t", "\x1b[A", "\r", "\0", "\x7f"] {
        let mut text = good.clone();
        text.insert_str(20, junk);
        match decode_payload(&text) {
            Err(Error::Text(TextError::ControlCharacter { position: 20, byte })) => {
                assert_eq!(byte, junk.as_bytes()[0])
            }
            other => panic!("{junk:?}: {other:?}"),
        }
    }
    // Binary junk.
    assert_eq!(
        kind("CIV1:\u{1}\u{2}\u{3}"),
        ErrorKind::Text(TextErrorKind::ControlCharacter)
    );
    assert_eq!(
        kind("\u{feff}CIV1:AB"),
        ErrorKind::Text(TextErrorKind::NonAscii)
    );
}

#[test]
fn wrong_prefix() {
    for (text, found) in [
        ("HC1:6BFOXN", "HC1:6"),
        ("civ1:ABC", "civ1:"),
        ("CIV2:ABC", "CIV2:"),
        ("CIV", "CIV"),
        ("", ""),
        (" CIV1:AB", " CIV1"),
    ] {
        match decode_payload(text) {
            Err(Error::Text(TextError::WrongPrefix { found: f })) => assert_eq!(f, found),
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[test]
fn part_of_a_sequence() {
    match decode_payload("CIV1-2/3-0A0B0C0D:BB8") {
        Err(Error::Text(TextError::PartOfSequence { index: 2, total: 3 })) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        kind("CIV1-2/3:BB8"),
        ErrorKind::Multipart(MultipartErrorKind::PartHeader)
    );
}

#[test]
fn empty_payload() {
    assert_eq!(kind("CIV1:"), ErrorKind::Text(TextErrorKind::EmptyPayload));
    assert_eq!(
        kind("CIV1:\r\n"),
        ErrorKind::Text(TextErrorKind::EmptyPayload)
    );
}

#[test]
fn broken_base45() {
    let good = encode_payload(&presentation(6, &Spec::pid_two_claims()));
    // Lower case is not Base45 (Caps Lock, or a scanner's case conversion).
    match decode_payload(&good.to_lowercase().replacen("civ1", "CIV1", 1)) {
        Err(Error::Base45(Base45Error::Base45InvalidChar { position, ch })) => {
            assert!(position >= 5);
            assert!(ch.is_ascii_lowercase());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        kind("CIV1:AB#"),
        ErrorKind::Base45(Base45ErrorKind::Base45InvalidChar)
    );
    match decode_payload("CIV1:BB8GGW") {
        Err(Error::Base45(Base45Error::Base45Triplet {
            position: 8,
            value: 65536,
        })) => {}
        other => panic!("{other:?}"),
    }
    match decode_payload("CIV1:BB8::") {
        Err(Error::Base45(Base45Error::Base45Pair {
            position: 8,
            value: 2024,
        })) => {}
        other => panic!("{other:?}"),
    }
    // A character lost: the length is 1 modulo 3.
    let l = good.len() - 5;
    let cut = &good[..5 + if l.is_multiple_of(3) { l - 2 } else { l - 1 }];
    assert_eq!(
        kind(cut),
        ErrorKind::Base45(Base45ErrorKind::Base45Dangling)
    );
}

#[test]
fn unsupported_format() {
    let mut frame = vec![0x07];
    frame.extend(deflate(b"x"));
    match decode_payload(&civ1(&frame)) {
        Err(Error::Frame(FrameError::UnsupportedFormat(0x07))) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn deflate_bomb_is_refused() {
    // 8 MiB of zeros deflate to about 8 KiB: a valid text under the length limit.
    let mut frame = vec![0x02];
    frame.extend(deflate(&vec![0u8; 8 << 20]));
    let text = civ1(&frame);
    assert!(text.len() <= MAX_TEXT_LEN, "{}", text.len());
    match decode_payload(&text) {
        Err(Error::Frame(FrameError::InflatedTooLarge { max })) => {
            assert_eq!(max, MAX_INFLATED_LEN)
        }
        other => panic!("{other:?}"),
    }
    // In the compact format too.
    frame[0] = 0x01;
    assert_eq!(
        kind(&civ1(&frame)),
        ErrorKind::Frame(FrameErrorKind::InflatedTooLarge)
    );
}

#[test]
fn corrupt_deflate() {
    let body = deflate(b"a raw text payload that is long enough to be cut in two places");
    let frame = |d: &[u8]| civ1(&[&[0x02][..], d].concat());
    // Block type 3 is reserved.
    assert_eq!(
        kind(&frame(&[0xFF, 0xFF])),
        ErrorKind::Frame(FrameErrorKind::Deflate)
    );
    assert_eq!(
        kind(&frame(&body[..body.len() / 2])),
        ErrorKind::Frame(FrameErrorKind::DeflateTruncated)
    );
    let mut junk = body.clone();
    junk.extend_from_slice(&[1, 2, 3]);
    match decode_payload(&frame(&junk)) {
        Err(Error::Frame(FrameError::TrailingData(3))) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_bodies() {
    // The raw format must hold UTF-8.
    let frame = [&[0x02][..], &deflate(&[0x66, 0x6F, 0xFF])].concat();
    match decode_payload(&civ1(&frame)) {
        Err(Error::Frame(FrameError::MalformedBody {
            position: 2,
            reason,
        })) => assert!(reason.contains("UTF-8")),
        other => panic!("{other:?}"),
    }
    // The compact format: an unknown item tag, pool bytes nothing refers to.
    let frame = [&[0x01][..], &deflate(&[0x00])].concat();
    assert_eq!(
        kind(&civ1(&frame)),
        ErrorKind::Frame(FrameErrorKind::MalformedBody)
    );
    let frame = [&[0x01][..], &deflate(&[0xF3]), &[0xAA]].concat();
    assert_eq!(
        kind(&civ1(&frame)),
        ErrorKind::Frame(FrameErrorKind::TrailingData)
    );
}

#[test]
fn error_codes_are_stable() {
    assert_eq!(
        ErrorKind::Base45(Base45ErrorKind::Base45Triplet).as_str(),
        "qr.base45_triplet"
    );
    assert_eq!(
        ErrorKind::Frame(FrameErrorKind::InflatedTooLarge).as_str(),
        "qr.inflated_too_large"
    );
    assert_eq!(
        ErrorKind::Scan(ScanErrorKind::NoQrFound).to_string(),
        "qr.no_qr_found"
    );
}
