//! Presentations as QR codes: the `CIV1` payload codec, multi-part sequences,
//! rendering and scanning.
//!
//! The pipeline, wallet to counter:
//!
//! ```text
//!  presentation ──encode_payload──▶ "CIV1:…" ──render──▶ QrCode ──to_png / to_svg / to_terminal
//!  (compact SD-JWT)    └─encode_parts─▶ "CIV1-k/n-…:…" × n (too large for one code)
//!
//!  camera image ──decode_image──▶ texts ──Assembler::add … finish──▶ presentation
//!  scanner text ─────────────────────────decode_payload───────────▶ presentation
//! ```
//!
//! ```
//! use civitas_exchange::qr::{decode_payload, encode_payload, render, QrOptions};
//!
//! let presentation = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZSJ9.c2lnbmF0dXJl~";
//! let text = encode_payload(presentation);
//! let code = render(&text, &QrOptions::default()).unwrap();
//! println!("version {} at ECC {}", code.info().version, code.info().ecc);
//! assert_eq!(decode_payload(&text).unwrap(), presentation);
//! ```
//!
//! # The `CIV1` payload format (format 1)
//!
//! In the spirit of the EU Digital COVID Certificate's `HC1:`: a text a keyboard-wedge
//! scanner can type, made only of the 45 QR alphanumeric characters so that the code
//! uses alphanumeric mode (5.5 bits a character).
//!
//! ```text
//! text     = "CIV1:" base45(frame)               ; a single code
//! frame    = %x01 deflated(items) pool           ; format 1, compact form (below)
//!          / %x02 deflated(utf8-text)            ; format 1, raw: the text as UTF-8
//! deflated = raw DEFLATE (RFC 1951, no zlib header, 32 KiB window) with the preset
//!            dictionary DICTIONARY_V1 (dictionary.rs); it ends itself, so the
//!            bytes after it are the pool
//! pool     = *OCTET                              ; raw bytes the items refer to
//! ```
//!
//! - Base45 is RFC 9285, decoded strictly: a character outside the alphabet, a triplet
//!   above 65535, a final pair above 255 and a dangling single character are each
//!   refused with their own error.
//! - The preset dictionary (2,007 bytes) holds the strings that recur in Civitas
//!   presentations (JOSE headers, SD-JWT claim keys, `did:webvh:`, the `vct` URIs, the
//!   claim names of the PID, medical-summary and service-record types), most frequent
//!   last. It is part of the format: changing it needs a new format byte. A test pins
//!   its length and CRC-32.
//! - The encoder builds the compact form (with two string policies) and the raw form,
//!   and keeps the shortest frame, so odd input (not an SD-JWT, Unicode) costs at most
//!   what deflate alone would.
//! - Limits on decode: the text at most [`MAX_TEXT_LEN`] bytes (trailing CR/LF
//!   ignored, no other control character, ASCII only); at most [`MAX_INFLATED_LEN`]
//!   bytes inflated (the buffer never grows further, so a deflate bomb is refused
//!   without allocating); no byte after the deflate stream in the raw format, no pool
//!   byte left unused in the compact one.
//!
//! ## The compact form (format 0x01)
//!
//! The presentation is cut at every `~` and `.` into segments, each encoded as an
//! item; decoding concatenates what the items stand for, so it restores the exact
//! input whatever it was. Items that stand for random bytes (digests, salts, keys,
//! signatures, SCIDs) take them from the pool, in order: random bytes do not compress,
//! and kept out of the deflate stream they do not lengthen its Huffman codes.
//!
//! ```text
//! items = *item
//! item  = %xF3                          ; "~"
//!       / %xF4                          ; "."
//!       / %xF0 1*utf8 %xFF              ; literal text, as is
//!       / %xF1 1*jbyte %xFF             ; base64url(expanded text)
//!       / %xF2 len                      ; base64url(the next len pool bytes)
//! jbyte = %x00-F4                       ; a byte of UTF-8 text, as is
//!       / %xF5                          ; the JSON string "base64url(next 32 pool bytes)"
//!       / %xF6                          ; the JSON string "base64url(next 16 pool bytes)"
//!       / %xF7 len                      ; the JSON string "base64url(next len pool bytes)"
//!       / %xF8                          ; a did:webvh SCID: base58btc(0x12 0x20 ‖ next
//!                                       ;   32 pool bytes), 46 characters "Qm…"
//!       / %xF9                          ; the same SCID as the last F8
//! len   = unsigned LEB128, 1 to 4 bytes, shortest form, at least 1
//! ```
//!
//! base64url is always unpadded (RFC 4648 §5). The encoder chooses, per segment:
//!
//! - **`F1` text**: a segment of 16+ characters that is *canonical* base64url (decoding
//!   and re-encoding gives back the same characters: no padding, no stray trailing
//!   bits) of UTF-8 text without control characters (JOSE headers and payloads,
//!   disclosures). Inside the text, a JSON string literal whose content is canonical
//!   base64url of 16 or 32 bytes (salts and nonces of 22 characters; digests, `sd_hash`
//!   and P-256 coordinates of 43) becomes `F6`/`F5`, quotes included; with the second
//!   string policy also any 16+-character canonical string that looks random (`F7`).
//!   A did:webvh SCID (after a `:`, 46 base58btc characters that decode to a sha2-256
//!   multihash and re-encode exactly) becomes `F8`, and `F9` when the `iss` repeats the
//!   `kid`'s DID. The bytes `F5`–`FF` never occur in UTF-8, so they cannot be confused
//!   with text, and JSON keys and values stay text that the dictionary matches.
//! - **`F2` bytes**: any other canonical base64url segment of 16+ characters
//!   (signatures).
//! - **`F0` literal**: everything else (short, non-canonical or non-base64url
//!   segments).
//!
//! # Multi-part sequences
//!
//! A frame too large for one code of at most [`QrOptions::max_version`] (25 by
//! default) is cut into `n` (2 to [`MAX_PARTS`]) near-equal slices, each its own code:
//!
//! ```text
//! part = "CIV1-" k "/" n "-" crc ":" base45(slice k)
//! k, n = 1 or 2 decimal digits, no leading zero, 1 <= k <= n, 2 <= n <= 32
//! crc  = 8 upper-case hex digits: CRC-32 (ISO-HDLC) of the whole frame
//! ```
//!
//! Every character stays in the alphanumeric set. The count and the checksum keep
//! parts of two sequences apart; the [`Assembler`] takes parts (and single codes) in
//! any order, reports duplicates and what is missing, and checks the checksum of the
//! whole before decoding it.
//!
//! # Rendering and scanning
//!
//! [`render`] picks the smallest version at the requested ECC level (M by default),
//! raises the level to Q or H where [`EccBoost`] allows, and never goes past
//! [`QrOptions::max_version`] nor version 39. [`decode_image`] reads PNG and JPEG with
//! rxing.

// The layers, lowest first; a module imports only from those above it in this list:
// ecc, error, base45, dictionary, compact → prefix, frame → payload → capacity →
// multipart → render. scan stands apart (image in, texts out).
mod base45;
mod capacity;
mod compact;
mod dictionary;
mod ecc;
mod error;
mod frame;
mod multipart;
mod payload;
mod prefix;
mod render;
mod scan;

pub use capacity::{DEFAULT_MAX_VERSION, EccBoost, HARD_MAX_VERSION, QrOptions, min_version};
pub use ecc::EccLevel;
pub use error::{
    Base45Error, Base45ErrorKind, Error, ErrorKind, FrameError, FrameErrorKind, MultipartError,
    MultipartErrorKind, RenderError, RenderErrorKind, Result, ScanError, ScanErrorKind, TextError,
    TextErrorKind,
};
pub use frame::MAX_INFLATED_LEN;
pub use multipart::{Assembler, Progress, encode_parts};
pub use payload::{decode_payload, encode_payload};
pub use prefix::{MAX_PARTS, MAX_TEXT_LEN, PART_PREFIX, PREFIX};
pub use render::{QUIET_ZONE, QrCode, QrInfo, TerminalStyle, render, render_presentation};
pub use scan::{MAX_IMAGE_SIDE, decode_image};

#[cfg(test)]
mod measure;
