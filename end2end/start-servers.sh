#!/usr/bin/env bash
# Starts the sandbox and the app for the browser tests, on their own ports
# and a fresh SQLite database, and connects the demo accounts. Playwright
# runs this as its web server and stops it when the tests end.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${E2E_PROFILE:-debug}
data_dir=end2end/.data
rm -rf "$data_dir"
mkdir -p "$data_dir"

export MONDAY_CLIENT_ID=e2e-client-id
export MONDAY_CLIENT_SECRET=e2e-client-secret
export MONDAY_SIGNING_SECRET=e2e-signing-secret
export TOKEN_ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64)
export DATABASE_URL="sqlite://$data_dir/e2e.db?mode=rwc"
export ACTIVTRAK_BASE_URL="http://127.0.0.1:${SANDBOX_PORT}/activtrak"
export MONDAY_AUTH_URL="http://localhost:${SANDBOX_PORT}/monday"
export MONDAY_API_URL="http://127.0.0.1:${SANDBOX_PORT}/monday/v2"
export FRAME_ANCESTORS="http://localhost:${SANDBOX_PORT}"
export LEPTOS_SITE_ADDR="127.0.0.1:${APP_PORT}"
export SANDBOX_ADDR="127.0.0.1:${SANDBOX_PORT}"
export SANDBOX_PUBLIC_URL="http://localhost:${SANDBOX_PORT}"
export APP_URL="http://127.0.0.1:${APP_PORT}"
export APP_PUBLIC_URL="http://127.0.0.1:${APP_PORT}"
export RUST_LOG=${RUST_LOG:-warn}

"target/$profile/sandbox" &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:${SANDBOX_PORT}/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

# Account 111 starts connected; account 222 is left for the tests that
# connect it through the settings page.
printf '%s' sandbox-acme-key | "target/$profile/activtrak-board" connect --account 111 --region us

"target/$profile/activtrak-board"
