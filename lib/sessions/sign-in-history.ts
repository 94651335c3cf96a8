import { addressNetwork } from "../alerts/network";
import type { Database } from "../db";
import { describeUserAgent, type DeviceType } from "./user-agent";
import { locationLabel } from "./view-model";

/**
 * A person's own sign-ins over the last 30 days, for their Settings overview: when and where (place,
 * address network, device). Read from the audit trail over the [username, at] index — one person's
 * events, few rows — and the place from the session each sign-in started (while it still exists:
 * the event itself records no place).
 */

export const HISTORY_DAYS = 30;
/** More sign-ins than this in 30 days are summarised by day, the list shows the newest. */
export const HISTORY_LIMIT = 500;
const DAY_MS = 24 * 3600_000;

export type SignIn = {
  at: Date;
  method: string | null;
  place: string | null;
  network: string | null;
  browser: string | null;
  os: string | null;
  deviceType: DeviceType;
};

export type SignInHistory = {
  /** Newest first, at most HISTORY_LIMIT. */
  signIns: SignIn[];
  /** Per UTC day, the last 30 days (today last), counted from the listed sign-ins. */
  perDay: { start: Date; signIns: number }[];
  /** More sign-ins happened than are listed. */
  truncated: boolean;
};

export async function signInHistory(db: Database, username: string, now = new Date()): Promise<SignInHistory> {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const since = new Date(today - (HISTORY_DAYS - 1) * DAY_MS);
  const events = await db.prisma.authEvent.findMany({
    where: { username, at: { gte: since }, type: "login.succeeded" },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: HISTORY_LIMIT + 1,
    select: { at: true, authMethod: true, ip: true, userAgent: true, sessionId: true },
  });
  const listed = events.slice(0, HISTORY_LIMIT);
  const sessionIds = listed.flatMap((event) => (event.sessionId ? [event.sessionId] : []));
  const places = new Map(
    (sessionIds.length > 0
      ? await db.prisma.session.findMany({ where: { id: { in: sessionIds } }, select: { id: true, country: true, city: true } })
      : []
    ).map((session) => [session.id, locationLabel(session.country, session.city)]),
  );
  const perDay = Array.from({ length: HISTORY_DAYS }, (_, index) => ({ start: new Date(since.getTime() + index * DAY_MS), signIns: 0 }));
  for (const event of listed) {
    const day = perDay[Math.floor((event.at.getTime() - since.getTime()) / DAY_MS)];
    if (day) day.signIns++;
  }
  return {
    signIns: listed.map((event) => {
      const device = describeUserAgent(event.userAgent);
      return {
        at: event.at,
        method: event.authMethod,
        place: (event.sessionId && places.get(event.sessionId)) || null,
        network: addressNetwork(event.ip) || null,
        browser: device.browser,
        os: device.os,
        deviceType: device.deviceType,
      };
    }),
    perDay,
    truncated: events.length > HISTORY_LIMIT,
  };
}
