//! Notes and checkpoints made here, and fixtures named after their defects.

use super::*;

#[test]
fn signed_checkpoints_round_trip_and_carry_cosignatures() {
    let log = test_signer("ledger.civitas.example/log", 1);
    let witness = test_signer("witness.civitas.example/w1", 2);
    let mut checkpoint =
        Checkpoint::new("ledger.civitas.example/log", 42, leaf_hash(b"root")).unwrap();
    checkpoint.extensions.push("extension line".into());
    let text = log.sign_checkpoint(&checkpoint).unwrap();
    let mut note = SignedNote::parse(&text).unwrap();
    assert_eq!(note.to_string(), text);
    note.add_signature(&witness).unwrap();
    note.add_signature(&witness).unwrap(); // replaces, does not duplicate
    assert_eq!(note.signatures().len(), 2);

    let log_key = log.verifier().unwrap();
    let witness_key = witness.verifier().unwrap();
    let reparsed = SignedNote::parse(&note.to_string()).unwrap();
    assert_eq!(
        reparsed
            .verify_required(&log_key, std::slice::from_ref(&witness_key))
            .unwrap(),
        vec![&log_key, &witness_key]
    );
    assert_eq!(reparsed.verify_checkpoint(&log_key).unwrap(), checkpoint);
    // Signed by the witness only: the log's signature is required.
    let witness_only = witness.sign(&checkpoint.to_text().unwrap()).unwrap();
    let witness_only = SignedNote::parse(&witness_only).unwrap();
    assert!(matches!(
        witness_only.verify_required(&log_key, std::slice::from_ref(&witness_key)),
        Err(Error::MissingSignature { .. })
    ));
    assert!(matches!(
        witness_only.verify_checkpoint(&log_key),
        Err(Error::MissingSignature { .. })
    ));
    // The verifier key string round-trips and matches the key ID rule.
    let vkey = log_key.to_vkey();
    assert_eq!(NoteVerifier::parse(&vkey).unwrap(), log_key);
    let public: [u8; 32] = log_key.public_key().as_bytes().try_into().unwrap();
    assert_eq!(
        ed25519_key_id("ledger.civitas.example/log", &public),
        log_key.key_id()
    );
}

#[test]
fn tampered_note_signed_by_known_key_is_refused() {
    let log = test_signer("log.example", 3);
    let checkpoint = Checkpoint::new("log.example", 7, leaf_hash(b"r")).unwrap();
    let text = log.sign_checkpoint(&checkpoint).unwrap();
    let key = log.verifier().unwrap();
    let tampered = text.replacen("\n7\n", "\n8\n", 1);
    assert!(matches!(
        Checkpoint::open(&tampered, &key),
        Err(Error::BadSignature { .. })
    ));
    // A note signed by another key under the same name is from an unknown key.
    let impostor = test_signer("log.example", 4);
    let forged = impostor.sign_checkpoint(&checkpoint).unwrap();
    assert!(matches!(
        Checkpoint::open(&forged, &key),
        Err(Error::MissingSignature { .. })
    ));
}

#[test]
fn es256_keys_cannot_sign_notes() {
    let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(5)).unwrap();
    assert!(matches!(
        NoteSigner::new("log.example", key),
        Err(Error::UnsupportedAlgorithm(Algorithm::Es256))
    ));
}

#[test]
fn invalid_key_names_are_refused() {
    for name in [
        "",
        "has space",
        "has+plus",
        "tab\there",
        "nbsp\u{a0}here",
        "line\n",
    ] {
        let key = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(6)).unwrap();
        assert!(
            matches!(NoteSigner::new(name, key), Err(Error::InvalidKeyName(_))),
            "{name:?}"
        );
    }
}

#[test]
fn malformed_checkpoint_bodies_are_refused() {
    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let good = format!("example.com/log\n10\n{root}\n");
    Checkpoint::parse(&good).unwrap();
    let cases = [
        (
            "missing_final_newline",
            format!("example.com/log\n10\n{root}"),
        ),
        ("two_lines", "example.com/log\n10\n".to_owned()),
        ("empty_origin", format!("\n10\n{root}\n")),
        (
            "size_with_leading_zero",
            format!("example.com/log\n010\n{root}\n"),
        ),
        (
            "size_with_plus_sign",
            format!("example.com/log\n+10\n{root}\n"),
        ),
        ("size_negative", format!("example.com/log\n-1\n{root}\n")),
        ("size_empty", format!("example.com/log\n\n{root}\n")),
        (
            "size_overflows_u64",
            format!("example.com/log\n18446744073709551616\n{root}\n"),
        ),
        ("size_with_space", format!("example.com/log\n10 \n{root}\n")),
        (
            "root_unpadded",
            format!("example.com/log\n10\n{}\n", root.trim_end_matches('=')),
        ),
        (
            "root_url_safe_alphabet",
            "example.com/log\n10\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n".to_owned(),
        ),
        (
            "root_31_bytes",
            format!("example.com/log\n10\n{}\n", STANDARD.encode([7u8; 31])),
        ),
        (
            "root_33_bytes",
            format!("example.com/log\n10\n{}\n", STANDARD.encode([7u8; 33])),
        ),
        (
            "root_non_canonical_trailing_bits",
            "example.com/log\n10\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".to_owned(),
        ),
        (
            "empty_extension_line",
            format!("example.com/log\n10\n{root}\n\n"),
        ),
        (
            "crlf_line_endings",
            format!("example.com/log\r\n10\r\n{root}\r\n"),
        ),
        (
            "control_character_in_extension",
            format!("example.com/log\n10\n{root}\nx\x07\n"),
        ),
    ];
    for (defect, body) in cases {
        assert!(
            matches!(Checkpoint::parse(&body), Err(Error::MalformedCheckpoint(_))),
            "{defect} accepted"
        );
    }
    // Size 0 is written "0"; extension lines survive a round trip.
    let zero = Checkpoint::parse(&format!("o\n0\n{root}\nextension\n")).unwrap();
    assert_eq!((zero.size, zero.extensions.len()), (0, 1));
    assert_eq!(
        zero.to_text().unwrap(),
        format!("o\n0\n{root}\nextension\n")
    );
    // Building one with a two-line origin fails.
    assert!(Checkpoint::new("two\nlines", 1, leaf_hash(b"")).is_err());
}

#[test]
fn malformed_notes_are_refused() {
    let signer = test_signer("log.example", 8);
    let good = signer.sign("hello\n").unwrap();
    SignedNote::parse(&good).unwrap();
    let line = good.strip_prefix("hello\n\n").unwrap().trim_end();
    let (_, encoded) = line.rsplit_once(' ').unwrap();
    let cases = [
        ("no_blank_line", format!("hello\n{line}\n")),
        ("no_signature_lines", "hello\n\n".to_owned()),
        (
            "hyphen_instead_of_em_dash",
            format!("hello\n\n- log.example {encoded}\n"),
        ),
        (
            "no_space_after_dash",
            format!("hello\n\n\u{2014}log.example {encoded}\n"),
        ),
        (
            "two_spaces_before_signature",
            format!("hello\n\n\u{2014} log.example  {encoded}\n"),
        ),
        ("trailing_space", format!("hello\n\n{line} \n")),
        (
            "tab_separator",
            format!("hello\n\n\u{2014} log.example\t{encoded}\n"),
        ),
        (
            "plus_in_key_name",
            format!("hello\n\n\u{2014} log+example {encoded}\n"),
        ),
        (
            "unpadded_signature",
            format!(
                "hello\n\n\u{2014} log.example {}\n",
                encoded.trim_end_matches('=')
            ),
        ),
        (
            "url_safe_signature",
            format!(
                "hello\n\n\u{2014} log.example {}\n",
                encoded.replace(['+', '/'], "-")
            ),
        ),
        (
            "signature_of_four_bytes",
            format!(
                "hello\n\n\u{2014} log.example {}\n",
                STANDARD.encode([1, 2, 3, 4])
            ),
        ),
        ("line_after_signatures", format!("{good}trailing\n")),
        ("missing_final_newline", good.trim_end().to_owned()),
        ("carriage_return", good.replace("hello\n", "hello\r\n")),
        (
            "too_large",
            format!("{}\n\n{line}\n", "x".repeat(300 * 1024)),
        ),
    ];
    for (defect, note) in cases {
        assert!(
            matches!(SignedNote::parse(&note), Err(Error::MalformedNote(_))),
            "{defect} accepted"
        );
    }
    // Texts that cannot be signed.
    for text in ["no newline", "tab\there\n", ""] {
        assert!(
            matches!(signer.sign(text), Err(Error::MalformedNote(_))),
            "{text:?}"
        );
    }
    // A text may itself hold blank lines, even at its end.
    for text in ["a\n\nb\n", "a\n\n", "\n"] {
        let note = signer.sign(text).unwrap();
        let parsed = SignedNote::parse(&note).unwrap();
        assert_eq!(parsed.text(), text);
        parsed.verify(&[signer.verifier().unwrap()]).unwrap();
    }
}

/// Issue 11, finding 7: a node-supplied `time` line is parsed strictly, so an age
/// computed from it cannot overflow; anything else is no time at all.
#[test]
fn a_checkpoint_time_is_plain_decimal_within_range() {
    let log = test_signer("ledger.civitas.example/civitas-ledger", 3);
    let time_of = |line: &str| {
        let mut cp =
            Checkpoint::new("ledger.civitas.example/civitas-ledger", 1, leaf_hash(b"x")).unwrap();
        cp.extensions.push(line.to_string());
        let note = log.sign_checkpoint(&cp).unwrap();
        assert_eq!(
            civitas_ledger::checkpoint_time(&note),
            cp.time(),
            "the store reads the same time: {line}"
        );
        cp.time()
    };
    assert_eq!(time_of("time 1795600800"), Some(1_795_600_800));
    assert_eq!(time_of("time 0"), Some(0));
    assert_eq!(
        time_of("time 253402300799"),
        Some(civitas_ledger::checkpoint::MAX_CHECKPOINT_TIME)
    );
    for bad in [
        "time -9223372036854775808",
        "time 9223372036854775807",
        "time 99999999999999999999999",
        "time 253402300800",
        "time +5",
        "time -5",
        "time 007",
        "time 1.5",
        "time ",
        "time  5",
        "time 5 ",
        "times 5",
    ] {
        assert_eq!(time_of(bad), None, "{bad}");
    }
}
