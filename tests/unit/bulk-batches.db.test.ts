import { afterEach, describe, expect, it, vi } from "vitest";
import { revokeAllSessions } from "@/lib/admin/sessions";
import { keyFingerprint } from "@/lib/auth/keys";
import type { Database } from "@/lib/db";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import { generateId, generateSessionToken, hashSessionToken } from "@/lib/sessions/token";
import { added } from "../support/metrics";
import { SECRET_A, TEST_BACKEND, USER_KEY, days, later, minutes, request, tempDatabase, testConfig } from "./helpers";

/**
 * Bulk writes hold the database (SQLite: the one writer and this event loop) for one batch at a
 * time. Whatever a row costs on the machine at hand, a batch must stay short: here the clock
 * (performance.now) only moves when the database works, by a chosen cost per row, so the test sees
 * exactly how long each batch held it.
 */

const T0 = new Date("2026-11-20T00:00:00.000Z");
/** What the batches aim at is 50 ms; a batch may overshoot it while the size adapts, never by this much. */
const LONGEST_ALLOWED_MS = 100;

afterEach(() => vi.restoreAllMocks());

/** Fake time that advances by `msPerRow` for every row a wrapped database method reports handling. */
function slowDatabase(db: Database, msPerRow: number) {
  let now = 0;
  const batches: number[] = [];
  vi.spyOn(performance, "now").mockImplementation(() => now);
  const charge = (rows: number) => {
    now += rows * msPerRow;
    batches.push(rows * msPerRow);
  };
  const endExpired = db.endExpiredSessions.bind(db);
  db.endExpiredSessions = async (...args) => {
    const result = await endExpired(...args);
    charge(result.marked);
    return result;
  };
  const deleteEnded = db.deleteEndedSessions.bind(db);
  db.deleteEndedSessions = async (...args) => {
    const result = await deleteEnded(...args);
    charge(result.deleted);
    return result;
  };
  const revokeBatch = db.revokeActiveSessionsBatch.bind(db);
  db.revokeActiveSessionsBatch = async (...args) => {
    const result = await revokeBatch(...args);
    charge(result.picked);
    return result;
  };
  return batches;
}

async function seedSessions(db: Database, count: number, expiresAt: Date | ((i: number) => Date)) {
  const user = await db.prisma.user.create({ data: { id: generateId(), username: "bulk", authSource: "static" } });
  const rows = Array.from({ length: count }, (_, i) => ({
    id: generateId(),
    tokenHash: hashSessionToken(generateSessionToken()),
    tokenHint: "abcdef12",
    userId: user.id,
    authMethod: "static",
    keyFingerprint: keyFingerprint(SECRET_A, USER_KEY),
    createdAt: T0,
    authenticatedAt: T0,
    lastActiveAt: T0,
    expiresAt: typeof expiresAt === "function" ? expiresAt(i) : expiresAt,
    absoluteExpiresAt: later(T0, days(90)),
  }));
  for (let i = 0; i < rows.length; i += 500) await db.prisma.session.createMany({ data: rows.slice(i, i + 500) });
}

/** What `work` added to the batch-duration histogram of `operations`: batches, and their time in ms. */
async function observedBatches(operations: string[], work: () => Promise<unknown>): Promise<{ count: number; sumMs: number }> {
  const moved = await added("sessionboard_bulk_batch_duration_seconds", work);
  const total = (sample: string) => operations.reduce((sum, operation) => sum + (moved[`${sample}operation=${operation}`] ?? 0), 0);
  return { count: total("_count"), sumMs: total("_sum") * 1000 };
}

describe("bulk writes in short batches, whatever a row costs", () => {
  // On PostgreSQL cleanup's batches are fixed: they hold no lock a sign-in waits for (see cleanupBatches).
  it.skipIf(TEST_BACKEND === "postgres")("cleanup marks and deletes 3,000 slow rows without holding the database 100 ms at a time", async () => {
    const { db, env } = await tempDatabase();
    const config = testConfig({ ...env, SESSION_HISTORY_DAYS: "0" });
    await seedSessions(db, 3_000, later(T0, minutes(10)));
    const batches = slowDatabase(db, 0.5);
    let result: unknown;
    let mark = { count: 0, sumMs: 0 };
    const all = await observedBatches(["cleanup_mark", "cleanup_delete"], async () => {
      mark = await observedBatches(["cleanup_mark"], async () => (result = await cleanupSessions(db, config, { now: later(T0, days(1)) })));
    });
    expect(result).toMatchObject({ endedSessions: 3_000, expiredSessions: 3_000 });
    expect(Math.max(...batches)).toBeLessThan(LONGEST_ALLOWED_MS);
    // Every batch's hold is in the metrics, per operation, as operators see it: the same batches, the same time.
    expect(all.count).toBe(batches.length);
    expect(all.sumMs).toBeCloseTo(batches.reduce((a, b) => a + b, 0), 3);
    expect(mark.count).toBeGreaterThan(1);
  });

  it("force logout of 3,000 rows at 0.08 ms each holds the database less than 100 ms at a time, and grows its batches on fast rows", async () => {
    const { db, env } = await tempDatabase();
    const config = testConfig(env);
    await seedSessions(db, 3_000, later(T0, days(30)));
    const batches = slowDatabase(db, 0.08);
    const actor = { username: "root", sessionId: null };
    let revoked = 0;
    const logout = await observedBatches(["force_logout"], async () => {
      revoked = await revokeAllSessions(db, config, actor, { includeSelf: true }, request, later(T0, minutes(5)));
    });
    expect(revoked).toBe(3_000);
    expect(Math.max(...batches)).toBeLessThan(LONGEST_ALLOWED_MS);
    expect(logout.count).toBe(batches.length);
    expect(logout.sumMs).toBeCloseTo(batches.reduce((a, b) => a + b, 0), 3);

    // At 0.01 ms a row, few statements: the size doubles up to what 50 ms allows.
    const fast = await tempDatabase();
    await seedSessions(fast.db, 3_000, later(T0, days(30)));
    const fastBatches = slowDatabase(fast.db, 0.01);
    expect(await revokeAllSessions(fast.db, testConfig(fast.env), actor, { includeSelf: true }, request, later(T0, minutes(5)))).toBe(3_000);
    expect(fastBatches.length).toBeLessThanOrEqual(3);
  });
});

describe("cleanup's batches each start where the previous one stopped", () => {
  // On PostgreSQL the index entries of rows already marked or deleted stay until a vacuum: a batch
  // that walked the range from its start went over all of them again, every batch.
  it("marks in expiry order and deletes in end order, each batch from the last one's latest time", async () => {
    const { db, env } = await tempDatabase();
    const config = testConfig({ ...env, SESSION_HISTORY_DAYS: "0" });
    // 250 expiries a second apart, in shuffled order of insertion.
    await seedSessions(db, 250, (i) => later(T0, minutes(10) + ((i * 97) % 250) * 1_000));
    const marks: { from: Date; last: Date | null }[] = [];
    const deletes: { from: Date; last: Date | null }[] = [];
    const endExpired = db.endExpiredSessions.bind(db);
    db.endExpiredSessions = async (now, limit, endedBy, from) => {
      const result = await endExpired(now, limit, endedBy, from);
      marks.push({ from, last: result.last });
      return result;
    };
    const deleteEnded = db.deleteEndedSessions.bind(db);
    db.deleteEndedSessions = async (before, limit, from) => {
      const result = await deleteEnded(before, limit, from);
      deletes.push({ from, last: result.last });
      return result;
    };
    expect(await cleanupSessions(db, config, { now: later(T0, days(1)), batchSize: 100 })).toMatchObject({ endedSessions: 250, expiredSessions: 250 });
    const secondOf = (n: number) => later(T0, minutes(10) + n * 1_000);
    // Batches of exactly 100, the earliest first (PostgreSQL once marked 170, spread over the range).
    expect(marks).toEqual([
      { from: new Date(0), last: secondOf(99) },
      { from: secondOf(99), last: secondOf(199) },
      { from: secondOf(199), last: secondOf(249) },
    ]);
    expect(deletes).toEqual(marks);
    expect(await db.prisma.session.count()).toBe(0);
  });
});

describe("the vacuum after a bulk write", () => {
  it("is the bulk write's tidying up, not part of it: a force logout whose vacuum fails has still marked its rows", async () => {
    const { db, env } = await tempDatabase();
    const config = testConfig(env);
    await seedSessions(db, 10_000, later(T0, days(30)));
    const vacuum = vi.spyOn(db, "vacuumSessions").mockRejectedValue(new Error("canceling statement due to user request"));
    const actor = { username: "root", sessionId: null };
    expect(await revokeAllSessions(db, config, actor, { includeSelf: true, batchSize: 5_000 }, request, later(T0, minutes(5)))).toBe(10_000);
    expect(vacuum).toHaveBeenCalledTimes(1);
    expect(await db.prisma.session.count({ where: { revokedAt: null } })).toBe(0);
  });
});
