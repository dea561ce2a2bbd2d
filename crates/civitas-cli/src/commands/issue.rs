//! `civitas issue`: sign an SD-JWT VC, and (for a did:webvh issuer) anchor it on the
//! ledger: an `issuance` entry with the digest of its issuer-signed JWT, the evidence
//! that keeps it valid after a routine rotation of the issuer's key.

use crate::error::{CliError, Result};
use crate::identity::read_public_key;
use crate::util::{out, parse_time, read_json_object, time_or_now};
use civitas_credential::{ClaimPath, CredentialType, HolderBinding, IssueOptions, issue};
use civitas_crypto::{SigningKey, SystemRng};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The issuer's private signing key (JWK file).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// The issuer's did:webvh DID (its key must be an assertion key of the DID on the
    /// ledger). Default: the key's did:jwk.
    #[arg(long, value_name = "DID")]
    pub(crate) issuer: Option<String>,
    /// The ledger holding the issuer's DID: a file or a node URL. With a did:webvh
    /// issuer the credential is also anchored there (see --no-anchor).
    #[arg(long, value_name = "URL|PATH", default_value_t = crate::ledger_arg::default_ledger())]
    pub(crate) ledger: String,
    /// Do not anchor the credential on the ledger. By default a did:webvh issuer's
    /// credential is anchored (an `issuance` entry with its digest, signed with the
    /// issuer's key): after a routine rotation (`civitas did update --retire routine`)
    /// only anchored credentials stay valid; after a compromise none do.
    #[arg(long)]
    pub(crate) no_anchor: bool,
    /// The issuer's status list for this credential (from `civitas status publish`).
    #[arg(long, value_name = "URI", requires = "status_index")]
    pub(crate) status_list: Option<String>,
    /// The credential's index in that status list.
    #[arg(long, value_name = "N", requires = "status_list")]
    pub(crate) status_index: Option<u64>,
    /// Credential type: a vct URI, or pid, medical, service-record.
    #[arg(long, value_name = "URI")]
    pub(crate) vct: String,
    /// The subject's claims: a JSON object file.
    #[arg(long, value_name = "FILE")]
    pub(crate) claims: PathBuf,
    /// The holder: a key (public or private JWK file), or a DID or DID URL (did:jwk,
    /// did:key, or a did:webvh DID on the ledger). A DID URL names the key; a bare DID
    /// takes its first authentication key. A did:webvh holder is bound by `cnf.kid`
    /// (it survives the holder's key rotation), a did:jwk / did:key one by `cnf.jwk`.
    #[arg(long, value_name = "FILE|DID")]
    pub(crate) holder: String,
    /// Expiry, RFC 3339 (default: none).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) exp: Option<String>,
    /// Issuance time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Also make this nested member or array element disclosable on its own
    /// (e.g. address.locality, allergies[]). Repeatable. Known types have defaults.
    #[arg(long = "sd", value_name = "PATH")]
    pub(crate) sd: Vec<String>,
    /// Keep this top-level claim always visible instead of disclosable. Repeatable.
    #[arg(long = "visible", value_name = "NAME")]
    pub(crate) visible: Vec<String>,
    /// Most decoy digests per object (0 disables decoys).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub(crate) decoys: u8,
}

pub(crate) fn exec(args: Args) -> Result<ExitCode> {
    let key = SigningKey::load(&args.key)?;
    let claims = read_json_object(&args.claims)?;
    let iat = time_or_now(args.at.as_deref())?;
    let holder = if args.holder.starts_with("did:") {
        holder_from_did(&args.holder, &args.ledger, iat)?
    } else {
        HolderBinding::Jwk(read_public_key(&PathBuf::from(&args.holder))?)
    };
    let known = CredentialType::lookup(&args.vct);
    let vct = known.map_or(args.vct.clone(), |t| t.vct.to_string());
    if known.is_none() && !args.vct.contains(':') {
        return Err(CliError::Usage(format!(
            "unknown credential type '{}': use pid, medical, service-record or a vct URI",
            args.vct
        )));
    }
    let mut nested_sd = Vec::new();
    if let Some(t) = known {
        t.validate(&claims)?;
        nested_sd = t.nested_sd_for(&claims);
    }
    for p in &args.sd {
        let path = ClaimPath::parse(p)?;
        if !nested_sd.contains(&path) {
            nested_sd.push(path);
        }
    }
    let (did, kid) = match &args.issuer {
        None => (key.public().did_jwk(), key.public().did_jwk_url()),
        Some(did) => (did.clone(), kid_in_did(did, &key, &args.ledger, iat)?),
    };
    let mut options = IssueOptions::new(&did, &kid, &vct, iat);
    if let (Some(uri), Some(idx)) = (&args.status_list, args.status_index) {
        options.status = Some(civitas_credential::StatusRef {
            idx,
            uri: uri.clone(),
        });
    }
    options.exp = args.exp.as_deref().map(parse_time).transpose()?;
    if let Some(exp) = options.exp
        && exp <= iat
    {
        return Err(CliError::Usage(
            "--exp must be after the issuance time".into(),
        ));
    }
    options.holder = Some(holder);
    if let Some(t) = known {
        t.configure(&mut options, &claims);
    }
    for p in nested_sd {
        if !options.nested_sd.contains(&p) {
            options.nested_sd.push(p);
        }
    }
    options.always_visible = args.visible;
    options.decoys = (args.decoys.min(1), args.decoys);
    let sd_jwt = issue(&claims, &options, &key, &SystemRng)?;
    if did.starts_with("did:webvh:") && !args.no_anchor {
        anchor(&did, &kid, &key, &sd_jwt, &args.ledger, iat)?;
    }
    out(&sd_jwt)?;
    Ok(ExitCode::SUCCESS)
}

/// Appends the issuance anchor of `sd_jwt` to the ledger (the notice goes to stderr:
/// stdout is the credential).
fn anchor(
    did: &str,
    kid: &str,
    key: &SigningKey,
    sd_jwt: &str,
    ledger_arg: &str,
    iat: i64,
) -> Result<()> {
    let ledger = crate::ledger_arg::writer(ledger_arg)?;
    // The anchor's own `iat` is informational (its log position is what counts); it
    // must not be ahead of the ledger's clock.
    let at = iat.min(chrono::Utc::now().timestamp());
    let entry = civitas_ledger::sign::issuance(
        civitas_ledger::sign::Signing {
            did,
            kid,
            signer: key,
        },
        &[sd_jwt],
        at,
    )
    .map_err(|e| CliError::Failed(e.to_string()))?;
    let receipt = crate::ledger_arg::append(&*ledger, &entry)?;
    eprintln!(
        "anchored on the ledger at index {} (--no-anchor to skip)",
        receipt.index
    );
    Ok(())
}

/// The holder binding for a holder given as a DID or DID URL: resolved (a did:webvh DID
/// through the ledger), not deactivated; a DID URL must name an authentication key, a
/// bare DID takes its first one (the key binding JWT is an authentication).
fn holder_from_did(value: &str, ledger: &str, at: i64) -> Result<HolderBinding> {
    use civitas_did::Resolver as _;
    let (did, fragment) = match value.split_once('#') {
        Some((did, f)) => (did, Some(f)),
        None => (value, None),
    };
    let webvh = did.starts_with("did:webvh:");
    let resolver = if webvh {
        civitas_ledger::resolver(crate::ledger_arg::reader(ledger)?, at)
    } else {
        civitas_did::MethodResolver::local()
    };
    let resolution = resolver
        .resolve(did, &civitas_did::ResolveOptions::default())
        .map_err(|e| CliError::Failed(format!("cannot resolve the holder {did}: {e}")))?;
    if resolution.metadata.deactivated {
        return Err(CliError::Failed(format!(
            "the holder {did} is deactivated: nothing can be bound to it"
        )));
    }
    let doc = &resolution.document;
    let vm = match fragment {
        Some(_) => {
            let absolute = doc
                .verification_methods
                .iter()
                .find(|vm| vm.id == value)
                .ok_or_else(|| CliError::Failed(format!("the holder's DID has no key {value}")))?;
            if !doc.authentication.contains(&absolute.id) {
                return Err(CliError::Failed(format!(
                    "{value} is not an authentication key of {did}: a credential cannot be bound to it"
                )));
            }
            absolute
        }
        None => doc
            .keys_for(civitas_did::Purpose::Authentication)
            .next()
            .ok_or_else(|| {
                CliError::Failed(format!(
                    "the holder {did} has no usable authentication key (ES256 or EdDSA)"
                ))
            })?,
    };
    Ok(if webvh {
        HolderBinding::Did(vm.id.clone())
    } else {
        HolderBinding::Jwk(vm.key.clone())
    })
}

/// The id of the verification method of `did` whose key is `key`, among the assertion
/// keys of the DID's *current* version (verifiers judge the key by it, whatever the
/// credential's date).
fn kid_in_did(did: &str, key: &SigningKey, ledger: &str, at: i64) -> Result<String> {
    use civitas_did::Resolver as _;
    let resolver = if did.starts_with("did:webvh:") {
        civitas_ledger::resolver(crate::ledger_arg::reader(ledger)?, at)
    } else {
        civitas_did::MethodResolver::local()
    };
    let resolution = resolver.resolve(did, &civitas_did::ResolveOptions::default())?;
    if resolution.metadata.deactivated {
        return Err(CliError::Failed(format!("{did} is deactivated")));
    }
    resolution
        .document
        .keys_for(civitas_did::Purpose::AssertionMethod)
        .find(|vm| &vm.key == key.public())
        .map(|vm| vm.id.clone())
        .ok_or_else(|| CliError::Failed(format!("this key is not an assertion key of {did}")))
}
