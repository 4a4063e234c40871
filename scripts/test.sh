#!/usr/bin/env bash
# Runs every test of Veza: unit tests, service integration tests on SQLite and Postgres, and the
# Playwright end-to-end tests in Debian's Chromium against a fresh SQLite and a fresh Postgres database.
# Postgres: VEZA_TEST_PG (default postgres://postgres@127.0.0.1:5432). With VEZA_REQUIRE_POSTGRES=1
# (as in CI) an unreachable Postgres fails the run; otherwise Postgres parts are skipped with a warning.
set -euo pipefail
cd "$(dirname "$0")/.."
export VEZA_TEST_PG="${VEZA_TEST_PG:-postgres://postgres@127.0.0.1:5432}"
export VEZA_TEST_POSTGRES_URL="$VEZA_TEST_PG/postgres"
log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

./scripts/install-tools.sh --test

PG_OK=0
if command -v pg_isready >/dev/null && pg_isready -q -d "$VEZA_TEST_PG/postgres"; then PG_OK=1; fi
if [ "$PG_OK" = 0 ]; then
  if [ "${VEZA_REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "Postgres is required but not reachable at $VEZA_TEST_PG" >&2
    exit 1
  fi
  echo "WARNING: Postgres not reachable at $VEZA_TEST_PG: Postgres tests are skipped" >&2
fi

log "unit and integration tests (SQLite and Postgres)"
cargo test -p app --features ssr
cargo test -p server

log "building the web app"
cargo leptos build --split

run_e2e() {
  local name=$1 url=$2
  log "end-to-end tests in Chromium on $name"
  local dir; dir=$(mktemp -d)
  # E-mail goes to the tests' mail server (end2end/smtp-sink.ts, started by Playwright).
  LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR=127.0.0.1:3917 VEZA_LANG=en VEZA_DATA_DIR="$dir" DATABASE_URL="$url" \
    VEZA_SMTP_URL=smtp://127.0.0.1:2525 \
    ./target/debug/veza serve >"$dir/server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 60); do
    curl -sf http://127.0.0.1:3917/healthz >/dev/null && break
    sleep 0.5
  done
  # A server that did not start (port taken, bad database) must not let the tests talk to another one.
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the Veza server for the $name tests did not start:"; tail -n 20 "$dir/server.log"
    exit 1
  fi
  local status=0
  (cd end2end && VEZA_URL=http://127.0.0.1:3917 npx playwright test) || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$status" != 0 ]; then
    echo "--- server log ($name) ---"; tail -n 50 "$dir/server.log"
    exit "$status"
  fi
}

run_e2e SQLite ""
if [ "$PG_OK" = 1 ]; then
  DB="veza_e2e_$$"
  psql -q "$VEZA_TEST_PG/postgres" -c "CREATE DATABASE $DB" >/dev/null
  trap 'psql -q "$VEZA_TEST_PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
  run_e2e Postgres "$VEZA_TEST_PG/$DB"
fi
log "benchmark harness at the quick scale (proves it works; never a timed test)"
cargo build -p veza-bench
BENCH_DIR=$(mktemp -d)
./target/debug/veza-bench --quick --strict --server target/debug/veza --port 3918 \
  --database-url "sqlite://$BENCH_DIR/bench.db" --out "$BENCH_DIR/sqlite.json"
if [ "$PG_OK" = 1 ]; then
  BENCH_DB="veza_bench_ci_$$"
  psql -q "$VEZA_TEST_PG/postgres" -c "CREATE DATABASE $BENCH_DB" >/dev/null
  ./target/debug/veza-bench --quick --strict --backend postgres --server target/debug/veza --port 3918 \
    --database-url "$VEZA_TEST_PG/$BENCH_DB" --out "$BENCH_DIR/postgres.json" || { psql -q "$VEZA_TEST_PG/postgres" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"; exit 1; }
  psql -q "$VEZA_TEST_PG/postgres" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null
fi
rm -rf "$BENCH_DIR"
log "all tests passed"
