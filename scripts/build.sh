#!/usr/bin/env bash
# The release build: the hydrating wasm split by route (`--split`), every static file hashed
# (hash-files in Cargo.toml) and precompressed with brotli and gzip (`--precompress`), and the
# server binary. Hashing and precompression make cargo-leptos build the two one after the other,
# so we run the two halves side by side: they use separate target directories.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
# The browser's SHA-256d measurement module (SIMD, run by one Web Worker per core), first: the
# frontend build copies public/ into the site and precompresses it.
cargo build -p sha256-worker --target wasm32-unknown-unknown --profile worker-release
cp target/wasm32-unknown-unknown/worker-release/sha256_worker.wasm public/vendor/sha256-worker.wasm
cargo leptos build --release --split --precompress --frontend-only &
front=$!
cargo leptos build --release --server-only &
server=$!
status=0
wait "$front" || status=$?
# cargo-leptos gzips at a fast level; browsers without brotli deserve the smallest gzip too.
if [ "$status" = 0 ]; then
  find target/site -name '*.gz' -print0 | while IFS= read -r -d '' gz; do
    gzip -9 -n -c "${gz%.gz}" > "$gz"
  done
fi
wait "$server" || status=$?
exit "$status"
