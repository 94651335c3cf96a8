import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { expect, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { POSTGRES_ADMIN_URL, postgresUrlFor, withPostgresClient } from "../tests/support/postgres";
import { DB_FILE, SERVER_LOG_DIR, serverEnv } from "./env";

let counter = 0;
/** Usernames unique per test run, so tests never see each other's sessions. */
export const uniqueUser = (prefix = "user") => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function signIn(page: Page, username: string, key: string, options: { remember?: boolean } = {}) {
  await page.goto("/login");
  const form = page.getByRole("form", { name: "Sign in with a key" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Key", { exact: true }).fill(key);
  if (options.remember) await form.getByLabel(/Remember me/).check();
  await form.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** A sign-in with a wrong key. /login says why only to the browser it failed in, so this is how a test shows its error state. */
export async function failSignIn(page: Page, username = uniqueUser("wrongkey")) {
  await signIn(page, username, "not-the-key-at-all");
  await expect(page).toHaveURL(/\/login\?error=invalid_credentials/);
}

/** Until React has hydrated a page, its links and forms are the browser's own (full page loads) and its scripts' handlers are not there yet. */
export const hydrated = (page: Page) =>
  page.waitForFunction(() => {
    const main = document.querySelector("main#content");
    return main !== null && Object.keys(main).some((key) => key.startsWith("__reactFiber"));
  });

export async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((c) => c.name === "session_token");
}

/** The signed-in session's public id, as the API reports it. */
export async function currentSessionId(request: APIRequestContext): Promise<string> {
  const response = await request.get("/api/auth/session");
  expect(response.status()).toBe(200);
  return (await response.json()).session.id as string;
}

/** Direct access to the server's SQLite file, for what an operator or the clock would do. */
export function withDatabase<T>(fn: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(DB_FILE);
  try {
    db.pragma("busy_timeout = 5000");
    return fn(db);
  } finally {
    db.close();
  }
}

/** Asserts a JSON error response: status, {"error": {"code", "message"}}, and no stack trace. */
export async function expectJsonError(response: { status(): number; text(): Promise<string> }, status: number, code?: string) {
  expect(response.status()).toBe(status);
  const text = await response.text();
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code).toBe("string");
  expect(typeof body.error?.message).toBe("string");
  if (code) expect(body.error?.code).toBe(code);
  expect(text).not.toMatch(/at .*\(.*:\d+:\d+\)|node_modules/);
}

/**
 * A second instance of the built app on its own port and database, for what the shared server
 * cannot show (restarts, other configuration). Stopped with `stop()`.
 */
export async function startApp(port: number, dataDir: string, env: Record<string, string>, options: { healthy?: boolean; cwd?: string } = {}) {
  const baseURL = `http://localhost:${port}`;
  const child = spawn(process.execPath, ["server.mjs"], {
    // Another directory holding a built app (the production runtime); this checkout by default.
    cwd: options.cwd,
    env: {
      ...process.env,
      ...serverEnv,
      PORT: String(port),
      DASHBOARD_URL: baseURL,
      DASHBOARD_SESSION_SQLITE_PATH: path.join(dataDir, "sessions.db"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Kept for the global teardown's check of every server's output (e2e/server-logs.teardown.ts).
  fs.mkdirSync(SERVER_LOG_DIR, { recursive: true });
  const logFile = fs.createWriteStream(path.join(SERVER_LOG_DIR, `app-${port}-${Date.now()}.log`));
  child.stdout?.on("data", (chunk) => ((output += chunk), logFile.write(chunk)));
  child.stderr?.on("data", (chunk) => ((output += chunk), logFile.write(chunk)));
  child.once("close", () => logFile.end());
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`app exited early:\n${output}`);
    try {
      // By default, wait until it is healthy; with `healthy: false`, until it answers at all.
      const health = await fetch(`${baseURL}/api/health`);
      if (health.ok || options.healthy === false) break;
    } catch {
      // not listening yet
    }
    if (i > 200) throw new Error(`app did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    baseURL,
    output: () => output,
    /** SIGTERM, then the exit code once it has exited (null if a signal ended it instead). */
    stop: () =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      }),
  };
}

/** At the test IdP (e2e/oidc-provider.mjs): its development login page, then consent (unless already given). */
export async function loginAtTestIdp(page: Page, login: string, options: { consent?: boolean } = {}) {
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("any-password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  if (options.consent !== false) await page.getByRole("button", { name: "Continue" }).click();
}

/** Makes a session's last proof of identity `minutes` old, as if the clock had moved on. */
export function ageAuthentication(sessionId: string, minutes: number) {
  const at = new Date(Date.now() - minutes * 60_000).toISOString().replace("Z", "+00:00");
  withDatabase((db) => db.prepare(`UPDATE "Session" SET authenticatedAt = ? WHERE id = ?`).run(at, sessionId));
}

/** A throwaway PostgreSQL database for one spec file: `create()` in beforeAll, `drop()` in afterAll. */
export function postgresDatabase(prefix: string) {
  const name = `sessionboard_e2e_${prefix}_${Date.now().toString(36)}`;
  const url = postgresUrlFor(name);
  return {
    url,
    create: () => withPostgresClient(POSTGRES_ADMIN_URL, (client) => client.query(`CREATE DATABASE "${name}"`)),
    drop: () => withPostgresClient(POSTGRES_ADMIN_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
    query: (sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> =>
      withPostgresClient(url, async (client) => (await client.query(sql, values)).rows),
  };
}
