#!/usr/bin/env bash
# The release build: `cargo xtask build` (xtask/) compiles the hydrating wasm and the server side
# by side, splits the wasm at the lazy routes, binds, optimises and minifies it, hashes every
# /pkg name, precompresses the site (brotli 11, gzip 9) and writes the hash file beside the
# binary. No cargo-leptos: it takes 17 minutes to install on a fresh machine (docs/BUILDING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
exec cargo xtask build "$@"
