#!/usr/bin/env bash
# Builds corpus/<target>/ from the repository's test data (the corpora are not
# committed: see .gitignore). Targets whose first input byte picks a mode get one seed
# per mode. Run from fuzz/: ./seed.sh
set -euo pipefail
cd "$(dirname "$0")"
root=..
ex=$root/crates/civitas-exchange/testdata
did=$root/crates/civitas-did/testdata/webvh
c2sp=$root/crates/civitas-ledger/testdata/c2sp

# seed TARGET NAME MODE-BYTE(decimal or "") FILE|-   (stdin with -)
seed() {
    local target=$1 name=$2 mode=$3 src=$4
    mkdir -p "corpus/$target"
    {
        if [ -n "$mode" ]; then printf "\\$(printf '%03o' "$mode")"; fi
        if [ "$src" = - ]; then cat; else cat "$src"; fi
    } >"corpus/$target/$name"
}
# The ```-fenced example of a C2SP markdown file.
fenced() { awk '/^```/{n++; next} n==1' "$1"; }

mkdir -p corpus/presentation
cp $root/crates/civitas-verifier/testdata/tamper/*.txt corpus/presentation/

# qr_payload: the golden CIV1 payload; a made-up two-part sequence (wrong checksum).
seed qr_payload golden "" "$ex/pid_two_claims.civ1"
head -c 400 "$ex/pid_two_claims.civ1" | sed 's/^CIV1:/CIV1-1\/2-0BADC0DE:/' | seed qr_payload parts "" -
printf '\n' >>corpus/qr_payload/parts
tail -c 400 "$ex/pid_two_claims.civ1" | sed 's/^/CIV1-2\/2-0BADC0DE:/' >>corpus/qr_payload/parts

# openid4vp_request: URLs (mode 0), JSON by value (1), a Request Object payload (3).
for f in "$ex"/openid4vp/requests/*.url; do seed openid4vp_request "$(basename "$f")" 0 "$f"; done
for f in "$ex"/openid4vp/requests/*.json "$ex"/openid4vp/dcql/section_5_4_request_object.json; do
    seed openid4vp_request "$(basename "$f")" 1 "$f"
    seed openid4vp_request "signed-$(basename "$f")" 3 "$f"
done
printf 'openid4vp://?client_id=redirect_uri%%3Ahttps%%3A%%2F%%2Fcounter-7.example%%2Fresponse&response_type=vp_token&response_mode=direct_post&nonce=n-0S6_WzA2Mj&state=txn-7&dcql_query=%%7B%%22credentials%%22%%3A%%5B%%7B%%22id%%22%%3A%%22pid%%22%%2C%%22format%%22%%3A%%22dc%%2Bsd-jwt%%22%%2C%%22meta%%22%%3A%%7B%%22vct_values%%22%%3A%%5B%%22https%%3A%%2F%%2Fcivitas.example%%2Fcredentials%%2Fpid%%2Fv1%%22%%5D%%7D%%2C%%22claims%%22%%3A%%5B%%7B%%22path%%22%%3A%%5B%%22age_over_18%%22%%5D%%7D%%5D%%7D%%5D%%7D' |
    seed openid4vp_request civitas.url 0 -
printf 'eyJhbGciOiJFUzI1NiIsInR5cCI6Im9hdXRoLWF1dGh6LXJlcStqd3QifQ.e30.AAAA' | seed openid4vp_request object.jwt 2 -

# direct_post: a response with the golden presentation, an error response.
{
    printf 'vp_token='
    python3 -c 'import sys,urllib.parse,json; p=open(sys.argv[1]).read().strip(); print(urllib.parse.quote(json.dumps({"pid":[p]},separators=(",",":")),safe=""),end="")' "$ex/pid_two_claims.sd-jwt"
    printf '&state=txn-7'
} | seed direct_post response "" -
printf 'error=access_denied&error_description=the%%20citizen%%20said%%20no&state=txn-7' | seed direct_post error "" -

# webvh_log: the did:webvh test suite's logs (0), a line to append (1), witness
# proofs (2), a version id (3).
for d in "$did"/test_suite/*/; do seed webvh_log "$(basename "$d").jsonl" 0 "$d/did.jsonl"; done
for f in "$did"/didwebvh-rs/*.jsonl; do seed webvh_log "rs-$(basename "$f")" 0 "$f"; done
tail -n 1 "$did/test_suite/multi-update/did.jsonl" | seed webvh_log append-line 1 -
seed webvh_log witness 2 "$did/test_suite/witness-threshold/did-witness.json"
head -n 1 "$did/test_suite/key-rotation/did.jsonl" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["versionId"],end="")' |
    seed webvh_log version-id 3 -

# c2sp_note: the spec examples (0), a checkpoint body to sign (1), a verifier key (2).
fenced "$c2sp/signed-note.md" | seed c2sp_note signed-note 0 -
fenced "$c2sp/tlog-checkpoint.md" | seed c2sp_note checkpoint 0 -
fenced "$c2sp/tlog-checkpoint.md" | sed -n '1,3p' | seed c2sp_note checkpoint-body 1 -
printf 'ledger.civitas.example/civitas-ledger\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 1795600000\n' |
    seed c2sp_note timed-body 1 -
printf 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW' | seed c2sp_note vkey 2 -

# ledger_http: parts separated by 0xFF: checkpoint body, entries, consistency proof,
# checkpoint at the size held.
sep() { printf '\377'; }
{
    printf 'ledger.civitas.example/civitas-ledger\n2\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 1795600000\n'; sep
    printf '{"entries":["{\\"type\\":\\"did-log\\",\\"line\\":\\"{}\\"}"]}'; sep
    printf '{"proof":["%064d","%064d"]}' 0 1; sep
} | seed ledger_http signed-empty 0 -
cp corpus/ledger_http/signed-empty corpus/ledger_http/signed-holding
printf '\001' | dd of=corpus/ledger_http/signed-holding bs=1 count=1 conv=notrunc status=none
{ fenced "$c2sp/tlog-checkpoint.md"; sep; printf '{"entries":[]}'; sep; printf '{"proof":[]}'; } |
    seed ledger_http raw-note 2 -
{
    printf '{"origin":"ledger.civitas.example/civitas-ledger","host":"ledger.civitas.example","log_key":"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW","size":3,"role":"replica","source":"http://127.0.0.1:1","checkpoint_time":1795600000,"synced_at":null}'; sep
    printf '[{"index":4,"id":"a1","issuer":"did:jwk:x","subject":"did:jwk:y","name":"City","vcts":["v"],"nbf":0,"exp":null,"delegate":false,"revoked_at":null}]'; sep
    printf '{"results":[{"error":{"code":"bad","message":"no"}}]}'; sep
    printf '{"proof":["%064d"]}' 7
} | seed ledger_http decoders 3 -

# status_list: a token shape (0), the draft's 1-bit example list (1), raw statuses (2).
printf 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImRpZDpqd2s6eCMwIiwidHlwIjoic3RhdHVzbGlzdCtqd3QifQ.eyJpc3MiOiJkaWQ6andrOngiLCJzdWIiOiJodHRwczovL2V4YW1wbGUuY29tL3N0YXR1c2xpc3RzLzEiLCJpYXQiOjE3OTU2MDAwMDAsInN0YXR1c19saXN0Ijp7ImJpdHMiOjEsImxzdCI6ImVOcmJ1UmdBQWhjQlhRIn19.AAAA' |
    seed status_list token 0 -
printf '{"bits":1,"lst":"eNrbuRgAAhcBXQ"}' | seed status_list list-1bit 1 -
printf '{"bits":2,"lst":"eNo76fITAAPfAgc"}' | seed status_list list-2bit 1 -
printf '\002\001\002\003\004\377' | seed status_list raw 2 -

# wallet_backup: a file header (0), plaintext contents (1).
printf 'CIVITAS-BACKUP-1%016d%012d%016d' 0 0 0 | seed wallet_backup header 0 -
printf '{"format":1,"created":1795600000,"did":"did:webvh:x:ledger.civitas.example:people:a","fragment":"key-1","update_index":0,"identity_created":1795600000,"deactivated":false,"device_keys":[],"settings":{},"credentials":[{"id":"c1","compact":"e30.e30.AA~","received":1795600000,"digest":"00"}],"history":["{}"],"receipts":[]}' |
    seed wallet_backup contents 1 -
echo "seeded: $(ls corpus | tr '\n' ' ')"
