//! Checkpoints: C2SP tlog-checkpoint bodies inside C2SP signed notes.
//!
//! A checkpoint (<https://c2sp.org/tlog-checkpoint>) states a log's origin, tree size
//! and root hash:
//!
//! ```text
//! example.com/behind-the-sofa
//! 20852163
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//!
//! — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
//! ```
//!
//! and travels as a signed note (<https://c2sp.org/signed-note>): the text, a blank
//! line, then one line per signature, `— <key name> <base64(key ID || signature)>`.
//! Notes are signed here with Ed25519 (signature type `0x01`); the key ID is the first
//! four bytes of `SHA-256(key name || 0x0A || 0x01 || public key)`, and a verifier key
//! is written `<name>+<8 hex key ID>+<base64(0x01 || public key)>`.
//!
//! Parsing is strict: anything the specs do not allow is refused, never repaired.
//! Verification follows the signed-note rules: signatures from unknown keys are
//! ignored, a signature from a known key that does not verify rejects the whole note,
//! and a note without a valid signature from a known key is rejected.
//!
//! # Layout
//!
//! - `body.rs`: the [`Checkpoint`] body (parse, write, validate);
//! - `key.rs`: note key names, key IDs and the [`NoteVerifier`] key string;
//! - `note.rs`: [`SignedNote`] and [`NoteSignature`]: parsing and verifying notes;
//! - `signer.rs`: [`NoteSigner`]: signing notes and adding cosignatures;
//! - `open.rs`: where the two meet: [`Checkpoint::open`],
//!   [`SignedNote::verify_checkpoint`], [`NoteSigner::sign_checkpoint`].

mod body;
mod key;
mod note;
mod open;
mod signer;

pub use body::{Checkpoint, MAX_CHECKPOINT_LEN, MAX_CHECKPOINT_TIME};
pub use key::{NoteVerifier, check_key_name, ed25519_key_id};
pub use note::{MAX_NOTE_LEN, MAX_SIGNATURES, NoteSignature, SignedNote};
pub use signer::NoteSigner;
