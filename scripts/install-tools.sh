#!/usr/bin/env bash
# Installs the build and test tools this project needs, each only when it is
# missing or at the wrong version. Safe to run again.
#   scripts/install-tools.sh          build tools (Rust target, cargo-leptos,
#                                     wasm-bindgen, npm packages)
#   scripts/install-tools.sh --test   the above, plus Chromium and Playwright
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)

log() { printf '==> %s\n' "$*"; }

if ! command -v cargo >/dev/null; then
  echo "error: cargo is not installed; install Rust with rustup first" >&2
  exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes)"
  # no_downloads: cargo-leptos must use the wasm-bindgen and wasm-opt
  # installed here instead of downloading its own. Thin LTO settings keep
  # the build within memory on small machines.
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Without --locked: its lock file names a webpki-roots version the
  # registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  log "installing npm packages (ECharts, monday SDK, binaryen)"
  npm ci --no-audit --no-fund
fi

# The browser libraries the app serves itself.
mkdir -p public/vendor
cp node_modules/echarts/dist/echarts.min.js public/vendor/echarts.min.js
cp node_modules/monday-sdk-js/dist/main.js public/vendor/monday-sdk.js

if [ "${1:-}" = "--test" ]; then
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Chromium from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
  if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules ]; then
    log "installing Playwright (playwright-core; the browser comes from Debian)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi
log "tools ready"
