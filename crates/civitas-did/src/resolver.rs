//! The `Resolver` trait, the local resolvers, routing and caching.

use crate::syntax::{short, split_did_url, validate_did};
use crate::{DidDocument, DocumentMetadata, Error, KeyHistory, Purpose, Resolution, Result};
use civitas_crypto::PublicKey;
use ssi_dids_core::resolution::{DIDMethodResolver, Options};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Which version of a DID document to resolve.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ResolveOptions {
    /// The version in force at this time (Unix seconds); `None`: the latest.
    pub version_time: Option<i64>,
    /// A specific version id; takes precedence over `version_time`.
    pub version_id: Option<String>,
}

impl ResolveOptions {
    /// The version in force at `time`, if given.
    pub fn at(time: Option<i64>) -> Self {
        ResolveOptions {
            version_time: time,
            version_id: None,
        }
    }
}

/// Resolves DIDs to documents.
///
/// Contract: `resolve` returns [`Error::InvalidDid`] for malformed input,
/// [`Error::UnsupportedMethod`] for a method it does not handle, [`Error::NotFound`]
/// for a DID (or version) that does not exist, and a [`Resolution`] whose metadata says
/// `deactivated` for a deactivated DID (it is [`Resolver::resolve_key`] that refuses
/// those). Backend failures are [`Error::Backend`]. It must never panic on any input.
pub trait Resolver: Send + Sync {
    /// Resolves `did` (a DID, not a DID URL).
    fn resolve(&self, did: &str, options: &ResolveOptions) -> Result<Resolution>;

    /// Resolves the key of a DID URL (`did:…#fragment`) authorized for `purpose`, as of
    /// `at` (Unix seconds) when the method keeps history. A deactivated DID has no keys.
    fn resolve_key(&self, did_url: &str, purpose: Purpose, at: Option<i64>) -> Result<PublicKey> {
        let (did, fragment) = split_did_url(did_url)?;
        let resolution = self.resolve(did, &ResolveOptions::at(at))?;
        if resolution.metadata.deactivated {
            return Err(Error::Deactivated(short(did)));
        }
        let id = match fragment {
            Some(_) => did_url.to_string(),
            None => {
                // A bare DID names its key only when exactly one is authorized.
                let mut keys = resolution.document.keys_for(purpose);
                match (keys.next(), keys.next()) {
                    (Some(vm), None) => vm.id.clone(),
                    _ => return Err(Error::KeyNotFound(format!("{} (no fragment)", short(did)))),
                }
            }
        };
        resolution.document.key_for(&id, purpose).cloned()
    }

    /// The keys the DID URL has named for `purpose`, judged by the DID's *current*
    /// state: the key authorized now, and the keys earlier versions authorized and an
    /// update retired since (with that update and its stated reason). What a verifier
    /// of a signature whose time the signer chose (a credential's `iat`) must use.
    ///
    /// A deactivated DID is [`Error::Deactivated`]. The default, for methods without
    /// history (did:jwk, did:key), is the current key only.
    fn key_history(&self, did_url: &str, purpose: Purpose) -> Result<KeyHistory> {
        Ok(KeyHistory::current(
            self.resolve_key(did_url, purpose, None)?,
        ))
    }
}

impl<R: Resolver + ?Sized> Resolver for &R {
    fn resolve(&self, did: &str, options: &ResolveOptions) -> Result<Resolution> {
        (**self).resolve(did, options)
    }
    fn resolve_key(&self, did_url: &str, purpose: Purpose, at: Option<i64>) -> Result<PublicKey> {
        (**self).resolve_key(did_url, purpose, at)
    }
    fn key_history(&self, did_url: &str, purpose: Purpose) -> Result<KeyHistory> {
        (**self).key_history(did_url, purpose)
    }
}

impl<R: Resolver + ?Sized> Resolver for Arc<R> {
    fn resolve(&self, did: &str, options: &ResolveOptions) -> Result<Resolution> {
        (**self).resolve(did, options)
    }
    fn resolve_key(&self, did_url: &str, purpose: Purpose, at: Option<i64>) -> Result<PublicKey> {
        (**self).resolve_key(did_url, purpose, at)
    }
    fn key_history(&self, did_url: &str, purpose: Purpose) -> Result<KeyHistory> {
        (**self).key_history(did_url, purpose)
    }
}

impl<R: Resolver + ?Sized> Resolver for Box<R> {
    fn resolve(&self, did: &str, options: &ResolveOptions) -> Result<Resolution> {
        (**self).resolve(did, options)
    }
    fn resolve_key(&self, did_url: &str, purpose: Purpose, at: Option<i64>) -> Result<PublicKey> {
        (**self).resolve_key(did_url, purpose, at)
    }
    fn key_history(&self, did_url: &str, purpose: Purpose) -> Result<KeyHistory> {
        (**self).key_history(did_url, purpose)
    }
}

fn ssi_resolve<M: DIDMethodResolver>(
    method: &M,
    did: &str,
    options: Options,
) -> Result<Resolution> {
    let prefix = format!("did:{}:", M::DID_METHOD_NAME);
    let id = did
        .strip_prefix(&prefix)
        .ok_or_else(|| Error::UnsupportedMethod(short(did)))?;
    // Both methods resolve without I/O: the future is ready on its first poll.
    let output = pollster::block_on(method.resolve_method_representation(id, options)).map_err(
        |e| match e {
            ssi_dids_core::resolution::Error::NotFound => Error::NotFound(short(did)),
            ssi_dids_core::resolution::Error::InvalidMethodSpecificId(_) => {
                Error::InvalidDid(short(did))
            }
            other => Error::BadDocument(other.to_string()),
        },
    )?;
    let json: serde_json::Value =
        serde_json::from_slice(&output.document).map_err(|e| Error::BadDocument(e.to_string()))?;
    let document = DidDocument::from_json(json)?;
    if document.id != did {
        return Err(Error::BadDocument(
            "document id differs from the DID".into(),
        ));
    }
    Ok(Resolution {
        document,
        metadata: DocumentMetadata {
            deactivated: output.document_metadata.deactivated.unwrap_or(false),
            ..DocumentMetadata::default()
        },
    })
}

/// `did:jwk` through ssi's `did-jwk`.
#[derive(Debug, Default, Clone, Copy)]
pub struct JwkResolver;

impl Resolver for JwkResolver {
    fn resolve(&self, did: &str, _options: &ResolveOptions) -> Result<Resolution> {
        validate_did(did)?;
        ssi_resolve(&did_jwk::DIDJWK, did, Options::default())
    }
}

/// `did:key` through ssi's `did-method-key` (keys requested as `JsonWebKey2020`).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyResolver;

impl Resolver for KeyResolver {
    fn resolve(&self, did: &str, _options: &ResolveOptions) -> Result<Resolution> {
        validate_did(did)?;
        let mut options = Options::default();
        options.parameters.public_key_format = Some("JsonWebKey2020".into());
        ssi_resolve(&did_method_key::DIDKey, did, options)
    }
}

/// Routes each DID to the resolver registered for its method.
#[derive(Clone, Default)]
pub struct MethodResolver {
    methods: HashMap<String, Arc<dyn Resolver>>,
}

impl std::fmt::Debug for MethodResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.methods.keys().collect();
        names.sort();
        f.debug_struct("MethodResolver")
            .field("methods", &names)
            .finish()
    }
}

impl MethodResolver {
    /// A router with no methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// The methods that need nothing but the DID itself: `did:jwk`, `did:key`.
    pub fn local() -> Self {
        Self::new()
            .with("jwk", JwkResolver)
            .with("key", KeyResolver)
    }

    /// Registers (or replaces) the resolver for `method`.
    pub fn with(mut self, method: &str, resolver: impl Resolver + 'static) -> Self {
        self.methods.insert(method.to_string(), Arc::new(resolver));
        self
    }
}

impl MethodResolver {
    fn route(&self, did: &str) -> Result<&Arc<dyn Resolver>> {
        let method = validate_did(did)?;
        self.methods
            .get(method)
            .ok_or_else(|| Error::UnsupportedMethod(method.to_string()))
    }
}

impl Resolver for MethodResolver {
    fn resolve(&self, did: &str, options: &ResolveOptions) -> Result<Resolution> {
        self.route(did)?.resolve(did, options)
    }

    fn resolve_key(&self, did_url: &str, purpose: Purpose, at: Option<i64>) -> Result<PublicKey> {
        let (did, _) = split_did_url(did_url)?;
        self.route(did)?.resolve_key(did_url, purpose, at)
    }

    fn key_history(&self, did_url: &str, purpose: Purpose) -> Result<KeyHistory> {
        let (did, _) = split_did_url(did_url)?;
        self.route(did)?.key_history(did_url, purpose)
    }
}

/// A bounded map with first-in, first-out eviction: at most `capacity` keys; inserting
/// a new key into a full map evicts the oldest.
struct Bounded<K, V> {
    capacity: usize,
    map: HashMap<K, V>,
    order: VecDeque<K>,
}

impl<K: std::hash::Hash + Eq + Clone, V> Bounded<K, V> {
    fn new(capacity: usize) -> Self {
        Bounded {
            capacity: capacity.max(1),
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.map.get(key)
    }

    fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.map.get_mut(key)
    }

    fn insert(&mut self, key: K, value: V) {
        if let Some(slot) = self.map.get_mut(&key) {
            *slot = value;
            return;
        }
        while self.map.len() >= self.capacity {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.map.remove(&oldest);
                }
                None => break,
            }
        }
        self.order.push_back(key.clone());
        self.map.insert(key, value);
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
    }
}

/// Most (purpose, time) keys remembered per DID URL: a counter resolving a holder key
/// "as of now" asks with a new time every second; only the latest few are worth
/// keeping.
const TIMES_PER_URL: usize = 4;

/// How long a key history is reused: a rotation or deactivation on the ledger reaches
/// a long-running verifier within this time.
pub const KEY_HISTORY_TTL: Duration = Duration::from_secs(30);

/// Cached keys by DID URL: the latest few (purpose, time) asked for.
type KeyCache = Bounded<String, VecDeque<(Purpose, Option<i64>, PublicKey)>>;

/// Cached key histories by DID URL and purpose, with when they were read.
type HistoryCache = Bounded<(String, Purpose), (Instant, Arc<KeyHistory>)>;

/// Caches successful resolutions, keys and key histories, each cache bounded by
/// `capacity` entries with oldest-first eviction (a key cache entry holds at most a few
/// times per DID URL); key histories expire after [`KEY_HISTORY_TTL`]. Use it in front
/// of any resolver on a hot path; a ledger-backed resolver's cache must be dropped (or
/// [`CachingResolver::clear`]ed) when the ledger changes.
pub struct CachingResolver<R> {
    inner: R,
    capacity: usize,
    history_ttl: Duration,
    cache: RwLock<Bounded<(String, ResolveOptions), Arc<Resolution>>>,
    keys: RwLock<KeyCache>,
    histories: RwLock<HistoryCache>,
}

impl<R> std::fmt::Debug for CachingResolver<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachingResolver")
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl<R: Resolver> CachingResolver<R> {
    /// Caches up to `capacity` resolutions of `inner` (and as many DID URLs' keys and
    /// key histories).
    pub fn new(inner: R, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        CachingResolver {
            inner,
            capacity,
            history_ttl: KEY_HISTORY_TTL,
            cache: RwLock::new(Bounded::new(capacity)),
            keys: RwLock::new(Bounded::new(capacity)),
            histories: RwLock::new(Bounded::new(capacity)),
        }
    }

    /// Reuses a key history for `ttl` (zero: never cached).
    pub fn with_history_ttl(mut self, ttl: Duration) -> Self {
        self.history_ttl = ttl;
        self
    }

    /// Forgets everything cached.
    pub fn clear(&self) {
        if let Ok(mut c) = self.cache.write() {
            c.clear();
        }
        if let Ok(mut k) = self.keys.write() {
            k.clear();
        }
        if let Ok(mut h) = self.histories.write() {
            h.clear();
        }
    }

    /// How many entries each cache holds: resolutions, (DID URL, purpose, time) keys,
    /// key histories. Never more than the capacity, times [`TIMES_PER_URL`] for keys.
    pub fn cached(&self) -> (usize, usize, usize) {
        let resolutions = self.cache.read().map_or(0, |c| c.len());
        let keys = self
            .keys
            .read()
            .map_or(0, |k| k.map.values().map(VecDeque::len).sum());
        let histories = self.histories.read().map_or(0, |h| h.len());
        (resolutions, keys, histories)
    }

    /// The wrapped resolver.
    pub fn inner(&self) -> &R {
        &self.inner
    }
}

impl<R: Resolver> Resolver for CachingResolver<R> {
    fn resolve(&self, did: &str, options: &ResolveOptions) -> Result<Resolution> {
        let key = (did.to_string(), options.clone());
        if let Some(hit) = self.cache.read().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok((*hit).clone());
        }
        let resolution = self.inner.resolve(did, options)?;
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(key, Arc::new(resolution.clone()));
        }
        Ok(resolution)
    }

    fn resolve_key(&self, did_url: &str, purpose: Purpose, at: Option<i64>) -> Result<PublicKey> {
        // Looked up by &str: a hit allocates nothing (this is on every verification).
        if let Some(hit) = self.keys.read().ok().and_then(|k| {
            k.get(did_url).and_then(|v| {
                v.iter()
                    .find(|(p, t, _)| *p == purpose && *t == at)
                    .map(|(_, _, key)| key.clone())
            })
        }) {
            return Ok(hit);
        }
        // Resolve through the inner resolver's own resolve_key, so that a method with a
        // faster key lookup keeps it.
        let found = self.inner.resolve_key(did_url, purpose, at)?;
        if let Ok(mut keys) = self.keys.write() {
            let entry = (purpose, at, found.clone());
            match keys.get_mut(did_url) {
                Some(times) => {
                    if times.len() >= TIMES_PER_URL {
                        times.pop_front();
                    }
                    times.push_back(entry);
                }
                None => keys.insert(did_url.to_string(), VecDeque::from([entry])),
            }
        }
        Ok(found)
    }

    fn key_history(&self, did_url: &str, purpose: Purpose) -> Result<KeyHistory> {
        let key = (did_url.to_string(), purpose);
        if let Some((_, hit)) = self
            .histories
            .read()
            .ok()
            .and_then(|h| h.get(&key).cloned())
            .filter(|(read, _)| read.elapsed() < self.history_ttl)
        {
            return Ok((*hit).clone());
        }
        let history = self.inner.key_history(did_url, purpose)?;
        if !self.history_ttl.is_zero()
            && let Ok(mut h) = self.histories.write()
        {
            h.insert(key, (Instant::now(), Arc::new(history.clone())));
        }
        Ok(history)
    }
}
