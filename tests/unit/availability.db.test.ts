import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signInWithKey } from "@/lib/auth/static-login";
import {
  classifyDatabaseFailure,
  databaseAvailable,
  databaseDownSince,
  databaseFailureOf,
  isDatabaseUnavailable,
  markDatabaseError,
  reportDatabaseFailure,
  reportDatabaseReachable,
  setAvailabilityProbe,
} from "@/lib/db/availability";
import { openDatabase, type Database } from "@/lib/db";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { withPostgresClient } from "../support/postgres";
import { startTcpRelay } from "../support/tcp-relay";
import { TEST_BACKEND, USER_KEY, request, signIn, tempDatabase, tempDir, testConfig, withPostgresAdmin, thrownBy } from "./helpers";

afterEach(() => {
  reportDatabaseReachable();
  vi.useRealTimers();
});

describe("database availability", () => {
  it("tells an unreachable database from a bug", async () => {
    const { db } = await tempDatabase();
    // A constraint violation and bad SQL are bugs, not outages.
    await db.prisma.user.create({ data: { id: "u1", username: "alice", authSource: "static" } });
    expect(isDatabaseUnavailable(await thrownBy(() => db.prisma.user.create({ data: { id: "u2", username: "alice", authSource: "static" } })))).toBe(false);
    expect(isDatabaseUnavailable(await thrownBy(() => db.prisma.$executeRawUnsafe("SELEC 1")))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    // A transaction that ran past its time limit (or could not start in time): a 503, not a 500.
    const expired = await thrownBy(() =>
      db.prisma.$transaction(async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.user.count();
      }, { timeout: 100 }),
    );
    expect(databaseFailureOf(expired)).toBe("busy");
    expect(isDatabaseUnavailable(null)).toBe(false);

    if (TEST_BACKEND === "postgres") {
      const refused = await thrownBy(() =>
        openDatabase(testConfig({ DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: "postgres://postgres@127.0.0.1:1/none", DASHBOARD_DB_POOL_SIZE: "2" })),
      );
      expect(databaseFailureOf(refused)).toBe("down");
      // SQLSTATE 55000 also covers mistakes, e.g. currval before nextval: a bug, not an outage.
      await db.prisma.$executeRawUnsafe("CREATE SEQUENCE s");
      const misuse = await thrownBy(() => db.prisma.$queryRawUnsafe("SELECT currval('s')"));
      expect(JSON.stringify(misuse)).toContain("55000");
      expect(classifyDatabaseFailure(misuse)).toBeNull();
      expect(isDatabaseUnavailable(misuse)).toBe(false);
      // A slow statement is a 503 for its request, not an outage for everyone.
      const slow = await thrownBy(() => db.prisma.$queryRawUnsafe("SET statement_timeout = 50; SELECT pg_sleep(1)"));
      expect(databaseFailureOf(slow)).toBe("busy");
      expect(reportDatabaseFailure(slow)).toBe(true);
      expect(databaseDownSince()).toBeNull();
    } else {
      // Another process holds the write lock longer than busy_timeout allows.
      const dir = tempDir();
      const file = `${dir}/locked.db`;
      const holder = new BetterSqlite3(file);
      holder.exec("CREATE TABLE t (x); BEGIN EXCLUSIVE");
      const other = new BetterSqlite3(file, { timeout: 10 });
      const locked = await thrownBy(async () => other.exec("INSERT INTO t VALUES (1)"));
      expect(classifyDatabaseFailure(locked)).toBe("busy");
      // Straight from the driver, not through the database layer: it has no say.
      expect(reportDatabaseFailure(locked)).toBe(false);
      expect(reportDatabaseFailure(markDatabaseError(locked))).toBe(true);
      expect(databaseDownSince()).toBeNull();
      holder.exec("ROLLBACK");
      holder.close();
      other.close();
    }
  });

  it("marks an outage once and ends it at the first successful probe, probing at most once a second", async () => {
    let reachable = false;
    const probe = vi.fn(async () => {
      if (!reachable) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    });
    setAvailabilityProbe(probe);
    expect(await databaseAvailable()).toBe(true);
    expect(reportDatabaseFailure(markDatabaseError(new Error("syntax error")))).toBe(false);
    // A connection error the database layer did not raise (another service's) is none of its business.
    expect(reportDatabaseFailure(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(false);
    expect(databaseDownSince()).toBeNull();

    vi.useFakeTimers({ now: new Date("2026-11-23T10:00:00Z"), toFake: ["Date"] });
    expect(reportDatabaseFailure(markDatabaseError(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })))).toBe(true);
    expect(databaseDownSince()).toEqual(new Date("2026-11-23T10:00:00Z"));
    expect(await databaseAvailable()).toBe(false);
    expect(probe).not.toHaveBeenCalled(); // less than a second since the failure
    vi.setSystemTime(new Date("2026-11-23T10:00:01.5Z"));
    expect(await Promise.all([databaseAvailable(), databaseAvailable(), databaseAvailable()])).toEqual([false, false, false]);
    expect(probe).toHaveBeenCalledTimes(1); // concurrent callers share one probe
    expect(await databaseAvailable()).toBe(false);
    expect(probe).toHaveBeenCalledTimes(1);

    reachable = true;
    vi.setSystemTime(new Date("2026-11-23T10:00:03Z"));
    expect(await databaseAvailable()).toBe(true);
    expect(databaseDownSince()).toBeNull();
    expect(await databaseAvailable()).toBe(true);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it("answers at once while a probe hangs (a host that drops packets), and the probe still ends the outage", async () => {
    let answer: () => void = () => {};
    const probe = vi.fn(() => new Promise<void>((resolve) => (answer = resolve)));
    setAvailabilityProbe(probe);
    vi.useFakeTimers({ now: new Date("2026-11-23T11:00:00Z"), toFake: ["Date"] });
    reportDatabaseFailure(markDatabaseError(Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" })));
    vi.setSystemTime(new Date("2026-11-23T11:00:02Z"));
    const started = performance.now();
    expect(await Promise.all([databaseAvailable(), databaseAvailable()])).toEqual([false, false]);
    expect(await databaseAvailable()).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(probe).toHaveBeenCalledTimes(1); // still running: no second probe
    answer();
    await vi.waitFor(() => expect(databaseDownSince()).toBeNull());
    expect(await databaseAvailable()).toBe(true);
  });

  it.runIf(TEST_BACKEND === "postgres")("fails fast while PostgreSQL refuses connections and recovers on the same pool", async () => {
    const { db, env } = await tempDatabase();
    const config = testConfig(env);
    const alice = await signIn(db, config, "alice", USER_KEY);
    const database = new URL(env.DATABASE_URL).pathname.slice(1);
    // The pool's sessions carry the configured statement timeout, and UTC whatever the server's zone.
    expect(await db.prisma.$queryRawUnsafe("SELECT current_setting('statement_timeout') AS timeout, current_setting('TimeZone') AS zone")).toEqual([
      { timeout: "5s", zone: "UTC" },
    ]);

    await withPostgresAdmin(async (admin) => {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [database]);
    });
    for (const work of [
      () => validateSessionCookie(db, config, alice.cookie, request),
      () => signInWithKey(db, config, { username: "bob", key: USER_KEY, rememberMe: false }, request),
      () => db.prisma.session.findMany(),
      () => db.prisma.$queryRaw`SELECT 1`,
      () => db.prisma.$transaction(async (tx) => tx.user.count()),
      () => db.ping(),
    ]) {
      expect(databaseFailureOf(await thrownBy(work))).toBe("down");
    }

    await withPostgresAdmin((admin) => admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`));
    expect(await validateSessionCookie(db, config, alice.cookie, request)).toMatchObject({ status: "active" });
    expect((await signIn(db, config, "bob", USER_KEY)).ok).toBe(true);
    // Nothing written before the outage was lost.
    expect(await db.prisma.authEvent.count({ where: { type: "login.succeeded" } })).toBe(2);
  });

  it.runIf(TEST_BACKEND === "postgres")("gives up on a server that stops answering (a paused proxy) soon after the statement timeout", async () => {
    const { env } = await tempDatabase();
    const target = new URL(env.DATABASE_URL);
    const proxy = await startTcpRelay(target.hostname, Number(target.port || 5432));
    const url = new URL(target);
    url.port = String(proxy.port);
    const config = testConfig({ ...env, DATABASE_URL: url.toString(), DASHBOARD_DB_STATEMENT_TIMEOUT_MS: "300" });
    const db = await openDatabase(config);
    try {
      const alice = await signIn(db, config, "alice", USER_KEY);
      proxy.pause();
      // The connections stay open but nothing comes back: without a client-side read timeout these
      // would wait for TCP keepalive, for hours.
      for (const work of [
        () => validateSessionCookie(db, config, alice.cookie, request),
        () => db.prisma.session.findMany(),
        () => signInWithKey(db, config, { username: "bob", key: USER_KEY, rememberMe: false }, request),
      ]) {
        const started = performance.now();
        expect(databaseFailureOf(await thrownBy(work))).toBe("down");
        expect(performance.now() - started).toBeLessThan(6_000); // 300 ms + 2 s margin, or the 5 s connect timeout
      }
      proxy.resume();
      expect(await validateSessionCookie(db, config, alice.cookie, request)).toMatchObject({ status: "active" });
      expect((await signIn(db, config, "carol", USER_KEY)).ok).toBe(true);
    } finally {
      proxy.resume();
      await db.close();
      await proxy.close();
    }
  }, 40_000);

  it.runIf(TEST_BACKEND === "postgres")("never reuses a connection whose transaction got no answer: later writes are seen by everyone", async () => {
    const { env } = await tempDatabase();
    const target = new URL(env.DATABASE_URL);
    const database = target.pathname.slice(1);
    const proxy = await startTcpRelay(target.hostname, Number(target.port || 5432));
    const url = new URL(target);
    url.port = String(proxy.port);
    const config = testConfig({ ...env, DATABASE_URL: url.toString(), DASHBOARD_DB_STATEMENT_TIMEOUT_MS: "300" });
    const db = await openDatabase(config);
    const openTransactions = () =>
      withPostgresAdmin(async (admin) => {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'`,
          [database],
        );
        return rows[0].n;
      });
    try {
      await signIn(db, config, "alice", USER_KEY);
      const user = (username: string) => ({ data: { id: `user-${username}`, username, authSource: "static" } });
      // A transaction whose second statement is sent into a network that has gone quiet: the
      // statement times out on the client, and so does the ROLLBACK queued behind it.
      const failed = await thrownBy(() =>
        db.prisma.$transaction(async (tx) => {
          await tx.user.create(user("bob"));
          proxy.pause();
          await tx.user.create(user("carol"));
        }),
      );
      expect(databaseFailureOf(failed)).toBe("down");
      proxy.resume();
      await new Promise((resolve) => setTimeout(resolve, 500)); // what was held back arrives
      // The pool's connections all get used again: sign-ins (transactions) and single statements.
      for (const username of ["dave", "erin", "frank", "grace"]) {
        await signIn(db, config, username, USER_KEY);
        await db.prisma.user.updateMany({ where: { username }, data: { displayName: username.toUpperCase() } });
      }
      const seen = await withPostgresClient(env.DATABASE_URL, async (other) => {
        const { rows } = await other.query<{ username: string; displayName: string | null }>(`SELECT "username", "displayName" FROM "User" WHERE "username" <> 'alice' ORDER BY "username"`);
        return rows;
      });
      // Nothing of the failed transaction was committed, everything after it was, for everyone to see.
      expect(seen).toEqual(["dave", "erin", "frank", "grace"].map((username) => ({ username, displayName: username.toUpperCase() })));
      expect(await openTransactions()).toBe(0);
    } finally {
      proxy.resume();
      await db.close();
      await proxy.close();
    }
  }, 40_000);

  it("marks every way out of the database layer, and nothing that comes from elsewhere", async () => {
    const { db: shared, env } = await tempDatabase();
    const config = testConfig(env);
    const alice = await signIn(shared, config, "alice", USER_KEY);
    const { session } = alice;
    // Another connection holds the tables: every write waits, then fails as "busy" (SQLite:
    // busy_timeout; PostgreSQL: statement_timeout).
    let db: Database;
    let release: () => Promise<void>;
    if (TEST_BACKEND === "postgres") {
      db = await openDatabase(testConfig({ ...env, DASHBOARD_DB_STATEMENT_TIMEOUT_MS: "200" }));
      const { Client } = (await import("pg")).default;
      const holder = new Client({ connectionString: env.DATABASE_URL });
      await holder.connect();
      await holder.query(`BEGIN; LOCK TABLE "User", "Session", "AuthEvent", "LoginAttempt" IN ACCESS EXCLUSIVE MODE`);
      release = async () => {
        await holder.query("ROLLBACK");
        await holder.end();
        await db.close();
      };
    } else {
      db = shared;
      await db.prisma.$queryRawUnsafe("PRAGMA busy_timeout = 50");
      const holder = new BetterSqlite3(env.DASHBOARD_SESSION_SQLITE_PATH);
      holder.exec("BEGIN EXCLUSIVE");
      release = async () => {
        holder.exec("ROLLBACK");
        holder.close();
      };
    }
    try {
      const user = { id: "u-locked", username: "locked", authSource: "static" };
      for (const [what, work] of [
        ["a model operation", () => db.prisma.user.create({ data: user })],
        ["a raw statement", () => db.prisma.$executeRaw`UPDATE "Session" SET "revokeReason" = 'x' WHERE "id" = ${session.id}`],
        ["a batch transaction", () => db.prisma.$transaction([db.prisma.user.create({ data: user }), db.prisma.user.count()])],
        ["an interactive transaction", () => db.prisma.$transaction(async (tx) => tx.user.create({ data: user }))],
        ["a sign-in", () => signInWithKey(db, config, { username: "bob", key: USER_KEY, rememberMe: false }, request)],
        ["the hot-path touch", () => db.touchSession(session.id, { lastActiveAt: new Date(), expiresAt: new Date(Date.now() + 60_000), seen: { ipAddress: null, userAgent: null, country: null, city: null } })],
        ["the cleanup batch", () => db.endExpiredSessions(new Date(Date.now() + 1_000 * 86_400_000), 10, "system", new Date(0))],
        ["the history deletion batch", () => db.deleteEndedSessions(new Date(Date.now() + 1_000 * 86_400_000), 10, new Date(0))],
      ] as const) {
        const error = await thrownBy(work);
        expect(databaseFailureOf(error), `${what}: ${String(error)}`).toBe("busy");
      }
    } finally {
      await release();
    }

    // What the caller's own code throws inside a transaction or an exclusive job is not the
    // database's: a refused connection to some other service stays what it is.
    const elsewhere = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" });
    const fromCallback = elsewhere();
    expect(await thrownBy(() => shared.prisma.$transaction(async (tx) => {
      await tx.user.count();
      throw fromCallback;
    }))).toBe(fromCallback);
    const fromJob = elsewhere();
    expect(await thrownBy(() => shared.runExclusive("cleanup", async () => {
      throw fromJob;
    }))).toBe(fromJob);
    for (const error of [fromCallback, fromJob]) {
      expect(reportDatabaseFailure(error)).toBe(false);
    }
    expect(databaseDownSince()).toBeNull();
    // A database error raised inside the callback keeps the database layer's verdict.
    const duplicate = await thrownBy(() => shared.prisma.$transaction(async (tx) => tx.user.create({ data: { id: "u-dup", username: "alice", authSource: "static" } })));
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    expect(JSON.stringify(duplicate)).toContain("P2002");
    // And the database still works afterwards.
    expect(await validateSessionCookie(shared, config, alice.cookie, request)).toMatchObject({ status: "active" });
  }, 30_000);
});
