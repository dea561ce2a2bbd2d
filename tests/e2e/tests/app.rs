//! The citizen's story in a real window: the built app under Xvfb, driven by
//! tauri-driver and WebKitWebDriver.
//!
//! 1. onboard: create a wallet (passphrase), read the recovery kit, type three words back;
//! 2. receive a PID that `civitas issue` made for the app's holder key;
//! 3. open a counter's request (`civitas request`, or the library when the CLI has no
//!    such command yet);
//! 4. consent, leaving one optional claim out;
//! 5. the QR on screen, captured by screenshot, decodes with our decoder and with
//!    zbarimg, and `civitas verify` accepts it: the required and kept claims only;
//! 6. the history shows the entry (claim names, not values);
//! 7. lock; a wrong passphrase shows its error; the right one unlocks.
//!
//! A second story: receiving from an issuer (`civitas issuer serve`, OpenID4VCI with
//! a PIN): the offer link pasted, the offer screen (who offers what), a wrong PIN
//! refused in plain words, the right one, the PID in the list.
//!
//! Every screen is saved under `docs/screenshots/`.
//!
//! Binaries: the test uses `civitas-app` and `civitas` from the target directory it
//! was built in (next to `deps/`), so build them first:
//! `cargo build -p civitas-app -p civitas-cli` (scripts/test does). `CIVITAS_APP_BIN`
//! and `CIVITAS_BIN` override the paths.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

use civitas_exchange::openid4vp::RequestUrl;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "correct horse battery staple";
const TIMEOUT: Duration = Duration::from_secs(60);

/// One story at a time: two apps, drivers and displays at once on a small machine
/// make the WebDriver clicks race the re-renders.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `target/debug` (or wherever this test executable was built).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

fn binary(env: &str, name: &str) -> PathBuf {
    let path = std::env::var_os(env).map_or_else(|| target_dir().join(name), PathBuf::from);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p civitas-app -p civitas-cli` first (or set {env})",
        path.display()
    );
    path
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Kills a child with SIGTERM on drop (tauri-driver stops WebKitWebDriver only on
/// TERM/INT/QUIT) and waits for it.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Xvfb on a free display number (it writes the number to the descriptor given).
fn start_xvfb() -> (Guard, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (apt-get install xvfb; scripts/test installs it)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let display = format!(":{}", line.trim());
    assert!(display.len() > 1, "Xvfb gave no display number");
    (Guard(child), display)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap()
        .join("bin/tauri-driver");
    if cargo_bin.exists() {
        cargo_bin
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// The environment every process of the story shares: its own data directories.
struct World {
    dir: tempfile::TempDir,
    display: String,
}

impl World {
    fn envs(&self) -> Vec<(&'static str, PathBuf)> {
        let d = self.dir.path();
        vec![
            ("XDG_DATA_HOME", d.join("data")),
            ("XDG_CONFIG_HOME", d.join("config")),
            ("XDG_CACHE_HOME", d.join("cache")),
            ("CIVITAS_LEDGER", d.join("ledger.db")),
        ]
    }

    fn civitas(&self, args: &[&str]) -> std::process::Output {
        Command::new(binary("CIVITAS_BIN", "civitas"))
            .args(args)
            .envs(self.envs())
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }
}

fn start_driver(world: &World) -> (Guard, u16) {
    let port = free_port();
    let native = free_port();
    let child = Command::new(tauri_driver())
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", &world.display)
        .envs(world.envs())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver (cargo install tauri-driver --version '^2' --locked)");
    let guard = Guard(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (guard, port)
}

async fn connect(port: u16, app: &Path) -> Client {
    let caps = json!({"tauri:options": {"application": app}});
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session (is webkit2gtk-driver installed?)")
}

/// The page's helpers, driven through WebDriver.
struct Ui {
    c: Client,
    shots: PathBuf,
}

impl Ui {
    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.c
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    /// Scrolls the element to the middle of the window, then clicks it like a user.
    async fn click(&self, css: &str) {
        let e = self.find(css).await;
        let arg = serde_json::to_value(&e).unwrap();
        self.c
            .execute(
                "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
                vec![arg],
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Err(err) = e.click().await {
            self.shot("failure").await;
            panic!("clicking {css}: {err}");
        }
    }

    async fn type_in(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Sets a long value at once (a credential, a request) and fires `input`.
    async fn set_value(&self, css: &str, text: &str) {
        self.find(css).await;
        self.c
            .execute(
                "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                 e.dispatchEvent(new Event('input', {bubbles: true}));",
                vec![json!(css), json!(text)],
            )
            .await
            .unwrap();
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// Waits until the element's text contains `needle`; fails with the page's alert
    /// if one shows up instead.
    async fn wait_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
                && t.contains(needle)
            {
                return t;
            }
            if Instant::now() > deadline {
                let alert = match self.c.find(Locator::Css("#error")).await {
                    Ok(e) => e.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                self.shot("failure").await;
                panic!("{css} never contained {needle:?}; alert: {alert:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    async fn property(&self, css: &str, prop: &str) -> String {
        self.find(css)
            .await
            .prop(prop)
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// A screenshot of the window, saved as `docs/screenshots/{name}.png` (after the
    /// frame has settled: WebDriver screenshots right after a change can show the old
    /// one).
    async fn shot(&self, name: &str) -> Vec<u8> {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let png = self.c.screenshot().await.unwrap();
        std::fs::create_dir_all(&self.shots).unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), &png).unwrap();
        png
    }

    /// Chooses `file` in the file input `css`, as a citizen picking a picture would
    /// (WebDriver's file upload; when the driver cannot type into a hidden file input,
    /// the same file is put in the input's `files` from its bytes and `change` fired).
    /// Returns how it was done.
    async fn choose_file(&self, css: &str, file: &Path) -> &'static str {
        let input = self.find(css).await;
        if input.send_keys(file.to_str().unwrap()).await.is_ok() {
            return "webdriver file upload";
        }
        let bytes: Vec<u8> = std::fs::read(file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        self.c
            .execute(
                "const e = document.querySelector(arguments[0]); \
                 const f = new File([new Uint8Array(arguments[1])], arguments[2], {type: 'image/png'}); \
                 const t = new DataTransfer(); t.items.add(f); e.files = t.files; \
                 e.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![json!(css), json!(bytes), json!(name)],
            )
            .await
            .unwrap();
        "files set from the bytes"
    }

    async fn nav(&self, screen: &str, heading_css: &str) {
        self.click(&format!("#nav-{screen}")).await;
        self.find(heading_css).await;
    }
}

/// The counter's request, made by `civitas request` as a clerk would; the test fails if
/// the CLI cannot make it (there is no fallback to the library).
fn counter_request(world: &World) -> String {
    let out = world.civitas(&[
        "request",
        "--vct",
        "pid",
        "--claims",
        "age_over_18",
        "--optional",
        "address.locality,nationality",
        "--no-terminal",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "civitas request failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .find(|l| l.starts_with("openid4vp://"))
        .unwrap_or_else(|| panic!("civitas request printed no openid4vp:// URL: {text}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display stack: Xvfb, tauri-driver and WebKitWebDriver; scripts/test installs them and runs it with --ignored"]
async fn citizen_story_in_a_real_window() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = binary("CIVITAS_APP_BIN", "civitas-app");
    let started = Instant::now();
    let (_xvfb, display) = start_xvfb();
    let world = World {
        dir: tempfile::tempdir().unwrap(),
        display,
    };
    let (_driver, port) = start_driver(&world);
    let ui = Ui {
        c: connect(port, &app).await,
        shots: repo_root().join("docs/screenshots"),
    };
    let session = started.elapsed();

    // 1. Onboarding.
    ui.find("#screen-welcome").await;
    let first_screen = started.elapsed();
    ui.shot("01-welcome").await;
    ui.click("#create-start").await;
    ui.type_in("#passphrase", PASSPHRASE).await;
    assert_eq!(ui.text("#strength-word").await, "Strong");
    ui.type_in("#passphrase-repeat", PASSPHRASE).await;
    ui.shot("02-create-passphrase").await;
    ui.click("#create-submit").await;
    ui.find("#kit-words").await;
    let mut words = Vec::new();
    for e in ui.c.find_all(Locator::Css("#kit-words .w")).await.unwrap() {
        words.push(e.text().await.unwrap());
    }
    assert_eq!(words.len(), 24, "{words:?}");
    ui.shot("03-recovery-kit").await;
    ui.click("#kit-written").await;
    ui.click("#kit-continue").await;
    // A wrong word first: the check refuses it.
    ui.type_in("#check-word-3", "zebra-not-a-word").await;
    ui.type_in("#check-word-11", &words[10]).await;
    ui.type_in("#check-word-20", &words[19]).await;
    ui.click("#kit-confirm").await;
    ui.wait_text("#error", "does not match").await;
    ui.type_in("#check-word-3", &words[2]).await;
    ui.shot("04-recovery-check").await;
    ui.click("#kit-confirm").await;
    ui.find("#screen-home").await;
    let did = ui.wait_text("#did", "did:webvh:").await;
    ui.wait_text("#ledger-status", "The ledger knows your identity")
        .await;

    // 2. Receive a PID issued by `civitas issue` for this device's holder key.
    ui.nav("receive", "#screen-receive").await;
    let deadline = Instant::now() + TIMEOUT;
    let jwk = loop {
        let v = ui.property("#holder-key", "value").await;
        if v.contains("\"kty\"") {
            break v;
        }
        assert!(Instant::now() < deadline, "no holder key shown");
        tokio::time::sleep(Duration::from_millis(150)).await;
    };
    let dir = world.dir.path();
    std::fs::write(dir.join("holder.jwk"), &jwk).unwrap();
    let out = world.civitas(&["key", "generate", "-o", "issuer.jwk"]);
    assert!(out.status.success(), "{out:?}");
    let issuer = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string();
    assert!(issuer.starts_with("did:jwk:"), "{issuer}");
    std::fs::write(
        dir.join("pid.json"),
        json!({
            "given_name": "Mei-Ling", "family_name": "Chen", "birthdate": "1958-03-14",
            "age_over_18": true, "age_over_65": true, "nationality": "TW",
            "address": {"street_address": "1 Shifu Road", "locality": "Taipei", "postal_code": "110"},
            "personal_number": "A123456789"
        })
        .to_string(),
    )
    .unwrap();
    let out = world.civitas(&[
        "issue",
        "--key",
        "issuer.jwk",
        "--vct",
        "pid",
        "--claims",
        "pid.json",
        "--holder",
        "holder.jwk",
        "--exp",
        "2099-01-01T00:00:00Z",
    ]);
    assert!(out.status.success(), "civitas issue: {out:?}");
    let credential = String::from_utf8(out.stdout).unwrap().trim().to_string();
    ui.set_value("#receive-text", &credential).await;
    ui.click("#receive-submit").await;
    ui.wait_text("#notice", "Added: Personal ID").await;
    ui.shot("05-receive").await;
    // The same credential again is refused, with its reason.
    ui.set_value("#receive-text", &credential).await;
    ui.click("#receive-submit").await;
    ui.wait_text("#error", "already have").await;

    // 3. The counter's request.
    let url = counter_request(&world);
    let RequestUrl::ByValue(request) = RequestUrl::parse(&url).unwrap() else {
        panic!("a request by reference")
    };
    ui.nav("present", "#screen-present").await;
    ui.shot("07-present-request").await;
    ui.set_value("#request-text", &url).await;
    ui.click("#request-open").await;

    // 4. Consent: exactly what the request asks, values shown to the citizen; leave
    // the nationality out.
    ui.find("#consent").await;
    let required = ui.text("#consent-required").await;
    assert!(required.contains("Over 18"), "{required}");
    assert!(!required.contains("Mei-Ling"), "{required}");
    ui.shot("08-consent").await;
    ui.click("input.optional-claim[data-path='nationality']")
        .await;
    let summary = ui.property("#consent-summary", "textContent").await;
    assert_eq!(summary, "age_over_18,address.locality");
    ui.click("#consent-approve").await;

    // 5. The QR on screen: decode it from screenshots of the window, with ours and
    // with zbar, and verify it with `civitas verify`. A proof too large for one code
    // is a short sequence the screen cycles through: collect every part.
    let (presentation, parts, _) = read_proof_qr(&ui, dir, "09-proof-qr").await;
    let proof_file = dir.join("proof.sdjwt");
    std::fs::write(&proof_file, &presentation).unwrap();
    let verify_input = if parts == 1 {
        // One code: `civitas verify` reads the screenshot itself.
        dir.join("proof-1.png")
    } else {
        proof_file
    };
    let out = world.civitas(&[
        "verify",
        "--nonce",
        request.nonce(),
        "--aud",
        request.client_id().as_str(),
        "--trust",
        &issuer,
        "--json",
        verify_input.to_str().unwrap(),
    ]);
    let verdict: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("civitas verify --json: {e}: {out:?}"));
    assert!(out.status.success(), "civitas verify: {verdict}");
    assert_eq!(verdict["valid"], json!(true), "{verdict}");
    assert_eq!(verdict["issuer"], json!(issuer));
    let claims = &verdict["claims"];
    assert_eq!(claims["age_over_18"], json!(true), "{verdict}");
    assert_eq!(claims["address"]["locality"], json!("Taipei"), "{verdict}");
    for hidden in [
        "nationality",
        "given_name",
        "family_name",
        "personal_number",
        "birthdate",
    ] {
        assert!(
            claims.get(hidden).is_none(),
            "{hidden} disclosed: {verdict}"
        );
    }
    assert!(
        claims["address"].get("street_address").is_none(),
        "{verdict}"
    );

    // 6. History: who received what and when, names not values.
    ui.click("#proof-done").await;
    let entry = ui.wait_text("#history-list", "Showed").await;
    assert!(
        entry.contains("Over 18") && entry.contains("City"),
        "{entry}"
    );
    assert!(!entry.contains("Taipei"), "a value in the history: {entry}");
    ui.shot("10-history").await;

    // The demo issuer (bundled), the credentials and their details.
    ui.nav("receive", "#screen-receive").await;
    ui.click("#demo-credentials").await;
    ui.wait_text("#notice", "Medical summary").await;
    ui.shot("06-receive-demo").await;
    ui.nav("credentials", "#screen-credentials").await;
    ui.wait_text("#credential-list", "Medical summary").await;
    let items =
        ui.c.find_all(Locator::Css(".credential-item"))
            .await
            .unwrap();
    assert_eq!(items.len(), 3);
    // The list's order is the wallet's; pick the medical summary by its name.
    let mut medical = None;
    for item in items {
        if item
            .text()
            .await
            .unwrap_or_default()
            .contains("Medical summary")
        {
            medical = Some(item);
        }
    }
    medical
        .expect("a medical summary in the list")
        .click()
        .await
        .unwrap();
    ui.wait_text("#credential-detail", "Blood type").await;
    ui.c.execute(
        "document.querySelector('#credential-detail table').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await
    .unwrap();
    ui.shot("11-credential-detail").await;
    ui.nav("home", "#screen-home").await;
    ui.wait_text("#id-card", "Mei-Ling").await;
    ui.wait_text("#ledger-status", "This device is authorized")
        .await;
    assert_eq!(ui.text("#did").await, did);
    ui.shot("12-home").await;
    ui.nav("security", "#screen-security").await;
    ui.shot("13-security").await;
    ui.nav("settings", "#screen-settings").await;
    ui.shot("14-settings").await;

    // 7. Lock; a wrong passphrase is refused with its error; the right one unlocks.
    ui.click("#lock-now").await;
    ui.find("#screen-unlock").await;
    ui.shot("15-unlock").await;
    ui.type_in("#unlock-passphrase", "not my passphrase").await;
    ui.click("#unlock-submit").await;
    ui.wait_text("#error", "That passphrase is not right").await;
    ui.shot("16-wrong-passphrase").await;
    ui.type_in("#unlock-passphrase", PASSPHRASE).await;
    ui.click("#unlock-submit").await;
    ui.find("#screen-home").await;
    ui.wait_text("#id-card", "Mei-Ling").await;

    // The second language.
    ui.nav("settings", "#screen-settings").await;
    ui.find("#locale")
        .await
        .select_by_value("zh-TW")
        .await
        .unwrap();
    ui.click("#settings-save").await;
    ui.wait_text("#notice", "設定已儲存").await;
    ui.nav("home", "#screen-home").await;
    ui.wait_text("#id-card", "個人身分證明").await;
    ui.shot("17-home-zh-TW").await;

    ui.c.close().await.unwrap();
    eprintln!(
        "e2e: session {:.2?}, first screen {:.2?}, whole story {:.2?}; \
         proof in {parts} QR code(s)",
        session,
        first_screen,
        started.elapsed()
    );
}

/// The proof on screen: every part of its QR sequence read from screenshots of the
/// window, by our decoder and by zbarimg (they must agree), reassembled. The first
/// screenshot is saved as `docs/screenshots/{shot}.png` and as `dir/proof-1.png`.
/// Returns the presentation, the number of parts and the codes' texts (`CIV1…`, what
/// a counter's scanner types).
async fn read_proof_qr(ui: &Ui, dir: &Path, shot: &str) -> (String, usize, Vec<String>) {
    let qr = ui.find("#proof-qr").await;
    let parts: usize = qr
        .attr("data-parts")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    ui.shot(shot).await;
    let mut ours = std::collections::BTreeSet::new();
    let mut zbar_texts = std::collections::BTreeSet::new();
    let mut assembler = civitas_exchange::qr::Assembler::new();
    let deadline = Instant::now() + TIMEOUT;
    let mut n = 0;
    while !assembler.is_complete() {
        assert!(
            Instant::now() < deadline,
            "not every part was seen: {ours:?}"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
        let png = ui.c.screenshot().await.unwrap();
        n += 1;
        let shot = dir.join(format!("proof-{n}.png"));
        std::fs::write(&shot, &png).unwrap();
        // Kept for a look when something fails (the temporary directory goes away).
        std::fs::write(target_dir().join("e2e-proof-qr.png"), &png).unwrap();
        let texts = civitas_exchange::qr::decode_image(&png).expect("our decoder reads the QR");
        assert_eq!(texts.len(), 1, "one code on screen at a time: {texts:?}");
        // QR codes only: on a whole screenshot zbar's 1-D decoders can see a
        // "barcode" in the interface's text and print it after the QR's payload.
        let zbar = Command::new("zbarimg")
            .args(["--raw", "-q", "-Sdisable", "-Sqrcode.enable"])
            .arg(&shot)
            .output()
            .expect("zbarimg (apt-get install zbar-tools)");
        assert!(zbar.status.success(), "zbarimg: {zbar:?}");
        assert_eq!(String::from_utf8_lossy(&zbar.stdout).trim(), texts[0]);
        zbar_texts.insert(String::from_utf8_lossy(&zbar.stdout).trim().to_string());
        assert!(texts[0].starts_with("CIV1"), "{}", texts[0]);
        assembler.add(&texts[0]).unwrap();
        ours.insert(texts[0].clone());
        if parts > 1 && ours.len() == 1 && n == 1 {
            ui.click("#proof-next").await;
        }
    }
    assert_eq!(ours.len(), parts);
    assert_eq!(ours, zbar_texts);
    let presentation = assembler.finish().unwrap();
    assert!(presentation.contains('~'));
    (presentation, parts, ours.into_iter().collect())
}

/// Onboarding without the screenshots: a wallet, its recovery words typed back.
async fn onboard(ui: &Ui) {
    ui.find("#screen-welcome").await;
    ui.click("#create-start").await;
    ui.type_in("#passphrase", PASSPHRASE).await;
    ui.type_in("#passphrase-repeat", PASSPHRASE).await;
    ui.click("#create-submit").await;
    ui.find("#kit-words").await;
    let mut words = Vec::new();
    for e in ui.c.find_all(Locator::Css("#kit-words .w")).await.unwrap() {
        words.push(e.text().await.unwrap());
    }
    ui.click("#kit-written").await;
    ui.click("#kit-continue").await;
    ui.type_in("#check-word-3", &words[2]).await;
    ui.type_in("#check-word-11", &words[10]).await;
    ui.type_in("#check-word-20", &words[19]).await;
    ui.click("#kit-confirm").await;
    ui.find("#screen-home").await;
    ui.wait_text("#did", "did:webvh:").await;
}

/// A did:webvh made by `civitas did create` on the world's ledger (a minute in the
/// past, so that accreditations made now come after it).
fn did_create(world: &World, path: &str, keys: &Path) -> String {
    let earlier = (std::time::SystemTime::now() - Duration::from_secs(60))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let at = chrono_like(earlier);
    let ledger = world.dir.path().join("ledger.db");
    let out = world.civitas(&[
        "did",
        "create",
        "--path",
        path,
        "--keys",
        keys.to_str().unwrap(),
        "--ledger",
        ledger.to_str().unwrap(),
        "--at",
        &at,
    ]);
    assert!(out.status.success(), "civitas did create: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string()
}

/// Unix seconds as RFC 3339 (UTC), without a date crate.
fn chrono_like(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap();
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `civitas issuer serve` on a free port: the child (stopped on drop) and its
/// credential_issuer URL (first stdout line `issuer <URL> on http://ADDR`).
fn issuer_serve(world: &World, keys: &Path, db: &Path) -> (Guard, String) {
    let port = free_port();
    let ledger = world.dir.path().join("ledger.db");
    let mut child = Command::new(binary("CIVITAS_BIN", "civitas"))
        .args(["issuer", "serve", "--keys"])
        .arg(keys)
        .arg("--ledger")
        .arg(&ledger)
        .arg("--db")
        .arg(db)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--name",
            "en-US=Taipei City Hall",
            "--name",
            "zh-TW=臺北市政府",
        ])
        .envs(world.envs())
        .current_dir(world.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    std::thread::spawn(move || lines.for_each(drop));
    let guard = Guard(child);
    let url = first
        .strip_prefix("issuer ")
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("civitas issuer serve printed {first:?}"))
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "civitas issuer serve did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (guard, url)
}

/// `civitas issuer offer --json` (plus `extra`): the offer's JSON.
fn issuer_offer(world: &World, db: &Path, kind: &str, claims: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "issuer",
        "offer",
        "--db",
        db.to_str().unwrap(),
        "--type",
        kind,
        "--claims",
        claims,
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = world.civitas(&args);
    assert!(out.status.success(), "civitas issuer offer: {out:?}");
    let offer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        offer["offer_uri"]
            .as_str()
            .unwrap()
            .starts_with("openid-credential-offer://"),
        "{offer}"
    );
    offer
}

/// What a counter does, as its service record names it.
const COUNTER_SERVICE: &str = "Household registration transcript";

/// `civitas counter` at a desk that leaves a service record (`--issuer-db`): its
/// standard input is the scanner, its standard output read line by line.
struct Counter {
    _child: Guard,
    stdin: std::process::ChildStdin,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Counter {
    fn start(world: &World, args: &[&str]) -> Counter {
        let mut child = Command::new(binary("CIVITAS_BIN", "civitas"))
            .arg("counter")
            .args(args)
            .envs(world.envs())
            .current_dir(world.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Counter {
            _child: Guard(child),
            stdin,
            lines,
        }
    }

    /// The lines shown until (and with) the first one `done` accepts.
    fn until(&self, done: impl Fn(&str) -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(TIMEOUT)
                .unwrap_or_else(|_| panic!("the counter went quiet; saw:\n{}", seen.join("\n")));
            let end = done(&line);
            seen.push(line);
            if end {
                return seen;
            }
        }
    }

    /// Types the codes read from the citizen's screen, as a wedge scanner does.
    fn scan(&mut self, codes: &[String]) {
        use std::io::Write;
        for code in codes {
            self.stdin.write_all(code.as_bytes()).unwrap();
            self.stdin.write_all(b"\n").unwrap();
        }
        self.stdin.flush().unwrap();
    }
}

/// Opens an offer link on the Receive screen, types its PIN and waits for the result
/// sentence to contain `result`.
async fn receive_offer(ui: &Ui, offer: &Value, result: &str) {
    ui.nav("receive", "#screen-receive").await;
    ui.set_value("#offer-uri", offer["offer_uri"].as_str().unwrap())
        .await;
    ui.click("#offer-open").await;
    ui.find("#offer-pin").await;
    ui.type_in("#offer-pin", offer["tx_code"].as_str().unwrap())
        .await;
    ui.click("#offer-accept").await;
    ui.wait_text("#offer-result-text", result).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display stack: Xvfb, tauri-driver and WebKitWebDriver; scripts/test installs them and runs it with --ignored"]
async fn citizen_receives_a_pid_from_city_hall_over_openid4vci() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = binary("CIVITAS_APP_BIN", "civitas-app");
    let (_xvfb, display) = start_xvfb();
    let world = World {
        dir: tempfile::tempdir().unwrap(),
        display,
    };
    let dir = world.dir.path().to_path_buf();

    // The city's root accredits City Hall on the ledger for the PID, the medical
    // summary (the hospital's desk is City Hall's here) and service records.
    let root_keys = dir.join("root-keys");
    let hall_keys = dir.join("hall-keys");
    let root = did_create(&world, "root", &root_keys);
    let hall = did_create(&world, "city-hall", &hall_keys);
    let ledger = dir.join("ledger.db");
    let mut accreditations = vec![vec![
        "--root".to_string(),
        "--vct".into(),
        "pid".into(),
        "--vct".into(),
        "medical".into(),
        "--vct".into(),
        "service-record".into(),
        "--name".into(),
        "City of Taipei".into(),
    ]];
    accreditations.push(vec![
        "--subject".into(),
        hall.clone(),
        "--vct".into(),
        "pid".into(),
        "--vct".into(),
        "medical".into(),
        "--vct".into(),
        "service-record".into(),
        "--name".into(),
        "City Hall".into(),
    ]);
    for args in &accreditations {
        let mut a = vec![
            "accredit",
            "--keys",
            root_keys.to_str().unwrap(),
            "--ledger",
            ledger.to_str().unwrap(),
        ];
        a.extend(args.iter().map(String::as_str));
        let out = world.civitas(&a);
        assert!(out.status.success(), "civitas accredit {args:?}: {out:?}");
    }
    let db = dir.join("issuer.db");
    let (_issuer, issuer_url) = issuer_serve(&world, &hall_keys, &db);

    // The app starts with no trusted authority (no CIVITAS_TRUSTED_ROOTS, no settings
    // file): the citizen adds the city's root in Settings below.
    let (_driver, port) = start_driver(&world);
    let ui = Ui {
        c: connect(port, &app).await,
        shots: repo_root().join("docs/screenshots"),
    };
    onboard(&ui).await;

    // The clerk makes the offer, with its QR code as a picture.
    std::fs::write(
        dir.join("pid.json"),
        json!({
            "given_name": "Mei-Ling", "family_name": "Chen", "birthdate": "1958-03-14",
            "age_over_18": true, "age_over_65": true, "nationality": "TW",
            "address": {"street_address": "1 Shifu Road", "locality": "Taipei", "postal_code": "110"},
            "personal_number": "A123456789"
        })
        .to_string(),
    )
    .unwrap();
    let qr = dir.join("offer.png");
    let offer = issuer_offer(
        &world,
        &db,
        "pid",
        "pid.json",
        &["--qr", qr.to_str().unwrap()],
    );
    let uri = offer["offer_uri"].as_str().unwrap();
    let pin = offer["tx_code"].as_str().unwrap();
    assert!(qr.exists(), "issuer offer --qr wrote no picture");

    // No trusted authority yet: the offer is refused with a plain reason (an empty
    // list never means "trust every issuer"), and nothing is shown or sent.
    ui.nav("receive", "#screen-receive").await;
    ui.set_value("#offer-uri", uri).await;
    ui.shot("18-receive-offer-link").await;
    ui.click("#offer-open").await;
    ui.wait_text("#error", "You trust no authority yet").await;
    assert!(ui.c.find(Locator::Css("#offer")).await.is_err());
    ui.shot("23-offer-no-trusted-authority").await;

    // Settings → "Issuers trusted by": a non-DID is refused, the root is added.
    ui.nav("settings", "#screen-settings").await;
    ui.find("#roots-none").await;
    ui.type_in("#root-new", "Taipei City Government").await;
    ui.click("#root-add").await;
    ui.wait_text("#error", "This is not a DID").await;
    ui.type_in("#root-new", &root).await;
    ui.click("#root-add").await;
    ui.wait_text("#notice", "Trusted authorities saved (1)")
        .await;
    ui.wait_text("#roots-list", &root).await;
    ui.c.execute(
        "document.querySelector('#roots').scrollIntoView({block: 'start'});",
        vec![],
    )
    .await
    .unwrap();
    ui.shot("24-settings-trusted-authorities").await;
    // Persisted with the app's other settings.
    let saved: Value = serde_json::from_slice(
        &std::fs::read(dir.join("config/civitas/app.json")).expect("the app's settings file"),
    )
    .unwrap();
    assert_eq!(saved["trusted_roots"], json!([root]), "{saved}");

    // The offer's QR picture, chosen in the Receive screen's file input.
    ui.nav("receive", "#screen-receive").await;
    let how = ui.choose_file("#offer-image", &qr).await;
    ui.wait_text("#offer-issuer", "Taipei City Hall").await;
    assert_eq!(ui.text("#offer-url").await, issuer_url);
    ui.wait_text("#offer-type", "Personal ID").await;
    let label = ui.text("label[for='offer-pin']").await;
    assert!(label.contains('6'), "{label}");
    // The focus is on the heading (a screen reader starts there).
    let focused =
        ui.c.execute("return document.activeElement.textContent;", vec![])
            .await
            .unwrap();
    assert_eq!(focused, json!("A credential is offered to you"));
    ui.shot("19-offer").await;
    ui.shot("25-offer-from-qr-picture").await;

    // A wrong PIN: refused in plain words, the citizen stays on the offer.
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    ui.type_in("#offer-pin", wrong).await;
    ui.click("#offer-accept").await;
    let alert = ui.wait_text("#error", "The PIN is not right").await;
    assert!(!alert.contains(wrong) && !alert.contains(pin), "{alert}");
    ui.find("#offer").await;
    ui.shot("20-offer-wrong-pin").await;

    // The right PIN: stored, with who accredited City Hall.
    ui.type_in("#offer-pin", pin).await;
    ui.click("#offer-accept").await;
    ui.wait_text("#offer-result-text", "Kept in your wallet: Personal ID")
        .await;
    ui.wait_text("#offer-accreditation", "City Hall").await;
    ui.shot("21-offer-received").await;
    ui.click("#offer-see-credentials").await;
    ui.wait_text("#credential-list", "Personal ID").await;

    // Presented at a counter; `civitas verify --ledger` with the city's root accepts it.
    let url = counter_request(&world);
    let RequestUrl::ByValue(request) = RequestUrl::parse(&url).unwrap() else {
        panic!("a request by reference")
    };
    ui.nav("present", "#screen-present").await;
    ui.set_value("#request-text", &url).await;
    ui.click("#request-open").await;
    ui.find("#consent").await;
    ui.click("#consent-approve").await;
    let (presentation, parts, _) = read_proof_qr(&ui, &dir, "26-proof-of-offered-pid").await;
    let proof_file = dir.join("vci-proof.sdjwt");
    std::fs::write(&proof_file, &presentation).unwrap();
    let out = world.civitas(&[
        "verify",
        "--nonce",
        request.nonce(),
        "--aud",
        request.client_id().as_str(),
        "--ledger",
        ledger.to_str().unwrap(),
        "--root",
        &root,
        "--json",
        proof_file.to_str().unwrap(),
    ]);
    let verdict: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("civitas verify --json: {e}: {out:?}"));
    assert!(out.status.success(), "civitas verify: {verdict}");
    assert_eq!(verdict["valid"], json!(true), "{verdict}");
    assert_eq!(verdict["issuer"], json!(hall), "{verdict}");
    assert_eq!(verdict["claims"]["age_over_18"], json!(true), "{verdict}");
    ui.click("#proof-done").await;

    // The hospital's medical summary waits for a clinician: deferred.
    std::fs::write(
        dir.join("medical.json"),
        json!({"blood_type": "O+", "allergies": ["penicillin"], "organ_donor": true}).to_string(),
    )
    .unwrap();
    let medical = issuer_offer(&world, &db, "medical", "medical.json", &["--deferred"]);
    let offer_id = medical["offer_id"].as_str().unwrap().to_string();
    receive_offer(&ui, &medical, "is preparing your Medical summary").await;
    ui.shot("27-offer-pending").await;
    // Home says what is on its way (the app asked the issuer when it opened).
    ui.nav("home", "#screen-home").await;
    ui.wait_text("#home-pending", "Credentials on their way: 1")
        .await;
    ui.click("#home-pending-open").await;
    ui.wait_text("#pending-list", "Medical summary").await;
    ui.wait_text("#pending-list", "waiting for the issuer's approval")
        .await;
    ui.shot("28-pending").await;
    // "Check now" before the approval: still waiting, said so.
    ui.click("#pending-check").await;
    ui.wait_text("#pending-outcomes", "has not approved").await;
    // The clinician signs off; "check now" brings it into the list.
    let out = world.civitas(&[
        "issuer",
        "approve",
        "--keys",
        hall_keys.to_str().unwrap(),
        "--ledger",
        ledger.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        &offer_id,
    ]);
    assert!(out.status.success(), "civitas issuer approve: {out:?}");
    ui.click("#pending-check").await;
    ui.wait_text("#notice", "has arrived").await;
    ui.wait_text("#credential-list", "Medical summary").await;
    assert!(ui.c.find(Locator::Css(".pending-item")).await.is_err());
    ui.shot("29-pending-arrived").await;

    // Visits to city services, each leaving a service record: one made by the clerk
    // with `civitas issuer offer`, then one that `civitas counter` offers after a valid
    // presentation, its QR picture opened in the app.
    let visit = json!({"service": "Residence registration", "agency": "Da'an District Office",
                       "requested_at": "2026-03-01T09:00:00Z", "completed_at": "2026-03-01T09:20:00Z",
                       "outcome": "approved", "reference": "DA-2026-0001"});
    std::fs::write(dir.join("visit-1.json"), visit.to_string()).unwrap();
    let offer = issuer_offer(&world, &db, "service-record", "visit-1.json", &[]);
    receive_offer(&ui, &offer, "Kept in your wallet: Service record").await;
    {
        let qr_dir = dir.join("counter-qr");
        let mut counter = Counter::start(
            &world,
            &[
                "--claims",
                "age_over_18",
                "--root",
                &root,
                "--ledger",
                ledger.to_str().unwrap(),
                "--issuer-db",
                db.to_str().unwrap(),
                "--service",
                COUNTER_SERVICE,
                "--qr-dir",
                qr_dir.to_str().unwrap(),
            ],
        );
        let request = counter
            .until(|l| l.starts_with("openid4vp://"))
            .pop()
            .unwrap();
        ui.nav("present", "#screen-present").await;
        ui.set_value("#request-text", &request).await;
        ui.click("#request-open").await;
        ui.find("#consent").await;
        ui.click("#consent-approve").await;
        let (_, _, codes) = read_proof_qr(&ui, &dir, "32-proof-at-the-counter").await;
        counter.scan(&codes);
        let shown = counter.until(|l| l.starts_with("PIN ") || l.starts_with("NOT VALID"));
        let text = shown.join("\n");
        assert!(
            shown
                .iter()
                .any(|l| l.starts_with("openid-credential-offer://")),
            "no service-record offer after the counter's verdict:\n{text}"
        );
        let pin = shown
            .last()
            .and_then(|l| l.strip_prefix("PIN "))
            .unwrap_or_else(|| panic!("no PIN:\n{text}"))
            .trim()
            .to_string();
        // The offer's QR picture, as the counter's screen shows it, opened in the app.
        let picture = std::fs::read_dir(&qr_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "png"))
            .expect("the counter wrote the offer's QR picture");
        ui.click("#proof-done").await;
        ui.nav("receive", "#screen-receive").await;
        ui.choose_file("#offer-image", &picture).await;
        ui.wait_text("#offer-type", "Service record").await;
        ui.shot("33-counter-offer").await;
        ui.type_in("#offer-pin", &pin).await;
        ui.click("#offer-accept").await;
        ui.wait_text("#offer-result-text", "Kept in your wallet: Service record")
            .await;
    }
    ui.nav("history", "#screen-history").await;
    ui.wait_text("#services-table", COUNTER_SERVICE).await;
    let rows = ui.c.find_all(Locator::Css(".service-row")).await.unwrap();
    assert_eq!(rows.len(), 2);
    let newest = rows[0].text().await.unwrap();
    let oldest = rows[1].text().await.unwrap();
    // The counter's record: its service, City Hall as the agency, a reference, and
    // none of the presented claim values.
    assert!(
        newest.contains(COUNTER_SERVICE) && newest.contains("SR-"),
        "{newest}"
    );
    assert!(!newest.contains("Mei-Ling"), "{newest}");
    assert!(
        oldest.contains("Da'an District Office")
            && oldest.contains("approved")
            && oldest.contains("DA-2026-0001"),
        "{oldest}"
    );
    ui.shot("30-services-history").await;

    // In Traditional Chinese: the offer names the issuer as its metadata does, and the
    // history of services reads in the citizen's language.
    ui.nav("settings", "#screen-settings").await;
    ui.find("#locale")
        .await
        .select_by_value("zh-TW")
        .await
        .unwrap();
    ui.click("#settings-save").await;
    ui.wait_text("#notice", "設定已儲存").await;
    // Saving the other settings keeps the trusted authority.
    ui.wait_text("#roots-list", &root).await;
    ui.nav("history", "#screen-history").await;
    ui.wait_text("#services-table", "2026年3月1日").await;
    ui.wait_text("#services-title", "您申請過的服務").await;
    ui.shot("31-services-history-zh-TW").await;
    let offer = issuer_offer(&world, &db, "pid", "pid.json", &[]);
    ui.nav("receive", "#screen-receive").await;
    ui.set_value("#offer-uri", offer["offer_uri"].as_str().unwrap())
        .await;
    ui.click("#offer-open").await;
    ui.wait_text("#offer-issuer", "臺北市政府").await;
    let label = ui.text("label[for='offer-pin']").await;
    assert!(label.contains("6 位數字"), "{label}");
    ui.shot("22-offer-zh-TW").await;
    let history = world.civitas(&["issuer", "pending", "--db", db.to_str().unwrap()]);
    eprintln!(
        "e2e (OpenID4VCI): issuer {issuer_url}; QR picture opened by {how}; proof in {parts} QR code(s); pending after: {}",
        String::from_utf8_lossy(&history.stdout).trim()
    );
    ui.c.close().await.unwrap();
}
