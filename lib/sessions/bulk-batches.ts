/**
 * Bulk writes over many sessions (force logout, cleanup) run as a series of short statements, so
 * that sign-ins and session checks get their turn in between: on SQLite a batch holds the one writer
 * and, the driver being synchronous, this process's event loop; on PostgreSQL its rows' locks and
 * the count rows of their users. The batch size follows the time each batch took, aiming at
 * BATCH_TARGET_MS whatever the machine, the database and the rows' layout. Each batch's time is in
 * the metrics (sessionboard_bulk_batch_duration_seconds), so an operator sees how long they hold.
 */

import type { Database } from "../db";
import { logger } from "../log";
import { recordBulkBatch, type BulkOperation } from "../metrics/metrics";

const BATCH_TARGET_MS = 50;
/** Session rows ended or deleted by one bulk write from which the table is vacuumed after it. */
const VACUUM_AFTER = 10_000;
const BATCH_MIN = 100;
const BATCH_MAX = 20_000;

/** The next batch size, aiming at BATCH_TARGET_MS: shrinks at once, grows at most twofold. */
function nextBatchSize(limit: number, elapsedMs: number): number {
  const aimed = Math.round((limit * BATCH_TARGET_MS) / Math.max(elapsedMs, 1));
  return Math.max(BATCH_MIN, Math.min(BATCH_MAX, 2 * limit, aimed));
}

/**
 * Runs `batch(limit)` until it handles fewer rows than `limit`, letting queued requests run between
 * batches, and the database catch up on its own work (Database.roomForBulkWrite: not counted in the
 * batch's time). `batch` returns how many rows it took up (picked, deleted, marked). The first batch
 * has `first` rows (at least BATCH_MIN), the later ones are sized by time; `fixed` pins every size.
 */
export async function inTimedBatches(
  db: Database,
  operation: BulkOperation,
  batch: (limit: number) => Promise<number>,
  size: { first: number } | { fixed: number },
): Promise<void> {
  let limit = "fixed" in size ? size.fixed : Math.max(BATCH_MIN, size.first);
  for (;;) {
    await db.roomForBulkWrite();
    const started = performance.now();
    const done = await batch(limit);
    const elapsed = performance.now() - started;
    recordBulkBatch(operation, elapsed);
    if (done < limit) return;
    if (!("fixed" in size)) limit = nextBatchSize(limit, elapsed);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * After a bulk write ended or deleted `rows` sessions: from VACUUM_AFTER rows, vacuum now (see
 * Database.vacuumSessions) rather than leave every query walking their dead index entries, and
 * reading the table where an index would do, until autovacuum comes. Measured after a force logout
 * of 500,000 sessions: the Admin Panel's "signed in today" count read 51,737 heap pages for 37,150
 * index entries, 80 ms instead of 6.
 */
export async function vacuumAfterBulkWrite(db: Database, rows: number): Promise<void> {
  if (rows < VACUUM_AFTER) return;
  try {
    await db.vacuumSessions();
  } catch (error) {
    // The bulk write itself is done: a vacuum that fails (a cancel, a lost connection) is not its failure.
    logger().warn({ err: error }, "Vacuuming the sessions table after a bulk write failed; autovacuum will do it later");
  }
}
