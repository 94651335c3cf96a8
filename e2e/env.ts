import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Ports the suite uses: E2E_PORT and the seventeen after it (see the offsets below). */
const PORT_BLOCK = 18;

/**
 * The first of PORT_BLOCK consecutive ports that are free now, found by a short-lived child process
 * (the config is loaded synchronously). Chosen once, in Playwright's main process, and handed to its
 * workers and web servers through E2E_PORT, which they inherit.
 */
const PORTS_FROM = 10_000;

/**
 * Where the OS stops handing out ports for outgoing connections (Linux's ephemeral range starts
 * here): the block is chosen below it, so a client connection made during the run (nginx to a
 * replica, a test's requests) can never take a port a replica is about to listen on.
 */
function portsBelow(): number {
  try {
    const low = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > PORTS_FROM + 1_000) return low;
  } catch {
    // not Linux: the usual lower bound
  }
  return 32_768;
}

function freePortBlock(): number {
  const probe = `
    const net = require("node:net");
    const free = (port) => new Promise((resolve) => {
      const server = net.createServer().once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    (async () => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const base = ${PORTS_FROM} + Math.floor(Math.random() * (${portsBelow()} - ${PORT_BLOCK} - ${PORTS_FROM}));
        const results = await Promise.all(Array.from({ length: ${PORT_BLOCK} }, (_, i) => free(base + i)));
        if (results.every(Boolean)) return console.log(base);
      }
      process.exit(1);
    })();`;
  return Number(execFileSync(process.execPath, ["-e", probe], { encoding: "utf8" }).trim());
}

// Set here so that everything started after this module loads sees the same ports.
process.env.E2E_PORT ??= String(freePortBlock());

/** The configuration the end-to-end server runs with (a throwaway SQLite file). */
export const E2E_PORT = Number(process.env.E2E_PORT);
export const BASE_URL = `http://localhost:${E2E_PORT}`;
export const DATA_DIR = path.join(process.cwd(), ".e2e-data");
export const DB_FILE = path.join(DATA_DIR, "sessions.db");
/** Every app server of the run writes its output here, one file each; the global teardown checks them. */
export const SERVER_LOG_DIR = path.join(DATA_DIR, "server-logs");
/** The shared server's output. */
export const SERVER_LOG = path.join(SERVER_LOG_DIR, "main.log");
export const USER_KEY = "e2e-shared-user-key";
export const ADMIN_KEY = "e2e-admin-key-0123";
export const MAX_FAILURES_PER_USER = 5;
export const OIDC_PORT = Number(process.env.E2E_OIDC_PORT ?? E2E_PORT + 1);
export const OIDC_ISSUER = `http://localhost:${OIDC_PORT}`;
export const OIDC_ADMIN_GROUP = "sessionboard-admins";
/** Ports of app instances that specs start themselves (registered at the test IdP too). */
// Every port is an offset from E2E_PORT, so two checkouts can run their suites side by side.
export const EXTRA_APP_PORTS = [E2E_PORT + 2, E2E_PORT + 3, E2E_PORT + 4];
/** Replicas A, B and C (started during an outage) of the PostgreSQL spec. */
export const REPLICA_PORTS = [E2E_PORT + 5, E2E_PORT + 6, E2E_PORT + 7];
/** nginx with deploy/nginx.conf, and the two replicas behind it. */
export const LOAD_BALANCER_PORT = E2E_PORT + 8;
export const BALANCED_APP_PORTS = [E2E_PORT + 9, E2E_PORT + 10];
/** An app that believes it is served over https (DASHBOARD_URL https://, as behind a TLS proxy). */
export const HTTPS_APP_PORT = E2E_PORT + 11;
/** The app run from the production runtime (deploy/assemble-runtime.sh): no dev dependencies. */
export const RUNTIME_APP_PORT = E2E_PORT + 12;
/** An app behind a (simulated) trusted proxy: the client's address and place come from its headers. */
export const PROXIED_APP_PORT = E2E_PORT + 13;
/** An app exporting its traces to the traces spec's OTLP receiver. */
export const TRACES_APP_PORT = E2E_PORT + 14;
/** An app behind a (simulated) trusted proxy that mails new-device alerts to the alerts spec's SMTP server. */
export const ALERTS_APP_PORT = E2E_PORT + 15;
/** Two replicas on one PostgreSQL database posting webhooks to the webhooks spec's receiver. */
export const WEBHOOK_APP_PORTS = [E2E_PORT + 16, E2E_PORT + 17];

export const serverEnv: Record<string, string> = {
  NODE_ENV: "production",
  PORT: String(E2E_PORT),
  BIND_HOST: "127.0.0.1",
  DASHBOARD_URL: BASE_URL,
  DASHBOARD_SECRET: "e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
  DASHBOARD_KEY: USER_KEY,
  DASHBOARD_ADMIN_KEY: ADMIN_KEY,
  // "chief" is the admin the re-authentication spec locks out with wrong keys.
  DASHBOARD_ADMINS: "root,chief",
  DASHBOARD_SESSION_SQLITE_PATH: DB_FILE,
  DASHBOARD_LOGIN_MAX_FAILURES_PER_USER: String(MAX_FAILURES_PER_USER),
  // Every test comes from 127.0.0.1; the per-IP limit is covered by the unit tests.
  DASHBOARD_LOGIN_MAX_FAILURES_PER_IP: "100000",
  // The test OpenID Provider (e2e/oidc-provider.mjs), confidential client.
  DASHBOARD_OIDC_ISSUER: OIDC_ISSUER,
  DASHBOARD_OIDC_CLIENT_ID: "sessionboard",
  DASHBOARD_OIDC_CLIENT_SECRET: "e2e-client-secret-0123456789",
  DASHBOARD_OIDC_ADMIN_GROUP: OIDC_ADMIN_GROUP,
};
