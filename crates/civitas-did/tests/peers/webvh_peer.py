"""The other side of the wire for did:webvh: the DIF Python implementation (PyPI
`did-webvh`, pinned in requirements.txt), driven by tests/webvh_interop.rs.

Commands (each prints one JSON object on stdout):

  resolve DID LOG_PATH [VERSION_ID]
      Resolves DID from a local did.jsonl with `resolve_did(..., local_history=...)`.
      Prints {"didDocument": ..., "didDocumentMetadata": ..., "didResolutionMetadata": ...}.

  provision DOMAIN_PATH TARGET_DIR
      `auto_provision_did(DOMAIN_PATH, "ed25519", ..., prerotation=True,
      target_dir=TARGET_DIR)` writes TARGET_DIR/did.jsonl; then rotates once to the
      pre-committed key (committing to a fresh one), as a controller does, so that the
      log has a pre-rotation step. Prints {"did": ..., "log": path, "versions": n}.
"""

import asyncio
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aries_askar
from did_webvh.askar import AskarSigningKey
from did_webvh.const import ASKAR_STORE_FILENAME, HISTORY_FILENAME
from did_webvh.core.hash_utils import DEFAULT_HASH, HashInfo
from did_webvh.history import load_local_history, update_document_state, write_document_state
from did_webvh.provision import auto_provision_did
from did_webvh.resolver import resolve_did

PASS_KEY = "civitas-interop"


async def resolve(did: str, log_path: str, version_id: str | None) -> dict:
    result = await resolve_did(did, local_history=Path(log_path), version_id=version_id)
    return result.serialize()


async def provision(domain_path: str, target_dir: str) -> dict:
    doc_dir, state, _update_key = await auto_provision_did(
        domain_path, "ed25519", PASS_KEY, prerotation=True, target_dir=target_dir
    )
    # Rotate to the committed next key, committing to a new one.
    committed = state.params["nextKeyHashes"][0]
    store = await aries_askar.Store.open(
        f"sqlite://{doc_dir}/{ASKAR_STORE_FILENAME}", pass_key=PASS_KEY
    )
    async with store.session() as session:
        entries = await session.fetch_all_keys(tag_filter={"hash": committed})
    await store.close()
    if not entries:
        raise SystemExit("the pre-rotated key is not in the Askar store")
    next_key = AskarSigningKey(entries[0].key)
    after = AskarSigningKey.generate("ed25519")
    after_hash = HashInfo.from_name(DEFAULT_HASH).formatted_hash(after.multikey.encode("utf-8"))
    rotated = update_document_state(
        state,
        next_key,
        params_update={"updateKeys": [next_key.multikey], "nextKeyHashes": [after_hash]},
        timestamp=state.timestamp + timedelta(seconds=1),
    )
    write_document_state(doc_dir, rotated)
    # The rotation is dated one second after creation, which may still be ahead of
    # the clock: wait until it is in the past, so a verifier checking "not in the
    # future" at the current time accepts it.
    while datetime.now(timezone.utc) <= rotated.timestamp:
        await asyncio.sleep(0.2)
    log = doc_dir.joinpath(HISTORY_FILENAME)
    # The Python side checks its own log before handing it over.
    await load_local_history(log, verify_proofs=True)
    return {"did": rotated.document_id, "log": str(log), "versions": rotated.version_number}


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "resolve":
        out = asyncio.run(resolve(argv[1], argv[2], argv[3] if len(argv) > 3 else None))
    elif len(argv) == 3 and argv[0] == "provision":
        out = asyncio.run(provision(argv[1], argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
