import { describe, expect, it } from "vitest";
import { encodeCursor, cursorSchema } from "@/lib/pagination/cursor";
import { adminActionBodySchema, adminSessionCountQuerySchema, eventsQuerySchema, webhookDeliveryParamsSchema } from "@/lib/validation/admin";
import { usernameOf } from "@/lib/validation/username";
import { parseInstant } from "@/lib/validation/instant";
import { NO_CONTROL_CHARACTERS, plainText } from "@/lib/validation/text";
import { authEventRow, AUDIT_DETAIL_MAX_LENGTH } from "@/lib/audit";
import { queryObject } from "@/lib/validation/sessions";
import { errorMessage, pageMessage } from "@/lib/errors";
import { errorResponse } from "@/lib/http/errors";

const rawCursor = (text: string) => Buffer.from(text).toString("base64url");
const firstMessage = (result: { success: boolean; error?: { issues: { message: string }[] } }) => result.error?.issues[0]?.message;

describe("moments given as input", () => {
  it("reads ISO 8601 dates and times, UTC unless an offset says otherwise", () => {
    expect(parseInstant("2026-11-23")?.toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(parseInstant("2026-11-23T10:00")?.toISOString()).toBe("2026-11-23T10:00:00.000Z");
    expect(parseInstant("2026-11-23T10:00:05.123456Z")?.toISOString()).toBe("2026-11-23T10:00:05.123Z");
    expect(parseInstant("2026-11-23T10:00+02:00")?.toISOString()).toBe("2026-11-23T08:00:00.000Z");
    expect(parseInstant("2024-02-29")?.toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(parseInstant("0001-01-01")?.toISOString()).toBe("0001-01-01T00:00:00.000Z");
    expect(parseInstant("9999-12-31T23:59:59.999Z")?.toISOString()).toBe("9999-12-31T23:59:59.999Z");
  });

  it("refuses what is not a real moment between the years 1 and 9999, and what JavaScript alone would guess at", () => {
    for (const text of [
      "0000-01-01",
      "-004714-01-01",
      "+275760-09-13",
      "0001-01-01T00:00+01:00",
      "2026-02-30",
      "2025-02-29",
      "2026-11-31",
      "2026-11-23T24:00",
      "2026-11-23T10:60",
      "2026-11-23T10:00:60",
      "2026-11-23T10:00+24:00",
      "1",
      "-1",
      "2026",
      "Dec 5 2026",
      "12/06/2026",
      "2026-11-23 10:00",
      "",
    ]) {
      expect(parseInstant(text), text).toBeNull();
    }
  });

  it("filters and cursors outside that range are 400s, not database errors", () => {
    for (const value of ["0000-01-01", "2026-02-30", "Dec 5 2026", "1"]) {
      const result = adminSessionCountQuerySchema.safeParse({ signedInAfter: value });
      expect(result.success, value).toBe(false);
      expect(firstMessage(result)).toMatch(/^signedInAfter must be a date or time in ISO 8601/);
      expect(eventsQuerySchema.safeParse({ from: value }).success, value).toBe(false);
    }
    for (const text of ["0000-01-01T00:00:00.000Z|abc", "-004714-01-01T00:00:00.000Z|abc", "+275760-09-13T00:00:00.000Z|abc"]) {
      expect(cursorSchema.safeParse(rawCursor(text)).success, text).toBe(false);
    }
    const cursor = encodeCursor({ at: new Date("2026-11-23T10:00:00.000Z"), id: "abc" });
    expect(cursorSchema.parse(cursor)).toEqual({ at: new Date("2026-11-23T10:00:00.000Z"), id: "abc" });
  });
});

describe("free text", () => {
  it("an admin's reason is one line without control characters (PostgreSQL refuses NUL)", () => {
    for (const reason of ["x\u0000y", "two\nlines", "tab\there", "bell\u0007"]) {
      const result = adminActionBodySchema.safeParse({ reason });
      expect(result.success, JSON.stringify(reason)).toBe(false);
      expect(firstMessage(result)).toBe("reason must be one line of text, without control characters");
    }
    expect(adminActionBodySchema.parse({ reason: "  left the company — Zoë  " })).toEqual({ reason: "left the company — Zoë" });
  });

  it("a reason cannot hide or reorder what it shows: bidirectional overrides and zero-width characters are refused", () => {
    // "\u202E" would show "fired for cause" as "esuac rof derif" after it; "\u200B" makes two different reasons look alike.
    for (const reason of ["ok \u202Eesuac rof derif", "left\u200Bthe company", "\u2066isolated\u2069", "b\uFEFFom", "mark\u200F"]) {
      const result = adminActionBodySchema.safeParse({ reason });
      expect(result.success, JSON.stringify(reason)).toBe(false);
      expect(firstMessage(result)).toBe("reason must be one line of text, without control characters");
    }
    // Joiners are part of writing (Persian, Hindi) and of emoji: they stay.
    for (const reason of ["می\u200Cخواهم", "क्\u200Dष", "team 👩\u200D💻 asked", "مرحبا بالعالم"]) {
      expect(adminActionBodySchema.parse({ reason }), JSON.stringify(reason)).toEqual({ reason });
    }
  });

  it("text sent on someone's behalf is cleaned instead", () => {
    expect(plainText(" Zoë\u0000 Müller\n", 200)).toBe("Zoë Müller");
    expect(plainText("\u0000\u0001 ", 200)).toBeNull();
    expect(plainText("abcdef", 3)).toBe("abc");
    expect(plainText("\u202Enimda\u202C", 200)).toBe("nimda");
    expect(plainText("ad\u200Bmin\uFEFF", 200)).toBe("admin");
    expect(plainText("می\u200Cخواهم", 200)).toBe("می\u200Cخواهم");
    // Line breaks and tabs keep the words apart: one line, one space.
    expect(plainText("Invalid grant.\r\n\tExpired", 200)).toBe("Invalid grant. Expired");
    expect(plainText("one\u2028two\u2029three\u0085four", 200)).toBe("one two three four");
  });

  it("what a person types may not break its line either", () => {
    expect(NO_CONTROL_CHARACTERS.test("a\u2028b")).toBe(false);
    expect(NO_CONTROL_CHARACTERS.test("laptop stolen, Zoë's")).toBe(true);
  });

  it("an audit event's detail is stored as one clean line of at most AUDIT_DETAIL_MAX_LENGTH characters", () => {
    expect(authEventRow({ type: "login.failed", detail: `a\u0000b\nc${"x".repeat(5000)}` }).detail).toBe(`ab c${"x".repeat(AUDIT_DETAIL_MAX_LENGTH - 4)}`);
    expect(authEventRow({ type: "login.failed", detail: "\u0000" }).detail).toBeNull();
    expect(authEventRow({ type: "logout" }).detail).toBeNull();
  });
});

describe("messages", () => {
  it("name the limit a number broke", () => {
    expect(firstMessage(adminSessionCountQuerySchema.safeParse({ moreThan: "-1" }))).toBe("moreThan must be at least 0");
    expect(firstMessage(adminSessionCountQuerySchema.safeParse({ moreThan: "100001" }))).toBe("moreThan must be at most 100000");
    expect(firstMessage(adminSessionCountQuerySchema.safeParse({ moreThan: "1.5" }))).toBe("moreThan must be a whole number");
    expect(firstMessage(adminSessionCountQuerySchema.safeParse({ moreThan: "many" }))).toBe("moreThan must be a number");
    // JavaScript's Number() reads these as 16, 1000 and 0: not numbers as a person writes them.
    for (const written of ["0x10", "1e3", " ", "+"]) {
      expect(firstMessage(adminSessionCountQuerySchema.safeParse({ moreThan: written })), written).toBe("moreThan must be a number");
    }
    expect(adminSessionCountQuerySchema.parse({ moreThan: " 16 " }).moreThan).toBe(16);
  });

  it("name the field once in the API's answer", async () => {
    const answer = async (input: Record<string, string>) => {
      const result = adminSessionCountQuerySchema.safeParse(input);
      return ((await errorResponse(result.error).json()) as { error: { message: string } }).error.message;
    };
    expect(await answer({ ip: "10.1.2.3/8" })).toBe("ip: 10.1.2.3/8 has address bits set past /8: did you mean 10.0.0.0/8?");
    expect(await answer({ moreThan: "-1" })).toBe("moreThan must be at least 0");
    expect(await answer({ country: "Germany" })).toBe("country must be a two-letter country code (ISO 3166-1 alpha-2, e.g. DE)");
    // Checked as written: "ß" upper-cases to "SS", which is not what was asked for.
    expect(await answer({ country: "ß" })).toBe("country must be a two-letter country code (ISO 3166-1 alpha-2, e.g. DE)");
    expect(adminSessionCountQuerySchema.parse({ country: " de " }).country).toBe("DE");
  });

  it("a wait on the sign-in page that no limiter set is not shown as one", () => {
    expect(pageMessage("rate_limited", { retryAfterSeconds: 1e308 })).toBe("Too many failed sign-in attempts. Try again later.");
    expect(pageMessage("rate_limited", { retryAfterSeconds: -5 })).toBe("Too many failed sign-in attempts. Try again later.");
    expect(pageMessage("rate_limited", { retryAfterSeconds: 90 })).toBe("Too many failed sign-in attempts. Try again in 2 minutes.");
  });

  it("count minutes and sessions in the singular too", () => {
    expect(errorMessage("reauthentication_required", { freshMinutes: 1, via: "admin_key" })).toMatch(/^You signed in more than 1 minute ago:/);
    expect(errorMessage("reauthentication_required", { freshMinutes: 15, via: "admin_key" })).toMatch(/^You signed in more than 15 minutes ago:/);
    expect(errorMessage("count_changed", { count: 1, confirmed: 2 })).toMatch(/^Nothing was revoked: 1 session matches these filters now, not the 2 you confirmed/);
  });
});

describe("a query read into an object", () => {
  it("reads a repeated name the same from an address as from Next's searchParams: its first value that is not empty", () => {
    for (const search of ["user=alice&user=bob", "user=&user=alice&user=bob", "user=alice&user="]) {
      const params = new URLSearchParams(search);
      const fromNext = Object.fromEntries([...new Set(params.keys())].map((name) => [name, params.getAll(name)]));
      expect(queryObject(params), search).toEqual({ user: "alice" });
      expect(queryObject(fromNext), search).toEqual({ user: "alice" });
    }
    expect(queryObject(new URLSearchParams("user=&user="))).toEqual({});
    expect(queryObject({ user: ["", ""], state: "active", blank: "" })).toEqual({ state: "active" });
  });
});

describe("names and ids in addresses", () => {
  it("a username is checked as written, before it is lower-cased: no character outside the pattern folds into one inside it", () => {
    const username = usernameOf("user");
    expect(username.parse("  Kate ")).toBe("kate");
    // U+212A KELVIN SIGN lower-cases to an ASCII "k", U+0130 to "i" and a combining dot.
    for (const name of ["\u212Aate", "\u0130van", "\u017Fam"]) expect(username.safeParse(name).success).toBe(false);
  });

  it("a webhook delivery's id is written one way only: 1, never 01, 1.0 or +1", () => {
    expect(webhookDeliveryParamsSchema.parse({ id: "1" })).toEqual({ id: 1 });
    expect(webhookDeliveryParamsSchema.parse({ id: "2147483647" })).toEqual({ id: 2147483647 });
    for (const id of ["01", "1.0", "+1", " 1", "1e0", "0", "-1", "2147483648", "abc", ""]) expect(webhookDeliveryParamsSchema.safeParse({ id }).success).toBe(false);
  });
});
