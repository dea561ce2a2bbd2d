//! A counter's request from the command line: what it asks for, built into an
//! OpenID4VP request with a fresh nonce, and its QR code. `request` and `counter`
//! share it.

use crate::error::{CliError, Result};
use crate::util::claim_paths;
use civitas_credential::CredentialType;
use civitas_crypto::SystemRng;
use civitas_exchange::openid4vp::{self, AuthorizationRequest};
use civitas_exchange::qr::{self, EccLevel, QrOptions};

/// What a counter asks for; shared by `request` and `counter`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CounterRequestArgs {
    /// Claims the citizen must show, by name or path (age_over_18,address.locality).
    #[arg(long, value_name = "NAME[,NAME…]", value_delimiter = ',')]
    pub(crate) claims: Vec<String>,
    /// Claims the citizen may leave out (at most 5).
    #[arg(long, value_name = "NAME[,NAME…]", value_delimiter = ',')]
    pub(crate) optional: Vec<String>,
    /// The credential type asked for: pid, medical, service-record or a vct URI.
    #[arg(long, default_value = "pid")]
    pub(crate) vct: String,
    /// Where online wallets post their answer (`civitas counter serve` listens there).
    #[arg(long, value_name = "URL")]
    pub(crate) response_uri: Option<String>,
    /// This counter's identity (OpenID4VP client_id); default: `redirect_uri:` + the
    /// response URI, or this city's counter address.
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,
}

impl CounterRequestArgs {
    /// A new request with a fresh nonce.
    pub(crate) fn build(&self) -> Result<AuthorizationRequest> {
        let required = claim_paths(&self.claims)?;
        let optional = claim_paths(&self.optional)?;
        if required.is_empty() && optional.is_empty() {
            return Err(CliError::Usage(
                "ask for at least one claim (--claims)".into(),
            ));
        }
        let vct = CredentialType::lookup(&self.vct).map_or(self.vct.clone(), |t| t.vct.to_string());
        let client_id = match (&self.client_id, &self.response_uri) {
            (Some(c), _) => c.clone(),
            (None, Some(uri)) => format!("redirect_uri:{uri}"),
            (None, None) => "redirect_uri:https://counter.civitas.example/response".to_string(),
        };
        let nonce =
            openid4vp::generate_nonce(&SystemRng).map_err(|e| CliError::Failed(e.to_string()))?;
        AuthorizationRequest::for_counter(
            &client_id,
            self.response_uri.as_deref(),
            &nonce,
            &vct,
            &required,
            &optional,
        )
        .map_err(|e| CliError::Usage(e.to_string()))
    }
}

/// The request's QR code.
pub(crate) fn request_qr(request: &AuthorizationRequest) -> Result<qr::QrCode> {
    let options = QrOptions::default()
        .with_ecc(EccLevel::L)
        .with_max_version(30);
    qr::render(&request.to_url(), &options)
        .map_err(|e| CliError::Failed(format!("the request does not fit a QR code: {e}")))
}
