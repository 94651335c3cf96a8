import { describe, expect, it } from "vitest";
import { listAdminSessions } from "@/lib/admin/sessions";
import { keyFingerprint } from "@/lib/auth/keys";
import type { Database } from "@/lib/db";
import { generateId, generateSessionToken, hashSessionToken } from "@/lib/sessions/token";
import { adminSessionsQuerySchema } from "@/lib/validation/admin";
import { SECRET_A, TEST_BACKEND, USER_KEY, days, later, minutes, planOf, tempDatabase, testConfig, type Sent } from "./helpers";

const T0 = new Date("2026-11-20T00:00:00.000Z");
const NOW = later(T0, days(40));
const PRINT = keyFingerprint(SECRET_A, USER_KEY);

/** A session: active, marked ended at `at` (revokedAt), or expired at `at` with no end marked yet. */
type Row = { user: string; lastActiveAt: Date; ended?: { marked: boolean; at: Date }; ip?: string };

/** Session rows written directly. */
async function seed(db: Database, rows: Row[]) {
  const owners = new Map<string, string>();
  for (const username of new Set(rows.map((row) => row.user))) {
    const user = await db.prisma.user.upsert({ where: { username }, create: { id: generateId(), username, authSource: "static" }, update: {} });
    owners.set(username, user.id);
  }
  const data = rows.map((row) => {
    const createdAt = later(row.lastActiveAt, -minutes(30));
    return {
      id: generateId(),
      tokenHash: hashSessionToken(generateSessionToken()),
      tokenHint: "abcdef12",
      userId: owners.get(row.user) ?? "",
      authMethod: "static",
      keyFingerprint: PRINT,
      ipAddress: row.ip ?? null,
      createdAt,
      authenticatedAt: createdAt,
      lastActiveAt: row.lastActiveAt,
      expiresAt: row.ended && !row.ended.marked ? row.ended.at : later(NOW, days(1)),
      absoluteExpiresAt: later(NOW, days(30)),
      ...(row.ended?.marked ? { revokedAt: row.ended.at, revokedBy: "root", endReason: "revoked_by_admin" } : {}),
    };
  });
  for (let i = 0; i < data.length; i += 500) await db.prisma.session.createMany({ data: data.slice(i, i + 500) });
}

/** Every page of the Admin Panel's list for `query`, `limit` at a time: the ids in the order shown. */
async function everyPage(db: Database, query: Record<string, string>, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAdminSessions(db, testConfig(), null, adminSessionsQuerySchema.parse({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) }), NOW);
    expect(page.sessions.length).toBeLessThanOrEqual(limit);
    seen.push(...page.sessions.map((session) => session.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return seen;
}

describe("the Admin Panel's ended sessions (state=ended)", () => {
  it("lists those marked ended and the expiries cleanup has not marked yet together, most recently ended first, page by page", async () => {
    const { db } = await tempDatabase();
    const rows: Row[] = [];
    // Active ones, the most recently active; ended ones of both kinds interleaved in time.
    for (let i = 0; i < 12; i++) rows.push({ user: i % 2 ? "alice" : "bob", lastActiveAt: later(NOW, -minutes(10 + i)), ip: `10.0.0.${i * 20}` });
    for (let i = 0; i < 14; i++) {
      const at = later(T0, days(i));
      rows.push({ user: i % 3 ? "alice" : "bob", lastActiveAt: later(T0, days(13 - i)), ended: { marked: i % 2 === 1, at }, ip: `10.0.0.${i * 17}` });
    }
    // Ended at the very moment one of the other kind did (T0 + 3 days marked, T0 + 4 days not), and
    // three at the moment a force logout ended them all.
    rows.push({ user: "alice", lastActiveAt: T0, ended: { marked: false, at: later(T0, days(3)) }, ip: "10.0.0.1" });
    rows.push({ user: "alice", lastActiveAt: T0, ended: { marked: true, at: later(T0, days(4)) }, ip: "10.0.0.2" });
    for (let i = 0; i < 3; i++) rows.push({ user: "bob", lastActiveAt: later(T0, minutes(i)), ended: { marked: true, at: later(T0, days(7)) }, ip: `10.0.0.${3 + i}` });
    await seed(db, rows);

    // All ended rows as the database orders their ids, then (a stable sort) by when they ended, those
    // marked ended before the others at the same moment: the ids of two kinds are never compared.
    const expected = async (where: object) =>
      (
        await db.prisma.session.findMany({
          where: { AND: [{ OR: [{ revokedAt: { not: null } }, { expiresAt: { lte: NOW } }, { absoluteExpiresAt: { lte: NOW } }] }, where] },
          orderBy: { id: "desc" },
        })
      )
        .map((row) => ({ id: row.id, ip: row.ipAddress ?? "", marked: row.revokedAt !== null, at: (row.revokedAt ?? row.expiresAt).getTime() }))
        .sort((a, b) => b.at - a.at || Number(b.marked) - Number(a.marked));
    const all = await expected({});
    expect(all.length).toBe(19);
    for (const sort of ["lastActive", "created"]) {
      for (const limit of [1, 2, 3, 50]) expect(await everyPage(db, { state: "ended", sort }, limit), `sort=${sort}, limit=${limit}`).toEqual(all.map((row) => row.id));
    }
    const alices = await expected({ user: { username: "alice" } });
    expect(await everyPage(db, { state: "ended", user: "alice", match: "exact" }, 2)).toEqual(alices.map((row) => row.id));
    // A CIDR block the database cannot check alone: the list walks and keeps the rows that pass.
    const inBlock = all.filter((row) => Number(row.ip.split(".")[3]) < 128);
    expect(inBlock.length).toBeGreaterThan(3);
    expect(await everyPage(db, { state: "ended", ip: "10.0.0.0/25" }, 2)).toEqual(inBlock.map((row) => row.id));

    const first = await listAdminSessions(db, testConfig(), null, adminSessionsQuerySchema.parse({ state: "ended", limit: "2" }), NOW);
    expect(first.sessions.map((session) => [session.endReason, session.endedAt])).toEqual([
      ["revoked_by_admin", later(T0, days(13)).toISOString()],
      ["expired_idle", later(T0, days(12)).toISOString()],
    ]);
  });

  it("leaves out the sessions a pending force logout ended until their rows are marked, those expiring since included", async () => {
    const { db } = await tempDatabase();
    const cutoff = later(NOW, -minutes(10));
    await seed(db, [
      // Active at the cutoff, so the force logout ended it; it has expired since.
      { user: "alice", lastActiveAt: later(NOW, -minutes(60)), ended: { marked: false, at: later(NOW, -minutes(1)) } },
      // Expired before the cutoff, and marked ended before it.
      { user: "bob", lastActiveAt: later(NOW, -minutes(60)), ended: { marked: false, at: later(cutoff, -minutes(5)) } },
      { user: "bob", lastActiveAt: later(NOW, -minutes(60)), ended: { marked: true, at: later(cutoff, -minutes(20)) } },
    ]);
    await db.prisma.forceLogoutCutoff.create({ data: { id: 1, at: cutoff, keepSessionId: null, revokedBy: "root", revokeReason: "test", endReason: "revoked_all" } });
    const page = await listAdminSessions(db, testConfig(), null, adminSessionsQuerySchema.parse({ state: "ended" }), NOW);
    expect(page.sessions.map((session) => [session.user.username, session.endReason, session.endedAt])).toEqual([
      ["bob", "expired_idle", later(cutoff, -minutes(5)).toISOString()],
      ["bob", "revoked_by_admin", later(cutoff, -minutes(20)).toISOString()],
    ]);
  });

  it("reads each kind of ended row in order from an index of its own, not past the active sessions, nor sorting a force logout's", async () => {
    const sent: Sent[] = [];
    let recording = false;
    const { db, env } = await tempDatabase({ onQuery: (sql, params) => recording && sent.push({ sql, params }) });
    const rows: Row[] = [];
    // The active sessions are the most recently active and the most recently created: a walk of
    // either whole index from the top passes them all before the first ended one.
    for (let i = 0; i < 12_000; i++) rows.push({ user: `user${i % 300}`, lastActiveAt: later(NOW, -minutes(i)) });
    for (let i = 0; i < 40; i++) rows.push({ user: `user${i}`, lastActiveAt: later(T0, minutes(i)), ended: { marked: i % 4 > 0, at: later(T0, days(1) + minutes(i)) } });
    // The latest to end: 2,000 ended at one moment by a force logout.
    for (let i = 0; i < 2000; i++) rows.push({ user: `user${i % 300}`, lastActiveAt: later(T0, minutes(i)), ended: { marked: true, at: later(T0, days(2)) } });
    await seed(db, rows);
    await db.prisma.$executeRawUnsafe(TEST_BACKEND === "postgres" ? 'ANALYZE "Session"' : "ANALYZE");
    recording = true;
    const page = await listAdminSessions(db, testConfig(), null, adminSessionsQuerySchema.parse({ state: "ended", limit: "20" }), NOW);
    recording = false;
    expect(page.sessions.length).toBe(20);
    const reads = sent.filter((s) => /^\s*SELECT/i.test(s.sql) && /FROM [`"\w.]*\bSession[`"]? /.test(s.sql) && /ORDER BY \S+ DESC/i.test(s.sql));
    expect(reads.length, "the list's reads").toBe(2);
    for (const read of reads) {
      const plan = await planOf(db, env, sent, read);
      expect(plan, read.sql).not.toMatch(/Seq Scan|SCAN (main\.)?"?Session"?$|Session_lastActiveAt_id_idx|Session_createdAt_id_idx/m);
      // Those marked ended: in list order from the partial index of ended rows, no sort of the 2,000.
      if (/ORDER BY [`"\w.]*revokedAt/.test(read.sql)) {
        expect(plan).toContain("Session_ended_revokedAt_id_idx");
        expect(plan).not.toMatch(/TEMP B-TREE|Sort/);
      }
    }
  });
});
