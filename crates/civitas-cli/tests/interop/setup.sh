#!/usr/bin/env bash
# Installs the interop peers that crates/civitas-cli/tests/interop.rs runs against:
#   - npm @sd-jwt/sd-jwt-vc + @sd-jwt/crypto-nodejs 0.19.0 and @openid4vc/openid4vci,
#     @openid4vc/oauth2, @openid4vc/utils 0.4.6 and oidc-provider 9.13.3 (the city's
#     login in vci_authorization.rs; package-lock.json) into node_modules/ beside this
#     script;
#   - a Python venv with didkit 0.3.3 and sd-jwt 0.10.4 (requirements.txt) at
#     ${CIVITAS_PEERS_VENV:-$HOME/.cache/civitas-peers/venv}.
# Idempotent: when both are installed as pinned, it only checks and returns (well under
# a second). Set CIVITAS_PEERS_PYTHON to choose the interpreter for a new venv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${CIVITAS_PEERS_VENV:-$HOME/.cache/civitas-peers/venv}"

say() { printf 'interop setup: %s\n' "$*" >&2; }

# --- node + npm --------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing nodejs and npm (Debian packages)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
        say "node and npm are needed (e.g. apt-get install nodejs npm)"
        exit 1
    fi
fi

lock_sum="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
stamp="$here/node_modules/.civitas-interop-lock"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] \
    && [ -f "$here/node_modules/@sd-jwt/sd-jwt-vc/package.json" ] \
    && [ -f "$here/node_modules/@openid4vc/openid4vci/package.json" ] \
    && [ -f "$here/node_modules/oidc-provider/package.json" ]; then
    say "npm peers up to date"
else
    say "npm ci in $here"
    (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
    echo "$lock_sum" >"$stamp"
fi

# --- Python peers (shared with the other crates' interop tests) ----------------------
bash "$here/../../../../tests/peers/setup.sh"
say "ready"
