import { getConfig } from "../config";
import { openSqliteDatabase } from "./sqlite";
import type { Database } from "./types";

export type { Database, SessionWithUser } from "./types";

// One database per process, kept on globalThis so dev-mode reloads and Next's separate bundles
// (proxy, routes, instrumentation) share it instead of opening more connections.
const holder = globalThis as unknown as { sessionboardDb?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  if (!holder.sessionboardDb) {
    const config = getConfig();
    const opening = openSqliteDatabase(config.backend === "memory" ? ":memory:" : config.sqlitePath);
    // A failed open is retried by the next caller rather than cached forever.
    opening.catch(() => {
      if (holder.sessionboardDb === opening) holder.sessionboardDb = undefined;
    });
    holder.sessionboardDb = opening;
  }
  return holder.sessionboardDb;
}

