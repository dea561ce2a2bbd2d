//! Crash safety: the node is killed with SIGKILL while several clients append, and
//! restarted, 20 times. Every acknowledged append must be there, at the index its
//! receipt gave, with its leaf hash; nothing that was never sent may be; the newest
//! signed checkpoint must cover exactly the entries held; and at the end the whole log
//! must replay and re-validate (`civitas ledger audit`).
//!
//! (An append the node committed but whose acknowledgement the kill swallowed may be
//! present: it was sent, just not acknowledged. Nothing else may.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use civitas_ledger::http::client::HttpLedger;
use civitas_ledger::{Checkpoint, LedgerReader, LedgerWriter, NoteVerifier, leaf_hash};
use civitas_testkit::{Actor, T0};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod support;
use support::Served;

#[test]
fn sigkill_during_concurrent_appends_loses_nothing_acknowledged() {
    const ROUNDS: usize = 20;
    const CLIENTS: usize = 4;
    const PER_CLIENT: usize = 120;
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("ledger.db").to_str().unwrap().to_string();
    // Every entry that will ever be sent, by leaf hash.
    let mut sent: HashSet<String> = HashSet::new();
    let mut batches = Vec::new();
    for round in 0..ROUNDS {
        let mut per_round = Vec::new();
        for c in 0..CLIENTS {
            let entries: Vec<_> = (0..PER_CLIENT)
                .map(|i| Actor::create(&format!("people:r{round}:c{c}:n{i}"), T0).1)
                .collect();
            for e in &entries {
                sent.insert(leaf_hash(&e.to_bytes()).to_hex());
            }
            per_round.push(entries);
        }
        batches.push(per_round);
    }
    let acknowledged: Arc<Mutex<HashMap<u64, String>>> = Arc::default();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut total_acked = 0;
    for (round, per_round) in batches.into_iter().enumerate() {
        let mut node = Served::start(&[
            "ledger",
            "serve",
            "--db",
            &db,
            "--host",
            civitas_testkit::HOST,
        ]);
        let url = node.url.clone();
        let threads: Vec<_> = per_round
            .into_iter()
            .map(|entries| {
                let url = url.clone();
                let acked = acknowledged.clone();
                std::thread::spawn(move || {
                    let client = HttpLedger::new(&url).unwrap();
                    for chunk in entries.chunks(4) {
                        let Ok(results) = client.append_batch(chunk) else {
                            return;
                        };
                        for (entry, r) in chunk.iter().zip(results) {
                            let receipt =
                                r.unwrap_or_else(|e| panic!("a valid entry was refused: {e}"));
                            assert_eq!(receipt.leaf_hash, leaf_hash(&entry.to_bytes()).to_hex());
                            acked
                                .lock()
                                .unwrap()
                                .insert(receipt.index, receipt.leaf_hash);
                        }
                    }
                })
            })
            .collect();
        // Kill at a pseudo-random moment while the clients are busy.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(40 + seed % 260));
        node.kill(); // SIGKILL
        for t in threads {
            t.join().unwrap();
        }
        // Restart and check.
        let node = Served::start(&[
            "ledger",
            "serve",
            "--db",
            &db,
            "--host",
            civitas_testkit::HOST,
        ]);
        let client = HttpLedger::new(&node.url).unwrap();
        let info = client.info().unwrap();
        let key = NoteVerifier::parse(&info.log_key).unwrap();
        let cp = Checkpoint::open(&client.checkpoint().unwrap(), &key).unwrap();
        assert_eq!(
            cp.size, info.size,
            "round {round}: the newest checkpoint covers exactly what is held"
        );
        let mut held = Vec::new();
        let mut start_at = 0;
        while start_at < info.size {
            let end = (start_at + 1000).min(info.size);
            held.extend(client.entries(start_at, end).unwrap());
            start_at = end;
        }
        let acked = acknowledged.lock().unwrap().clone();
        for (index, leaf) in &acked {
            let bytes = held
                .get(*index as usize)
                .unwrap_or_else(|| panic!("round {round}: acknowledged entry {index} is missing"));
            assert_eq!(
                &leaf_hash(bytes).to_hex(),
                leaf,
                "round {round}: entry {index} changed"
            );
        }
        for (i, bytes) in held.iter().enumerate() {
            assert!(
                sent.contains(&leaf_hash(bytes).to_hex()),
                "round {round}: entry {i} was never sent"
            );
        }
        total_acked = acked.len();
        drop(node);
    }
    assert!(
        total_acked >= 1000,
        "only {total_acked} appends were acknowledged across the rounds"
    );
    let o = support::civitas_command()
        .args(["ledger", "audit", "--db", &db])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "audit: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    eprintln!(
        "{total_acked} acknowledged appends survived {ROUNDS} SIGKILLs; {}",
        String::from_utf8_lossy(&o.stdout).trim()
    );
}
