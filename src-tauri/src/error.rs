//! The one error type of the app's commands, and the shape it has in the web view.
//!
//! Every command returns `Result<T, Error>`; Tauri serializes the error with
//! [`Error`]'s `Serialize` impl, so the front end always receives
//! `{"code": "…", "message": "…"}`: `code` is stable (the wallet's own codes pass
//! through unchanged, `wrong_passphrase`, `locked`…; the exchange's are prefixed,
//! `openid4vp.…`, `qr.…`), `message` is the English sentence. The front end translates
//! the codes it knows and shows the message otherwise. No variant carries a secret
//! (the wallet's errors never do either).

use serde::ser::SerializeStruct;

/// Result alias for the app's commands.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a command can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The wallet refused or failed (its code passes through).
    #[error(transparent)]
    Wallet(#[from] civitas_wallet::Error),
    /// There is no wallet on this device yet.
    #[error("there is no wallet on this device yet: create one or restore a backup")]
    NoWallet,
    /// The recovery kit was already confirmed (or never made in this session).
    #[error("the recovery words are no longer available: they are shown only once")]
    NoRecoveryKit,
    /// The words typed back do not match the recovery kit.
    #[error("word {0} does not match your recovery kit; look at what you wrote down again")]
    RecoveryWordMismatch(usize),
    /// No counter request is open (present before open_request).
    #[error("open the counter's request first")]
    NoRequest,
    /// No credential offer is open (accept_offer before preview_offer, or used).
    #[error("open the issuer's offer again: it was used or replaced")]
    NoOffer,
    /// The picture holds no credential offer.
    #[error("the picture holds no openid-credential-offer:// code")]
    NoOfferInImage,
    /// No root authority is trusted: no issuer's credential could be kept.
    #[error(
        "you trust no authority yet, so no issuer can be checked: add the city's root authority in Settings"
    )]
    NoTrustedRoots,
    /// The counter's request could not be read.
    #[error("the counter's request cannot be used: {0}")]
    Request(#[from] civitas_exchange::openid4vp::Error),
    /// The request asks for something the app cannot answer yet.
    #[error("the counter's request cannot be answered by this app: {0}")]
    UnsupportedRequest(String),
    /// A QR image could not be read or a code could not be made.
    #[error("QR code: {0}")]
    Qr(#[from] civitas_exchange::qr::Error),
    /// The ledger could not be opened or written.
    #[error("ledger: {0}")]
    Ledger(#[from] civitas_ledger::Error),
    /// Sending the proof to the counter failed.
    #[error("the proof could not be sent to the counter: {0}")]
    Send(String),
    /// A settings value is not acceptable.
    #[error("{0}")]
    InvalidSetting(String),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The demo issuer failed.
    #[error("the demo issuer failed: {0}")]
    Demo(String),
    /// A background task was cancelled (the app is closing).
    #[error("the app is closing")]
    Cancelled,
}

impl Error {
    /// The stable code the front end branches on.
    pub fn code(&self) -> String {
        match self {
            Error::Wallet(e) => e.code().to_string(),
            Error::NoWallet => "no_wallet".into(),
            Error::NoRecoveryKit => "no_recovery_kit".into(),
            Error::RecoveryWordMismatch(_) => "recovery_word_mismatch".into(),
            Error::NoRequest => "no_request".into(),
            Error::NoOffer => "no_offer".into(),
            Error::NoOfferInImage => "no_offer_in_image".into(),
            Error::NoTrustedRoots => "no_trusted_roots".into(),
            Error::Request(e) => e.code().to_string(),
            Error::UnsupportedRequest(_) => "unsupported_request".into(),
            Error::Qr(e) => e.code().to_string(),
            Error::Ledger(_) => "ledger".into(),
            Error::Send(_) => "send_failed".into(),
            Error::InvalidSetting(_) => "invalid_setting".into(),
            Error::Io { .. } => "io".into(),
            Error::Demo(_) => "demo".into(),
            Error::Cancelled => "cancelled".into(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

/// `{code, message}`: what the web view receives.
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Error", 2)?;
        st.serialize_field("code", &self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use serde_json::{Value, json};

    /// The front end's `isAppError` and `describeError` rely on exactly this shape:
    /// an object with two string members, `code` and `message`, and nothing else.
    #[test]
    fn errors_reach_the_front_end_as_code_and_message() {
        let cases: Vec<(Error, &str)> = vec![
            (
                civitas_wallet::Error::WrongPassphrase {
                    failures: 2,
                    retry_after: 0,
                }
                .into(),
                "wrong_passphrase",
            ),
            (civitas_wallet::Error::Locked.into(), "locked"),
            (Error::NoWallet, "no_wallet"),
            (Error::RecoveryWordMismatch(7), "recovery_word_mismatch"),
            (Error::NoRequest, "no_request"),
            (Error::NoOffer, "no_offer"),
            (Error::NoOfferInImage, "no_offer_in_image"),
            (Error::NoTrustedRoots, "no_trusted_roots"),
            // The issuer's OAuth code passes through unprefixed (the ui words it).
            (
                civitas_wallet::Error::Issuance {
                    code: "invalid_grant",
                    reason: "the issuer refused the token request".into(),
                }
                .into(),
                "invalid_grant",
            ),
        ];
        for (e, code) in cases {
            let v = serde_json::to_value(&e).unwrap();
            let Value::Object(map) = &v else {
                panic!("not an object: {v}")
            };
            assert_eq!(map.len(), 2, "{v}");
            assert_eq!(v["code"], json!(code));
            assert_eq!(v["message"], json!(e.to_string()));
            assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        let wrong = serde_json::to_value(Error::from(civitas_wallet::Error::WrongPassphrase {
            failures: 1,
            retry_after: 0,
        }))
        .unwrap();
        assert_eq!(
            wrong,
            json!({"code": "wrong_passphrase", "message": "wrong passphrase (1 failed attempt(s) in a row)"})
        );
    }

    #[test]
    fn exchange_codes_pass_through_prefixed() {
        let e = Error::from(civitas_exchange::qr::decode_payload("HC1:xyz").unwrap_err());
        assert!(e.code().starts_with("qr."), "{}", e.code());
    }
}
