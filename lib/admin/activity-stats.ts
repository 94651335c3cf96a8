import type { Config } from "../config";
import type { Database } from "../db";
import type { AuthEventType } from "../audit";
import { activeSessionsBreakdown, type ActiveBreakdown } from "./active-counts";

/**
 * The Admin Panel overview's activity over time, read from AuthEventHour: per event type and UTC
 * hour, how many rows the events stand for (an event's count, or 1), kept by triggers on
 * "AuthEvent" (see the 20261202500000 migrations). A chart reads at most 24 hours or 30 days of it
 * per type — never the events themselves — so its cost does not grow with the audit trail.
 */

/** Which audit events each series counts. A revocation event with count N stands for N sessions. */
export const ACTIVITY_SERIES = {
  signIns: ["login.succeeded"],
  failedSignIns: ["login.failed"],
  revocations: ["session.revoked", "sessions.revoked_all", "sessions.bulk_revoked", "session.reported"],
} as const satisfies Record<string, readonly AuthEventType[]>;

export type ActivitySeries = keyof typeof ACTIVITY_SERIES;
export const SERIES_NAMES = Object.keys(ACTIVITY_SERIES) as ActivitySeries[];

/** One bar group: the bucket's UTC start and each series' total in it. */
export type ActivityBucket = { start: Date } & Record<ActivitySeries, number>;

export const HOURS = 24;
export const DAYS = 30;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

const seriesOf = new Map<string, ActivitySeries>(SERIES_NAMES.flatMap((series) => ACTIVITY_SERIES[series].map((type) => [type, series] as const)));
const allTypes = SERIES_NAMES.flatMap((series) => [...ACTIVITY_SERIES[series]]);

/** `count` buckets of `size` ms ending with the one holding `now` (bucket edges on UTC hours or days). */
function emptyBuckets(now: Date, size: number, count: number): ActivityBucket[] {
  const last = Math.floor(now.getTime() / size) * size;
  return Array.from({ length: count }, (_, index) => ({
    start: new Date(last - (count - 1 - index) * size),
    signIns: 0,
    failedSignIns: 0,
    revocations: 0,
  }));
}

function fill(buckets: ActivityBucket[], size: number, rows: { type: string; at: Date; events: number }[]) {
  const first = buckets[0]!.start.getTime();
  for (const row of rows) {
    const series = seriesOf.get(row.type);
    const index = Math.floor((row.at.getTime() - first) / size);
    const bucket = buckets[index];
    if (series && bucket) bucket[series] += row.events;
  }
  return buckets;
}

/** Per UTC hour, the last 24 hours (the current, partial hour last). At most 24 rows per type and shard. */
export async function hourlyActivity(db: Database, now: Date): Promise<ActivityBucket[]> {
  const buckets = emptyBuckets(now, HOUR_MS, HOURS);
  const groups = await db.prisma.authEventHour.groupBy({
    by: ["type", "hour"],
    where: { type: { in: allTypes }, hour: { gte: buckets[0]!.start } },
    _sum: { events: true },
  });
  return fill(buckets, HOUR_MS, groups.map((group) => ({ type: group.type, at: group.hour, events: group._sum.events ?? 0 })));
}

/** Per UTC day, the last 30 days (today, partial, last). Reads ≤ 720 hour rows per type and shard, returns 30. */
export async function dailyActivity(db: Database, now: Date): Promise<ActivityBucket[]> {
  const buckets = emptyBuckets(now, DAY_MS, DAYS);
  const groups = await db.prisma.authEventHour.groupBy({
    by: ["type", "day"],
    where: { type: { in: allTypes }, hour: { gte: buckets[0]!.start } },
    _sum: { events: true },
  });
  return fill(buckets, DAY_MS, groups.map((group) => ({ type: group.type, at: group.day, events: group._sum.events ?? 0 })));
}

export type AdminOverview = { hourly: ActivityBucket[]; daily: ActivityBucket[]; active: ActiveBreakdown };

/** Everything the Admin Panel's overview draws, read together. */
export async function adminOverview(db: Database, config: Config, now = new Date()): Promise<AdminOverview> {
  const [hourly, daily, active] = await Promise.all([hourlyActivity(db, now), dailyActivity(db, now), activeSessionsBreakdown(db, config, now)]);
  return { hourly, daily, active };
}
