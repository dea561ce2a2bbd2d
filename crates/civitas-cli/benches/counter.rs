//! Counter throughput: `civitas verify --batch` over presentations of PIDs from a
//! did:webvh issuer, accredited by a root, with a status list entry — every ledger
//! lookup (issuer key, accreditation chain, status list) included, cached as a counter
//! does — next to two raw ring ES256 verifications per presentation measured in the
//! same run. Target: ≤ 1.15× those two verifications.
//!
//! ```text
//! cargo bench -p civitas-cli --bench counter
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use civitas_credential::status_list::StatusList;
use civitas_credential::{ClaimPath, Credential, HolderBinding, StatusRef};
use civitas_crypto::{Algorithm, SigningKey, SystemRng};
use civitas_ledger::LedgerWriter;
use civitas_ledger::sign::{self, AccreditationSpec};
use civitas_testkit::{Actor, HOST, PID, T0, new_ledger};
use std::process::Command;

fn main() {
    let n: usize = std::env::var("CIVITAS_BENCH_PRESENTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let tmp = tempfile::tempdir().unwrap();
    let ledger = new_ledger(tmp.path(), T0 + 3600);
    let (root, e) = Actor::create("roots:city", T0);
    ledger.append(&e).unwrap();
    let (hall, e) = Actor::create("issuers:city-hall", T0);
    ledger.append(&e).unwrap();
    ledger
        .append(&sign::root(root.signing(), &[PID], None, T0 + 1).unwrap())
        .unwrap();
    let spec = AccreditationSpec {
        id: "acc",
        subject: &hall.did,
        name: None,
        vcts: &[PID],
        nbf: None,
        exp: None,
        delegate: false,
    };
    ledger
        .append(&sign::accreditation(root.signing(), &spec, T0 + 2).unwrap())
        .unwrap();
    let uri = sign::status_list_uri(HOST, &hall.did, "pid");
    ledger
        .append(
            &sign::status_list(
                hall.signing(),
                &uri,
                &StatusList::new(2, n.max(16)).unwrap(),
                T0 + 3,
            )
            .unwrap(),
        )
        .unwrap();
    let now = chrono::Utc::now().timestamp();
    let selection: Vec<ClaimPath> = [
        "given_name",
        "family_name",
        "age_over_18",
        "nationality",
        "address.locality",
    ]
    .iter()
    .map(|p| ClaimPath::parse(p).unwrap())
    .collect();
    let mut lines = Vec::with_capacity(n);
    for i in 0..n {
        let holder = SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap();
        let sd = hall.issue_pid(
            HolderBinding::Jwk(holder.public().clone()),
            T0 + 10,
            Some(StatusRef {
                idx: i as u64,
                uri: uri.clone(),
            }),
        );
        lines.push(
            Credential::parse(&sd)
                .unwrap()
                .present(&selection, &holder, "nonce-1", "counter-7", now)
                .unwrap(),
        );
    }
    let batch = tmp.path().join("batch.txt");
    std::fs::write(&batch, lines.join("\n") + "\n").unwrap();
    drop(ledger);
    let db = tmp.path().join("ledger.db");
    let out = Command::new(env!("CARGO_BIN_EXE_civitas"))
        .args([
            "verify",
            "--batch",
            batch.to_str().unwrap(),
            "--ledger",
            db.to_str().unwrap(),
            "--root",
            &root.did,
        ])
        .args(["--nonce", "nonce-1", "--aud", "counter-7", "--compare-raw"])
        .output()
        .unwrap();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
