import { describe, expect, it } from "vitest";
import { ACTIVITY_WRITE_INTERVAL_MS, expiryReason, initialExpiry, slideExpiry } from "@/lib/sessions/expiry";
import { days, later, minutes } from "./helpers";

const config = { timeoutDays: 7, rememberDays: 30, maxDays: 90 };
const start = new Date("2026-01-01T00:00:00.000Z");

describe("expiry math", () => {
  it("gives 7 idle days without Remember Me and 30 with it, capped at 90 days", () => {
    expect(initialExpiry(config, false, start)).toEqual({ expiresAt: later(start, days(7)), absoluteExpiresAt: later(start, days(90)) });
    expect(initialExpiry(config, true, start).expiresAt).toEqual(later(start, days(30)));
    const short = { timeoutDays: 7, rememberDays: 30, maxDays: 10 };
    expect(initialExpiry(short, true, start).expiresAt).toEqual(later(start, days(10)));
  });

  it("writes activity at most once a minute", () => {
    const session = { rememberMe: false, lastActiveAt: start, ...initialExpiry(config, false, start) };
    expect(slideExpiry(config, session, later(start, ACTIVITY_WRITE_INTERVAL_MS - 1))).toBeNull();
    const slid = slideExpiry(config, session, later(start, minutes(1)));
    expect(slid).toEqual({ lastActiveAt: later(start, minutes(1)), expiresAt: later(start, minutes(1) + days(7)) });
  });

  it("slides the idle window with activity but never past the absolute cap", () => {
    const session = { rememberMe: true, lastActiveAt: later(start, days(80)), ...initialExpiry(config, true, start) };
    session.expiresAt = later(start, days(100));
    const slid = slideExpiry(config, session, later(start, days(85)));
    expect(slid?.expiresAt).toEqual(later(start, days(90)));
  });

  it("tells idle expiry from the absolute cap", () => {
    const session = { rememberMe: false, lastActiveAt: start, ...initialExpiry(config, false, start) };
    expect(expiryReason(session, later(start, days(7) - 1))).toBeNull();
    expect(expiryReason(session, later(start, days(7)))).toBe("expired");
    expect(expiryReason({ ...session, expiresAt: later(start, days(200)) }, later(start, days(90)))).toBe("max-age");
  });
});
