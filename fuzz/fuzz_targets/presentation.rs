//! Fuzzes the presentation parser and the RFC 9901 §7.1 processing: the holder's
//! parse (no signature needed, so the fuzzer reaches the disclosure logic), and the
//! verifier's full pipeline with a fixed issuer key. Neither may panic, hang or
//! allocate without bound on any input.
#![no_main]

use civitas_credential::{Credential, KeyBindingRule, TypRule, VerifyOptions, verify};
use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_did::MethodResolver;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn options() -> &'static VerifyOptions {
    static OPTIONS: OnceLock<VerifyOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(1)).ok();
        let mut o = VerifyOptions::at(1_795_600_000);
        o.issuer_key = key.map(|k| k.public().clone());
        o.typ = TypRule::Any;
        o.key_binding = KeyBindingRule::IfPresent;
        o
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(credential) = Credential::parse(text) {
        let _ = credential.disclosable();
        let _ = credential.to_compact();
    }
    let _ = verify(text, &MethodResolver::local(), options());
});
