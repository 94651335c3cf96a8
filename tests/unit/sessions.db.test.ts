import { describe, expect, it } from "vitest";
import type { Database } from "@/lib/db";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { ADMIN_KEY, SECRET_A, SECRET_B, USER_KEY, days, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

const events = (db: Database, type: string) => db.prisma.authEvent.findMany({ where: { type } });

describe("session lifecycle", () => {
  it("stores only the token's hash and hint, and validates the signed cookie in one lookup", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { token, cookie, session } = await signIn(db, config, "alice", USER_KEY);
    const row = await db.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.tokenHint).toBe(token.slice(-8));

    const check = await validateSessionCookie(db, config, cookie, request);
    expect(check).toMatchObject({ status: "active", session: { id: session.id }, user: { username: "alice", role: "user" } });
  });

  it("creates a new session on every sign-in (no fixation)", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const first = await signIn(db, config, "alice", USER_KEY);
    const second = await signIn(db, config, "alice", USER_KEY);
    expect(second.token).not.toBe(first.token);
    expect(second.session.id).not.toBe(first.session.id);
    expect(await db.prisma.session.count({ where: { user: { username: "alice" } } })).toBe(2);
  });

  it("writes activity at most once a minute and slides the idle expiry", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { cookie, session } = await signIn(db, config, "alice", USER_KEY);
    const created = session.createdAt;
    await validateSessionCookie(db, config, cookie, request, later(created, 30_000));
    let row = await db.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.lastActiveAt).toEqual(created);

    await validateSessionCookie(db, config, cookie, request, later(created, minutes(2)));
    row = await db.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.lastActiveAt).toEqual(later(created, minutes(2)));
    expect(row.expiresAt).toEqual(later(created, minutes(2) + days(7)));
  });

  it("ends an idle session, marks the row ended when it expired and audits the expiry once", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { cookie, session } = await signIn(db, config, "alice", USER_KEY);
    expect(await validateSessionCookie(db, config, cookie, request, later(session.createdAt, days(7)))).toEqual({ status: "ended", reason: "expired" });
    expect(await db.prisma.session.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({
      revokedAt: session.expiresAt,
      revokedBy: "system",
      endReason: "expired_idle",
    });
    expect(await events(db, "session.expired")).toMatchObject([{ sessionId: session.id, username: "alice", detail: "idle timeout" }]);
    // The row is history now: the same cookie still learns why, and nothing is audited twice.
    expect(await validateSessionCookie(db, config, cookie, request)).toEqual({ status: "ended", reason: "expired" });
    expect(await events(db, "session.expired")).toHaveLength(1);
    // Once cleanup has deleted it, the cookie reads as an ended session.
    await db.prisma.session.deleteMany({});
    expect(await validateSessionCookie(db, config, cookie, request)).toEqual({ status: "ended", reason: "ended" });
  });

  it("keeps a Remember Me session for 30 idle days, and ends any session at the absolute cap", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { cookie, session } = await signIn(db, config, "alice", USER_KEY, true);
    let now = session.createdAt;
    // Active every 20 days: still valid at day 80 although 30 days is the idle window.
    for (let day = 20; day <= 80; day += 20) {
      now = later(session.createdAt, days(day));
      expect((await validateSessionCookie(db, config, cookie, request, now)).status).toBe("active");
    }
    expect(await validateSessionCookie(db, config, cookie, request, later(session.createdAt, days(90)))).toEqual({ status: "ended", reason: "max-age" });
  });

  it("ends static sessions when DASHBOARD_KEY changes, and only those signed in with it", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const user = await signIn(db, config, "alice", USER_KEY);
    const admin = await signIn(db, config, "root", ADMIN_KEY);
    const rotated = testConfig({ DASHBOARD_KEY: "a-brand-new-shared-key" });
    expect(await validateSessionCookie(db, rotated, user.cookie, request)).toEqual({ status: "ended", reason: "key-changed" });
    expect((await validateSessionCookie(db, rotated, admin.cookie, request)).status).toBe("active");
    expect(await events(db, "session.key_changed")).toMatchObject([{ sessionId: user.session.id }]);
  });

  it("ends a shared-key session once its name is an admin's: an admin name accepts only the admin key", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const carol = await signIn(db, config, "carol", USER_KEY);
    const promoted = testConfig({ DASHBOARD_ADMINS: "root,carol" });
    expect(await validateSessionCookie(db, promoted, carol.cookie, request)).toEqual({ status: "ended", reason: "key-changed" });
    // Her own sign-in with the admin key is what an admin name's session is.
    const again = await signIn(db, promoted, "carol", ADMIN_KEY);
    expect(await validateSessionCookie(db, promoted, again.cookie, request)).toMatchObject({ status: "active", user: { role: "admin" } });
  });

  it("survives DASHBOARD_SECRET rotation (new first, old kept) and logs out when the old secret is removed", async () => {
    const { db } = await tempDatabase();
    const old = testConfig({ DASHBOARD_SECRET: SECRET_A });
    const { cookie } = await signIn(db, old, "alice", USER_KEY);
    const rotated = testConfig({ DASHBOARD_SECRET: `${SECRET_B},${SECRET_A}` });
    expect((await validateSessionCookie(db, rotated, cookie, request)).status).toBe("active");
    const removed = testConfig({ DASHBOARD_SECRET: SECRET_B });
    expect(await validateSessionCookie(db, removed, cookie, request)).toEqual({ status: "none" });
  });

  it("treats a revoked row as revoked and a vanished row as ended", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const a = await signIn(db, config, "alice", USER_KEY);
    const b = await signIn(db, config, "alice", USER_KEY);
    await db.prisma.session.update({ where: { id: a.session.id }, data: { revokedAt: new Date(), revokedBy: "root" } });
    expect(await validateSessionCookie(db, config, a.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    await db.prisma.session.delete({ where: { id: b.session.id } });
    expect(await validateSessionCookie(db, config, b.cookie, request)).toEqual({ status: "ended", reason: "ended" });
  });

  it("derives the role on every request: admin key required, and removal from DASHBOARD_ADMINS takes effect at once", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const admin = await signIn(db, config, "root", ADMIN_KEY);
    expect(await validateSessionCookie(db, config, admin.cookie, request)).toMatchObject({ user: { role: "admin" } });
    const demoted = testConfig({ DASHBOARD_ADMINS: "admin" });
    expect(await validateSessionCookie(db, demoted, admin.cookie, request)).toMatchObject({ status: "active", user: { role: "user" } });
    // Promoting a name that signed in with the shared key does not make that session admin: it ends (below).
  });

  it("enforces SESSION_MAX_PER_USER by revoking the oldest sessions at sign-in", async () => {
    const { db } = await tempDatabase();
    const config = testConfig({ SESSION_MAX_PER_USER: "2" });
    // Three sign-ins a second apart: "oldest" is decided by the given times, not by how fast this runs.
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000);
    const first = await signIn(db, config, "alice", USER_KEY, false, request, at(0));
    await signIn(db, config, "alice", USER_KEY, false, request, at(1));
    const third = await signIn(db, config, "alice", USER_KEY, false, request, at(2));
    expect(await validateSessionCookie(db, config, first.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    expect((await validateSessionCookie(db, config, third.cookie, request)).status).toBe("active");
    expect(await events(db, "session.revoked")).toMatchObject([{ sessionId: first.session.id, actor: "system" }]);
  });

  it("counts only active sessions toward SESSION_MAX_PER_USER: an expired one not marked yet takes no place", async () => {
    const { db } = await tempDatabase();
    const config = testConfig({ SESSION_MAX_PER_USER: "2" });
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000);
    const oldest = await signIn(db, config, "alice", USER_KEY, false, request, at(0));
    const lapsed = await signIn(db, config, "alice", USER_KEY, false, request, at(1));
    // Expired an hour ago; no cleanup has marked it yet.
    await db.prisma.session.update({ where: { id: lapsed.session.id }, data: { expiresAt: at(-3600) } });
    await signIn(db, config, "alice", USER_KEY, false, request, at(2));
    // Two active sessions: nothing is over the limit.
    expect((await validateSessionCookie(db, config, oldest.cookie, request, at(3))).status).toBe("active");
    expect(await events(db, "session.revoked")).toEqual([]);
  });

  it("refuses a session a pending force logout ends before its row is marked, with that force logout's reason; the one it keeps and later sign-ins still work", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000);
    const ended = await signIn(db, config, "alice", USER_KEY, false, request, at(0));
    const kept = await signIn(db, config, "alice", USER_KEY, false, request, at(1));
    await db.prisma.forceLogoutCutoff.create({
      data: { id: 1, at: at(2), keepSessionId: kept.session.id, revokedBy: "root", revokeReason: "incident", endReason: "revoked_all" },
    });
    const later = await signIn(db, config, "alice", USER_KEY, false, request, at(3));
    expect(await validateSessionCookie(db, config, ended.cookie, request, at(4))).toEqual({ status: "ended", reason: "revoked" });
    for (const one of [kept, later]) expect((await validateSessionCookie(db, config, one.cookie, request, at(4))).status).toBe("active");
  });

  it("leaves the sessions a pending force logout covers to it: they take no place under SESSION_MAX_PER_USER", async () => {
    const { db } = await tempDatabase();
    const config = testConfig({ SESSION_MAX_PER_USER: "2" });
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000);
    const before = [await signIn(db, config, "alice", USER_KEY, false, request, at(0)), await signIn(db, config, "alice", USER_KEY, false, request, at(1))];
    // A force logout at 2 s whose rows are not marked yet (its process still at it, or stopped).
    await db.prisma.forceLogoutCutoff.create({
      data: { id: 1, at: at(2), keepSessionId: null, revokedBy: "root", revokeReason: "incident", endReason: "force_logout" },
    });
    const after = [await signIn(db, config, "alice", USER_KEY, false, request, at(3)), await signIn(db, config, "alice", USER_KEY, false, request, at(4))];
    for (const one of after) expect((await validateSessionCookie(db, config, one.cookie, request, at(5))).status).toBe("active");
    // Not revoked again as over the limit: the force logout's cause stays theirs.
    expect(await events(db, "session.revoked")).toEqual([]);
    const rows = await db.prisma.session.findMany({ where: { id: { in: before.map((one) => one.session.id) } } });
    expect(rows.map((row) => row.endReason)).toEqual([null, null]);
  });
});
