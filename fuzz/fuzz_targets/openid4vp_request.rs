//! Fuzzes what a wallet receives from a counter: OpenID4VP Authorization Requests by
//! value (the `openid4vp://` URL a QR code carries, and the JSON parameters), and the
//! signed Request Object (JWT) a reference points to. The first byte picks the form:
//!
//! - 0: the text is a scanned URL ([`RequestUrl::parse`]);
//! - 1: the text is the request's JSON parameters ([`AuthorizationRequest::from_json`]);
//! - 2: the text is the Request Object fetched from the Request URI, verified against a
//!   reference whose client is a fixed `did:jwk` (parse, header, signature);
//! - 3: the text is the Request Object's *payload*, signed here with the client's key,
//!   so that the fuzzer reaches every check after the signature (`client_id`, `aud`,
//!   `exp`, `iat`, `wallet_nonce`, then every rule of a request by value).
//!
//! Nothing may panic; a request that parses must survive its own round trips
//! (JSON and, when it fits, the by-value URL).
#![no_main]

use civitas_crypto::{Algorithm, SeededRng, SigningKey};
use civitas_did::MethodResolver;
use civitas_exchange::openid4vp::{AuthorizationRequest, RequestReference, RequestUrl};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use std::sync::OnceLock;

const NOW: i64 = 1_795_600_000;

struct Client {
    key: SigningKey,
    reference: RequestReference,
}

fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let key = SigningKey::generate(Algorithm::Es256, &SeededRng::new(7)).expect("key");
        let client_id = format!("decentralized_identifier:{}", key.public().did_jwk());
        let reference =
            RequestReference::new(&client_id, "https://counter-7.example/request/abc", None)
                .expect("reference");
        Client { key, reference }
    })
}

fn round_trips(request: &AuthorizationRequest) {
    let again = AuthorizationRequest::from_json(&request.to_json())
        .expect("a parsed request's JSON form must parse again");
    assert_eq!(&again, request, "JSON round trip changed the request");
    if request.fits_by_value(usize::MAX) {
        let url = request.to_url();
        match RequestUrl::parse(&url) {
            Ok(RequestUrl::ByValue(back)) => assert_eq!(&back, request, "URL round trip"),
            Ok(RequestUrl::ByReference(_)) => panic!("a by-value URL parsed as a reference"),
            // The URL may be longer than a scanned URL may be.
            Err(_) => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let c = client();
    let resolver = MethodResolver::local();
    match mode % 4 {
        0 => {
            if let Ok(RequestUrl::ByValue(request)) = RequestUrl::parse(text) {
                round_trips(&request);
            }
        }
        1 => {
            if let Ok(map) = serde_json::from_str::<Map<String, Value>>(text)
                && let Ok(request) = AuthorizationRequest::from_json(&map)
            {
                round_trips(&request);
            }
        }
        2 => {
            let _ = c
                .reference
                .verify_request_object(text, &resolver, NOW, None);
            let _ = c
                .reference
                .verify_request_object(text, &resolver, NOW, Some("wn-1"));
        }
        _ => {
            let Ok(payload) = serde_json::from_str::<Value>(text) else {
                return;
            };
            let kid = c.key.public().did_jwk_url();
            let Ok(token) =
                civitas_credential::jws::sign("oauth-authz-req+jwt", &kid, &payload, &c.key)
            else {
                return;
            };
            for wallet_nonce in [None, Some("wn-1")] {
                if let Ok(request) =
                    c.reference
                        .verify_request_object(&token, &resolver, NOW, wallet_nonce)
                {
                    round_trips(&request);
                }
            }
        }
    }
});
