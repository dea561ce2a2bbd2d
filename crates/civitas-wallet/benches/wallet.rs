//! Wallet figures: unlock time at the chosen Argon2id parameters, presentation
//! latency, vault size with 100 credentials.
//!
//! `cargo bench -p civitas-wallet --bench wallet`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/common/mod.rs"]
mod common;

use civitas_credential::types::{MEDICAL, PID};
use civitas_wallet::{InitOptions, KdfParams, PresentationRequest, Wallet};
use common::*;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(mut samples: Vec<Duration>) -> (f64, f64, f64) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let p95 = samples[(samples.len() * 95 / 100).min(samples.len() - 1)];
    (ms(samples[0]), ms(median), ms(p95))
}

fn unlock_time(world: &World, name: &str, kdf: KdfParams, runs: usize) -> (f64, f64, f64) {
    world.set_time(T0 + 10);
    let options = InitOptions {
        kdf,
        ..InitOptions::default()
    };
    let (w, _) = Wallet::init(&world.dir(name), PASS, world.writer(), &options, T0 + 10).unwrap();
    drop(w);
    let mut samples = Vec::new();
    for i in 0..runs {
        let start = Instant::now();
        let mut w = Wallet::open(&world.dir(name), world.writer()).unwrap();
        w.unlock(PASS, T0 + 20 + i as i64).unwrap();
        samples.push(start.elapsed());
    }
    stats(samples)
}

fn main() {
    let world = World::new();
    println!(
        "civitas-wallet figures ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // 1. Unlock (open + Argon2id + unwrap + integrity check of a fresh vault).
    let (calibrated, calibration_ms) = KdfParams::calibrate(500).unwrap();
    println!(
        "\nArgon2id calibration (budget 500 ms): {calibrated}, {calibration_ms} ms per derivation"
    );
    for (label, kdf) in [
        ("calibrated (CLI/app default)", calibrated),
        ("RFC 9106 second recommendation", KdfParams::RFC9106_SECOND),
        ("floor (OWASP minimum)", KdfParams::MINIMUM),
    ] {
        let (min, median, p95) = unlock_time(&world, label.split(' ').next().unwrap(), kdf, 7);
        println!("unlock, {label:<32} {kdf}: median {median:.0} ms (min {min:.0}, p95 {p95:.0})");
    }

    // 2. Presentation latency: prepare (consent) + present (KB-JWT through the key
    //    store, history entry committed with fsync), with 2 and with 100 credentials.
    let (mut w, init) = world.wallet("present", T0 + 10);
    let did = init.did.clone();
    let pid = world
        .hall
        .issue(PID.vct, &pid_claims(), did_binding(&did), Some(1), T0 + 11);
    let med = world.hospital.issue(
        MEDICAL.vct,
        &medical_claims(),
        did_binding(&did),
        Some(2),
        T0 + 11,
    );
    w.receive(&pid, T0 + 12).unwrap();
    w.receive(&med, T0 + 12).unwrap();
    let measure = |w: &mut Wallet, runs: usize| {
        let mut prepare = Vec::new();
        let mut total = Vec::new();
        for i in 0..runs {
            let request = PresentationRequest::new(
                &format!("n{i}"),
                "counter",
                "pid",
                paths(&["age_over_18"]),
            )
            .with_optional(paths(&["address.locality"]));
            let t = T0 + 20 + i as i64 / 10;
            let start = Instant::now();
            let consent = w.prepare(&request, t).unwrap();
            prepare.push(start.elapsed());
            w.present(&consent, &[], t).unwrap();
            total.push(start.elapsed());
        }
        (stats(prepare), stats(total))
    };
    let ((_, prep, _), (min, median, p95)) = measure(&mut w, 50);
    println!(
        "\npresentation, 2 credentials: median {median:.2} ms (min {min:.2}, p95 {p95:.2}); of which prepare {prep:.2} ms"
    );

    // 3. 100 credentials: the vault's size, and the presentation latency then.
    for i in 0..98 {
        let mut claims = pid_claims();
        claims["personal_number"] = format!("B{i:09}").into();
        let c = world
            .hall
            .issue(PID.vct, &claims, did_binding(&did), Some(3), T0 + 11);
        w.receive(&c, T0 + 30).unwrap();
    }
    assert_eq!(w.credentials(T0 + 30).unwrap().len(), 100);
    let ((_, prep, _), (min, median, p95)) = measure(&mut w, 30);
    println!(
        "presentation, 100 credentials: median {median:.2} ms (min {min:.2}, p95 {p95:.2}); of which prepare {prep:.2} ms"
    );
    let start = Instant::now();
    let n = w.credentials(T0 + 40).unwrap().len();
    println!("list {n} credentials: {:.1} ms", ms(start.elapsed()));
    w.checkpoint().unwrap();
    let history = w.history(T0 + 40).unwrap().len();
    let size = w.vault_bytes();
    let backup = world.dir("bench.backup");
    let info = w.backup(&backup, T0 + 41).unwrap();
    println!(
        "vault with 100 credentials and {history} history entries: {size} bytes ({:.1} KiB; {:.1} KiB a credential); backup file {} bytes",
        size as f64 / 1024.0,
        size as f64 / 1024.0 / 100.0,
        info.bytes
    );
    let start = Instant::now();
    drop(w);
    let mut w = Wallet::open(&world.dir("present"), world.writer()).unwrap();
    let report = w.unlock(PASS, T0 + 50).unwrap();
    println!(
        "unlock with 100 credentials and {} history entries (floor KDF, all records authenticated, chain checked): {:.0} ms",
        report.history_entries,
        ms(start.elapsed())
    );
}
