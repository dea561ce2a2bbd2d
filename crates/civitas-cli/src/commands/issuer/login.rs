//! `issuer serve --login URL --login-client-id ID --login-client-secret-file F`: the
//! city's OpenID Connect login, which turns on the Authorization Code Flow (PAR,
//! PKCE) of civitas-issuer's `authorize` module.

use crate::error::{CliError, Result};
use civitas_crypto::SystemRng;
use civitas_issuer::Issuer;
use civitas_issuer::auth_store::AuthStore;
use civitas_issuer::authorize::{Login, LoginConfig, ReqwestLoginHttp, enable_login};
use std::path::PathBuf;
use std::sync::Arc;

/// The login flags of `issuer serve`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct LoginServeArgs {
    /// The city's OpenID Connect login (its issuer URL, discovered at
    /// /.well-known/openid-configuration): citizens log in there to receive a
    /// personal ID (the authorization code flow with PAR and PKCE).
    #[arg(long, value_name = "URL")]
    login: Option<String>,
    /// This issuer's client id at the login.
    #[arg(long, value_name = "ID", requires = "login")]
    login_client_id: Option<String>,
    /// A file holding this issuer's client secret at the login.
    #[arg(long, value_name = "FILE", requires = "login")]
    login_client_secret_file: Option<PathBuf>,
    /// The scopes asked of the login (default: openid profile address).
    #[arg(long, value_name = "SCOPES", requires = "login")]
    login_scope: Option<String>,
    /// The login's claim holding the personal number (default: personal_number).
    #[arg(long, value_name = "CLAIM", requires = "login")]
    login_personal_number_claim: Option<String>,
}

/// Discovers the login and turns the flow on for `issuer` (nothing without --login).
pub(crate) async fn enable(issuer: &Arc<Issuer>, args: LoginServeArgs, db: PathBuf) -> Result<()> {
    let Some(provider) = args.login else {
        return Ok(());
    };
    let client_id = args
        .login_client_id
        .ok_or_else(|| CliError::Usage("--login needs --login-client-id".into()))?;
    let secret_file = args
        .login_client_secret_file
        .ok_or_else(|| CliError::Usage("--login needs --login-client-secret-file".into()))?;
    let secret = zeroize::Zeroizing::new(std::fs::read_to_string(&secret_file).map_err(|e| {
        CliError::Input(format!(
            "cannot read the client secret file {}: {e}",
            secret_file.display()
        ))
    })?);
    let mut config = LoginConfig::new(&provider, &client_id, secret.trim());
    if let Some(s) = args.login_scope {
        config.scope = s;
    }
    if let Some(c) = args.login_personal_number_claim {
        config.personal_number_claim = c;
    }
    let issuer = issuer.clone();
    tokio::task::spawn_blocking(move || -> Result<()> {
        let failed = |e: civitas_issuer::Error| CliError::Failed(format!("the city's login: {e}"));
        let http = ReqwestLoginHttp::new().map_err(failed)?;
        let store = AuthStore::open(&db).map_err(failed)?;
        let login = Login::discover(
            config,
            Box::new(http),
            store,
            Arc::new(super::now),
            Arc::new(SystemRng),
        )
        .map_err(failed)?;
        eprintln!(
            "login {} (authorization code flow with PAR and PKCE on)",
            login.provider().issuer
        );
        enable_login(&issuer, login);
        Ok(())
    })
    .await
    .map_err(|e| CliError::Failed(e.to_string()))?
}

/// `issuer offer --type pid --authorization`: an offer with the `authorization_code`
/// grant (its `issuer_state`), printed as `offer` prints one (no PIN: the citizen logs
/// in with the city's account at the issuer started with `serve --login`).
pub(crate) fn offer(
    db: &std::path::Path,
    credential_issuer: &str,
    configuration_id: &str,
    expires_in: i64,
    qr_file: Option<&std::path::Path>,
    json: bool,
) -> Result<std::process::ExitCode> {
    use civitas_exchange::qr::{self, EccLevel, QrOptions};
    let store = AuthStore::open(db).map_err(|e| CliError::Failed(e.to_string()))?;
    let created = civitas_issuer::authorize::create_login_offer(
        &store,
        credential_issuer,
        configuration_id,
        expires_in,
        super::now(),
        &SystemRng,
    )
    .map_err(|e| match e {
        civitas_issuer::Error::Invalid(m) => CliError::Usage(m),
        other => CliError::Failed(other.to_string()),
    })?;
    if let Some(path) = qr_file {
        let options = QrOptions::default()
            .with_ecc(EccLevel::L)
            .with_max_version(30);
        let code = qr::render(&created.offer_uri, &options)
            .map_err(|e| CliError::Failed(format!("the offer does not fit a QR code: {e}")))?;
        crate::qr_file::write_qr(&code, path)?;
    }
    if json {
        crate::util::out(&serde_json::to_string(&created).unwrap_or_default())?;
    } else {
        crate::util::out(&created.offer_uri)?;
        eprintln!(
            "offer {} for {configuration_id} (the citizen logs in with the city's account), valid until {}",
            created.offer_id,
            crate::util::show_time(created.expires_at)
        );
    }
    Ok(std::process::ExitCode::SUCCESS)
}
