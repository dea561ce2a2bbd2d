//! Key histories: what a DID retired, by which update, and why.

use super::*;
use crate::{
    CachingResolver, Error, JwkResolver, Purpose, RETIREMENT_PROPERTY, Resolver, RetirementReason,
    state_retirement,
};
use civitas_crypto::{Algorithm, SeededRng, SigningKey};

const T0: i64 = 1_750_000_000;
const BOTH: [Purpose; 2] = [Purpose::AssertionMethod, Purpose::Authentication];

struct Issuer {
    state: LogState,
    update: SigningKey,
    key1: SigningKey,
    rng: SeededRng,
}

fn issuer(seed: u64) -> Issuer {
    let rng = SeededRng::new(seed);
    let update = SigningKey::generate(Algorithm::EdDsa, &rng).unwrap();
    let key1 = SigningKey::generate(Algorithm::Es256, &rng).unwrap();
    let keys = [DocKey::new("key-1", key1.public().clone(), &BOTH)];
    let (_, genesis) = create("ledger.example:issuers:hall", &keys, &update, vec![], T0).unwrap();
    let state = LogState::genesis(genesis.as_str(), T0).unwrap();
    Issuer {
        state,
        update,
        key1,
        rng,
    }
}

impl Issuer {
    /// A new version whose document lists `keys`, stating `reason` (or nothing).
    fn update(&mut self, keys: &[DocKey], reason: Option<RetirementReason>, t: i64) -> String {
        let mut doc = did_document(self.state.did(), keys);
        if let Some(reason) = reason {
            state_retirement(&mut doc, reason);
        }
        let entry = update_document(&self.state, doc, &self.update, t).unwrap();
        self.state.append(entry.as_str(), t).unwrap();
        entry.version_id().to_string()
    }

    fn url(&self, fragment: &str) -> String {
        format!("{}#{fragment}", self.state.did())
    }
}

#[test]
fn a_routine_update_retires_the_dropped_key_and_says_so() {
    let mut i = issuer(21);
    let key2 = SigningKey::generate(Algorithm::Es256, &i.rng).unwrap();
    let v2 = i.update(
        &[DocKey::new("key-2", key2.public().clone(), &BOTH)],
        Some(RetirementReason::Routine),
        T0 + 60,
    );
    // didwebvh-rs and every check accept the statement: the whole log re-validates.
    let replayed = validate_jsonl(&i.state.to_jsonl(), T0 + 120).unwrap();
    assert_eq!(replayed.document()[RETIREMENT_PROPERTY], "routine");

    let old = i
        .state
        .key_history(&i.url("key-1"), Purpose::AssertionMethod)
        .unwrap();
    assert_eq!(old.current, None);
    assert_eq!(old.retired.len(), 1);
    let r = &old.retired[0];
    assert_eq!(&r.key, i.key1.public());
    assert_eq!(r.retired_by, v2);
    assert_eq!(r.retired_version, 2);
    assert_eq!(r.retired_time, T0 + 60);
    assert_eq!(r.reason, RetirementReason::Routine);

    let new = i
        .state
        .key_history(&i.url("key-2"), Purpose::AssertionMethod)
        .unwrap();
    assert_eq!(new.current.as_ref(), Some(key2.public()));
    assert!(new.retired.is_empty());
}

#[test]
fn no_statement_means_compromise() {
    let mut i = issuer(22);
    let key2 = SigningKey::generate(Algorithm::Es256, &i.rng).unwrap();
    i.update(
        &[DocKey::new("key-2", key2.public().clone(), &BOTH)],
        None,
        T0 + 60,
    );
    let h = i
        .state
        .key_history(&i.url("key-1"), Purpose::AssertionMethod)
        .unwrap();
    assert_eq!(h.retired[0].reason, RetirementReason::Compromise);
    // Anything but "routine" is compromise too.
    assert_eq!(
        RetirementReason::from_value(Some(&serde_json::json!("Routine"))),
        RetirementReason::Compromise
    );
    assert_eq!(
        RetirementReason::from_value(Some(&serde_json::json!(true))),
        RetirementReason::Compromise
    );
}

#[test]
fn a_fragment_that_names_a_new_key_retires_the_old_one() {
    let mut i = issuer(23);
    let other = SigningKey::generate(Algorithm::Es256, &i.rng).unwrap();
    let v2 = i.update(
        &[DocKey::new("key-1", other.public().clone(), &BOTH)],
        Some(RetirementReason::Compromise),
        T0 + 60,
    );
    let h = i
        .state
        .key_history(&i.url("key-1"), Purpose::AssertionMethod)
        .unwrap();
    assert_eq!(h.current.as_ref(), Some(other.public()));
    assert_eq!(h.retired.len(), 1);
    assert_eq!(&h.retired[0].key, i.key1.public());
    assert_eq!(h.retired[0].retired_by, v2);
    assert_eq!(h.retired[0].reason, RetirementReason::Compromise);
}

#[test]
fn a_key_authorized_again_is_current_not_retired() {
    let mut i = issuer(24);
    let key2 = SigningKey::generate(Algorithm::Es256, &i.rng).unwrap();
    let k1 = DocKey::new("key-1", i.key1.public().clone(), &BOTH);
    i.update(
        &[DocKey::new("key-2", key2.public().clone(), &BOTH)],
        None,
        T0 + 60,
    );
    i.update(&[k1], Some(RetirementReason::Routine), T0 + 120);
    let h = i
        .state
        .key_history(&i.url("key-1"), Purpose::AssertionMethod)
        .unwrap();
    assert_eq!(h.current.as_ref(), Some(i.key1.public()));
    assert!(h.retired.is_empty(), "{h:?}");
    // key-2 went at version 3, routinely.
    let h2 = i
        .state
        .key_history(&i.url("key-2"), Purpose::AssertionMethod)
        .unwrap();
    assert_eq!(h2.retired[0].retired_version, 3);
    assert_eq!(h2.retired[0].reason, RetirementReason::Routine);
}

#[test]
fn a_deactivated_did_has_no_keys_retired_or_current() {
    let mut i = issuer(25);
    let end = deactivate(&i.state, &i.update, T0 + 60).unwrap();
    i.state.append(end.as_str(), T0 + 60).unwrap();
    for fragment in ["key-1", "key-9"] {
        assert!(
            matches!(
                i.state
                    .key_history(&i.url(fragment), Purpose::AssertionMethod),
                Err(Error::Deactivated(_))
            ),
            "{fragment}"
        );
    }
}

#[test]
fn a_key_never_authorized_is_not_found() {
    let i = issuer(26);
    assert!(matches!(
        i.state
            .key_history(&i.url("key-9"), Purpose::AssertionMethod),
        Err(Error::KeyNotFound(_))
    ));
    // The resolver over a log source gives the same history.
    let source = MemoryLogSource::new();
    source.insert(
        i.state.did(),
        vec![i.state.versions()[0].line().to_string()],
    );
    let resolver = WebvhResolver::new(source).at(T0 + 10);
    let h = resolver
        .key_history(&i.url("key-1"), Purpose::AssertionMethod)
        .unwrap();
    assert_eq!(h.current.as_ref(), Some(i.key1.public()));
    // And so does a router in front of it, and a cache in front of that.
    let routed = crate::MethodResolver::local().with("webvh", resolver);
    let cached = CachingResolver::new(routed, 4);
    let h = cached
        .key_history(&i.url("key-1"), Purpose::AssertionMethod)
        .unwrap();
    assert_eq!(h.current.as_ref(), Some(i.key1.public()));
    assert!(matches!(
        cached.key_history(&i.url("key-9"), Purpose::AssertionMethod),
        Err(Error::KeyNotFound(_))
    ));
}

/// Finding 7: a long-running counter resolves holder keys "as of now", a new time
/// every second, and many DIDs: the caches stay within their bounds.
#[test]
fn the_resolver_caches_stay_bounded() {
    let keys: Vec<SigningKey> = (0..12)
        .map(|s| SigningKey::generate(Algorithm::Es256, &SeededRng::new(100 + s)).unwrap())
        .collect();
    let cached = CachingResolver::new(JwkResolver, 5);
    // First a few DIDs (fewer than the capacity: nothing forces an eviction), each
    // asked about every second; then more DIDs than the capacity.
    for second in 0..500 {
        let dids = if second < 250 { &keys[..3] } else { &keys[..] };
        for k in dids {
            let url = k.public().did_jwk_url();
            let found = cached
                .resolve_key(&url, Purpose::Authentication, Some(T0 + second))
                .unwrap();
            assert_eq!(&found, k.public());
            cached.key_history(&url, Purpose::AssertionMethod).unwrap();
            cached
                .resolve(
                    &k.public().did_jwk(),
                    &crate::ResolveOptions::at(Some(T0 + second)),
                )
                .unwrap();
        }
        let (resolutions, key_entries, histories) = cached.cached();
        assert!(resolutions <= 5, "{resolutions}");
        assert!(key_entries <= 5 * 4, "{key_entries}");
        assert!(histories <= 5, "{histories}");
    }
    // A hit still answers from the cache (the newest DID URL is there).
    let last = keys[11].public().did_jwk_url();
    assert_eq!(
        cached
            .resolve_key(&last, Purpose::Authentication, Some(T0 + 499))
            .unwrap(),
        *keys[11].public()
    );
}
