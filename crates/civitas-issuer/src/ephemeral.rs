//! What the issuer keeps in memory rather than in its store, so the Credential
//! Endpoint writes SQLite once per credential: the `c_nonce`s handed out, the offers
//! whose credential request is being served, and the status-list indices this
//! process reserved.
//!
//! It also holds the [`GroupCommit`] queue that lets concurrent credential requests
//! share one SQLite transaction.
//!
//! Losing any of it (a restart) is safe: an outstanding nonce is then refused
//! (`invalid_nonce`, the wallet asks for a new one), an in-flight mark only guarded a
//! request that no longer exists, and reserved indices are skipped, never reused.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Condvar, Mutex, MutexGuard};

/// The most nonces outstanding at once (the Nonce Endpoint is unauthenticated).
pub(crate) const MAX_NONCES: usize = 100_000;

/// The most status indices reserved at once by one process.
const MAX_RESERVATION: u64 = 64;

/// Nonces handed out and not yet used, with their expiry.
#[derive(Debug, Default)]
pub(crate) struct Nonces {
    live: Mutex<HashMap<String, i64>>,
}

impl Nonces {
    /// Keeps `nonce` until `expires_at`; `false` when [`MAX_NONCES`] unexpired ones
    /// are outstanding.
    pub(crate) fn put(&self, nonce: &str, now: i64, expires_at: i64) -> bool {
        let Ok(mut live) = self.live.lock() else {
            return false;
        };
        if live.len() >= MAX_NONCES {
            live.retain(|_, e| *e > now);
            if live.len() >= MAX_NONCES {
                return false;
            }
        }
        live.insert(nonce.to_string(), expires_at);
        true
    }

    /// Uses a nonce up: `true` once for a nonce handed out and not expired.
    pub(crate) fn take(&self, nonce: &str, now: i64) -> bool {
        let Ok(mut live) = self.live.lock() else {
            return false;
        };
        live.remove(nonce).is_some_and(|e| e > now)
    }
}

/// Offers whose credential request is being served by this process.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    offers: Mutex<HashSet<String>>,
}

impl InFlight {
    /// Marks `offer` as being served; `None` when another request holds it. The mark
    /// goes when the returned guard drops.
    pub(crate) fn claim<'a>(&'a self, offer: &str) -> Option<Claim<'a>> {
        let mut offers = self.offers.lock().ok()?;
        offers.insert(offer.to_string()).then(|| Claim {
            set: self,
            offer: offer.to_string(),
        })
    }
}

/// An offer marked in flight (see [`InFlight::claim`]).
#[derive(Debug)]
pub(crate) struct Claim<'a> {
    set: &'a InFlight,
    offer: String,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Ok(mut offers) = self.set.offers.lock() {
            offers.remove(&self.offer);
        }
    }
}

/// Status-list indices reserved in the store and not yet handed out. A reservation
/// doubles in size each time (1, 2, 4 … 64), so a one-shot process (`issuer
/// approve`) reserves one index and a busy server one store write per 64 credentials.
#[derive(Debug, Default)]
pub(crate) struct Reserved {
    state: Mutex<(Range<u64>, u64)>,
}

impl Reserved {
    /// The next index, reserving more with `reserve(count)` when none is left.
    pub(crate) fn next<E>(
        &self,
        reserve: impl FnOnce(u64) -> Result<Option<Range<u64>>, E>,
    ) -> Result<Option<u64>, E> {
        let Ok(mut state) = self.state.lock() else {
            return Ok(None);
        };
        let (range, last) = &mut *state;
        if range.is_empty() {
            let count = (*last).saturating_mul(2).clamp(1, MAX_RESERVATION);
            match reserve(count)? {
                Some(r) => {
                    *last = count;
                    *range = r;
                }
                None => return Ok(None),
            }
        }
        Ok(range.next())
    }
}

/// Group commit: requests that finish while another one is writing wait and are
/// written together in the next transaction, so under load one SQLite commit serves
/// many credentials. No thread of its own: the first waiting request leads — it takes
/// every queued item, runs `write` on them, hands each its result and wakes the rest.
#[derive(Debug)]
pub(crate) struct GroupCommit<T, R> {
    state: Mutex<Queue<T, R>>,
    wake: Condvar,
}

#[derive(Debug)]
struct Queue<T, R> {
    waiting: Vec<(u64, T)>,
    done: HashMap<u64, R>,
    writing: bool,
    next: u64,
}

impl<T, R> Default for GroupCommit<T, R> {
    fn default() -> Self {
        GroupCommit {
            state: Mutex::new(Queue {
                waiting: Vec::new(),
                done: HashMap::new(),
                writing: false,
                next: 0,
            }),
            wake: Condvar::new(),
        }
    }
}

impl<T, R: Clone> GroupCommit<T, R> {
    /// Writes `item` with whatever else is queued; `write` gets the batch and returns
    /// one result per item, in order (`failed` stands in for a missing one).
    pub(crate) fn submit(&self, item: T, failed: R, write: impl Fn(Vec<T>) -> Vec<R>) -> R {
        let mut queue = self.lock();
        let id = queue.next;
        queue.next = queue.next.wrapping_add(1);
        queue.waiting.push((id, item));
        loop {
            if let Some(result) = queue.done.remove(&id) {
                return result;
            }
            if queue.writing {
                queue = self.wake.wait(queue).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            queue.writing = true;
            let (ids, items): (Vec<u64>, Vec<T>) =
                std::mem::take(&mut queue.waiting).into_iter().unzip();
            drop(queue);
            let mut results = write(items).into_iter();
            queue = self.lock();
            for id in ids {
                let r = results.next().unwrap_or_else(|| failed.clone());
                queue.done.insert(id, r);
            }
            queue.writing = false;
            self.wake.notify_all();
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue<T, R>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_commit_answers_each_item_and_batches_under_load() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let g: Arc<GroupCommit<u32, Result<u32, ()>>> = Arc::default();
        let writes = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8u32)
            .map(|t| {
                let (g, writes) = (g.clone(), writes.clone());
                std::thread::spawn(move || {
                    (0..200u32)
                        .map(|i| {
                            let item = t * 1000 + i;
                            g.submit(item, Err(()), |batch| {
                                writes.fetch_add(1, Ordering::Relaxed);
                                std::thread::sleep(std::time::Duration::from_micros(200));
                                // Odd items are refused, to tell results apart.
                                batch
                                    .into_iter()
                                    .map(|x| if x % 2 == 0 { Ok(x * 2) } else { Err(()) })
                                    .collect()
                            })
                        })
                        .zip(0..200u32)
                        .all(|(r, i)| {
                            let x = t * 1000 + i;
                            r == if x % 2 == 0 { Ok(x * 2) } else { Err(()) }
                        })
                })
            })
            .collect();
        for t in threads {
            assert!(t.join().unwrap(), "every item got its own result");
        }
        let writes = writes.load(Ordering::Relaxed);
        assert!(
            writes < 1600,
            "{writes} writes for 1,600 items: no batching"
        );
    }

    #[test]
    fn a_short_answer_from_write_fails_the_missing_items() {
        let g: GroupCommit<u32, Result<(), &str>> = GroupCommit::default();
        assert_eq!(g.submit(1, Err("lost"), |_| Vec::new()), Err("lost"));
        assert_eq!(g.submit(2, Err("lost"), |b| vec![Ok(()); b.len()]), Ok(()));
    }

    #[test]
    fn a_nonce_is_taken_once_and_not_after_expiry() {
        let n = Nonces::default();
        assert!(n.put("a", 0, 10));
        assert!(n.put("b", 0, 10));
        assert!(n.take("a", 5));
        assert!(!n.take("a", 5), "a nonce is used once");
        assert!(!n.take("b", 10), "expired at 10");
        assert!(!n.take("never", 1));
    }

    #[test]
    fn nonces_are_bounded_and_expired_ones_make_room() {
        let n = Nonces::default();
        for i in 0..MAX_NONCES {
            assert!(n.put(&i.to_string(), 0, 10));
        }
        assert!(!n.put("one more", 5, 15), "full of unexpired nonces");
        assert!(n.put("one more", 10, 20), "the expired ones were dropped");
        assert!(n.take("one more", 11));
    }

    #[test]
    fn an_offer_is_served_by_one_request_at_a_time() {
        let f = InFlight::default();
        let first = f.claim("o-1").expect("free");
        assert!(f.claim("o-1").is_none(), "held");
        assert!(f.claim("o-2").is_some(), "another offer is independent");
        drop(first);
        assert!(f.claim("o-1").is_some(), "released on drop");
    }

    #[test]
    fn reservations_double_up_to_64_and_stop_when_full() {
        let r = Reserved::default();
        let mut asked = Vec::new();
        let mut cursor = 0u64;
        let size = 200u64;
        let mut got = Vec::new();
        loop {
            let next = r
                .next(|count| {
                    asked.push(count);
                    if cursor >= size {
                        return Ok::<_, ()>(None);
                    }
                    let end = (cursor + count).min(size);
                    let range = cursor..end;
                    cursor = end;
                    Ok(Some(range))
                })
                .unwrap();
            match next {
                Some(i) => got.push(i),
                None => break,
            }
        }
        assert_eq!(
            got,
            (0..size).collect::<Vec<_>>(),
            "every index once, in order"
        );
        assert_eq!(asked[..8], [1, 2, 4, 8, 16, 32, 64, 64]);
    }

    #[test]
    fn a_failed_reservation_is_reported_and_retried() {
        let r = Reserved::default();
        assert_eq!(
            r.next(|_| Err::<Option<Range<u64>>, _>("db down")),
            Err("db down")
        );
        assert_eq!(r.next(|_| Ok::<_, ()>(Some(5..6))), Ok(Some(5)));
    }
}
