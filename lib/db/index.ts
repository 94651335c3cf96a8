import { getConfig, type Config } from "../config";
import { markDatabaseError, reportDatabaseFailure, setAvailabilityProbe } from "./availability";
import { guardDatabase } from "./boundary";
import { openPostgresDatabase } from "./postgres";
import type { OpenOptions } from "./query-log";
import { openSqliteDatabase } from "./sqlite";
import { traceDatabase } from "./tracing";
import { tracingEnabled } from "../tracing";
import type { Database } from "./types";

export type { OpenOptions, QueryListener } from "./query-log";
export type { Database, LapsedRows, ListedSessionRow, OpenAlertRow, PartBound, SessionListPart, SessionTouch, SessionWithUser, UserSessionsRead } from "./types";
export { ACTIVITY_ENTRIES_KEPT } from "./types";
export { Prisma, type DatabaseClient } from "./client";

/**
 * For write transactions that may queue behind others on a busy pool or a hot row (a burst of
 * sign-ins to one shared account all update its session count): Prisma waits only 2 s for a
 * transaction to start by default, which turned such a burst into 503s.
 */
export const TRANSACTION_LIMITS = { maxWait: 10_000, timeout: 15_000 };

// One database per process, kept on globalThis so dev-mode reloads and Next's separate bundles
// (proxy, routes, instrumentation) share it instead of opening more connections.
const holder = globalThis as unknown as { sessionboardDb?: Promise<Database> };

/**
 * Opens (and migrates) the configured backend. Everything that fails in it, opening included,
 * leaves marked with what it means (see ./boundary): only such errors can start an outage.
 */
export async function openDatabase(config: Config, options: OpenOptions = {}): Promise<Database> {
  try {
    const opening = { ...options, webhookUrls: options.webhookUrls ?? config.webhooks?.urls ?? [] };
    const db = config.postgres
      ? await openPostgresDatabase(config.postgres, opening)
      : await openSqliteDatabase(config.backend === "memory" ? ":memory:" : config.sqlitePath, opening);
    // With tracing off (decided at start-up, before this), the backend is not wrapped at all.
    return guardDatabase(tracingEnabled() ? traceDatabase(db) : db);
  } catch (error) {
    throw markDatabaseError(error);
  }
}

export function getDatabase(): Promise<Database> {
  if (!holder.sessionboardDb) {
    const opening = openDatabase(getConfig());
    // A failed open (say, PostgreSQL not up yet) is retried by the next caller, not cached forever.
    opening.catch((error) => {
      reportDatabaseFailure(error);
      if (holder.sessionboardDb === opening) holder.sessionboardDb = undefined;
    });
    holder.sessionboardDb = opening;
  }
  return holder.sessionboardDb;
}

/** Closes the process's database (its pools) if one was opened; the next getDatabase() opens it again. */
export async function closeDatabase(): Promise<void> {
  const opening = holder.sessionboardDb;
  holder.sessionboardDb = undefined;
  const db = await opening?.catch(() => null);
  await db?.close();
}

// During an outage, availability is probed by opening (if need be) and pinging the database.
setAvailabilityProbe(async () => (await getDatabase()).ping());
