#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The vault at rest and under attack: no plaintext on disk after a realistic
//! session; wrong passphrase (rate-limited), a corrupted byte, a truncated file,
//! another wallet's file, a second process — each a specific error, nothing written;
//! passphrase change re-wraps only the key; the idle lock.

mod common;

use civitas_credential::types::{MEDICAL, PID};
use civitas_crypto::{Rng, Signer, SystemRng, b64};
use civitas_wallet::{
    Error, KdfParams, KeyHandle, KeyStore, PresentationRequest, SoftwareKeyStore, Wallet,
};
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// A software key store that remembers what it generated, so the test knows which
/// private key bytes to look for on disk.
#[derive(Default)]
struct Capturing {
    inner: SoftwareKeyStore,
    made: Mutex<Vec<KeyHandle>>,
}

impl KeyStore for Capturing {
    fn name(&self) -> &'static str {
        "software"
    }
    fn generate(&self, rng: &dyn Rng) -> civitas_wallet::Result<KeyHandle> {
        let h = self.inner.generate(rng)?;
        self.made.lock().unwrap().push(h.clone());
        Ok(h)
    }
    fn signer(&self, handle: &KeyHandle) -> civitas_wallet::Result<Box<dyn Signer>> {
        self.inner.signer(handle)
    }
}

fn needles_of_key(material_b64: &str) -> Vec<Vec<u8>> {
    let raw = b64::decode(material_b64).unwrap();
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        material_b64.as_bytes().to_vec(),
        raw.clone(),
        hex.into_bytes(),
        civitas_crypto::b64::encode(&raw[..16]).into_bytes(),
    ]
}

fn grep_dir(dir: &Path, needles: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, bytes) in snapshot(dir) {
        for (what, n) in needles {
            if contains(&bytes, n) {
                found.push(format!("{what} in {file}"));
            }
        }
    }
    found
}

#[test]
fn no_plaintext_on_disk_after_a_realistic_session() {
    let world = World::new();
    let dir = world.dir("wallet");
    let store = Arc::new(Capturing::default());
    world.set_time(T0 + 10);
    let (mut w, init) = Wallet::init_with(
        &dir,
        PASS,
        world.writer(),
        store.clone(),
        Arc::new(SystemRng),
        &fast(),
        T0 + 10,
    )
    .unwrap();
    let did = init.did.clone();
    let words = init.recovery.to_words();
    let pid = world
        .hall
        .issue(PID.vct, &pid_claims(), did_binding(&did), Some(1), T0 + 11);
    let medical = world.hospital.issue(
        MEDICAL.vct,
        &medical_claims(),
        did_binding(&did),
        Some(2),
        T0 + 11,
    );
    let pid_id = w.receive(&pid, T0 + 12).unwrap().id;
    // The medical summary arrives as a QR payload.
    let med_id = w
        .receive(&civitas_exchange::qr::encode_payload(&medical), T0 + 12)
        .unwrap()
        .id;
    for (i, (vct, claim)) in [
        ("pid", "age_over_18"),
        ("medical", "blood_type"),
        ("pid", "given_name"),
    ]
    .into_iter()
    .enumerate()
    {
        let counter = "redirect_uri:https://counter-1.city.example/post";
        let nonce = format!("nonce-{i}");
        let request = PresentationRequest::new(&nonce, counter, vct, paths(&[claim]));
        let consent = w.prepare(&request, T0 + 20).unwrap();
        let p = w.present(&consent, &[], T0 + 20).unwrap();
        let receipt = signed_receipt(
            &counter_key(),
            counter,
            &nonce,
            &consent.vct,
            &[claim],
            T0 + 21,
        );
        w.attach_receipt(p.history, &receipt, T0 + 21).unwrap();
    }
    w.show(&pid_id, T0 + 22).unwrap();
    w.backup(&world.dir("backup.civitas"), T0 + 23).unwrap();
    w.change_passphrase(PASS, "a second passphrase", None, T0 + 24)
        .unwrap();
    w.delete(&med_id, T0 + 25).unwrap();
    w.receive(&medical, T0 + 26).unwrap();
    w.export_history(T0 + 27).unwrap();

    let mut needles: Vec<(String, Vec<u8>)> = vec![
        ("passphrase".into(), PASS.as_bytes().to_vec()),
        ("new passphrase".into(), b"a second passphrase".to_vec()),
        ("DID".into(), did.as_bytes().to_vec()),
        (
            "SCID".into(),
            did.split(':').nth(2).unwrap().as_bytes().to_vec(),
        ),
        ("issuer DID".into(), world.hospital.did.as_bytes().to_vec()),
        (
            "recovery words".into(),
            words
                .split(' ')
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
                .into_bytes(),
        ),
    ];
    for v in secret_claim_values() {
        needles.push((format!("claim value {v}"), v.as_bytes().to_vec()));
    }
    for h in store.made.lock().unwrap().iter() {
        for n in needles_of_key(h.material()) {
            needles.push(("holder private key".into(), n));
        }
    }
    for n in 1..=3 {
        let k = init.recovery.update_key(n).unwrap();
        let d = b64::encode(&*k.secret_bytes());
        for n in needles_of_key(&d) {
            needles.push(("update private key".into(), n));
        }
    }
    // Positive controls: the grep finds what is there (the DID is public on the
    // ledger file; SQLite's own magic is in the vault).
    let ledger_bytes = std::fs::read(world.ledger_path()).unwrap();
    let wal = std::fs::read(world.tmp.path().join("ledger.db-wal")).unwrap_or_default();
    assert!(
        contains(&ledger_bytes, did.as_bytes()) || contains(&wal, did.as_bytes()),
        "control: the DID is on the (public) ledger"
    );
    let files = snapshot(&dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"vault.db"), "{names:?}");
    assert!(
        names.contains(&"vault.db-wal"),
        "open wallet has its WAL: {names:?}"
    );
    assert!(names.contains(&"vault.db-shm"), "{names:?}");
    assert!(!grep_dir(&dir, &[("sqlite".into(), b"SQLite format 3".to_vec())]).is_empty());

    // While open (WAL and shared memory present) …
    let found = grep_dir(&dir, &needles);
    assert!(found.is_empty(), "plaintext found: {found:?}");
    // … after closing (checkpointed into the main file) …
    drop(w);
    let found = grep_dir(&dir, &needles);
    assert!(found.is_empty(), "plaintext found: {found:?}");
    // … and in the backup file.
    let backup = std::fs::read(world.dir("backup.civitas")).unwrap();
    for (what, n) in &needles {
        assert!(!contains(&backup, n), "{what} in the backup file");
    }
    // Permissions: owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("vault.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "vault.db mode {mode:o}");
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "wallet dir mode {mode:o}");
    }
}

/// A closed wallet with two credentials, and its directory.
fn closed_wallet(world: &World, name: &str) -> std::path::PathBuf {
    let (mut w, init) = world.wallet(name, T0 + 10);
    let pid = world.hall.issue(
        PID.vct,
        &pid_claims(),
        did_binding(&init.did),
        None,
        T0 + 11,
    );
    w.receive(&pid, T0 + 12).unwrap();
    let med = world.hospital.issue(
        MEDICAL.vct,
        &medical_claims(),
        did_binding(&init.did),
        None,
        T0 + 11,
    );
    w.receive(&med, T0 + 12).unwrap();
    drop(w);
    let dir = world.dir(name);
    assert!(
        !dir.join("vault.db-wal").exists(),
        "closing checkpoints the WAL"
    );
    dir
}

fn open(world: &World, dir: &Path) -> civitas_wallet::Result<Wallet> {
    Wallet::open(dir, world.writer())
}

/// Snapshot without the wrong-passphrase counter.
fn vault_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    snapshot(dir)
        .into_iter()
        .filter(|(n, _)| n != "unlock-attempts")
        .collect()
}

#[test]
fn wrong_passphrase_is_rate_limited_and_writes_nothing() {
    let world = World::new();
    let dir = closed_wallet(&world, "w");
    let before = vault_files(&dir);
    let t = T0 + 1000;
    let mut w = open(&world, &dir).unwrap();
    for n in 1..=3u32 {
        match w.unlock("not my passphrase", t).unwrap_err() {
            Error::WrongPassphrase {
                failures,
                retry_after,
            } => {
                assert_eq!(failures, n);
                assert_eq!(retry_after, if n < 3 { 0 } else { 30 });
            }
            other => panic!("{other:?}"),
        }
    }
    // Now even the right passphrase must wait, and no key is derived meanwhile.
    let err = w.unlock(PASS, t + 10).unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: 20 }),
        "{err:?}"
    );
    assert_eq!(err.code(), "rate_limited");
    // Setting the clock back does not help.
    assert!(matches!(
        w.unlock(PASS, t - 500).unwrap_err(),
        Error::RateLimited { retry_after: 30 }
    ));
    // The limit survives the process: a fresh open sees the counter.
    drop(w);
    let mut w = open(&world, &dir).unwrap();
    assert!(matches!(
        w.unlock(PASS, t + 10).unwrap_err(),
        Error::RateLimited { .. }
    ));
    // After the delay, one more wrong passphrase doubles it.
    assert!(matches!(
        w.unlock("still wrong", t + 30).unwrap_err(),
        Error::WrongPassphrase {
            failures: 4,
            retry_after: 60
        }
    ));
    assert!(matches!(
        w.unlock(PASS, t + 60).unwrap_err(),
        Error::RateLimited { retry_after: 30 }
    ));
    drop(w);
    // Nothing but the counter was written.
    assert_same(&before, &vault_files(&dir));
    assert!(dir.join("unlock-attempts").exists());
    // The right passphrase after the delay opens it and resets the counter.
    let mut w = open(&world, &dir).unwrap();
    assert!(w.unlock(PASS, t + 90).unwrap().is_intact());
    let counter: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("unlock-attempts")).unwrap()).unwrap();
    assert_eq!(counter["failures"], 0, "reset, not removed: {counter}");
    assert_eq!(w.credentials(t + 90).unwrap().len(), 2);
}

fn read_blob(dir: &Path, sql: &str) -> Vec<u8> {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("vault.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let blob: Vec<u8> = conn.query_row(sql, [], |r| r.get(0)).unwrap();
    drop(conn);
    blob
}

/// Flips a bit in the middle of `blob`'s first 32 bytes, found in the file (a large
/// record continues on overflow pages; its start is contiguous).
fn flip_inside(dir: &Path, blob: &[u8]) {
    let blob = &blob[..blob.len().min(32)];
    let path = dir.join("vault.db");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(blob.len())
        .position(|w| w == blob)
        .expect("the blob is in the file");
    bytes[at + blob.len() / 2] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    // The test's own read-only look left an empty WAL and its index behind.
    let _ = std::fs::remove_file(dir.join("vault.db-shm"));
    if std::fs::metadata(dir.join("vault.db-wal")).is_ok_and(|m| m.len() == 0) {
        std::fs::remove_file(dir.join("vault.db-wal")).unwrap();
    }
}

fn refused(world: &World, dir: &Path, code: &str) -> Error {
    let before = snapshot(dir);
    let err = match open(world, dir) {
        Err(e) => e,
        Ok(mut w) => {
            let e = w.unlock(PASS, T0 + 500).unwrap_err();
            drop(w);
            e
        }
    };
    assert_eq!(err.code(), code, "{err}");
    eprintln!("{code}: {err}");
    assert_same(&before, &snapshot(dir));
    err
}

#[test]
fn a_corrupted_byte_in_the_header_is_reported() {
    let world = World::new();
    let dir = closed_wallet(&world, "w");
    let wrapped = read_blob(&dir, "SELECT wrapped_key FROM header");
    flip_inside(&dir, &wrapped);
    let err = refused(&world, &dir, "corrupted");
    assert!(err.to_string().contains("header"), "{err}");
}

#[test]
fn a_corrupted_byte_in_a_credential_is_reported() {
    let world = World::new();
    let dir = closed_wallet(&world, "w");
    let body = read_blob(&dir, "SELECT body FROM records WHERE kind = 3 LIMIT 1");
    flip_inside(&dir, &body);
    let err = refused(&world, &dir, "record_corrupted");
    assert!(
        matches!(err, Error::RecordCorrupted { kind: "credential" }),
        "{err:?}"
    );
}

#[test]
fn a_corrupted_database_page_is_reported() {
    let world = World::new();
    let dir = closed_wallet(&world, "w");
    let path = dir.join("vault.db");
    let mut bytes = std::fs::read(&path).unwrap();
    let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    // The b-tree page header of page 3: an impossible page type.
    bytes[2 * page] = 0x77;
    std::fs::write(&path, bytes).unwrap();
    refused(&world, &dir, "corrupted");
}

#[test]
fn a_truncated_file_is_reported() {
    let world = World::new();
    let dir = closed_wallet(&world, "w");
    let path = dir.join("vault.db");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = refused(&world, &dir, "truncated");
    assert!(matches!(err, Error::Truncated { .. }), "{err:?}");
    // Cut inside the first page too.
    std::fs::write(&path, &bytes[..60]).unwrap();
    refused(&world, &dir, "truncated");
    std::fs::write(&path, b"").unwrap();
    refused(&world, &dir, "truncated");
}

#[test]
fn a_file_that_is_not_a_vault_is_reported() {
    let world = World::new();
    let dir = closed_wallet(&world, "w");
    std::fs::write(dir.join("vault.db"), vec![0x42; 8192]).unwrap();
    refused(&world, &dir, "not_a_vault");
    // An SQLite database that is not a vault.
    std::fs::remove_file(dir.join("vault.db")).unwrap();
    let conn = rusqlite::Connection::open(dir.join("vault.db")).unwrap();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    refused(&world, &dir, "not_a_vault");
}

#[test]
fn another_wallets_file_is_reported() {
    let world = World::new();
    let a = closed_wallet(&world, "a");
    let b = closed_wallet(&world, "b");
    // Same passphrase on both: without the id check, A's directory would open B.
    std::fs::copy(b.join("vault.db"), a.join("vault.db")).unwrap();
    let err = refused(&world, &a, "foreign_vault");
    assert!(err.to_string().contains("another wallet"), "{err}");

    // One record moved from B into A (with A's id file intact): it does not
    // authenticate under A's vault id.
    let a2 = closed_wallet(&world, "a2");
    let foreign = read_blob(&b, "SELECT body FROM records WHERE kind = 3 LIMIT 1");
    let conn = rusqlite::Connection::open(a2.join("vault.db")).unwrap();
    conn.execute(
        "UPDATE records SET body = ?1 WHERE id = (SELECT id FROM records WHERE kind = 3 LIMIT 1)",
        [&foreign],
    )
    .unwrap();
    drop(conn);
    let err = refused(&world, &a2, "record_corrupted");
    assert!(matches!(err, Error::RecordCorrupted { kind: "credential" }));
}

#[test]
fn missing_wallet_and_existing_wallet() {
    let world = World::new();
    let err = open(&world, &world.dir("nothing")).unwrap_err();
    assert_eq!(err.code(), "not_initialized");
    let dir = closed_wallet(&world, "w");
    let err = Wallet::init(&dir, PASS, world.writer(), &fast(), T0 + 20).unwrap_err();
    assert_eq!(err.code(), "already_initialized");
    let err = Wallet::init(&world.dir("x"), "short", world.writer(), &fast(), T0 + 20).unwrap_err();
    assert_eq!(err.code(), "weak_passphrase");
    let weak = civitas_wallet::InitOptions {
        kdf: KdfParams {
            m_kib: 8 * 1024,
            t: 1,
            p: 1,
        },
        ..fast()
    };
    let err = Wallet::init(&world.dir("y"), PASS, world.writer(), &weak, T0 + 20).unwrap_err();
    assert_eq!(err.code(), "weak_kdf");
    assert!(!world.dir("y").join("vault.db").exists());
}

/// Helper process: holds the wallet named by CIVITAS_HOLD_DIR open until stdin closes.
#[test]
#[ignore = "helper process run by a_second_process_is_refused"]
fn hold_wallet_child() {
    let Ok(dir) = std::env::var("CIVITAS_HOLD_DIR") else {
        return;
    };
    let ledger_path = std::env::var("CIVITAS_HOLD_LEDGER").unwrap();
    let ledger =
        civitas_ledger::SqliteLedger::open(Path::new(&ledger_path), None, Arc::new(|| T0 + 100))
            .unwrap();
    let mut w = Wallet::open(Path::new(&dir), Arc::new(ledger)).unwrap();
    w.unlock(PASS, T0 + 100).unwrap();
    println!("READY");
    std::io::stdout().flush().unwrap();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

#[test]
fn a_second_process_is_refused() {
    let world = World::new();
    let dir = closed_wallet(&world, "w");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["hold_wallet_child", "--exact", "--ignored", "--nocapture"])
        .env("CIVITAS_HOLD_DIR", &dir)
        .env("CIVITAS_HOLD_LEDGER", world.ledger_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 && !line.contains("READY") {
        line.clear();
    }
    assert!(line.contains("READY"), "the child opened the wallet");
    let before = snapshot(&dir);
    let err = open(&world, &dir).unwrap_err();
    assert_eq!(err.code(), "busy");
    assert!(err.to_string().contains("open in another process"), "{err}");
    assert!(civitas_wallet::is_open_elsewhere(&dir).unwrap());
    assert_same(&before, &snapshot(&dir));
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    // Once the other process is gone, the wallet opens.
    assert!(!civitas_wallet::is_open_elsewhere(&dir).unwrap());
    let mut w = open(&world, &dir).unwrap();
    w.unlock(PASS, T0 + 200).unwrap();
    // Within one process too, a second handle is refused.
    assert_eq!(open(&world, &dir).unwrap_err().code(), "busy");
}

#[test]
fn changing_the_passphrase_rewraps_only_the_key() {
    let world = World::new();
    let dir = closed_wallet(&world, "w");
    let bodies = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let conn = rusqlite::Connection::open_with_flags(
            dir.join("vault.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let mut stmt = conn
            .prepare("SELECT id, body FROM records WHERE kind IN (1, 2, 3) ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let before = bodies(&dir);
    let mut w = open(&world, &dir).unwrap();
    w.unlock(PASS, T0 + 100).unwrap();
    let err = w
        .change_passphrase("wrong current one", "brand new passphrase", None, T0 + 101)
        .unwrap_err();
    assert_eq!(err.code(), "wrong_passphrase");
    assert_eq!(
        w.change_passphrase(PASS, "short", None, T0 + 102)
            .unwrap_err()
            .code(),
        "weak_passphrase"
    );
    w.change_passphrase(PASS, "brand new passphrase", None, T0 + 103)
        .unwrap();
    drop(w);
    assert_eq!(
        bodies(&dir),
        before,
        "identity, keys, credentials not re-encrypted"
    );
    let mut w = open(&world, &dir).unwrap();
    assert_eq!(
        w.unlock(PASS, T0 + 200).unwrap_err().code(),
        "wrong_passphrase"
    );
    let report = w.unlock("brand new passphrase", T0 + 201).unwrap();
    assert!(report.is_intact());
    assert_eq!(w.credentials(T0 + 201).unwrap().len(), 2);
}

#[test]
fn the_wallet_locks_itself_when_idle() {
    let world = World::new();
    let (mut w, _) = world.wallet("w", T0 + 10);
    assert!(!w.is_locked(T0 + 10));
    w.credentials(T0 + 200).unwrap();
    assert!(
        !w.is_locked(T0 + 500),
        "activity at +200 postponed the lock"
    );
    w.touch(T0 + 490);
    assert!(!w.is_locked(T0 + 789));
    assert!(w.is_locked(T0 + 791));
    assert_eq!(w.credentials(T0 + 791).unwrap_err().code(), "locked");
    // Locked for good now, even if time went back.
    assert_eq!(w.credentials(T0 + 400).unwrap_err().code(), "locked");
    w.unlock(PASS, T0 + 800).unwrap();
    w.set_idle_timeout(60, T0 + 800).unwrap();
    assert!(w.is_locked(T0 + 861));
    w.lock();
    assert!(w.is_locked(T0 + 800));
    assert_eq!(w.did(T0 + 800).unwrap_err().code(), "locked");
}
