//! `civitas issuer serve|offer|pending|approve|reject|revoke|audit`: the OpenID4VCI
//! issuer service (civitas-issuer) and its back office. `offer` writes into the same SQLite
//! database `serve` uses (WAL), so a clerk makes offers while the server runs.

mod login;
mod staff;

use crate::error::{CliError, Result};
use crate::identity::Identity;
use crate::ledger_arg::{self, default_ledger};
use crate::qr_file::write_qr;
use crate::util::{out, read_json_object, serve_on, show_time};
use civitas_crypto::SystemRng;
use civitas_exchange::qr::{self, EccLevel, QrOptions};
use civitas_issuer::{Issuer, IssuerConfig, OfferRequest, Store};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Where the issuer's database is: `--db`, else `issuer.db` in the key directory.
#[derive(Debug, clap::Args)]
pub(crate) struct DbArgs {
    /// The issuer's SQLite database (the one `issuer serve` uses).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// The issuer's key directory (its database defaults to DIR/issuer.db).
    #[arg(long, value_name = "DIR", required_unless_present = "db")]
    keys: Option<PathBuf>,
}

impl DbArgs {
    fn path(&self) -> Result<PathBuf> {
        db_path(self.db.as_deref(), self.keys.as_deref())
    }
}

/// What the back office needs to sign: the key directory, the ledger, the database.
#[derive(Debug, clap::Args)]
pub(crate) struct BackOfficeArgs {
    /// The issuer's key directory (`civitas did create --keys`).
    #[arg(long, value_name = "DIR")]
    keys: PathBuf,
    /// The ledger holding the issuer's DID and status list.
    #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
    ledger: String,
    /// The issuer's database (default: DIR/issuer.db).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
}

impl BackOfficeArgs {
    /// The issuer service over the database `serve` uses, for back-office signing.
    fn issuer(&self) -> Result<Issuer> {
        let id = Identity::load(&self.keys)?;
        let store = open_store(&db_path(self.db.as_deref(), Some(&self.keys))?, true)?;
        let url = store
            .meta("credential_issuer")
            .map_err(|e| CliError::Failed(e.to_string()))?
            .ok_or_else(|| {
                CliError::Usage(
                    "the database names no issuer URL: start `civitas issuer serve` once".into(),
                )
            })?;
        let writer = ledger_arg::writer(&self.ledger)?;
        let resolver = civitas_ledger::resolver(writer.clone(), now());
        Issuer::new(
            IssuerConfig::new(&url, &id.did, &id.kid),
            id.signing,
            writer,
            Arc::new(resolver),
            store,
            Arc::new(now),
            Arc::new(SystemRng),
        )
        .map_err(back_office_error)
    }
}

fn back_office_error(e: civitas_issuer::Error) -> CliError {
    match e {
        civitas_issuer::Error::Invalid(m) => CliError::Usage(m),
        civitas_issuer::Error::Credential(c) => CliError::Input(c.to_string()),
        other => CliError::Failed(other.to_string()),
    }
}

fn db_path(db: Option<&Path>, keys: Option<&Path>) -> Result<PathBuf> {
    match (db, keys) {
        (Some(db), _) => Ok(db.to_path_buf()),
        (None, Some(keys)) => Ok(keys.join("issuer.db")),
        (None, None) => Err(CliError::Usage("give --db FILE or --keys DIR".into())),
    }
}

fn open_store(path: &Path, must_exist: bool) -> Result<Store> {
    if must_exist && !path.exists() {
        return Err(CliError::Input(format!(
            "no issuer database at {} (start `civitas issuer serve` once, or pass --db)",
            path.display()
        )));
    }
    Store::open(path).map_err(|e| CliError::Failed(e.to_string()))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the OpenID4VCI issuer: metadata, token, nonce and credential endpoints,
    /// and the staff page (/staff: make an offer and show its QR code, approve or
    /// reject deferred ones; loopback only unless --staff-anywhere, behind the staff
    /// secret). First line of output: `issuer <credential_issuer URL> on
    /// http://ADDR`; the second `staff http://ADDR/staff?k=SECRET` (a fresh secret
    /// each start, unless --staff-secret-file).
    Serve {
        /// The issuer's key directory (`civitas did create --keys`).
        #[arg(long, value_name = "DIR")]
        keys: PathBuf,
        /// The ledger holding the issuer's DID (status list and issuance anchors go
        /// there).
        #[arg(long, value_name = "URL|PATH", default_value_t = default_ledger())]
        ledger: String,
        /// The issuer's database (default: DIR/issuer.db).
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Address to listen on (`civitas counter serve` takes 8090).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8091")]
        listen: String,
        /// The Credential Issuer identifier wallets see (default: http://ADDR).
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// The issuer's name shown in wallets, per language: `en-US=City Hall`,
        /// `zh-TW=市政府`. Repeatable.
        #[arg(long = "name", value_name = "LOCALE=NAME")]
        names: Vec<String>,
        /// One-time copies signed per request (batch issuance; each copy bound to its
        /// own key, presented once): `pid=10`, `medical_summary=5`. Repeatable.
        /// Defaults: pid 10, medical_summary 10, service_record 1.
        #[arg(long = "copies", value_name = "CONFIGURATION=N")]
        copies: Vec<String>,
        #[command(flatten)]
        staff: staff::StaffArgs,
        #[command(flatten)]
        login: login::LoginServeArgs,
    },
    /// Make a credential offer: prints the `openid-credential-offer://` URI and, on its
    /// own line, `PIN 123456` (tell the citizen apart).
    Offer {
        #[command(flatten)]
        db: DbArgs,
        /// Credential type: pid, medical or service-record.
        #[arg(long = "type", value_name = "TYPE")]
        kind: String,
        /// The subject's claims: a JSON object file (checked against the type).
        #[arg(long, value_name = "FILE", required_unless_present = "authorization")]
        claims: Option<PathBuf>,
        /// Seconds until the offer expires.
        #[arg(long, value_name = "SECONDS", default_value_t = 600)]
        expires_in: i64,
        /// No PIN (tx_code): whoever holds the offer gets the credential.
        #[arg(long)]
        no_pin: bool,
        /// Also write the offer as a QR code (PNG or SVG).
        #[arg(long, value_name = "FILE")]
        qr: Option<PathBuf>,
        /// Print {"offer_uri","tx_code","expires_at","offer_id"}.
        #[arg(long)]
        json: bool,
        /// The Credential Issuer identifier (default: the one `serve` recorded).
        #[arg(long, value_name = "URL")]
        issuer_url: Option<String>,
        /// Deferred issuance: the credential waits for `civitas issuer approve`
        /// (the default for --type medical, which a clinician signs off).
        #[arg(long, conflicts_with = "no_deferred")]
        deferred: bool,
        /// Issue at once, even for --type medical.
        #[arg(long)]
        no_deferred: bool,
        /// Issue only to this holder: a DID (the wallet's key proof must name one of
        /// its keys) or the RFC 7638 thumbprint of the key to bind; a proof by any
        /// other key is refused (invalid_proof).
        #[arg(long, value_name = "DID|THUMBPRINT")]
        holder: Option<String>,
        /// The authorization code flow instead: no claims, no PIN; the citizen logs in
        /// with the city's account (`serve --login`); the offer carries an
        /// `issuer_state`.
        #[arg(long, conflicts_with_all = ["claims", "no_pin", "deferred", "holder"])]
        authorization: bool,
    },
    /// Approve a deferred credential the wallet asked for: signs it (status index,
    /// ledger anchor, audit row); the wallet fetches it from the deferred endpoint.
    Approve {
        /// The offer's id (`issuer pending`).
        #[arg(value_name = "OFFER_ID")]
        offer_id: String,
        #[command(flatten)]
        back: BackOfficeArgs,
        /// Complete or replace the claims: a JSON object file (checked against the
        /// type).
        #[arg(long, value_name = "FILE")]
        claims: Option<PathBuf>,
    },
    /// Reject a deferred credential: the wallet is told `credential_request_denied`.
    Reject {
        /// The offer's id (`issuer pending`).
        #[arg(value_name = "OFFER_ID")]
        offer_id: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke (or suspend) an issued credential: its status-list entry on the ledger.
    Revoke {
        /// The audit row's number (`issuer audit`).
        #[arg(value_name = "AUDIT_ID", required_unless_present = "offer")]
        audit_id: Option<i64>,
        /// The credential issued for this offer instead.
        #[arg(long, value_name = "OFFER_ID", conflicts_with = "audit_id")]
        offer: Option<String>,
        /// Suspend instead of revoking for good.
        #[arg(long)]
        suspend: bool,
        #[command(flatten)]
        back: BackOfficeArgs,
    },
    /// List open offers (not yet issued, expired or dead).
    Pending {
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The audit trail: what was issued, to which key, at which status index (no
    /// claim values).
    Audit {
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON: the issued credentials, each with its events.
        #[arg(long)]
        json: bool,
        /// With --json: print every event instead (approvals, rejections,
        /// notifications, revocations).
        #[arg(long, requires = "json")]
        events: bool,
    },
}

pub(crate) fn exec(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Serve {
            keys,
            ledger,
            db,
            listen,
            public_url,
            names,
            copies,
            staff,
            login,
        } => {
            let names = names
                .iter()
                .map(|n| {
                    n.split_once('=')
                        .filter(|(l, v)| !l.is_empty() && !v.is_empty())
                        .map(|(l, v)| (l.to_string(), v.to_string()))
                        .ok_or_else(|| CliError::Usage(format!("--name {n}: write LOCALE=NAME")))
                })
                .collect::<Result<Vec<_>>>()?;
            let copies = copies
                .iter()
                .map(|c| parse_copies(c))
                .collect::<Result<Vec<_>>>()?;
            let staff = staff.staff()?;
            let shown = Shown { names, copies };
            return serve(keys, ledger, db, &listen, public_url, shown, staff, login);
        }
        Command::Offer {
            db,
            kind,
            claims,
            expires_in,
            no_pin,
            qr,
            json,
            issuer_url,
            deferred,
            no_deferred,
            holder,
            authorization,
        } => {
            let configuration_id = civitas_issuer::configuration_id(&kind).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown credential type '{kind}': use pid, medical or service-record"
                ))
            })?;
            let claims = match &claims {
                Some(c) => read_json_object(c)?,
                None => Default::default(),
            };
            let store = open_store(&db.path()?, issuer_url.is_none())?;
            let credential_issuer = match issuer_url {
                Some(u) => u,
                None => store
                    .meta("credential_issuer")
                    .map_err(|e| CliError::Failed(e.to_string()))?
                    .ok_or_else(|| {
                        CliError::Usage(
                            "the database names no issuer URL: start `civitas issuer serve` \
                             once, or pass --issuer-url"
                                .into(),
                        )
                    })?,
            };
            if authorization {
                let (db, uri) = (db.path()?, credential_issuer);
                return login::offer(&db, &uri, configuration_id, expires_in, qr.as_deref(), json);
            }
            let request = OfferRequest {
                credential_issuer,
                configuration_id: configuration_id.to_string(),
                claims,
                expires_in,
                pin: !no_pin,
                deferred: deferred || (configuration_id == "medical_summary" && !no_deferred),
                holder,
            };
            let created = civitas_issuer::create_offer(&store, &request, now(), &SystemRng)
                .map_err(|e| match e {
                    civitas_issuer::Error::Invalid(m) => CliError::Usage(m),
                    civitas_issuer::Error::Credential(c) => CliError::Input(c.to_string()),
                    other => CliError::Failed(other.to_string()),
                })?;
            if let Some(path) = &qr {
                let options = QrOptions::default()
                    .with_ecc(EccLevel::L)
                    .with_max_version(30);
                let code = qr::render(&created.offer_uri, &options).map_err(|e| {
                    CliError::Failed(format!("the offer does not fit a QR code: {e}"))
                })?;
                write_qr(&code, path)?;
            }
            if json {
                out(&serde_json::to_string(&created).unwrap_or_default())?;
            } else {
                out(&created.offer_uri)?;
                if let Some(pin) = &created.tx_code {
                    out(&format!("PIN {pin}"))?;
                }
                eprintln!(
                    "offer {} for {configuration_id}, valid until {}",
                    created.offer_id,
                    show_time(created.expires_at)
                );
            }
        }
        Command::Pending { db, json } => {
            let store = open_store(&db.path()?, true)?;
            let list = store
                .pending(now())
                .map_err(|e| CliError::Failed(e.to_string()))?;
            if json {
                out(&serde_json::to_string(&list).unwrap_or_default())?;
            } else if list.is_empty() {
                out("no open offers")?;
            } else {
                for o in list {
                    if o.state == "deferred" {
                        out(&format!(
                            "{}  {}  awaiting approval",
                            o.offer_id, o.configuration_id
                        ))?;
                        continue;
                    }
                    out(&format!(
                        "{}  {}  {}  until {}  ({} wrong PINs)",
                        o.offer_id,
                        o.configuration_id,
                        o.state,
                        show_time(o.expires_at),
                        o.attempts
                    ))?;
                }
            }
        }
        Command::Audit {
            db,
            json,
            events: all_events,
        } => {
            let store = open_store(&db.path()?, true)?;
            let rows = store.audit().map_err(|e| CliError::Failed(e.to_string()))?;
            let events = store
                .events()
                .map_err(|e| CliError::Failed(e.to_string()))?;
            if json {
                // The issued rows (as before), each with its offer's events.
                let list: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| {
                        let mut v = serde_json::to_value(r).unwrap_or_default();
                        let mine: Vec<_> =
                            events.iter().filter(|e| e.offer_id == r.offer_id).collect();
                        v["events"] = serde_json::to_value(mine).unwrap_or_default();
                        v
                    })
                    .collect();
                if all_events {
                    out(&serde_json::to_string(&events).unwrap_or_default())?;
                } else {
                    out(&serde_json::to_string(&list).unwrap_or_default())?;
                }
            } else if rows.is_empty() && events.is_empty() {
                out("nothing issued")?;
            } else {
                for r in rows {
                    out(&format!(
                        "#{}  {}  {}  {}  holder {}  status {}#{}",
                        r.seq,
                        show_time(r.issued_at),
                        r.offer_id,
                        r.configuration_id,
                        r.holder_thumbprint,
                        r.status_uri,
                        r.status_index
                    ))?;
                }
                for e in events {
                    out(&format!(
                        "{}  {}  {}{}",
                        show_time(e.at),
                        e.offer_id,
                        e.event,
                        e.detail.map(|d| format!("  ({d})")).unwrap_or_default()
                    ))?;
                }
            }
        }
        Command::Approve {
            offer_id,
            back,
            claims,
        } => {
            let claims = claims.as_deref().map(read_json_object).transpose()?;
            let row = back
                .issuer()?
                .approve(&offer_id, claims)
                .map_err(back_office_error)?;
            out(&format!(
                "approved {} ({}): audit #{}, status {}#{}",
                row.offer_id, row.configuration_id, row.seq, row.status_uri, row.status_index
            ))?;
        }
        Command::Reject { offer_id, db } => {
            let store = open_store(&db.path()?, true)?;
            let done = store_reject(store, &offer_id)?;
            if !done {
                return Err(CliError::Usage(format!(
                    "offer {offer_id} is not awaiting approval"
                )));
            }
            out(&format!("rejected {offer_id}"))?;
        }
        Command::Revoke {
            audit_id,
            offer,
            suspend,
            back,
        } => {
            let row = back
                .issuer()?
                .revoke(audit_id, offer.as_deref(), suspend)
                .map_err(back_office_error)?;
            out(&format!(
                "{} audit #{} ({}): status {}#{}",
                if suspend { "suspended" } else { "revoked" },
                row.seq,
                row.offer_id,
                row.status_uri,
                row.status_index
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn store_reject(mut store: Store, offer_id: &str) -> Result<bool> {
    store
        .reject(offer_id, now())
        .map_err(|e| CliError::Failed(e.to_string()))
}

/// `--copies CONFIGURATION=N`: a known configuration, 1..=100 copies.
fn parse_copies(flag: &str) -> Result<(String, u32)> {
    let bad = || {
        CliError::Usage(format!(
            "--copies {flag}: write CONFIGURATION=N with a configuration of this issuer (pid, medical_summary, service_record) and N from 1 to {}",
            civitas_exchange::openid4vci::MAX_PROOFS
        ))
    };
    let (id, n) = flag.split_once('=').ok_or_else(bad)?;
    let id = civitas_issuer::configuration_id(id).ok_or_else(bad)?;
    let n: u32 = n.parse().map_err(|_| bad())?;
    if n == 0 || n as usize > civitas_exchange::openid4vci::MAX_PROOFS {
        return Err(bad());
    }
    Ok((id.to_string(), n))
}

/// What wallets are shown: the issuer's names, the copies per configuration.
struct Shown {
    names: Vec<(String, String)>,
    copies: Vec<(String, u32)>,
}

// The serve flags, each its own concern (what is shown, staff page, login).
#[allow(clippy::too_many_arguments)]
fn serve(
    keys: PathBuf,
    ledger: String,
    db: Option<PathBuf>,
    listen: &str,
    public_url: Option<String>,
    shown: Shown,
    (staff, generated): (civitas_issuer::staff::Staff, bool),
    login: login::LoginServeArgs,
) -> Result<ExitCode> {
    let id = Identity::load(&keys)?;
    let db = db_path(db.as_deref(), Some(&keys))?;
    let login_db = db.clone();
    let writer = ledger_arg::writer(&ledger)?;
    serve_on(listen, move |listener, addr| async move {
        let public_url = public_url.unwrap_or_else(|| format!("http://{addr}"));
        let url = public_url.clone();
        let issuer = tokio::task::spawn_blocking(move || -> Result<Issuer> {
            let store = open_store(&db, false)?;
            let resolver = civitas_ledger::resolver(writer.clone(), now());
            let mut config = IssuerConfig::new(&url, &id.did, &id.kid);
            if !shown.names.is_empty() {
                config.names = shown.names;
            }
            config.copies.extend(shown.copies);
            Issuer::new(
                config,
                id.signing,
                writer,
                Arc::new(resolver),
                store,
                Arc::new(now),
                Arc::new(SystemRng),
            )
            .map_err(|e| match e {
                civitas_issuer::Error::Invalid(m) => CliError::Usage(m),
                other => CliError::Failed(other.to_string()),
            })
        })
        .await
        .map_err(|e| CliError::Failed(e.to_string()))??;
        let issuer = Arc::new(issuer);
        login::enable(&issuer, login, login_db).await?;
        out(&format!("issuer {public_url} on http://{addr}"))?;
        if generated {
            out(&format!("staff http://{addr}/staff?k={}", staff.secret()))?;
        } else {
            out(&format!(
                "staff http://{addr}/staff (secret from --staff-secret-file)"
            ))?;
        }
        let app = civitas_issuer::staff::with_staff(
            civitas_issuer::router(issuer.clone()),
            issuer,
            staff,
        );
        civitas_ledger::http::server::serve_with(
            app,
            listener,
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
            civitas_ledger::http::server::Limits::node(),
        )
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
        Ok(ExitCode::SUCCESS)
    })
}
