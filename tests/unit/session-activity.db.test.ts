import { describe, expect, it } from "vitest";
import type { SignedIn } from "@/lib/actor";
import { ACTIVITY_ENTRIES_KEPT } from "@/lib/db";
import { listSessionActivity } from "@/lib/sessions/activity";
import { getOwnSessionDetail } from "@/lib/sessions/own-sessions";
import { MOVED_WRITE_MIN_INTERVAL_MS } from "@/lib/sessions/expiry";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { USER_KEY, later, minutes, signIn, tempDatabase, testConfig } from "./helpers";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const HOME = { ip: "203.0.113.4", userAgent: FIREFOX, location: { country: "DE", city: "Berlin" } };
const CAFE = { ip: "198.51.100.23", userAgent: FIREFOX, location: { country: "FR", city: "Paris" } };
const T0 = new Date("2026-12-01T10:00:00.000Z");
const seconds = (n: number) => n * 1000;

async function lastActiveAt(db: Awaited<ReturnType<typeof tempDatabase>>["db"], id: string) {
  return (await db.prisma.session.findUniqueOrThrow({ where: { id } })).lastActiveAt.toISOString();
}

describe("session activity: where a session is used from", () => {
  it("starts with the sign-in, adds a new address at once, and updates a known one's last seen", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const alice = await signIn(db, config, "alice", USER_KEY, false, HOME, T0);
    expect(await listSessionActivity(db, alice.session.id)).toEqual([
      expect.objectContaining({ ipAddress: HOME.ip, country: "DE", city: "Berlin", userAgent: FIREFOX, browser: "Firefox 128", os: "Linux", firstSeenAt: T0.toISOString(), lastSeenAt: T0.toISOString() }),
    ]);

    // Same place within the minute: no write at all (the throttle holds).
    await validateSessionCookie(db, config, alice.cookie, HOME, later(T0, seconds(20)));
    expect(await lastActiveAt(db, alice.session.id)).toBe(T0.toISOString());

    // Another address 10 seconds later: written at once, with its place.
    const atCafe = later(T0, seconds(30));
    await validateSessionCookie(db, config, alice.cookie, CAFE, atCafe);
    expect(await lastActiveAt(db, alice.session.id)).toBe(atCafe.toISOString());
    const row = await db.prisma.session.findUniqueOrThrow({ where: { id: alice.session.id } });
    expect(row).toMatchObject({ lastIpAddress: CAFE.ip, lastCountry: "FR", lastCity: "Paris", lastUserAgent: FIREFOX, ipAddress: HOME.ip });
    expect((await listSessionActivity(db, alice.session.id)).map((e) => [e.ipAddress, e.firstSeenAt, e.lastSeenAt])).toEqual([
      [CAFE.ip, atCafe.toISOString(), atCafe.toISOString()],
      [HOME.ip, T0.toISOString(), T0.toISOString()],
    ]);

    // Back home (a switch again, so at once): the home entry's last seen moves, its first seen stays.
    const back = later(T0, minutes(5));
    await validateSessionCookie(db, config, alice.cookie, HOME, back);
    // Another browser on the same address is a place of its own.
    const phone = { ...HOME, userAgent: SAFARI };
    const onPhone = later(back, MOVED_WRITE_MIN_INTERVAL_MS);
    await validateSessionCookie(db, config, alice.cookie, phone, onPhone);
    const entries = await listSessionActivity(db, alice.session.id);
    expect(entries.map((e) => [e.ipAddress, e.browser, e.firstSeenAt, e.lastSeenAt])).toEqual([
      [HOME.ip, "Mobile Safari 17", onPhone.toISOString(), onPhone.toISOString()],
      [HOME.ip, "Firefox 128", T0.toISOString(), back.toISOString()],
      [CAFE.ip, "Firefox 128", atCafe.toISOString(), atCafe.toISOString()],
    ]);
  });

  it("writes a move at most once per few seconds, so a client alternating addresses does not write on every request", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const alice = await signIn(db, config, "alice", USER_KEY, false, HOME, T0);
    let writes = 0;
    const touch = db.touchSession.bind(db);
    db.touchSession = (id, change) => {
      writes++;
      return touch(id, change);
    };
    // IPv4 and IPv6 by turns (or two browsers sharing a cookie): each request "moves".
    const places = [CAFE, HOME];
    const step = MOVED_WRITE_MIN_INTERVAL_MS / 10;
    for (let i = 1; i <= 30; i++) await validateSessionCookie(db, config, alice.cookie, places[i % 2], later(T0, i * step));
    // Thirty requests over three intervals: one write per interval, not thirty.
    expect(writes).toBeLessThanOrEqual(3);
    expect(writes).toBeGreaterThanOrEqual(2);
    // Both places are still recorded.
    expect((await listSessionActivity(db, alice.session.id)).map((e) => e.ipAddress).sort()).toEqual([CAFE.ip, HOME.ip].sort());
  });

  it(`keeps the ${ACTIVITY_ENTRIES_KEPT} most recently seen entries, and goes with its session`, async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const alice = await signIn(db, config, "alice", USER_KEY, false, HOME, T0);
    const total = ACTIVITY_ENTRIES_KEPT + 5;
    for (let i = 1; i < total; i++) {
      await validateSessionCookie(db, config, alice.cookie, { ip: `192.0.2.${i}`, userAgent: FIREFOX }, later(T0, minutes(i)));
    }
    const entries = await listSessionActivity(db, alice.session.id);
    expect(entries).toHaveLength(ACTIVITY_ENTRIES_KEPT);
    // The newest first; the sign-in's entry and the first few addresses went.
    expect(entries[0].ipAddress).toBe(`192.0.2.${total - 1}`);
    expect(entries.at(-1)?.ipAddress).toBe(`192.0.2.${total - ACTIVITY_ENTRIES_KEPT}`);
    // A known address seen again keeps the count where it is.
    await validateSessionCookie(db, config, alice.cookie, { ip: `192.0.2.${total - 3}`, userAgent: FIREFOX }, later(T0, minutes(total)));
    expect(await listSessionActivity(db, alice.session.id)).toHaveLength(ACTIVITY_ENTRIES_KEPT);

    await db.prisma.session.delete({ where: { id: alice.session.id } });
    expect(await db.prisma.sessionActivity.count()).toBe(0);
  });

  it("is part of the owner's session detail, and of nobody else's", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const alice = await signIn(db, config, "alice", USER_KEY, false, HOME);
    const other = await signIn(db, config, "alice", USER_KEY, false, CAFE);
    const bob = await signIn(db, config, "bob", USER_KEY, false, CAFE);
    const owner: SignedIn = { user: alice.user, session: alice.session };
    const detail = await getOwnSessionDetail(db, config, owner, other.session.id);
    expect(detail).toMatchObject({ id: other.session.id, current: false, activity: [{ ipAddress: CAFE.ip, city: "Paris", browser: "Firefox 128" }] });
    expect(await getOwnSessionDetail(db, config, owner, bob.session.id)).toBeNull();
  });
});
