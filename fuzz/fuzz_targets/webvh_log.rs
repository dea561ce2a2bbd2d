//! Fuzzes did:webvh logs as a ledger node or a web host serves them (`did.jsonl`, one
//! JSON entry a line) and the `did-witness.json` next to them. The first byte picks:
//!
//! - 0: the text is a whole log: [`validate_jsonl`] (every check, signatures too) and
//!   [`replay_verified_log`] (the replica path: structure, chain, SCID, parameters,
//!   authorization, no signatures, so the fuzzer gets past the proofs);
//! - 1: the text is one more line, appended to a valid log (the did:webvh test suite's
//!   `key-rotation` and `witness-threshold` logs);
//! - 2: the text is the `did-witness.json` of the valid witnessed log;
//! - 3: the text is a DID URL / version id resolved against the valid logs.
//!
//! Nothing may panic or hang.
#![no_main]

use civitas_did::webvh::{LogState, replay_verified_log, validate_jsonl};
use civitas_did::{Purpose, ResolveOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const NOW: i64 = 1_795_600_000;

const ROTATION: &str =
    include_str!("../../crates/civitas-did/testdata/webvh/test_suite/key-rotation/did.jsonl");
const WITNESSED: &str =
    include_str!("../../crates/civitas-did/testdata/webvh/test_suite/witness-threshold/did.jsonl");

fn valid_logs() -> &'static [LogState] {
    static LOGS: OnceLock<Vec<LogState>> = OnceLock::new();
    LOGS.get_or_init(|| {
        [ROTATION, WITNESSED]
            .iter()
            .map(|log| validate_jsonl(log, NOW).expect("the test suite's logs are valid"))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match mode % 4 {
        0 => {
            if let Ok(state) = validate_jsonl(text, NOW) {
                let _ = state.resolve(&ResolveOptions::default());
                let _ = state.to_jsonl();
            }
            if let Ok(state) = replay_verified_log(text.lines(), NOW) {
                let _ = state.resolve(&ResolveOptions::default());
                let _ = state.verify_witnesses(None);
            }
        }
        1 => {
            for state in valid_logs() {
                let _ = state.appended(text, NOW);
            }
        }
        2 => {
            for state in valid_logs() {
                let _ = state.verify_witnesses(Some(text));
            }
        }
        _ => {
            for state in valid_logs() {
                let options = ResolveOptions {
                    version_time: None,
                    version_id: Some(text.to_string()),
                };
                let _ = state.resolve(&options);
                let _ = state.key_history(text, Purpose::AssertionMethod);
                let _ =
                    state.key_history(&format!("{}{text}", state.did()), Purpose::Authentication);
            }
        }
    }
});
