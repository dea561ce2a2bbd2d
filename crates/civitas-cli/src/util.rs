//! Small helpers shared by the subcommands: time, input files, claim path lists,
//! output, servers.

use crate::error::{CliError, Result};
use std::io::{Read, Write};
use std::path::Path;

/// Reads `--at`, or the clock when absent.
pub(crate) fn time_or_now(at: Option<&str>) -> Result<i64> {
    match at {
        Some(text) => parse_time(text),
        None => Ok(chrono::Utc::now().timestamp()),
    }
}

/// Parses an RFC 3339 date-time (or a plain date, meaning midnight UTC).
pub(crate) fn parse_time(text: &str) -> Result<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(t.and_utc().timestamp());
    }
    Err(CliError::Usage(format!(
        "'{text}' is not a date-time; use RFC 3339, e.g. 2026-11-25T10:00:00Z"
    )))
}

/// Formats Unix seconds as RFC 3339 UTC.
pub(crate) fn show_time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| t.to_string())
}

/// Reads a file, or standard input for `-` / `None`.
pub(crate) fn read_input(path: Option<&Path>) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match path {
        None => read_stdin(&mut bytes)?,
        Some(p) if p.as_os_str() == "-" => read_stdin(&mut bytes)?,
        Some(p) => {
            bytes = std::fs::read(p)
                .map_err(|e| CliError::Input(format!("cannot read {}: {e}", p.display())))?;
        }
    }
    Ok(bytes)
}

fn read_stdin(bytes: &mut Vec<u8>) -> Result<()> {
    // A presentation is a few KB; refuse to buffer an endless stream.
    const MAX: u64 = 16 * 1024 * 1024;
    std::io::stdin()
        .take(MAX)
        .read_to_end(bytes)
        .map_err(|e| CliError::Input(format!("cannot read standard input: {e}")))?;
    Ok(())
}

/// Reads a text file (UTF-8), trimmed.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = read_input(Some(path))?;
    String::from_utf8(bytes)
        .map(|s| s.trim().to_string())
        .map_err(|_| CliError::Input(format!("{} is not UTF-8 text", path.display())))
}

/// Reads a JSON object file.
pub(crate) fn read_json_object(path: &Path) -> Result<serde_json::Map<String, serde_json::Value>> {
    let text = read_text(path)?;
    match serde_json::from_str(&text) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::Input(format!(
            "{} must hold a JSON object",
            path.display()
        ))),
        Err(e) => Err(CliError::Input(format!(
            "{} is not valid JSON: {e}",
            path.display()
        ))),
    }
}

/// Claim paths from a `--claims a,b.c` style list (blank items skipped); a bad path
/// is a usage error.
pub(crate) fn claim_paths(list: &[String]) -> Result<Vec<civitas_credential::ClaimPath>> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            civitas_credential::ClaimPath::parse(s).map_err(|e| CliError::Usage(e.to_string()))
        })
        .collect()
}

/// Writes to stdout; a closed pipe (`civitas … | head`) ends quietly.
pub(crate) fn out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(CliError::Failed(format!("cannot write output: {e}"))),
    }
}

/// Runs a server subcommand: a multi-threaded tokio runtime, `listen` bound (a usage
/// error naming the address when it cannot be), then `serve` with the listener and the
/// address actually bound (port 0 picks one).
pub(crate) fn serve_on<F, Fut>(listen: &str, serve: F) -> Result<std::process::ExitCode>
where
    F: FnOnce(tokio::net::TcpListener, std::net::SocketAddr) -> Fut,
    Fut: std::future::Future<Output = Result<std::process::ExitCode>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(e.to_string()))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| CliError::Usage(format!("cannot listen on {listen}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::Failed(e.to_string()))?;
        serve(listener, addr).await
    })
}
