import { describe, expect, it } from "vitest";
import type { Actor } from "@/lib/actor";
import { adminCounters, forceLogoutEveryone, listAdminSessions, ownersWithMoreThan, revokeAllSessions, revokeUserSessionsAsAdmin } from "@/lib/admin/sessions";
import { activeSessionsBreakdown } from "@/lib/admin/active-counts";
import { getOwnSessionDetail, listOwnSessions } from "@/lib/sessions/own-sessions";
import { adminSessionsQuerySchema } from "@/lib/validation/admin";
import type { Database } from "@/lib/db";
import type { RevokeBatch } from "@/lib/db/types";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { ADMIN_KEY, USER_KEY, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

const signedIn = (one: Signed) => ({ user: one.user, session: one.session });

type Signed = Awaited<ReturnType<typeof signIn>>;
const actorOf = (signed: Signed): Actor => ({ username: signed.user.username, sessionId: signed.session.id });

/**
 * The database with a hook around each force-logout batch: `before` runs ahead of the batch (after
 * the force logout has begun), `after` once it is done, with what it returned.
 */
function hooked(
  db: Database,
  hooks: { before?: (call: number, batch: RevokeBatch) => Promise<void>; after?: (call: number, result: { picked: number }) => Promise<void> },
): Database {
  let calls = 0;
  return Object.assign(Object.create(db) as Database, {
    async revokeActiveSessionsBatch(batch: RevokeBatch) {
      const call = ++calls;
      await hooks.before?.(call, batch);
      const result = await db.revokeActiveSessionsBatch(batch);
      await hooks.after?.(call, result);
      return result;
    },
  });
}

/** A database with root (an admin) and `count` users' sessions signed in, as user0, user1, … (`owners` of them, in turn). */
async function signedInCrowd(count: number, owners = count) {
  const { db } = await tempDatabase();
  const config = testConfig();
  const root = await signIn(db, config, "root", ADMIN_KEY);
  const crowd: Signed[] = [];
  for (let i = 0; i < count; i++) crowd.push(await signIn(db, config, `user${i % owners}`, USER_KEY));
  return { db, config, root, crowd };
}

describe("force logout of everyone holds at once, before its rows are marked", () => {
  it("refuses every session signed in before it at their next request, while the marking has not reached them; keeps the admin's", async () => {
    const { db, config, root, crowd } = await signedInCrowd(6);
    const cut = new Date();
    let seenBeforeMarking: string[] = [];
    const watched = hooked(db, {
      async before(call) {
        if (call !== 1) return;
        // Nothing is marked yet: each of these is still a row with revokedAt null.
        seenBeforeMarking = await Promise.all(crowd.map(async (one) => JSON.stringify(await validateSessionCookie(db, config, one.cookie, request))));
      },
    });
    const revoked = await revokeAllSessions(watched, config, actorOf(root), { includeSelf: false, reason: "incident 9", batchSize: 2 }, request, cut);
    expect(revoked).toBe(crowd.length);
    expect(seenBeforeMarking).toEqual(crowd.map(() => JSON.stringify({ status: "ended", reason: "revoked" })));
    expect((await validateSessionCookie(db, config, root.cookie, request)).status).toBe("active");
    // Marked as the force logout ends them, and nothing more is pending.
    const rows = await db.prisma.session.findMany({ where: { id: { in: crowd.map((one) => one.session.id) } } });
    for (const row of rows) expect(row).toMatchObject({ revokedAt: cut, revokedBy: "root", revokeReason: "incident 9", endReason: "revoked_all" });
    expect(await db.prisma.forceLogoutCutoff.count({ where: { marked: false } })).toBe(0);
  });

  it("ends the sessions of keys the acting process does not know too: another replica, or the operator's shell, may still accept them", async () => {
    // A replica (or the CLI's environment) with another key set than the one the sessions were signed in with.
    const { db, config, root, crowd } = await signedInCrowd(2);
    const other = testConfig({ DASHBOARD_KEY: "another-user-key-0123456789" });
    const revoked = await revokeUserSessionsAsAdmin(db, actorOf(root), "user0", "lost laptop", request);
    expect(revoked).toBe(1);
    expect(await validateSessionCookie(db, config, crowd[0].cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    // Everyone: once the marking is done and the cutoff no longer read, the session stays ended.
    await revokeAllSessions(db, other, actorOf(root), { includeSelf: false, reason: "incident 10" }, request);
    expect(await db.prisma.forceLogoutCutoff.count({ where: { marked: false } })).toBe(0);
    expect(await validateSessionCookie(db, config, crowd[1].cookie, request)).toEqual({ status: "ended", reason: "revoked" });
  });

  it("leaves them out of every list and figure at once, and not a session signed in after it", async () => {
    const { db, config, root, crowd } = await signedInCrowd(6, 3);
    const cut = new Date();
    let seen: Record<string, unknown> = {};
    let since: Signed | undefined;
    const watched = hooked(db, {
      async before(call) {
        if (call !== 1) return;
        since = await signIn(db, config, "user0", USER_KEY, false, request, later(cut, 1_000));
        const admin = await listAdminSessions(db, config, root.session.id, adminSessionsQuerySchema.parse({}));
        const own = await listOwnSessions(db, config, signedIn(since), { limit: 50 });
        const detail = await getOwnSessionDetail(db, config, signedIn(since), crowd[0].session.id);
        seen = {
          admin: admin.sessions.map((row) => row.user.username).sort(),
          ownerCounts: admin.sessions.map((row) => row.ownerActiveSessions).sort(),
          counters: await adminCounters(db, config),
          moreThan0: (await ownersWithMoreThan(db, config, 0, new Date())).length,
          breakdown: await activeSessionsBreakdown(db, config, new Date()),
          own: own.sessions.map((row) => row.id),
          detail: { endedAt: detail?.endedAt, endReason: detail?.endReason, endedBy: detail?.endedBy },
        };
      },
    });
    await revokeAllSessions(watched, config, actorOf(root), { includeSelf: false, batchSize: 2 }, request, cut);
    expect(seen).toMatchObject({
      admin: ["root", "user0"],
      ownerCounts: [1, 1],
      counters: { activeSessions: 2, activeUsers: 2 },
      moreThan0: 2,
      breakdown: { byMethod: { static: 2 } },
      own: [since!.session.id],
      detail: { endedAt: cut.toISOString(), endReason: "revoked_all", endedBy: "root" },
    });
    // Signed in after the force logout's time: not ended by it.
    expect((await validateSessionCookie(db, config, since!.cookie, request)).status).toBe("active");
    expect((await adminCounters(db, config)).activeSessions).toBe(2);
  });

  it("answers once it holds, with how many it ends, before any row is marked; the marking then revokes as many", async () => {
    const { db, config, root, crowd } = await signedInCrowd(5);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let batches = 0;
    const held = hooked(db, {
      async before() {
        batches++;
        await gate;
      },
    });
    const { revoked, marked } = await forceLogoutEveryone(held, config, actorOf(root), { includeSelf: false, reason: "incident 11" }, request);
    expect(revoked).toBe(crowd.length);
    // Answered while the marking waits at its first batch: no row is marked yet, and none works.
    expect(await db.prisma.session.count({ where: { revokedAt: null } })).toBe(crowd.length + 1);
    for (const one of crowd) expect(await validateSessionCookie(db, config, one.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    expect((await adminCounters(db, config)).activeSessions).toBe(1);
    expect(await db.prisma.authEvent.count({ where: { type: "sessions.revoked_all" } })).toBe(0);
    open();
    expect(await marked).toBe(crowd.length);
    expect(batches).toBeGreaterThan(0);
    expect(await db.prisma.session.count({ where: { revokedAt: null } })).toBe(1);
    const [event] = await db.prisma.authEvent.findMany({ where: { type: "sessions.revoked_all" } });
    expect(event).toMatchObject({ actor: "root", count: crowd.length });
  });

  it("also ends a sign-in stamped before it that was written after the marking passed its place", async () => {
    const { db, config, root } = await signedInCrowd(4);
    const cut = new Date();
    let straggler: Signed | undefined;
    const watched = hooked(db, {
      async after(_call, result) {
        // The walk is over: this row (begun a moment before the force logout) is written behind it.
        if (result.picked === 0 && !straggler) straggler = await signIn(db, config, "late", USER_KEY, false, request, later(cut, -2_000));
      },
    });
    const revoked = await revokeAllSessions(watched, config, actorOf(root), { includeSelf: false, batchSize: 2 }, request, cut);
    expect(straggler).toBeDefined();
    // Ended by its own sign-in, which found the force logout once written: not in the marking's count.
    expect(straggler!.session).toMatchObject({ revokedAt: cut, endReason: "revoked_all" });
    expect(revoked).toBe(4);
    expect(await validateSessionCookie(db, config, straggler!.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    expect(await db.prisma.session.findUnique({ where: { id: straggler!.session.id } })).toMatchObject({ revokedAt: cut, endReason: "revoked_all" });
    const [event] = await db.prisma.authEvent.findMany({ where: { type: "sessions.revoked_all" } });
    expect(event.count).toBe(4);
  });

  it("ends a sign-in stamped before it that is written only after its marking is done and its cutoff gone", async () => {
    // A sign-in under load: stamped when its request began, committed a second later, after the
    // force logout (on a quiet database, a few milliseconds of marking) had finished.
    const { db, config, root, crowd } = await signedInCrowd(3);
    const cut = new Date();
    const revoked = await revokeAllSessions(db, config, actorOf(root), { includeSelf: false, reason: "incident 11" }, request, cut);
    expect(revoked).toBe(crowd.length);
    expect(await db.prisma.forceLogoutCutoff.count({ where: { marked: false } })).toBe(0);
    const straggler = await signIn(db, config, "late", USER_KEY, false, request, later(cut, -1_000));
    expect(await validateSessionCookie(db, config, straggler.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    expect(await db.prisma.session.findUnique({ where: { id: straggler.session.id } })).toMatchObject({
      revokedAt: cut,
      revokedBy: "root",
      revokeReason: "incident 11",
      endReason: "revoked_all",
    });
    // Audited: the force logout counted the sessions there were; this one is an event of its own.
    const events = await db.prisma.authEvent.findMany({ where: { type: "sessions.revoked_all" }, orderBy: { count: "desc" } });
    expect(events.map((e) => [e.actor, e.count, e.detail])).toEqual([
      ["root", crowd.length, "scope: all; reason: incident 11"],
      ["root", 1, `scope: a sign-in begun before the force logout and written after it (session ${straggler.session.id}); reason: incident 11`],
    ]);
    // One begun after it is not ended, nor is the session it kept.
    const since = await signIn(db, config, "late", USER_KEY, false, request, later(cut, 1));
    expect((await validateSessionCookie(db, config, since.cookie, request)).status).toBe("active");
    expect((await validateSessionCookie(db, config, root.cookie, request)).status).toBe("active");
  });

  it("is finished by the next cleanup when its process stopped part-way, and holds meanwhile", async () => {
    const { db, config, root, crowd } = await signedInCrowd(6);
    const cut = new Date();
    const crashing = hooked(db, {
      async before(call) {
        if (call === 2) throw new Error("the process stopped");
      },
    });
    await expect(revokeAllSessions(crashing, config, actorOf(root), { includeSelf: false, reason: "incident 10", batchSize: 2 }, request, cut)).rejects.toThrow("the process stopped");
    expect(await db.prisma.session.count({ where: { revokedAt: null } })).toBe(5);
    for (const one of crowd) expect(await validateSessionCookie(db, config, one.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    expect((await validateSessionCookie(db, config, root.cookie, request)).status).toBe("active");

    // A cleanup soon after leaves it to the force logout that may still be running elsewhere.
    await cleanupSessions(db, config, { now: later(cut, minutes(1)) });
    expect(await db.prisma.session.count({ where: { revokedAt: null } })).toBe(5);
    // Signed in after the force logout: finishing it later must not end this one.
    const since = await signIn(db, config, "user0", USER_KEY, true, request, later(cut, minutes(5)));
    await cleanupSessions(db, config, { now: later(cut, minutes(20)) });
    expect(await db.prisma.forceLogoutCutoff.count({ where: { marked: false } })).toBe(0);
    expect(await db.prisma.session.findMany({ where: { revokedAt: null }, select: { id: true }, orderBy: { createdAt: "asc" } })).toEqual([
      { id: root.session.id },
      { id: since.session.id },
    ]);
    for (const one of crowd) {
      expect(await db.prisma.session.findUnique({ where: { id: one.session.id } })).toMatchObject({ revokedAt: cut, revokedBy: "root", revokeReason: "incident 10" });
    }
    const events = await db.prisma.authEvent.findMany({ where: { type: "sessions.revoked_all" } });
    expect(events.map((event) => [event.actor, event.count, event.detail])).toEqual([["root", 4, "finished by cleanup after an interruption; reason: incident 10"]]);
  });
});
