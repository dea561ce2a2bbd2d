//! The counter's OpenID4VP request, read into the wallet's [`PresentationRequest`].
//!
//! The wallet's consent works on one credential query: a type, required claims,
//! optional claims, the nonce and the audience. An `openid4vp://` request by value
//! maps onto it one to one when it has one DCQL credential query (what
//! `civitas request` and [`AuthorizationRequest::for_counter`] make): its
//! `vct_values[0]`, the claims every `claim_sets` option names (required), the claims
//! only some options name (optional), the request's `nonce`, and its `client_id`, which
//! is the `aud` of the key binding JWT.
//!
//! The app (`open_request`) and the CLI (`civitas wallet present --request`) both read
//! a request here. A request the wallet cannot answer is refused with
//! [`Error::UnsupportedRequest`] (a plain reason); one that is not a valid OpenID4VP
//! request at all with [`Error::Request`] (the exchange's `openid4vp.…` code).

use crate::consent::PresentationRequest;
use crate::error::{Error, Result};
use civitas_exchange::openid4vp::{AuthorizationRequest, RequestUrl};

/// Reads what the citizen pasted or scanned: an `openid4vp://` URL by value (surrounding
/// whitespace ignored). A request by reference (`request_uri`) is refused.
pub fn read_request(text: &str) -> Result<AuthorizationRequest> {
    match RequestUrl::parse(text.trim())? {
        RequestUrl::ByValue(request) => Ok(request),
        RequestUrl::ByReference(_) => Err(Error::UnsupportedRequest(
            "it is a request by reference (request_uri); ask the counter for a request by value"
                .into(),
        )),
    }
}

/// The wallet's view of `request`: the id of its one DCQL credential query and the
/// [`PresentationRequest`] it asks for.
pub fn presentation_request(
    request: &AuthorizationRequest,
) -> Result<(String, PresentationRequest)> {
    let query = request.dcql_query();
    let [cq] = query.credentials.as_slice() else {
        return Err(Error::UnsupportedRequest(format!(
            "it asks for {} credentials at once; this app answers one",
            query.credentials.len()
        )));
    };
    let vct = cq
        .vct_values
        .first()
        .ok_or_else(|| Error::UnsupportedRequest("it names no credential type".into()))?;
    let (required, optional) = cq.required_and_optional();
    let wanted =
        PresentationRequest::new(request.nonce(), request.client_id().as_str(), vct, required)
            .with_optional(optional);
    Ok((cq.id.clone(), wanted))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use civitas_credential::ClaimPath;
    use civitas_credential::types::PID;

    #[test]
    fn a_counter_request_maps_onto_required_and_optional_claims() {
        let p = |s: &str| ClaimPath::parse(s).unwrap();
        let request = AuthorizationRequest::for_counter(
            "redirect_uri:https://counter-7.city.example/post",
            None,
            "n-0123456789abcdef",
            PID.vct,
            &[p("age_over_18")],
            &[p("address.locality"), p("nationality")],
        )
        .unwrap();
        let parsed = read_request(&format!("  {}\r\n", request.to_url())).unwrap();
        assert_eq!(parsed, request);
        let (id, r) = presentation_request(&parsed).unwrap();
        assert_eq!(id, "pid");
        assert_eq!(r.vct_uri(), PID.vct);
        assert_eq!(r.nonce, "n-0123456789abcdef");
        assert_eq!(r.aud, "redirect_uri:https://counter-7.city.example/post");
        assert_eq!(r.required, vec![p("age_over_18")]);
        assert_eq!(r.optional, vec![p("address.locality"), p("nationality")]);
    }

    #[test]
    fn not_a_request_is_refused_with_a_code() {
        let e = read_request("https://example.com/?x=1").unwrap_err();
        assert!(e.code().starts_with("openid4vp."), "{}", e.code());
    }
}
