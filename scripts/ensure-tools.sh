#!/usr/bin/env bash
# Installs what building and testing Portcullis need, when it is missing:
# the wasm target, cargo-leptos (built so that it downloads nothing),
# wasm-bindgen-cli at the Cargo.lock version, the npm packages of end2end/
# (Playwright, binaryen's wasm-opt), Debian's nginx (the forward-auth test
# puts it in front of a server) and, with --browser, Debian's Chromium.
# Safe to repeat: each step checks first. Source it to get PATH set.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_browser=false
for arg in "$@"; do
  [ "$arg" = "--browser" ] && want_browser=true
done

log() { printf '==> %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >&2
fi

leptos_version="0.3.10"
if ! cargo leptos --version 2>/dev/null | grep -q "$leptos_version"; then
  log "installing cargo-leptos $leptos_version (no_downloads; takes ~15 minutes once)"
  cargo install cargo-leptos --version "$leptos_version" --locked --features no_downloads >&2
fi

bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")"
if ! wasm-bindgen --version 2>/dev/null | grep -q "$bindgen_version"; then
  log "installing wasm-bindgen-cli $bindgen_version"
  cargo install wasm-bindgen-cli --version "$bindgen_version" >&2
fi

# npm ci when node_modules is missing or older than the lock file.
stamp="$root/end2end/node_modules/.portcullis-installed"
if [ ! -f "$stamp" ] || [ "$root/end2end/package-lock.json" -nt "$stamp" ]; then
  log "installing end2end npm packages"
  (cd "$root/end2end" && npm ci --no-audit --no-fund >&2)
  touch "$stamp"
fi
# binaryen's wasm-opt from npm first: Debian's older one breaks hydration.
export PATH="$root/end2end/node_modules/.bin:$PATH"

if $want_browser && [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium >&2
fi

# The gateway of the forward-auth test (`auth_request` is in nginx-light).
if [ ! -x /usr/sbin/nginx ]; then
  log "installing Debian's nginx-light"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y nginx-light >&2
fi
