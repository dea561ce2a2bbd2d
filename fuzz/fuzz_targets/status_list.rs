//! Fuzzes Token Status List JWTs (`statuslist+jwt`) as a ledger node serves them to a
//! verifier, a wallet or a replica. The first byte picks:
//!
//! - 0: the text is the token ([`parse_status_list_token`]: JWS, header, claims, the
//!   `status_list` and its ZLIB-compressed `lst`), its signature checked with a
//!   fixed key, and statuses read at indices taken from the input;
//! - 1: the text is the `status_list` JSON object ([`StatusList::from_json`]);
//! - 2: the rest is the *uncompressed* list (the second byte the bit size): the
//!   harness compresses it into an `lst`, so the fuzzer reaches the list's contents.
//!
//! Nothing may panic or inflate beyond the 8 MiB cap; a list that parses must print
//! to one that parses to the same statuses.
#![no_main]

use civitas_credential::status_list::{StatusList, parse_status_list_token};
use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::OnceLock;

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate(Algorithm::Es256, &SeededRng::new(3)).expect("key"))
}

fn probe(list: &StatusList, seed: &[u8]) {
    let len = list.len() as u64;
    for idx in [0, 1, len.saturating_sub(1), len, len + 1, u64::MAX] {
        let _ = list.get(idx);
    }
    for chunk in seed.chunks(8).take(8) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        let _ = list.get(u64::from_le_bytes(b));
    }
    let again = StatusList::from_json(&list.to_json()).expect("a parsed list prints");
    assert_eq!(again.bits(), list.bits(), "bits changed in the round trip");
    assert_eq!(again.len(), list.len(), "length changed in the round trip");
    for idx in (0..len).step_by((len as usize / 64).max(1)) {
        assert_eq!(again.get(idx), list.get(idx), "status {idx} changed");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            let Ok(token) = std::str::from_utf8(rest) else {
                return;
            };
            if let Ok((parsed, signature)) = parse_status_list_token(token) {
                let _ = signature.verify(key().public());
                probe(&parsed.list, rest);
            }
        }
        1 => {
            if let Ok(value) = serde_json::from_slice::<Value>(rest)
                && let Ok(list) = StatusList::from_json(&value)
            {
                probe(&list, rest);
            }
        }
        _ => {
            let Some((&bits, bytes)) = rest.split_first() else {
                return;
            };
            let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            if enc.write_all(bytes).is_err() {
                return;
            }
            let Ok(compressed) = enc.finish() else {
                return;
            };
            let value = json!({"bits": bits, "lst": civitas_crypto::b64::encode(compressed)});
            if let Ok(list) = StatusList::from_json(&value) {
                probe(&list, bytes);
            }
        }
    }
});
