//! Unit tests of the request module: Client Identifiers, tokens, URL forms.

use super::*;

#[test]
fn client_ids() {
    let c = ClientId::parse("redirect_uri:https://counter.example/post").unwrap();
    assert_eq!(c.prefix(), ClientIdPrefix::RedirectUri);
    assert_eq!(c.original(), "https://counter.example/post");
    let did = "did:jwk:eyJrdHkiOiJFQyJ9";
    let c = ClientId::parse(&format!("decentralized_identifier:{did}")).unwrap();
    assert_eq!(c.did(), Some(did));
    for (bad, code) in [
        ("counter-7", "openid4vp.unsupported_client_id_prefix"),
        (
            "https://counter.example",
            "openid4vp.unsupported_client_id_prefix",
        ),
        (
            "origin:https://counter.example",
            "openid4vp.unsupported_client_id_prefix",
        ),
        (
            "x509_san_dns:counter.example",
            "openid4vp.unsupported_client_id_prefix",
        ),
        (
            "redirect_uri:counter.example",
            "openid4vp.invalid_client_id",
        ),
        (
            "decentralized_identifier:did:jwk:x#0",
            "openid4vp.invalid_client_id",
        ),
    ] {
        assert_eq!(ClientId::parse(bad).unwrap_err().code(), code, "{bad}");
    }
}
