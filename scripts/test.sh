#!/usr/bin/env bash
# Runs every test: the model's purity rule, unit + integration tests (real SQLite files, a
# throwaway PostgreSQL cluster, real HTTP on loopback), the wasm build, and the browser tests in headless Chromium against the
# release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh --browser
export PATH="$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1;34m== %s ==\033[0m\n' "$*"; }
# One-shot builds gain nothing from incremental state, which doubles the target directory's
# size; a CI run once failed for lack of disk, so say what there is before building.
export CARGO_INCREMENTAL=0
df -h . | awk 'NR == 2 { print "disk: " $4 " free of " $2 }'

step "purity: model/ and charts/ import no IO, clock or randomness"
if grep -rnE '\b(leptos|tokio|sqlx|web_sys|wasm_bindgen|rand)::|SystemTime|Utc::now|Local::now' app/src/model app/src/charts; then
  echo "model/ or charts/ reach outside pure code (see the lines above)"; exit 1
fi
echo "ok"

step "alerting rules: promtool check and unit tests (deploy/prometheus)"
promtool check rules deploy/prometheus/rules.yml
(cd deploy/prometheus && promtool test rules rules.test.yml)

step "throwaway PostgreSQL for the store's second engine (scripts/postgres.sh)"
PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rigshift-pg.XXXXXX")"
trap 'scripts/postgres.sh stop "$PG_DIR"' EXIT
RIGSHIFT_TEST_POSTGRES_URL="$(scripts/postgres.sh start "$PG_DIR")"
export RIGSHIFT_TEST_POSTGRES_URL
echo "$RIGSHIFT_TEST_POSTGRES_URL"

mkdir -p target
step "cargo test (workspace: model, charts, api, store, market, HTTP)"
cargo test --workspace 2>&1 | tee target/cargo-test.log | grep -E '^(test result|running|error)|FAILED|panicked' || true
if grep -qE 'FAILED|^error' target/cargo-test.log || ! grep -q '^test result' target/cargo-test.log; then
  echo "cargo test failed"; exit 1
fi
awk '/^test result/ { p += $4; f += $6 } END { printf "cargo test summary: %d passed, %d failed\n", p, f }' target/cargo-test.log

step "model in wasm (genesis block, SIMD SHA-256d, roofline) under node"
# NODE_PATH: the lazy routes' split imports resolve to a stub (app/tests/node-shims).
NODE_PATH="$PWD/app/tests/node-shims" CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p app --target wasm32-unknown-unknown --features hydrate --test wasm_model 2>&1 | grep -E '^(test|error)|panicked'

step "release build (server + hydrating wasm)"
scripts/build.sh

step "browser tests (Playwright, Debian chromium)"
npx playwright test --config end2end/playwright.config.ts
du -sh target | awk '{ print "target directory: " $1 }'
