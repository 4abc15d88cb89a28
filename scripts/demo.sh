#!/usr/bin/env bash
# Starts the sandbox (monday and ActivTrak stand-ins) and the app on the
# SQLite default, connects the demo accounts, and prints the URL to open.
# Run through `make demo`, which builds both binaries first.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_PORT=${APP_PORT:-3000}
SANDBOX_PORT=${SANDBOX_PORT:-4000}

# Both processes share the demo's monday secrets, as monday and the app do.
export MONDAY_CLIENT_ID=sandbox-client-id
export MONDAY_CLIENT_SECRET=sandbox-client-secret
export MONDAY_SIGNING_SECRET=sandbox-signing-secret
export ACTIVTRAK_BASE_URL="http://127.0.0.1:$SANDBOX_PORT/activtrak"
export MONDAY_AUTH_URL="http://localhost:$SANDBOX_PORT/monday"
export MONDAY_API_URL="http://127.0.0.1:$SANDBOX_PORT/monday/v2"
export FRAME_ANCESTORS="http://localhost:$SANDBOX_PORT"
export LEPTOS_SITE_ADDR="127.0.0.1:$APP_PORT"
export SANDBOX_ADDR="127.0.0.1:$SANDBOX_PORT"
export SANDBOX_PUBLIC_URL="http://localhost:$SANDBOX_PORT"
export APP_URL="http://127.0.0.1:$APP_PORT"
export APP_PUBLIC_URL="http://127.0.0.1:$APP_PORT"
export RUST_LOG=${RUST_LOG:-info,sqlx=warn}

app=target/release/activtrak-board
sandbox=target/release/sandbox

"$sandbox" &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT

for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$SANDBOX_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

# The operator command reads the key from standard input. Account 222
# (Globex) stays unconnected, to try connecting through the settings page
# with the key sandbox-globex-key.
printf '%s' sandbox-acme-key | "$app" connect --account 111 --region us

cat <<MSG

  ActivTrak insights demo is running.
  Open: http://localhost:$SANDBOX_PORT/?account=111&user=1002

  (the monday stand-in; pick another user, role or theme at the top of the page;
  as Globex's admin, connect ActivTrak with the key sandbox-globex-key)
  Press Ctrl+C to stop.

MSG
"$app"
