//! Size limits shared by the request, the response and the receipt.

/// Longest request URL accepted, in bytes.
pub const MAX_URL_LEN: usize = 16 * 1024;
/// Longest URI (`response_uri`, `request_uri`, a `client_id`), in bytes.
pub const MAX_URI_LEN: usize = 2048;
/// Longest `nonce`, `state` or `wallet_nonce`, in bytes.
pub const MAX_TOKEN_LEN: usize = 512;
