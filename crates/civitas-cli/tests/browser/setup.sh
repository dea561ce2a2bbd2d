#!/usr/bin/env bash
# Installs what tests/counter_browser.rs needs: Debian's Chromium and playwright-core
# (package-lock.json) beside this script. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v chromium >/dev/null; then
    echo "browser test setup: installing Debian chromium" >&2
    if [ "$(id -u)" -eq 0 ]; then s=""; else s="sudo"; fi
    $s apt-get update -qq
    $s env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
sum="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
stamp="$here/node_modules/.civitas-lock"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
    echo "$sum" > "$stamp"
fi
