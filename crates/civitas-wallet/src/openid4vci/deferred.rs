//! Deferred issuance (OpenID4VCI 1.0 §9) and notifications (§11).
//!
//! When the Credential Endpoint answers `202` with a `transaction_id`, the wallet keeps
//! a *pending* record, sealed like every other record (the access token in it is a
//! bearer secret: it never leaves the vault but in the `Authorization` header, and
//! [`Wallet::pending`] lists no secret). [`Wallet::fetch_deferred`] asks the Deferred
//! Credential Endpoint for every pending record that is due:
//!
//! - `202` (or a `transaction_id` again): still pending, asked again after `interval`;
//! - a credential: checked exactly as an immediate one (signature through the ledger,
//!   type, binding to the key that signed the proof, accreditation through a trusted
//!   root), stored, and its pending record removed in the same transaction;
//! - `invalid_transaction_id`, `credential_request_denied`, `invalid_token` or
//!   `invalid_credential_request`: the issuer will never deliver it — the record is
//!   removed and the history says so with the code;
//! - the network or the issuer's server failing: kept, reported.
//!
//! Notifications are best effort. After a credential with a `notification_id` is
//! stored, `credential_accepted` is sent; when the wallet refuses what came
//! (binding, type, accreditation, signature), `credential_failure` with the refusal's
//! code as `event_description` (never a claim value). For `credential_deleted`, the
//! stored credential keeps the notification endpoint, the `notification_id` and the
//! access token (sealed in its record): [`Wallet::delete_notifying`] deletes first
//! and then sends it if it can; an expired token or an unreachable issuer is recorded
//! in the history ([`crate::Event::NotificationFailed`]) and never undoes anything.

use super::{Transport, issuer_refusal, refused, vci};
use crate::history::Event;
use crate::records::{from_bytes, to_bytes};
use crate::vault::Kind;
use crate::wallet::append_history;
use crate::{Error, Result, Wallet};
use civitas_credential::types::CredentialType;
use civitas_exchange::openid4vci::{
    CredentialResponse, DeferredCredentialRequest, NotificationEvent, NotificationRequest,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The shortest and longest wait between two polls, seconds.
pub const MIN_INTERVAL: u64 = 1;
/// See [`MIN_INTERVAL`].
pub const MAX_INTERVAL: u64 = 86_400;
/// How long a pending issuance is kept at most (the issuer ends it earlier with
/// `invalid_transaction_id`).
pub const DEFAULT_PENDING_LIFETIME: i64 = 30 * 86_400;

/// Where and how to notify the issuer about a credential (sealed with it).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct StoredNotification {
    pub(crate) endpoint: String,
    pub(crate) notification_id: String,
    pub(crate) access_token: Zeroizing<String>,
    pub(crate) credential_issuer: String,
}

/// A pending (deferred) issuance as kept in the vault.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct StoredPending {
    pub(crate) credential_issuer: String,
    pub(crate) deferred_endpoint: String,
    pub(crate) notification_endpoint: Option<String>,
    pub(crate) transaction_id: Zeroizing<String>,
    pub(crate) access_token: Zeroizing<String>,
    pub(crate) configuration_id: String,
    pub(crate) vct: String,
    /// The public key that signed the proof (JWK).
    pub(crate) holder: serde_json::Value,
    /// The proof's `kid` (the wallet's DID URL), if it bound to the DID.
    pub(crate) kid: Option<String>,
    pub(crate) interval: u64,
    pub(crate) next_poll: i64,
    pub(crate) created: i64,
    pub(crate) expires: i64,
}

/// What the wallet is waiting for (no secret: no token, no transaction id).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingIssuance {
    /// The wallet's id for it.
    pub id: String,
    /// The Credential Issuer (its URL).
    pub credential_issuer: String,
    /// The configuration asked for.
    pub configuration_id: String,
    /// The type expected.
    pub vct: String,
    /// Its name (English).
    pub type_name: String,
    /// When the issuer said it would wait.
    pub created: i64,
    /// When the wallet will ask again (at the earliest).
    pub next_poll: i64,
    /// When the wallet gives up ([`DEFAULT_PENDING_LIFETIME`] after `created`).
    pub expires: i64,
}

/// What one poll of a pending issuance gave.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FetchOutcome {
    /// The credential arrived, was checked and stored.
    Received {
        /// The pending issuance it ends.
        pending: PendingIssuance,
        /// The credential.
        issued: super::Issued,
    },
    /// Not ready: kept, asked again at `pending.next_poll`.
    StillPending {
        /// The pending issuance.
        pending: PendingIssuance,
    },
    /// Ended without a credential (the issuer refused, it expired, or the wallet
    /// refused what came): removed.
    Ended {
        /// The pending issuance.
        pending: PendingIssuance,
        /// The code.
        code: String,
        /// The sentence.
        reason: String,
    },
    /// Could not ask (network, the issuer's server): kept.
    Failed {
        /// The pending issuance.
        pending: PendingIssuance,
        /// The code.
        code: String,
        /// The sentence.
        reason: String,
    },
}

/// The codes after which the issuer will never deliver the credential.
const FINAL_CODES: [&str; 4] = [
    "invalid_transaction_id",
    "credential_request_denied",
    "invalid_token",
    "invalid_credential_request",
];

pub(crate) fn clamp_interval(interval: Option<u64>) -> u64 {
    interval.unwrap_or(5).clamp(MIN_INTERVAL, MAX_INTERVAL)
}

fn summary(id: &str, p: &StoredPending) -> PendingIssuance {
    PendingIssuance {
        id: id.strip_prefix("p:").unwrap_or(id).to_string(),
        credential_issuer: p.credential_issuer.clone(),
        configuration_id: p.configuration_id.clone(),
        vct: p.vct.clone(),
        type_name: CredentialType::by_vct(&p.vct)
            .map_or_else(|| p.vct.clone(), |t| t.name("en-US").to_string()),
        created: p.created,
        next_poll: p.next_poll,
        expires: p.expires,
    }
}

/// Sends one notification; `Err(code)` when it did not get through.
pub(crate) fn notify(
    transport: &dyn Transport,
    endpoint: &str,
    token: &str,
    notification_id: &str,
    event: NotificationEvent,
    description: Option<&str>,
) -> std::result::Result<(), String> {
    let request = NotificationRequest {
        notification_id: notification_id.to_string(),
        event,
        event_description: description.map(|d| {
            d.chars()
                .filter(|c| c.is_ascii() && !c.is_ascii_control())
                .take(200)
                .collect()
        }),
    };
    let body = serde_json::to_vec(&request.to_json()).map_err(|_| "invalid_request".to_string())?;
    match transport.post(endpoint, Some("application/json"), &body, Some(token)) {
        Ok(r) if r.status == 204 || r.status == 200 => Ok(()),
        Ok(r) => Err(issuer_refusal("notification", &r).code().to_string()),
        Err(e) => Err(e.code().to_string()),
    }
}

impl Wallet {
    fn pending_records(&mut self, now: i64) -> Result<Vec<(String, StoredPending)>> {
        let key = self.session(now)?.key.clone();
        let mut out = Vec::new();
        for (id, opened) in self.vault.list(&key, Kind::Pending)? {
            let bytes = opened.ok_or(Error::RecordCorrupted {
                kind: Kind::Pending.name(),
            })?;
            out.push((id, from_bytes::<StoredPending>(&bytes, "pending issuance")?));
        }
        out.sort_by_key(|(_, p)| p.created);
        Ok(out)
    }

    /// The deferred issuances the wallet waits for, oldest first (no secret in them).
    pub fn pending(&mut self, now: i64) -> Result<Vec<PendingIssuance>> {
        Ok(self
            .pending_records(now)?
            .iter()
            .map(|(id, p)| summary(id, p))
            .collect())
    }

    /// Keeps a pending issuance (history "pending …"), sealed.
    pub(crate) fn store_pending(
        &mut self,
        pending: StoredPending,
        now: i64,
    ) -> Result<PendingIssuance> {
        let id = self.new_id("p:")?;
        let bytes = to_bytes(&pending)?;
        let event = Event::Pending {
            pending: id.strip_prefix("p:").unwrap_or(&id).to_string(),
            vct: pending.vct.clone(),
            credential_issuer: pending.credential_issuer.clone(),
        };
        self.write(now, |w, state| {
            w.put(Kind::Pending, &id, &bytes)?;
            append_history(w, state, event, now)?;
            Ok(())
        })?;
        Ok(summary(&id, &pending))
    }

    fn end_pending(&mut self, id: &str, p: &StoredPending, code: &str, now: i64) -> Result<()> {
        let event = Event::PendingEnded {
            pending: id.strip_prefix("p:").unwrap_or(id).to_string(),
            vct: p.vct.clone(),
            credential_issuer: p.credential_issuer.clone(),
            code: code.to_string(),
        };
        self.write(now, |w, state| {
            w.delete(id)?;
            append_history(w, state, event, now)?;
            Ok(())
        })
    }

    /// Records that a notification did not get through (never undoes anything).
    pub(crate) fn record_notification_failure(
        &mut self,
        event: NotificationEvent,
        credential_issuer: &str,
        code: &str,
        now: i64,
    ) {
        let event = Event::NotificationFailed {
            notification: event.as_str().to_string(),
            credential_issuer: credential_issuer.to_string(),
            code: code.to_string(),
        };
        let _ = self.write(now, |w, state| {
            append_history(w, state, event, now).map(|_| ())
        });
    }

    /// Asks the issuer for every pending issuance that is due at `now` (all of them
    /// with `force`). See the [module docs](self).
    pub fn fetch_deferred(
        &mut self,
        transport: &dyn Transport,
        now: i64,
        force: bool,
    ) -> Result<Vec<FetchOutcome>> {
        let mut out = Vec::new();
        for (id, p) in self.pending_records(now)? {
            if !force && p.next_poll > now {
                continue;
            }
            out.push(self.fetch_one(transport, &id, p, now)?);
        }
        Ok(out)
    }

    fn fetch_one(
        &mut self,
        transport: &dyn Transport,
        id: &str,
        mut p: StoredPending,
        now: i64,
    ) -> Result<FetchOutcome> {
        let ended = |w: &mut Wallet, p: &StoredPending, code: &str, reason: String| {
            w.end_pending(id, p, code, now)?;
            Ok(FetchOutcome::Ended {
                pending: summary(id, p),
                code: code.to_string(),
                reason,
            })
        };
        if now >= p.expires {
            return ended(
                self,
                &p,
                "pending_expired",
                "the issuer did not deliver it in time".into(),
            );
        }
        let body = serde_json::to_vec(&DeferredCredentialRequest::new(&p.transaction_id).to_json())
            .map_err(|e| refused("invalid_request", e.to_string()))?;
        let resp = match transport.post(
            &p.deferred_endpoint,
            Some("application/json"),
            &body,
            Some(&p.access_token),
        ) {
            Ok(r) => r,
            Err(e) => {
                return Ok(FetchOutcome::Failed {
                    pending: summary(id, &p),
                    code: e.code().to_string(),
                    reason: e.to_string(),
                });
            }
        };
        let response = match resp.status {
            200 | 202 => match CredentialResponse::from_json(&resp.body) {
                Ok(r) => r,
                Err(e) => {
                    let e = vci(e);
                    return Ok(FetchOutcome::Failed {
                        pending: summary(id, &p),
                        code: e.code().to_string(),
                        reason: e.to_string(),
                    });
                }
            },
            _ => {
                let e = issuer_refusal("deferred credential request", &resp);
                let code = e.code();
                if code == "issuance_pending" {
                    // Drafts before 1.0 said "not yet" with an error.
                    return self.reschedule(id, p, None, now);
                }
                if FINAL_CODES.contains(&code) {
                    return ended(self, &p, code, e.to_string());
                }
                return Ok(FetchOutcome::Failed {
                    pending: summary(id, &p),
                    code: code.to_string(),
                    reason: e.to_string(),
                });
            }
        };
        if response.is_deferred() {
            let interval = response.interval;
            p.interval = clamp_interval(interval.or(Some(p.interval)));
            return self.reschedule(id, p, interval, now);
        }
        let holder = civitas_crypto::PublicKey::from_jwk_value(&p.holder).map_err(|_| {
            Error::RecordCorrupted {
                kind: Kind::Pending.name(),
            }
        })?;
        let expect = super::Expect {
            vct: p.vct.clone(),
            holder,
            kid: p.kid.clone(),
            credential_issuer: p.credential_issuer.clone(),
            pending: Some(id.to_string()),
            notification_endpoint: p.notification_endpoint.clone(),
            access_token: p.access_token.clone(),
        };
        match self.store_issued(transport, &response, expect, now) {
            Ok(issued) => Ok(FetchOutcome::Received {
                pending: summary(id, &p),
                issued,
            }),
            Err(e) if super::is_refusal(&e) => ended(self, &p, e.code(), e.to_string()),
            Err(e) => Err(e),
        }
    }

    fn reschedule(
        &mut self,
        id: &str,
        mut p: StoredPending,
        interval: Option<u64>,
        now: i64,
    ) -> Result<FetchOutcome> {
        let wait = clamp_interval(interval.or(Some(p.interval)));
        p.interval = wait;
        p.next_poll = now.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX));
        let bytes = to_bytes(&p)?;
        self.write(now, |w, _| w.put(Kind::Pending, id, &bytes))?;
        Ok(FetchOutcome::StillPending {
            pending: summary(id, &p),
        })
    }

    /// Deletes a credential (as [`Wallet::delete`]) and then, if it came with a
    /// `notification_id`, tells the issuer `credential_deleted`; a notification that
    /// does not get through (an expired token, the issuer unreachable) is recorded in
    /// the history. Returns whether the issuer was notified.
    pub fn delete_notifying(
        &mut self,
        transport: &dyn Transport,
        id: &str,
        now: i64,
    ) -> Result<bool> {
        let held = self.held_one(id, now)?;
        self.delete(id, now)?;
        let Some(n) = held.stored.notification else {
            return Ok(false);
        };
        match notify(
            transport,
            &n.endpoint,
            &n.access_token,
            &n.notification_id,
            NotificationEvent::CredentialDeleted,
            None,
        ) {
            Ok(()) => Ok(true),
            Err(code) => {
                self.record_notification_failure(
                    NotificationEvent::CredentialDeleted,
                    &n.credential_issuer,
                    &code,
                    now,
                );
                Ok(false)
            }
        }
    }
}
