import type { Database } from "../db";

/**
 * Whole-table aggregates (the counters, "owners with more than N sessions") scan every active
 * session: seconds at a million rows. The Admin Panel reuses a result for AGGREGATE_TTL_MS, and an
 * admin action in this process clears it so its effect shows at once. Other replicas catch up within
 * the TTL.
 */
export const AGGREGATE_TTL_MS = 30_000;

type Entry = { at: number; value: Promise<unknown> };
const caches = new WeakMap<Database, Map<string, Entry>>();

function cacheOf(db: Database) {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

/** The cached value for `key` if younger than the TTL, else `compute()` (failures are not kept). */
export function cachedAggregate<T>(db: Database, key: string, compute: () => Promise<T>, now = Date.now()) {
  const cache = cacheOf(db);
  const hit = cache.get(key);
  if (hit && now - hit.at < AGGREGATE_TTL_MS) return { value: hit.value as Promise<T>, computedAt: hit.at };
  const value = compute();
  cache.set(key, { at: now, value });
  value.catch(() => cache.delete(key));
  return { value, computedAt: now };
}

/** After an admin action: the next page view recomputes. */
export function forgetAggregates(db: Database): void {
  caches.delete(db);
}
