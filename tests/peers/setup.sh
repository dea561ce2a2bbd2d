#!/usr/bin/env bash
# Installs the Python peers (requirements.txt and aics-tlog.txt beside this script) into
# a venv at ${CIVITAS_PEERS_VENV:-$HOME/.cache/civitas-peers/venv}. Idempotent: when
# exactly the pinned versions are installed it only checks and returns; a venv holding
# any other version is reinstalled. CIVITAS_PEERS_PYTHON picks the interpreter.
#
# Debian 12's own python3 (3.11) is enough: didkit 0.3.3 ships wheels for CPython 3.8-3.12,
# and aics-tlog 0.2.1, which declares Python >= 3.12, runs unchanged on 3.11 (its test,
# crates/civitas-ledger/tests/peer_aics_tlog.rs, checks every answer it gives), so it is
# installed with --ignore-requires-python --no-deps (its one dependency, cryptography,
# is pinned in requirements.txt).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${CIVITAS_PEERS_VENV:-$HOME/.cache/civitas-peers/venv}"
say() { printf 'python peers: %s\n' "$*" >&2; }

# didkit 0.3.3 ships wheels for CPython up to 3.12 only: pick an interpreter it fits.
pick_python() {
    local c
    for c in ${CIVITAS_PEERS_PYTHON:-} /usr/bin/python3 python3 python3.12 python3.11 python3.10; do
        command -v "$c" >/dev/null 2>&1 || continue
        if "$c" -c 'import sys, venv, ensurepip; sys.exit(not ((3, 8) <= sys.version_info[:2] <= (3, 12)))' \
            2>/dev/null; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

# The pins: every "name==version" line of both files.
pins() { grep -hE '^[A-Za-z0-9_.-]+==' "$here/requirements.txt" "$here/aics-tlog.txt"; }
# Prints the pins the venv does not hold at exactly that version (names compared the way
# pip normalizes them).
missing_pins() {
    local norm='s/[-_.]+/-/g'
    comm -23 <(pins | tr 'A-Z' 'a-z' | sed -E "$norm" | sort -u) \
        <("$venv/bin/python" -m pip freeze --disable-pip-version-check 2>/dev/null \
            | tr 'A-Z' 'a-z' | sed -E "$norm" | sort -u)
}

if [ -x "$venv/bin/python" ] && [ -z "$(missing_pins)" ] \
    && "$venv/bin/python" -c 'import didkit, sd_jwt, jwcrypto, did_webvh, segno, aics_tlog' 2>/dev/null; then
    say "Python peers up to date in $venv (pinned versions checked)"
    exit 0
fi

if ! "$venv/bin/python" -c 'import sys; sys.exit(not ((3, 8) <= sys.version_info[:2] <= (3, 12)))' 2>/dev/null; then
    python="$(pick_python)" || {
        say "need CPython 3.8-3.12 with venv/ensurepip (didkit 0.3.3 has no wheel for newer);"
        say "set CIVITAS_PEERS_PYTHON, or apt-get install python3-venv"
        exit 1
    }
    say "creating venv $venv with $python"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
fi
say "pip install the pinned peers into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
    -r "$here/requirements.txt"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
    --ignore-requires-python --no-deps -r "$here/aics-tlog.txt"
"$venv/bin/python" -c 'import didkit, sd_jwt, jwcrypto, did_webvh, segno, aics_tlog'
left=$(missing_pins)
if [ -n "$left" ]; then
    say "after installing, these pins are still not met:"; printf '  %s\n' $left >&2
    exit 1
fi
say "ready"
