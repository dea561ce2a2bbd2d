//! The Deferred Credential Request (OpenID4VCI 1.0 §9.1) and the Notification Request
//! (§11.1). The Deferred Credential Response is a [`super::CredentialResponse`]: 200
//! with `credentials` (and `notification_id`) once issued, 202 with `transaction_id`
//! and `interval` while the issuer still needs time (§9.2); refusals carry
//! `invalid_transaction_id` or a §8.3.1.2 code such as `credential_request_denied`.
//! A Notification Request is answered 204 with no body, or `invalid_notification_id` /
//! `invalid_notification_request` (§11.3).

use super::error::{Error, Result, shorten};
use serde_json::{Map, Value};

/// The longest `transaction_id`, `notification_id` or `event_description` accepted.
pub const MAX_ID_LEN: usize = 256;
/// The longest `event_description` accepted.
pub const MAX_EVENT_DESCRIPTION: usize = 1024;

fn object(body: &[u8], what: &'static str) -> Result<Map<String, Value>> {
    if body.len() > 64 * 1024 {
        return Err(Error::malformed(what, "larger than 64 KiB"));
    }
    let value = civitas_credential::json::parse_strict(body)
        .map_err(|e| Error::malformed(what, format!("not JSON: {}", shorten(&e, 100))))?;
    match value {
        Value::Object(m) => Ok(m),
        _ => Err(Error::malformed(what, "not a JSON object")),
    }
}

fn id_member(obj: &Map<String, Value>, name: &str, what: &'static str) -> Result<String> {
    match obj.get(name) {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= MAX_ID_LEN => Ok(s.clone()),
        Some(_) => Err(Error::malformed(
            what,
            format!("{name} is not a non-empty string of at most {MAX_ID_LEN} bytes"),
        )),
        None => Err(Error::malformed(what, format!("no {name}"))),
    }
}

/// A Deferred Credential Request: `{"transaction_id": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredCredentialRequest {
    /// The `transaction_id` of the Credential Response.
    pub transaction_id: String,
}

impl DeferredCredentialRequest {
    /// A request for `transaction_id`.
    pub fn new(transaction_id: &str) -> Self {
        DeferredCredentialRequest {
            transaction_id: transaction_id.to_string(),
        }
    }

    /// The JSON body.
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "transaction_id": self.transaction_id })
    }

    /// Parses a request body (at most 64 KiB): `invalid_request` for a malformed body
    /// or a missing `transaction_id`, `invalid_credential_request` for
    /// `credential_response_encryption` (not supported).
    pub fn from_json(body: &[u8]) -> Result<Self> {
        let obj = object(body, "deferred credential request")?;
        if obj.contains_key("credential_response_encryption") {
            return Err(Error::CredentialRequest(
                "credential response encryption is not supported".into(),
            ));
        }
        Ok(DeferredCredentialRequest {
            transaction_id: id_member(&obj, "transaction_id", "deferred credential request")?,
        })
    }
}

/// A notification's event (§11.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationEvent {
    /// The credential was stored.
    CredentialAccepted,
    /// Storing failed.
    CredentialFailure,
    /// The holder refused or deleted it.
    CredentialDeleted,
}

impl NotificationEvent {
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationEvent::CredentialAccepted => "credential_accepted",
            NotificationEvent::CredentialFailure => "credential_failure",
            NotificationEvent::CredentialDeleted => "credential_deleted",
        }
    }

    /// Parses a wire form.
    pub fn parse(s: &str) -> Option<Self> {
        [
            NotificationEvent::CredentialAccepted,
            NotificationEvent::CredentialFailure,
            NotificationEvent::CredentialDeleted,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

impl std::fmt::Display for NotificationEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Notification Request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRequest {
    /// The `notification_id` of the Credential Response.
    pub notification_id: String,
    /// What happened.
    pub event: NotificationEvent,
    /// A human-readable note (ASCII, §11.1).
    pub event_description: Option<String>,
}

impl NotificationRequest {
    /// The JSON body.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "notification_id".into(),
            self.notification_id.clone().into(),
        );
        m.insert("event".into(), self.event.as_str().into());
        if let Some(d) = &self.event_description {
            m.insert("event_description".into(), d.clone().into());
        }
        Value::Object(m)
    }

    /// Parses a request body: every problem is `invalid_notification_request`, except
    /// that the caller decides `invalid_notification_id` against its store.
    pub fn from_json(body: &[u8]) -> std::result::Result<Self, NotificationError> {
        let bad = |why: String| NotificationError(why);
        let obj = object(body, "notification request").map_err(|e| bad(e.to_string()))?;
        let notification_id = id_member(&obj, "notification_id", "notification request")
            .map_err(|e| bad(e.to_string()))?;
        let event = match obj.get("event") {
            Some(Value::String(s)) => NotificationEvent::parse(s).ok_or_else(|| {
                bad(format!(
                    "unknown event {}: credential_accepted, credential_failure or credential_deleted",
                    shorten(s, 40)
                ))
            })?,
            Some(_) => return Err(bad("event is not a string".into())),
            None => return Err(bad("no event".into())),
        };
        let event_description = match obj.get("event_description") {
            None => None,
            Some(Value::String(s))
                if s.len() <= MAX_EVENT_DESCRIPTION
                    && s.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) =>
            {
                Some(s.clone())
            }
            Some(_) => {
                return Err(bad(format!(
                    "event_description is not printable ASCII of at most {MAX_EVENT_DESCRIPTION} bytes"
                )));
            }
        };
        Ok(NotificationRequest {
            notification_id,
            event,
            event_description,
        })
    }
}

/// A malformed Notification Request (`invalid_notification_request`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("notification request: {0}")]
pub struct NotificationError(pub String);

impl NotificationError {
    /// Its OAuth code.
    pub fn code(&self) -> super::ErrorCode {
        super::ErrorCode::InvalidNotificationRequest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openid4vci::ErrorCode;

    #[test]
    fn spec_deferred_request_example() {
        // §9.1 example.
        let r =
            DeferredCredentialRequest::from_json(br#"{"transaction_id":"8xLOxBtZp8"}"#).unwrap();
        assert_eq!(r.transaction_id, "8xLOxBtZp8");
        let back = DeferredCredentialRequest::from_json(r.to_json().to_string().as_bytes());
        assert_eq!(back.unwrap(), r);
        for bad in [
            &b"{}"[..],
            b"[]",
            br#"{"transaction_id":""}"#,
            br#"{"transaction_id":7}"#,
        ] {
            let e = DeferredCredentialRequest::from_json(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidRequest);
        }
    }

    #[test]
    fn spec_notification_example() {
        // §11.1 example.
        let r = NotificationRequest::from_json(
            br#"{"notification_id":"3fwe98js","event":"credential_failure","event_description":"Could not store the Credential. Out of storage."}"#,
        )
        .unwrap();
        assert_eq!(r.event, NotificationEvent::CredentialFailure);
        let back = NotificationRequest::from_json(r.to_json().to_string().as_bytes()).unwrap();
        assert_eq!(back, r);
        for bad in [
            &br#"{"notification_id":"x","event":"credential_eaten"}"#[..],
            br#"{"notification_id":"x"}"#,
            br#"{"event":"credential_accepted"}"#,
            br#"{"notification_id":"x","event":"credential_accepted","event_description":"\u00e9"}"#,
            b"nope",
        ] {
            let e = NotificationRequest::from_json(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidNotificationRequest);
        }
    }
}
