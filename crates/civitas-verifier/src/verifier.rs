//! The verifier: policy, sources, and the pipeline that joins them.

use crate::verdict::Check;
use crate::{Error, Result, Verdict};
use civitas_credential::{ClaimPath, StatusRef, Verified, VerifyOptions};
use civitas_did::{CachingResolver, Resolver};

/// Decides whether an issuer is trusted for a credential type.
///
/// Contract: `Ok(())` when trusted at `at`; otherwise [`Error::UntrustedIssuer`] with a
/// reason, or [`Error::StatusUnavailable`] if the source could not be read.
pub trait TrustSource: Send + Sync {
    /// Whether `issuer` may issue `vct` credentials at time `at`.
    fn check(&self, issuer: &str, vct: &str, at: i64) -> Result<()>;
}

/// A fixed list of trusted issuer DIDs (`civitas verify --trust DID`), for any type.
#[derive(Debug, Clone, Default)]
pub struct StaticTrust {
    issuers: Vec<String>,
}

impl StaticTrust {
    /// Trusts exactly these issuers.
    pub fn new(issuers: impl IntoIterator<Item = String>) -> Self {
        StaticTrust {
            issuers: issuers.into_iter().collect(),
        }
    }
}

impl TrustSource for StaticTrust {
    fn check(&self, issuer: &str, vct: &str, _at: i64) -> Result<()> {
        if self.issuers.iter().any(|i| i == issuer) {
            return Ok(());
        }
        Err(Error::UntrustedIssuer {
            issuer: issuer.to_string(),
            vct: vct.to_string(),
            why: if self.issuers.is_empty() {
                ": no trusted issuers are configured (use --trust DID or a ledger with accreditations)".into()
            } else {
                String::new()
            },
        })
    }
}

/// The status of a credential in its issuer's status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialStatus {
    /// Valid (0x00).
    Valid,
    /// Revoked (0x01): final.
    Invalid,
    /// Suspended (0x02).
    Suspended,
    /// Another, application-specific value.
    Other(u8),
}

/// Looks up Token Status List entries.
///
/// Contract: the status list must be one signed by `issuer`; a list that cannot be
/// found or verified is an [`Error::StatusUnavailable`].
pub trait StatusSource: Send + Sync {
    /// The status of entry `reference.idx` of the list at `reference.uri`.
    fn status(&self, issuer: &str, reference: &StatusRef, at: i64) -> Result<CredentialStatus>;
}

/// What the counter accepts.
///
/// Strict by default: [`Policy::default`] refuses a presentation that is not bound to
/// a nonce and an audience, and a credential whose revocation status was not checked.
/// Each can be switched off only explicitly, and a verdict then says so.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Accepted `vct`s; empty: any.
    pub accepted_types: Vec<String>,
    /// Allowed distance of the key binding `iat` from the verification time, seconds.
    pub kb_window: i64,
    /// `true` (default): a credential that carries a `status` reference is refused
    /// (`status_unchecked`) when no [`StatusSource`] is configured. `false` is the
    /// operator's explicit opt-out (`--no-status-check`): the verdict is then valid
    /// with `status_check` [`Check::SkippedByOperator`] and a warning.
    pub require_status: bool,
    /// `true` (default): a [`Request`] without a nonce or an audience is refused
    /// (`replay_check_missing`). `false` is the operator's explicit opt-out
    /// (`--no-replay-check`): what is given is still checked, and the verdict says
    /// `replay_check` [`Check::SkippedByOperator`] with a warning.
    pub require_replay_check: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            accepted_types: Vec::new(),
            kb_window: 300,
            require_status: true,
            require_replay_check: true,
        }
    }
}

/// What this counter asked for: the nonce and audience bound into the key binding
/// JWT, and the claims it needs.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The nonce the counter issued; `None`: refused (`replay_check_missing`) unless
    /// the policy opts out ([`Policy::require_replay_check`]).
    pub nonce: Option<String>,
    /// The counter's identity (`aud`); `None`: as for `nonce`.
    pub aud: Option<String>,
    /// Claims that must be disclosed.
    pub required: Vec<ClaimPath>,
}

/// The configured pipeline.
pub struct Verifier<R: Resolver> {
    resolver: CachingResolver<R>,
    policy: Policy,
    trust: Box<dyn TrustSource>,
    status: Option<Box<dyn StatusSource>>,
    evidence: Option<std::sync::Arc<dyn civitas_credential::IssuanceEvidence>>,
}

impl<R: Resolver> std::fmt::Debug for Verifier<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("policy", &self.policy)
            .finish()
    }
}

impl<R: Resolver> Verifier<R> {
    /// A verifier resolving DIDs through `resolver` (cached) and trusting per `trust`.
    pub fn new(resolver: R, trust: impl TrustSource + 'static, policy: Policy) -> Self {
        Verifier {
            resolver: CachingResolver::new(resolver, 4096),
            policy,
            trust: Box::new(trust),
            status: None,
            evidence: None,
        }
    }

    /// Adds where to look for issuance anchors ([`crate::LedgerAnchors`]): a
    /// credential signed by an issuer key retired by a *routine* rotation is valid only
    /// if anchored on the ledger before the rotation. Without it, every signature by a
    /// retired key is refused (`issuer_key_retired`).
    pub fn with_evidence(
        mut self,
        evidence: impl civitas_credential::IssuanceEvidence + 'static,
    ) -> Self {
        self.evidence = Some(std::sync::Arc::new(evidence));
        self
    }

    /// Adds a status source (revocation checks).
    pub fn with_status(mut self, status: impl StatusSource + 'static) -> Self {
        self.status = Some(Box::new(status));
        self
    }

    /// The resolver (cached).
    pub fn resolver(&self) -> &CachingResolver<R> {
        &self.resolver
    }

    /// Verifies `presentation` against `request` at `now`; never panics, always a
    /// verdict.
    pub fn verify(&self, presentation: &str, request: &Request, now: i64) -> Verdict {
        let mut warnings = Vec::new();
        let replay_check = if request.nonce.is_some() && request.aud.is_some() {
            Some(Check::Checked)
        } else if self.policy.require_replay_check {
            None
        } else {
            Some(Check::SkippedByOperator)
        };
        let mut verdict = match self.run(presentation.trim(), request, now, &mut warnings) {
            Ok(verified) => {
                let status_check = if verified.status.is_none() {
                    Check::NotApplicable
                } else if self.status.is_some() {
                    Check::Checked
                } else {
                    Check::SkippedByOperator
                };
                let mut v = Verdict::valid(verified, warnings);
                v.status_check = Some(status_check);
                v
            }
            Err(error) => {
                let mut v = Verdict::invalid(&error, warnings);
                if matches!(error, Error::Revoked | Error::Suspended) {
                    v.status_check = Some(Check::Checked);
                }
                v
            }
        };
        verdict.replay_check = replay_check;
        verdict
    }

    /// The pipeline, returning the first failure.
    pub fn run(
        &self,
        presentation: &str,
        request: &Request,
        now: i64,
        warnings: &mut Vec<String>,
    ) -> Result<Verified> {
        // Strict by default: a presentation that cannot be bound to this counter (no
        // nonce or no audience to check) is refused before any work, unless the
        // operator opted out.
        let missing = match (&request.nonce, &request.aud) {
            (Some(_), Some(_)) => None,
            (None, Some(_)) => Some("nonce"),
            (Some(_), None) => Some("audience"),
            (None, None) => Some("nonce or audience"),
        };
        if let Some(missing) = missing {
            if self.policy.require_replay_check {
                return Err(Error::ReplayCheckMissing(missing));
            }
            warnings.push(format!(
                "replay check skipped by operator: no {missing} was given, so this presentation could be a replay or made for another counter"
            ));
        }
        let mut options = VerifyOptions::at(now);
        options.kb_window = self.policy.kb_window;
        options.nonce = request.nonce.clone();
        options.aud = request.aud.clone();
        options.evidence = self.evidence.clone();
        let verified = civitas_credential::verify(presentation, &self.resolver, &options)?;
        if !self.policy.accepted_types.is_empty()
            && !self.policy.accepted_types.contains(&verified.vct)
        {
            return Err(Error::TypeNotAccepted(verified.vct));
        }
        self.trust.check(&verified.issuer, &verified.vct, now)?;
        if let Some(reference) = &verified.status {
            match &self.status {
                Some(source) => match source.status(&verified.issuer, reference, now)? {
                    CredentialStatus::Valid => {}
                    CredentialStatus::Invalid => return Err(Error::Revoked),
                    CredentialStatus::Suspended => return Err(Error::Suspended),
                    CredentialStatus::Other(v) => {
                        return Err(Error::StatusUnavailable(format!(
                            "status value 0x{v:02x} is not one Civitas knows"
                        )));
                    }
                },
                None if self.policy.require_status => return Err(Error::StatusUnchecked),
                None => warnings.push(
                    "status check skipped by operator: the credential's revocation status was not checked"
                        .into(),
                ),
            }
        }
        if !request.required.is_empty() {
            let claims = serde_json::Value::Object(verified.claims.clone());
            if let Some(missing) = request.required.iter().find(|p| !p.exists_in(&claims)) {
                return Err(Error::MissingClaim(missing.to_string()));
            }
        }
        Ok(verified)
    }
}
