//! Fuzzes what a counter receives on its Response URI: the `direct_post` body
//! (`application/x-www-form-urlencoded`: `vp_token` JSON or `error`, `state`), and the
//! checks of a parsed response against a fixed request. Nothing may panic; a response
//! that parses must serialise to a body that parses to the same response.
#![no_main]

use civitas_credential::ClaimPath;
use civitas_exchange::openid4vp::{
    AuthorizationRequest, DirectPostBody, VpToken, parse_direct_post,
};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn request() -> &'static AuthorizationRequest {
    static REQUEST: OnceLock<AuthorizationRequest> = OnceLock::new();
    REQUEST.get_or_init(|| {
        let paths = |names: &[&str]| -> Vec<ClaimPath> {
            names
                .iter()
                .map(|n| ClaimPath::parse(n).expect("path"))
                .collect()
        };
        AuthorizationRequest::for_counter(
            "redirect_uri:https://counter-7.example/response",
            None,
            "n-0S6_WzA2Mj",
            civitas_credential::types::PID.vct,
            &paths(&["age_over_18"]),
            &paths(&["given_name"]),
        )
        .and_then(|r| r.with_state("txn-7"))
        .expect("request")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let _ = VpToken::parse(body);
    match parse_direct_post(body) {
        Ok(DirectPostBody::Response(response)) => {
            let _ = response.check(request());
            let _ = response.vp_token.check_against(request().dcql_query());
            let again = parse_direct_post(&response.to_form())
                .expect("a parsed response's form must parse again");
            assert_eq!(again, DirectPostBody::Response(response), "form round trip");
        }
        Ok(DirectPostBody::Error(_)) | Err(_) => {}
    }
});
