import { describe, expect, it } from "vitest";
import { IDENTITY_PROVIDER_ACTOR, type Actor, type SignedIn } from "@/lib/actor";
import { activeTotals } from "@/lib/admin/active-counts";
import { listAdminSessions, revokeAllSessions, revokeFilteredSessionsAsAdmin, revokeSessionAsAdmin } from "@/lib/admin/sessions";
import { disableUser } from "@/lib/admin/users";
import type { Database } from "@/lib/db";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import { getOwnSessionDetail, listOwnSessions, revokeOtherOwnSessions, revokeOwnSession } from "@/lib/sessions/own-sessions";
import { revokeSessions } from "@/lib/sessions/revoke";
import { endSessionByLogout, validateSessionCookie } from "@/lib/sessions/sessions";
import { endWords } from "@/lib/sessions/view-model";
import { adminSessionsQuerySchema } from "@/lib/validation/admin";
import { ownSessionsQuerySchema } from "@/lib/validation/sessions";
import { ADMIN_KEY, USER_KEY, days, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

const ownerOf = (signedIn: Awaited<ReturnType<typeof signIn>>): SignedIn => ({ user: signedIn.user, session: signedIn.session });
const userOf = (signedIn: Awaited<ReturnType<typeof signIn>>) => ({ ...signedIn.user, displayName: null, email: null });
const actorOf = (signedIn: Awaited<ReturnType<typeof signIn>>): Actor => ({ username: signedIn.user.username, sessionId: signedIn.session.id });

/** The stored end of a session: when, who, what. */
const endOf = async (db: Database, id: string) =>
  db.prisma.session.findUniqueOrThrow({ where: { id }, select: { revokedAt: true, revokedBy: true, endReason: true } });

/** What the per-user count table says, against a plain count of the active rows. */
async function expectCountsRight(db: Database, config: ReturnType<typeof testConfig>, now: Date) {
  const active = await db.prisma.session.count({ where: { revokedAt: null, expiresAt: { gt: now }, absoluteExpiresAt: { gt: now } } });
  expect((await activeTotals(db, config, now)).activeSessions).toBe(active);
}

describe("ended sessions: every way a session ends is recorded once, with when, why and by whom", () => {
  it("logout, the owner's revocations, an admin's, disabling, the session limit, the identity provider, expiry and a key change", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const t = new Date();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const alice = await signIn(db, config, "alice", USER_KEY);
    const loggedOut = await signIn(db, config, "alice", USER_KEY);
    const revokedByOwner = await signIn(db, config, "alice", USER_KEY);
    const revokedByAdmin = await signIn(db, config, "alice", USER_KEY);

    await endSessionByLogout(db, loggedOut.session, userOf(loggedOut), request, later(t, minutes(1)));
    await revokeOwnSession(db, ownerOf(alice), revokedByOwner.session.id, request, later(t, minutes(2)));
    await revokeSessionAsAdmin(db, actorOf(root), revokedByAdmin.session.id, undefined, request, later(t, minutes(3)));
    expect(await endOf(db, loggedOut.session.id)).toEqual({ revokedAt: later(t, minutes(1)), revokedBy: "alice", endReason: "logout" });
    expect(await endOf(db, revokedByOwner.session.id)).toEqual({ revokedAt: later(t, minutes(2)), revokedBy: "alice", endReason: "revoked_by_user" });
    expect(await endOf(db, revokedByAdmin.session.id)).toEqual({ revokedAt: later(t, minutes(3)), revokedBy: "root", endReason: "revoked_by_admin" });
    await expectCountsRight(db, config, later(t, minutes(3)));

    // "Sign out all other sessions", and an admin's bulk revoke by filter.
    const other = await signIn(db, config, "alice", USER_KEY);
    await revokeOtherOwnSessions(db, ownerOf(alice), request, later(t, minutes(4)));
    expect(await endOf(db, other.session.id)).toEqual({ revokedAt: later(t, minutes(4)), revokedBy: "alice", endReason: "revoked_all" });
    const filtered = await signIn(db, config, "frank", USER_KEY);
    await revokeFilteredSessionsAsAdmin(db, config, actorOf(root), { user: "frank", match: "exact" }, 1, "leaving", request, later(t, minutes(5)));
    expect(await endOf(db, filtered.session.id)).toEqual({ revokedAt: later(t, minutes(5)), revokedBy: "root", endReason: "revoked_by_admin" });

    // Disabling, and the identity provider's back-channel logout (same marking as every revocation).
    const bob = await signIn(db, config, "bob", USER_KEY);
    await disableUser(db, actorOf(root), "bob", undefined, request, later(t, minutes(6)));
    expect(await endOf(db, bob.session.id)).toEqual({ revokedAt: later(t, minutes(6)), revokedBy: "root", endReason: "disabled" });
    const carol = await signIn(db, config, "carol", USER_KEY);
    await revokeSessions(db, { id: carol.session.id }, { actor: IDENTITY_PROVIDER_ACTOR, cause: "idp_logout", reason: "signed out at the identity provider" }, request, later(t, minutes(7)));
    expect(await endOf(db, carol.session.id)).toEqual({ revokedAt: later(t, minutes(7)), revokedBy: "idp", endReason: "idp_logout" });

    // The session limit: the oldest of dave's ends at the second sign-in.
    const limited = testConfig({ SESSION_MAX_PER_USER: "1" });
    const daveOld = await signIn(db, limited, "dave", USER_KEY);
    await signIn(db, limited, "dave", USER_KEY, false, request, later(t, minutes(8)));
    expect(await endOf(db, daveOld.session.id)).toEqual({ revokedAt: later(t, minutes(8)), revokedBy: "system", endReason: "per_user_limit" });

    // Expiry met at the next request ends when it expired; a key change when it is met.
    const erin = await signIn(db, config, "erin", USER_KEY);
    expect((await validateSessionCookie(db, config, erin.cookie, request, later(erin.session.createdAt, days(8)))).status).toBe("ended");
    expect(await endOf(db, erin.session.id)).toEqual({ revokedAt: erin.session.expiresAt, revokedBy: "system", endReason: "expired_idle" });
    const gus = await signIn(db, config, "gus", USER_KEY);
    const rotated = testConfig({ DASHBOARD_KEY: "a-brand-new-shared-key" });
    await validateSessionCookie(db, rotated, gus.cookie, request, later(t, minutes(9)));
    expect(await endOf(db, gus.session.id)).toEqual({ revokedAt: later(t, minutes(9)), revokedBy: "system", endReason: "key_changed" });

    // Everyone at once (the backend's own batch statement).
    const hank = await signIn(db, config, "hank", USER_KEY);
    await revokeAllSessions(db, config, actorOf(root), { includeSelf: false }, request, later(t, minutes(10)));
    expect(await endOf(db, hank.session.id)).toEqual({ revokedAt: later(t, minutes(10)), revokedBy: "root", endReason: "revoked_all" });
    await expectCountsRight(db, config, later(t, minutes(10)));

    // Ending again changes nothing: an end is recorded once.
    await revokeSessionAsAdmin(db, actorOf(root), loggedOut.session.id, undefined, request, later(t, minutes(11))).catch(() => 0);
    await endSessionByLogout(db, loggedOut.session, userOf(loggedOut), request, later(t, minutes(11)));
    expect(await endOf(db, loggedOut.session.id)).toEqual({ revokedAt: later(t, minutes(1)), revokedBy: "alice", endReason: "logout" });
  });

  it("keeps the end a session already had: disabling its account or the identity provider's logout later leave an expired, not yet marked session as it expired", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const t = new Date();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    // Expired 8 days after it was last used, weeks ago; cleanup has not marked it yet (it runs hourly, or from cron).
    const expired = await signIn(db, config, "alice", USER_KEY, false, request, later(t, -days(40)));
    const live = await signIn(db, config, "alice", USER_KEY, false, request, t);
    const atDisable = later(t, minutes(1));

    expect(await disableUser(db, actorOf(root), "alice", "left", request, atDisable)).toEqual({ sessionsEnded: 1, alreadyDisabled: false });
    expect(await endOf(db, live.session.id)).toEqual({ revokedAt: atDisable, revokedBy: "root", endReason: "disabled" });
    expect(await endOf(db, expired.session.id)).toEqual({ revokedAt: null, revokedBy: null, endReason: null });
    // The audit trail counts the sessions the disable ended, and names only those.
    expect(await db.prisma.authEvent.findFirstOrThrow({ where: { type: "user.disabled" } })).toMatchObject({ count: 1 });
    expect((await db.prisma.authEvent.findMany({ where: { type: "session.revoked", username: "alice" } })).map((e) => e.sessionId)).toEqual([live.session.id]);
    // Its owner's history says it expired, when it expired.
    const ended = await listOwnSessions(db, config, ownerOf(live), ownSessionsQuerySchema.parse({ state: "ended" }), atDisable);
    expect(ended.sessions.find((s) => s.id === expired.session.id)).toMatchObject({ endReason: "expired_idle", endedAt: expired.session.expiresAt.toISOString() });

    // The same for a revocation by the identity provider.
    const carolExpired = await signIn(db, config, "carol", USER_KEY, false, request, later(t, -days(40)));
    const carolLive = await signIn(db, config, "carol", USER_KEY, false, request, t);
    const ended2 = await revokeSessions(db, { user: { username: "carol" } }, { actor: IDENTITY_PROVIDER_ACTOR, cause: "idp_logout", reason: "signed out at the identity provider" }, request, atDisable);
    expect(ended2).toBe(1);
    expect(await endOf(db, carolLive.session.id)).toMatchObject({ endReason: "idp_logout" });
    expect(await endOf(db, carolExpired.session.id)).toEqual({ revokedAt: null, revokedBy: null, endReason: null });
  });

  it("tells the ended cookie why at its next request, from the stored cause", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const alice = await signIn(db, config, "alice", USER_KEY);
    const other = await signIn(db, config, "alice", USER_KEY);
    await endSessionByLogout(db, other.session, userOf(other), request);
    expect(await validateSessionCookie(db, config, other.cookie, request)).toEqual({ status: "ended", reason: "ended" });
    const third = await signIn(db, config, "alice", USER_KEY);
    await revokeOwnSession(db, ownerOf(alice), third.session.id, request);
    expect(await validateSessionCookie(db, config, third.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    // A row revoked before causes were stored still reads as revoked.
    const legacy = await signIn(db, config, "alice", USER_KEY);
    await db.prisma.session.update({ where: { id: legacy.session.id }, data: { revokedAt: new Date(), revokedBy: "root" } });
    expect(await validateSessionCookie(db, config, legacy.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
  });
});

describe("ended sessions: lists and detail", () => {
  it("lists active, ended or all of the owner's sessions, with endedAt, endReason and endedBy", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const t = new Date();
    const alice = await signIn(db, config, "alice", USER_KEY);
    const gone = await signIn(db, config, "alice", USER_KEY);
    const idle = await signIn(db, config, "alice", USER_KEY);
    await signIn(db, config, "bob", USER_KEY);
    await endSessionByLogout(db, gone.session, userOf(gone), request, later(t, minutes(1)));
    // An expiry nobody has seen yet is ended too, at its expiry, before cleanup marks it.
    const expiredAt = later(t, minutes(2));
    await db.prisma.session.update({ where: { id: idle.session.id }, data: { expiresAt: expiredAt } });
    const now = later(t, minutes(3));
    const list = async (state?: string) =>
      (await listOwnSessions(db, config, ownerOf(alice), ownSessionsQuerySchema.parse(state ? { state } : {}), now)).sessions;

    expect((await list()).map((s) => [s.id, s.endedAt])).toEqual([[alice.session.id, null]]);
    expect((await list("ended")).map((s) => ({ id: s.id, endedAt: s.endedAt, endReason: s.endReason, endedBy: s.endedBy })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [
        { id: gone.session.id, endedAt: later(t, minutes(1)).toISOString(), endReason: "logout", endedBy: "alice" },
        { id: idle.session.id, endedAt: expiredAt.toISOString(), endReason: "expired_idle", endedBy: "system" },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect((await list("all")).map((s) => s.id).sort()).toEqual([alice.session.id, gone.session.id, idle.session.id].sort());
    expect(() => ownSessionsQuerySchema.parse({ state: "gone" })).toThrow(/state must be/);

    // The detail answers for an ended session too, and cleanup's marking keeps what it says.
    expect(await getOwnSessionDetail(db, config, ownerOf(alice), gone.session.id, now)).toMatchObject({ endReason: "logout", endedBy: "alice" });
    await cleanupSessions(db, config, { now });
    expect(await endOf(db, idle.session.id)).toEqual({ revokedAt: expiredAt, revokedBy: "system", endReason: "expired_idle" });
    expect((await list("ended")).length).toBe(2);
  });

  it("lists the owner's ended sessions most recently ended first, page by page", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const t = new Date();
    const alice = await signIn(db, config, "alice", USER_KEY);
    const others = [];
    for (let i = 0; i < 5; i++) others.push(await signIn(db, config, "alice", USER_KEY, false, request, later(t, minutes(i))));
    // Ended in the opposite order of their last activity: the last one used ends first.
    for (const [i, other] of [...others].reverse().entries()) {
      await revokeOwnSession(db, ownerOf(alice), other.session.id, request, later(t, minutes(10 + i)));
    }
    const now = later(t, minutes(20));
    const page = (cursor?: string) =>
      listOwnSessions(db, config, ownerOf(alice), ownSessionsQuerySchema.parse({ state: "ended", limit: "2", ...(cursor ? { cursor } : {}) }), now);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const answer = await page(cursor);
      seen.push(...answer.sessions.map((s) => s.id));
      cursor = answer.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(others.map((other) => other.session.id));
  });

  it("lists the owner's ended sessions by when each ended, page by page, expiries cleanup has not marked yet among them", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const t = new Date();
    const alice = await signIn(db, config, "alice", USER_KEY);
    const ends: { id: string; at: Date }[] = [];
    for (let i = 0; i < 4; i++) {
      const other = await signIn(db, config, "alice", USER_KEY, false, request, later(t, minutes(i)));
      await revokeOwnSession(db, ownerOf(alice), other.session.id, request, later(t, minutes(10 + i)));
      ends.push({ id: other.session.id, at: later(t, minutes(10 + i)) });
    }
    // Expired before, between and after those ends, and not marked ended yet.
    for (const at of [later(t, minutes(9.5)), later(t, minutes(11.5)), later(t, minutes(14))]) {
      const idle = await signIn(db, config, "alice", USER_KEY, false, request, later(t, minutes(1)));
      await db.prisma.session.update({ where: { id: idle.session.id }, data: { expiresAt: at } });
      ends.push({ id: idle.session.id, at });
    }
    const now = later(t, minutes(20));
    const expected = [...ends].sort((a, b) => b.at.getTime() - a.at.getTime());
    for (const limit of [1, 2, 3, 50]) {
      const seen: { id: string; endedAt: string | null }[] = [];
      let cursor: string | undefined;
      do {
        const answer = await listOwnSessions(db, config, ownerOf(alice), ownSessionsQuerySchema.parse({ state: "ended", limit: String(limit), ...(cursor ? { cursor } : {}) }), now);
        seen.push(...answer.sessions.map((s) => ({ id: s.id, endedAt: s.endedAt })));
        cursor = answer.nextCursor ?? undefined;
      } while (cursor);
      expect(seen, `limit ${limit}`).toEqual(expected.map((end) => ({ id: end.id, endedAt: end.at.toISOString() })));
    }
  });

  it("filters the Admin Panel's list by state", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const alice = await signIn(db, config, "alice", USER_KEY);
    const revoked = await signIn(db, config, "alice", USER_KEY);
    await revokeSessionAsAdmin(db, actorOf(root), revoked.session.id, "lost laptop", request);
    const list = async (state?: string) =>
      (await listAdminSessions(db, config, root.session.id, adminSessionsQuerySchema.parse(state ? { state } : {}))).sessions;
    expect((await list()).map((s) => s.id).sort()).toEqual([root.session.id, alice.session.id].sort());
    expect(await list("ended")).toMatchObject([{ id: revoked.session.id, endReason: "revoked_by_admin", endedBy: "root", user: { username: "alice" } }]);
    expect((await list("all")).length).toBe(3);
    expect(() => adminSessionsQuerySchema.parse({ state: "revoked" })).toThrow(/state must be/);
  });
});

describe("ended sessions: retention", () => {
  it("are deleted SESSION_HISTORY_DAYS after they ended, not before; 0 keeps none", async () => {
    const { db } = await tempDatabase();
    const config = testConfig({ SESSION_HISTORY_DAYS: "10" });
    const t = new Date();
    const alice = await signIn(db, config, "alice", USER_KEY);
    const gone = await signIn(db, config, "alice", USER_KEY);
    await revokeOwnSession(db, ownerOf(alice), gone.session.id, request, t);
    expect((await cleanupSessions(db, config, { now: later(t, days(10) - minutes(1)) })).expiredSessions).toBe(0);
    expect(await db.prisma.session.count({ where: { id: gone.session.id } })).toBe(1);
    expect((await cleanupSessions(db, config, { now: later(t, days(10)) })).expiredSessions).toBe(1);
    expect(await db.prisma.session.count({ where: { id: gone.session.id } })).toBe(0);
    await expectCountsRight(db, config, later(t, days(10)));

    const none = testConfig({ SESSION_HISTORY_DAYS: "0" });
    const other = await signIn(db, none, "alice", USER_KEY);
    await revokeOwnSession(db, ownerOf(alice), other.session.id, request);
    expect((await cleanupSessions(db, none)).expiredSessions).toBe(1);
    expect(() => testConfig({ SESSION_HISTORY_DAYS: "-1" })).toThrow(/SESSION_HISTORY_DAYS/);
  });
});

describe("ended sessions: in words", () => {
  it("says what ended a session to its owner and to an admin", () => {
    expect(endWords("logout", "alice", { as: "owner", username: "alice" })).toBe("Signed out");
    expect(endWords("revoked_by_user", "alice", { as: "owner", username: "alice" })).toBe("Revoked by you from another session");
    expect(endWords("revoked_by_admin", "root", { as: "owner", username: "alice" })).toBe("Revoked by an administrator (root)");
    expect(endWords("revoked_by_admin", "cli", { as: "owner", username: "alice" })).toBe("Revoked by the operator CLI");
    expect(endWords("revoked_all", "alice", { as: "admin", owner: "alice" })).toBe("Signed out by its owner with all other sessions");
    expect(endWords("expired_idle", "system", { as: "owner", username: "alice" })).toBe("Expired after inactivity");
    expect(endWords("idp_logout", "idp", { as: "owner", username: "alice" })).toBe("Signed out at the identity provider");
  });
});
