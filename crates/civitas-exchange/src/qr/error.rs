//! The one error type of the [`qr`](crate::qr) module.
//!
//! Every rejection has its own variant, and [`Error::kind`] gives a copyable
//! [`ErrorKind`] whose [`ErrorKind::as_str`] is a stable code (`"qr.base45_triplet"`)
//! that front ends and logs can match on. Messages never echo more than a few characters
//! of the scanned text: it is a credential.

/// Result alias for the [`qr`](crate::qr) module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong while encoding, decoding, assembling, rendering or scanning QR
/// payloads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- the scanned text -----
    /// The scanned text is longer than [`MAX_TEXT_LEN`](crate::qr::MAX_TEXT_LEN)
    /// bytes; refused before any decoding.
    #[error("the QR text is {len} bytes long, more than the {max} accepted")]
    TextTooLong {
        /// Length of the text in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The text holds a character outside ASCII: not something a QR code in
    /// alphanumeric mode can contain (a scanner set to the wrong code page?).
    #[error("non-ASCII character at byte {position} of the QR text")]
    NonAscii {
        /// Byte offset in the text.
        position: usize,
    },
    /// The text holds a control character (other than a trailing CR/LF), as a
    /// keyboard-wedge scanner may type.
    #[error("control character 0x{byte:02X} at byte {position} of the QR text")]
    ControlCharacter {
        /// Byte offset in the text.
        position: usize,
        /// The byte.
        byte: u8,
    },
    /// The text does not start with `CIV1:` (or `CIV1-` for a part of a sequence).
    #[error("not a Civitas QR payload: expected the prefix 'CIV1:', found '{found}'")]
    WrongPrefix {
        /// The first few characters of the text (at most 5).
        found: String,
    },
    /// The text is one part of a multi-part sequence: give it to an
    /// [`Assembler`](crate::qr::Assembler) rather than to
    /// [`decode_payload`](crate::qr::decode_payload).
    #[error("this is part {index} of a {total}-part QR sequence: scan all parts")]
    PartOfSequence {
        /// Index of the part (1-based).
        index: u16,
        /// Number of parts in the sequence.
        total: u16,
    },
    /// Nothing follows the prefix.
    #[error("the QR payload is empty")]
    EmptyPayload,

    // ----- Base45 (RFC 9285) -----
    /// A character that is not in the Base45 alphabet.
    #[error("invalid Base45 character '{ch}' at byte {position}")]
    Base45InvalidChar {
        /// Byte offset in the whole text.
        position: usize,
        /// The character (ASCII, shown escaped if not printable).
        ch: char,
    },
    /// A group of three Base45 characters whose value exceeds 65535.
    #[error("Base45 triplet at byte {position} has value {value}, more than 65535")]
    Base45Triplet {
        /// Byte offset of the group in the whole text.
        position: usize,
        /// The decoded value.
        value: u32,
    },
    /// The final group of two Base45 characters has a value above 255.
    #[error("final Base45 pair at byte {position} has value {value}, more than 255")]
    Base45Pair {
        /// Byte offset of the pair in the whole text.
        position: usize,
        /// The decoded value.
        value: u32,
    },
    /// A single Base45 character is left over at the end (the length is 1 modulo 3):
    /// the text was cut or a character was lost.
    #[error("dangling Base45 character at byte {position}: text cut or character lost")]
    Base45Dangling {
        /// Byte offset of the dangling character in the whole text.
        position: usize,
    },

    // ----- the binary frame -----
    /// The frame's first byte names a format this version does not know.
    #[error("unsupported CIV1 frame format 0x{0:02X} (this reader knows 0x01 and 0x02)")]
    UnsupportedFormat(u8),
    /// Inflating would produce more than
    /// [`MAX_INFLATED_LEN`](crate::qr::MAX_INFLATED_LEN) bytes (a deflate bomb or a
    /// foreign payload); refused without allocating more.
    #[error("the payload inflates to more than {max} bytes")]
    InflatedTooLarge {
        /// The limit.
        max: usize,
    },
    /// The deflate stream is corrupt.
    #[error("corrupt deflate stream")]
    Deflate,
    /// The deflate stream ends before its final block.
    #[error("truncated deflate stream")]
    DeflateTruncated,
    /// Bytes follow the end of the deflate stream.
    #[error("{0} byte(s) of junk after the deflate stream")]
    TrailingData(usize),
    /// The inflated body (compact form or raw text) is malformed.
    #[error("malformed payload body at byte {position}: {reason}")]
    MalformedBody {
        /// Byte offset in the inflated body.
        position: usize,
        /// What is wrong.
        reason: &'static str,
    },

    // ----- multi-part sequences -----
    /// A `CIV1-` part whose header (`CIV1-k/n-CRC32:`) is malformed.
    #[error("malformed QR part header: {0}")]
    PartHeader(&'static str),
    /// A part from another sequence (different count or checksum) than the parts
    /// collected so far; it was not added.
    #[error(
        "this QR part belongs to another sequence ({got_total} parts, checksum {got_checksum:08X}) \
         than the one being collected ({total} parts, checksum {checksum:08X})"
    )]
    SequenceMismatch {
        /// Part count of the sequence being collected.
        total: u16,
        /// Checksum of the sequence being collected.
        checksum: u32,
        /// Part count announced by the rejected part.
        got_total: u16,
        /// Checksum announced by the rejected part.
        got_checksum: u32,
    },
    /// A part with the same index but different content than one already collected.
    #[error("part {index} was already scanned with different content")]
    ConflictingPart {
        /// Index of the part (1-based).
        index: u16,
    },
    /// The sequence is not complete yet.
    #[error("{} of {total} QR parts still missing: {missing:?}", missing.len())]
    MissingParts {
        /// Number of parts in the sequence.
        total: u16,
        /// The 1-based indexes still missing.
        missing: Vec<u16>,
    },
    /// All parts are there but their concatenation does not match the sequence
    /// checksum.
    #[error("the assembled QR parts do not match the sequence checksum")]
    ChecksumMismatch,

    // ----- rendering -----
    /// An option is out of range.
    #[error("invalid QR option: {0}")]
    InvalidOption(&'static str),
    /// The text does not fit in a QR code of the allowed maximum version (even when
    /// split into the maximum number of parts, for a presentation).
    #[error("the payload does not fit in QR version {max_version} at ECC level {ecc}")]
    TooLargeForQr {
        /// The largest version allowed.
        max_version: u8,
        /// The error-correction level asked for.
        ecc: crate::qr::EccLevel,
    },
    /// The QR encoder failed for another reason.
    #[error("QR encoding failed: {0}")]
    QrEncode(String),
    /// Writing a PNG failed.
    #[error("PNG encoding failed")]
    Png(#[source] image::ImageError),

    // ----- scanning images -----
    /// The bytes are not an image in a format we recognise.
    #[error("not an image (expected PNG or JPEG)")]
    NotAnImage,
    /// The bytes are an image, but neither PNG nor JPEG.
    #[error("unsupported image format {0} (expected PNG or JPEG)")]
    UnsupportedImageFormat(String),
    /// The image is larger than the scanner accepts, or decoding it would need too
    /// much memory.
    #[error("the image is too large to scan")]
    ImageTooLarge,
    /// The image could not be decoded (corrupt or truncated file).
    #[error("the image could not be decoded")]
    ImageDecode(#[source] image::ImageError),
    /// No QR code was found in the image.
    #[error("no QR code found in the image")]
    NoQrFound,
}

/// A copyable summary of an [`Error`], for callers that branch on the failure or
/// report it as a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::TextTooLong`].
    TextTooLong,
    /// [`Error::NonAscii`].
    NonAscii,
    /// [`Error::ControlCharacter`].
    ControlCharacter,
    /// [`Error::WrongPrefix`].
    WrongPrefix,
    /// [`Error::PartOfSequence`].
    PartOfSequence,
    /// [`Error::EmptyPayload`].
    EmptyPayload,
    /// [`Error::Base45InvalidChar`].
    Base45InvalidChar,
    /// [`Error::Base45Triplet`].
    Base45Triplet,
    /// [`Error::Base45Pair`].
    Base45Pair,
    /// [`Error::Base45Dangling`].
    Base45Dangling,
    /// [`Error::UnsupportedFormat`].
    UnsupportedFormat,
    /// [`Error::InflatedTooLarge`].
    InflatedTooLarge,
    /// [`Error::Deflate`].
    Deflate,
    /// [`Error::DeflateTruncated`].
    DeflateTruncated,
    /// [`Error::TrailingData`].
    TrailingData,
    /// [`Error::MalformedBody`].
    MalformedBody,
    /// [`Error::PartHeader`].
    PartHeader,
    /// [`Error::SequenceMismatch`].
    SequenceMismatch,
    /// [`Error::ConflictingPart`].
    ConflictingPart,
    /// [`Error::MissingParts`].
    MissingParts,
    /// [`Error::ChecksumMismatch`].
    ChecksumMismatch,
    /// [`Error::InvalidOption`].
    InvalidOption,
    /// [`Error::TooLargeForQr`].
    TooLargeForQr,
    /// [`Error::QrEncode`].
    QrEncode,
    /// [`Error::Png`].
    Png,
    /// [`Error::NotAnImage`].
    NotAnImage,
    /// [`Error::UnsupportedImageFormat`].
    UnsupportedImageFormat,
    /// [`Error::ImageTooLarge`].
    ImageTooLarge,
    /// [`Error::ImageDecode`].
    ImageDecode,
    /// [`Error::NoQrFound`].
    NoQrFound,
}

impl ErrorKind {
    /// A stable code for this kind, such as `"qr.base45_triplet"`. Codes are never
    /// renamed or reused.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::TextTooLong => "qr.text_too_long",
            ErrorKind::NonAscii => "qr.non_ascii",
            ErrorKind::ControlCharacter => "qr.control_character",
            ErrorKind::WrongPrefix => "qr.wrong_prefix",
            ErrorKind::PartOfSequence => "qr.part_of_sequence",
            ErrorKind::EmptyPayload => "qr.empty_payload",
            ErrorKind::Base45InvalidChar => "qr.base45_invalid_char",
            ErrorKind::Base45Triplet => "qr.base45_triplet",
            ErrorKind::Base45Pair => "qr.base45_pair",
            ErrorKind::Base45Dangling => "qr.base45_dangling",
            ErrorKind::UnsupportedFormat => "qr.unsupported_format",
            ErrorKind::InflatedTooLarge => "qr.inflated_too_large",
            ErrorKind::Deflate => "qr.deflate",
            ErrorKind::DeflateTruncated => "qr.deflate_truncated",
            ErrorKind::TrailingData => "qr.trailing_data",
            ErrorKind::MalformedBody => "qr.malformed_body",
            ErrorKind::PartHeader => "qr.part_header",
            ErrorKind::SequenceMismatch => "qr.sequence_mismatch",
            ErrorKind::ConflictingPart => "qr.conflicting_part",
            ErrorKind::MissingParts => "qr.missing_parts",
            ErrorKind::ChecksumMismatch => "qr.checksum_mismatch",
            ErrorKind::InvalidOption => "qr.invalid_option",
            ErrorKind::TooLargeForQr => "qr.too_large_for_qr",
            ErrorKind::QrEncode => "qr.qr_encode",
            ErrorKind::Png => "qr.png",
            ErrorKind::NotAnImage => "qr.not_an_image",
            ErrorKind::UnsupportedImageFormat => "qr.unsupported_image_format",
            ErrorKind::ImageTooLarge => "qr.image_too_large",
            ErrorKind::ImageDecode => "qr.image_decode",
            ErrorKind::NoQrFound => "qr.no_qr_found",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::TextTooLong { .. } => ErrorKind::TextTooLong,
            Error::NonAscii { .. } => ErrorKind::NonAscii,
            Error::ControlCharacter { .. } => ErrorKind::ControlCharacter,
            Error::WrongPrefix { .. } => ErrorKind::WrongPrefix,
            Error::PartOfSequence { .. } => ErrorKind::PartOfSequence,
            Error::EmptyPayload => ErrorKind::EmptyPayload,
            Error::Base45InvalidChar { .. } => ErrorKind::Base45InvalidChar,
            Error::Base45Triplet { .. } => ErrorKind::Base45Triplet,
            Error::Base45Pair { .. } => ErrorKind::Base45Pair,
            Error::Base45Dangling { .. } => ErrorKind::Base45Dangling,
            Error::UnsupportedFormat(_) => ErrorKind::UnsupportedFormat,
            Error::InflatedTooLarge { .. } => ErrorKind::InflatedTooLarge,
            Error::Deflate => ErrorKind::Deflate,
            Error::DeflateTruncated => ErrorKind::DeflateTruncated,
            Error::TrailingData(_) => ErrorKind::TrailingData,
            Error::MalformedBody { .. } => ErrorKind::MalformedBody,
            Error::PartHeader(_) => ErrorKind::PartHeader,
            Error::SequenceMismatch { .. } => ErrorKind::SequenceMismatch,
            Error::ConflictingPart { .. } => ErrorKind::ConflictingPart,
            Error::MissingParts { .. } => ErrorKind::MissingParts,
            Error::ChecksumMismatch => ErrorKind::ChecksumMismatch,
            Error::InvalidOption(_) => ErrorKind::InvalidOption,
            Error::TooLargeForQr { .. } => ErrorKind::TooLargeForQr,
            Error::QrEncode(_) => ErrorKind::QrEncode,
            Error::Png(_) => ErrorKind::Png,
            Error::NotAnImage => ErrorKind::NotAnImage,
            Error::UnsupportedImageFormat(_) => ErrorKind::UnsupportedImageFormat,
            Error::ImageTooLarge => ErrorKind::ImageTooLarge,
            Error::ImageDecode(_) => ErrorKind::ImageDecode,
            Error::NoQrFound => ErrorKind::NoQrFound,
        }
    }

    /// The stable code of this error (shorthand for `self.kind().as_str()`).
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }
}
