//! What a counter receives — a presentation as compact SD-JWT text, a `CIV1:` QR
//! payload, the parts of a multi-part code, or a photo of the code — turned into the
//! presentation, or a reason it is not one. Used by `civitas verify`, the counter's
//! [`CounterSession`](crate::counter::CounterSession) and its web page.

use civitas_exchange::qr::{self, Assembler};

/// Largest single input line accepted from a scanner, bytes.
pub const MAX_LINE: usize = 64 * 1024;

/// Why input is not a presentation: a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The stable code (`malformed`, `input_too_large`, `qr.*`).
    pub code: &'static str,
    /// A sentence for the clerk.
    pub reason: String,
}

fn rejected(code: &'static str, reason: impl Into<String>) -> Rejected {
    Rejected {
        code,
        reason: reason.into(),
    }
}

fn qr_error(e: &qr::Error) -> Rejected {
    rejected(e.code(), format!("unreadable QR payload: {e}"))
}

/// Whether `bytes` look like a PNG or JPEG image.
pub fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// One scanned line: a presentation, a `CIV1:` payload, or one part of a multi-part
/// code (fed to `assembler`; `Ok(None)` until the last part arrives).
pub fn scan_line(line: &str, assembler: &mut Assembler) -> Result<Option<String>, Rejected> {
    let line = line.trim_matches(|c| c == '\r' || c == '\n' || c == ' ' || c == '\t');
    if line.len() > MAX_LINE {
        return Err(rejected(
            "input_too_large",
            format!("{} bytes is longer than any presentation", line.len()),
        ));
    }
    if let Some(bad) = line.chars().find(|c| c.is_control()) {
        return Err(rejected(
            "malformed",
            format!(
                "unexpected control character U+{:04X} (binary junk from the scanner?)",
                bad as u32
            ),
        ));
    }
    if line.starts_with(qr::PART_PREFIX) {
        let progress = assembler.add(line).map_err(|e| qr_error(&e))?;
        if progress.is_complete() {
            let presentation = assembler.finish().map_err(|e| qr_error(&e));
            assembler.reset();
            return presentation.map(Some);
        }
        return Ok(None);
    }
    if line.starts_with(qr::PREFIX) {
        return qr::decode_payload(line).map(Some).map_err(|e| qr_error(&e));
    }
    // A compact SD-JWT never holds ':'; a short word before one is some other QR
    // payload's prefix (a mistyped CIV1, an EU HC1: certificate…).
    if let Some(i) = line.find(':').filter(|i| *i <= 10) {
        let prefix: String = line[..i].chars().take(10).collect();
        return Err(rejected(
            "qr.prefix",
            format!("unknown QR payload prefix '{prefix}:' (this counter reads CIV1: codes)"),
        ));
    }
    Ok(Some(line.to_string()))
}

/// The one presentation in `bytes` (text or image), or why there is none.
pub fn presentation_from_bytes(bytes: &[u8]) -> Result<String, Rejected> {
    let texts: Vec<String> = if is_image(bytes) {
        qr::decode_image(bytes)
            .map_err(|e| rejected(e.code(), format!("no readable QR code in the image: {e}")))?
    } else {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| rejected("malformed", "malformed presentation: the input is not text"))?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    };
    if texts.is_empty() {
        return Err(rejected("malformed", "malformed presentation: empty input"));
    }
    let mut assembler = Assembler::new();
    let mut found = Vec::new();
    for t in &texts {
        if let Some(p) = scan_line(t, &mut assembler)? {
            found.push(p);
        }
    }
    if let Some(progress) = assembler.progress()
        && !progress.is_complete()
    {
        return Err(rejected(
            "qr.missing_parts",
            format!(
                "only {} of {} QR codes were read; scan the others",
                progress.received, progress.total
            ),
        ));
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(rejected(
            "malformed",
            "malformed presentation: nothing in the input",
        )),
        n => Err(rejected(
            "malformed",
            format!("{n} presentations in one input; verify them one at a time (or use --batch)"),
        )),
    }
}

impl From<Rejected> for crate::Verdict {
    fn from(r: Rejected) -> Self {
        crate::Verdict::rejected(r.code, r.reason)
    }
}
