#!/usr/bin/env bash
# Installs the Python peers (requirements.txt beside this script) into a venv at
# ${CIVITAS_PEERS_VENV:-$HOME/.cache/civitas-peers/venv}. Idempotent: when the pinned set
# is installed it only checks and returns. CIVITAS_PEERS_PYTHON picks the interpreter.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${CIVITAS_PEERS_VENV:-$HOME/.cache/civitas-peers/venv}"
say() { printf 'python peers: %s\n' "$*" >&2; }

# didkit 0.3.3 ships wheels for CPython up to 3.12 only: pick an interpreter it fits.
pick_python() {
    local c
    for c in ${CIVITAS_PEERS_PYTHON:-} python3 python3.12 python3.11 python3.10 /usr/bin/python3; do
        command -v "$c" >/dev/null 2>&1 || continue
        if "$c" -c 'import sys, venv, ensurepip; sys.exit(not ((3, 8) <= sys.version_info[:2] <= (3, 12)))' \
            2>/dev/null; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

req_sum="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
stamp="$venv/.civitas-peers-requirements"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$req_sum" ] \
    && "$venv/bin/python" -c 'import didkit, sd_jwt, jwcrypto, did_webvh, segno' 2>/dev/null; then
    say "Python peers up to date in $venv"
else
    if ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] > (3, 12))' 2>/dev/null; then
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
    say "pip install -r requirements.txt into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
        -r "$here/requirements.txt"
    "$venv/bin/python" -c 'import didkit, sd_jwt, jwcrypto, did_webvh, segno'
    echo "$req_sum" >"$stamp"
fi
say "ready"

# --- aics-tlog (C2SP checkpoints, RFC 9162): needs Python >= 3.12 -------------------------
venv312="$(dirname "$venv")/venv312"
if "$venv312/bin/python" -c 'import aics_tlog' 2>/dev/null \
    || "$venv312/bin/python" -c 'import importlib.metadata as m; m.version("aics-tlog")' 2>/dev/null; then
    say "aics-tlog up to date in $venv312"
else
    py312=""
    for c in python3.13 python3.12 "$HOME/.pyenv/versions/3.12.1/bin/python3" /usr/bin/python3; do
        p=$(command -v "$c" 2>/dev/null) || continue
        if "$p" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 12))' 2>/dev/null; then py312=$p; break; fi
    done
    if [ -z "$py312" ]; then
        for d in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3; do [ -x "$d" ] && py312=$d && break; done
    fi
    [ -n "$py312" ] || { say "aics-tlog needs Python >= 3.12 (none found)"; exit 1; }
    say "creating $venv312 with $py312"
    "$py312" -m venv "$venv312"
    "$venv312/bin/python" -m pip install --quiet --disable-pip-version-check aics-tlog==0.2.1
fi
