//! did:webvh 1.0: self-certifying, hash-chained, rotatable DIDs whose log
//! (`did.jsonl`) the Civitas ledger serves.
//!
//! A DID is `did:webvh:{SCID}:{host}[%3A{port}]:{path…}`; its log is a list of
//! entries, one JSON line each, every entry signed (Data Integrity,
//! `eddsa-jcs-2022`) by an authorized Ed25519 update key and chained to the one
//! before by its `versionId` (`{number}-{entryHash}`). Specification:
//! <https://identity.foundation/didwebvh/v1.0/>.
//!
//! # The pipeline
//!
//! 1. **Create** — [`create`] makes the genesis entry (the SCID is the hash of it),
//!    optionally committing to the next update keys ([`next_key_hash`]) for
//!    pre-rotation.
//! 2. **Append** — the ledger checks each entry it receives with
//!    [`LogState::genesis`] / [`LogState::append`], as of a time it supplies; each
//!    refusal has its own [`LogError`] variant (replay, broken chain, unauthorized
//!    key, key not pre-rotated, bad signature, time going backwards or in the future,
//!    wrong SCID, entry after deactivation, malformed, oversized…).
//!    Each check is a named step in `check/` (parse once, then sequence, time,
//!    parameters, SCID and entryHash chain, document, authorized keys, proofs), run in
//!    order by `check::check_entry`.
//! 3. **Update, rotate, deactivate** — [`update`], [`rotate`], [`deactivate`] make
//!    the next entries; each is verified against the state before it is returned.
//! 4. **Resolve** — [`LogState::resolve`] as of a version id or a time, or
//!    [`WebvhResolver`] over any [`DidLogSource`] (the ledger implements it), which
//!    replays and verifies the whole log ([`validate_log`]) and its witness proofs.
//!
//! ```
//! use civitas_crypto::{Algorithm, SeededRng, SigningKey};
//! use civitas_did::webvh::{self, DocKey, LogState};
//! use civitas_did::{Purpose, ResolveOptions};
//!
//! let rng = SeededRng::new(7);
//! let update_key = SigningKey::generate(Algorithm::EdDsa, &rng)?;
//! let next_key = SigningKey::generate(Algorithm::EdDsa, &rng)?;
//! let holder_key = SigningKey::generate(Algorithm::Es256, &rng)?;
//! let t0 = 1_750_000_000;
//!
//! // The wallet creates the DID, committing to its next update key.
//! let keys = [DocKey::new("key-1", holder_key.public().clone(),
//!                         &[Purpose::Authentication, Purpose::AssertionMethod])];
//! let (did, genesis) = webvh::create("ledger.example:people:alice", &keys, &update_key,
//!                                    vec![webvh::next_key_hash(next_key.public())], t0)?;
//!
//! // The ledger checks the entry and keeps the state.
//! let mut state = LogState::genesis(genesis.as_str(), t0)?;
//!
//! // Later the wallet rotates to the committed key; the ledger appends.
//! let rotation = webvh::rotate(&state, &[next_key.public().clone()], vec![], None,
//!                              &next_key, t0 + 60)?;
//! state.append(rotation.as_str(), t0 + 60)?;
//!
//! // A verifier resolves the key as of any time.
//! let resolution = state.resolve(&ResolveOptions::at(Some(t0 + 30)))?;
//! let url = format!("{did}#key-1");
//! assert_eq!(resolution.document.key_for(&url, Purpose::AssertionMethod)?, holder_key.public());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What didwebvh-rs does, and what is written here
//!
//! [didwebvh-rs](https://crates.io/crates/didwebvh-rs) 0.8.2 (without its `network`
//! feature) provides: the typed model of a log entry and its parameters, a complete
//! second verification of every entry (`LogEntry::verify_log_entry`: chain, SCID,
//! parameter transitions, authorization, signature, portability), the implicit
//! `#files` / `#whois` services of a resolved document, the DID-to-HTTPS
//! transformation ([`Did::log_url`]), the pre-rotation hash ([`next_key_hash`]) and
//! witness-proof checking ([`LogState::verify_witnesses`]). Its proof layer,
//! affinidi-data-integrity, signs and verifies the `eddsa-jcs-2022` proofs, through
//! an adapter over `civitas_crypto::Signer`, so no private key is ever converted
//! into another library's secret type.
//!
//! Written here, because didwebvh-rs's verification cannot serve a ledger as it is:
//!
//! - **Specific errors.** didwebvh-rs reports every failure as a string in one of a
//!   few broad variants; a ledger must tell a replay from a forgery. So each check is
//!   made here first, with its own [`LogError`], and didwebvh-rs's verification runs
//!   last as a defence in depth ([`LogError::Rejected`] if it alone objects).
//! - **Time as an input.** didwebvh-rs compares `versionTime` with the wall clock;
//!   here the caller supplies `now` (its own check still runs, so an entry dated
//!   after the machine's clock is refused too).
//! - **Hashes over the entry as received.** The SCID and entryHash are computed over
//!   the received JSON (JCS, RFC 8785), not over a re-serialisation of typed structs.
//! - **`updateKeys: []`.** The spec makes an empty list leave no key authorized;
//!   didwebvh-rs keeps the previous keys. Here the spec is followed.
//! - **Incremental append, replay detection, size caps**, which a file-oriented
//!   resolver does not need.
//! - **Entry writing.** didwebvh-rs's writer stamps the proof's `created` with the
//!   wall clock and needs its own state type; here entries are assembled as JSON,
//!   hashed with the same functions the checks use, and signed at the given time.
//!
//! Witnesses: [`LogState::verify_witnesses`] checks `did-witness.json` (through
//! didwebvh-rs); making witness proofs is not supported yet. An entry that turns
//! witnessing on from `{}` must itself be witnessed, as the spec says.

mod check;
mod did;
mod error;
mod hash;
mod log;
mod proof;
mod source;
mod validate;
mod witness;
mod write;

pub use check::{MAX_ENTRY_BYTES, METHOD};
pub use did::Did;
pub use error::{LogError, Result};
pub use hash::next_key_hash;
pub use log::{LogState, LogVersion};
pub use source::{DidLogSource, MemoryLogSource, WebvhResolver};
pub use validate::{replay_verified_log, validate_jsonl, validate_log};
pub use witness::MAX_WITNESS_BYTES;
pub use write::{
    DocKey, LogEntry, create, deactivate, did_document, rotate, rotate_with_document,
    unchecked_next_entry, update, update_document,
};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod retirement_tests;
