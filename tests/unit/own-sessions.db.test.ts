import { describe, expect, it } from "vitest";
import type { Config } from "@/lib/config";
import type { Database } from "@/lib/db";
import { listSessionEvents } from "@/lib/audit";
import { DomainError } from "@/lib/errors";
import { cursorAfter, cursorSchema, partBound, type Cursor } from "@/lib/pagination/cursor";
import { prismaPartQuery, readListParts, sessionListParts } from "@/lib/sessions/active";
import { presentSession } from "@/lib/sessions/present";
import type { SignedIn } from "@/lib/actor";
import {
  getOwnSession,
  listOwnSessions,
  listSettingsSessions,
  revokeOtherOwnSessions,
  revokeOwnSession,
} from "@/lib/sessions/own-sessions";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { ADMIN_KEY, TEST_BACKEND, USER_KEY, days, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

const ownerOf = (signedIn: Awaited<ReturnType<typeof signIn>>): SignedIn => ({ user: signedIn.user, session: signedIn.session });

async function threeDevices(db: Database, config: Config) {
  const desktop = await signIn(db, config, "alice", USER_KEY);
  const phone = await signIn(db, config, "alice", USER_KEY, true, { ip: "2001:db8::7", userAgent: "phone" });
  const laptop = await signIn(db, config, "alice", USER_KEY);
  const bob = await signIn(db, config, "bob", USER_KEY);
  return { desktop, phone, laptop, bob };
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("own sessions: one by id", () => {
  it("finds the owner's session as the list shows it, and nobody else's or an ended one", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { desktop, phone, laptop, bob } = await threeDevices(db, config);
    const owner = ownerOf(desktop);
    const now = new Date();

    const listed = (await listOwnSessions(db, config, owner, { limit: 50 }, now)).sessions.find((s) => s.id === phone.session.id);
    const found = await getOwnSession(db, config, owner, phone.session.id, now);
    expect(found).toEqual(listed);
    expect(found).toMatchObject({ id: phone.session.id, current: false, ipAddress: "2001:db8::7", rememberMe: true });
    expect((await getOwnSession(db, config, owner, desktop.session.id, now))?.current).toBe(true);

    // Another user's session, an unknown id and a revoked one are all simply not there.
    expect(await getOwnSession(db, config, owner, bob.session.id, now)).toBeNull();
    expect(await getOwnSession(db, config, owner, "AAAAAAAAAAAAAAAAAAAAAA", now)).toBeNull();
    await revokeOwnSession(db, owner, laptop.session.id, request, now);
    expect(await getOwnSession(db, config, owner, laptop.session.id, now)).toBeNull();
    // Past its idle expiry it has ended too.
    expect(await getOwnSession(db, config, owner, desktop.session.id, later(now, days(8)))).toBeNull();
  });

  it("lists that session's audit events, and no other session's", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { desktop, phone } = await threeDevices(db, config);
    const since = new Date(desktop.session.createdAt.getTime() - 1000);
    await revokeOwnSession(db, ownerOf(desktop), phone.session.id, request);
    const ofPhone = await listSessionEvents(db, { id: phone.session.id, username: "alice", since });
    expect(ofPhone.map((e) => [e.type, e.actor])).toEqual([
      ["session.revoked", "alice"],
      ["login.succeeded", expect.anything()],
    ]);
    const ofDesktop = await listSessionEvents(db, { id: desktop.session.id, username: "alice", since });
    expect(ofDesktop.map((e) => e.type)).toEqual(["login.succeeded"]);
  });

  it("puts the current device first on the first page only", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { desktop, phone, laptop } = await threeDevices(db, config);
    // The phone and the laptop were used after the desktop: by activity alone it would come last.
    await validateSessionCookie(db, config, phone.cookie, request, later(new Date(), minutes(2)));
    await validateSessionCookie(db, config, laptop.cookie, request, later(new Date(), minutes(3)));
    const now = later(new Date(), minutes(4));

    const activePage = async (page: { limit: number; cursor?: Cursor }) => (await listSettingsSessions(db, config, ownerOf(desktop), page, 10, now)).active!;

    const all = await activePage({ limit: 50 });
    expect(all.sessions.map((s) => s.id)).toEqual([desktop.session.id, laptop.session.id, phone.session.id]);

    // With two a page the desktop is on the first page, ahead of the page's two, and never again.
    const first = await activePage({ limit: 2 });
    expect(first.sessions.map((s) => s.id)).toEqual([desktop.session.id, laptop.session.id, phone.session.id]);
    const second = await activePage({ limit: 2, cursor: cursorSchema.parse(first.nextCursor) });
    expect(second.sessions).toEqual([]);
  });

  it("reads Settings > Sessions' two lists in one statement on PostgreSQL (a statement a part on SQLite), each as the API lists it", async () => {
    let sent: string[] = [];
    const { db } = await tempDatabase({ onQuery: (sql) => sent.push(sql) });
    const config = testConfig();
    const { desktop, phone, laptop } = await threeDevices(db, config);
    const owner = ownerOf(desktop);
    await revokeOwnSession(db, owner, laptop.session.id, request);
    // Ended by expiry but not yet marked: the second part of the ended list.
    await db.prisma.session.update({ where: { id: phone.session.id }, data: { expiresAt: later(new Date(), minutes(-1)) } });
    const now = new Date();

    sent = [];
    const lists = await listSettingsSessions(db, config, owner, { limit: 50 }, 10, now);
    // The active list, and "Recently ended" in its two parts.
    expect(sent.filter((sql) => sql.includes(`FROM "Session" s`)), "statements that read the sessions").toHaveLength(TEST_BACKEND === "postgres" ? 1 : 3);
    expect(lists.active).toEqual(await listOwnSessions(db, config, owner, { limit: 50 }, now));
    expect(lists.ended).toEqual((await listOwnSessions(db, config, owner, { state: "ended", limit: 10 }, now)).sessions);
    expect(lists.ended.map((s) => s.id).sort()).toEqual([laptop.session.id, phone.session.id].sort());

    // A page link no longer valid: no active list, the ended one all the same.
    expect(await listSettingsSessions(db, config, owner, null, 1, now)).toEqual({ active: null, ended: lists.ended.slice(0, 1) });
  });
});

describe("own sessions: listing", () => {
  it("lists only the owner's active sessions, newest activity first, marking the current one", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { desktop, phone, laptop } = await threeDevices(db, config);
    // The phone was used most recently.
    await validateSessionCookie(db, config, phone.cookie, request, later(new Date(), minutes(2)));

    const page = await listOwnSessions(db, config, ownerOf(desktop), { limit: 50 }, later(new Date(), minutes(3)));
    expect(page.sessions.map((s) => s.id)).toEqual([phone.session.id, laptop.session.id, desktop.session.id]);
    expect(page.sessions.filter((s) => s.current).map((s) => s.id)).toEqual([desktop.session.id]);
    expect(page.nextCursor).toBeNull();
    // Never the token or its hash: only the 8-character hint.
    const text = JSON.stringify(page);
    expect(text).not.toContain(desktop.token);
    expect(text).not.toContain("tokenHash");
    expect(page.sessions.find((s) => s.id === desktop.session.id)?.tokenHint).toBe(desktop.token.slice(-8));
  });

  it("leaves out revoked, expired and old-key sessions", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { desktop, phone, laptop } = await threeDevices(db, config);
    await db.prisma.session.update({ where: { id: laptop.session.id }, data: { revokedAt: new Date() } });
    // Past the 7-day idle timeout only the Remember Me phone (30 days) is still active.
    const weekLater = later(new Date(), days(8));
    expect((await listOwnSessions(db, config, ownerOf(desktop), { limit: 50 }, weekLater)).sessions.map((s) => s.id)).toEqual([phone.session.id]);
    // A changed DASHBOARD_KEY ends static sessions: they are no longer listed.
    const rotated = testConfig({ DASHBOARD_KEY: "a-brand-new-user-key" });
    expect((await listOwnSessions(db, rotated, ownerOf(desktop), { limit: 50 })).sessions).toEqual([]);
  });

  it("pages with a keyset cursor without repeating or skipping a session", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const first = await signIn(db, config, "alice", USER_KEY);
    for (let i = 0; i < 6; i++) await signIn(db, config, "alice", USER_KEY);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listOwnSessions>> = await listOwnSessions(db, config, ownerOf(first), {
        limit: 3,
        cursor: cursor ? cursorSchema.parse(cursor) : undefined,
      });
      expect(page.sessions.length).toBeLessThanOrEqual(3);
      seen.push(...page.sessions.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });
});

describe("own sessions: authorization rules", () => {
  it("revokes another of the owner's sessions by public id, marks it and audits who did it", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { desktop, phone } = await threeDevices(db, config);
    const from = { ip: "198.51.100.4", userAgent: "desktop-browser" };
    await revokeOwnSession(db, ownerOf(desktop), phone.session.id, from);

    const row = await db.prisma.session.findUniqueOrThrow({ where: { id: phone.session.id } });
    expect(row).toMatchObject({ revokedBy: "alice", revokeReason: "revoked by its owner" });
    expect(row.revokedAt).toBeInstanceOf(Date);
    // The phone is signed out at its very next request, with the reason.
    expect(await validateSessionCookie(db, config, phone.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    const [event] = await db.prisma.authEvent.findMany({ where: { type: "session.revoked" } });
    expect(event).toMatchObject({
      sessionId: phone.session.id,
      username: "alice",
      actor: "alice",
      ip: "198.51.100.4",
      userAgent: "desktop-browser",
      detail: `revoked by its owner from session ${desktop.session.id}`,
    });
  });

  it("answers 'not found' alike for an unknown id and for another user's session, and changes nothing", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { desktop, bob } = await threeDevices(db, config);
    const unknown = await rejection(revokeOwnSession(db, ownerOf(desktop), "no-such-session-id", request));
    const foreign = await rejection(revokeOwnSession(db, ownerOf(desktop), bob.session.id, request));
    expect([unknown.status, unknown.code, unknown.message]).toEqual([foreign.status, foreign.code, foreign.message]);
    expect(foreign.status).toBe(404);
    expect(await validateSessionCookie(db, config, bob.cookie, request)).toMatchObject({ status: "active" });
    expect(await db.prisma.authEvent.count({ where: { type: "session.revoked" } })).toBe(0);
  });

  it("refuses to revoke the current session (conflict: use Log out) and an already revoked one (not found)", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { desktop, phone } = await threeDevices(db, config);
    const current = await rejection(revokeOwnSession(db, ownerOf(desktop), desktop.session.id, request));
    expect([current.status, current.code]).toEqual([409, "current_session"]);
    expect(await validateSessionCookie(db, config, desktop.cookie, request)).toMatchObject({ status: "active" });

    await revokeOwnSession(db, ownerOf(desktop), phone.session.id, request);
    expect((await rejection(revokeOwnSession(db, ownerOf(desktop), phone.session.id, request))).status).toBe(404);
    expect(await db.prisma.authEvent.count({ where: { type: "session.revoked" } })).toBe(1);
  });

  it("signs out all other sessions of the owner only, keeping the current one", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { desktop, phone, laptop, bob } = await threeDevices(db, config);
    const root = await signIn(db, config, "root", ADMIN_KEY);
    expect(await revokeOtherOwnSessions(db, ownerOf(desktop), request)).toBe(2);
    expect(await revokeOtherOwnSessions(db, ownerOf(desktop), request)).toBe(0);

    for (const ended of [phone, laptop]) {
      expect(await validateSessionCookie(db, config, ended.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    }
    for (const kept of [desktop, bob, root]) {
      expect(await validateSessionCookie(db, config, kept.cookie, request)).toMatchObject({ status: "active" });
    }
    const events = await db.prisma.authEvent.findMany({ where: { type: "session.revoked" } });
    // Sorted here: the database's collation decides ORDER BY on text, and the test databases use ICU.
    expect(events.map((e) => e.sessionId).sort()).toEqual([phone.session.id, laptop.session.id].sort());
    expect(events.every((e) => e.actor === "alice" && e.username === "alice")).toBe(true);
  });
});

describe("own sessions: the backend's list statement", () => {
  it("answers every page size the API allows, in every state, as the first rows of the longest page (more shapes than it keeps prepared)", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const now = new Date();
    const first = await signIn(db, config, "erin", USER_KEY, false, request, later(now, -minutes(30)));
    for (let i = 0; i < 4; i++) await signIn(db, config, "erin", USER_KEY, false, request, later(now, -minutes(20 - i)));
    const ended = await signIn(db, config, "erin", USER_KEY, false, request, later(now, -minutes(10)));
    await revokeOwnSession(db, ownerOf(first), ended.session.id, request, later(now, -minutes(5)));
    const owner = ownerOf(first);
    for (const state of ["active", "ended", "all"] as const) {
      const all = (await listOwnSessions(db, config, owner, { state, limit: 100 }, now)).sessions.map((s) => s.id);
      expect(all.length, state).toBeGreaterThan(0);
      for (let limit = 1; limit <= 100; limit++) {
        const page = await listOwnSessions(db, config, owner, { state, limit }, now);
        expect(page.sessions.map((s) => s.id), `${state}, ${limit} a page`).toEqual(all.slice(0, limit));
        expect(page.nextCursor === null, `${state}, ${limit} a page`).toBe(limit >= all.length);
      }
    }
  });

  it("reads every part exactly as the same part read through Prisma does, page by page, ties and a pending force logout included", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const now = new Date();
    const at = (minutesAgo: number) => later(now, -minutes(minutesAgo));
    const carol = await signIn(db, config, "carol", USER_KEY, false, request, at(90));
    const sessions = [carol.session.id];
    for (let i = 0; i < 11; i++) sessions.push((await signIn(db, config, i % 4 === 3 ? "dave" : "carol", USER_KEY, false, request, at(80 - i))).session.id);
    // Ties everywhere a list orders: two active at one time, two ended at one time, two expiries at one time.
    const set = (id: string, data: Record<string, unknown>) => db.prisma.session.update({ where: { id }, data });
    await set(sessions[2], { lastActiveAt: at(5) });
    await set(sessions[3], { lastActiveAt: at(5) });
    await set(sessions[5], { revokedAt: at(20), revokedBy: "carol", endReason: "logout" });
    await set(sessions[6], { revokedAt: at(20), revokedBy: "carol", endReason: "logout" });
    await set(sessions[7], { expiresAt: at(30) });
    await set(sessions[10], { expiresAt: at(30) });
    // An expiry not marked yet at the very time two others were ended: the two parts of the ended list tie.
    await set(sessions[1], { expiresAt: at(20) });
    await set(sessions[11], { keyFingerprint: "a-key-no-longer-configured" });
    await set(sessions[9], { authMethod: "oidc", keyFingerprint: null });
    const userId = carol.user.id;
    const pending = { at: at(75), keepSessionId: sessions[3], revokedBy: "admin", revokeReason: "force logout", endReason: "revoked_all" as const };

    for (const [state, order, held] of [
      ["active", "lastActiveAt", null],
      ["active", "createdAt", null],
      ["active", "lastActiveAt", pending],
      ["ended", "lastActiveAt", null],
      ["ended", "lastActiveAt", pending],
      ["all", "lastActiveAt", null],
      ["all", "createdAt", null],
    ] as const) {
      const parts = await sessionListParts(db, config, state, now, held, order);
      for (const take of [1, 2, 3, 20]) {
        const read = (through: "statement" | "prisma", cursor: Cursor | undefined) =>
          readListParts(parts, take, async (part, index) => {
            if (through === "statement") return (await db.userSessions(userId, [{ part, after: partBound(cursor, index), take }]))[0];
            const query = prismaPartQuery(part, cursor, index, take);
            return db.prisma.session.findMany({ ...query, where: { AND: [query.where, { userId }] } });
          });
        const seen: string[] = [];
        let cursor: Cursor | undefined;
        for (let page = 0; page < 20; page++) {
          const [mine, prisma] = await Promise.all([read("statement", cursor), read("prisma", cursor)]);
          const rows = mine.map(({ row, part }) => ({ row: presentSession(row, null, now), part }));
          expect(rows, `${state} by ${order}${held ? ", pending" : ""}, ${take} a page`).toEqual(prisma.map(({ row, part }) => ({ row: presentSession(row, null, now), part })));
          seen.push(...mine.map(({ row }) => row.id));
          const last = mine.at(-1);
          if (mine.length < take || !last) break;
          cursor = cursorAfter(last);
        }
        expect(new Set(seen).size, "no session listed twice").toBe(seen.length);
        if (take === 20) expect(seen.length, `${state} by ${order}${held ? ", pending" : ""}`).toBeGreaterThan(0);
      }
    }
  });
});
