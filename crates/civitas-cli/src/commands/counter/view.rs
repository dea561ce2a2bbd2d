//! How the counter shows a verdict: in large letters on the terminal, and as JSON for
//! its web page and the `direct_post` answer.

use crate::render::shown_text;
use crate::util::show_time;
use crate::verifier_args::LedgerNote;
use civitas_verifier::Verdict;
use serde_json::{Value, json};

const FONT: [(char, [&str; 5]); 9] = [
    ('V', ["█   █", "█   █", "█   █", " █ █ ", "  █  "]),
    ('A', [" ███ ", "█   █", "█████", "█   █", "█   █"]),
    ('L', ["█    ", "█    ", "█    ", "█    ", "█████"]),
    ('I', ["█████", "  █  ", "  █  ", "  █  ", "█████"]),
    ('D', ["████ ", "█   █", "█   █", "█   █", "████ "]),
    ('N', ["█   █", "██  █", "█ █ █", "█  ██", "█   █"]),
    ('O', [" ███ ", "█   █", "█   █", "█   █", " ███ "]),
    ('T', ["█████", "  █  ", "  █  ", "  █  ", "  █  "]),
    (' ', ["   ", "   ", "   ", "   ", "   "]),
];

/// A word in large block letters.
pub(super) fn banner(word: &str) -> String {
    let mut rows = vec![String::new(); 5];
    for c in word.chars() {
        if let Some((_, glyph)) = FONT.iter().find(|(g, _)| *g == c) {
            for (row, line) in rows.iter_mut().zip(glyph) {
                row.push_str(line);
                row.push_str("  ");
            }
        }
    }
    rows.join("\n")
}

/// The verdict as the clerk sees it.
pub(super) fn clerk_view(verdict: &Verdict, note: Option<&LedgerNote>, now: i64) -> String {
    let mut s = String::new();
    if verdict.valid {
        s.push_str(&banner("VALID"));
        s.push('\n');
        let vct = verdict.vct.as_deref().unwrap_or_default();
        s.push_str(&format!("\n{}\n", verdict.type_name().unwrap_or(vct)));
        for (label, value) in shown_text(verdict) {
            s.push_str(&format!("  {label}: {value}\n"));
        }
    } else {
        s.push_str(&banner("NOT VALID"));
        s.push_str(&format!(
            "\n\nNOT VALID: {}\n",
            verdict.reason.as_deref().unwrap_or("unknown reason")
        ));
    }
    if let Some(line) = note.and_then(|n| n.plain(now)) {
        s.push_str(&format!("  ({line})\n"));
    }
    s
}

/// The verdict as JSON for the page and the direct_post answer: the verifier's
/// counter JSON (display labels), when it was checked, and the ledger's note.
pub(super) fn verdict_json(verdict: &Verdict, note: Option<&LedgerNote>, now: i64) -> Value {
    let mut v = verdict.to_counter_json();
    v["checked_at"] = json!(show_time(now));
    if let Some(n) = note {
        v["ledger"] = n.to_json(now);
    }
    v
}
