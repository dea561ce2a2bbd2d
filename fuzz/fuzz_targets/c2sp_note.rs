//! Fuzzes C2SP signed notes and tlog checkpoints as a ledger node (or a replica's
//! source) serves them. The first byte picks:
//!
//! - 0: the text is a whole signed note: parsed ([`SignedNote::parse`], and from
//!   bytes), verified against a pinned key and a key set, opened as a checkpoint;
//! - 1: the text is a note body, signed here with the pinned log key, so that the
//!   fuzzer reaches the checkpoint body ([`Checkpoint::open`]) past the signature;
//! - 2: the text is a verifier key (`name+hex+base64`, [`NoteVerifier::parse`]).
//!
//! Nothing may panic; what parses must print back to what parses to the same value.
#![no_main]

use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_ledger::{Checkpoint, NoteSigner, NoteVerifier, SignedNote};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Keys {
    signer: NoteSigner<SigningKey>,
    pinned: NoteVerifier,
    other: NoteVerifier,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key =
            |seed| SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(seed)).expect("key");
        let signer = NoteSigner::new("ledger.civitas.example/log", key(1)).expect("signer");
        let pinned = signer.verifier().expect("verifier");
        let other = NoteSigner::new("witness.example/w1", key(2))
            .and_then(|s| s.verifier())
            .expect("verifier");
        Keys {
            signer,
            pinned,
            other,
        }
    })
}

fn check_note(note: &str) {
    let k = keys();
    if let Ok(parsed) = SignedNote::parse(note) {
        let printed = parsed.to_string();
        assert_eq!(
            SignedNote::parse(&printed).ok().as_ref(),
            Some(&parsed),
            "a parsed note must print to the same note"
        );
        let _ = parsed.verify(std::slice::from_ref(&k.pinned));
        let _ = parsed.verify(&[k.other.clone(), k.pinned.clone()]);
        let _ = parsed.verify_required(&k.pinned, std::slice::from_ref(&k.other));
        let _ = parsed.verify_checkpoint(&k.pinned);
    }
    if let Ok(cp) = Checkpoint::open(note, &k.pinned) {
        let _ = cp.time();
        let text = cp.to_text().expect("an opened checkpoint prints");
        assert_eq!(
            Checkpoint::parse(&text).ok().as_ref(),
            Some(&cp),
            "a checkpoint must print to the same checkpoint"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let _ = SignedNote::parse_bytes(rest);
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match mode % 3 {
        0 => check_note(text),
        1 => {
            if let Ok(cp) = Checkpoint::parse(text) {
                let _ = cp.validate();
                let _ = cp.time();
            }
            if let Ok(note) = keys().signer.sign(text) {
                check_note(&note);
            }
        }
        _ => {
            if let Ok(v) = NoteVerifier::parse(text) {
                let again = NoteVerifier::parse(&v.to_vkey()).expect("a parsed key prints");
                assert_eq!(again, v, "a verifier key must print to the same key");
            }
        }
    }
});
