//! `civitas counter`: the clerk's loop for a keyboard-wedge 2D scanner — show the
//! request, read scanned lines, show each verdict in large letters.

use super::args::CounterArgs;
use super::record::ServiceDesk;
use super::view::clerk_view;
use crate::error::{CliError, Result};
use crate::request_args::request_qr;
use crate::util::out;
use civitas_crypto::SystemRng;
use civitas_did::MethodResolver;
use civitas_exchange::qr::TerminalStyle;
use civitas_verifier::scan::MAX_LINE;
use civitas_verifier::{CounterSession, Verdict};
use std::io::BufRead;
use std::process::ExitCode;

/// Runs the loop until the scanner's input ends.
pub(super) fn run(args: &CounterArgs) -> Result<ExitCode> {
    let (mut session, note) = args.session()?;
    let desk = args.record.desk(chrono::Utc::now().timestamp())?;
    if let Some(d) = &desk {
        out(&d.summary())?;
    }
    // When the open request was made: the service record's requested_at.
    let mut requested_at = chrono::Utc::now().timestamp();
    let show_request = |s: &CounterSession<MethodResolver>| -> Result<()> {
        let code = request_qr(s.request())?;
        out(&code.to_terminal(TerminalStyle::default()))?;
        out(&format!(
            "Scan this with the citizen's wallet, then scan the wallet's code. (nonce {})",
            s.request().nonce()
        ))?;
        out(&s.request().to_url())
    };
    show_request(&session)?;
    let stdin = std::io::stdin();
    let mut reader = stdin.lock();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // Bounded read: a scanner that never sends a newline cannot exhaust memory.
        let n = std::io::Read::take(&mut reader, MAX_LINE as u64 + 2).read_until(b'\n', &mut buf);
        match n {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(CliError::Input(format!("cannot read the scanner: {e}"))),
        }
        if buf.len() > MAX_LINE && !buf.ends_with(b"\n") {
            // Skip the rest of the huge line.
            let mut sink = Vec::new();
            let _ = reader.read_until(b'\n', &mut sink);
            out(&clerk_view(
                &Verdict::rejected(
                    "input_too_large",
                    "the scanned line is longer than any presentation".into(),
                ),
                None,
                0,
            ))?;
            continue;
        }
        let now = chrono::Utc::now().timestamp();
        let verdict = match std::str::from_utf8(&buf) {
            Err(_) => Some(Verdict::rejected(
                "malformed",
                "the scanner sent bytes that are not text (binary junk)".into(),
            )),
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => session.scan(line, now),
        };
        match verdict {
            None => out("(part received; scan the next code)")?,
            Some(v) => {
                let valid = v.valid;
                out(&clerk_view(&v, note.as_ref(), now))?;
                if valid {
                    if let Some(desk) = &desk {
                        show_record(desk, &v, requested_at, now)?;
                    }
                    requested_at = now;
                    show_request(&session)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The service record for the citizen who was just served: its QR code, the offer
/// URI and, on its own line, `PIN 123456`. A failure is shown, and the loop goes on.
fn show_record(desk: &ServiceDesk, verdict: &Verdict, requested_at: i64, now: i64) -> Result<()> {
    match desk.offer(verdict, requested_at, now, &SystemRng) {
        Ok(o) => {
            out(&format!(
                "\nService record {} for the citizen: scan it with the wallet and type the PIN (valid until {}).",
                o.reference,
                crate::util::show_time(o.created.expires_at)
            ))?;
            if let Some(code) = &o.qr {
                out(&code.to_terminal(TerminalStyle::default()))?;
            }
            if let Some(png) = &o.png {
                out(&format!("(QR code in {})", png.display()))?;
            }
            out(&o.created.offer_uri)?;
            if let Some(pin) = &o.created.tx_code {
                out(&format!("PIN {pin}"))?;
            }
            Ok(())
        }
        Err(e) => out(&format!("(no service record: {e})")),
    }
}
