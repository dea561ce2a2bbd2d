"""The Python peer: PyPI sd-jwt 0.10.4, the SD-JWT reference implementation, on jwcrypto.

Driven by crates/civitas-cli/tests/interop.rs; install with setup.sh beside this file.
Every command reads one JSON object on stdin and prints one on stdout.

  issue-and-present {"claims", "disclosable": [names], "vct", "iat", "exp"?, "disclose":
                     [names], "nonce", "aud", "kb_iat"}
      -> {"issuer", "credential", "presentation", "holder_jwk"}
      ES256 keys from jwcrypto; the issuer is the did:jwk of its public key (members
      sorted), header typ dc+sd-jwt and kid <did>#0, cnf.jwk the holder's key.
  verify {"presentations": [text], "nonce", "aud"}
      -> [{"ok": true, "payload": {...}} | {"ok": false, "error": "..."}, ...]
      The issuer key comes from the did:jwk in `iss`. This library does not check
      exp/nbf or the KB-JWT iat, and verifies KB-JWTs as ES256 only.
"""

import base64
import json
import sys
from importlib.metadata import version

if version("sd-jwt") != "0.10.4":
    sys.exit(f"sd-jwt {version('sd-jwt')} is installed, the tests pin 0.10.4: run setup.sh")

from jwcrypto.jwk import JWK

import sd_jwt.holder
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def did_jwk_of(key: JWK) -> str:
    public = key.export_public(as_dict=True)
    return "did:jwk:" + b64u(json.dumps(public, sort_keys=True, separators=(",", ":")).encode())


def jwk_of_did_jwk(did: str) -> JWK:
    if not isinstance(did, str) or not did.startswith("did:jwk:"):
        raise ValueError(f"this peer resolves only did:jwk, not {did}")
    return JWK.from_json(b64u_decode(did[len("did:jwk:"):].split("#")[0]).decode())


def issue_and_present(req):
    issuer_key = JWK.generate(kty="EC", crv="P-256")
    holder_key = JWK.generate(kty="EC", crv="P-256")
    issuer = did_jwk_of(issuer_key)
    claims = {"iss": issuer, "iat": req["iat"], "vct": req["vct"]}
    if "exp" in req:
        claims["exp"] = req["exp"]
    for name, value in req["claims"].items():
        claims[SDObj(name) if name in req["disclosable"] else name] = value
    issued = SDJWTIssuer(
        claims,
        issuer_key,
        holder_key,
        sign_alg="ES256",
        add_decoy_claims=True,
        extra_header_parameters={"typ": "dc+sd-jwt", "kid": issuer + "#0"},
    )
    credential = issued.sd_jwt_issuance
    # The library stamps the KB-JWT with the wall clock; tests fix time, so fix it here.
    sd_jwt.holder.time = lambda: req["kb_iat"]
    holder = SDJWTHolder(credential)
    holder.create_presentation(
        {name: True for name in req["disclose"]},
        nonce=req["nonce"],
        aud=req["aud"],
        holder_key=holder_key,
        sign_alg="ES256",
    )
    return {
        "issuer": issuer,
        "credential": credential,
        "presentation": holder.sd_jwt_presentation,
        "holder_jwk": holder_key.export_public(as_dict=True),
    }


def verify_one(text, req):
    def issuer_key(iss, header):
        return jwk_of_did_jwk(iss)

    verifier = SDJWTVerifier(
        text.strip(), issuer_key, expected_aud=req["aud"], expected_nonce=req["nonce"]
    )
    return {"ok": True, "payload": verifier.get_verified_payload()}


def verify(req):
    out = []
    for text in req["presentations"]:
        try:
            out.append(verify_one(text, req))
        except Exception as e:  # the outcome is the answer; any failure means "refused"
            out.append({"ok": False, "error": f"{type(e).__name__}: {e}"})
    return out


def main():
    commands = {"issue-and-present": issue_and_present, "verify": verify}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(f"usage: sd_jwt_peer.py {'|'.join(commands)} < request.json", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(commands[sys.argv[1]](json.load(sys.stdin))))


main()
