//! The errors of the [`qr`](crate::qr) module, one enum per concern (and per layer)
//! behind the transparent top-level [`Error`]:
//!
//! | concern | enum | raised in |
//! |---|---|---|
//! | the scanned text | [`TextError`] | `prefix.rs`, `payload.rs` |
//! | Base45 | [`Base45Error`] | `base45.rs` |
//! | the binary frame | [`FrameError`] | `frame.rs`, `compact.rs` |
//! | multi-part sequences | [`MultipartError`] | `prefix.rs`, `multipart.rs` |
//! | rendering | [`RenderError`] | `capacity.rs`, `multipart.rs`, `render.rs` |
//! | scanning images | [`ScanError`] | `scan.rs` |
//!
//! Every rejection has its own variant. Its stable code (`"qr.base45_triplet"`), which
//! front ends and logs match on, is derived from the variant name (`qr.` and the name
//! in snake case) by `strum`, and so is its copyable kind; [`Error::kind`] and
//! [`Error::code`] reach them from the top. Messages never echo more than a few
//! characters of the scanned text: it is a credential.

/// Result alias for the [`qr`](crate::qr) module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Implements `kind()` and `code()` for a concern enum whose kind enum is derived by
/// `strum::EnumDiscriminants` and whose code is derived by `strum::IntoStaticStr`.
macro_rules! concern {
    ($error:ident, $kind:ident) => {
        impl $error {
            /// The kind of this error, without its details.
            pub fn kind(&self) -> $kind {
                self.into()
            }

            /// The stable code of this error, such as `"qr.text_too_long"`.
            pub fn code(&self) -> &'static str {
                self.into()
            }
        }

        impl $kind {
            /// The stable code of this kind.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}

/// What can go wrong in the [`qr`](crate::qr) module: one variant per concern,
/// each wrapping that concern's enum and showing its message unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`TextError`].
    #[error(transparent)]
    Text(#[from] TextError),
    /// See [`Base45Error`].
    #[error(transparent)]
    Base45(#[from] Base45Error),
    /// See [`FrameError`].
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// See [`MultipartError`].
    #[error(transparent)]
    Multipart(#[from] MultipartError),
    /// See [`RenderError`].
    #[error(transparent)]
    Render(#[from] RenderError),
    /// See [`ScanError`].
    #[error(transparent)]
    Scan(#[from] ScanError),
}

/// The kind of an [`Error`], without its details: copyable, comparable, with a
/// stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`TextErrorKind`].
    Text(TextErrorKind),
    /// See [`Base45ErrorKind`].
    Base45(Base45ErrorKind),
    /// See [`FrameErrorKind`].
    Frame(FrameErrorKind),
    /// See [`MultipartErrorKind`].
    Multipart(MultipartErrorKind),
    /// See [`RenderErrorKind`].
    Render(RenderErrorKind),
    /// See [`ScanErrorKind`].
    Scan(ScanErrorKind),
}

impl Error {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Text(e) => ErrorKind::Text(e.kind()),
            Error::Base45(e) => ErrorKind::Base45(e.kind()),
            Error::Frame(e) => ErrorKind::Frame(e.kind()),
            Error::Multipart(e) => ErrorKind::Multipart(e.kind()),
            Error::Render(e) => ErrorKind::Render(e.kind()),
            Error::Scan(e) => ErrorKind::Scan(e.kind()),
        }
    }

    /// The stable code of this error (shorthand for `self.kind().as_str()`).
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }
}

impl ErrorKind {
    /// The stable code, `qr.<snake_case name of the variant>`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Text(k) => k.as_str(),
            ErrorKind::Base45(k) => k.as_str(),
            ErrorKind::Frame(k) => k.as_str(),
            ErrorKind::Multipart(k) => k.as_str(),
            ErrorKind::Render(k) => k.as_str(),
            ErrorKind::Scan(k) => k.as_str(),
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scanned text, before any decoding: its length, its characters, its prefix.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "qr.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(TextErrorKind),
    doc = "The kind of a [`TextError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "qr.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum TextError {
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
}

concern!(TextError, TextErrorKind);

/// Strict Base45 (RFC 9285) decoding.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "qr.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(Base45ErrorKind),
    doc = "The kind of a [`Base45Error`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "qr.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum Base45Error {
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
}

concern!(Base45Error, Base45ErrorKind);

/// The binary frame: its format byte, the deflate stream, the body.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "qr.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(FrameErrorKind),
    doc = "The kind of a [`FrameError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "qr.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum FrameError {
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
}

concern!(FrameError, FrameErrorKind);

/// Multi-part sequences: part headers and assembling.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "qr.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(MultipartErrorKind),
    doc = "The kind of a [`MultipartError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "qr.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum MultipartError {
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
}

concern!(MultipartError, MultipartErrorKind);

/// Rendering a QR code: options, capacity, encoders.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "qr.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(RenderErrorKind),
    doc = "The kind of a [`RenderError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "qr.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum RenderError {
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
        ecc: super::ecc::EccLevel,
    },
    /// The QR encoder failed for another reason.
    #[error("QR encoding failed: {0}")]
    QrEncode(String),
    /// Writing a PNG failed.
    #[error("PNG encoding failed")]
    Png(#[source] image::ImageError),
}

concern!(RenderError, RenderErrorKind);

/// Scanning images for QR codes.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[strum(prefix = "qr.", serialize_all = "snake_case")]
#[strum_discriminants(
    name(ScanErrorKind),
    doc = "The kind of a [`ScanError`]: copyable, with the same stable code.",
    derive(Hash, strum::IntoStaticStr, strum::EnumIter),
    strum(prefix = "qr.", serialize_all = "snake_case"),
    non_exhaustive
)]
#[non_exhaustive]
pub enum ScanError {
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

concern!(ScanError, ScanErrorKind);
