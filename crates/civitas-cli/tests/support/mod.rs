//! Helpers shared by the `civitas` binary's integration tests (every `tests/*.rs`
//! declares `mod support;`): running the binary, reading its output, and servers it
//! starts on loopback. A helper two test files need belongs here, not in either.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The `civitas` binary under test, as a command to add arguments, environment or
/// pipes to.
pub fn civitas_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

/// `civitas <args>`.
pub fn civitas(args: &[&str]) -> Output {
    civitas_command().args(args).output().unwrap()
}

/// `civitas <args>` with `input` on standard input.
pub fn civitas_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = civitas_command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit before reading (a usage error): a closed pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

/// `civitas <args>`, which must succeed; its standard output.
pub fn ok(args: &[&str]) -> String {
    let o = civitas(args);
    assert!(
        o.status.success(),
        "civitas {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Standard output, which must be UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard error, which must be UTF-8.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// `dir/name` as a string argument.
pub fn p(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().unwrap().to_string()
}

/// `civitas did create --path PATH --keys KEYS --ledger LEDGER [--at AT]`, which must
/// succeed; the new DID (its last line of output).
pub fn did_create(path: &str, keys: &str, ledger: &str, at: Option<&str>) -> String {
    let mut args = vec![
        "did", "create", "--path", path, "--keys", keys, "--ledger", ledger,
    ];
    if let Some(at) = at {
        args.extend(["--at", at]);
    }
    last_line(&ok(&args))
}

/// The last line of some output, trimmed (commands print their result last).
pub fn last_line(s: &str) -> String {
    s.trim()
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_string()
}

pub fn free_port() -> u16 {
    // Never the same port twice in one test process: tests run in parallel, and two
    // servers told the same port would leave one test talking to the other's server
    // (until that one is killed).
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// Waits until something listens on `port`.
pub fn wait_for(port: u16) {
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("nothing listens on port {port}");
}

/// A `civitas` server on a loopback port, killed when dropped.
pub struct Served {
    pub child: Child,
    pub url: String,
    pub port: u16,
}

impl Served {
    /// `civitas <args> --listen 127.0.0.1:PORT`, once it accepts connections.
    pub fn start(args: &[&str]) -> Served {
        let port = free_port();
        let child = civitas_command()
            .args(args)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let served = Served {
            child,
            url: format!("http://127.0.0.1:{port}"),
            port,
        };
        wait_for(port);
        served
    }

    /// Kills the server with SIGKILL and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `civitas <args> --listen 127.0.0.1:PORT`, once it accepts connections, with the
/// first line it printed (the rest is read and dropped, so it never blocks on a full
/// pipe).
pub fn serve_printing(args: &[&str]) -> (Served, String) {
    use std::io::BufRead;
    let port = free_port();
    let mut child = civitas_command()
        .args(args)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
    std::thread::spawn(move || lines.for_each(drop));
    let served = Served {
        child,
        url: format!("http://127.0.0.1:{port}"),
        port,
    };
    wait_for(port);
    (served, first)
}

/// `civitas counter serve <args> --listen 127.0.0.1:PORT`, once it accepts
/// connections, and the clerk token it printed in its page's address (`/?k=TOKEN`).
pub fn serve_counter(args: &[&str]) -> (Served, String) {
    let mut all = vec!["counter", "serve"];
    all.extend(args);
    let (served, first) = serve_printing(&all);
    let token = first
        .split("/?k=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no clerk address in {first:?}"))
        .to_string();
    (served, token)
}

/// `node tests/browser/offer_pages.mjs <args>` (headless Chromium on the issuer's staff
/// page or the counter page showing an offer): its JSON line.
pub fn offer_pages(args: &[&str]) -> serde_json::Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "run `bash crates/civitas-cli/tests/browser/setup.sh`"
    );
    let o = Command::new("node")
        .arg(dir.join("offer_pages.mjs"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "chromium {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}
