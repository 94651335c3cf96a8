import { describe, expect, it } from "vitest";
import { adminCounters, listAdminSessions, ownersWithMoreThan, revokeAllSessions, revokeSessionAsAdmin, revokeUserSessionsAsAdmin } from "@/lib/admin/sessions";
import { disableUser } from "@/lib/admin/users";
import { keyFingerprint } from "@/lib/auth/keys";
import { generateId, generateSessionToken, hashSessionToken } from "@/lib/sessions/token";
import type { Config } from "@/lib/config";
import { openDatabase, type Database } from "@/lib/db";
import { activeSessionsOf, LAPSED_READ_BOUND } from "@/lib/admin/active-counts";
import { activeSessionWhere, revocableSessionWhere } from "@/lib/sessions/active";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import { pendingForceLogout } from "@/lib/sessions/active";
import type { Actor } from "@/lib/actor";
import { adminSessionsQuerySchema } from "@/lib/validation/admin";
import { endSessionByLogout, validateSessionCookie } from "@/lib/sessions/sessions";
import { ADMIN_KEY, SECRET_A, TEST_BACKEND, USER_KEY, days, later, minutes, planOf, request, signIn, tempDatabase, testConfig, type Sent } from "./helpers";

const T0 = new Date("2026-11-20T00:00:00.000Z");
const CURRENT_PRINT = keyFingerprint(SECRET_A, USER_KEY);
const OLD_PRINT = keyFingerprint(SECRET_A, "a-key-no-longer-configured");

type Seed = {
  at?: Date;
  method?: "static" | "oidc";
  print?: string | null;
  expiresAt?: Date;
  absoluteExpiresAt?: Date;
  revokedAt?: Date;
};

async function userId(db: Database, username: string) {
  const user = await db.prisma.user.upsert({ where: { username }, create: { id: generateId(), username, authSource: "static" }, update: {} });
  return user.id;
}

/** Session rows written directly, with chosen times, method and key fingerprint. */
async function seed(db: Database, username: string, count: number, options: Seed = {}) {
  const owner = await userId(db, username);
  const at = options.at ?? T0;
  const rows = Array.from({ length: count }, () => ({
    id: generateId(),
    tokenHash: hashSessionToken(generateSessionToken()),
    tokenHint: "abcdef12",
    userId: owner,
    authMethod: options.method ?? "static",
    keyFingerprint: options.print !== undefined ? options.print : options.method === "oidc" ? null : CURRENT_PRINT,
    createdAt: at,
    authenticatedAt: at,
    lastActiveAt: at,
    expiresAt: options.expiresAt ?? later(at, days(30)),
    absoluteExpiresAt: options.absoluteExpiresAt ?? later(at, days(90)),
    revokedAt: options.revokedAt ?? null,
  }));
  await db.prisma.session.createMany({ data: rows });
  return rows.map((row) => row.id);
}

/** The answers as the straightforward queries give them: every active session scanned. */
async function straightforward(db: Database, config: Config, now: Date, thresholds: number[]) {
  const active = activeSessionWhere(config, now, await pendingForceLogout(db));
  const owners: Record<number, string[]> = {};
  for (const moreThan of thresholds) {
    const groups = await db.prisma.session.groupBy({ by: ["userId"], where: active, having: { userId: { _count: { gt: moreThan } } } });
    owners[moreThan] = groups.map((group) => group.userId).sort();
  }
  const perUser = await db.prisma.session.groupBy({ by: ["userId"], where: active, _count: { _all: true } });
  return {
    activeSessions: await db.prisma.session.count({ where: active }),
    activeUsers: await db.prisma.user.count({ where: { sessions: { some: active } } }),
    owners,
    perUser: Object.fromEntries(perUser.map((group) => [group.userId, group._count._all])),
  };
}

const THRESHOLDS = [0, 1, 2, 5, 6];

/** The maintained counts give exactly what the straightforward queries give, at each of `nows`. */
async function expectExact(db: Database, config: Config, nows: Date[], label: string) {
  for (const now of nows) {
    const expected = await straightforward(db, config, now, THRESHOLDS);
    const counters = await adminCounters(db, config, now);
    const owners: Record<number, string[]> = {};
    for (const moreThan of THRESHOLDS) owners[moreThan] = (await ownersWithMoreThan(db, config, moreThan, now)).sort();
    // Each user's, as listings show them next to each session (none: 0).
    const users = (await db.prisma.user.findMany({ select: { id: true } })).map((user) => user.id);
    const each = await activeSessionsOf(db, config, users, now, await pendingForceLogout(db));
    const perUser = Object.fromEntries([...each].filter(([, sessions]) => sessions !== 0));
    expect({ activeSessions: counters.activeSessions, activeUsers: counters.activeUsers, owners, perUser }, `${label} at ${now.toISOString()}`).toEqual(expected);
  }
  await expectCountsMatchSessions(db, label);
}

/** The per-user count rows are exactly the not-revoked sessions grouped by owner and credential. */
async function expectCountsMatchSessions(db: Database, label: string) {
  const groups = await db.prisma.session.groupBy({
    by: ["userId", "authMethod", "keyFingerprint"],
    where: { revokedAt: null },
    _count: { _all: true },
  });
  const expected = new Map<string, number>();
  for (const group of groups) {
    const key = `${group.userId}|${group.authMethod}|${group.keyFingerprint ?? ""}`;
    expected.set(key, (expected.get(key) ?? 0) + group._count._all);
  }
  const rows = await db.prisma.userSessionCount.findMany();
  const actual = new Map(rows.map((row) => [`${row.userId}|${row.authMethod}|${row.keyFingerprint}`, row.sessions]));
  expect(actual, `count rows ${label}`).toEqual(expected);
}

const actorOf = (signed: Awaited<ReturnType<typeof signIn>>): Actor => ({ username: signed.user.username, sessionId: signed.session.id });

describe("admin counters and the 'more than N' filter, from the maintained per-user counts", () => {
  it("are exactly the straightforward queries' answers through sign-ins, revocations, expiry, cleanup, logout, key changes and deletions", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const nows = [later(T0, days(1)), later(T0, days(3)), later(T0, days(40)), later(T0, days(100))];
    await expectExact(db, config, nows, "empty");

    const alice = await seed(db, "alice", 3);
    await seed(db, "alice", 1, { revokedAt: T0 });
    await seed(db, "bob", 2, { method: "oidc" });
    // Idle-expired before the first `now`, and expired (idle) soon after it.
    await seed(db, "bob", 1, { method: "oidc", expiresAt: later(T0, minutes(720)) });
    await seed(db, "bob", 1, { method: "oidc", expiresAt: later(T0, days(2)) });
    // Past the absolute cap (expiry never outlives it).
    await seed(db, "carol", 1, { at: later(T0, -days(89)), expiresAt: later(T0, minutes(360)), absoluteExpiresAt: later(T0, minutes(360)) });
    // Signed in with a key that is no longer configured, and with none.
    await seed(db, "erin", 2, { print: OLD_PRINT });
    await seed(db, "erin", 1, { print: null });
    await seed(db, "erin", 1);
    const frank = await seed(db, "frank", 6);
    await seed(db, "frank", 1, { expiresAt: later(T0, days(2)) });
    await seed(db, "gina", 4);
    await seed(db, "gina", 2, { expiresAt: later(T0, days(2)) });
    await seed(db, "dave", 2);
    await expectExact(db, config, nows, "seeded");

    // Real sign-ins (the app's own writes), and an admin acting.
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const henry = [await signIn(db, config, "henry", USER_KEY), await signIn(db, config, "henry", USER_KEY)];
    const signedNow = [new Date()];
    await expectExact(db, config, [...nows, ...signedNow], "after sign-ins");

    await revokeSessionAsAdmin(db, actorOf(root), alice[0], undefined, request, nows[0]);
    await revokeUserSessionsAsAdmin(db, actorOf(root), "gina", undefined, request, nows[0]);
    await disableUser(db, actorOf(root), "dave", undefined, request, nows[0]);
    // A disabled user's session written after the fact still counts as the straightforward query counts it.
    await seed(db, "dave", 1);
    await expectExact(db, config, [...nows, ...signedNow], "after revocations and disabling");

    // Logout deletes the row; a sign-in that meets an expired session deletes it too.
    const check = await validateSessionCookie(db, config, henry[0].cookie, request);
    if (check.status !== "active") throw new Error("henry should be signed in");
    await endSessionByLogout(db, check.session, check.user, request);
    await expectExact(db, config, [...nows, ...signedNow], "after logout");

    await cleanupSessions(db, config, { now: nows[1], batchSize: 2 });
    await expectExact(db, config, nows, "after cleanup");

    // A key change: static sessions of the old key stop counting at once, without any write.
    await expectExact(db, testConfig({ DASHBOARD_KEY: "a-brand-new-shared-key" }), nows, "after the key changed");
    // A re-authentication that records a new fingerprint moves the session between counts.
    await db.prisma.session.update({ where: { id: frank[0] }, data: { keyFingerprint: OLD_PRINT } });
    await db.prisma.session.update({ where: { id: frank[1] }, data: { keyFingerprint: null, authMethod: "oidc" } });
    // Activity writes touch no count.
    const NOWHERE = { ipAddress: null, userAgent: null, country: null, city: null };
    await db.touchSession(frank[2], { lastActiveAt: later(T0, minutes(5)), expiresAt: later(T0, days(31)), seen: NOWHERE });
    await expectExact(db, config, nows, "after fingerprint changes");

    // Plain SQL from an operator: deleting rows, and un-revoking one.
    const erin = await userId(db, "erin");
    await db.prisma.$executeRawUnsafe(`DELETE FROM "Session" WHERE "userId" = '${erin}' AND "keyFingerprint" IS NULL`);
    await db.prisma.$executeRawUnsafe(`UPDATE "Session" SET "revokedAt" = NULL, "revokedBy" = NULL WHERE "id" = '${alice[0]}'`);
    await expectExact(db, config, nows, "after plain SQL");

    // Deleting a user deletes their sessions (cascade), and their counts with them.
    await db.prisma.user.delete({ where: { username: "alice" } });
    await expectExact(db, config, nows, "after deleting a user");

    // Now, so that it ends the sessions signed in above too (it ends those signed in before its time).
    const at = new Date();
    const stillActive = await db.prisma.session.count({ where: { AND: [activeSessionWhere(config, at, null), { id: { not: root.session.id } }] } });
    expect(stillActive).toBeGreaterThan(3);
    // It ends those of keys no longer configured too (another replica may still hold the key): every row not ended.
    const notEnded = await db.prisma.session.count({ where: { AND: [revocableSessionWhere(at, null), { id: { not: root.session.id } }] } });
    expect(notEnded).toBeGreaterThan(stillActive);
    expect(await revokeAllSessions(db, config, actorOf(root), { includeSelf: false, batchSize: 3 }, request, at)).toBe(notEnded);
    await expectExact(db, config, [...nows, new Date()], "after force logout");
    // Only the acting admin's own session is left.
    expect((await adminCounters(db, config)).activeSessions).toBe(1);

    if (TEST_BACKEND === "postgres") {
      // CASCADE: the sessions' activity entries reference them.
      await db.prisma.$executeRawUnsafe(`TRUNCATE "Session" CASCADE`);
      await expectExact(db, config, nows, "after TRUNCATE");
    }
  });
});

describe("the per-user counts migration", () => {
  it("counts the sessions a database already holds when it is applied", async () => {
    const { db, env } = await tempDatabase();
    const config = testConfig();
    await seed(db, "alice", 3);
    await seed(db, "alice", 1, { revokedAt: T0 });
    await seed(db, "bob", 2, { method: "oidc" });
    await seed(db, "bob", 1, { print: OLD_PRINT });
    // Back to the database as the previous release left it: no count table, no triggers.
    const undo =
      TEST_BACKEND === "postgres"
        ? [
            'DROP TABLE "UserSessionCount"',
            'DROP TRIGGER "Session_count_insert" ON "Session"',
            'DROP TRIGGER "Session_count_update" ON "Session"',
            'DROP TRIGGER "Session_count_delete" ON "Session"',
            'DROP TRIGGER "Session_count_truncate" ON "Session"',
            'DROP FUNCTION "Session_count_sessions"',
            'DROP FUNCTION "Session_count_truncate"',
            'DROP FUNCTION "UserSessionCount_apply"',
          ]
        : ['DROP TABLE "UserSessionCount"', 'DROP TRIGGER "Session_count_insert"', 'DROP TRIGGER "Session_count_update"', 'DROP TRIGGER "Session_count_delete"'];
    for (const statement of [...undo, `DELETE FROM "_prisma_migrations" WHERE "migration_name" = '20261202000000_session_counts'`]) {
      await db.prisma.$executeRawUnsafe(statement);
    }
    await seed(db, "carol", 2);

    // The next start applies the migration (the first connection stays open: closed after the test).
    const migrated = await openDatabase(testConfig(env));
    try {
      await expectExact(migrated, config, [later(T0, days(1))], "after the migration");
      expect((await adminCounters(migrated, config, later(T0, days(1)))).activeSessions).toBe(3 + 2 + 2);
    } finally {
      await migrated.close();
    }
  });
});

describe("force logout of everyone, in keyset batches", () => {
  it("revokes every active session across many batches, keeps the admin's own, marks rows rather than deleting them, and audits once", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const now = later(T0, days(1));
    const root = await signIn(db, config, "root", ADMIN_KEY, false, request);
    const live: string[] = [];
    for (let i = 0; i < 9; i++) live.push(...(await seed(db, `user${i}`, 3, { method: i % 3 === 0 ? "oidc" : "static" })));
    const revokedBefore = await seed(db, "old", 2, { revokedAt: T0 });
    const expired = await seed(db, "old", 2, { expiresAt: later(T0, minutes(10)) });
    const staleKey = await seed(db, "old", 2, { print: OLD_PRINT });

    // The sessions of a key no longer configured end too: another replica may still accept them.
    expect(await revokeAllSessions(db, config, actorOf(root), { includeSelf: false, reason: "incident 7", batchSize: 4 }, request, now)).toBe(live.length + staleKey.length);
    const rows = await db.prisma.session.findMany({ select: { id: true, revokedAt: true, revokedBy: true, revokeReason: true } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    // Nothing deleted: each device is told "Your session was revoked" at its next request.
    expect(rows).toHaveLength(live.length + revokedBefore.length + expired.length + staleKey.length + 1);
    for (const id of [...live, ...staleKey]) expect(byId.get(id)).toMatchObject({ revokedAt: now, revokedBy: "root", revokeReason: "incident 7" });
    for (const id of [...expired, root.session.id]) expect(byId.get(id)?.revokedAt).toBeNull();
    for (const id of revokedBefore) expect(byId.get(id)?.revokedAt).toEqual(T0);
    expect((await validateSessionCookie(db, config, root.cookie, request)).status).toBe("active");
    await expectCountsMatchSessions(db, "after force logout");

    expect(await revokeAllSessions(db, config, actorOf(root), { includeSelf: true, batchSize: 1 }, request)).toBe(1);
    expect(await validateSessionCookie(db, config, root.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    const events = await db.prisma.authEvent.findMany({ where: { type: { in: ["sessions.revoked_all", "session.revoked"] } }, orderBy: { count: "desc" } });
    expect(events.map((e) => [e.type, e.actor, e.count, e.detail])).toEqual([
      // The rows it ended, those of the key no longer configured included.
      ["sessions.revoked_all", "root", live.length + staleKey.length, "scope: all; reason: incident 7"],
      ["sessions.revoked_all", "root", 1, "scope: all (including the admin's own session); reason: revoked by an administrator"],
    ]);
    await expectCountsMatchSessions(db, "after including the admin");
  });

  it("lets sign-ins go on while it runs, and the counts stay exact", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    for (let i = 0; i < 20; i++) await seed(db, `crowd${i}`, 15, { at: new Date(Date.now() - days(1)) });
    const signed: string[] = [];
    let running = true;
    // One sign-in after another for as long as the force logout runs (and at least five), each
    // arriving as a request does, from the event loop (SQLite's Prisma calls never leave the microtask queue).
    const signingIn = (async () => {
      while (running || signed.length < 5) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        signed.push((await signIn(db, config, `crowd${signed.length % 20}`, USER_KEY)).session.id);
      }
    })();
    const revoked = await revokeAllSessions(db, config, actorOf(root), { includeSelf: false, batchSize: 7 }, request);
    running = false;
    await signingIn;
    expect(signed.length).toBeGreaterThanOrEqual(5);
    expect(revoked).toBeGreaterThanOrEqual(300);
    // Every session it ended is in the audit trail: its own count, and a sign-in begun before it but
    // written after it (ended by the sign-in itself) as an event of its own.
    const audited = await db.prisma.authEvent.aggregate({ where: { type: "sessions.revoked_all", actor: "root" }, _sum: { count: true }, _count: true });
    expect(await db.prisma.session.count({ where: { revokedBy: "root" } })).toBe(audited._sum.count);
    expect(audited._sum.count).toBe(revoked + audited._count - 1);
    await expectCountsMatchSessions(db, "after force logout with sign-ins alongside");
    await expectExact(db, config, [new Date()], "after force logout with sign-ins alongside");
  });
});

describe("finding the lapsed sessions", () => {
  it("seeks them through an index range even when the statistics say most sessions have expired", async () => {
    const sent: Sent[] = [];
    let recording = false;
    const { db, env } = await tempDatabase({ onQuery: (sql, params) => recording && sent.push({ sql, params }) });
    const config = testConfig();
    const now = later(T0, days(1));
    await seed(db, "alice", 300, { expiresAt: later(T0, minutes(10)) });
    await seed(db, "alice", 2);
    await seed(db, "bob", 100);
    await db.prisma.$executeRawUnsafe(TEST_BACKEND === "postgres" ? 'ANALYZE "Session"' : "ANALYZE");
    recording = true;
    const counters = await adminCounters(db, config, now);
    recording = false;
    expect(counters).toMatchObject({ activeSessions: 102, activeUsers: 2 });
    const lapsed = sent.find((s) => /^\s*SELECT/i.test(s.sql) && /"?expiresAt"?\s*<=/.test(s.sql) && /GROUP BY/i.test(s.sql));
    expect(lapsed, "the lapsed-rows query").toBeDefined();
    if (!lapsed) return;
    const plan = await planOf(db, env, sent, lapsed);
    // PostgreSQL: the partial index of the rows not ended, by expiry; SQLite: expiresAt from the expiry floor.
    expect(plan).toContain(TEST_BACKEND === "postgres" ? "Session_notEnded_expiresAt_id_idx" : "Session_expiresAt_idx");
    expect(plan).not.toMatch(/Seq Scan|SCAN "?Session"?( |$)|Session_userId_/m);
  });

  it("reads at most a bound of them when asked, and says when there are more", async () => {
    const { db } = await tempDatabase();
    const now = later(T0, days(1));
    await seed(db, "alice", 2, { expiresAt: later(T0, minutes(10)) });
    await seed(db, "bob", 1, { expiresAt: later(T0, minutes(20)) });
    await seed(db, "bob", 4);
    const prints = [CURRENT_PRINT];
    const sorted = (rows: { userId: string; sessions: number }[] | null) => rows && rows.map((row) => Number(row.sessions)).sort((a, b) => b - a);
    expect(sorted(await db.lapsedSessionsPerUser(now, prints))).toEqual([2, 1]);
    expect(sorted(await db.lapsedSessionsPerUserUpTo(now, prints, 3))).toEqual([2, 1]);
    expect(await db.lapsedSessionsPerUserUpTo(now, prints, 2)).toBeNull();
    expect(sorted(await db.lapsedSessionsPerUserUpTo(later(T0, minutes(15)), prints, 2))).toEqual([2]);
  });

  it("counts the day's expiries through the ended rows' index, however many sessions a force logout ended that day", async () => {
    const sent: Sent[] = [];
    let recording = false;
    const { db, env } = await tempDatabase({ onQuery: (sql, params) => recording && sent.push({ sql, params }) });
    const config = testConfig();
    const now = later(T0, days(1));
    // A force logout an hour ago, then three expiries marked by cleanup, and two sessions still active.
    await seed(db, "alice", 300);
    await db.prisma.session.updateMany({ data: { revokedAt: later(now, -minutes(60)), revokedBy: "root", endReason: "revoked_all" } });
    const expired = await seed(db, "bob", 3, { expiresAt: later(now, -minutes(30)) });
    await db.prisma.session.updateMany({ where: { id: { in: expired } }, data: { revokedAt: later(now, -minutes(30)), revokedBy: "system", endReason: "expired_idle" } });
    await seed(db, "carol", 2, { at: later(now, -minutes(10)) });
    await db.prisma.$executeRawUnsafe(TEST_BACKEND === "postgres" ? 'ANALYZE "Session"' : "ANALYZE");
    recording = true;
    const counters = await adminCounters(db, config, now);
    recording = false;
    expect(counters).toMatchObject({ activeSessions: 2, expiredLast24h: 3 });
    const expiries = sent.find((s) => /^\s*SELECT COUNT/i.test(s.sql) && /endReason/.test(s.sql));
    expect(expiries, "the expiries query").toBeDefined();
    if (!expiries) return;
    // Not the revokedAt range, where the force logout's 300 rows would each be read and left out.
    expect(await planOf(db, env, sent, expiries, { indexesOnly: true })).toContain("Session_endReason_revokedAt_idx");
  });

  it("has cleanup vacuum the table and refresh the planner's statistics after ending or deleting many rows", async () => {
    const { db } = await tempDatabase();
    // No history kept, so the expired rows are deleted in this run.
    const config = testConfig({ SESSION_HISTORY_DAYS: "0" });
    const now = later(T0, days(1));
    const expired = Array.from({ length: 10_000 }, () => ({
      id: generateId(),
      tokenHash: hashSessionToken(generateSessionToken()),
      tokenHint: "abcdef12",
      userId: "",
      authMethod: "static",
      keyFingerprint: CURRENT_PRINT,
      createdAt: T0,
      authenticatedAt: T0,
      lastActiveAt: T0,
      expiresAt: later(T0, minutes(10)),
      absoluteExpiresAt: later(T0, days(90)),
    }));
    const owner = await userId(db, "alice");
    await db.prisma.session.createMany({ data: expired.map((row) => ({ ...row, userId: owner })) });
    await seed(db, "alice", 2);
    // PostgreSQL: without a vacuum, the index entries of the 10,000 rows marked and deleted stay,
    // and every query through the index of the rows not ended walks them until autovacuum comes.
    const analyzedAt = async () => {
      if (TEST_BACKEND !== "postgres") return null;
      const [row] = await db.prisma.$queryRawUnsafe<{ analyzed: Date | null; vacuumed: Date | null }[]>(
        `SELECT last_analyze AS "analyzed", last_vacuum AS "vacuumed" FROM pg_stat_user_tables WHERE relname = 'Session'`,
      );
      return row ?? null;
    };
    const before = await analyzedAt();
    expect((await cleanupSessions(db, config, { now, batchSize: 5_000 })).expiredSessions).toBe(10_000);
    if (TEST_BACKEND === "postgres") {
      const after = await analyzedAt();
      expect(after?.analyzed).not.toEqual(before?.analyzed);
      expect(after?.vacuumed).not.toBeNull();
      expect(after?.vacuumed).not.toEqual(before?.vacuumed);
    }
    expect(await adminCounters(db, config, now)).toMatchObject({ activeSessions: 2, activeUsers: 1 });
  });

  it("has a force logout of many sessions vacuum the table once their rows are marked", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    for (let i = 0; i < 4; i++) await seed(db, `crowd${i}`, 2_500);
    const vacuumedAt = async () => {
      if (TEST_BACKEND !== "postgres") return null;
      const [row] = await db.prisma.$queryRawUnsafe<{ vacuumed: Date | null }[]>(`SELECT last_vacuum AS "vacuumed" FROM pg_stat_user_tables WHERE relname = 'Session'`);
      return row?.vacuumed ?? null;
    };
    const before = await vacuumedAt();
    expect(await revokeAllSessions(db, config, actorOf(root), { includeSelf: false, batchSize: 5_000 }, request)).toBe(10_000);
    if (TEST_BACKEND === "postgres") expect(await vacuumedAt()).not.toEqual(before);
    expect(await adminCounters(db, config)).toMatchObject({ activeSessions: 1, activeUsers: 1 });
  });
});

describe("the expiry floor: cleanup and the figures read expiries from where the last cleanup stopped", () => {
  it("counts and marks a session written after a cleanup with an expiry before the floor it raised", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    await seed(db, "alice", 3, { expiresAt: later(T0, minutes(10)) });
    await seed(db, "alice", 2);
    const first = later(T0, days(1));
    expect((await cleanupSessions(db, config, { now: first })).endedSessions).toBe(3);
    if (TEST_BACKEND !== "postgres") expect((await db.expiryFloor()).floor).toEqual(first);

    // Written not ended, expiring before the floor (an import, an operator's SQL, a restored row).
    await seed(db, "bob", 2, { expiresAt: later(T0, minutes(5)) });
    const second = later(T0, days(2));
    await expectExact(db, config, [second], "after a row behind the floor");
    expect((await adminCounters(db, config, second)).activeSessions).toBe(2);
    expect((await cleanupSessions(db, config, { now: second })).endedSessions).toBe(2);
    await expectExact(db, config, [second], "after the second cleanup");
  });

  it("is not raised over an expired session written while a cleanup run was marking", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    await seed(db, "alice", 3, { expiresAt: later(T0, minutes(10)) });
    const now = later(T0, days(1));
    // A run in progress: it read the floor and its walk has passed T0 + 10 min…
    const read = await db.expiryFloor();
    const marked = await db.endExpiredSessions(now, 100, "system", read.floor);
    expect(marked.marked).toBe(3);
    // …when a session is written not ended and already expired, behind the walk but after the floor.
    await seed(db, "bob", 1, { expiresAt: later(T0, minutes(5)) });
    expect(await db.raiseExpiryFloor(read, now)).toBe(false);
    await expectExact(db, config, [now], "with the row behind the walk");
    expect((await cleanupSessions(db, config, { now })).endedSessions).toBe(1);
    await expectExact(db, config, [now, later(now, days(1))], "after the next cleanup");
  });

  it.skipIf(TEST_BACKEND === "postgres")("starts, when its migration is applied, at the earliest expiry of a session not ended", async () => {
    const { db, env } = await tempDatabase();
    const config = testConfig();
    await seed(db, "alice", 2, { expiresAt: later(T0, minutes(10)) });
    await seed(db, "alice", 1, { expiresAt: later(T0, minutes(1)), revokedAt: later(T0, minutes(1)) });
    await seed(db, "bob", 2);
    // Back to the database as the previous release left it: the composite index, no floor.
    for (const statement of [
      'DROP TRIGGER "Session_expiry_floor_insert"',
      'DROP TRIGGER "Session_expiry_floor_update"',
      'DROP TABLE "SessionExpiryFloor"',
      'DROP INDEX "Session_revokedAt_idx"',
      'DROP INDEX "Session_expiresAt_idx"',
      'CREATE INDEX "Session_revokedAt_expiresAt_idx" ON "Session"("revokedAt", "expiresAt")',
      `DELETE FROM "_prisma_migrations" WHERE "migration_name" = '20261203100000_session_expiry_floor'`,
    ]) {
      await db.prisma.$executeRawUnsafe(statement);
    }

    const migrated = await openDatabase(testConfig(env));
    try {
      expect((await migrated.expiryFloor()).floor).toEqual(later(T0, minutes(10)));
      const now = later(T0, days(1));
      await expectExact(migrated, config, [now], "after the migration");
      expect((await cleanupSessions(migrated, config, { now })).endedSessions).toBe(2);
      expect((await migrated.expiryFloor()).floor).toEqual(now);
    } finally {
      await migrated.close();
    }
  });

  it("is lowered when a session's expiry is moved back or its end is undone", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const [moved] = await seed(db, "alice", 1);
    const [undone] = await seed(db, "bob", 1, { expiresAt: later(T0, minutes(20)), revokedAt: later(T0, minutes(1)) });
    const now = later(T0, days(1));
    await cleanupSessions(db, config, { now });
    await db.prisma.session.update({ where: { id: moved }, data: { expiresAt: later(T0, minutes(30)) } });
    await db.prisma.session.update({ where: { id: undone }, data: { revokedAt: null } });
    await expectExact(db, config, [now], "after the writes");
    expect((await cleanupSessions(db, config, { now })).endedSessions).toBe(2);
  });
});

describe("the 'more than N' filter when most users qualify", () => {
  it("pages in SQL, leaving out the few users who do not qualify, with the exact result", async () => {
    const sent: { sql: string; params: unknown[] }[] = [];
    let recording = false;
    const { db } = await tempDatabase({ onQuery: (sql, params) => recording && sent.push({ sql, params }) });
    const config = testConfig();
    const now = later(T0, days(1));
    // 520 owners of two active sessions (more than one list of ids holds), the oldest activity.
    for (let i = 0; i < 520; i++) await seed(db, `owner${i}`, 2, { at: later(T0, -minutes(1000 + i)) });
    // Newer: users with one session, and one whose second session has lapsed (not yet cleaned up).
    for (let i = 0; i < 30; i++) await seed(db, `single${i}`, 1);
    await seed(db, "lapsing", 1);
    await seed(db, "lapsing", 1, { expiresAt: later(T0, minutes(10)) });
    const expected = (await ownersWithMoreThan(db, config, 1, now)).sort();
    expect(expected).toHaveLength(520);

    const seen = new Set<string>();
    const ids: string[] = [];
    let cursor: string | null = null;
    let rowQueries = 0;
    do {
      sent.length = 0;
      recording = true;
      const page: Awaited<ReturnType<typeof listAdminSessions>> = await listAdminSessions(
        db,
        config,
        null,
        adminSessionsQuerySchema.parse({ moreThan: 1, limit: 100, ...(cursor ? { cursor } : {}) }),
        now,
      );
      recording = false;
      // One ordered query for the page's rows (limit + 1 of them), not a walk through every session.
      const ordered = sent.filter((s) => /^\s*SELECT/i.test(s.sql) && /ORDER BY [^,]*Session\W+lastActiveAt/i.test(s.sql));
      for (const statement of ordered) expect(statement.params.map(String)).toContain("101");
      rowQueries += ordered.length;
      for (const row of page.sessions) {
        seen.add(row.user.id);
        ids.push(row.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect([...seen].sort()).toEqual(expected);
    expect(new Set(ids).size).toBe(1040);
    expect(rowQueries).toBe(11);
  });
});

describe("each listed owner's active sessions", () => {
  it("come from the kept counts, not from reading every session of every owner on the page", async () => {
    const sent: Sent[] = [];
    let recording = false;
    const { db } = await tempDatabase({ onQuery: (sql, params) => recording && sent.push({ sql, params }) });
    const config = testConfig();
    const now = later(T0, days(1));
    await seed(db, "alice", 40, { at: later(T0, minutes(1)) });
    await seed(db, "alice", 3, { expiresAt: later(T0, minutes(10)) });
    await seed(db, "alice", 2, { revokedAt: later(T0, minutes(20)) });
    await seed(db, "bob", 2, { at: later(T0, minutes(2)) });
    recording = true;
    const page = await listAdminSessions(db, config, null, adminSessionsQuerySchema.parse({ limit: 50 }), now);
    recording = false;
    expect(Object.fromEntries(page.sessions.map((row) => [row.user.username, row.ownerActiveSessions]))).toEqual({ alice: 40, bob: 2 });
    expect(page.sessions.find((row) => row.user.username === "alice")?.flagged).toBe(true);
    const perOwnerReads = sent.filter((s) => /^\s*SELECT/i.test(s.sql) && /FROM [`"\w.]*\bSession[`"]? /.test(s.sql) && /GROUP BY/i.test(s.sql) && /userId[`"]? IN/.test(s.sql));
    expect(perOwnerReads.map((s) => s.sql)).toEqual([]);

    // With more lapsed rows than it reads (cleanup far behind), from the owners' own rows, as exact.
    await seed(db, "carol", LAPSED_READ_BOUND + 1, { expiresAt: later(T0, minutes(10)) });
    sent.length = 0;
    recording = true;
    const behind = await listAdminSessions(db, config, null, adminSessionsQuerySchema.parse({ limit: 50 }), now);
    recording = false;
    expect(Object.fromEntries(behind.sessions.map((row) => [row.user.username, row.ownerActiveSessions]))).toEqual({ alice: 40, bob: 2 });
    expect(sent.filter((s) => /FROM [`"\w.]*\bSession[`"]? /.test(s.sql) && /GROUP BY/i.test(s.sql) && /userId[`"]? IN/.test(s.sql))).toHaveLength(1);
  });
});

describe("the per-user counts under bulk writes", () => {
  it.runIf(TEST_BACKEND === "postgres")("stay compact: statements rewriting every count row leave no trail of dead rows", async () => {
    const { db } = await tempDatabase();
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "User" (id, username, "authSource", role, "createdAt", "updatedAt") SELECT 'u' || g, 'user' || g, 'static', 'user', now(), now() FROM generate_series(1, 400) g`,
    );
    // Twenty statements, each signing every user in once (as a bulk import or a burst would).
    for (let round = 0; round < 20; round++) {
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO "Session" (id, "tokenHash", "tokenHint", "userId", "authMethod", "rememberMe", "createdAt", "authenticatedAt", "lastActiveAt", "expiresAt", "absoluteExpiresAt")
         SELECT md5(random()::text) || id, md5(random()::text) || id, 'x', id, 'oidc', false, now(), now(), now(), now() + interval '1 day', now() + interval '2 days' FROM "User"`,
      );
    }
    const [row] = await db.prisma.$queryRawUnsafe<{ pages: number }[]>(`SELECT (pg_relation_size('"UserSessionCount"') / 8192)::int AS "pages"`);
    // 400 count rows fit in a handful of pages (5 measured; 18 when pages were filled, each statement
    // leaving copies behind).
    expect(row?.pages).toBeLessThanOrEqual(10);
    expect(await db.prisma.userSessionCount.aggregate({ _sum: { sessions: true } })).toEqual({ _sum: { sessions: 8000 } });
  });
});
