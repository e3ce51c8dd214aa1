#!/usr/bin/env bash
# The release build of the console: the server binary and the browser
# bundle, split into one chunk per page (`--split`, the routes are lazy),
# its files named by their hash (`hash-files` in Cargo.toml, listed in
# target/release/hash.txt), then a brotli and a gzip copy of each file.
# The bundle folder is emptied first: hashed names of earlier builds would
# otherwise pile up (and be renamed again).
set -euo pipefail
cd "$(dirname "$0")/.."
# binaryen's wasm-opt from npm first (see ensure-tools.sh, which installs it).
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export RUSTFLAGS="--cfg erase_components"
rm -rf target/site/pkg
cargo leptos build --release --split "$@"
node scripts/precompress.mjs target/site/pkg
