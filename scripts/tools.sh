#!/usr/bin/env bash
# Installs, only when missing, everything the build and the tests need. Idempotent; nothing is
# downloaded from outside the package registries (crates.io, npm, Debian).
#   scripts/tools.sh          build tools (wasm target, wasm-bindgen CLI, npm packages)
#   scripts/tools.sh --browser  the same, plus Chromium, promtool and PostgreSQL for the tests
# cargo-leptos is not needed (`cargo xtask build` does the release build); developers who want
# `cargo leptos watch --split` install it themselves (docs/BUILDING.md).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[tools]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WB_VERSION"; then
  log "installing wasm-bindgen-cli $WB_VERSION"
  # Not --locked: a dependency pinned in its lock file is missing from the registry.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/echarts/lib ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -d node_modules/swagger-ui-dist ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (echarts, esbuild, binaryen, playwright, axe-core, swagger-ui-dist)"
  npm ci --no-audit --no-fund
fi
# ECharts with only the series and components our charts use (~195 KB gzip instead of ~330 KB
# for the full build): every dashboard visit and every IR embed loads it.
VENDOR=public/vendor/echarts.min.js
if [ ! -f "$VENDOR" ] || [ scripts/echarts-entry.mjs -nt "$VENDOR" ] || [ package-lock.json -nt "$VENDOR" ]; then
  log "bundling ECharts (scripts/echarts-entry.mjs)"
  mkdir -p public/vendor
  node_modules/.bin/esbuild scripts/echarts-entry.mjs --bundle --minify --format=iife \
    --target=es2019 --legal-comments=eof --log-level=warning --outfile="$VENDOR"
fi

# The API reference page (/api/docs) serves the pinned Swagger UI build from /vendor.
SWAGGER=public/vendor/swagger-ui
if [ ! -f "$SWAGGER/swagger-ui-bundle.js" ] || [ package-lock.json -nt "$SWAGGER/swagger-ui-bundle.js" ]; then
  log "copying Swagger UI (swagger-ui-dist) into $SWAGGER"
  mkdir -p "$SWAGGER"
  cp node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,LICENSE} "$SWAGGER/"
fi

# promtool checks and unit-tests the shipped alerting rules (Debian's prometheus package; no
# server is started by the tests).
if [ "${1:-}" = "--browser" ] && ! command -v promtool >/dev/null; then
  log "installing promtool (Debian package prometheus)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # Debian's package may start a server where an init system runs; the tests do not need it.
  $SUDO service prometheus stop >/dev/null 2>&1 || true
fi

# PostgreSQL for the store's second engine: the tests start a throwaway cluster of their own
# (scripts/postgres.sh); Debian's package may start its default cluster, which nothing uses.
if [ "${1:-}" = "--browser" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing PostgreSQL (Debian package postgresql)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null; then
  log "installing Chromium from apt"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
