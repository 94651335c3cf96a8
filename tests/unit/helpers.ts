import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { parseConfig, type Config } from "@/lib/config";
import { openSqliteDatabase } from "@/lib/db/sqlite";
import type { Database } from "@/lib/db";

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

export const request = { ip: "203.0.113.9", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0" };

export const minutes = (n: number) => n * 60_000;
export const days = (n: number) => n * 24 * 60 * 60_000;
export const later = (from: Date, ms: number) => new Date(from.getTime() + ms);
