//! Strict base64url without padding (RFC 7515 §2): non-canonical input is refused, so
//! that every accepted string re-encodes to itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded, canonical base64url. Padding, other alphabets and non-zero trailing
/// bits are errors.
pub fn decode(text: impl AsRef<[u8]>) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

/// SHA-256 of `data`, base64url-encoded (the form SD-JWT digests and `sd_hash` take).
pub fn sha256_b64(data: impl AsRef<[u8]>) -> String {
    encode(ring::digest::digest(&ring::digest::SHA256, data.as_ref()))
}
