import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { MigrationError, type Migration } from "@/lib/db/migrations";
import { applyPostgresMigrations } from "@/lib/db/postgres-migrations";
import { tempPostgresDatabase } from "./helpers";

// Short stand-ins for the production values, so a test takes a few seconds.
const LOCK_TIMEOUT_MS = 500;
const RETRY_PAUSE_MS = 300;
const TRIES = 3;
const timing = { lockTimeoutMs: LOCK_TIMEOUT_MS, retryPauseMs: RETRY_PAUSE_MS, tries: TRIES };

/** A new release's migration that needs an ACCESS EXCLUSIVE lock on a table the product reads at every request. */
const ADDED: Migration = { name: "29991231000000_lock_test", sql: 'ALTER TABLE "Session" ADD COLUMN "lockTest" TEXT;', checksum: "0".repeat(64) };
const RUNNER = "migration-runner";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.().catch(() => undefined);
});

async function connect(url: string, config: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, ...config });
  await client.connect();
  closers.push(() => client.end());
  return client;
}

/**
 * A migrated database; the runner's pool (one connection, named so it can be watched); and an old
 * replica's long transaction that has read "Session" (ACCESS SHARE) and stays open.
 */
async function liveDatabase() {
  const url = await tempPostgresDatabase();
  const pool = new pg.Pool({ connectionString: url, max: 1, application_name: RUNNER });
  closers.push(() => pool.end());
  await applyPostgresMigrations(pool);
  const holder = await connect(url);
  await holder.query("BEGIN");
  await holder.query('SELECT 1 FROM "Session" LIMIT 1');
  const observer = await connect(url);
  // Another request's plain read; it gives up (rather than hanging the test) after 3 s.
  const reader = await connect(url, { statement_timeout: 3_000 });
  return { pool, holder, observer, reader };
}

/** The runner's connection as pg_stat_activity shows it. */
async function runnerActivity(observer: pg.Client) {
  const { rows } = await observer.query<{ state: string; wait_event: string | null }>(
    "SELECT state, wait_event FROM pg_stat_activity WHERE application_name = $1",
    [RUNNER],
  );
  return rows[0];
}

async function until(what: string, check: () => Promise<boolean>, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const waitingForTableLock = (observer: pg.Client) => until("the migration waits for its table lock", async () => (await runnerActivity(observer))?.wait_event === "relation");

/** How long a plain read of "Session" took, or Infinity if it was still waiting when the reader gave up. */
async function readTime(reader: pg.Client): Promise<number> {
  const started = performance.now();
  try {
    await reader.query('SELECT count(*) FROM "Session"');
  } catch (error) {
    if ((error as { code?: string }).code === "57014") return Infinity;
    throw error;
  }
  return performance.now() - started;
}

const columnExists = async (client: pg.Client) =>
  (await client.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'Session' AND column_name = 'lockTest'")).rowCount === 1;
const recorded = async (client: pg.Client) =>
  (await client.query('SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL', [ADDED.name])).rowCount === 1;

describe("PostgreSQL migrations on a live database", () => {
  it("wait for a table lock only briefly, so reads of the table keep being answered, and fail start-up naming the migration when the lock never comes", async () => {
    const { pool, holder, observer, reader } = await liveDatabase();
    const started = performance.now();
    const run = applyPostgresMigrations(pool, { migrations: [ADDED], ...timing });
    const outcome = run.then(() => undefined, (error: unknown) => error);
    try {
      await waitingForTableLock(observer);
      // Queued behind the migration's waiting ACCESS EXCLUSIVE request, the read waits at most the
      // rest of the lock timeout (without one, until the long transaction ends).
      expect(await readTime(reader)).toBeLessThan(LOCK_TIMEOUT_MS + 400);
      await waitingForTableLock(observer); // a later try waits again
      expect(await readTime(reader)).toBeLessThan(LOCK_TIMEOUT_MS + 400);

      const error = await outcome;
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(
        new RegExp(`^Migration ${ADDED.name} could not get its lock on the table within 0\\.5 s on any of 3 tries, because other transactions held it; start-up can be retried`),
      );
      // Every try waited its lock timeout, with a pause between tries.
      expect(performance.now() - started).toBeGreaterThanOrEqual(TRIES * LOCK_TIMEOUT_MS + (TRIES - 1) * RETRY_PAUSE_MS - 100);
      expect(await columnExists(observer)).toBe(false);
      expect(await recorded(observer)).toBe(false);
      // The timeout was the migration's own: the connection goes back without it.
      expect((await pool.query("SHOW lock_timeout")).rows[0].lock_timeout).toBe("0");
    } finally {
      await holder.query("ROLLBACK");
      await outcome;
    }
  });

  it("apply the migration once the long transaction ends between tries", async () => {
    const { pool, holder, observer } = await liveDatabase();
    const run = applyPostgresMigrations(pool, { migrations: [ADDED], ...timing, tries: 5 });
    const outcome = run.then(() => undefined, () => undefined);
    try {
      await waitingForTableLock(observer);
      await until("the first try has given up", async () => (await runnerActivity(observer))?.state === "idle");
      await holder.query("COMMIT");
      expect(await run).toEqual([ADDED.name]);
      expect(await columnExists(observer)).toBe(true);
      expect(await recorded(observer)).toBe(true);
    } finally {
      await holder.query("ROLLBACK");
      await outcome;
    }
  });
});
