#!/usr/bin/env bash
# Re-downloads the upstream test vectors checked in under testdata/ (see
# testdata/README.md for what each file is and why it is here).
#
#   scripts/refresh-vectors.sh            # the exact upstream versions checked in
#   REF=main scripts/refresh-vectors.sh   # the newest version of every file
#
# Then run `cargo test -p civitas-ledger` and review `git diff testdata/`: the tests
# read the vectors out of these files, so an upstream change that moves or renames a
# vector shows up as a failing test, not as a silently skipped one.
set -euo pipefail

cd "$(dirname "$0")/../testdata"
raw="https://raw.githubusercontent.com"
missing=0

# fetch OWNER/REPO PINNED-COMMIT UPSTREAM-PATH LOCAL-PATH
fetch() {
    local repo=$1 commit=$2 path=$3 dest=$4
    local ref=${REF:-$commit}
    local url="$raw/$repo/$ref/$path"
    mkdir -p "$(dirname "$dest")"
    if curl -fsSL --retry 2 "$url" -o "$dest.tmp"; then
        mv "$dest.tmp" "$dest"
        echo "ok       $dest"
    else
        rm -f "$dest.tmp"
        echo "MISSING  $url" >&2
        missing=1
    fi
}

# C2SP specifications: the examples at the top of each document.
fetch C2SP/C2SP 055287621bf3cd13ff4394418a3e8efc2d5e8ed7 signed-note.md c2sp/signed-note.md
fetch C2SP/C2SP 2793893976c835db049c194d8f2c4f946dcb70ba tlog-checkpoint.md c2sp/tlog-checkpoint.md

# golang.org/x/mod/sumdb/note: keys, a signing key and signed notes (TestSign, TestOpen).
fetch golang/mod 02c991387e35f9e4c0a9b7ce137717055f8d716d \
    sumdb/note/note_test.go golang-mod/sumdb/note/note_test.go

# sigsum-go: an Ed25519 checkpoint vector and a real sum.golang.org checkpoint.
fetch sigsum/sigsum-go 2224a397c849d2dd7bf412f9675f9e323381693c \
    pkg/checkpoint/checkpoint_test.go sigsum-go/pkg/checkpoint/checkpoint_test.go

# transparency-dev/merkle: the 8-leaf reference tree (leaves, node and root hashes) ...
fetch transparency-dev/merkle 582a6ad190b6848f1d26f8bf08ddef29955d9db1 \
    testonly/constants.go transparency-dev-merkle/testonly/constants.go

# ... and its inclusion / consistency proof vectors (JSON), each at the commit it was
# taken from.
while read -r commit path; do
    fetch transparency-dev/merkle "$commit" "$path" "transparency-dev-merkle/$path"
done <<'LIST'
bcba819ef46f73fd3aaa964f46778beab2e20d59 testdata/consistency/0/happy-path.json
bcba819ef46f73fd3aaa964f46778beab2e20d59 testdata/consistency/1/happy-path.json
bcba819ef46f73fd3aaa964f46778beab2e20d59 testdata/consistency/1/swapped-roots.json
bcba819ef46f73fd3aaa964f46778beab2e20d59 testdata/consistency/1/truncated-proof.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/consistency/2/empty-proof.json
bcba819ef46f73fd3aaa964f46778beab2e20d59 testdata/consistency/2/happy-path.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/consistency/2/size2-div-2.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/consistency/3/happy-path.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/consistency/3/size1-+-1.json
bcba819ef46f73fd3aaa964f46778beab2e20d59 testdata/consistency/3/wrong-root1.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/consistency/4/happy-path.json
bcba819ef46f73fd3aaa964f46778beab2e20d59 testdata/consistency/4/preceding-root2.json
bcba819ef46f73fd3aaa964f46778beab2e20d59 testdata/consistency/4/trailing-garbage.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/inclusion/0/happy-path.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/inclusion/0/treeSize-div-2.json
73a0db1c2a2bd17afd311403643abea0266cbf87 testdata/inclusion/1/happy-path.json
73a0db1c2a2bd17afd311403643abea0266cbf87 testdata/inclusion/1/preceding-garbage.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/inclusion/1/trailing-garbage.json
73a0db1c2a2bd17afd311403643abea0266cbf87 testdata/inclusion/1/wrong-leaf.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/inclusion/2/happy-path.json
73a0db1c2a2bd17afd311403643abea0266cbf87 testdata/inclusion/2/random-root.json
73a0db1c2a2bd17afd311403643abea0266cbf87 testdata/inclusion/2/wrong-leaf.json
73a0db1c2a2bd17afd311403643abea0266cbf87 testdata/inclusion/3/happy-path.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/inclusion/3/removed-component.json
73a0db1c2a2bd17afd311403643abea0266cbf87 testdata/inclusion/4/happy-path.json
65362ac5a212fd079e82284b91b5f87aac41b56a testdata/inclusion/4/inserted-component.json
LIST

if [ "$missing" != 0 ]; then
    echo "some files were not found upstream (renamed or removed?); see above" >&2
    exit 1
fi
