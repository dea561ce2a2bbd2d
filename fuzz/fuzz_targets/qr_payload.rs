//! Fuzzes what a counter's scanner hands over: `CIV1:` payloads (Base45, the frame,
//! raw deflate with the preset dictionary, the compact form) and multi-part frames
//! `CIV1-k/n-crc:` fed to the [`Assembler`] in the order they come. Nothing may
//! panic, hang or inflate without bound; a payload that decodes must re-encode to one
//! that decodes to the same presentation.
#![no_main]

use civitas_exchange::qr::{Assembler, decode_payload, encode_payload};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The whole input as one scanned code.
    if let Ok(presentation) = decode_payload(text) {
        let again = encode_payload(&presentation);
        assert_eq!(
            decode_payload(&again).ok().as_deref(),
            Some(presentation.as_str()),
            "re-encoded payload does not decode to the same presentation"
        );
    }
    // Each line as one scanned code of a sequence, in order.
    let mut assembler = Assembler::new();
    for line in text.split('\n') {
        let _ = assembler.add(line);
        let _ = assembler.progress();
        let _ = assembler.missing();
        if assembler.is_complete() {
            let _ = assembler.finish();
        }
    }
    let _ = assembler.finish();
});
