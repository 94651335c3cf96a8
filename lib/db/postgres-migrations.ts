import type { Pool } from "pg";
import { MigrationError, migrationsDir, newMigrationId, readMigrations, type Migration } from "./migrations";

/** Any fixed 64-bit number; every replica takes the same advisory lock before migrating. */
const MIGRATION_LOCK = 7_326_410_551;

/**
 * How long a migration waits for a table lock, and how often it tries. On a live database (a rolling
 * upgrade) an ALTER TABLE queues behind any long transaction on its table, and every other query
 * on that table queues behind the ALTER: waiting briefly and retrying bounds that stall.
 */
const LOCK_TIMEOUT_MS = 3_000;
const LOCK_TRIES = 5;
const LOCK_RETRY_PAUSE_MS = 3_000;
const LOCK_NOT_AVAILABLE = "55P03";

export type MigrationOptions = {
  /** The migrations to apply; by default those in prisma/postgres/migrations. */
  migrations?: Migration[];
  lockTimeoutMs?: number;
  retryPauseMs?: number;
  tries?: number;
};

/**
 * Applies pending PostgreSQL migrations, each in its own transaction, and records them in
 * `_prisma_migrations` exactly as Prisma does. Replicas that start together against an empty
 * database queue on an advisory lock, so each migration runs exactly once.
 */
export async function applyPostgresMigrations(pool: Pool, options: MigrationOptions = {}): Promise<string[]> {
  const {
    migrations = readMigrations(migrationsDir("postgres")),
    lockTimeoutMs = LOCK_TIMEOUT_MS,
    retryPauseMs = LOCK_RETRY_PAUSE_MS,
    tries = LOCK_TRIES,
  } = options;
  const client = await pool.connect();
  // Checked out for the whole run: a dropped connection must reject a query, not crash the process.
  const onError = () => undefined;
  client.on("error", onError);
  const applied: string[] = [];
  try {
    // Waiting for another replica's migrations, or one long migration, must not hit the
    // pool's statement timeout; RESET restores it before the connection goes back to the pool.
    await client.query("SET statement_timeout = 0");
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum"            VARCHAR(64) NOT NULL,
      "finished_at"         TIMESTAMPTZ,
      "migration_name"      VARCHAR(255) NOT NULL,
      "logs"                TEXT,
      "rolled_back_at"      TIMESTAMPTZ,
      "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    for (const migration of migrations) {
      const done = await client.query<{ checksum: string }>(
        `SELECT checksum FROM "_prisma_migrations"
          WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        [migration.name],
      );
      if (done.rows[0]) {
        if (done.rows[0].checksum !== migration.checksum) {
          throw new MigrationError(`Migration ${migration.name} was changed after it was applied (checksum mismatch)`);
        }
        continue;
      }
      for (let tried = 1; ; tried++) {
        await client.query("BEGIN");
        try {
          const startedAt = new Date();
          // Bounds this transaction's table locks only: the advisory lock above still waits as long as it takes.
          await client.query(`SET LOCAL lock_timeout = ${Number(lockTimeoutMs)}`);
          await client.query(migration.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations"
               (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
             VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
            [newMigrationId(), migration.checksum, migration.name, startedAt],
          );
          await client.query("COMMIT");
          applied.push(migration.name);
          break;
        } catch (error) {
          await client.query("ROLLBACK");
          if ((error as { code?: unknown } | null)?.code !== LOCK_NOT_AVAILABLE) {
            throw new MigrationError(`Migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
          }
          if (tried >= tries) {
            throw new MigrationError(
              `Migration ${migration.name} could not get its lock on the table within ${lockTimeoutMs / 1000} s on any of ${tries} tries, ` +
                "because other transactions held it; start-up can be retried (once they have ended)",
            );
          }
          await new Promise((resolve) => setTimeout(resolve, retryPauseMs));
        }
      }
    }
    return applied;
  } finally {
    const unlocked = await client
      .query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK}); RESET statement_timeout`)
      .then(() => true, () => false);
    client.off("error", onError);
    // A connection that could not be reset (or unlocked) is closed rather than reused.
    client.release(unlocked ? undefined : new Error("migration connection not reset"));
  }
}
