//! A service counter's session, as a library: the open OpenID4VP request (a fresh nonce
//! after each success), the presentations already accepted (a second showing is a
//! replay), DCQL satisfaction of what was shown, and the signed receipts an online
//! wallet gets back. `civitas counter` (the scanner loop and the web page) drives one;
//! a server or a test can drive the same type.

use crate::scan::{Rejected, scan_line};
use crate::{Request, Resolver, Verdict, Verifier};
use civitas_credential::ClaimPath;
use civitas_crypto::{Algorithm, Rng, Signer, SigningKey, SystemRng};
use civitas_exchange::openid4vp::{self, AuthorizationRequest, AuthorizationResponse, Receipt};
use civitas_exchange::qr::Assembler;
use std::collections::{HashMap, HashSet};

/// Makes the request that replaces a spent one (a fresh nonce); `None` keeps the old.
pub type NextRequest = Box<dyn Fn() -> Option<AuthorizationRequest> + Send>;

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
}

impl<R: Resolver> std::fmt::Debug for CounterSession<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterSession")
            .field("request", &self.request.to_url())
            .field("used", &self.used.len())
            .field("with_state", &self.with_state)
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
        }
    }

    /// After each success (and each answered direct_post), the request is replaced by
    /// `next()` (a fresh nonce).
    pub fn renewing_with(mut self, next: NextRequest) -> Self {
        self.next_request = Some(next);
        self
    }

    /// Gives every request a `state`, for the direct_post flow.
    pub fn with_state(mut self) -> openid4vp::Result<Self> {
        self.with_state = true;
        if self.request.state().is_none() {
            self.request = self.request.clone().with_state(&random_token())?;
        }
        Ok(self)
    }

    /// The open request.
    pub fn request(&self) -> &AuthorizationRequest {
        &self.request
    }

    /// A fresh nonce after a success (a saved request keeps its own).
    fn renew(&mut self) {
        if let Some(r) = self.next_request.as_ref().and_then(|next| next()) {
            self.request = if self.with_state {
                r.clone().with_state(&random_token()).unwrap_or(r)
            } else {
                r
            };
        }
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

    /// An online wallet's answer (direct_post): every presentation verified against the
    /// current request, then the query as a whole; the request is then spent.
    pub fn answer(&mut self, response: &AuthorizationResponse, now: i64) -> Verdict {
        if response.check(&self.request).is_err() {
            return Verdict::rejected(
                "replay",
                "this answers no open request: it was already answered or has expired (replay?)"
                    .into(),
            );
        }
        let request = self.verifier_request(Vec::new());
        let mut verified = HashMap::new();
        let mut first = None;
        for (id, presentations) in response.vp_token.iter() {
            for p in presentations {
                let v = self.verifier.verify(p, &request, now);
                if !v.valid {
                    self.renew();
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
        self.renew();
        match first {
            Some(v) if check.is_satisfied() => v,
            _ => Verdict::rejected(
                "request_not_answered",
                format!(
                    "the answer does not satisfy this counter's request: {}",
                    unmet(&check)
                ),
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
        let replay_key = presentation
            .trim()
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_string();
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

/// A random token (a request's `state`).
fn random_token() -> String {
    let mut b = [0u8; 16];
    let _ = SystemRng.fill(&mut b);
    civitas_crypto::b64::encode(b)
}
