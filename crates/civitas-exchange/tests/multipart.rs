//! Multi-part sequences: splitting, assembling in any order, and the refusals.

// Helpers outside #[test] functions may unwrap and panic too: this is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use civitas_exchange::qr::{
    Assembler, EccLevel, Error, ErrorKind, HARD_MAX_VERSION, MAX_PARTS, QrOptions, decode_payload,
    encode_parts, min_version,
};
use civitas_exchange::qr::{
    Base45ErrorKind, MultipartError, MultipartErrorKind, RenderError, RenderErrorKind,
    TextErrorKind,
};
use common::{Kind, Spec, presentation};
use rand::SeedableRng;
use rand::seq::SliceRandom;

/// A presentation too large for version 25: a PID with everything disclosed, plenty of
/// decoys, and a medical summary after it (as a wallet bundling two credentials would
/// not, but as a stress case).
fn large_presentation() -> String {
    let pid = presentation(
        11,
        &Spec {
            kind: Kind::Pid,
            disclose: 8,
            decoys: 20,
            key_binding: false,
        },
    );
    let med = presentation(
        12,
        &Spec {
            kind: Kind::Medical,
            disclose: 5,
            decoys: 20,
            key_binding: true,
        },
    );
    format!("{pid}{med}")
}

#[test]
fn small_presentations_stay_single() {
    let p = presentation(1, &Spec::pid_two_claims());
    let parts = encode_parts(&p, &QrOptions::default()).unwrap();
    assert_eq!(parts.len(), 1);
    assert!(parts[0].starts_with("CIV1:"));
    assert_eq!(decode_payload(&parts[0]).unwrap(), p);
}

#[test]
fn large_presentations_split_and_assemble_in_any_order() {
    let p = large_presentation();
    let options = QrOptions::default();
    let parts = encode_parts(&p, &options).unwrap();
    assert!(parts.len() >= 2, "{} parts", parts.len());
    let n = parts.len();
    for (k, part) in parts.iter().enumerate() {
        assert!(
            part.starts_with(&format!("CIV1-{}/{n}-", k + 1)),
            "{}",
            &part[..20]
        );
        let v = min_version(part, EccLevel::M).unwrap();
        assert!(v <= 25, "part {} needs version {v}", k + 1);
        // A part alone is not a payload.
        assert_eq!(
            decode_payload(part).unwrap_err().kind(),
            ErrorKind::Text(TextErrorKind::PartOfSequence)
        );
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..5 {
        let mut order = parts.clone();
        order.shuffle(&mut rng);
        let mut assembler = Assembler::new();
        assert!(assembler.progress().is_none());
        for (i, part) in order.iter().enumerate() {
            let progress = assembler.add(part).unwrap();
            assert_eq!(usize::from(progress.received), i + 1);
            assert_eq!(usize::from(progress.total), n);
            assert_eq!(usize::from(progress.missing()), n - i - 1);
            assert!(!progress.duplicate);
        }
        assert!(assembler.is_complete());
        assert_eq!(assembler.finish().unwrap(), p);
    }
}

#[test]
fn duplicates_missing_parts_and_trailing_newlines() {
    let p = large_presentation();
    let parts = encode_parts(&p, &QrOptions::default()).unwrap();
    let n = parts.len() as u16;
    let mut assembler = Assembler::new();
    assert!(matches!(
        assembler.finish(),
        Err(Error::Multipart(MultipartError::MissingParts {
            total: 0,
            ..
        }))
    ));
    assembler
        .add(&format!("{}\r\n", parts[n as usize - 1]))
        .unwrap();
    let again = assembler.add(&parts[n as usize - 1]).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.received, 1);
    assert_eq!(assembler.missing(), (1..n).collect::<Vec<u16>>());
    match assembler.finish() {
        Err(Error::Multipart(MultipartError::MissingParts { total, missing })) => {
            assert_eq!(total, n);
            assert_eq!(missing, (1..n).collect::<Vec<u16>>());
        }
        other => panic!("{other:?}"),
    }
    let message = assembler.finish().unwrap_err().to_string();
    assert!(
        message.contains(&format!("{} of {n} QR parts still missing", n - 1)),
        "{message}"
    );
}

#[test]
fn parts_of_two_sequences_do_not_mix() {
    let a = encode_parts(&large_presentation(), &QrOptions::default()).unwrap();
    let b = encode_parts(&format!("{}~", large_presentation()), &QrOptions::default()).unwrap();
    let mut assembler = Assembler::new();
    assembler.add(&a[0]).unwrap();
    match assembler.add(&b[1]) {
        Err(Error::Multipart(MultipartError::SequenceMismatch {
            checksum,
            got_checksum,
            ..
        })) => assert_ne!(checksum, got_checksum),
        other => panic!("{other:?}"),
    }
    // A single code does not mix with a sequence either.
    let single = encode_parts("short", &QrOptions::default()).unwrap();
    assert_eq!(
        assembler.add(&single[0]).unwrap_err().kind(),
        ErrorKind::Multipart(MultipartErrorKind::SequenceMismatch)
    );
    // The refused parts changed nothing.
    assert_eq!(assembler.progress().unwrap().received, 1);
    for part in &a[1..] {
        assembler.add(part).unwrap();
    }
    assert_eq!(assembler.finish().unwrap(), large_presentation());
    assembler.reset();
    assert!(assembler.progress().is_none());
}

/// Replaces the data of a part by other Base45 of the same length.
fn tamper(part: &str) -> String {
    let colon = part.find(':').unwrap();
    let data = &part[colon + 1..];
    let mut bytes = base45::decode(data).unwrap();
    bytes[0] ^= 0x01;
    format!("{}:{}", &part[..colon], base45::encode(&bytes))
}

#[test]
fn conflicting_and_corrupt_parts() {
    let parts = encode_parts(&large_presentation(), &QrOptions::default()).unwrap();
    let mut assembler = Assembler::new();
    assembler.add(&parts[0]).unwrap();
    match assembler.add(&tamper(&parts[0])) {
        Err(Error::Multipart(MultipartError::ConflictingPart { index: 1 })) => {}
        other => panic!("{other:?}"),
    }
    // A corrupt part that arrives first is only caught by the checksum of the whole.
    let mut assembler = Assembler::new();
    assembler.add(&tamper(&parts[0])).unwrap();
    for part in &parts[1..] {
        assembler.add(part).unwrap();
    }
    assert!(matches!(
        assembler.finish(),
        Err(Error::Multipart(MultipartError::ChecksumMismatch))
    ));
    // Broken Base45 in a part.
    let broken = format!("{}a", &parts[1]);
    assert_eq!(
        Assembler::new().add(&broken).unwrap_err().kind(),
        ErrorKind::Base45(Base45ErrorKind::Base45InvalidChar)
    );
    assert_eq!(
        Assembler::new().add("HC1:ABC").unwrap_err().kind(),
        ErrorKind::Text(TextErrorKind::WrongPrefix)
    );
}

#[test]
fn a_single_code_assembles_at_once() {
    let p = presentation(2, &Spec::pid_two_claims());
    let parts = encode_parts(&p, &QrOptions::default()).unwrap();
    let mut assembler = Assembler::new();
    let progress = assembler.add(&parts[0]).unwrap();
    assert!(progress.is_complete());
    assert_eq!(progress.total, 1);
    assert_eq!(assembler.finish().unwrap(), p);
}

#[test]
fn never_version_40_and_bounded_part_count() {
    assert_eq!(
        encode_parts("x", &QrOptions::default().with_max_version(40))
            .unwrap_err()
            .kind(),
        ErrorKind::Render(RenderErrorKind::InvalidOption)
    );
    assert_eq!(
        encode_parts("x", &QrOptions::default().with_max_version(0))
            .unwrap_err()
            .kind(),
        ErrorKind::Render(RenderErrorKind::InvalidOption)
    );
    // At the highest allowed version, every part stays at or below it.
    let options = QrOptions::default().with_max_version(HARD_MAX_VERSION);
    let huge: String = (0..6)
        .map(|s| {
            presentation(
                s,
                &Spec {
                    kind: Kind::Pid,
                    disclose: 8,
                    decoys: 30,
                    key_binding: true,
                },
            )
        })
        .collect();
    for part in encode_parts(&huge, &options).unwrap() {
        assert!(min_version(&part, EccLevel::M).unwrap() <= HARD_MAX_VERSION);
    }
    // Too large even for MAX_PARTS parts of version 1.
    let tiny = QrOptions::default().with_max_version(1);
    match encode_parts(&large_presentation(), &tiny) {
        Err(Error::Render(RenderError::TooLargeForQr {
            max_version: 1,
            ecc: EccLevel::M,
        })) => {}
        other => panic!("{other:?}"),
    }
    // Small versions make many parts, all of them within bounds.
    let parts = encode_parts(
        &presentation(3, &Spec::pid_two_claims()),
        &QrOptions::default().with_max_version(10),
    )
    .unwrap();
    assert!(parts.len() > 2 && parts.len() <= usize::from(MAX_PARTS));
    let mut assembler = Assembler::new();
    for part in parts.iter().rev() {
        assert!(min_version(part, EccLevel::M).unwrap() <= 10);
        assembler.add(part).unwrap();
    }
    assert_eq!(
        assembler.finish().unwrap(),
        presentation(3, &Spec::pid_two_claims())
    );
}
