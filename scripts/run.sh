#!/usr/bin/env bash
# Builds Veza and serves it on SQLite at http://127.0.0.1:3000 (data in ./data).
#   ./scripts/run.sh          start Veza (a new installation opens the first-run setup page)
#   ./scripts/run.sh --demo   load the demo data first (sign in as admin@demo.veza.rs / demo-lozinka)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-tools.sh
cargo leptos build --split
export LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
if [ "${1:-}" = "--demo" ]; then
  ./target/debug/veza demo
fi
exec ./target/debug/veza serve
