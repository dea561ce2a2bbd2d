//! A service counter's session, as a library: the open OpenID4VP request (a fresh nonce
//! after each success), the presentations already accepted (a second showing is a
//! replay), DCQL satisfaction of what was shown, and the signed receipts an online
//! wallet gets back. `civitas counter` (the scanner loop and the web page) drives one;
//! a server or a test can drive the same type.
//!
//! Only a success spends the open request. An online answer (`direct_post`) that does
//! not verify — junk posted by someone who read the request's `state`, a revoked
//! credential — is refused and the same request stays answerable, so the citizen's
//! real answer afterwards is still accepted. A wallet's error response must carry the
//! open request's `state`. A `state` is made from the random generator; if it fails, no
//! request is issued (never a predictable one): [`SessionError::Rng`] at start,
//! `request_unavailable` verdicts after a failed renewal.

use crate::scan::{Rejected, scan_line};
use crate::{Request, Resolver, Verdict, Verifier};
use civitas_credential::ClaimPath;
use civitas_crypto::{Algorithm, Rng, Signer, SigningKey, SystemRng};
use civitas_exchange::openid4vp::ErrorResponse;
use civitas_exchange::openid4vp::{self, AuthorizationRequest, AuthorizationResponse, Receipt};
use civitas_exchange::qr::Assembler;
use std::collections::{HashMap, HashSet};

/// Makes the request that replaces a spent one (a fresh nonce). `None` means no fresh
/// request could be made (its nonce could not be generated): the session then refuses
/// everything (`request_unavailable`) rather than keep a spent nonce open.
pub type NextRequest = Box<dyn Fn() -> Option<AuthorizationRequest> + Send>;

/// Why a session cannot give its request a `state`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The random generator failed: no unpredictable `state` can be made.
    #[error(
        "the random number generator failed: the counter cannot make an unpredictable request state"
    )]
    Rng,
    /// The request refused the `state` (it cannot happen with a generated one).
    #[error("the request cannot carry a state: {0}")]
    Request(#[from] openid4vp::Error),
}

impl SessionError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SessionError::Rng => "rng_failure",
            SessionError::Request(e) => e.code(),
        }
    }
}

/// One counter: its request (renewed after each success), its verifier, and the
/// presentations already accepted.
pub struct CounterSession<R: Resolver> {
    verifier: Verifier<R>,
    request: AuthorizationRequest,
    next_request: Option<NextRequest>,
    used: HashSet<String>,
    assembler: Assembler,
    /// Requests carry a `state` (online wallets post it back).
    with_state: bool,
    /// Where `state`s come from.
    rng: Box<dyn Rng>,
    /// A spent request could not be replaced (the random generator failed): every
    /// presentation is refused until the counter restarts.
    unavailable: bool,
}

impl<R: Resolver> std::fmt::Debug for CounterSession<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterSession")
            .field("request", &self.request.to_url())
            .field("used", &self.used.len())
            .field("with_state", &self.with_state)
            .field("unavailable", &self.unavailable)
            .finish_non_exhaustive()
    }
}

impl<R: Resolver> CounterSession<R> {
    /// A session that verifies with `verifier` against `request`. Without
    /// [`renewing_with`](Self::renewing_with) the request is kept after a success (a
    /// saved request keeps its own nonce).
    pub fn new(verifier: Verifier<R>, request: AuthorizationRequest) -> Self {
        CounterSession {
            verifier,
            request,
            next_request: None,
            used: HashSet::new(),
            assembler: Assembler::new(),
            with_state: false,
            rng: Box::new(SystemRng),
            unavailable: false,
        }
    }

    /// Makes `state`s with `rng` instead of the system's generator (tests use a
    /// failing one).
    pub fn with_rng(mut self, rng: Box<dyn Rng>) -> Self {
        self.rng = rng;
        self
    }

    /// After each success (and each answered direct_post), the request is replaced by
    /// `next()` (a fresh nonce).
    pub fn renewing_with(mut self, next: NextRequest) -> Self {
        self.next_request = Some(next);
        self
    }

    /// Gives every request a `state`, for the direct_post flow. A failing random
    /// generator is an error ([`SessionError::Rng`]): the counter must not serve.
    pub fn with_state(mut self) -> Result<Self, SessionError> {
        self.with_state = true;
        if self.request.state().is_none() {
            let state = random_token(self.rng.as_ref())?;
            self.request = self.request.clone().with_state(&state)?;
        }
        Ok(self)
    }

    /// The open request.
    pub fn request(&self) -> &AuthorizationRequest {
        &self.request
    }

    /// Whether the session has stopped: a spent request could not be replaced.
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
    }

    /// After a success: a fresh nonce (a saved request keeps its own) and a fresh
    /// `state`, so the same answer posted again answers no open request. If either
    /// cannot be made, the session stops ([`is_unavailable`](Self::is_unavailable)).
    fn renew(&mut self) {
        let next = match &self.next_request {
            Some(next) => next(),
            None => Some(self.request.clone()),
        };
        let Some(next) = next else {
            self.unavailable = true;
            return;
        };
        if !self.with_state {
            self.request = next;
            return;
        }
        match random_token(self.rng.as_ref()).map(|s| next.with_state(&s)) {
            Ok(Ok(r)) => self.request = r,
            _ => self.unavailable = true,
        }
    }

    /// The refusal while the session is stopped.
    fn unavailable_verdict(&self) -> Option<Verdict> {
        self.unavailable.then(|| {
            Verdict::rejected(
                "request_unavailable",
                "this counter could not make a fresh request (its random generator failed): restart it"
                    .into(),
            )
        })
    }

    /// What the verifier checks a presentation against: the open request's nonce and
    /// client id, and `required` claims.
    fn verifier_request(&self, required: Vec<ClaimPath>) -> Request {
        Request {
            nonce: Some(self.request.nonce().to_string()),
            aud: Some(self.request.client_id().as_str().to_string()),
            required,
        }
    }

    /// An online wallet's answer (direct_post): its `state` must be the open request's,
    /// every presentation is verified against the current request, then the query as a
    /// whole. Only a valid answer spends the request (and its presentations cannot be
    /// shown again); any other answer is refused and the request stays open, so a junk
    /// post by someone who read the `state` does not burn the citizen's request.
    pub fn answer(&mut self, response: &AuthorizationResponse, now: i64) -> Verdict {
        if let Some(v) = self.unavailable_verdict() {
            return v;
        }
        if !same_state(response.state.as_deref(), self.request.state()) {
            return Verdict::rejected(
                "replay",
                "this answers no open request: it was already answered or has expired (replay?)"
                    .into(),
            );
        }
        if let Err(e) = response.vp_token.check_against(self.request.dcql_query()) {
            return Verdict::rejected(
                "request_not_answered",
                format!("the answer does not fit this counter's request: {e}"),
            );
        }
        let mut keys = Vec::new();
        for (_, presentations) in response.vp_token.iter() {
            for p in presentations {
                let key = replay_key(p);
                if self.used.contains(&key) {
                    return Verdict::rejected(
                        "replay",
                        "this presentation was already used at this counter (replay)".into(),
                    );
                }
                keys.push(key);
            }
        }
        let request = self.verifier_request(Vec::new());
        let mut verified = HashMap::new();
        let mut first = None;
        for (id, presentations) in response.vp_token.iter() {
            for p in presentations {
                let v = self.verifier.verify(p, &request, now);
                if !v.valid {
                    return v;
                }
                verified
                    .entry(id.to_string())
                    .or_insert_with(Vec::new)
                    .push(v.claims.clone());
                first.get_or_insert(v);
            }
        }
        let check = openid4vp::check_dcql_satisfied(&self.request, &verified);
        match first {
            Some(v) if check.is_satisfied() => {
                self.used.extend(keys);
                self.renew();
                v
            }
            _ => Verdict::rejected(
                "request_not_answered",
                format!(
                    "the answer does not satisfy this counter's request: {}",
                    unmet(&check)
                ),
            ),
        }
    }

    /// A wallet's error response (`error=…` posted to the response URI), as a verdict:
    /// `wallet_error` when it carries the open request's `state` (show it to the clerk;
    /// the request stays open, the citizen may try again); otherwise `state_missing` or
    /// `state_mismatch`, and then it is not the citizen's: refuse it, do not show it.
    pub fn declined(&self, error: &ErrorResponse) -> Verdict {
        match (error.state.as_deref(), self.request.state()) {
            (None, Some(_)) => Verdict::rejected(
                "state_missing",
                "the wallet's error response carries no state: it answers no open request".into(),
            ),
            (got, want) if !same_state(got, want) => Verdict::rejected(
                "state_mismatch",
                "the wallet's error response carries another request's state".into(),
            ),
            _ => Verdict::rejected(
                "wallet_error",
                format!("the wallet declined: {}", error.error),
            ),
        }
    }

    /// The claims the first credential query requires.
    fn required(&self) -> Vec<ClaimPath> {
        self.request
            .dcql_query()
            .credentials
            .first()
            .map(|q| q.required_and_optional().0)
            .unwrap_or_default()
    }

    /// Verifies one presentation against the current request; on success the nonce is
    /// renewed and the presentation cannot be shown again.
    pub fn check(&mut self, presentation: &str, now: i64) -> Verdict {
        if let Some(v) = self.unavailable_verdict() {
            return v;
        }
        let replay_key = replay_key(presentation);
        if self.used.contains(&replay_key) {
            return Verdict::rejected(
                "replay",
                "this presentation was already used at this counter (replay)".into(),
            );
        }
        let request = self.verifier_request(self.required());
        let mut verdict = self.verifier.verify(presentation, &request, now);
        if verdict.valid {
            let (assigned, _) = openid4vp::assign_to_queries(
                self.request.dcql_query(),
                vec![verdict.claims.clone()],
            );
            let check = openid4vp::check_dcql_satisfied(&self.request, &assigned);
            if !check.is_satisfied() {
                verdict = Verdict::rejected(
                    "request_not_answered",
                    format!(
                        "the presentation does not answer this counter's request: {}",
                        unmet(&check)
                    ),
                );
            } else {
                self.used.insert(replay_key);
                self.renew();
            }
        }
        verdict
    }

    /// One scanned line: a presentation, a QR payload or part of one (`None` until the
    /// last part of a multi-part code arrives).
    pub fn scan(&mut self, line: &str, now: i64) -> Option<Verdict> {
        match scan_line(line, &mut self.assembler) {
            Ok(Some(p)) => Some(self.check(&p, now)),
            Ok(None) => None,
            Err(rejected @ Rejected { .. }) => {
                self.assembler.reset();
                Some(rejected.into())
            }
        }
    }
}

/// What identifies a presentation for the replay set: its key binding JWT's signature.
fn replay_key(presentation: &str) -> String {
    presentation
        .trim()
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Whether a posted `state` is the open request's (both absent counts), compared in
/// constant time.
fn same_state(got: Option<&str>, want: Option<&str>) -> bool {
    match (got, want) {
        (None, None) => true,
        (Some(a), Some(b)) => civitas_crypto::constant_time_eq(a.as_bytes(), b.as_bytes()),
        _ => false,
    }
}

/// The unmet parts of a DCQL check, joined for a sentence.
fn unmet(check: &openid4vp::DcqlCheck) -> String {
    check
        .unmet
        .iter()
        .map(|u| u.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The counter's receipt signer: a key and its did:jwk.
pub struct ReceiptSigner {
    key: SigningKey,
    did: String,
    kid: String,
}

impl std::fmt::Debug for ReceiptSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiptSigner")
            .field("did", &self.did)
            .finish_non_exhaustive()
    }
}

impl ReceiptSigner {
    /// Signs receipts with `key`; they name its did:jwk.
    pub fn new(key: SigningKey) -> Self {
        let did = key.public().did_jwk();
        let kid = format!("{did}#0");
        ReceiptSigner { key, did, kid }
    }

    /// Signs receipts with a new ES256 key.
    pub fn generate() -> civitas_crypto::Result<Self> {
        Ok(Self::new(SigningKey::generate(
            Algorithm::Es256,
            &SystemRng,
        )?))
    }

    /// The signer's did:jwk.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// A signed receipt for `verdict` on `request`, or `None` if one cannot be made.
    pub fn receipt(
        &self,
        request: &AuthorizationRequest,
        verdict: &Verdict,
        now: i64,
    ) -> Option<String> {
        let vct = verdict.vct.clone().into_iter().collect();
        let receipt = Receipt::new(
            &self.did,
            request.client_id().as_str(),
            request.nonce(),
            verdict.valid,
            vct,
            &verdict.disclosed,
            now,
            &SystemRng,
        )
        .ok()?;
        openid4vp::sign_receipt(&receipt, &self.kid, &self.key as &dyn Signer).ok()
    }
}

/// A random token (a request's `state`); a failing generator is an error, never an
/// all-zero token.
fn random_token(rng: &dyn Rng) -> Result<String, SessionError> {
    let mut b = [0u8; 16];
    rng.fill(&mut b).map_err(|_| SessionError::Rng)?;
    Ok(civitas_crypto::b64::encode(b))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    //! The session's refusals that no process test can reach: a failing random
    //! generator, at start and at renewal; and the online answer's state rules.
    use super::*;
    use crate::{Policy, StaticTrust};
    use civitas_credential::{Credential, HolderBinding};
    use civitas_did::MethodResolver;
    use civitas_exchange::openid4vp::VpToken;
    use civitas_ledger::LedgerWriter;
    use civitas_testkit::{Actor, PID, T0, new_ledger};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const AUD: &str = "redirect_uri:https://counter.civitas.example/response";

    /// A generator that gives `ok` fills, then fails.
    struct Failing {
        ok: AtomicUsize,
    }

    impl Rng for Failing {
        fn fill(&self, dest: &mut [u8]) -> civitas_crypto::Result<()> {
            if self
                .ok
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_err()
            {
                return Err(civitas_crypto::Error::Rng);
            }
            SystemRng.fill(dest)
        }
    }

    fn failing_after(ok: usize) -> Box<dyn Rng> {
        Box::new(Failing {
            ok: AtomicUsize::new(ok),
        })
    }

    struct World {
        hall: Actor,
        holder: SigningKey,
        ledger: Arc<civitas_ledger::SqliteLedger>,
        _dir: tempfile::TempDir,
    }

    fn world() -> World {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Arc::new(new_ledger(dir.path(), T0 + 3600));
        let (hall, e) = Actor::create("issuers:city-hall", T0);
        ledger.append(&e).unwrap();
        World {
            hall,
            holder: SigningKey::generate(Algorithm::Es256, &SystemRng).unwrap(),
            ledger,
            _dir: dir,
        }
    }

    fn request(nonce: &str) -> AuthorizationRequest {
        AuthorizationRequest::for_counter(
            AUD,
            Some("https://counter.civitas.example/response"),
            nonce,
            PID,
            &[ClaimPath::key("age_over_18")],
            &[],
        )
        .unwrap()
    }

    fn session(w: &World, at: i64) -> CounterSession<MethodResolver> {
        let verifier = Verifier::new(
            civitas_ledger::resolver(w.ledger.clone(), at),
            StaticTrust::new([w.hall.did.clone()]),
            Policy::default(),
        );
        CounterSession::new(verifier, request("nonce-1"))
    }

    /// The wallet's answer to `request`, disclosing age_over_18.
    fn answer(w: &World, request: &AuthorizationRequest, at: i64) -> AuthorizationResponse {
        let sd_jwt = w
            .hall
            .issue_pid(HolderBinding::Jwk(w.holder.public().clone()), T0 + 10, None);
        let p = Credential::parse(&sd_jwt)
            .unwrap()
            .present(
                &[ClaimPath::key("age_over_18")],
                &w.holder,
                request.nonce(),
                AUD,
                at,
            )
            .unwrap();
        let mut vp = VpToken::new();
        let id = request.dcql_query().credentials[0].id.clone();
        vp.insert(&id, vec![p]).unwrap();
        AuthorizationResponse::for_request(request, vp).unwrap()
    }

    #[test]
    fn a_failing_generator_gives_no_state_and_the_counter_does_not_open() {
        let w = world();
        let err = session(&w, T0 + 20)
            .with_rng(failing_after(0))
            .with_state()
            .unwrap_err();
        assert!(matches!(err, SessionError::Rng));
        assert_eq!(err.code(), "rng_failure");
    }

    #[test]
    fn a_failing_generator_at_renewal_stops_the_session() {
        let w = world();
        let at = T0 + 20;
        // One fill for the first state; the renewal after the success fails.
        let mut s = session(&w, at)
            .with_rng(failing_after(1))
            .with_state()
            .unwrap();
        let first = s.request().clone();
        let state = first.state().unwrap().to_string();
        assert_ne!(state, civitas_crypto::b64::encode([0u8; 16]));
        let v = s.answer(&answer(&w, &first, at), at);
        assert!(v.valid, "{:?}", v.reason);
        assert!(s.is_unavailable());
        // Nothing is accepted any more, not even an answer to the spent request.
        let again = s.answer(&answer(&w, &first, at), at);
        assert_eq!(
            again.code,
            Some("request_unavailable"),
            "{:?}",
            again.reason
        );
        let scanned = s.check("a.b.c~", at);
        assert_eq!(scanned.code, Some("request_unavailable"));
    }

    #[test]
    fn a_failed_answer_leaves_the_request_open_and_a_valid_one_spends_it() {
        let w = world();
        let at = T0 + 20;
        let mut s = session(&w, at).with_state().unwrap();
        let open = s.request().clone();
        // Someone who read the state posts a presentation made for another nonce.
        let mut junk = answer(&w, &request("someone-elses-nonce"), at);
        junk.state = open.state().map(str::to_string);
        let v = s.answer(&junk, at);
        assert_eq!(v.code, Some("nonce_mismatch"), "{:?}", v.reason);
        assert_eq!(s.request(), &open, "a failed answer renewed the request");
        // The citizen's real answer is still accepted, once.
        let real = answer(&w, &open, at);
        let v = s.answer(&real, at);
        assert!(v.valid, "{:?}", v.reason);
        assert_ne!(s.request().state(), open.state());
        let again = s.answer(&real, at);
        assert_eq!(again.code, Some("replay"));
    }

    #[test]
    fn a_saved_request_gets_a_fresh_state_after_an_online_success() {
        let w = world();
        let at = T0 + 20;
        let mut s = session(&w, at).with_state().unwrap();
        let open = s.request().clone();
        let real = answer(&w, &open, at);
        assert!(s.answer(&real, at).valid);
        // The nonce is the saved one; the state is new, so the same post is a replay.
        assert_eq!(s.request().nonce(), "nonce-1");
        assert_ne!(s.request().state(), open.state());
        assert_eq!(s.answer(&real, at).code, Some("replay"));
        // With the new state, the same presentations are still a replay.
        let mut restated = real.clone();
        restated.state = s.request().state().map(str::to_string);
        assert_eq!(s.answer(&restated, at).code, Some("replay"));
    }

    #[test]
    fn a_wallet_error_needs_the_open_requests_state() {
        let w = world();
        let s = session(&w, T0).with_state().unwrap();
        let error = |state: Option<&str>| ErrorResponse {
            error: "access_denied".into(),
            error_description: None,
            state: state.map(str::to_string),
        };
        let missing = s.declined(&error(None));
        assert_eq!(missing.code, Some("state_missing"));
        let wrong = s.declined(&error(Some("not-the-state")));
        assert_eq!(wrong.code, Some("state_mismatch"));
        let ok = s.declined(&error(s.request().state()));
        assert_eq!(ok.code, Some("wallet_error"));
        assert!(ok.reason.unwrap().contains("access_denied"));
    }
}
