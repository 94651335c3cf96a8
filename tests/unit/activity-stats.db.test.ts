import { describe, expect, it } from "vitest";
import { adminOverview, dailyActivity, hourlyActivity } from "@/lib/admin/activity-stats";
import { activeTotals } from "@/lib/admin/active-counts";
import { revokeSessionAsAdmin } from "@/lib/admin/sessions";
import { recordAnonymousFailure, recordAuthEvent, type AuthEventInput } from "@/lib/audit";
import type { Database } from "@/lib/db";
import { signInHistory } from "@/lib/sessions/sign-in-history";
import { generateId } from "@/lib/sessions/token";
import { ADMIN_KEY, USER_KEY, days, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

const NOW = new Date("2026-11-20T15:20:00.000Z");
const PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const TABLET = "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

const event = (db: Database, type: AuthEventInput["type"], at: Date, count: number | null = null) => recordAuthEvent(db, { type, at, count });

/** The rollup as the straightforward query over every event gives it: per type and UTC hour. */
async function straightforward(db: Database): Promise<Record<string, number>> {
  const rows = await db.prisma.authEvent.findMany({ select: { type: true, at: true, count: true } });
  const sums: Record<string, number> = {};
  for (const row of rows) {
    const key = `${row.type} ${row.at.toISOString().slice(0, 13)}`;
    sums[key] = (sums[key] ?? 0) + (row.count ?? 1);
  }
  return Object.fromEntries(Object.entries(sums).filter(([, sum]) => sum !== 0));
}

async function rollup(db: Database): Promise<Record<string, number>> {
  const rows = await db.prisma.authEventHour.groupBy({ by: ["type", "hour"], _sum: { events: true } });
  const sums: Record<string, number> = {};
  for (const row of rows) {
    const sum = row._sum.events ?? 0;
    if (sum !== 0) sums[`${row.type} ${row.hour.toISOString().slice(0, 13)}`] = sum;
  }
  return sums;
}

describe("activity over time", () => {
  it("puts events in UTC hour and day buckets, edges included, the oldest bucket first", async () => {
    const { db } = await tempDatabase();
    await event(db, "login.succeeded", new Date("2026-11-20T14:59:59.999Z"));
    await event(db, "login.succeeded", new Date("2026-11-20T15:00:00.000Z"));
    await event(db, "login.succeeded", new Date("2026-11-20T15:19:59.000Z"));
    // The first hour shown starts 23 hours before the current one; the one before is left out.
    await event(db, "login.succeeded", new Date("2026-11-19T16:00:00.000Z"));
    await event(db, "login.succeeded", new Date("2026-11-19T15:59:59.999Z"));
    // Day edges: the first day shown is 29 days before today (UTC).
    await event(db, "login.failed", new Date("2026-10-22T00:00:00.000Z"));
    await event(db, "login.failed", new Date("2026-10-21T23:59:59.999Z"));

    const hourly = await hourlyActivity(db, NOW);
    expect(hourly).toHaveLength(24);
    expect(hourly[0]!.start.toISOString()).toBe("2026-11-19T16:00:00.000Z");
    expect(hourly[23]!.start.toISOString()).toBe("2026-11-20T15:00:00.000Z");
    expect(hourly.map((bucket) => bucket.signIns)).toEqual([1, ...Array(21).fill(0), 1, 2]);

    const daily = await dailyActivity(db, NOW);
    expect(daily).toHaveLength(30);
    expect(daily[0]!.start.toISOString()).toBe("2026-10-22T00:00:00.000Z");
    expect(daily[29]!.start.toISOString()).toBe("2026-11-20T00:00:00.000Z");
    expect(daily[0]!.failedSignIns).toBe(1);
    expect(daily[28]!.signIns).toBe(2);
    expect(daily[29]!.signIns).toBe(3);
  });

  it("counts a bulk revocation of N sessions as N, and every repeat of a failed sign-in", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const at = new Date(NOW.getTime() - minutes(5));
    await event(db, "session.revoked", at);
    await event(db, "session.revoked", at, 1);
    await event(db, "sessions.bulk_revoked", at, 7);
    await event(db, "sessions.revoked_all", at, 40);
    await event(db, "session.reported", at);
    await event(db, "sessions.cleaned", at, 100); // expiry, not a revocation
    await event(db, "logout", at);
    for (let i = 0; i < 3; i++) await recordAnonymousFailure(db, config, { username: "mallory", ip: "198.51.100.7", userAgent: null, at: later(at, i * 1000) });
    const hourly = await hourlyActivity(db, NOW);
    expect(hourly[23]).toMatchObject({ signIns: 0, failedSignIns: 3, revocations: 50 });
    // One event row stands for the three failures; the rollup follows its count.
    expect(await db.prisma.authEvent.count({ where: { type: "login.failed" } })).toBe(1);
    expect((await dailyActivity(db, NOW))[29]).toMatchObject({ failedSignIns: 3, revocations: 50 });
  });

  it("keeps the rollup equal to the events under inserts, updates and any deletion of old events", async () => {
    const { db } = await tempDatabase();
    const types = ["login.succeeded", "login.failed", "session.revoked", "sessions.bulk_revoked"] as const;
    const rows = Array.from({ length: 600 }, (_, i) => ({
      id: generateId(),
      type: types[i % types.length]!,
      at: new Date(NOW.getTime() - ((i * 7919) % days(40))),
      count: i % 5 === 0 ? (i % 13) + 1 : null,
    }));
    // In one statement (PostgreSQL: one trigger run for all of them) and one by one.
    await db.prisma.authEvent.createMany({ data: rows.slice(0, 400) });
    for (const row of rows.slice(400)) await db.prisma.authEvent.create({ data: row });
    expect(await rollup(db)).toEqual(await straightforward(db));

    await db.prisma.authEvent.updateMany({ where: { type: "sessions.bulk_revoked" }, data: { count: 2 } });
    await db.prisma.authEvent.update({ where: { id: rows[1]!.id }, data: { at: new Date("2026-01-01T00:30:00.000Z"), type: "logout" } });
    expect(await rollup(db)).toEqual(await straightforward(db));

    // A retention job deleting events older than a cut-off, and single deletions.
    await db.prisma.authEvent.deleteMany({ where: { at: { lt: new Date(NOW.getTime() - days(14)) } } });
    await db.prisma.authEvent.delete({ where: { id: rows[450]!.id } }).catch(() => undefined);
    expect(await rollup(db)).toEqual(await straightforward(db));
    expect(await db.prisma.authEventHour.count({ where: { hour: { lt: new Date(NOW.getTime() - days(15)) } } })).toBe(0);

    await db.prisma.authEvent.deleteMany({});
    expect(await db.prisma.authEventHour.count()).toBe(0);
  });
});

describe("active sessions by method and device type", () => {
  it("counts each device type and method exactly, as activeTotals does, after revocations and expiries", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const now = new Date();
    await signIn(db, config, "alice", USER_KEY, false, request, now);
    await signIn(db, config, "alice", USER_KEY, false, { ip: "198.51.100.20", userAgent: PHONE }, now);
    const phone2 = await signIn(db, config, "bob", USER_KEY, false, { ip: "198.51.100.21", userAgent: PHONE }, now);
    await signIn(db, config, "bob", USER_KEY, false, { ip: "198.51.100.22", userAgent: TABLET }, now);
    await signIn(db, config, "carol", USER_KEY, false, { ip: null, userAgent: null }, now);
    const root = await signIn(db, config, "root", ADMIN_KEY, false, request, now);
    // A session expired but not yet deleted by cleanup is no longer active.
    const expired = await signIn(db, config, "dave", USER_KEY, false, { ip: null, userAgent: PHONE }, new Date(now.getTime() - days(40)));
    expect(expired.session).toBeDefined();

    let breakdown = (await adminOverview(db, config, now)).active;
    expect(breakdown.byDevice).toEqual({ desktop: 2, mobile: 2, tablet: 1, unknown: 1 });
    expect(breakdown.byMethod).toEqual({ static: 6 });

    const actor = { username: "root", sessionId: root.session.id };
    await revokeSessionAsAdmin(db, actor, phone2.session.id, undefined, request, now);
    breakdown = (await adminOverview(db, config, now)).active;
    expect(breakdown.byDevice.mobile).toBe(1);
    const totals = await activeTotals(db, config, now);
    expect(Object.values(breakdown.byMethod).reduce((a, b) => a + b, 0)).toBe(totals.activeSessions);
    expect(Object.values(breakdown.byDevice).reduce((a, b) => a + b, 0)).toBe(totals.activeSessions);

    await db.prisma.session.deleteMany({ where: { userId: phone2.session.userId } });
    breakdown = (await adminOverview(db, config, now)).active;
    expect(breakdown.byDevice).toEqual({ desktop: 2, mobile: 1, unknown: 1 });
  });
});

describe("a person's own sign-ins", () => {
  it("lists when and where they signed in over 30 days, newest first, counted per day", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const now = new Date();
    await signIn(db, config, "erin", USER_KEY, false, { ip: "203.0.113.77", userAgent: PHONE, location: { country: "DE", city: "Berlin" } }, later(now, -days(3)));
    await signIn(db, config, "erin", USER_KEY, false, request, later(now, -minutes(1)));
    await signIn(db, config, "erin", USER_KEY, false, request, later(now, -days(31)));
    await signIn(db, config, "frank", USER_KEY, false, request, now);
    const history = await signInHistory(db, "erin", now);
    expect(history.signIns).toHaveLength(2);
    expect(history.signIns[0]).toMatchObject({ network: "203.0.113.0/24", browser: "Firefox 128", deviceType: "desktop" });
    expect(history.signIns[1]).toMatchObject({ place: "Berlin, Germany", network: "203.0.113.0/24", deviceType: "mobile" });
    expect(history.perDay).toHaveLength(30);
    expect(history.perDay[29]!.signIns).toBe(1);
    expect(history.perDay.reduce((sum, day) => sum + day.signIns, 0)).toBe(2);
    expect(history.truncated).toBe(false);
  });
});
