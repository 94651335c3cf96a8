import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSqliteDatabase } from "@/lib/db/sqlite";
import { BULK_WAIT_PAGES, checkpointInBackground } from "@/lib/db/sqlite-checkpoints";
import { tempDir } from "./helpers";

const PAGE = 4096;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the database file holds without its write-ahead log: a copy of the file alone, opened. */
function rowsInFileAlone(file: string, table: string): number {
  const copy = `${file}.alone`;
  fs.copyFileSync(file, copy);
  const raw = new BetterSqlite3(copy);
  try {
    const exists = raw.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(table);
    return exists ? (raw.prepare(`SELECT COUNT(*) FROM "${table}"`).pluck().get() as number) : 0;
  } finally {
    raw.close();
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(copy + suffix, { force: true });
  }
}

/** Whether `check` holds within `ms`; a throw counts as not yet (a copy taken while a checkpoint writes the file is torn). */
async function eventually(check: () => boolean, ms = 3000) {
  const holds = () => {
    try {
      return check();
    } catch {
      return false;
    }
  };
  const until = Date.now() + ms;
  while (!holds() && Date.now() < until) await sleep(20);
  return holds();
}

/** A WAL-mode file with one table, on a connection of its own. */
function rawDatabase() {
  const file = path.join(tempDir(), "raw.db");
  const connection = new BetterSqlite3(file);
  connection.pragma("journal_mode = WAL");
  connection.pragma("synchronous = NORMAL");
  connection.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
  return { file, connection };
}

/** One bulk batch: 250 rows of 3,000 random bytes, ~1 MB of log, in one transaction. */
function megabyteBatch(connection: BetterSqlite3.Database): () => void {
  const insert = connection.prepare("INSERT INTO t (body) VALUES (randomblob(3000))");
  return connection.transaction(() => {
    for (let i = 0; i < 250; i++) insert.run();
  });
}

describe("SQLite checkpoints", () => {
  it("run in a worker, never in a commit of the process's connection: a short log reaches the file within moments", async () => {
    const file = path.join(tempDir(), "sessions.db");
    const db = await openSqliteDatabase(file);
    try {
      // Far below the 1,000 pages after which SQLite itself would copy the log in a commit.
      await db.prisma.user.createMany({ data: Array.from({ length: 200 }, (_, i) => ({ id: `u${i}`, username: `user${i}`, authSource: "static" })) });
      expect(fs.statSync(`${file}-wal`).size).toBeLessThan(1000 * PAGE);
      expect(await eventually(() => rowsInFileAlone(file, "User") === 200)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it("hold bulk writes back while the log is long and not copied yet, so it starts over instead of growing", async () => {
    const { file, connection } = rawDatabase();
    const checkpoints = checkpointInBackground(connection, file);
    const batch = megabyteBatch(connection);
    let longest = 0;
    try {
      // 120 batches of ~1 MB, back to back: faster than the checkpoints can keep up with.
      for (let i = 0; i < 120; i++) {
        await checkpoints.roomForBulkWrite();
        batch();
        longest = Math.max(longest, fs.statSync(`${file}-wal`).size);
      }
      expect(longest).toBeGreaterThan(BULK_WAIT_PAGES * PAGE);
      // Without the wait the log holds all ~120 MB; with it, the threshold and one batch.
      expect(longest).toBeLessThan(4 * BULK_WAIT_PAGES * PAGE);
      expect(await eventually(() => rowsInFileAlone(file, "t") === 120 * 250)).toBe(true);
    } finally {
      await checkpoints.stop();
      connection.close();
      checkpoints.release();
    }
  });

  it("give up waiting on a log that a reader holds back, once, until the log has started over", async () => {
    const { file, connection } = rawDatabase();
    const checkpoints = checkpointInBackground(connection, file);
    const batch = megabyteBatch(connection);
    // Another connection (a backup, a sqlite3 shell) in a read transaction: no pass can copy past its snapshot.
    const reader = new BetterSqlite3(file);
    reader.exec("BEGIN");
    reader.prepare("SELECT COUNT(*) FROM t").get();
    try {
      const started = Date.now();
      for (let i = 0; i < 40; i++) {
        await checkpoints.roomForBulkWrite();
        batch();
      }
      // One wait of a second at most, not one per batch.
      expect(Date.now() - started).toBeLessThan(3000);
      reader.exec("COMMIT");
      // With the reader gone the log is copied and starts over: the bulk writes wait for that again.
      for (let i = 0; i < 10; i++) {
        await checkpoints.roomForBulkWrite();
        batch();
      }
      expect(await eventually(() => rowsInFileAlone(file, "t") === 50 * 250)).toBe(true);
    } finally {
      if (reader.inTransaction) reader.exec("COMMIT");
      reader.close();
      await checkpoints.stop();
      connection.close();
      checkpoints.release();
    }
  });

  it("go back to SQLite's own when the worker cannot run, and never hold a bulk write then", async () => {
    const { connection } = rawDatabase();
    const checkpoints = checkpointInBackground(connection, path.join(tempDir(), "missing", "none.db"));
    try {
      expect(await eventually(() => connection.pragma("wal_autocheckpoint", { simple: true }) === 1000)).toBe(true);
      await checkpoints.roomForBulkWrite();
    } finally {
      await checkpoints.stop();
      connection.close();
      checkpoints.release();
    }
  });

  it("stop with the database: the worker's connection is closed before the process's", async () => {
    const file = path.join(tempDir(), "sessions.db");
    const db = await openSqliteDatabase(file);
    await db.prisma.user.create({ data: { id: "u1", username: "alice", authSource: "static" } });
    await db.close();
    // The last connection to close copies the log and removes it: nothing was left open.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(rowsInFileAlone(file, "User")).toBe(1);
  });
});
