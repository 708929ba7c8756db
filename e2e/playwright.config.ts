import { defineConfig } from "@playwright/test";
import { apiPort, apiUrl, webPort, webUrl } from "./support/stack.ts";

// Starts the real server (behind the test proxy, see support/server-supervisor.ts) and the
// production build of the web app, then drives Debian's Chromium. Playwright's own browser
// downloads are never used.

/** Chromium flags that keep it from calling hosts other than loopback. */
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

// `E2E_SKIP_BUILD=1` reuses an existing web/.next build while iterating on tests.
const buildWeb = process.env.E2E_SKIP_BUILD === "1" ? "" : "pnpm run build && ";

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./support/global-setup.ts",
  outputDir: "./test-results",
  // The tests share one server whose scheduler runs at most five collections at once.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: webUrl,
    browserName: "chromium",
    headless: true,
    viewport: { width: 1280, height: 900 },
    screenshot: "on",
    trace: "retain-on-failure",
    launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
  },
  webServer: [
    {
      command: "node --import tsx support/server-supervisor.ts",
      url: `http://127.0.0.1:${apiPort}/ready`,
      timeout: 90_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    },
    {
      command: `${buildWeb}pnpm exec next start --hostname 127.0.0.1 --port ${webPort}`,
      cwd: "../web",
      url: `${webUrl}/collections`,
      timeout: 180_000,
      reuseExistingServer: false,
      env: { API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: "1" },
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
  ],
});
