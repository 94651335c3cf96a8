/**
 * SQLite's write-ahead log checkpoints, on a connection of their own in a worker thread.
 *
 * Left to itself, SQLite copies the log into the database file (and syncs it) inside whichever
 * commit takes the log past 1,000 pages. This process writes on one connection and its driver is
 * synchronous, so that commit — a sign-in, a batch of cleanup — and every other request of the
 * process wait for the copy: 143–249 ms for 4–6 MB measured on a quiet machine, seconds when the
 * disk is slow. Here a worker runs PASSIVE checkpoints, which neither wait for nor block readers
 * and writers; once a pass has copied the whole log, the next commit starts the log over from its
 * beginning (and `journal_size_limit` cuts the file back). The process's own connection checkpoints
 * only as a safety net, past SAFETY_NET_PAGES, should the worker fall far behind.
 *
 * Commits back to back can outrun the checkpoints (no pass ends with nothing left, so the log never
 * starts over), and a checkpoint copying while a bulk batch writes slows the batch: bulk writes
 * (cleanup, force logout) ask `roomForBulkWrite()` before each batch. It reads the log's length
 * from the "-shm" file and, past BULK_WAIT_PAGES, wakes the worker and waits — sign-ins and page
 * views run meanwhile — until the log is copied; while batches run, the worker copies only then.
 * A reader elsewhere holding an old snapshot keeps any pass from copying past it: after
 * HELD_BACK_MS without headway the wait gives up, and is not tried again until the log has started
 * over. Should the worker fail to start, the connection goes back to SQLite's own checkpoints.
 *
 * Measured side by side (cleanup of 150,000 expiries and 75,000 deletions, force logout of
 * 150,000, sign-ins alongside): cleanup 36 s instead of 39 with no batch over 100 ms either way;
 * sign-ins meanwhile 8.9 ms at the median instead of 54 (they no longer queue behind checkpoints),
 * at most 83 ms; force logout's marking unchanged at 3.5 s.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { logger } from "../log";

/** How often the worker looks on its own (each pass that copies syncs twice). */
const CHECKPOINT_EVERY_MS = 250;
/** After a pass failed (disk full, I/O error), the next one. */
const RETRY_AFTER_FAILURE_MS = 5000;
/** 4 MB of 4 KB pages, SQLite's own checkpoint size: past this, bulk batches wait for a checkpoint. */
export const BULK_WAIT_PAGES = 1000;
/**
 * The connection's own checkpoints, in the committing request, only past this (64 MB): far above
 * what a bulk batch adds to a log of BULK_WAIT_PAGES (a cleanup batch of 600 deletions wrote over
 * 3,000 pages; at a lower net its commit ran the checkpoint, 60–80 ms, into the batch).
 */
const SAFETY_NET_PAGES = 16_384;
/** A wait ends when the checkpoint has made no headway for this long (a reader elsewhere holds it back). */
const HELD_BACK_MS = 1000;
/** A bulk batch waits at most this long (a slow disk can take seconds to sync a checkpoint). */
const BULK_WAIT_MAX_MS = 10_000;
const BULK_WAIT_POLL_MS = 2;
/** While bulk batches run, the worker copies only when asked, between them, not in the middle of one. */
const BULK_QUIET_MS = 1000;
/** When the log starts over, its file is cut back to this size. */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/** SQLite's default, restored should the worker not start. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/** Signals to the worker, in shared memory: wake now, stop; and until when bulk batches run (Date.now()). */
const WAKE = 0;
const STOP = 1;

// Plain CommonJS, run by `new Worker(…, { eval: true })`: nothing to bundle, and better-sqlite3 is
// resolved from the working directory, as the migrations are (lib/db/migrations.ts). The worker
// does nothing else, so it sleeps in Atomics.wait, from which WAKE and STOP rouse it at once.
// While a pass makes headway and the log is not copied yet, the next one follows at once.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require("better-sqlite3");
const db = new Database(workerData.file, { fileMustExist: true });
const signals = new Int32Array(workerData.signals);
const bulkUntil = new Float64Array(workerData.bulkUntil);
let copied = -1;
while (Atomics.load(signals, ${STOP}) === 0) {
  let pause = workerData.everyMs;
  const asked = Atomics.exchange(signals, ${WAKE}, 0) === 1;
  if (asked || Date.now() >= bulkUntil[0]) {
    try {
      const [row] = db.pragma("wal_checkpoint(PASSIVE)");
      if (!row.busy && row.checkpointed !== copied && row.checkpointed < row.log) pause = 1;
      copied = row.checkpointed;
    } catch (error) {
      parentPort.postMessage(String(error && error.message ? error.message : error));
      pause = workerData.retryMs;
    }
  }
  Atomics.wait(signals, ${WAKE}, 0, pause);
}
db.close();
`;

/**
 * One read-only descriptor per "-shm" file and process, closed when the last database on it here
 * has closed: closing a descriptor drops every POSIX lock the process holds on that file, so one
 * closed while another connection of this process still uses the file would take its locks away.
 */
const shmDescriptors = new Map<string, { fd: number; users: number }>();

/**
 * The log's length and how much of it is copied, read from the WAL-index header SQLite keeps in the
 * "-shm" file (https://www.sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, in
 * the machine's byte order): a 100-byte read, without taking any lock or running a checkpoint.
 */
function walIndexReader(file: string): { read: () => { log: number; copied: number } | null; close: () => void } {
  const shm = `${file}-shm`;
  let open = shmDescriptors.get(shm);
  if (!open) {
    try {
      open = { fd: fs.openSync(shm, "r"), users: 0 };
    } catch {
      return { read: () => null, close: () => {} };
    }
    shmDescriptors.set(shm, open);
  }
  open.users += 1;
  const { fd } = open;
  const header = Buffer.alloc(100);
  const le = os.endianness() === "LE";
  let closed = false;
  return {
    read: () => {
      if (fs.readSync(fd, header, 0, 100, 0) < 100) return null;
      return le ? { log: header.readUInt32LE(16), copied: header.readUInt32LE(96) } : { log: header.readUInt32BE(16), copied: header.readUInt32BE(96) };
    },
    close: () => {
      if (closed || !open) return;
      closed = true;
      open.users -= 1;
      if (open.users > 0) return;
      shmDescriptors.delete(shm);
      fs.closeSync(fd);
    },
  };
}

export type BackgroundCheckpoints = {
  /** Resolves when a bulk batch may write: the log is short, or copied, or the wait ran out. */
  roomForBulkWrite(): Promise<void>;
  /** Stops the worker (its connection closed) before the process's own connection closes. */
  stop(): Promise<void>;
  /**
   * After the process's own connection has closed: closing any descriptor of a file drops every
   * POSIX lock the process holds on it, SQLite's included, so the "-shm" one stays open until then.
   */
  release(): void;
};

/** Moves `connection`'s checkpoints (a WAL-mode database file) to a worker thread. */
export function checkpointInBackground(connection: BetterSqlite3.Database, file: string): BackgroundCheckpoints {
  connection.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  connection.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);

  const signals = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const bulkUntil = new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file: path.resolve(file), everyMs: CHECKPOINT_EVERY_MS, retryMs: RETRY_AFTER_FAILURE_MS, signals: signals.buffer, bulkUntil: bulkUntil.buffer },
  });
  // Never what keeps a process (a CLI command, a test run) alive.
  worker.unref();
  const signal = (slot: number) => {
    Atomics.store(signals, slot, 1);
    Atomics.notify(signals, WAKE);
  };
  const walIndex = walIndexReader(path.resolve(file));
  // Set when a wait saw no headway (a reader elsewhere holds the log back): no waiting again until
  // the log has started over.
  let heldBack: { log: number } | null = null;

  let running = true;
  let stopping: Promise<void> | undefined;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("message", (reason: string) => logger().warn({ file, reason }, "An SQLite checkpoint failed; the next one is in a few seconds"));
  const failed = (reason: string) => {
    if (!running) return;
    running = false;
    fallBack(connection, file, reason);
  };
  worker.on("error", (error) => failed(error.message));
  worker.on("exit", (code) => failed(`exit code ${code}`));

  return {
    async roomForBulkWrite() {
      try {
        let wal = walIndex.read();
        if (!running || !wal || wal.log <= BULK_WAIT_PAGES || wal.copied >= wal.log) return;
        if (heldBack && wal.log >= heldBack.log) return;
        heldBack = null;
        // Until the log is copied (it then starts over at the next commit) or has started over.
        signal(WAKE);
        const started = Date.now();
        let headway = { copied: wal.copied, at: started };
        while (running && Date.now() - started < BULK_WAIT_MAX_MS) {
          await new Promise((resolve) => setTimeout(resolve, BULK_WAIT_POLL_MS));
          wal = walIndex.read();
          if (!wal || wal.copied >= wal.log || wal.log < headway.copied) return;
          if (wal.copied !== headway.copied) {
            headway = { copied: wal.copied, at: Date.now() };
          } else if (Date.now() - headway.at >= HELD_BACK_MS) {
            heldBack = { log: wal.log };
            return;
          } else {
            signal(WAKE);
          }
        }
      } finally {
        bulkUntil[0] = Date.now() + BULK_QUIET_MS;
      }
    },
    stop() {
      stopping ??= (async () => {
        if (!running) return;
        running = false;
        // Held open until the worker has closed its connection: the process may have nothing else to wait for.
        worker.ref();
        signal(STOP);
        let timer: NodeJS.Timeout | undefined;
        const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, 2000, false)))]);
        clearTimeout(timer);
        if (!stopped) await worker.terminate();
      })();
      return stopping;
    },
    release() {
      walIndex.close();
    },
  };
}

/** Back to SQLite's own checkpoints, in the commits; retried while the connection is busy with a statement. */
function fallBack(connection: BetterSqlite3.Database, file: string, reason: string, attempt = 0) {
  if (!connection.open) return;
  try {
    connection.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    logger().warn({ file, reason }, "SQLite checkpoints are back in the requests: their worker stopped");
  } catch (error) {
    if (attempt < 100) setImmediate(() => fallBack(connection, file, reason, attempt + 1));
    else logger().error({ file, reason, err: error }, "SQLite checkpoints stopped: their worker failed and the connection could not take them back");
  }
}
