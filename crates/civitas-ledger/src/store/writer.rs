//! The group-commit writer: one thread owns the write connection and takes every
//! batch of concurrent appends waiting for it into one transaction — one fsync, one
//! signed checkpoint — validating each entry against the state the batch has built so
//! far.

use super::clock::Clock;
use super::integrate::{
    checkpoint_signed_at, insert_checkpoint, insert_entry, resign_checkpoint, timed_checkpoint,
    tree_root, tree_size,
};
use super::schema::Meta;
use super::state::SqlState;
use crate::checkpoint::NoteSigner;
use crate::merkle::Hash;
use crate::traits::Receipt;
use crate::validate::validate_prepared;
use crate::{Entry, Error, Result};
use civitas_did::webvh::LogState;
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Most entries the writer takes into one transaction.
const MAX_BATCH: usize = 8192;

/// What the writer has done since the ledger was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WriterStats {
    /// Entries written.
    pub entries: u64,
    /// Transactions committed (one fsync each).
    pub commits: u64,
    /// Seconds the writer spent on state checks, SQLite, fsync and checkpoint
    /// signing (not on the stateless checks callers ran in parallel).
    pub busy_seconds: f64,
}

/// One caller's appends, waiting for the writer.
struct Job {
    entries: Vec<Entry>,
    /// For each entry: a DID genesis entry's state, checked on the caller's thread.
    prepared: Vec<Option<LogState>>,
    reply: mpsc::Sender<Result<Vec<Result<Receipt>>>>,
    /// Re-sign the newest checkpoint when it is at least this many seconds old and
    /// nothing else in the batch was written (an idle node still vouches for how fresh
    /// its data is: a verifier refuses a checkpoint older than its limit).
    refresh_older_than: Option<i64>,
}

/// The callers' side of the writer thread.
pub(super) struct WriterHandle {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl WriterHandle {
    /// Starts the writer thread on `conn`, signing checkpoints with `signer`.
    pub(super) fn spawn(
        conn: Connection,
        signer: NoteSigner,
        meta: Meta,
        clock: Clock,
        stats: Arc<Mutex<WriterStats>>,
    ) -> Result<WriterHandle> {
        let (tx, rx) = mpsc::channel::<Job>();
        let writer = Writer {
            stats,
            conn,
            signer,
            meta,
            clock,
            cache: HashMap::new(),
        };
        std::thread::Builder::new()
            .name("civitas-ledger-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| Error::Storage(e.to_string()))?;
        Ok(WriterHandle {
            jobs: Mutex::new(tx),
        })
    }

    /// Hands `entries` (with their genesis states checked by the caller) to the
    /// writer and waits for its answer, one result per entry.
    pub(super) fn submit(
        &self,
        entries: Vec<Entry>,
        prepared: Vec<Option<LogState>>,
    ) -> Result<Vec<Result<Receipt>>> {
        let (reply, answer) = mpsc::channel();
        self.jobs
            .lock()
            .map_err(|_| Error::Closed)?
            .send(Job {
                entries,
                prepared,
                reply,
                refresh_older_than: None,
            })
            .map_err(|_| Error::Closed)?;
        answer.recv().map_err(|_| Error::Closed)?
    }

    /// Asks the writer to re-sign the newest checkpoint (same size, same root, the
    /// writer's time now) if it is at least `older_than` seconds old.
    pub(super) fn refresh(&self, older_than: i64) -> Result<()> {
        let (reply, answer) = mpsc::channel();
        self.jobs
            .lock()
            .map_err(|_| Error::Closed)?
            .send(Job {
                entries: Vec::new(),
                prepared: Vec::new(),
                reply,
                refresh_older_than: Some(older_than),
            })
            .map_err(|_| Error::Closed)?;
        answer.recv().map_err(|_| Error::Closed)?.map(|_| ())
    }
}

struct Writer {
    stats: Arc<Mutex<WriterStats>>,
    conn: Connection,
    signer: NoteSigner,
    meta: Meta,
    clock: Clock,
    cache: HashMap<String, LogState>,
}

impl Writer {
    fn run(mut self, rx: mpsc::Receiver<Job>) {
        while let Ok(first) = rx.recv() {
            let mut jobs = vec![first];
            let mut count = jobs[0].entries.len();
            while count < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => {
                        count += job.entries.len();
                        jobs.push(job);
                    }
                    Err(_) => break,
                }
            }
            let started = std::time::Instant::now();
            let outcome = self.commit(&mut jobs);
            if let Ok(mut st) = self.stats.lock() {
                st.busy_seconds += started.elapsed().as_secs_f64();
                if let Ok(results) = &outcome {
                    st.commits += 1;
                    st.entries += results.iter().flatten().filter(|r| r.is_ok()).count() as u64;
                }
            }
            match outcome {
                Ok(results) => {
                    for (job, r) in jobs.into_iter().zip(results) {
                        let _ = job.reply.send(Ok(r));
                    }
                }
                Err(e) => {
                    // Nothing of the batch was written; the cache may hold states of
                    // entries that never landed.
                    self.cache.clear();
                    let msg = e.to_string();
                    for job in jobs {
                        let _ = job.reply.send(Err(Error::Storage(msg.clone())));
                    }
                }
            }
        }
    }

    fn commit(&mut self, jobs: &mut [Job]) -> Result<Vec<Vec<Result<Receipt>>>> {
        let now = (self.clock)();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut size = tree_size(&tx)?;
        let mut accepted: Vec<(usize, usize, u64, Hash)> = Vec::new();
        let mut results: Vec<Vec<Result<Receipt>>> = Vec::with_capacity(jobs.len());
        for (j, job) in jobs.iter_mut().enumerate() {
            let mut out = Vec::with_capacity(job.entries.len());
            for (e, entry) in job.entries.iter().enumerate() {
                let bytes = entry.to_bytes();
                if bytes.len() > crate::MAX_ENTRY_BYTES {
                    out.push(Err(Error::EntryTooLarge {
                        size: bytes.len(),
                        max: crate::MAX_ENTRY_BYTES,
                    }));
                    continue;
                }
                let effect = {
                    let mut state = SqlState {
                        conn: &tx,
                        cache: &mut self.cache,
                        now,
                    };
                    let genesis = job.prepared.get_mut(e).and_then(Option::take);
                    validate_prepared(entry, genesis, &mut state, &self.meta.host, now)
                };
                match effect {
                    Ok(effect) => {
                        let (leaf, state) = insert_entry(&tx, size, entry, &bytes, effect, now)?;
                        if let Some(state) = state {
                            self.cache.insert(state.did().to_string(), *state);
                        }
                        accepted.push((j, e, size, leaf));
                        out.push(Err(Error::Closed)); // replaced below
                        size += 1;
                    }
                    Err(err) => out.push(Err(err)),
                }
            }
            results.push(out);
        }
        if !accepted.is_empty() {
            let root = tree_root(&tx, size)?;
            let note = self.signer.sign_checkpoint(&timed_checkpoint(
                &self.meta.origin,
                size,
                root,
                now,
            ))?;
            insert_checkpoint(&tx, size, root, &note, Some(now))?;
            tx.commit()?;
            for (j, e, index, leaf) in accepted {
                results[j][e] = Ok(Receipt {
                    index,
                    leaf_hash: leaf.to_hex(),
                    checkpoint: note.clone(),
                });
            }
        } else if let Some(older_than) = jobs.iter().filter_map(|j| j.refresh_older_than).min() {
            let signed = checkpoint_signed_at(&tx, size)?;
            if signed.is_none_or(|t| now.checked_sub(t).is_none_or(|age| age >= older_than)) {
                let root = tree_root(&tx, size)?;
                let note = self.signer.sign_checkpoint(&timed_checkpoint(
                    &self.meta.origin,
                    size,
                    root,
                    now,
                ))?;
                resign_checkpoint(&tx, size, &note, now)?;
                tx.commit()?;
            }
        }
        Ok(results)
    }
}
