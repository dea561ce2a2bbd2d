//! C2SP signed-note and tlog-checkpoint: the specs' own examples, the
//! golang.org/x/mod/sumdb/note test vectors, sigsum-go's checkpoint vectors (including
//! a real sum.golang.org checkpoint), all checked in verbatim under `testdata/`, and
//! fixtures named after their defects.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail loudly too"
)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_ledger::checkpoint::{MAX_SIGNATURES, ed25519_key_id};
use civitas_ledger::{Checkpoint, Error, Hash, NoteSigner, NoteVerifier, SignedNote, leaf_hash};
use std::path::Path;

fn testdata(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The first fenced code block of a Markdown file, as the note it shows (its last line
/// gets back the newline the fence swallows).
fn first_code_block(markdown: &str) -> String {
    let start = markdown.find("```\n").unwrap() + 4;
    let len = markdown[start..].find("\n```").unwrap();
    format!("{}\n", &markdown[start..start + len])
}

/// The Go raw string literal that follows `marker` (e.g. "want := `").
fn go_raw_string(source: &str, marker: &str) -> String {
    let start = source.find(marker).unwrap_or_else(|| panic!("{marker:?}")) + marker.len();
    let len = source[start..].find('`').unwrap();
    source[start..start + len].to_owned()
}

/// The Go interpreted string literal that follows `marker` (e.g. `vkey := "`); the only
/// escape these vectors use is a trailing `\n`.
fn go_string(source: &str, marker: &str) -> String {
    let start = source.find(marker).unwrap_or_else(|| panic!("{marker:?}")) + marker.len();
    let len = source[start..].find('"').unwrap();
    source[start..start + len].replace("\\n", "\n")
}

fn test_signer(name: &str, seed: u64) -> NoteSigner {
    let key = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(seed)).unwrap();
    NoteSigner::new(name, key).unwrap()
}

// --- c2sp.org/signed-note ----------------------------------------------------------------

#[test]
fn c2sp_signed_note_example_parses() {
    let note = first_code_block(&testdata("c2sp/signed-note.md"));
    let parsed = SignedNote::parse(&note).unwrap();
    // The text keeps its inner blank line: the separator is the *last* blank line.
    assert_eq!(
        parsed.text(),
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    );
    let [signature] = parsed.signatures() else {
        panic!("one signature expected");
    };
    assert_eq!(signature.name, "quasimodo.example/salvatore");
    assert_eq!(signature.signature.len(), 64);
    assert_eq!(
        parsed.to_string(),
        note,
        "serializing gives the example back"
    );
}

#[test]
fn c2sp_signed_note_example_from_an_unknown_key_is_not_verified() {
    let note = SignedNote::parse(&first_code_block(&testdata("c2sp/signed-note.md"))).unwrap();
    // The spec does not publish the example's key. A key with the same name but
    // another key ID is an unknown key: ignored, so nothing verifies.
    let same_name = test_signer("quasimodo.example/salvatore", 1)
        .verifier()
        .unwrap();
    assert_ne!(same_name.key_id(), note.signatures()[0].key_id);
    assert!(matches!(
        note.verify(&[same_name]),
        Err(Error::NoValidSignature)
    ));
    assert!(matches!(note.verify(&[]), Err(Error::NoValidSignature)));
}

// --- c2sp.org/tlog-checkpoint ------------------------------------------------------------

#[test]
fn c2sp_tlog_checkpoint_example_parses() {
    let note = first_code_block(&testdata("c2sp/tlog-checkpoint.md"));
    let parsed = SignedNote::parse(&note).unwrap();
    let checkpoint = Checkpoint::parse(parsed.text()).unwrap();
    assert_eq!(checkpoint.origin, "example.com/behind-the-sofa");
    assert_eq!(checkpoint.size, 20_852_163);
    assert_eq!(
        STANDARD.encode(checkpoint.root.as_bytes()),
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    );
    assert!(checkpoint.extensions.is_empty());
    assert_eq!(checkpoint.to_text().unwrap(), parsed.text());
    // The log's key name matches the origin, as the spec recommends.
    assert_eq!(parsed.signatures()[0].name, checkpoint.origin);
    assert_eq!(parsed.to_string(), note);
}

// --- golang.org/x/mod/sumdb/note ---------------------------------------------------------

fn go_note_source() -> String {
    testdata("golang-mod/sumdb/note/note_test.go")
}

/// PeterNeumann's signer from the Go test's private key, `PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>`.
fn peter_signer(source: &str) -> NoteSigner {
    let skey = go_string(source, "skey := \"");
    let fields: Vec<&str> = skey.splitn(5, '+').collect();
    let [private, key, name, id, encoded] = fields[..] else {
        panic!("unexpected private key {skey}");
    };
    assert_eq!((private, key), ("PRIVATE", "KEY"));
    let blob = STANDARD.decode(encoded).unwrap();
    assert_eq!(blob[0], 0x01);
    let signer = NoteSigner::new(
        name,
        SigningKey::from_secret(Algorithm::EdDsa, &blob[1..]).unwrap(),
    )
    .unwrap();
    assert_eq!(format!("{:08x}", signer.key_id()), id);
    signer
}

#[test]
fn golang_x_mod_note_verifier_key_parses() {
    let source = go_note_source();
    let vkey = go_string(&source, "vkey := \"");
    let verifier = NoteVerifier::parse(&vkey).unwrap();
    assert_eq!(verifier.name(), "PeterNeumann");
    assert_eq!(verifier.key_id(), 0xc74f20a3);
    assert_eq!(verifier.to_vkey(), vkey);
    let enoch = go_string(&source, "enochKey := \"");
    assert_eq!(NoteVerifier::parse(&enoch).unwrap().to_vkey(), enoch);
}

#[test]
fn golang_x_mod_note_verifier_key_manglings_are_refused() {
    // TestNewVerifier: every proper substring, and every single-byte increment.
    let source = go_note_source();
    let vkey = go_string(&source, "vkey := \"");
    let bytes = vkey.as_bytes();
    for i in 0..=bytes.len() {
        for j in i + 1..=bytes.len() {
            if (i, j) != (0, bytes.len()) {
                let part = &vkey[i..j];
                assert!(NoteVerifier::parse(part).is_err(), "{part:?} accepted");
            }
        }
    }
    for i in 0..bytes.len() {
        let mut mangled = bytes.to_vec();
        mangled[i] += 1;
        let mangled = String::from_utf8(mangled).unwrap();
        assert!(
            NoteVerifier::parse(&mangled).is_err(),
            "{mangled:?} accepted"
        );
    }
    for bad in [
        // Wrong key length and unknown algorithm, each with an adjusted key hash.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ] {
        assert!(source.contains(bad), "vector {bad} not in note_test.go");
        assert!(NoteVerifier::parse(bad).is_err(), "{bad} accepted");
    }
    // Upper-case hex is not the canonical form: refused.
    assert!(NoteVerifier::parse(&vkey.replace("c74f20a3", "C74F20A3")).is_err());
}

#[test]
fn golang_x_mod_note_signature_is_reproduced_exactly() {
    // TestSign: Ed25519 is deterministic, so our signer must write the same note.
    let source = go_note_source();
    let signer = peter_signer(&source);
    assert_eq!(
        signer.verifier().unwrap().to_vkey(),
        go_string(&source, "vkey := \"")
    );
    let want = go_raw_string(&source, "want := `");
    let text = go_raw_string(&source, "text := `");
    assert_eq!(signer.sign(&text).unwrap(), want);
}

#[test]
fn golang_x_mod_note_open_vectors() {
    // TestOpen.
    let source = go_note_source();
    let peter = NoteVerifier::parse(&go_string(&source, "peterKey := \"")).unwrap();
    let enoch = NoteVerifier::parse(&go_string(&source, "enochKey := \"")).unwrap();
    let text = go_raw_string(&source, "text := `");
    let peter_sig = go_string(&source, "peterSig := \"");
    let enoch_sig = go_string(&source, "enochSig := \"");
    let both = SignedNote::parse(&format!("{text}\n{peter_sig}{enoch_sig}")).unwrap();
    assert_eq!(both.text(), text);

    // One signature verified, the other from an unknown key ignored.
    let only_peter = [peter.clone()];
    assert_eq!(both.verify(&only_peter).unwrap(), vec![&peter]);
    // Both verified.
    let known = [peter.clone(), enoch.clone()];
    assert_eq!(both.verify(&known).unwrap(), vec![&peter, &enoch]);
    // Neither known.
    assert!(matches!(both.verify(&[]), Err(Error::NoValidSignature)));
    // The same key listed twice is not ambiguous here (x/mod calls it ambiguous; two
    // *different* keys under one name and ID would be).
    let twice = [enoch.clone(), peter.clone(), enoch.clone()];
    assert_eq!(both.verify(&twice).unwrap(), vec![&peter, &enoch]);

    // Too many signatures.
    let many = format!("{text}\n{}", peter_sig.repeat(MAX_SIGNATURES + 1));
    assert!(matches!(
        SignedNote::parse(&many),
        Err(Error::MalformedNote(_))
    ));
    let most = format!("{text}\n{}", peter_sig.repeat(MAX_SIGNATURES));
    assert_eq!(
        SignedNote::parse(&most)
            .unwrap()
            .verify(&only_peter)
            .unwrap(),
        vec![&peter]
    );

    // An invalid signature from a known key rejects the whole note.
    let corrupt = format!("{}ABCD{}", &peter_sig[..60], &peter_sig[60..]);
    let note = SignedNote::parse(&format!("{text}\n{corrupt}")).unwrap();
    assert!(matches!(
        note.verify(&only_peter),
        Err(Error::BadSignature {
            key_id: 0xc74f20a3,
            ..
        })
    ));

    // Repeated and corrupted signatures from unknown keys are ignored.
    let enoch_corrupt = format!("{}ABCD{}", &enoch_sig[..60], &enoch_sig[60..]);
    let noisy = format!("{text}\n{peter_sig}{peter_sig}{enoch_sig}{enoch_sig}{enoch_corrupt}");
    let note = SignedNote::parse(&noisy).unwrap();
    assert_eq!(note.verify(&only_peter).unwrap(), vec![&peter]);
    assert_eq!(note.signatures().len(), 5);

    // Invalid encoded message syntax.
    let peter_sig_no_newline = &peter_sig[..peter_sig.len() - 1];
    let bad_messages = [
        text.clone(),
        format!("{text}\n"),
        format!("{text}\n{peter_sig_no_newline}"),
        format!("\x01{text}\n{peter_sig}"),
        format!(
            "{text}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
        ),
        format!("{text}\n{peter_sig}Unexpected line.\n"),
    ];
    for message in &bad_messages {
        assert!(
            matches!(SignedNote::parse(message), Err(Error::MalformedNote(_))),
            "accepted {message:?}"
        );
    }
    let mut invalid_utf8 = b"\xff".to_vec();
    invalid_utf8.extend_from_slice(format!("{text}\n{peter_sig}").as_bytes());
    assert!(matches!(
        SignedNote::parse_bytes(&invalid_utf8),
        Err(Error::MalformedNote(_))
    ));

    // A signature under another name, or with another key ID, is from an unknown key.
    let misnamed = peter_sig.replace("PeterNeumann", "CarmenSandiego");
    let note = SignedNote::parse(&format!("{text}\n{misnamed}")).unwrap();
    assert!(matches!(
        note.verify(&only_peter),
        Err(Error::NoValidSignature)
    ));
    let wrong_id = peter_sig.replace("x08g", "xxxx");
    let note = SignedNote::parse(&format!("{text}\n{wrong_id}")).unwrap();
    assert!(matches!(
        note.verify(&only_peter),
        Err(Error::NoValidSignature)
    ));
}

// --- sigsum-go pkg/checkpoint ------------------------------------------------------------

fn sigsum_source() -> String {
    testdata("sigsum-go/pkg/checkpoint/checkpoint_test.go")
}

/// sigsum's test key: `crypto.PrivateKey{17}`, the Ed25519 seed 17, 0, 0, …
fn sigsum_key() -> SigningKey {
    let mut seed = [0u8; 32];
    seed[0] = 17;
    SigningKey::from_secret(Algorithm::EdDsa, &seed).unwrap()
}

#[test]
fn sigsum_checkpoint_is_reproduced_and_verifies() {
    let vector = go_raw_string(&sigsum_source(), "validCheckpointASCII = `");
    let key = sigsum_key();
    // The origin is sigsum.org/v1/tree/ and the hex SHA-256 of the log's public key.
    let key_hash = Hash::new(
        ring::digest::digest(&ring::digest::SHA256, key.public().as_bytes())
            .as_ref()
            .try_into()
            .unwrap(),
    );
    let origin = format!("sigsum.org/v1/tree/{key_hash}");
    let mut root = [0u8; 32];
    root[..3].copy_from_slice(&[28, 14, 71]);
    let signer = NoteSigner::new(origin.clone(), key).unwrap();
    let checkpoint = Checkpoint::new(origin, 10, Hash::new(root)).unwrap();
    assert_eq!(signer.sign_checkpoint(&checkpoint).unwrap(), vector);
    assert_eq!(
        Checkpoint::open(&vector, &signer.verifier().unwrap()).unwrap(),
        checkpoint
    );
}

#[test]
fn sigsum_extra_signatures_from_other_keys_are_ignored() {
    let source = sigsum_source();
    let vector = go_raw_string(&source, "validCheckpointASCII = `");
    let verifier = NoteSigner::new(
        SignedNote::parse(&vector).unwrap().signatures()[0]
            .name
            .clone(),
        sigsum_key(),
    )
    .unwrap()
    .verifier()
    .unwrap();
    let example_sig = go_string(&source, "exampleSig := \"");
    let (body, sig) = vector.split_once("\n\n").unwrap();
    let note = format!("{body}\n\n{example_sig}\n{sig}");
    assert_eq!(Checkpoint::open(&note, &verifier).unwrap().size, 10);
    // sigsum ignores the 3-byte "alien" line `— example.org/log DEAD`; a signature too
    // short to hold a key ID is malformed here, as in golang.org/x/mod/sumdb/note.
    let alien = go_string(&source, "alienSig := \"");
    let note = format!("{body}\n\n{sig}{alien}\n");
    assert!(matches!(
        Checkpoint::open(&note, &verifier),
        Err(Error::MalformedNote(_))
    ));
    let bad = go_string(&source, "badSig := \"");
    let note = format!("{body}\n\n{sig}{bad}\n");
    assert!(matches!(
        Checkpoint::open(&note, &verifier),
        Err(Error::MalformedNote(_))
    ));
}

#[test]
fn go_sumdb_checkpoint_verifies_with_the_published_key() {
    // A checkpoint sum.golang.org signed, recorded by sigsum-go's tests.
    let source = sigsum_source();
    let note = go_raw_string(&source, "dbCheckpoint = `");
    let key = NoteVerifier::parse(&go_string(&source, "noteKey = \"")).unwrap();
    let checkpoint = Checkpoint::open(&note, &key).unwrap();
    assert_eq!(checkpoint.origin, "go.sum database tree");
    assert_eq!(checkpoint.size, 30_055_305);
    assert_eq!(
        STANDARD.encode(checkpoint.root.as_bytes()),
        "mXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM="
    );
    // One changed digit in the size and the signature no longer verifies.
    let forged = note.replace("30055305", "30055306");
    assert!(matches!(
        Checkpoint::open(&forged, &key),
        Err(Error::BadSignature { .. })
    ));
}

// --- our own notes -----------------------------------------------------------------------

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
