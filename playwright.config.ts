import fs from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { BASE_URL, DATA_DIR, EXTRA_APP_PORTS, OIDC_ISSUER, OIDC_PORT, REPLICA_PORTS, SERVER_LOG, SERVER_LOG_DIR, serverEnv, TRACES_APP_PORT } from "./e2e/env";

// Debian's Chromium (Playwright's own browser download is not available offline).
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_PATH ?? (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "e2e",
  testMatch: "*.spec.ts",
  forbidOnly: !!process.env.CI,
  // Every line the app servers wrote during the run must be a JSON log line without credentials.
  globalTeardown: "./e2e/server-logs.teardown.ts",
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  // A hang detector, not a speed target: the specs drive several browsers on a shared 2-core machine.
  timeout: 60_000,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: BASE_URL,
    trace: "on-first-retry",
    launchOptions: {
      executablePath,
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
  projects: [
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, testIgnore: ["force-logout.spec.ts", "replicas.spec.ts", "load-balancer.spec.ts", "metrics.spec.ts"] },
    // Several app processes on PostgreSQL each (and Prometheus): run after the others so they do not starve them.
    { name: "replicas", use: { ...devices["Desktop Chrome"] }, testMatch: ["replicas.spec.ts", "load-balancer.spec.ts", "metrics.spec.ts"], dependencies: ["chromium"] },
    // Signs every session out, so it runs once all other specs have finished.
    { name: "global-revocation", use: { ...devices["Desktop Chrome"] }, testMatch: "force-logout.spec.ts", dependencies: ["chromium"] },
  ],
  webServer: [
    {
      // A real OpenID Provider on a loopback port (oidc-provider), for the SSO specs.
      command: "node e2e/oidc-provider.mjs",
      url: `${OIDC_ISSUER}/.well-known/openid-configuration`,
      env: { OIDC_PORT: String(OIDC_PORT), APP_URL: BASE_URL, EXTRA_APP_PORTS: [...EXTRA_APP_PORTS, ...REPLICA_PORTS, TRACES_APP_PORT].join(",") },
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
    },
    {
      // A fresh database for every run, served by the production entry point. Its output (a line per
      // request) goes to a file for the teardown's check and e2e/logs.spec.ts, and is shown only if
      // the server stops with an error.
      command: `node -e "const fs = require('fs'); fs.rmSync(process.argv[1], { recursive: true, force: true }); fs.mkdirSync(process.argv[2], { recursive: true })" ${JSON.stringify(DATA_DIR)} ${JSON.stringify(SERVER_LOG_DIR)} && { node server.mjs > ${JSON.stringify(SERVER_LOG)} 2>&1 || { cat ${JSON.stringify(SERVER_LOG)} >&2; exit 1; }; }`,
      url: `${BASE_URL}/api/health`,
      env: serverEnv,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
    },
  ],
});
