//! Measures what each stage of the codec buys, on realistic presentations. Run with
//! `cargo test -p civitas-exchange --lib measure -- --nocapture` to see the table.

#[path = "../../tests/common/mod.rs"]
mod common;

use super::compact::{self, Strings};
use super::dictionary::DICTIONARY_V1;
use super::frame::{FORMAT_COMPACT, FORMAT_RAW, deflate_with};
use super::{EccLevel, base45, encode_payload, min_version};
use common::{Kind, Spec, presentation};

struct Row {
    name: &'static str,
    chars: usize,
    version: u8,
}

fn civ1(format: u8, deflated: Vec<u8>) -> String {
    let mut frame = vec![format];
    frame.extend(deflated);
    format!("CIV1:{}", base45::encode(&frame))
}

fn rows(p: &str) -> Vec<Row> {
    let zlib = {
        // zlib alone, as HC1 would without its CBOR stage: zlib header and Adler-32.
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(p.as_bytes()).unwrap();
        format!("CIV1:{}", base45::encode(&e.finish().unwrap()))
    };
    let cases = [
        ("plain text (byte mode)", p.to_owned()),
        ("zlib + Base45", zlib),
        (
            "raw deflate + dictionary + Base45",
            civ1(
                FORMAT_RAW,
                deflate_with(p.as_bytes(), Some(DICTIONARY_V1)).unwrap(),
            ),
        ),
        ("compact form, all deflated, no dictionary", {
            // The compact form with its binary pool inline, as one deflate stream.
            let c = compact::encode(p, Strings::AlsoRandomLooking);
            civ1(
                FORMAT_COMPACT,
                deflate_with(&[c.items, c.pool].concat(), None).unwrap(),
            )
        }),
        ("compact form, pool apart, no dictionary", {
            let c = compact::encode(p, Strings::AlsoRandomLooking);
            civ1(
                FORMAT_COMPACT,
                [deflate_with(&c.items, None).unwrap(), c.pool].concat(),
            )
        }),
        ("CIV1 codec (compact + dictionary)", encode_payload(p)),
    ];
    cases
        .into_iter()
        .map(|(name, text)| Row {
            name,
            chars: text.len(),
            // 41: does not fit even in version 40.
            version: min_version(&text, EccLevel::M).unwrap_or(41),
        })
        .collect()
}

/// How the versions fall over `SEEDS` presentations of one spec: per encoding (the
/// order of [`rows`]), the worst version and how many seeds need each version.
struct Spread {
    worst: [u8; 6],
    /// `counts[i][v]`: seeds for which encoding `i` needs version `v` (41: does not fit).
    counts: [[u32; 42]; 6],
    /// Characters of our payload, summed over the seeds.
    total_chars: usize,
}

const SEEDS: u64 = 50;

impl Spread {
    fn of(spec: &Spec) -> Spread {
        let mut s = Spread {
            worst: [0; 6],
            counts: [[0; 42]; 6],
            total_chars: 0,
        };
        for seed in 0..SEEDS {
            let rows = rows(&presentation(seed, spec));
            for (i, r) in rows.iter().enumerate() {
                s.worst[i] = s.worst[i].max(r.version);
                s.counts[i][usize::from(r.version)] += 1;
            }
            s.total_chars += rows[5].chars;
        }
        s
    }

    /// Seeds for which encoding `i` fits in version `v` or lower.
    fn at_most(&self, i: usize, v: u8) -> u32 {
        self.counts[i][..=usize::from(v)].iter().sum()
    }

    /// "22×50": the versions our codec needs, with how many seeds need each.
    fn ours(&self) -> String {
        (0..=41)
            .filter(|&v| self.counts[5][v] > 0)
            .map(|v| format!("{v}×{}", self.counts[5][v]))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

// Row indices in [`rows`].
const PLAIN: usize = 0;
const ZLIB: usize = 1;
const OURS: usize = 5;

/// The README's "Figures" row for QR codes, held: "version 22 at ECC M for each of 50
/// seeds (plain text: 37; zlib + Base45: 31–32); all 8 PID claims: ≤ 25; medical
/// summary (5 claims): 22; service record (6 claims): 23". Prints the table, then asserts each figure so that a regression in the
/// codec (or in the presentation it is measured on) fails here.
#[test]
fn measure_qr_versions() {
    let spec = Spec::pid_two_claims();
    let p = presentation(1, &spec);
    println!(
        "\nPID presentation disclosing 2 claims (did:webvh issuer, 10 digests, KB-JWT): {} chars",
        p.len()
    );
    println!("{:<40} {:>6} {:>12}", "encoding", "chars", "version (M)");
    let table = rows(&p);
    for r in &table {
        println!("{:<40} {:>6} {:>12}", r.name, r.chars, r.version);
    }
    // Over many seeds and the three credential types.
    let mut spreads = Vec::new();
    for (kind, disclose) in [
        (Kind::Pid, 2),
        (Kind::Pid, 8),
        (Kind::Medical, 5),
        (Kind::Service, 6),
    ] {
        let spec = Spec {
            kind,
            disclose,
            decoys: 2,
            key_binding: true,
        };
        let s = Spread::of(&spec);
        println!(
            "{kind:?} disclosing {disclose}: worst version over {SEEDS} seeds (plain, zlib, \
             raw+dict, compact, compact+pool, ours; 41: not even version 40) = {:?}; ours: {} \
             chars on average, versions {}",
            s.worst,
            s.total_chars / SEEDS as usize,
            s.ours()
        );
        spreads.push(((kind, disclose), s));
    }
    let pid2 = &spreads[0].1;
    let pid8 = &spreads[1].1;

    // "22 at worst over 50 seeds".
    assert!(
        pid2.worst[OURS] <= 22,
        "PID, 2 claims: worst version {} > 22 (README: 22 at worst)",
        pid2.worst[OURS]
    );
    // "version 22 for every one of them": no seed needs more (the worst case above says
    // so too; this is the count the README gives).
    let at_22 = pid2.at_most(OURS, 22);
    assert_eq!(
        at_22, SEEDS as u32,
        "PID, 2 claims: only {at_22} of {SEEDS} seeds fit in version 22 (README: all of them)"
    );
    // "all 8 PID claims: ≤ 25".
    assert!(
        pid8.worst[OURS] <= 25,
        "PID, 8 claims: worst version {} > 25 (README: ≤ 25)",
        pid8.worst[OURS]
    );
    // The comparisons: plain text needs version 37, zlib + Base45 31–32 (the single
    // presentation of the table: 37 and 31). Both are properties of the presentation
    // rather than of our codec; they are asserted so that the README's comparison stays
    // the one measured.
    assert_eq!(table[PLAIN].version, 37, "plain text, seed 1");
    assert_eq!(table[ZLIB].version, 31, "zlib + Base45, seed 1");
    assert_eq!(
        pid2.worst[PLAIN], 37,
        "plain text, worst over {SEEDS} seeds"
    );
    assert!(
        (31..=32).contains(&pid2.worst[ZLIB]),
        "zlib + Base45, worst over {SEEDS} seeds: {}",
        pid2.worst[ZLIB]
    );
    // Our codec beats every other stage on every spec, at worst.
    for ((kind, disclose), s) in &spreads {
        for (i, other) in table.iter().enumerate().take(OURS) {
            assert!(
                s.worst[OURS] < s.worst[i],
                "{kind:?} disclosing {disclose}: ours (version {}) is not smaller than {} \
                 (version {})",
                s.worst[OURS],
                other.name,
                s.worst[i]
            );
        }
    }
    // The other two credential types.
    let medical = &spreads[2].1;
    let service = &spreads[3].1;
    assert!(
        medical.worst[OURS] <= 22,
        "medical summary, 5 claims: worst version {} > 22",
        medical.worst[OURS]
    );
    assert!(
        service.worst[OURS] <= 23,
        "service record, 6 claims: worst version {} > 23",
        service.worst[OURS]
    );
    assert!(table[OURS].version <= 22);
    assert!(table[OURS].chars < table[ZLIB].chars);
}

#[test]
#[ignore = "writes the golden vectors into testdata/; run by hand after a format change"]
fn write_golden_vectors() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata");
    let p = presentation(2025, &Spec::pid_two_claims());
    std::fs::write(format!("{dir}/pid_two_claims.sd-jwt"), &p).unwrap();
    std::fs::write(format!("{dir}/pid_two_claims.civ1"), encode_payload(&p)).unwrap();
}
