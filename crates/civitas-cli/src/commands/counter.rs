//! `civitas counter`: the clerk's loop for a keyboard-wedge 2D scanner, and
//! `civitas counter serve`: a web page for a counter with a webcam, plus the OpenID4VP
//! `direct_post` endpoint for online wallets, answering with a signed receipt.

use crate::commands::request::{Ask, request_qr};
use crate::commands::verify::{LedgerNote, build_verifier};
use crate::error::{CliError, Result};
use crate::input::{Rejected, scan_line};
use crate::util::{out, show_time};
use civitas_credential::{ClaimPath, CredentialType};
use civitas_crypto::{Algorithm, Rng, Signer, SigningKey, SystemRng};
use civitas_did::MethodResolver;
use civitas_exchange::openid4vp::{self, AuthorizationRequest, Receipt};
use civitas_exchange::qr::{Assembler, TerminalStyle};
use civitas_verifier::{Request, Verdict, Verifier};
use clap::Subcommand;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CounterArgs {
    #[command(flatten)]
    pub(crate) ask: Ask,
    /// Use this saved request (from `civitas request --save`) instead of --claims.
    #[arg(long, value_name = "FILE", conflicts_with = "claims")]
    pub(crate) request: Option<PathBuf>,
    /// Trust this issuer (repeatable).
    #[arg(long = "trust", value_name = "DID")]
    pub(crate) trust: Vec<String>,
    /// Trust issuers accredited by this root (repeatable; needs --ledger).
    #[arg(long = "root", value_name = "DID")]
    pub(crate) roots: Vec<String>,
    /// A policy file (see `civitas verify --help`).
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// The ledger (a synced file works offline).
    #[arg(long, value_name = "URL|PATH")]
    pub(crate) ledger: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Serve the counter's web page (webcam scanning) and the direct_post endpoint.
    Serve {
        #[command(flatten)]
        args: CounterArgs,
        /// Address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
        listen: String,
        /// The counter's signing key for receipts (ES256 JWK); default: a new one for
        /// this run. Receipts name its did:jwk.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
}

/// One counter: its request (renewed after each success), its verifier, and the
/// presentations already accepted (a second showing is a replay).
pub(crate) struct Session {
    verifier: Verifier<MethodResolver>,
    note: Option<LedgerNote>,
    ask: Option<Ask>,
    pub(crate) request: AuthorizationRequest,
    used: HashSet<String>,
    assembler: Assembler,
    /// Requests carry a `state` (online wallets post it back).
    with_state: bool,
}

impl Session {
    pub(crate) fn new(args: &CounterArgs) -> Result<Session> {
        let now = chrono::Utc::now().timestamp();
        let (verifier, note) = build_verifier(
            &args.trust,
            &args.roots,
            args.policy.as_deref(),
            args.ledger.as_deref(),
            now,
        )?;
        let (request, ask) = match &args.request {
            Some(file) => {
                let text = crate::util::read_text(file)?;
                let value: serde_json::Map<String, Value> = serde_json::from_str(&text)
                    .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
                (
                    AuthorizationRequest::from_json(&value)
                        .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?,
                    None,
                )
            }
            None => (args.ask.build()?, Some(args.ask.clone())),
        };
        Ok(Session {
            verifier,
            note,
            ask,
            request,
            used: HashSet::new(),
            assembler: Assembler::new(),
            with_state: false,
        })
    }

    /// Gives every request a `state`, for the direct_post flow.
    pub(crate) fn with_state(mut self) -> Result<Session> {
        self.with_state = true;
        if self.request.state().is_none() {
            self.request = self
                .request
                .clone()
                .with_state(&token())
                .map_err(|e| CliError::Failed(e.to_string()))?;
        }
        Ok(self)
    }

    /// A fresh nonce after a success (a saved request keeps its own).
    fn renew(&mut self) {
        if let Some(ask) = &self.ask
            && let Ok(r) = ask.build()
        {
            self.request = if self.with_state {
                r.clone().with_state(&token()).unwrap_or(r)
            } else {
                r
            };
        }
    }

    /// An online wallet's answer (direct_post): every presentation verified against the
    /// current request, then the query as a whole; the request is then spent.
    pub(crate) fn answer(
        &mut self,
        response: &openid4vp::AuthorizationResponse,
        now: i64,
    ) -> Verdict {
        if response.check(&self.request).is_err() {
            return Verdict::rejected(
                "replay",
                "this answers no open request: it was already answered or has expired (replay?)"
                    .into(),
            );
        }
        let request = Request {
            nonce: Some(self.request.nonce().to_string()),
            aud: Some(self.request.client_id().as_str().to_string()),
            required: Vec::new(),
        };
        let mut verified = std::collections::HashMap::new();
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
            _ => {
                let why = check
                    .unmet
                    .iter()
                    .map(|u| u.to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                Verdict::rejected(
                    "request_not_answered",
                    format!("the answer does not satisfy this counter's request: {why}"),
                )
            }
        }
    }

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
    pub(crate) fn check(&mut self, presentation: &str, now: i64) -> Verdict {
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
        let request = Request {
            nonce: Some(self.request.nonce().to_string()),
            aud: Some(self.request.client_id().as_str().to_string()),
            required: self.required(),
        };
        let mut verdict = self.verifier.verify(presentation, &request, now);
        if verdict.valid {
            let (assigned, _) = openid4vp::assign_to_queries(
                self.request.dcql_query(),
                vec![verdict.claims.clone()],
            );
            let check = openid4vp::check_dcql_satisfied(&self.request, &assigned);
            if !check.is_satisfied() {
                let why = check
                    .unmet
                    .iter()
                    .map(|u| u.to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                verdict = Verdict::rejected(
                    "request_not_answered",
                    format!("the presentation does not answer this counter's request: {why}"),
                );
            } else {
                self.used.insert(replay_key);
                self.renew();
            }
        }
        verdict
    }

    /// One scanned line: a presentation, a QR payload or part of one.
    pub(crate) fn scan(&mut self, line: &str, now: i64) -> Option<Verdict> {
        match scan_line(line, &mut self.assembler) {
            Ok(Some(p)) => Some(self.check(&p, now)),
            Ok(None) => None,
            Err(Rejected { code, reason }) => {
                self.assembler.reset();
                Some(Verdict::rejected(code, reason))
            }
        }
    }

    pub(crate) fn note(&self) -> Option<&LedgerNote> {
        self.note.as_ref()
    }
}

pub(crate) fn exec(args: CounterArgs, cmd: Option<Command>) -> Result<ExitCode> {
    match cmd {
        Some(Command::Serve { args, listen, key }) => {
            crate::commands::counter_web::serve(&args, &listen, key.as_deref())
        }
        None => wedge_loop(&args),
    }
}

const FONT: [(char, [&str; 5]); 9] = [
    ('V', ["█   █", "█   █", "█   █", " █ █ ", "  █  "]),
    ('A', [" ███ ", "█   █", "█████", "█   █", "█   █"]),
    ('L', ["█    ", "█    ", "█    ", "█    ", "█████"]),
    ('I', ["█████", "  █  ", "  █  ", "  █  ", "█████"]),
    ('D', ["████ ", "█   █", "█   █", "█   █", "████ "]),
    ('N', ["█   █", "██  █", "█ █ █", "█  ██", "█   █"]),
    ('O', [" ███ ", "█   █", "█   █", "█   █", " ███ "]),
    ('T', ["█████", "  █  ", "  █  ", "  █  ", "  █  "]),
    (' ', ["   ", "   ", "   ", "   ", "   "]),
];

/// A word in large block letters.
pub(crate) fn banner(word: &str) -> String {
    let mut rows = vec![String::new(); 5];
    for c in word.chars() {
        if let Some((_, glyph)) = FONT.iter().find(|(g, _)| *g == c) {
            for (row, line) in rows.iter_mut().zip(glyph) {
                row.push_str(line);
                row.push_str("  ");
            }
        }
    }
    rows.join("\n")
}

/// The verdict as the clerk sees it.
pub(crate) fn clerk_view(verdict: &Verdict, note: Option<&LedgerNote>, now: i64) -> String {
    let mut s = String::new();
    if verdict.valid {
        s.push_str(&banner("VALID"));
        s.push('\n');
        let vct = verdict.vct.as_deref().unwrap_or_default();
        let known = CredentialType::by_vct(vct);
        s.push_str(&format!(
            "\n{}\n",
            known.map_or(vct.to_string(), |t| t.name("en").to_string())
        ));
        let claims = Value::Object(verdict.claims.clone());
        for path in &verdict.disclosed {
            let label = known
                .and_then(|t| t.label(path, "en"))
                .map_or_else(|| path.to_string(), str::to_string);
            let value = match path.lookup(&claims) {
                Some(Value::Bool(true)) => "yes".to_string(),
                Some(Value::Bool(false)) => "no".to_string(),
                Some(Value::String(v)) => v.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            s.push_str(&format!("  {label}: {value}\n"));
        }
    } else {
        s.push_str(&banner("NOT VALID"));
        s.push_str(&format!(
            "\n\nNOT VALID: {}\n",
            verdict.reason.as_deref().unwrap_or("unknown reason")
        ));
    }
    if let Some(line) = note.and_then(|n| n.plain(now)) {
        s.push_str(&format!("  ({line})\n"));
    }
    s
}

fn wedge_loop(args: &CounterArgs) -> Result<ExitCode> {
    let mut session = Session::new(args)?;
    let show_request = |s: &Session| -> Result<()> {
        let code = request_qr(&s.request)?;
        out(&code.to_terminal(TerminalStyle::default()))?;
        out(&format!(
            "Scan this with the citizen's wallet, then scan the wallet's code. (nonce {})",
            s.request.nonce()
        ))?;
        out(&s.request.to_url())
    };
    show_request(&session)?;
    let stdin = std::io::stdin();
    let mut reader = stdin.lock();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // Bounded read: a scanner that never sends a newline cannot exhaust memory.
        let n = std::io::Read::take(&mut reader, crate::input::MAX_LINE as u64 + 2)
            .read_until(b'\n', &mut buf);
        match n {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(CliError::Input(format!("cannot read the scanner: {e}"))),
        }
        if buf.len() > crate::input::MAX_LINE && !buf.ends_with(b"\n") {
            // Skip the rest of the huge line.
            let mut sink = Vec::new();
            let _ = reader.read_until(b'\n', &mut sink);
            out(&clerk_view(
                &Verdict::rejected(
                    "input_too_large",
                    "the scanned line is longer than any presentation".into(),
                ),
                None,
                0,
            ))?;
            continue;
        }
        let now = chrono::Utc::now().timestamp();
        let verdict = match std::str::from_utf8(&buf) {
            Err(_) => Some(Verdict::rejected(
                "malformed",
                "the scanner sent bytes that are not text (binary junk)".into(),
            )),
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => session.scan(line, now),
        };
        match verdict {
            None => out("(part received; scan the next code)")?,
            Some(v) => {
                let valid = v.valid;
                out(&clerk_view(&v, session.note(), now))?;
                if valid {
                    show_request(&session)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The counter's receipt signer: a key and its did:jwk.
pub(crate) struct ReceiptSigner {
    key: SigningKey,
    did: String,
    kid: String,
}

impl ReceiptSigner {
    pub(crate) fn new(file: Option<&std::path::Path>) -> Result<ReceiptSigner> {
        let key = match file {
            Some(f) => SigningKey::load(f)?,
            None => SigningKey::generate(Algorithm::Es256, &SystemRng)?,
        };
        let did = key.public().did_jwk();
        let kid = format!("{did}#0");
        Ok(ReceiptSigner { key, did, kid })
    }

    pub(crate) fn did(&self) -> &str {
        &self.did
    }

    pub(crate) fn receipt(
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

/// A random token (state, ids).
pub(crate) fn token() -> String {
    let mut b = [0u8; 16];
    let _ = SystemRng.fill(&mut b);
    civitas_crypto::b64::encode(b)
}

/// The verdict as JSON for the page and the direct_post answer, with display labels.
pub(crate) fn verdict_json(verdict: &Verdict, note: Option<&LedgerNote>, now: i64) -> Value {
    let mut v = verdict.to_json();
    let known = verdict.vct.as_deref().and_then(CredentialType::by_vct);
    let claims = Value::Object(verdict.claims.clone());
    let shown: Vec<Value> = verdict
        .disclosed
        .iter()
        .map(|p| {
            json!({
                "label": known.and_then(|t| t.label(p, "en")).map_or_else(|| p.to_string(), str::to_string),
                "value": p.lookup(&claims).cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    v["shown"] = json!(shown);
    v["credential"] = json!(known.map(|t| t.name("en")));
    v["checked_at"] = json!(show_time(now));
    if let Some(n) = note {
        v["ledger"] = n.to_json(now);
    }
    v
}
