import { defineConfig } from "@playwright/test";

// Ports of their own, so the tests never meet a running demo.
export const APP_PORT = 3100;
export const SANDBOX_PORT = 4100;
export const APP_URL = `http://127.0.0.1:${APP_PORT}`;
// The monday stand-in is on another site (localhost, not 127.0.0.1), as
// monday and the app are.
export const HOST_URL = `http://localhost:${SANDBOX_PORT}`;
export const ACTIVTRAK_URL = `http://127.0.0.1:${SANDBOX_PORT}/activtrak`;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    headless: true,
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download fails here.
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: "./start-servers.sh",
    url: `${APP_URL}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    env: { APP_PORT: String(APP_PORT), SANDBOX_PORT: String(SANDBOX_PORT) },
    stdout: "pipe",
    stderr: "pipe",
  },
});
