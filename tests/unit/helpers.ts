import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { encodeSessionCookie } from "@/lib/auth/cookie";
import { signInWithKey } from "@/lib/auth/static-login";
import { parseConfig, type Config } from "@/lib/config";
import { openSqliteDatabase } from "@/lib/db/sqlite";
import type { Database } from "@/lib/db";
import type { RequestInfo } from "@/lib/sessions/sessions";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-test-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const SECRET_A = "a".repeat(16) + "-first-secret-for-tests-000";
export const SECRET_B = "b".repeat(16) + "-second-secret-for-tests-00";
export const USER_KEY = "shared-user-key";
export const ADMIN_KEY = "the-admin-key-123";

export function testConfig(env: Record<string, string> = {}): Config {
  return parseConfig({
    DASHBOARD_SECRET: SECRET_A,
    DASHBOARD_KEY: USER_KEY,
    DASHBOARD_ADMIN_KEY: ADMIN_KEY,
    DASHBOARD_ADMINS: "root,admin",
    DASHBOARD_SESSION_SQLITE_PATH: path.join(os.tmpdir(), "unused", "sessions.db"),
    ...env,
  });
}

/** A real SQLite file in a temporary directory, migrated, closed after the test. */
export async function tempDatabase(): Promise<{ db: Database; file: string }> {
  const file = path.join(tempDir(), "sessions.db");
  const db = await openSqliteDatabase(file);
  cleanups.push(() => db.close());
  return { db, file };
}

export const request: RequestInfo = {
  ip: "203.0.113.9",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
};

/** Signs in with a key the way POST /api/auth/login does; returns the session and its signed cookie. */
export async function signIn(db: Database, config: Config, username: string, key: string, rememberMe = false, from = request) {
  const result = await signInWithKey(db, config, { username, key, rememberMe }, from);
  if (!result.ok) throw new Error(`sign-in failed: ${result.message}`);
  return { ...result, cookie: encodeSessionCookie(config, { token: result.token, persistent: result.persistent }) };
}

export const minutes = (n: number) => n * 60_000;
export const days = (n: number) => n * 24 * 60 * 60_000;
export const later = (from: Date, ms: number) => new Date(from.getTime() + ms);
