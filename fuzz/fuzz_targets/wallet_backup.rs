//! Fuzzes wallet backup files as `civitas wallet restore` (and the app) read them:
//! `"CIVITAS-BACKUP-1" ‖ backup id ‖ nonce ‖ AES-256-GCM(JSON contents) ‖ tag`, the
//! key and id derived from the recovery secret by HKDF (no Argon2 on this side). The
//! first byte picks:
//!
//! - 0: the rest is the file, restored with a fixed recovery secret: magic, length,
//!   backup id, authentication; a forged file must be refused;
//! - 1: the rest is the *plaintext* contents, sealed here with the secret's backup key
//!   (the harness re-derives it with ring's HKDF exactly as the wallet does), so the
//!   fuzzer reaches the JSON contents and the format check.
//!
//! Restoring then creates a new vault, whose Argon2id derivation (at least 19 MiB, 2
//! passes) would cost ~100 ms an input. The target passes KDF parameters below the
//! floor, which `Vault::create` refuses *before* deriving or writing anything, so every
//! input stops right after the backup is read and parsed: the import of parsed
//! contents into a vault is not fuzzed here (it is reached only with the recovery
//! secret, i.e. by the backup's owner).
#![no_main]

use civitas_crypto::{Algorithm, Rng, SeededRng, SigningKey};
use civitas_ledger::{LedgerWriter, SqliteLedger};
use civitas_wallet::{Error, InitOptions, KdfParams, RecoverySecret, SoftwareKeyStore, Wallet};
use libfuzzer_sys::fuzz_target;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

const NOW: i64 = 1_795_600_000;
const SEED: u64 = 21;

struct Len(usize);
impl ring::hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

struct World {
    dir: PathBuf,
    recovery: RecoverySecret,
    key: LessSafeKey,
    id: [u8; 16],
    ledger: Arc<dyn LedgerWriter>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("civitas-fuzz-backup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let recovery = RecoverySecret::generate(&SeededRng::new(SEED)).expect("secret");
        // The same 32 bytes, for the harness's own HKDF.
        let mut secret = [0u8; 32];
        SeededRng::new(SEED).fill(&mut secret).expect("rng");
        let prk =
            ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"civitas-recovery-v1").extract(&secret);
        let derive = |info: &[u8], out: &mut [u8]| {
            prk.expand(&[info], Len(out.len()))
                .and_then(|okm| okm.fill(out))
                .expect("hkdf");
        };
        let mut key = [0u8; 32];
        derive(b"civitas backup key", &mut key);
        let mut id = [0u8; 16];
        derive(b"civitas backup id", &mut id);
        let ledger = SqliteLedger::create(
            &dir.join("ledger.db"),
            "ledger.civitas.example",
            SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(1)).expect("key"),
            Arc::new(|| NOW),
        )
        .expect("ledger");
        let w = World {
            dir,
            recovery,
            key: LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).expect("key")),
            id,
            ledger: Arc::new(ledger),
        };
        // The harness seals as the wallet does: "{}" authenticates and then fails as
        // unreadable contents, not as a wrong secret or a damaged file.
        match restore(&w, &seal(&w, b"{}"), weak()) {
            Err(Error::BackupCorrupted(why)) => {
                assert!(
                    why.contains("unreadable"),
                    "the harness must seal as the wallet does: {why}"
                )
            }
            other => panic!("the harness must seal as the wallet does: {other:?}"),
        }
        w
    })
}

fn weak() -> KdfParams {
    KdfParams {
        m_kib: 8,
        t: 1,
        p: 1,
    }
}

fn seal(w: &World, plaintext: &[u8]) -> Vec<u8> {
    let mut file = b"CIVITAS-BACKUP-1".to_vec();
    file.extend_from_slice(&w.id);
    let aad = file.clone();
    let nonce = [7u8; 12];
    file.extend_from_slice(&nonce);
    let mut body = plaintext.to_vec();
    w.key
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&aad),
            &mut body,
        )
        .expect("seal");
    file.extend_from_slice(&body);
    file
}

fn restore(w: &World, file: &[u8], kdf: KdfParams) -> civitas_wallet::Result<()> {
    let path = w.dir.join("backup.civitas");
    std::fs::write(&path, file).expect("write");
    let options = InitOptions {
        kdf,
        ..InitOptions::default()
    };
    Wallet::restore_with(
        &w.dir.join("restored"),
        "correct horse battery staple",
        &w.recovery,
        &path,
        w.ledger.clone(),
        Arc::new(SoftwareKeyStore),
        Arc::new(SeededRng::new(5)),
        &options,
        NOW,
    )
    .map(|_| ())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let w = world();
    if mode % 2 == 0 {
        // Any KDF: a file the fuzzer made cannot authenticate, so it never gets there.
        let result = restore(w, rest, KdfParams::MINIMUM);
        assert!(
            matches!(
                result,
                Err(Error::BackupCorrupted(_) | Error::BackupMismatch)
            ),
            "a forged backup file was not refused as corrupted or mismatched: {result:?}"
        );
    } else {
        let _ = restore(w, &seal(w, rest), weak());
    }
});
