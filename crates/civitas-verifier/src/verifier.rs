//! The verifier: policy, sources, and the pipeline that joins them.

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
#[derive(Debug, Clone)]
pub struct Policy {
    /// Accepted `vct`s; empty: any.
    pub accepted_types: Vec<String>,
    /// Allowed distance of the key binding `iat` from the verification time, seconds.
    pub kb_window: i64,
    /// Refuse credentials that carry a status reference when no status source is
    /// configured (strict counters); otherwise such a verdict carries a warning.
    pub require_status: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            accepted_types: Vec::new(),
            kb_window: 300,
            require_status: false,
        }
    }
}

/// What this counter asked for: the nonce and audience bound into the key binding
/// JWT, and the claims it needs.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The nonce the counter issued; `None`: replay is not checked (a warning).
    pub nonce: Option<String>,
    /// The counter's identity (`aud`); `None`: not checked (a warning).
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
        }
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
        match self.run(presentation.trim(), request, now, &mut warnings) {
            Ok(verified) => Verdict::valid(verified, warnings),
            Err(error) => Verdict::invalid(&error, warnings),
        }
    }

    /// The pipeline, returning the first failure.
    pub fn run(
        &self,
        presentation: &str,
        request: &Request,
        now: i64,
        warnings: &mut Vec<String>,
    ) -> Result<Verified> {
        let mut options = VerifyOptions::at(now);
        options.kb_window = self.policy.kb_window;
        options.nonce = request.nonce.clone();
        options.aud = request.aud.clone();
        let verified = civitas_credential::verify(presentation, &self.resolver, &options)?;
        if request.nonce.is_none() {
            warnings.push("no nonce was given: this presentation could be a replay".into());
        }
        if request.aud.is_none() {
            warnings.push(
                "no audience was given: the presentation may have been made for another verifier"
                    .into(),
            );
        }
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
                None if self.policy.require_status => {
                    return Err(Error::StatusUnavailable(
                        "no status source is configured".into(),
                    ));
                }
                None => warnings.push("revocation status was not checked (no ledger given)".into()),
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
