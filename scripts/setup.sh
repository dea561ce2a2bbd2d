#!/usr/bin/env bash
# Installs what Civitas needs on a Debian 12 machine. Idempotent and quick when
# everything is there. Usage: scripts/setup.sh [run|test]
#   run   the packages needed to build and run, the desktop app included (default)
#   test  also the test peers and tools (zbar, Python and npm peers, cargo-fuzz not
#         needed) and the app's end-to-end stack (Xvfb, WebKitWebDriver, tauri-driver)
set -euo pipefail
mode=${1:-run}
root=$(cd "$(dirname "$0")/.." && pwd)

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
want() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$1"); }
for p in build-essential pkg-config curl ca-certificates python3-venv; do want "$p"; done
# The desktop app (src-tauri): WebKitGTK 4.1 and what Tauri 2 links on Linux
# (../shared/recipes/tauri-linux.md).
for p in libwebkit2gtk-4.1-dev libxdo-dev libssl-dev librsvg2-dev file; do want "$p"; done
if [ "$mode" = test ]; then
  for p in zbar-tools imagemagick; do want "$p"; done
  # The app's end-to-end test: a virtual display and WebKit's WebDriver.
  for p in xvfb xauth webkit2gtk-driver fonts-noto-cjk; do want "$p"; done
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

# The app's front end (ui/): Node 20 and npm come with the machine; install the locked
# packages when they are missing or older than package-lock.json.
if ! command -v npm >/dev/null; then
  echo "setup: npm is missing; install Node.js 20 (with npm) and run again" >&2
  exit 1
fi
if [ ! -f "$root/ui/node_modules/.package-lock.json" ] ||
   [ "$root/ui/package-lock.json" -nt "$root/ui/node_modules/.package-lock.json" ]; then
  echo "setup: installing the ui's npm packages"
  (cd "$root/ui" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$mode" = test ] && ! command -v tauri-driver >/dev/null &&
   [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi

if [ "$mode" = test ]; then
  # Independent implementations the interop tests talk to (../shared/recipes/interop-peers.md).
  bash "$root/crates/civitas-cli/tests/interop/setup.sh"   # npm SD-JWT peer + tests/peers (Python)
  bash "$root/crates/civitas-cli/tests/browser/setup.sh"    # Chromium + playwright-core
fi
