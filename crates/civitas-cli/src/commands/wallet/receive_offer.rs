//! `civitas wallet receive 'openid-credential-offer://…'`: a credential offered over
//! OpenID4VCI (the Pre-Authorized Code Flow with a PIN), thin over
//! `civitas_wallet::openid4vci`. The PIN comes from `--pin-file`, `CIVITAS_TX_CODE` or
//! a prompt (no echo), and is never printed.
//!
//! An offer with only the `authorization_code` grant, or `--issuer URL --type pid`
//! (wallet-initiated), is the Authorization Code Flow: the wallet listens on a loopback
//! port for the redirect (`--redirect-port`, else one the system picks), prints the
//! address the citizen opens to log in with the city's account, and waits for the
//! answer (`--login-timeout`, 300 s by default).

use super::args::WalletArgs;
use super::secrets::secret_file;
use crate::error::{CliError, Result};
use crate::util::out;
use civitas_wallet::Binding;
use civitas_wallet::Wallet;
use civitas_wallet::openid4vci::{Accepted, HttpTransport, OfferPreview};
use std::io::{IsTerminal, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The Authorization Code Flow's flags of `wallet receive`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct LoginArgs {
    /// Ask this issuer (its Credential Issuer URL) for a credential, logging in with
    /// the city's account (wallet-initiated; with --type).
    #[arg(long, value_name = "URL", requires = "kind", conflicts_with = "input")]
    pub(crate) issuer: Option<String>,
    /// With --issuer: the credential type (pid, or a configuration id).
    #[arg(long = "type", value_name = "TYPE", requires = "issuer")]
    pub(crate) kind: Option<String>,
    /// The loopback port the login's answer comes back to (default: any free port).
    #[arg(long, value_name = "PORT")]
    pub(crate) redirect_port: Option<u16>,
    /// How long to wait for the login (seconds).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub(crate) login_timeout: u64,
}

/// Wallet-initiated: `--issuer URL --type TYPE`.
pub(super) fn receive_from_issuer(
    args: &WalletArgs,
    login: &LoginArgs,
    roots: Vec<String>,
) -> Result<ExitCode> {
    let (Some(issuer), Some(kind)) = (&login.issuer, &login.kind) else {
        return Err(CliError::Usage("give --issuer URL and --type TYPE".into()));
    };
    let configuration_id = match kind.as_str() {
        "pid" => "pid",
        "medical" | "medical_summary" => "medical_summary",
        "service-record" | "service_record" => "service_record",
        other => {
            return Err(CliError::Usage(format!(
                "unknown credential type '{other}': use pid, medical or service-record"
            )));
        }
    };
    let (mut wallet, now, _) = args.open()?;
    wallet.trust_roots(roots);
    let transport = HttpTransport::new()?;
    let preview = wallet.preview_issuer(&transport, issuer, configuration_id, now)?;
    announce(&preview);
    let got = log_in(&mut wallet, &transport, &preview, login, now)?;
    report(got)
}

/// Whether `input` is an offer URL rather than a file.
pub(super) fn is_offer(input: &str) -> bool {
    civitas_exchange::openid4vci::is_offer_url(input)
}

/// Obtains the offered credential, checks and stores it.
pub(super) fn receive_offer(
    args: &WalletArgs,
    offer: &str,
    pin_file: Option<&Path>,
    roots: Vec<String>,
    login: &LoginArgs,
) -> Result<ExitCode> {
    let (mut wallet, now, _) = args.open()?;
    wallet.trust_roots(roots);
    let transport = HttpTransport::new()?;
    let preview = wallet.preview_offer(&transport, offer, now)?;
    if preview.needs_login() {
        announce(&preview);
        let got = log_in(&mut wallet, &transport, &preview, login, now)?;
        return report(got);
    }
    eprintln!(
        "{} offers you a {} ({})",
        preview.issuer_name.as_deref().map_or_else(
            || preview.credential_issuer.clone(),
            |n| format!("{n} ({})", preview.credential_issuer)
        ),
        preview.type_name,
        preview.configuration_id
    );
    let pin = if preview.pin_required {
        Some(pin(pin_file, preview.pin_description.as_deref())?)
    } else {
        None
    };
    let got = wallet.accept_offer(&transport, &preview, pin.as_ref().map(|p| p.as_str()), now)?;
    report(got)
}

fn announce(preview: &OfferPreview) {
    eprintln!(
        "{} offers you a {} ({}) after you log in with the city's account",
        preview.issuer_name.as_deref().map_or_else(
            || preview.credential_issuer.clone(),
            |n| format!("{n} ({})", preview.credential_issuer)
        ),
        preview.type_name,
        preview.configuration_id
    );
}

/// The Authorization Code Flow: listen on loopback, print the address to open, wait
/// for the redirect, finish.
fn log_in(
    wallet: &mut Wallet,
    transport: &HttpTransport,
    preview: &OfferPreview,
    login: &LoginArgs,
    now: i64,
) -> Result<Accepted> {
    let listener = TcpListener::bind(("127.0.0.1", login.redirect_port.unwrap_or(0)))
        .map_err(|e| CliError::Usage(format!("cannot listen on a loopback port: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| CliError::Failed(e.to_string()))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let started = Instant::now();
    let start = wallet.begin_authorization(transport, preview, &redirect_uri, now)?;
    out(&format!(
        "Open this address in your browser to log in with the city's account: {}",
        start.url
    ))?;
    let query = wait_for_redirect(&listener, Duration::from_secs(login.login_timeout))?;
    let elapsed = i64::try_from(started.elapsed().as_secs()).unwrap_or(0);
    // Waiting for the citizen's login is this command's activity: no idle lock.
    wallet.touch(now.saturating_add(elapsed));
    Ok(wallet.finish_authorization(
        transport,
        preview,
        &start,
        &query,
        now.saturating_add(elapsed),
    )?)
}

/// Waits for `GET /callback?…` on `listener` and answers the browser; other paths
/// (a favicon) get 404. Returns the query.
fn wait_for_redirect(listener: &TcpListener, timeout: Duration) -> Result<Zeroizing<String>> {
    listener
        .set_nonblocking(true)
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let deadline = Instant::now() + timeout;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(query) = answer_browser(stream) {
                    return Ok(query);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(CliError::Failed(format!(
                        "no answer from the login within {} seconds: open the address above in a browser and log in, or try again [login_timeout]",
                        timeout.as_secs()
                    )));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => {
                return Err(CliError::Failed(format!(
                    "the loopback listener failed: {e}"
                )));
            }
        }
    }
}

/// Reads one request head (at most 16 KiB, 10 s); answers it; the query of a
/// `GET /callback`.
fn answer_browser(mut stream: TcpStream) -> Option<Zeroizing<String>> {
    stream.set_nonblocking(false).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut head = Zeroizing::new(Vec::new());
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(buf.get(..n)?),
        }
    }
    let text = String::from_utf8_lossy(&head).to_string();
    let target = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("GET "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/callback" {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return None;
    }
    let page = "<!doctype html><meta charset=utf-8><title>Civitas</title><p>You can close this window and return to the wallet. / 您可以關閉此視窗並回到錢包。";
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncache-control: no-store\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
            page.len()
        )
        .as_bytes(),
    );
    Some(Zeroizing::new(query.to_string()))
}

fn report(got: Accepted) -> Result<ExitCode> {
    let got = match got {
        Accepted::Issued(got) => got,
        Accepted::Pending(p) => {
            out(&format!(
                "pending: {} from {} — run `civitas wallet fetch` later",
                p.type_name, p.credential_issuer
            ))?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let r = &got.received;
    out(&format!(
        "Received {} as {}\n  issuer:  {} ({}; its signature checks out)\n  from:    {} over OpenID4VCI\n  bound to {}",
        r.type_name.as_deref().unwrap_or(&r.vct),
        r.id,
        r.issuer,
        r.accreditation.describe(),
        got.credential_issuer,
        match &r.binding {
            Binding::Did { kid } => format!("your DID ({kid})"),
            _ => "this device's key".to_string(),
        }
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// The PIN: from `file`, `CIVITAS_TX_CODE`, or typed at a prompt (no echo).
fn pin(file: Option<&Path>, hint: Option<&str>) -> Result<Zeroizing<String>> {
    if let Some(path) = file {
        return secret_file(path, "PIN");
    }
    if let Ok(p) = std::env::var("CIVITAS_TX_CODE") {
        return Ok(Zeroizing::new(p.trim().to_string()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "the offer needs the PIN the issuer gave you: use --pin-file PATH (or set CIVITAS_TX_CODE)"
                .into(),
        ));
    }
    let prompt = match hint {
        Some(h) => format!(
            "PIN ({}): ",
            h.chars().filter(|c| !c.is_control()).collect::<String>()
        ),
        None => "PIN: ".to_string(),
    };
    rpassword::prompt_password(prompt)
        .map(|p| Zeroizing::new(p.trim().to_string()))
        .map_err(|e| CliError::Input(format!("cannot read the PIN: {e}")))
}
