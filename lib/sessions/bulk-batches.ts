/**
 * Bulk writes over many sessions (force logout, cleanup) run as a series of short statements, so
 * that sign-ins and session checks get their turn in between: on SQLite a batch holds the one writer
 * (and, the driver being synchronous, this process's event loop), on PostgreSQL its rows' locks and
 * the count rows of their users. The batch size follows the time each batch took, aiming at
 * BATCH_TARGET_MS whatever the machine, the database and the rows' layout: a fixed size that
 * was right for one was 130 ms a batch for another (SQLite cleanup: 500 rows).
 */

const BATCH_TARGET_MS = 40;
const BATCH_FIRST = 100;
const BATCH_MIN = 20;
const BATCH_MAX = 20_000;

/** The next batch size, aiming at BATCH_TARGET_MS: shrinks at once, grows at most twofold. */
function nextBatchSize(limit: number, elapsedMs: number): number {
  const aimed = Math.round((limit * BATCH_TARGET_MS) / Math.max(elapsedMs, 1));
  return Math.max(BATCH_MIN, Math.min(BATCH_MAX, 2 * limit, aimed));
}

/**
 * Runs `batch(limit)` until it handles fewer rows than `limit`, letting queued requests run between
 * batches. `batch` returns how many rows it took up (picked, deleted, marked). `fixedSize` pins the
 * size (tests).
 */
export async function inTimedBatches(batch: (limit: number) => Promise<number>, fixedSize?: number): Promise<void> {
  let limit = fixedSize ?? BATCH_FIRST;
  for (;;) {
    const started = performance.now();
    const done = await batch(limit);
    if (done < limit) return;
    if (fixedSize === undefined) limit = nextBatchSize(limit, performance.now() - started);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
