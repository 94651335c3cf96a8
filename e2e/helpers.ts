import BetterSqlite3 from "better-sqlite3";
import { expect, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { DB_FILE } from "./env";

let counter = 0;
/** Usernames unique per test run, so tests never see each other's sessions. */
export const uniqueUser = (prefix = "user") => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function signIn(page: Page, username: string, key: string, options: { remember?: boolean } = {}) {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Key").fill(key);
  if (options.remember) await page.getByLabel(/Remember me/).check();
  await page.getByRole("button", { name: "Sign in" }).click();
}

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
