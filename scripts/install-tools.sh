#!/usr/bin/env bash
# Installs what building and testing Veza needs, skipping whatever is already there:
# the wasm target, cargo-leptos 0.3.10, wasm-bindgen-cli at the version in Cargo.lock; with --test
# Debian's Chromium and the npm packages of the end-to-end tests; with --release npm's wasm-opt.
# Nothing is downloaded from GitHub: cargo-leptos finds wasm-bindgen and wasm-opt on PATH, so it
# never fetches its own.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  log "installing cargo-leptos 0.3.10 (takes 15-30 minutes once)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version 0.3.10 --locked
fi

WBG=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WBG"; then
  log "installing wasm-bindgen-cli $WBG (takes about 10 minutes once)"
  cargo install wasm-bindgen-cli --version "$WBG"
fi

if [ "${1:-}" = "--release" ]; then
  # Release builds run wasm-opt. Debian's binaryen breaks hydration; npm's works. Kept in .tools/.
  if [ ! -x .tools/node_modules/.bin/wasm-opt ]; then
    log "installing wasm-opt (npm binaryen 132) into .tools/"
    mkdir -p .tools && npm install --prefix .tools --no-audit --no-fund binaryen@132.0.0 >/dev/null
  fi
fi

if [ "${1:-}" = "--test" ]; then
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's Chromium"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/ical.js ]; then
    log "installing the end-to-end test packages (npm, no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund)
  fi
fi
