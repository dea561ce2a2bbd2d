"""The DIDKit peer: PyPI didkit 0.3.3 (Spruce's Rust DIDKit, as a Python binding).

Driven by crates/civitas-cli/tests/interop.rs; install with setup.sh beside this file.
Every command reads one JSON object on stdin and prints one on stdout.

  key-to-did  {"jwks": [jwk_text, ...]}  -> [{"key": did, "jwk": did}, ...]
  resolve     {"dids": [did, ...]}       -> {did: document, ...}
  generate    {}                         -> {"ed25519": jwk, "p256": jwk}
      Ed25519 from didkit.generate_ed25519_key(); DIDKit cannot generate P-256, so the
      P-256 key comes from jwcrypto (also independent of Civitas).
"""

import asyncio
import json
import os
import sys
from importlib.metadata import version

if version("didkit") != "0.3.3":
    sys.exit(f"didkit {version('didkit')} is installed, the tests pin 0.3.3: run setup.sh")

import didkit


def key_to_did(req):
    return [{"key": didkit.key_to_did("key", j), "jwk": didkit.key_to_did("jwk", j)} for j in req["jwks"]]


async def resolve(req):
    out = {}
    for did in req["dids"]:
        out[did] = json.loads(await didkit.resolve_did(did, "{}"))
    return out


def generate(_req):
    from jwcrypto.jwk import JWK

    return {
        "ed25519": json.loads(didkit.generate_ed25519_key()),
        "p256": json.loads(JWK.generate(kty="EC", crv="P-256").export_private()),
    }


async def main():
    commands = {"key-to-did": key_to_did, "resolve": resolve, "generate": generate}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(f"usage: didkit_peer.py {'|'.join(commands)} < request.json", file=sys.stderr)
        sys.exit(2)
    result = commands[sys.argv[1]](json.load(sys.stdin))
    if asyncio.iscoroutine(result):
        result = await result
    print(json.dumps(result))


asyncio.run(main())
# The binding's async runtime (tokio threads under pyo3-asyncio) crashes the interpreter at
# shutdown now and then (SIGSEGV or abort, after the answer is out): leave without the
# finalisation, the answer flushed.
sys.stdout.flush()
os._exit(0)
