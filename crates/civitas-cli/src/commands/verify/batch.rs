//! `civitas verify --batch FILE`: many presentations, for audits — and the throughput
//! benchmark's harness (`--compare-raw`).

use crate::error::{CliError, Result};
use crate::util::out;
use civitas_credential::HolderBinding;
use civitas_did::{MethodResolver, Purpose, Resolver as _};
use civitas_exchange::qr::Assembler;
use civitas_verifier::scan::scan_line;
use civitas_verifier::{Request, Verdict, Verifier};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Verifies every line of `file`; prints a summary (and with `json` one verdict a
/// line). Exit 0 when every line is valid, else 1.
pub(super) fn run(
    file: &Path,
    verifier: &Verifier<MethodResolver>,
    request: &Request,
    now: i64,
    json: bool,
    compare_raw: bool,
) -> Result<ExitCode> {
    let f = std::fs::File::open(file)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", file.display())))?;
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(f).split(b'\n') {
        let line = line.map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines.push(line);
        }
    }
    let total = lines.len();
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    let mut valid = 0usize;
    let mut verdicts = Vec::with_capacity(if compare_raw { total } else { 0 });
    let mut presentations = Vec::with_capacity(if compare_raw { total } else { 0 });
    let start = Instant::now();
    let mut last_progress = Instant::now();
    for (i, line) in lines.iter().enumerate() {
        let verdict = match std::str::from_utf8(line) {
            Err(_) => Verdict::rejected(
                "malformed",
                "malformed presentation: the line is not text".into(),
            ),
            Ok(text) => match scan_line(text, &mut Assembler::new()) {
                Ok(Some(p)) => {
                    let v = verifier.verify(&p, request, now);
                    if compare_raw {
                        presentations.push(p);
                    }
                    v
                }
                Ok(None) => Verdict::rejected(
                    "qr.missing_parts",
                    "one part of a multi-part code; a batch line must hold a whole presentation"
                        .into(),
                ),
                Err(r) => Verdict::from(r),
            },
        };
        if verdict.valid {
            valid += 1;
        } else {
            *by_code
                .entry(verdict.code.unwrap_or("unknown").to_string())
                .or_default() += 1;
        }
        if json {
            let mut v = verdict.to_json();
            v["line"] = serde_json::json!(i + 1);
            out(&v.to_string())?;
        }
        if compare_raw && verdict.valid {
            verdicts.push(verdict);
        }
        if last_progress.elapsed().as_millis() >= 200 || i + 1 == total {
            last_progress = Instant::now();
            let done = i + 1;
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!(
                "\r[{}{}] {done}/{total}",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
            let _ = std::io::stderr().flush();
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!();
    let summary = format!(
        "{total} presentations: {valid} valid, {} not valid; {:.0} verified/s on one core ({:.1} µs each)",
        total - valid,
        total as f64 / elapsed,
        elapsed / total.max(1) as f64 * 1e6
    );
    if json {
        eprintln!("{summary}");
    } else {
        out(&summary)?;
        for (code, n) in &by_code {
            out(&format!("  {n:>6}  {code}"))?;
        }
    }
    if compare_raw {
        compare(verifier, request, now, &presentations, &verdicts)?;
    }
    Ok(if valid == total {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Times the pipeline again (warm) against two raw ring verifications per
/// presentation over the same signatures, interleaved rounds, median ratio.
fn compare(
    verifier: &Verifier<MethodResolver>,
    request: &Request,
    now: i64,
    presentations: &[String],
    verdicts: &[Verdict],
) -> Result<()> {
    let mut raw = Vec::new();
    for (p, v) in presentations.iter().zip(verdicts) {
        let Some(details) = &v.verified else { continue };
        let (Some(kid), Some(HolderBinding::Jwk(holder))) = (&details.kid, &details.holder) else {
            continue;
        };
        let Ok(issuer_key) =
            verifier
                .resolver()
                .resolve_key(kid, Purpose::AssertionMethod, details.iat)
        else {
            continue;
        };
        let jwt = p.split('~').next().unwrap_or_default();
        let kb = p.rsplit('~').next().unwrap_or_default();
        let split = |t: &str| -> Option<(String, Vec<u8>)> {
            let (input, sig) = t.rsplit_once('.')?;
            Some((input.to_string(), civitas_crypto::b64::decode(sig).ok()?))
        };
        if let (Some(a), Some(b)) = (split(jwt), split(kb)) {
            raw.push((issuer_key, a, holder.clone(), b));
        }
    }
    if raw.len() != presentations.len() || raw.is_empty() {
        return Err(CliError::Failed(
            "--compare-raw needs every presentation valid, with cnf.jwk holder binding".into(),
        ));
    }
    let verify_raw = |key: &civitas_crypto::PublicKey, input: &str, sig: &[u8]| {
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            key.as_bytes(),
        )
        .verify(input.as_bytes(), sig)
        .is_ok()
    };
    let mut ratios = Vec::new();
    let (mut pipe_us, mut raw_us) = (Vec::new(), Vec::new());
    // 15 interleaved rounds, as the pipeline bench: the median is stable to ~1%.
    for _ in 0..15 {
        let t = Instant::now();
        for p in presentations {
            std::hint::black_box(verifier.verify(p, request, now).valid);
        }
        let pipeline = t.elapsed().as_secs_f64() / presentations.len() as f64;
        let t = Instant::now();
        for (ik, (ii, is), hk, (hi, hs)) in &raw {
            std::hint::black_box(verify_raw(ik, ii, is) && verify_raw(hk, hi, hs));
        }
        let two = t.elapsed().as_secs_f64() / raw.len() as f64;
        ratios.push(pipeline / two);
        pipe_us.push(pipeline * 1e6);
        raw_us.push(two * 1e6);
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    out(&format!(
        "pipeline {:.1} µs/presentation ({:.0}/s per core), two raw ring ES256 verifications {:.1} µs: ratio {:.3} (target ≤ 1.15)",
        med(&mut pipe_us),
        1e6 / med(&mut pipe_us.clone()),
        med(&mut raw_us),
        med(&mut ratios)
    ))?;
    Ok(())
}
