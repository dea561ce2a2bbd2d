//! Fuzzes what a ledger node answers over HTTP, as the client and a replica read it:
//! `/v1/checkpoint` (a C2SP note), `/v1/entries` (`{"entries": [...]}`, each entry's
//! canonical JSON), `/v1/proof/consistency` and `/v1/proof/inclusion`
//! (`{"proof": [hex…]}`), `/v1/info`, `/v1/accreditations/{did}`, the POST answer,
//! error bodies and `did.jsonl`.
//!
//! The client's own parsing functions are private; this target drives the same bytes
//! through the same public decoders (serde types of `civitas_ledger::http`,
//! [`Entry::from_bytes`], [`Hash::from_hex`], the Merkle proof checks) and through
//! [`sync`], the code that consumes a node's answers: a hostile node (a
//! [`LedgerReader`] answering from the fuzz input) against an empty replica and one
//! that already holds a DID. The input is split at 0xFF bytes into the node's
//! answers; the first byte picks:
//!
//! - 0/1: sync into the empty / the holding replica, the checkpoint body signed here
//!   with the pinned log key (so the fuzzer reaches the consistency proof, the
//!   entries and the root check);
//! - 2: sync into the holding replica with the checkpoint note served as given;
//! - 3: each answer through the client-side decoders.
//!
//! Nothing may panic; a refusal is an error, never a sync that took bad data.
#![no_main]

use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_did::Purpose;
use civitas_did::webvh::{DocKey, create};
use civitas_ledger::http::{AppendResponse, EntriesResponse, ErrorBody, ProofResponse};
use civitas_ledger::{
    AccreditationRecord, Entry, Error, Hash, LedgerInfo, LedgerReader, LedgerWriter, NoteSigner,
    NoteVerifier, Result, SqliteLedger, sync, verify_consistency, verify_inclusion,
};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

const NOW: i64 = 1_795_600_000;
const HOST: &str = "ledger.civitas.example";

fn ledger_key() -> SigningKey {
    SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(11)).expect("key")
}

struct World {
    signer: NoteSigner<SigningKey>,
    empty: SqliteLedger,
    holding: SqliteLedger,
    /// The primary's tree: (size, root, leaf hash of entry 0).
    held: (u64, Hash, Hash),
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir: PathBuf =
            std::env::temp_dir().join(format!("civitas-fuzz-ledger-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let clock: civitas_ledger::Clock = Arc::new(|| NOW);
        let primary =
            SqliteLedger::create(&dir.join("primary.db"), HOST, ledger_key(), clock.clone())
                .expect("primary");
        // One DID on the primary, so the holding replica holds one entry.
        let update = SigningKey::generate(Algorithm::EdDsa, &SeededRng::new(12)).expect("key");
        let doc = SigningKey::generate(Algorithm::Es256, &SeededRng::new(13)).expect("key");
        let keys = [DocKey::new(
            "key-1",
            doc.public().clone(),
            &[Purpose::AssertionMethod],
        )];
        let (_, line) = create(
            &format!("{HOST}:issuers:fuzz"),
            &keys,
            &update,
            Vec::new(),
            NOW - 60,
        )
        .expect("genesis");
        let entry = Entry::DidLog {
            line: line.into_string(),
        };
        let bytes = entry.to_bytes();
        primary.append(&entry).expect("append");
        let info = primary.info().expect("info");
        let empty =
            SqliteLedger::create_replica(&dir.join("empty.db"), &info, "fuzz", clock.clone())
                .expect("replica");
        let holding =
            SqliteLedger::create_replica(&dir.join("holding.db"), &info, "fuzz", clock.clone())
                .expect("replica");
        sync(&primary, &holding, &mut |_, _| {}).expect("first sync");
        let name = NoteVerifier::parse(&info.log_key)
            .expect("log key")
            .name()
            .to_owned();
        let signer = NoteSigner::new(name, ledger_key()).expect("signer");
        let note = primary.checkpoint().expect("checkpoint");
        let cp = civitas_ledger::Checkpoint::open(&note, holding.log_key()).expect("open");
        World {
            signer,
            empty,
            holding,
            held: (cp.size, cp.root, civitas_ledger::leaf_hash(&bytes)),
        }
    })
}

/// A node answering from the fuzz input, decoding as `HttpLedger` does.
struct Node<'a> {
    checkpoint: String,
    entries: &'a [u8],
    consistency: &'a [u8],
    checkpoint_at: &'a [u8],
}

fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Remote(format!("bad answer: {e}")))
}

fn hashes(p: ProofResponse) -> Result<Vec<Hash>> {
    p.proof.iter().map(|h| Hash::from_hex(h)).collect()
}

impl LedgerReader for Node<'_> {
    fn info(&self) -> Result<LedgerInfo> {
        Err(Error::Remote("not served".into()))
    }
    fn checkpoint(&self) -> Result<String> {
        Ok(self.checkpoint.clone())
    }
    fn checkpoint_at(&self, _size: u64) -> Result<Option<String>> {
        Ok(std::str::from_utf8(self.checkpoint_at)
            .ok()
            .map(str::to_owned))
    }
    fn entries(&self, _start: u64, _end: u64) -> Result<Vec<Vec<u8>>> {
        let r: EntriesResponse = json(self.entries)?;
        Ok(r.entries.into_iter().map(String::into_bytes).collect())
    }
    fn inclusion_proof(&self, _index: u64, _size: u64) -> Result<Vec<Hash>> {
        Err(Error::Remote("not served".into()))
    }
    fn consistency_proof(&self, _first: u64, _second: u64) -> Result<Vec<Hash>> {
        hashes(json(self.consistency)?)
    }
    fn did_log(&self, _did: &str) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn did_at_path(&self, _path: &str) -> Result<Option<String>> {
        Ok(None)
    }
    fn accreditations(&self, _did: &str) -> Result<Vec<AccreditationRecord>> {
        Ok(Vec::new())
    }
    fn status_list(&self, _uri: &str) -> Result<Option<String>> {
        Ok(None)
    }
}

fn decoders(part: &[u8], w: &World) {
    if let Ok(r) = serde_json::from_slice::<EntriesResponse>(part) {
        for e in &r.entries {
            if let Ok(entry) = Entry::from_bytes(e.as_bytes()) {
                let _ = entry.kind();
                let back = Entry::from_bytes(&entry.to_bytes()).expect("an entry prints");
                assert_eq!(back, entry, "entry round trip");
            }
        }
    }
    let _ = Entry::from_bytes(part);
    if let Ok(p) = serde_json::from_slice::<ProofResponse>(part)
        && let Ok(proof) = hashes(p)
    {
        let (size, root, leaf) = w.held;
        let _ = verify_inclusion(&leaf, 0, size, &proof, &root);
        for (first, second) in [
            (size, size + 1),
            (size, 2 * size + 3),
            (0, size),
            (size, u64::MAX),
        ] {
            let _ = verify_consistency(first, second, &proof, &root, &root);
        }
        let n = part.len() as u64;
        let _ = verify_inclusion(&leaf, n % 7, n, &proof, &root);
        let _ = verify_consistency(n % 5, n, &proof, &root, &leaf);
    }
    if let Ok(info) = serde_json::from_slice::<LedgerInfo>(part) {
        let _ = NoteVerifier::parse(&info.log_key);
    }
    if let Ok(records) = serde_json::from_slice::<Vec<AccreditationRecord>>(part) {
        for r in &records {
            let _ = r.covers("https://civitas.example/credentials/pid/v1", NOW);
            let _ = r.covers("", i64::MIN);
            let _ = r.covers("", i64::MAX);
        }
    }
    let _ = serde_json::from_slice::<AppendResponse>(part);
    let _ = serde_json::from_slice::<ErrorBody>(part);
    // `did_at_path`: the first line's `/state/id`.
    if let Ok(text) = std::str::from_utf8(part) {
        let first = text.lines().next().unwrap_or_default();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(first) {
            let _ = v.pointer("/state/id").and_then(|d| d.as_str());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let w = world();
    let mut parts = rest.split(|&b| b == 0xFF);
    let mut next = || parts.next().unwrap_or_default();
    let (cp, entries, consistency, checkpoint_at) = (next(), next(), next(), next());
    if mode % 4 == 3 {
        for part in [cp, entries, consistency, checkpoint_at] {
            decoders(part, w);
        }
        return;
    }
    let Ok(cp_text) = std::str::from_utf8(cp) else {
        return;
    };
    let checkpoint = if mode % 4 == 2 {
        cp_text.to_owned()
    } else {
        match w.signer.sign(cp_text) {
            Ok(note) => note,
            Err(_) => return,
        }
    };
    let node = Node {
        checkpoint,
        entries,
        consistency,
        checkpoint_at,
    };
    let replica = if mode % 4 == 0 { &w.empty } else { &w.holding };
    if let Ok(report) = sync(&node, replica, &mut |_, _| {}) {
        // A hostile node cannot add entries: it would need the log key's signature on
        // a root the entries it serves hash to, and every entry is re-validated.
        assert!(
            report.fetched == 0 || report.to > report.from,
            "a sync reported entries without growing: {report:?}"
        );
    }
});
