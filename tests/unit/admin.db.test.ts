import { describe, expect, it, vi } from "vitest";
import { adminCounters, listAdminSessions, revokeAllSessions, revokeSessionAsAdmin, revokeUserSessionsAsAdmin } from "@/lib/admin/sessions";
import { disableUser, enableUser, listUsers } from "@/lib/admin/users";
import { keyFingerprint } from "@/lib/auth/keys";
import { signInWithKey } from "@/lib/auth/static-login";
import { generateId, generateSessionToken, hashSessionToken } from "@/lib/sessions/token";
import type { Config } from "@/lib/config";
import type { Database } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { cursorSchema } from "@/lib/pagination/cursor";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import type { Actor } from "@/lib/actor";
import { createSession, validateSessionCookie } from "@/lib/sessions/sessions";
import { adminSessionsQuerySchema, type AdminSessionsQuery } from "@/lib/validation/admin";
import { ADMIN_KEY, SECRET_A, USER_KEY, days, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

const T0 = new Date("2026-11-20T00:00:00.000Z");
const query = (input: Record<string, unknown> = {}): AdminSessionsQuery => adminSessionsQuerySchema.parse(input);

async function ensureUser(db: Database, username: string) {
  return db.prisma.user.upsert({ where: { username }, create: { id: generateId(), username, authSource: "static" }, update: {} });
}

/** A session row written directly, as many as a test needs, with chosen times and metadata. */
async function seedSession(
  db: Database,
  username: string,
  options: { at?: Date; method?: "static" | "oidc"; ip?: string; expiresAt?: Date; revokedAt?: Date } = {},
) {
  const user = await ensureUser(db, username);
  const at = options.at ?? T0;
  const id = generateId();
  await db.prisma.session.create({
    data: {
      id,
      tokenHash: hashSessionToken(generateSessionToken()),
      tokenHint: "abcdef12",
      userId: user.id,
      authMethod: options.method ?? "static",
      keyFingerprint: options.method === "oidc" ? null : keyFingerprint(SECRET_A, USER_KEY),
      ipAddress: options.ip ?? "192.0.2.1",
      createdAt: at,
      authenticatedAt: at,
      lastActiveAt: at,
      expiresAt: options.expiresAt ?? later(at, days(30)),
      absoluteExpiresAt: later(at, days(90)),
      revokedAt: options.revokedAt ?? null,
    },
  });
  return id;
}

const actorOf = (signed: Awaited<ReturnType<typeof signIn>>): Actor => ({ username: signed.user.username, sessionId: signed.session.id });

async function allPages(
  db: Database,
  config: Config,
  base: Record<string, unknown>,
  between?: (page: number, seen: string[]) => Promise<void>,
) {
  const seen: string[] = [];
  let cursor: string | null = null;
  let page = 0;
  do {
    const result: Awaited<ReturnType<typeof listAdminSessions>> = await listAdminSessions(
      db,
      config,
      null,
      query({ ...base, ...(cursor ? { cursor } : {}) }),
      later(T0, days(1)),
    );
    seen.push(...result.sessions.map((s) => s.id));
    cursor = result.nextCursor;
    if (cursor) expect(cursorSchema.safeParse(cursor).success).toBe(true);
    await between?.(page++, seen);
  } while (cursor);
  return seen;
}

describe("admin: listing every session", () => {
  it("pages by keyset with no duplicates or gaps while rows are inserted and deleted", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const ids: string[] = [];
    // Pairs share a timestamp, so the id tiebreaker matters.
    for (let i = 0; i < 40; i++) ids.push(await seedSession(db, `user${i % 7}`, { at: later(T0, minutes(Math.floor(i / 2))) }));
    const deleted = new Set<string>();
    const seen = await allPages(db, config, { sort: "created", limit: 6 }, async (page, seenSoFar) => {
      // Newer rows arrive (they belong before the cursor) and a row not yet seen vanishes.
      await seedSession(db, "late", { at: later(T0, minutes(100 + page)) });
      const victim = ids.find((id) => !seenSoFar.includes(id) && !deleted.has(id));
      if (victim) {
        await db.prisma.session.delete({ where: { id: victim } });
        deleted.add(victim);
      }
    });
    expect(new Set(seen).size).toBe(seen.length);
    const expected = ids.filter((id) => !deleted.has(id));
    expect(seen.filter((id) => ids.includes(id)).sort()).toEqual(expected.sort());
    expect(deleted.size).toBeGreaterThan(0);
  });

  it("sorts by last activity or sign-in time, newest first", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const older = await seedSession(db, "a", { at: T0 });
    const newer = await seedSession(db, "b", { at: later(T0, minutes(5)) });
    await db.prisma.session.update({ where: { id: older }, data: { lastActiveAt: later(T0, minutes(10)) } });
    expect(await allPages(db, config, { sort: "lastActive" })).toEqual([older, newer]);
    expect(await allPages(db, config, { sort: "created" })).toEqual([newer, older]);
  });

  it("filters by user (exact or prefix), method, IP or IP prefix, and owners with more than N sessions", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const alice = await seedSession(db, "alice", { ip: "10.1.2.3" });
    const alicia = await seedSession(db, "alicia", { method: "oidc", ip: "2001:db8::5" });
    const bob = [];
    for (let i = 0; i < 6; i++) bob.push(await seedSession(db, "bob", { ip: `10.9.0.${i}` }));
    const sorted = (list: string[]) => [...list].sort();
    expect(sorted(await allPages(db, config, { user: "alice" }))).toEqual([alice]);
    expect(sorted(await allPages(db, config, { user: "ali", match: "prefix" }))).toEqual(sorted([alice, alicia]));
    expect(await allPages(db, config, { user: "nobody" })).toEqual([]);
    expect(await allPages(db, config, { method: "oidc" })).toEqual([alicia]);
    expect(await allPages(db, config, { ip: "10.1.2.3" })).toEqual([alice]);
    expect(await allPages(db, config, { ip: "2001:0db8:0:0:0:0:0:5" })).toEqual([alicia]);
    expect(sorted(await allPages(db, config, { ip: "10.9." }))).toEqual(sorted(bob));
    expect(sorted(await allPages(db, config, { moreThan: 5 }))).toEqual(sorted(bob));
    expect(await allPages(db, config, { moreThan: 6 })).toEqual([]);

    const page = await listAdminSessions(db, config, null, query({ user: "bob", limit: 2 }), later(T0, days(1)));
    expect(page.sessions[0]).toMatchObject({ user: { username: "bob", disabled: false }, ownerActiveSessions: 6, flagged: true });
    const single = await listAdminSessions(db, config, null, query({ user: "alice" }), later(T0, days(1)));
    expect(single.sessions[0]).toMatchObject({ ownerActiveSessions: 1, flagged: false });
  });

  it("matches prefixes exactly as startsWith does, whatever the database's collation", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    // Punctuation that linguistic collations order differently from bytes.
    const names = ["ab", "ab-c", "ab.c", "ab_c", "ab@c", "a-b", "a.b", "a_b", "abz", "ac", "a", "b"];
    const ips = ["10.1.2.3", "10.10.0.1", "10.1", "10.2.0.1", "2001:db8::1", "2001:db8:1::1"];
    const ids = new Map<string, string>();
    for (const [i, name] of names.entries()) ids.set(name, await seedSession(db, name, { ip: ips[i % ips.length] }));
    for (const prefix of ["a", "ab", "ab-", "ab.", "a-", "a_", "b"]) {
      const expected = names.filter((n) => n.startsWith(prefix)).map((n) => ids.get(n)).sort();
      expect((await allPages(db, config, { user: prefix, match: "prefix" })).sort(), prefix).toEqual(expected);
    }
    for (const prefix of ["10.1.", "10.1", "2001:db8:"]) {
      const expected = names.filter((_, i) => ips[i % ips.length].startsWith(prefix)).map((n) => ids.get(n)).sort();
      expect((await allPages(db, config, { ip: prefix })).sort(), prefix).toEqual(expected);
    }
    // The users list pages in the same order on both backends: byte order.
    expect((await listUsers(db, config, { limit: 100 })).users.map((u) => u.username)).toEqual([...names].sort());
  });

  it("finds the sessions of owners with more than N sessions even when there are too many owners to list", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const fingerprint = keyFingerprint(SECRET_A, USER_KEY);
    const users = Array.from({ length: 620 }, (_, i) => ({ id: generateId(), username: `many${String(i).padStart(4, "0")}`, authSource: "static" }));
    await db.prisma.user.createMany({ data: users });
    // 600 owners with 2 sessions each (more than the 500 ids listed per query), 20 with one.
    const sessions = users.flatMap((user, i) =>
      Array.from({ length: i < 600 ? 2 : 1 }, (_, n) => ({
        id: generateId(),
        tokenHash: hashSessionToken(`${user.id}-${n}`),
        tokenHint: "00000000",
        userId: user.id,
        authMethod: "static",
        keyFingerprint: fingerprint,
        createdAt: later(T0, minutes(i * 2 + n)),
        authenticatedAt: later(T0, minutes(i * 2 + n)),
        lastActiveAt: later(T0, minutes(i * 2 + n)),
        expiresAt: later(T0, days(30)),
        absoluteExpiresAt: later(T0, days(90)),
      })),
    );
    await db.prisma.session.createMany({ data: sessions });
    const seen = await allPages(db, config, { moreThan: 1, limit: 200 });
    expect(seen).toHaveLength(1200);
    expect(new Set(seen)).toEqual(new Set(sessions.filter((s) => users.findIndex((u) => u.id === s.userId) < 600).map((s) => s.id)));
  });

  it("leaves out revoked and expired sessions and counts the last 24 hours", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const now = later(T0, days(1));
    await seedSession(db, "a", { at: later(T0, minutes(1)) });
    await seedSession(db, "a", { at: later(T0, minutes(2)) });
    await seedSession(db, "b", { at: later(T0, minutes(3)), revokedAt: T0 });
    await seedSession(db, "c", { at: later(T0, -days(3)), expiresAt: later(T0, minutes(5)) });
    expect((await listAdminSessions(db, config, null, query(), now)).sessions).toHaveLength(2);
    await cleanupSessions(db, config, { now });
    expect(await adminCounters(db, config, now)).toEqual({
      activeSessions: 2,
      activeUsers: 1,
      createdLast24h: 3,
      revokedLast24h: 0,
      expiredLast24h: 1,
    });
  });
});

/** A fresh database with the admin "root" and the user "alice" signed in once each. */
async function rootAndAlice() {
  const { db } = await tempDatabase();
  const config = testConfig();
  return { db, config, root: await signIn(db, config, "root", ADMIN_KEY), alice: await signIn(db, config, "alice", USER_KEY) };
}

describe("admin: revocation at every scope", () => {
  it("revokes one session (404 unknown, 409 own current) with the admin and reason in the audit trail", async () => {
    const { db, config, root, alice } = await rootAndAlice();
    await expect(revokeSessionAsAdmin(db, actorOf(root), "unknown", undefined, request)).rejects.toMatchObject({ constructor: DomainError, code: "session_not_found" });
    await expect(revokeSessionAsAdmin(db, actorOf(root), root.session.id, undefined, request)).rejects.toMatchObject({ constructor: DomainError, code: "current_session" });
    expect(await revokeSessionAsAdmin(db, actorOf(root), alice.session.id, "lost laptop", request)).toBe(1);
    expect(await validateSessionCookie(db, config, alice.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    const event = await db.prisma.authEvent.findFirstOrThrow({ where: { type: "session.revoked" } });
    expect(event).toMatchObject({ actor: "root", username: "alice", sessionId: alice.session.id, detail: "scope: session; reason: lost laptop", count: 1 });
  });

  it("revokes all of a user's sessions; the admin's own current session survives", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const rootElsewhere = await signIn(db, config, "root", ADMIN_KEY);
    const alice = [await signIn(db, config, "alice", USER_KEY), await signIn(db, config, "alice", USER_KEY)];
    const bob = await signIn(db, config, "bob", USER_KEY);
    expect(await revokeUserSessionsAsAdmin(db, actorOf(root), "alice", undefined, request)).toBe(2);
    expect(await revokeUserSessionsAsAdmin(db, actorOf(root), "root", undefined, request)).toBe(1);
    await expect(revokeUserSessionsAsAdmin(db, actorOf(root), "ghost", undefined, request)).rejects.toMatchObject({ constructor: DomainError, code: "user_not_found" });
    for (const ended of [...alice, rootElsewhere]) expect((await validateSessionCookie(db, config, ended.cookie, request)).status).toBe("ended");
    for (const kept of [root, bob]) expect((await validateSessionCookie(db, config, kept.cookie, request)).status).toBe("active");
    const events = await db.prisma.authEvent.findMany({ where: { type: "session.revoked", username: "alice" } });
    expect(events.map((e) => e.detail)).toEqual(["scope: user alice; reason: revoked by an administrator", "scope: user alice; reason: revoked by an administrator"]);
  });

  it("force-logs-out everyone, with or without the acting admin, as one audited bulk event", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    for (let i = 0; i < 12; i++) await seedSession(db, `u${i}`);
    expect(await revokeAllSessions(db, config, actorOf(root), { includeSelf: false, reason: "incident 42" }, request)).toBe(12);
    expect((await validateSessionCookie(db, config, root.cookie, request)).status).toBe("active");
    expect(await revokeAllSessions(db, config, actorOf(root), { includeSelf: true }, request)).toBe(1);
    expect(await validateSessionCookie(db, config, root.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    // Both may carry the same millisecond, so order by count rather than by time.
    const events = await db.prisma.authEvent.findMany({ where: { type: "sessions.revoked_all" }, orderBy: { count: "desc" } });
    expect(events.map((e) => [e.actor, e.count, e.detail])).toEqual([
      ["root", 12, "scope: all; reason: incident 42"],
      ["root", 1, "scope: all (including the admin's own session); reason: revoked by an administrator"],
    ]);
    expect((await adminCounters(db, config)).revokedLast24h).toBe(13);
  });
});

describe("admin: disabling users", () => {
  it("ends the user's sessions at once, refuses sign-in until enabled, and audits both", async () => {
    const { db, config, root, alice } = await rootAndAlice();
    expect(await disableUser(db, actorOf(root), "alice", "left the company", request)).toEqual({ sessionsEnded: 1, alreadyDisabled: false });
    expect(await validateSessionCookie(db, config, alice.cookie, request)).toEqual({ status: "ended", reason: "disabled" });
    const refused = await signInWithKey(db, config, { username: "alice", key: USER_KEY, rememberMe: false }, request);
    expect(refused).toMatchObject({ ok: false, code: "account_disabled" });
    // A wrong key still just says "invalid": nothing about the account leaks.
    expect(await signInWithKey(db, config, { username: "alice", key: "wrong-key", rememberMe: false }, request)).toMatchObject({ code: "invalid_credentials" });
    expect((await listUsers(db, config, { limit: 10 })).users.find((u) => u.username === "alice")).toMatchObject({ disabled: true, disabledBy: "root", activeSessions: 0 });

    await expect(disableUser(db, actorOf(root), "root", undefined, request)).rejects.toMatchObject({ constructor: DomainError, code: "cannot_disable_self" });
    await expect(disableUser(db, actorOf(root), "ghost", undefined, request)).rejects.toMatchObject({ constructor: DomainError, code: "user_not_found" });

    await enableUser(db, actorOf(root), "alice", request);
    expect(await signInWithKey(db, config, { username: "alice", key: USER_KEY, rememberMe: false }, request)).toMatchObject({ ok: true });
    const types = (await db.prisma.authEvent.findMany({ where: { username: "alice" }, orderBy: { at: "asc" } })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["user.disabled", "user.enabled", "login.failed"]));
  });

  it("a sign-in that looked before the account was disabled writes no session after it: enabling again brings none back", async () => {
    const { db, config, root, alice } = await rootAndAlice();
    await disableUser(db, actorOf(root), "alice", "left the company", request);
    // What a key sign-in that read the account just before the disable goes on to write.
    const late = { userId: alice.session.userId, username: "alice", authMethod: "static" as const, rememberMe: false, keyFingerprint: alice.session.keyFingerprint };
    await expect(createSession(db, config, late, request)).rejects.toMatchObject({ code: "account_disabled", status: 403 });
    await enableUser(db, actorOf(root), "alice", request);
    expect(await db.prisma.session.count({ where: { userId: alice.session.userId, revokedAt: null } })).toBe(0);
  });

  it("commits the account's new state with its audit event: a failure while its sessions are marked leaves both, and disabling again finishes the marking", async () => {
    const { db, config, root, alice } = await rootAndAlice();
    // Marking sessions ended fails (the database refuses the write) after the account is disabled.
    if (db.backend === "postgres") {
      await db.prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_marking() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`);
      await db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_marking BEFORE UPDATE OF "revokedAt" ON "Session" FOR EACH ROW EXECUTE FUNCTION refuse_marking()`);
    } else {
      await db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_marking BEFORE UPDATE OF revokedAt ON "Session" BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    }
    await expect(disableUser(db, actorOf(root), "alice", "left the company", request)).rejects.toThrow();
    const disabledEvents = () => db.prisma.authEvent.findMany({ where: { type: "user.disabled", username: "alice" } });
    expect(await disabledEvents()).toMatchObject([{ actor: "root", detail: "left the company", count: 1 }]);
    expect(await db.prisma.user.findUniqueOrThrow({ where: { username: "alice" } })).toMatchObject({ disabledBy: "root" });

    await db.prisma.$executeRawUnsafe(`DROP TRIGGER refuse_marking${db.backend === "postgres" ? ` ON "Session"` : ""}`);
    expect(await disableUser(db, actorOf(root), "alice", "left the company", request)).toEqual({ sessionsEnded: 1, alreadyDisabled: true });
    expect(await disabledEvents()).toHaveLength(1);
    expect(await db.prisma.session.findUniqueOrThrow({ where: { id: alice.session.id } })).toMatchObject({ endReason: "disabled", revokedBy: "root" });
    expect(await validateSessionCookie(db, config, alice.cookie, request)).toEqual({ status: "ended", reason: "disabled" });
  });

  it("is one change when two admins disable the same account at once: one audit event, one webhook event", async () => {
    const { db: plain, root } = await rootAndAlice();
    const db = { ...plain, webhookUrls: ["http://127.0.0.1:9/hook"] };
    const other: Actor = { username: "ops", sessionId: null };
    const answers = await Promise.all([disableUser(db, actorOf(root), "alice", "first", request), disableUser(db, other, "alice", "second", request)]);
    expect(answers.map((a) => a.alreadyDisabled).sort()).toEqual([false, true]);
    expect(await db.prisma.authEvent.count({ where: { type: "user.disabled", username: "alice" } })).toBe(1);
    expect(await db.prisma.webhookDelivery.count({ where: { type: "user.disabled" } })).toBe(1);
  });

  it("lists users a page at a time with their active session counts, flagging more than 5", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    for (let i = 0; i < 6; i++) await seedSession(db, "busy", { at: new Date() });
    await ensureUser(db, "idle");
    await ensureUser(db, "another");
    const first = await listUsers(db, config, { limit: 2 });
    expect(first.users.map((u) => u.username)).toEqual(["another", "busy"]);
    expect(first.users[1]).toMatchObject({ activeSessions: 6, flagged: true });
    const second = await listUsers(db, config, { limit: 2, after: first.nextCursor ?? undefined });
    expect(second).toMatchObject({ users: [{ username: "idle", activeSessions: 0, flagged: false }], nextCursor: null });
    expect((await listUsers(db, config, { prefix: "bu", limit: 10 })).users.map((u) => u.username)).toEqual(["busy"]);
  });

  it("reads a username prefix literally: _ and % are characters, not wildcards", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    for (const name of ["bob", "b_b", "b%b", "bab"]) await ensureUser(db, name);
    const named = async (prefix: string) => (await listUsers(db, config, { prefix, limit: 10 })).users.map((u) => u.username);
    expect(await named("_")).toEqual([]);
    expect(await named("b_")).toEqual(["b_b"]);
    expect(await named("b%")).toEqual(["b%b"]);
    expect((await named("b")).sort()).toEqual(["b%b", "b_b", "bab", "bob"]);
  });
});

describe("cleanup", () => {
  it("marks unseen expiries ended, deletes sessions ended longer than SESSION_HISTORY_DAYS ago in bounded batches, and audits the count", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const now = later(T0, days(1));
    // Expired 31 days before `now` and more: ended past the 30-day history, marked and deleted in one run.
    for (let i = 0; i < 22; i++) await seedSession(db, `gone${i % 3}`, { at: later(T0, -days(80)), expiresAt: later(T0, -days(30) - minutes(i)) });
    // Ended 31 days ago by a revocation: deleted too.
    for (let i = 0; i < 3; i++) await seedSession(db, "gone", { at: later(T0, -days(40)), revokedAt: later(T0, -days(30)) });
    const live = await seedSession(db, "live", { at: T0 });
    const revoked = await seedSession(db, "live", { at: T0, revokedAt: T0 });
    // Expired an hour ago, nobody saw it: kept as history, ended when it expired.
    const expired = await seedSession(db, "live", { at: later(T0, -days(10)), expiresAt: later(now, -minutes(60)) });
    await db.prisma.loginAttempt.createMany({
      data: [
        { key: "ip:old", failures: 3, windowStart: later(now, -minutes(20)) },
        { key: "ip:new", failures: 1, windowStart: later(now, -minutes(5)) },
      ],
    });
    expect(await cleanupSessions(db, config, { now, batchSize: 10 })).toEqual({ expiredSessions: 25, endedSessions: 23, loginAttempts: 1 });
    expect((await db.prisma.session.findMany({ select: { id: true } })).map((s) => s.id).sort()).toEqual([live, revoked, expired].sort());
    expect(await db.prisma.session.findUniqueOrThrow({ where: { id: expired } })).toMatchObject({
      revokedAt: later(now, -minutes(60)),
      revokedBy: "system",
      endReason: "expired_idle",
    });
    expect(await db.prisma.loginAttempt.findMany({ select: { key: true } })).toEqual([{ key: "ip:new" }]);
    expect(await db.prisma.authEvent.findMany({ where: { type: "sessions.cleaned" } })).toMatchObject([{ actor: "system", count: 25 }]);
    // Nothing to do: no event.
    expect(await cleanupSessions(db, config, { now })).toEqual({ expiredSessions: 0, endedSessions: 0, loginAttempts: 0 });
    expect(await db.prisma.authEvent.count({ where: { type: "sessions.cleaned" } })).toBe(1);
  });
});

describe("cleanup timer", () => {
  it("runs on the configured interval, and not at all when set to 0", async () => {
    const { db } = await tempDatabase();
    const { startCleanupTimer, stopCleanupTimer } = await import("@/lib/sessions/cleanup");
    await seedSession(db, "old", { at: later(new Date(), -days(80)), expiresAt: later(new Date(), -days(31)) });
    // Only the interval is faked: the database driver's own timeouts (setTimeout) must stay real.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      startCleanupTimer(testConfig({ DASHBOARD_CLEANUP_INTERVAL_MINUTES: "0" }), async () => db);
      await vi.advanceTimersByTimeAsync(120 * 60_000);
      expect(await db.prisma.session.count()).toBe(1);

      startCleanupTimer(testConfig({ DASHBOARD_CLEANUP_INTERVAL_MINUTES: "5" }), async () => db);
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      await vi.waitFor(async () => {
        expect(await db.prisma.session.count()).toBe(0);
        // The event is written just after the batch that deleted the row.
        expect(await db.prisma.authEvent.count({ where: { type: "sessions.cleaned", actor: "system" } })).toBe(1);
      });
    } finally {
      stopCleanupTimer();
      vi.useRealTimers();
    }
  });
});
