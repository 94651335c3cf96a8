import { describe, expect, it } from "vitest";
import { encodeCursor, cursorSchema } from "@/lib/pagination/cursor";
import { describeUserAgent, presentSession, type SessionJson } from "@/lib/sessions/present";
import { locationLabel, toSessionView } from "@/lib/sessions/view-model";
import { exactUtc, relativeTime } from "@/lib/time-view";

const UA = {
  chromeWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  ipad: "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
  firefoxLinux: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  curl: "curl/8.5.0",
};

const now = new Date("2026-11-23T12:00:00.000Z");
const at = (offsetSeconds: number) => new Date(now.getTime() + offsetSeconds * 1000);

function session(overrides: Partial<Parameters<typeof presentSession>[0]> = {}): SessionJson {
  return presentSession(
    {
      id: "pub-id-1",
      tokenHint: "3f9a1c2e",
      authMethod: "static",
      ipAddress: "2001:db8::1",
      country: null,
      city: null,
      userAgent: UA.chromeWindows,
      rememberMe: false,
      createdAt: at(-3 * 86400),
      lastActiveAt: at(-300),
      expiresAt: at(7 * 86400 - 300),
      ...overrides,
    },
    "current-id",
  );
}

describe("session view model", () => {
  it("masks the token to its last 8 characters", () => {
    expect(toSessionView(session(), now).maskedToken).toBe("••••••••3f9a1c2e");
    // Read aloud, the mask would be eight "bullet"s: names say it in words.
    expect(toSessionView(session(), now).tokenEnding).toBe("ending in 3f9a1c2e");
  });

  it.each([
    [UA.chromeWindows, "Chrome 131", "Windows 10", "desktop", "Desktop"],
    [UA.iphone, "Mobile Safari 17", "iOS 17.5", "mobile", "Mobile"],
    [UA.ipad, "Mobile Safari 16", "iOS 16.6", "tablet", "Tablet"],
    [UA.firefoxLinux, "Firefox 128", "Linux", "desktop", "Desktop"],
  ])("labels %s as %s on %s (%s)", (userAgent, browser, os, deviceType, device) => {
    const view = toSessionView(session({ userAgent }), now);
    expect(view).toMatchObject({ browser, os, deviceType, device, title: `${browser} on ${os}`, userAgent });
  });

  it("says 'unknown' rather than guessing when the user agent tells nothing", () => {
    expect(toSessionView(session({ userAgent: null }), now)).toMatchObject({
      browser: "Unknown browser",
      os: "Unknown OS",
      device: "Unknown device",
      title: "Unknown browser",
      userAgent: null,
    });
    expect(describeUserAgent(UA.curl)).toMatchObject({ browser: null, os: null, deviceType: "other" });
  });

  it("labels sign-in method, Remember Me, IP and the current session", () => {
    const view = toSessionView(session({ authMethod: "oidc", rememberMe: true }), now);
    expect(view).toMatchObject({ method: "SSO", rememberMe: "Yes", ip: "2001:db8::1", current: false });
    expect(toSessionView(session({ id: "current-id", ipAddress: null }), now)).toMatchObject({ method: "Key", ip: "Unknown", current: true });
    expect(toSessionView(session(), now).rememberMe).toMatch(/^No/);
  });

  it("shows the location a trusted proxy reported", () => {
    expect(locationLabel("DE", "München")).toBe("München, Germany");
    expect(locationLabel("US", null)).toBe("United States");
    expect(locationLabel("T1", null)).toBe("Tor network");
    expect(locationLabel(null, null)).toBeNull();
    expect(toSessionView(session({ country: "JP", city: "Tokyo" }), now).location).toBe("Tokyo, Japan");
    expect(toSessionView(session({ country: "JP", city: "Tokyo" }), now).where).toBe("Tokyo, Japan · 2001:db8::1");
    expect(toSessionView(session(), now).where).toBe("2001:db8::1");
  });

  it("gives times relative to now, with the exact UTC time alongside", () => {
    const view = toSessionView(session(), now);
    expect(view.lastActive).toEqual({ iso: "2026-11-23T11:55:00.000Z", exact: "23 Nov 2026, 11:55 UTC", relative: "5 minutes ago" });
    expect(view.created.relative).toBe("3 days ago");
    expect(view.expires.relative).toBe("in 7 days");
  });
});

describe("relative times", () => {
  it.each([
    [-5, "just now"],
    [-44, "just now"],
    [30, "in less than a minute"],
    [-50, "1 minute ago"],
    [-150, "3 minutes ago"],
    [-44 * 60, "44 minutes ago"],
    [-50 * 60, "1 hour ago"],
    [-2 * 3600, "2 hours ago"],
    [-86400, "yesterday"],
    [86400 + 3600, "tomorrow"],
    [7 * 86400 - 1, "in 7 days"],
    [30 * 86400 - 60, "in 30 days"],
    [-60 * 86400, "2 months ago"],
    [-400 * 86400, "last year"],
  ])("%i s → %s", (offset, text) => {
    expect(relativeTime(at(offset), now)).toBe(text);
  });
});

describe("exact times", () => {
  const intl = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

  it("write what Intl writes for en-GB in UTC, every month, hour and minute, single and double digits", () => {
    for (let i = 0; i < 24 * 60; i += 7) {
      const date = new Date(Date.UTC(1999 + (i % 40), i % 12, 1 + (i % 31), Math.floor(i / 60), i % 60, i % 59));
      expect(exactUtc(date)).toBe(`${intl.format(date)} UTC`);
    }
  });

  it("read the instant in UTC, whatever the server's zone", () => {
    expect(exactUtc(new Date("2026-09-05T23:59:59.999-02:00"))).toBe("6 Sept 2026, 01:59 UTC");
  });
});

describe("list cursors", () => {
  it("round-trip and reject tampering with a clear message", () => {
    const cursor = { at: now, id: "abc_DEF-123" };
    expect(cursorSchema.parse(encodeCursor(cursor))).toEqual(cursor);
    // A list read in parts names the part of its last row; the first part is left unsaid.
    expect(cursorSchema.parse(encodeCursor({ ...cursor, part: 1 }))).toEqual({ ...cursor, part: 1 });
    expect(encodeCursor({ ...cursor, part: 0 })).toBe(encodeCursor(cursor));
    const withPart = (part: string) => Buffer.from(`${now.toISOString()}|x|${part}`).toString("base64url");
    for (const bad of ["garbage", Buffer.from("not-a-date|id").toString("base64url"), withPart("y"), withPart("0"), withPart("2"), withPart("1|2")]) {
      const result = cursorSchema.safeParse(bad);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0].message).toMatch(/cursor is not valid/);
    }
  });
});
