#!/usr/bin/env bash
# Runs every test: the model's purity rule, the alerting rules, unit + integration tests (real
# SQLite files, a throwaway PostgreSQL cluster, real HTTP on loopback), the model in wasm, the
# release build, and the browser tests in headless Chromium against the release build.
#
# The gate: every step's exit status decides; each runner's own result (cargo's `test result`
# lines per test binary, wasm-bindgen-test's, Playwright's JSON report) is counted against the
# floors in `.ci/test-floors`, so a lost test binary, a killed or truncated run, a wasm step that
# ran nothing or a committed `test.only` fails; every step has a time limit. The last line is
# the summary CI reads: "N passed, N failed", summed from the runners' results.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
# One-shot builds gain nothing from incremental state, which doubles the target directory's
# size; a CI run once failed for lack of disk, so say what there is before building.
export CARGO_INCREMENTAL=0
# Playwright reads it: `forbidOnly` (a committed test.only fails the run), no retries.
export CI=1
FLOORS=.ci/test-floors
# RIGSHIFT_TEST_ONLY="house cargo wasm build browser" runs those steps alone (a developer's
# shortcut; CI sets nothing and runs every step). Floors are checked for the steps that ran.
ONLY=" ${RIGSHIFT_TEST_ONLY:-house promtool cargo wasm build browser} "
wants() { [[ "$ONLY" == *" $1 "* ]]; }
LOGS=target/test-logs
mkdir -p "$LOGS"
# Nothing from an earlier run may stand in for this one's results.
rm -f "$LOGS"/*

# Where the time goes: each step's seconds, printed at the end (and on failure).
STEP_NAME="tools"; STEP_START=$SECONDS; STEP_TIMES=""
end_step() { STEP_TIMES+="$(printf '%6d s  %s' $((SECONDS - STEP_START)) "$STEP_NAME")"$'\n'; }
step() { end_step; STEP_NAME="$*"; STEP_START=$SECONDS; printf '\n\033[1;34m== %s ==\033[0m\n' "$*"; }
step_times() { end_step; printf '\ntime per step:\n%s%6d s  in all\n' "$STEP_TIMES" "$SECONDS"; }
fail() { printf '\n\033[1;31mFAILED: %s\033[0m\n' "$*"; step_times; summary; exit 1; }
# summary: the sum of every runner's counts recorded so far.
summary() {
  cat "$LOGS"/*.counts 2>/dev/null | awk '{ p += $2; f += $3 } END { printf "test summary: %d passed, %d failed\n", p, f }'
}
# timed SECONDS NAME CMD...: runs CMD with a time limit; a step over it is named and fails.
timed() {
  local secs="$1" name="$2"; shift 2
  local rc=0
  timeout --kill-after=20 "$secs" "$@" || rc=$?
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    fail "step '$name' ran over its limit of ${secs} s (scripts/test.sh)"
  fi
  return "$rc"
}
# floor_check KIND NAME PASSED: fails when NAME ran fewer tests than its floor in $FLOORS.
floor_check() {
  local kind="$1" name="$2" passed="$3" floor
  floor="$(awk -v k="$kind" -v n="$name" '$1 == k && $2 == n { print $3 }' "$FLOORS")"
  # A count that is not one whole number (two binaries of one name, a runner that printed
  # nothing) is a failure, not a pass.
  [[ "$passed" =~ ^[0-9]+$ ]] || fail "$kind $name reported ${passed:-nothing} as its count, not one number"
  if [ -n "$floor" ] && [ "$passed" -lt "$floor" ]; then
    fail "$kind $name ran $passed tests, fewer than its floor of $floor ($FLOORS)"
  fi
}

scripts/tools.sh --browser
df -h . | awk 'NR == 2 { print "disk: " $4 " free of " $2 }'

if wants house; then
step "the house: a pure core, no import circle, no function over 120 lines, the architecture doc true"
scripts/purity.sh
echo "pure core: ok"
python3 scripts/rust_source.py
scripts/import-cycles.py
scripts/layer-order.py
scripts/long-functions.py
scripts/architecture-check.py
fi

if wants promtool; then
step "alerting rules: promtool check and unit tests (deploy/prometheus)"
timed 120 promtool-check promtool check rules deploy/prometheus/rules.yml
out="$(cd deploy/prometheus && timed 120 promtool-test promtool test rules rules.test.yml 2>&1)" || { echo "$out"; fail "promtool test rules"; }
echo "$out"
# promtool (2.42) prints one SUCCESS per file and exits 0 only when every case passed: the cases
# that ran are the test file's evaluations (each alert_rule_test and promql_expr_test entry has
# one eval_time), counted when promtool said SUCCESS.
ok=0
if grep -q SUCCESS <<<"$out"; then
  ok=$(grep -cE '^[[:space:]]*-?[[:space:]]*eval_time:' deploy/prometheus/rules.test.yml || true)
fi
echo "promtool $ok 0" > "$LOGS/promtool.counts"
echo "promtool: $ok rule test cases passed"
floor_check promtool rules "$ok"
fi

if wants cargo; then
step "throwaway PostgreSQL for the store's second engine (scripts/postgres.sh)"
PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rigshift-pg.XXXXXX")"
trap 'scripts/postgres.sh stop "$PG_DIR"' EXIT
RIGSHIFT_TEST_POSTGRES_URL="$(scripts/postgres.sh start "$PG_DIR")"
export RIGSHIFT_TEST_POSTGRES_URL
echo "$RIGSHIFT_TEST_POSTGRES_URL"

step "cargo test (workspace: model, charts, api, store, market, HTTP)"
rm -f "$LOGS/cargo-test.rc"
{ rc=0; timed 1500 cargo-test cargo test --workspace --no-fail-fast 2>&1 || rc=$?; echo "$rc" > "$LOGS/cargo-test.rc"; } \
  | tee "$LOGS/cargo-test.log" \
  | grep --line-buffered -E '^(test result|     Running|   Doc-tests|error)|FAILED|panicked' || true
# The status file is written only when cargo ended by itself (a step over its limit exits first).
[ -s "$LOGS/cargo-test.rc" ] || fail "cargo test did not finish"
rc="$(cat "$LOGS/cargo-test.rc")"
# One line per test binary: its name (the deps file without its hash, or "doc-CRATE") and counts.
awk '
  /^     Running / { n = $0; sub(/.*deps\//, "", n); sub(/-[0-9a-f]+\)$/, "", n); next }
  /^   Doc-tests / { n = "doc-" $2; next }
  /^test result:/ { print n, $4, $6, $8 }
' "$LOGS/cargo-test.log" > "$LOGS/cargo-binaries"
awk '{ p += $2; f += $3 } END { print "cargo", p + 0, f + 0 }' "$LOGS/cargo-binaries" > "$LOGS/cargo.counts"
awk '{ printf "  %-28s %5d passed %3d failed %3d ignored\n", $1, $2, $3, $4 }' "$LOGS/cargo-binaries"
[ "$rc" = 0 ] || fail "cargo test exited with status $rc"
if awk '$4 > 0 { bad = 1 } END { exit !bad }' "$LOGS/cargo-binaries"; then
  fail "ignored tests: the suite runs every test it has"
fi
while read -r _ name floor; do
  passed="$(awk -v n="$name" '$1 == n { print $2 }' "$LOGS/cargo-binaries")"
  [ -n "$passed" ] || fail "cargo test binary '$name' did not run (floor $floor in $FLOORS)"
  floor_check cargo "$name" "$passed"
done < <(awk '$1 == "cargo"' "$FLOORS")
fi

if wants wasm; then
step "model in wasm (genesis block, SIMD SHA-256d, roofline) under node"
# NODE_PATH: the lazy routes' split imports resolve to a stub (app/tests/node-shims).
rc=0
NODE_PATH="$PWD/app/tests/node-shims" CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  timed 900 wasm-test cargo test -p app --target wasm32-unknown-unknown --features hydrate --test wasm_model \
  > "$LOGS/wasm-test.log" 2>&1 || rc=$?
grep -E '^(test |test result|error)|panicked' "$LOGS/wasm-test.log" || true
[ "$rc" = 0 ] || { tail -n 40 "$LOGS/wasm-test.log"; fail "wasm tests exited with status $rc"; }
awk '/^test result:/ { p += $4; f += $6 } END { print "wasm", p + 0, f + 0 }' "$LOGS/wasm-test.log" > "$LOGS/wasm.counts"
read -r _ passed _ < "$LOGS/wasm.counts"
[ "$passed" -gt 0 ] || fail "the wasm step ran no tests"
floor_check wasm wasm_model "$passed"
fi

if wants build; then
step "release build (server + hydrating wasm)"
timed 1800 release-build scripts/build.sh
fi

if wants browser; then
step "browser tests (Playwright, Debian chromium)"
rc=0
PLAYWRIGHT_JSON_OUTPUT_NAME="$PWD/$LOGS/playwright.json" \
  timed 1200 playwright npx playwright test --config end2end/playwright.config.ts || rc=$?
[ -s "$LOGS/playwright.json" ] || fail "Playwright wrote no report (status $rc)"
node -e '
  const r = require(process.argv[1]);
  const s = r.stats || {};
  const passed = (s.expected || 0) + (s.flaky || 0);
  const failed = (s.unexpected || 0);
  const errors = (r.errors || []).length;
  console.log(`playwright ${passed} ${failed + errors} ${s.skipped || 0}`);
' "$PWD/$LOGS/playwright.json" > "$LOGS/playwright.counts"
read -r _ passed failed skipped < "$LOGS/playwright.counts"
echo "playwright: $passed passed, $failed failed, $skipped skipped"
[ "$rc" = 0 ] || fail "Playwright exited with status $rc"
[ "$skipped" = 0 ] || fail "Playwright skipped $skipped tests"
floor_check playwright all "$passed"
fi

du -shL target | awk '{ print "target directory: " $1 }'
step_times
summary
