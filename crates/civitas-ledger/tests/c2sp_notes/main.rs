//! C2SP signed-note and tlog-checkpoint: the specs' own examples, the
//! golang.org/x/mod/sumdb/note test vectors, sigsum-go's checkpoint vectors (including
//! a real sum.golang.org checkpoint), all checked in verbatim under `testdata/`, and
//! fixtures named after their defects. Upstream vectors are in `upstream.rs`, notes made
//! here in `ours.rs`; the helpers they share are here.

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

mod ours;
mod upstream;
