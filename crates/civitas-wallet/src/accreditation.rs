//! Who accredited an issuer, as the citizen is told it: a name only when a chain of
//! accreditations in force leads from the issuer to a root the wallet trusts.
//!
//! Anyone can put a root declaration on the ledger and accredit themselves under any
//! name, so a name found on the ledger says nothing by itself. The wallet's trusted
//! roots are its settings' ([`Wallet::set_trusted_roots`]) plus any given for this
//! process ([`Wallet::trust_roots`], the CLI's `--root`). A ledger that cannot be read
//! is "could not check", never "not accredited".

use crate::records::{SETTINGS_ID, to_bytes};
use crate::vault::Kind;
use crate::{Result, Wallet};
use civitas_ledger::{AccreditationRecord, LedgerReader};
use serde::Serialize;

/// Longest accreditation chain followed (root → … → issuer), as the verifier.
const MAX_CHAIN: usize = 5;

/// What the wallet can say about an issuer's accreditation for a credential type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Accreditation {
    /// A chain of accreditations in force leads from the issuer to `root`, a root the
    /// wallet trusts; `names` are the names the accreditations give the issuer.
    Accredited {
        /// The names given to the issuer by the accreditations on the chain (its
        /// accreditor's wording); empty if none names it.
        names: Vec<String>,
        /// The trusted root the chain ends at.
        root: String,
    },
    /// The ledger has accreditations of the issuer for this type (or the issuer
    /// declares itself a root), but none leads to a root the wallet trusts: whatever
    /// name they give is self-declared.
    SelfDeclared,
    /// The ledger has no accreditation of the issuer for this type.
    NotAccredited,
    /// The ledger could not be read: nothing can be said.
    Unchecked {
        /// Why.
        reason: String,
    },
}

impl Accreditation {
    /// How the citizen reads it.
    pub fn describe(&self) -> String {
        match self {
            Accreditation::Accredited { names, root } if names.is_empty() => {
                format!("accredited by the trusted root {root}")
            }
            Accreditation::Accredited { names, root } => {
                format!("accredited as {} (trusted root {root})", names.join(", "))
            }
            Accreditation::SelfDeclared => {
                "self-declared, not accredited by a trusted root".to_string()
            }
            Accreditation::NotAccredited => {
                "not accredited on this ledger for this type".to_string()
            }
            Accreditation::Unchecked { reason } => format!("could not check: {reason}"),
        }
    }
}

/// The accreditation of `issuer` for `vct` at `now` on `ledger`, against `roots`.
pub(crate) fn accreditation_of(
    ledger: &dyn LedgerReader,
    roots: &[String],
    issuer: &str,
    vct: &str,
    now: i64,
) -> Accreditation {
    match walk(ledger, roots, issuer, vct, now) {
        Ok(a) => a,
        Err(e) => Accreditation::Unchecked {
            reason: e.to_string(),
        },
    }
}

fn walk(
    ledger: &dyn LedgerReader,
    roots: &[String],
    issuer: &str,
    vct: &str,
    now: i64,
) -> civitas_ledger::Result<Accreditation> {
    let own: Vec<AccreditationRecord> = ledger
        .accreditations(issuer)?
        .into_iter()
        .filter(|a| a.covers(vct, now))
        .collect();
    if roots.iter().any(|r| r == issuer) {
        return Ok(Accreditation::Accredited {
            names: names(&own),
            root: issuer.to_string(),
        });
    }
    if own.is_empty() {
        return Ok(Accreditation::NotAccredited);
    }
    // Each accreditation of the issuer on its own: its name counts only if its
    // accreditor leads to a trusted root.
    let mut trusted = Vec::new();
    let mut root_found = None;
    for a in &own {
        if a.issuer == issuer {
            continue; // a self-declaration proves nothing
        }
        if let Some(root) = leads_to_root(ledger, roots, &a.issuer, issuer, vct, now)? {
            trusted.push(a.clone());
            root_found.get_or_insert(root);
        }
    }
    Ok(match root_found {
        Some(root) => Accreditation::Accredited {
            names: names(&trusted),
            root,
        },
        None => Accreditation::SelfDeclared,
    })
}

/// The trusted root `accreditor` is, or reaches through accreditations in force that
/// allow delegation.
fn leads_to_root(
    ledger: &dyn LedgerReader,
    roots: &[String],
    accreditor: &str,
    issuer: &str,
    vct: &str,
    now: i64,
) -> civitas_ledger::Result<Option<String>> {
    if roots.iter().any(|r| r == accreditor) {
        return Ok(Some(accreditor.to_string()));
    }
    let mut frontier = vec![accreditor.to_string()];
    let mut seen = vec![issuer.to_string(), accreditor.to_string()];
    for _ in 1..MAX_CHAIN {
        let mut next = Vec::new();
        for did in &frontier {
            for a in ledger.accreditations(did)? {
                if !a.covers(vct, now) || !a.delegate || a.issuer == *did {
                    continue;
                }
                if roots.contains(&a.issuer) {
                    return Ok(Some(a.issuer));
                }
                if !seen.contains(&a.issuer) {
                    seen.push(a.issuer.clone());
                    next.push(a.issuer);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    Ok(None)
}

fn names(records: &[AccreditationRecord]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in records.iter().filter_map(|a| a.name.clone()) {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

impl Wallet {
    /// The roots this wallet trusts: its settings', plus those given for this process.
    pub fn trusted_roots(&mut self, now: i64) -> Result<Vec<String>> {
        let mut roots = self.session(now)?.settings.trusted_roots.clone();
        for r in &self.extra_roots {
            if !roots.contains(r) {
                roots.push(r.clone());
            }
        }
        Ok(roots)
    }

    /// Also trusts `roots` for as long as this `Wallet` lives (not stored): the CLI's
    /// `--root`.
    pub fn trust_roots(&mut self, roots: Vec<String>) {
        self.extra_roots = roots;
    }

    /// Stores the roots the citizen trusts in the wallet's settings.
    pub fn set_trusted_roots(&mut self, roots: Vec<String>, now: i64) -> Result<()> {
        let mut settings = self.session(now)?.settings.clone();
        settings.trusted_roots = roots;
        let bytes = to_bytes(&settings)?;
        self.write(now, |w, _| w.put(Kind::Settings, SETTINGS_ID, &bytes))?;
        if let Some(s) = &mut self.session {
            s.settings = settings;
        }
        Ok(())
    }

    /// The accreditation of `issuer` for `vct` now, against the trusted roots.
    pub fn accreditation(&mut self, issuer: &str, vct: &str, now: i64) -> Result<Accreditation> {
        let roots = self.trusted_roots(now)?;
        Ok(accreditation_of(&*self.ledger, &roots, issuer, vct, now))
    }
}
