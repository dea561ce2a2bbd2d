//! The specs' own examples and the upstream test vectors, checked in verbatim.

use super::*;

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
