//! Ledger figures: durable appends per second (group commit vs one fsync per entry),
//! DID resolution latency with many DIDs, inclusion proof size and verification time,
//! sync throughput.
//!
//! ```text
//! cargo bench -p civitas-ledger --bench ledger
//! CIVITAS_BENCH_DIDS=1000000 cargo bench -p civitas-ledger --bench ledger   # the 1M figure
//! ```
//!
//! Other knobs: `CIVITAS_BENCH_APPENDS` (entries per append run, 40,000),
//! `CIVITAS_BENCH_CLIENTS` (concurrent clients in the group-commit run, 64),
//! `CIVITAS_BENCH_SYNC` (entries synced, 50,000).
//!
//! The big ledger is built once and kept in `~/.cache/civitas-bench/` (delete it to
//! rebuild). Entries are did:webvh genesis entries, each validated by the ledger
//! (SCID, entry hash, proof signature, didwebvh-rs's own check) before it is written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_did::webvh::{self, DocKey};
use civitas_did::{Purpose, ResolveOptions, Resolver};
use civitas_ledger::{
    Checkpoint, Entry, LedgerReader, LedgerWriter, NoteVerifier, SqliteLedger, leaf_hash,
    verify_inclusion,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The allocator the `civitas` binary (and so `civitas ledger serve`) uses.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HOST: &str = "ledger.bench.example";
const T0: i64 = 1_764_000_000;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn clock() -> civitas_ledger::Clock {
    Arc::new(|| T0 + 86_400)
}

/// `n` genesis entries, made on all cores.
fn genesis_entries(prefix: &str, n: usize) -> Vec<Entry> {
    let threads = std::thread::available_parallelism().map_or(2, |p| p.get());
    let chunk = n.div_ceil(threads);
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let prefix = prefix.to_string();
            std::thread::spawn(move || {
                let update = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
                let key = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
                let keys = [DocKey::new(
                    "key-1",
                    key.public().clone(),
                    &[Purpose::AssertionMethod, Purpose::Authentication],
                )];
                (t * chunk..((t + 1) * chunk).min(n))
                    .map(|i| {
                        let (_, e) = webvh::create(
                            &format!("{HOST}:{prefix}:{i}"),
                            &keys,
                            &update,
                            vec![],
                            T0,
                        )
                        .unwrap();
                        civitas_ledger::sign::did_log(e.as_str())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect()
}

fn fresh_ledger(dir: &Path) -> Arc<SqliteLedger> {
    std::fs::create_dir_all(dir).unwrap();
    let key = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
    Arc::new(SqliteLedger::create(&dir.join("ledger.db"), HOST, key, clock()).unwrap())
}

fn appends(dir: &Path) {
    // One fsync per entry: one client appending one at a time.
    let single = genesis_entries("single", 300);
    let ledger = fresh_ledger(&dir.join("single"));
    let t = Instant::now();
    for e in &single {
        ledger.append(e).unwrap();
    }
    let one_by_one = single.len() as f64 / t.elapsed().as_secs_f64();

    // Group commit: many clients appending concurrently, one entry per request.
    let n = env("CIVITAS_BENCH_APPENDS", 40_000) as usize;
    let clients = env("CIVITAS_BENCH_CLIENTS", 64).max(1) as usize;
    let entries = genesis_entries("group", n);
    let ledger = fresh_ledger(&dir.join("group"));
    let per = n / clients;
    let t = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let ledger = ledger.clone();
            let mine: Vec<Entry> = entries[c * per..(c + 1) * per].to_vec();
            std::thread::spawn(move || {
                for e in &mine {
                    ledger.append(e).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let group = (per * clients) as f64 / t.elapsed().as_secs_f64();
    let stats = ledger.writer_stats();

    // Storage alone: the same entries already validated elsewhere, appended in
    // batches of 1,000 (what sync and bulk imports do).
    let ledger = fresh_ledger(&dir.join("bulk"));
    let t = Instant::now();
    for chunk in entries.chunks(1000) {
        for r in ledger.append_batch(chunk).unwrap() {
            r.unwrap();
        }
    }
    let bulk = entries.len() as f64 / t.elapsed().as_secs_f64();
    println!("durable appends, one fsync per entry (1 client):        {one_by_one:8.0} /s");
    println!(
        "durable appends, group commit ({clients} concurrent clients):  {group:8.0} /s  (each entry validated: did:webvh genesis)"
    );
    println!("durable appends, batches of 1,000 (bulk/sync path):     {bulk:8.0} /s");
    println!(
        "  the writer itself (state checks, SQLite, fsync, signed checkpoint): {:8.0} entries per writer-second; {} commits, {:.0} entries per fsync",
        stats.entries as f64 / stats.busy_seconds,
        stats.commits,
        stats.entries as f64 / stats.commits.max(1) as f64
    );
}

fn big_ledger(n: u64) -> (Arc<SqliteLedger>, PathBuf) {
    let dir = PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/civitas-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("ledger-{n}.db"));
    let key_path = dir.join(format!("ledger-{n}.key"));
    if path.exists() && key_path.exists() {
        let key = SigningKey::load(&key_path).unwrap();
        let ledger = SqliteLedger::open(&path, Some(key), clock()).unwrap();
        if ledger.info().unwrap().size == n {
            return (Arc::new(ledger), path);
        }
        drop(ledger);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&key_path);
    }
    let key = SigningKey::generate(Algorithm::EdDsa, &SystemRng).unwrap();
    key.save(&key_path).unwrap();
    let ledger = Arc::new(
        SqliteLedger::create(&path, HOST, SigningKey::load(&key_path).unwrap(), clock()).unwrap(),
    );
    let t = Instant::now();
    let mut done = 0u64;
    while done < n {
        let count = (n - done).min(50_000);
        let entries = genesis_entries(&format!("p{done}"), count as usize);
        for chunk in entries.chunks(2000) {
            for r in ledger.append_batch(chunk).unwrap() {
                r.unwrap();
            }
        }
        done += count;
        eprint!("\rbuilding a ledger of {n} DIDs: {done}");
    }
    eprintln!(" ({:.0} s)", t.elapsed().as_secs_f64());
    (ledger, path)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    appends(tmp.path());

    let n = env("CIVITAS_BENCH_DIDS", 100_000);
    let (ledger, path) = big_ledger(n);
    let size = ledger.info().unwrap().size;

    // Resolution latency: random DIDs, embedded, no resolver cache. The DIDs are
    // looked up by path first (the `dids` table), so the timed resolution is the first
    // read of their log entries since the ledger was opened: what it costs when those
    // pages are wherever the OS left them. Then the same DIDs again, from memory.
    let resolver = civitas_ledger::resolver(ledger.clone(), T0 + 86_400);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let dids: Vec<String> = (0..2000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let k = state % n;
            let path = format!("p{}/{}", k / 50_000 * 50_000, k % 50_000);
            ledger.did_at_path(&path).unwrap().expect("a bench DID")
        })
        .collect();
    for label in ["first lookup", "again"] {
        let mut lat: Vec<f64> = dids
            .iter()
            .map(|did| {
                let t = Instant::now();
                let r = resolver.resolve(did, &ResolveOptions::default()).unwrap();
                let us = t.elapsed().as_secs_f64() * 1e6;
                assert!(!r.metadata.deactivated);
                us
            })
            .collect();
        lat.sort_by(f64::total_cmp);
        println!(
            "resolve a did:webvh DID, {size} DIDs in the ledger (embedded, no resolver cache), {label}: p50 {:.0} µs, p99 {:.0} µs",
            percentile(&lat, 0.5),
            percentile(&lat, 0.99)
        );
    }

    // Inclusion proofs.
    let info = ledger.info().unwrap();
    let key = NoteVerifier::parse(&info.log_key).unwrap();
    let cp = Checkpoint::open(&ledger.checkpoint().unwrap(), &key).unwrap();
    let index = size / 3;
    let proof = ledger.inclusion_proof(index, cp.size).unwrap();
    let leaf = leaf_hash(&ledger.entries(index, index + 1).unwrap()[0]);
    let t = Instant::now();
    for _ in 0..10_000 {
        verify_inclusion(&leaf, index, cp.size, &proof, &cp.root).unwrap();
    }
    let verify_us = t.elapsed().as_secs_f64() / 10_000.0 * 1e6;
    let t = Instant::now();
    for _ in 0..200 {
        ledger.inclusion_proof(index, cp.size).unwrap();
    }
    let make_us = t.elapsed().as_secs_f64() / 200.0 * 1e6;
    println!(
        "inclusion proof at size {}: {} hashes = {} bytes; made in {make_us:.0} µs, verified in {verify_us:.1} µs",
        cp.size,
        proof.len(),
        proof.len() * 32
    );

    // Sync throughput: a replica copying the big ledger (every entry re-validated).
    let sync_n = env("CIVITAS_BENCH_SYNC", 50_000).min(size);
    let source = if sync_n == size {
        ledger.clone()
    } else {
        let d = tmp.path().join("sync-src");
        let src = fresh_ledger(&d);
        let entries: Vec<Entry> = (0..sync_n)
            .step_by(1000)
            .flat_map(|s| ledger.entries(s, (s + 1000).min(sync_n)).unwrap())
            .map(|b| Entry::from_bytes(&b).unwrap())
            .collect();
        for chunk in entries.chunks(2000) {
            for r in src.append_batch(chunk).unwrap() {
                r.unwrap();
            }
        }
        src
    };
    let replica = SqliteLedger::create_replica(
        &tmp.path().join("replica.db"),
        &source.info().unwrap(),
        "bench",
        clock(),
    )
    .unwrap();
    let t = Instant::now();
    let report = civitas_ledger::sync(&*source, &replica, &mut |_, _| {}).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "sync: {} entries in {secs:.1} s = {:.0} entries/s (consistency proof, every entry re-validated, one transaction)",
        report.fetched,
        report.fetched as f64 / secs
    );
    println!(
        "ledger file: {} ({} MB for {size} entries)",
        path.display(),
        std::fs::metadata(&path)
            .map(|m| m.len() / 1_000_000)
            .unwrap_or(0)
    );
}
