#!/usr/bin/env bash
# Installs what Civitas needs on a Debian 12 machine. Idempotent and quick when
# everything is there. Usage: scripts/setup.sh [run|test]
#   run   the packages needed to build and run (default)
#   test  also the test peers and tools (zbar, Python and npm peers, cargo-fuzz not needed)
set -euo pipefail
mode=${1:-run}
root=$(cd "$(dirname "$0")/.." && pwd)

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
want() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$1"); }
for p in build-essential pkg-config curl ca-certificates python3-venv; do want "$p"; done
if [ "$mode" = test ]; then
  for p in zbar-tools imagemagick; do want "$p"; done
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo is missing; install Rust 1.95 (https://rustup.rs) and run again" >&2
  exit 1
fi

if [ "$mode" = test ]; then
  # Independent implementations the interop tests talk to (../shared/recipes/interop-peers.md).
  bash "$root/crates/civitas-cli/tests/interop/setup.sh"
fi
