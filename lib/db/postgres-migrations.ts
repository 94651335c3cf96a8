import type { Pool } from "pg";
import { MigrationError, migrationsDir, newMigrationId, readMigrations } from "./migrations";

/** Any fixed 64-bit number; every replica takes the same advisory lock before migrating. */
const MIGRATION_LOCK = 7_326_410_551;

/**
 * Applies pending PostgreSQL migrations, each in its own transaction, and records them in
 * `_prisma_migrations` exactly as Prisma does. Replicas that start together against an empty
 * database queue on an advisory lock, so each migration runs exactly once.
 */
export async function applyPostgresMigrations(pool: Pool): Promise<string[]> {
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
    for (const migration of readMigrations(migrationsDir("postgres"))) {
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
      await client.query("BEGIN");
      try {
        const startedAt = new Date();
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
          [newMigrationId(), migration.checksum, migration.name, startedAt],
        );
        await client.query("COMMIT");
        applied.push(migration.name);
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(`Migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
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
