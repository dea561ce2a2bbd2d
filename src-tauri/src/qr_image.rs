//! Reading a picture of a QR code that the citizen dropped or picked (a credential, or
//! a counter's request): one size limit for every such picture.

use crate::error::{Error, Result};

/// The largest picture accepted, bytes.
const MAX_IMAGE: usize = 16 * 1024 * 1024;

/// The texts of the QR codes in `image` (PNG or JPEG), refusing a picture over
/// 16 MB before decoding it.
pub(crate) fn decode_qr_image(image: &[u8]) -> Result<Vec<String>> {
    if image.len() > MAX_IMAGE {
        return Err(Error::InvalidSetting(
            "the image is too large (16 MB at most)".into(),
        ));
    }
    Ok(civitas_exchange::qr::decode_image(image)?)
}
