#!/usr/bin/env bash
# The benchmark harness (docs/performance.md): builds Veza in release mode and measures it against raw
# SQL on SQLite and on Postgres, each on its own generated data set (kept in target/bench and in the
# Postgres database veza_bench_<contacts>, reused by later runs).
#   ./scripts/bench.sh                 1,000,000 contacts (the issue's scale; generation takes minutes once)
#   ./scripts/bench.sh --quick         20,000 contacts, a short run that proves the harness works
#   ./scripts/bench.sh --backend sqlite --contacts 200000 …   any veza-bench option (see --help)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-tools.sh --release
export PATH="$PWD/.tools/node_modules/.bin:$PATH"
cargo leptos build --release --split
cargo build --release -p veza-bench
if printf '%s\n' "$@" | grep -q -- '--backend'; then
  ./target/release/veza-bench "$@"
else
  ./target/release/veza-bench --backend sqlite "$@"
  ./target/release/veza-bench --backend postgres "$@"
fi
