import { getConfig, type Config } from "../config";
import { reportDatabaseFailure, setAvailabilityProbe } from "./availability";
import { openPostgresDatabase } from "./postgres";
import { openSqliteDatabase } from "./sqlite";
import type { Database } from "./types";

export type { Database, SessionWithUser } from "./types";

// One database per process, kept on globalThis so dev-mode reloads and Next's separate bundles
// (proxy, routes, instrumentation) share it instead of opening more connections.
const holder = globalThis as unknown as { sessionboardDb?: Promise<Database> };

export function openDatabase(config: Config): Promise<Database> {
  if (config.postgres) return openPostgresDatabase(config.postgres);
  return openSqliteDatabase(config.backend === "memory" ? ":memory:" : config.sqlitePath);
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

// During an outage, availability is probed by opening (if need be) and pinging the database.
setAvailabilityProbe(async () => (await getDatabase()).ping());
