//! `civitas wallet history`: who was shown what, when; attaching a counter's receipt.

use super::args::WalletArgs;
use crate::error::Result;
use crate::util::{out, show_time};
use civitas_wallet::Event;
use std::path::Path;
use std::process::ExitCode;

/// Prints the history, or attaches a receipt to entry `attach`.
pub(super) fn history(
    args: &WalletArgs,
    json: bool,
    attach: Option<u64>,
    receipt: Option<&Path>,
) -> Result<ExitCode> {
    let (mut wallet, now, report) = args.open()?;
    if let (Some(seq), Some(file)) = (attach, receipt) {
        let text = crate::util::read_text(file)?;
        wallet.attach_receipt(seq, &text, now)?;
        out(&format!("Receipt stored with history entry #{seq}."))?;
        return Ok(ExitCode::SUCCESS);
    }
    if json {
        out(&wallet.export_history(now)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let items = wallet.history(now)?;
    let mut s = String::new();
    for i in &items {
        s.push_str(&format!(
            "#{:<4} {}  {}{}\n",
            i.entry.seq,
            show_time(i.entry.time),
            i.entry.event.describe(),
            if i.receipt.is_some() {
                "  [receipt]"
            } else {
                ""
            }
        ));
    }
    let shown = items
        .iter()
        .filter(|i| matches!(i.entry.event, Event::Presented { .. }))
        .count();
    s.push_str(&format!(
        "{} entries, {shown} presentations; chain {}",
        items.len(),
        if report.is_intact() {
            "intact".to_string()
        } else {
            format!("TAMPERED: {}", report.summary())
        }
    ));
    out(&s)?;
    Ok(if report.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
