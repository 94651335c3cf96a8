import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterEach } from "vitest";
import { encodeSessionCookie } from "@/lib/sessions/cookie";
import { signInWithKey } from "@/lib/auth/static-login";
import { parseConfig, type Config } from "@/lib/config";
import { openDatabase, type Database, type OpenOptions } from "@/lib/db";
import type { RequestInfo } from "@/lib/request/types";
import { POSTGRES_ADMIN_URL, postgresUrlFor, withPostgresClient } from "../support/postgres";

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

/**
 * The backend the lib/ integration suite runs against: vitest runs the suite once per backend
 * (see vitest.config.ts), with SESSIONBOARD_TEST_BACKEND=postgres for the second run.
 */
export const TEST_BACKEND: "sqlite" | "postgres" = process.env.SESSIONBOARD_TEST_BACKEND === "postgres" ? "postgres" : "sqlite";

/**
 * A fresh, empty PostgreSQL database, dropped after the test. Its default time zone is far from UTC,
 * so any timestamp written or read as local time shows up as a failure, and its default collation
 * is ICU's English one rather than byte order.
 */
export async function tempPostgresDatabase(): Promise<string> {
  const name = `sessionboard_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await withPostgresAdmin(async (admin) => {
    // A linguistic default collation, as most servers have: ordering must not depend on it.
    await admin
      .query(`CREATE DATABASE "${name}" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`)
      .catch(() => admin.query(`CREATE DATABASE "${name}"`));
    await admin.query(`ALTER DATABASE "${name}" SET timezone TO 'Pacific/Chatham'`);
  });
  cleanups.push(async () => {
    await withPostgresAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  });
  return postgresUrlFor(name);
}

export const withPostgresAdmin = <T>(work: (admin: pg.Client) => Promise<T>): Promise<T> => withPostgresClient(POSTGRES_ADMIN_URL, work);

/**
 * A real, migrated database on the backend under test — a SQLite file in a temporary directory or
 * a PostgreSQL database of its own — closed and removed after the test. `env` points the app or the
 * CLI at the same database.
 */
export async function tempDatabase(options: OpenOptions = {}): Promise<{ db: Database; env: Record<string, string> }> {
  let env: Record<string, string>;
  if (TEST_BACKEND === "postgres") {
    env = { DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: await tempPostgresDatabase(), DASHBOARD_DB_POOL_SIZE: "5" };
  } else {
    env = { DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: path.join(tempDir(), "sessions.db") };
  }
  const db = await openDatabase(testConfig(env), options);
  // Registered after the drop, so it runs first.
  cleanups.push(() => db.close());
  return { db, env };
}

export const request: RequestInfo = {
  ip: "203.0.113.9",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
};

/** Signs in with a key the way POST /api/auth/login does; returns the session and its signed cookie. */
export async function signIn(db: Database, config: Config, username: string, key: string, rememberMe = false, from = request, now = new Date()) {
  const result = await signInWithKey(db, config, { username, key, rememberMe }, from, now);
  if (!result.ok) throw new Error(`sign-in failed: ${result.error.message}`);
  return { ...result, cookie: encodeSessionCookie(config, { token: result.token, persistent: result.persistent }) };
}

export const minutes = (n: number) => n * 60_000;

/**
 * What `work` throws, for tests that go on to inspect it (classify it, turn it into a response).
 * Where matching its fields is enough, use `await expect(promise).rejects.toMatchObject(…)`.
 */
export async function thrownBy(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}
export const days = (n: number) => n * 24 * 60 * 60_000;
export const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

/** A statement as a database's `onQuery` listener saw it. */
export type Sent = { sql: string; params: unknown[] };

/** The plan of `statement`, as the backend ran it (after the settings it sent just before). */
/**
 * The plan of a statement the app sent. `indexesOnly`: on PostgreSQL, as if the table were large
 * (no sequential scan), so a test of a few hundred rows asks which index the query's shape can use
 * rather than whether reading the whole small table is cheaper — a choice that flips with the
 * statistics of the moment.
 */
export async function planOf(db: Database, env: Record<string, string>, sent: Sent[], statement: Sent, options: { indexesOnly?: boolean } = {}): Promise<string> {
  if (TEST_BACKEND !== "postgres") {
    const rows = await db.prisma.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${statement.sql}`, ...statement.params);
    return rows.map((row) => row.detail).join("\n");
  }
  return withPostgresClient(env.DATABASE_URL, async (client) => {
    await client.query("BEGIN");
    if (options.indexesOnly) await client.query("SET LOCAL enable_seqscan = off");
    for (const before of sent.slice(0, sent.indexOf(statement)).filter((s) => /^\s*SET\b/i.test(s.sql))) await client.query(before.sql);
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${statement.sql}`, statement.params);
    await client.query("ROLLBACK");
    return rows.map((row) => row["QUERY PLAN"]).join("\n");
  });
}
