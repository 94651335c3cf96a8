import { describe, expect, it } from "vitest";
import { revokeSessionAsAdmin } from "@/lib/admin/sessions";
import { signInWithKey } from "@/lib/auth/static-login";
import { openDatabase } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { revokeOwnSession } from "@/lib/sessions/own-sessions";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { ADMIN_KEY, TEST_BACKEND, USER_KEY, request, signIn, tempDatabase, testConfig } from "./helpers";

const USERS = Array.from({ length: 20 }, (_, i) => `user${String(i).padStart(2, "0")}`);

/**
 * On PostgreSQL, two pools on one database stand for two replicas; requests alternate between them,
 * all in flight at once. SQLite's replicas are separate processes (one connection each): two
 * connections in one process would block each other's event loop on the file lock.
 */
/** `count` calls of `run`, at most `limit` at a time; the results in call order. */
async function inFlight<T>(limit: number, count: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await run(i);
      }
    }),
  );
  return results;
}

async function twoReplicas() {
  const { db, env } = await tempDatabase();
  if (TEST_BACKEND !== "postgres") return { replicas: [db, db], config: testConfig(env), close: async () => undefined };
  // Pools that fit the burst (the suite's are 5 connections): these tests are about what concurrent
  // requests do to each other's rows, not about how long a request waits for a connection, which
  // on a busy machine can pass pg's 5 s and fail a sign-in as "busy".
  const config = testConfig({ ...env, DASHBOARD_DB_POOL_SIZE: "20" });
  const replicas = [await openDatabase(config), await openDatabase(config)];
  return { replicas, config, close: async () => void (await Promise.all(replicas.map((replica) => replica.close()))) };
}

describe("under concurrency", () => {
  it("200 concurrent sign-ins each get their own session and audit event", async () => {
    const { replicas, config: base, close } = await twoReplicas();
    // An attempt in flight counts against the limits until its key has been checked, and all 200
    // come from one address: raise the limits above the burst.
    const config = { ...base, loginLimits: { ...base.loginLimits, perIp: 1000, perUser: 1000 } };
    try {
      // As many in flight as the replicas have connections (more would only wait in the pools'
      // queues, and on a busy machine past pg's 5 s for a connection): every connection busy with
      // a sign-in, ten per user, all the way through.
      const results = await inFlight(TEST_BACKEND === "postgres" ? 40 : 200, 200, (i) =>
        signInWithKey(replicas[i % 2], config, { username: USERS[i % USERS.length], key: USER_KEY, rememberMe: i % 3 === 0 }, request),
      );
      expect(results.filter((r) => !r.ok)).toEqual([]);
      const ids = results.map((r) => (r.ok ? r.session.id : ""));
      expect(new Set(ids).size).toBe(200);

      const db = replicas[0];
      expect(await db.prisma.user.count()).toBe(USERS.length);
      expect(await db.prisma.session.count()).toBe(200);
      expect(await db.prisma.session.count({ where: { rememberMe: true } })).toBe(67);
      const events = await db.prisma.authEvent.findMany({ where: { type: "login.succeeded" }, select: { sessionId: true } });
      expect(events.map((e) => e.sessionId).sort()).toEqual([...ids].sort());
    } finally {
      await close();
    }
  }, 60_000);

  it("200 concurrent revocations, some racing for the same session, revoke each session exactly once", async () => {
    const { replicas, config, close } = await twoReplicas();
    try {
      const db = replicas[0];
      const admin = await signIn(db, config, "root", ADMIN_KEY);
      const actor = { username: "root", sessionId: admin.session.id };
      const owners = await Promise.all(USERS.map((username) => signIn(db, config, username, USER_KEY)));
      const targets: { id: string; username: string; owner: (typeof owners)[number] }[] = [];
      for (let i = 0; i < 150; i++) {
        const username = USERS[i % USERS.length];
        targets.push({ id: (await signIn(db, config, username, USER_KEY)).session.id, username, owner: owners[i % owners.length] });
      }
      // 150 distinct sessions; 50 of them are also revoked a second time, by the other replica and the
      // other kind of actor: 200 revocations in flight, of which exactly 150 can succeed.
      const attempts = [...targets, ...targets.slice(0, 50)].map((target, i) => {
        const replica = replicas[i % 2];
        const byOwner = i < 150 ? i % 2 === 0 : i % 2 === 1;
        return byOwner
          ? revokeOwnSession(replica, { user: { id: target.owner.session.userId, username: target.username }, session: target.owner.session }, target.id, request).then(() => 1)
          : revokeSessionAsAdmin(replica, actor, target.id, "concurrency test", request);
      });
      const settled = await Promise.allSettled(attempts);
      const failures = settled.flatMap((s) => (s.status === "rejected" ? [s.reason] : []));
      // The only acceptable failure is "already revoked" (404), and only for the duplicates.
      expect(failures.every((e) => e instanceof DomainError && e.code === "session_not_found"), String(failures.find((e) => !(e instanceof DomainError)))).toBe(true);
      expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(150);

      const revoked = await db.prisma.session.findMany({ where: { revokedAt: { not: null } }, select: { id: true } });
      expect(revoked.map((r) => r.id).sort()).toEqual(targets.map((t) => t.id).sort());
      const events = await db.prisma.authEvent.findMany({ where: { type: "session.revoked" }, select: { sessionId: true } });
      expect(events.map((e) => e.sessionId).sort()).toEqual(targets.map((t) => t.id).sort());
      // Everything else still works: the owners' and the admin's own sessions are untouched.
      for (const session of [admin, ...owners]) {
        expect((await validateSessionCookie(replicas[1], config, session.cookie, request)).status).toBe("active");
      }
    } finally {
      await close();
    }
  }, 60_000);
});

describe("the sign-in limit under concurrency", () => {
  it("100 concurrent wrong keys for one username get at most the limit checked", async () => {
    const { replicas, config: base, close } = await twoReplicas();
    const config = { ...base, loginLimits: { ...base.loginLimits, perUser: 10 } };
    try {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          signInWithKey(replicas[i % 2], config, { username: "target", key: `guess-${i}-wrong`, rememberMe: false }, { ...request, ip: `198.51.100.${i}` }),
        ),
      );
      const checked = results.filter((r) => !r.ok && r.code === "invalid_credentials");
      expect(checked).toHaveLength(10);
      expect(results.filter((r) => !r.ok && r.code === "rate_limited")).toHaveLength(90);
      // The right key is refused too once the limit is reached.
      expect(await signInWithKey(replicas[0], config, { username: "target", key: USER_KEY, rememberMe: false }, request)).toMatchObject({
        ok: false,
        code: "rate_limited",
      });
    } finally {
      await close();
    }
  }, 60_000);
});

describe("the periodic cleanup", () => {
  it("runs on one replica at a time", async () => {
    const { replicas, close } = await twoReplicas();
    try {
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let started = () => {};
      const holding = new Promise<void>((resolve) => (started = resolve));
      // The work runs only once the first replica holds the lock: wait for that, not for a while.
      const first = replicas[0].runExclusive("cleanup", () => {
        started();
        return held.then(() => "first");
      });
      await holding;
      // SQLite serves one host, where a second run is harmless; PostgreSQL replicas skip it.
      const second = await replicas[1].runExclusive("cleanup", async () => "second");
      expect(second).toEqual(TEST_BACKEND === "postgres" ? { ran: false } : { ran: true, result: "second" });
      release();
      expect(await first).toEqual({ ran: true, result: "first" });
      // Once the first has finished, the lock is free again.
      expect(await replicas[1].runExclusive("cleanup", async () => "again")).toEqual({ ran: true, result: "again" });
    } finally {
      await close();
    }
  });
});
