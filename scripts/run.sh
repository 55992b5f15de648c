#!/usr/bin/env bash
# Builds the release site and binary, then serves the dashboard on http://127.0.0.1:3000 with
# its embedded defaults (SQLite file rigshift.db, simulator on, bundled market snapshot).
# Extra arguments go to `rigshift serve` (see `target/release/rigshift --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
export PATH="$PWD/node_modules/.bin:$PATH"
scripts/build.sh
exec target/release/rigshift serve "$@"
