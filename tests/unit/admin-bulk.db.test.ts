import { describe, expect, it } from "vitest";
import { countAdminSessions, listAdminSessions, revokeFilteredSessionsAsAdmin } from "@/lib/admin/sessions";
import { keyFingerprint } from "@/lib/auth/keys";
import type { Config } from "@/lib/config";
import type { Database } from "@/lib/db";
import { generateId, generateSessionToken, hashSessionToken } from "@/lib/sessions/token";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { adminBulkRevokeQuerySchema, adminSessionCountQuerySchema, adminSessionsQuerySchema } from "@/lib/validation/admin";
import { ADMIN_KEY, SECRET_A, USER_KEY, days, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

const T0 = new Date("2026-11-20T00:00:00.000Z");
const NOW = later(T0, days(1));

/** A session row written directly, with the metadata the filters look at. */
async function seed(
  db: Database,
  username: string,
  options: { at?: Date; method?: "static" | "oidc"; ip?: string | null; country?: string; browser?: string } = {},
) {
  const user = await db.prisma.user.upsert({ where: { username }, create: { id: generateId(), username, authSource: "static" }, update: {} });
  const at = options.at ?? T0;
  const id = generateId();
  await db.prisma.session.create({
    data: {
      id,
      tokenHash: hashSessionToken(generateSessionToken()),
      tokenHint: "abcdef12",
      userId: user.id,
      authMethod: options.method ?? "static",
      keyFingerprint: options.method === "oidc" ? null : keyFingerprint(SECRET_A, USER_KEY),
      ipAddress: options.ip === undefined ? "192.0.2.1" : options.ip,
      country: options.country ?? null,
      browserFamily: options.browser ?? null,
      createdAt: at,
      authenticatedAt: at,
      lastActiveAt: at,
      expiresAt: later(at, days(30)),
      absoluteExpiresAt: later(at, days(90)),
    },
  });
  return id;
}

/** Every id the list shows for a filter, page after page. */
async function listed(db: Database, config: Config, filter: Record<string, unknown>, limit = 3) {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listAdminSessions>> = await listAdminSessions(
      db,
      config,
      null,
      adminSessionsQuerySchema.parse({ ...filter, limit, ...(cursor ? { cursor } : {}) }),
      NOW,
    );
    ids.push(...page.sessions.map((s) => s.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids.sort();
}

const count = (db: Database, config: Config, filter: Record<string, unknown>, exclude: string | null = null) =>
  countAdminSessions(db, config, exclude, adminSessionCountQuerySchema.parse(filter), NOW);

describe("admin filters: IP CIDR, country, browser, signed in after/before", () => {
  it("list and count exactly the matching sessions, IPv4 and IPv6 blocks included", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const inTen = [await seed(db, "a", { ip: "10.0.0.1" }), await seed(db, "b", { ip: "10.255.3.4" })];
    const outside = [await seed(db, "c", { ip: "100.0.0.1" }), await seed(db, "c", { ip: "11.0.0.1" }), await seed(db, "d", { ip: null })];
    const inV6 = [await seed(db, "e", { ip: "2001:db8::1" }), await seed(db, "e", { ip: "2001:db8:ffff::9" })];
    const outV6 = await seed(db, "f", { ip: "2001:db9::1" });
    const zeros = [await seed(db, "g", { ip: "2001::1:5:6:7:8" }), await seed(db, "g", { ip: "2001:0:0:1::5" })];
    const notZeros = await seed(db, "g", { ip: "2001::2:5:6:7:8" });
    const cases: [Record<string, unknown>, string[]][] = [
      [{ ip: "10.0.0.0/8" }, inTen],
      [{ ip: "10.255.0.0/16" }, [inTen[1]]],
      // 8.0.0.0 to 11.255.255.255: no text prefix is safe, so every address is checked.
      [{ ip: "8.0.0.0/6" }, [...inTen, outside[1]]],
      [{ ip: "0.0.0.0/0" }, [...inTen, ...outside.slice(0, 2)]],
      [{ ip: "10.0.0.1/32" }, [inTen[0]]],
      [{ ip: "2001:db8::/32" }, inV6],
      [{ ip: "2001:0:0:1::/64" }, zeros],
      [{ ip: "::/0" }, [...inV6, outV6, ...zeros, notZeros]],
      [{ ip: "2001:db8::/32", user: "e" }, inV6],
    ];
    for (const [filter, expected] of cases) {
      expect(await listed(db, config, filter), JSON.stringify(filter)).toEqual([...expected].sort());
      expect(await count(db, config, filter), JSON.stringify(filter)).toBe(expected.length);
    }
  });

  it("filter by country, browser and sign-in time (after inclusive, before exclusive)", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const de = await seed(db, "a", { country: "DE", browser: "Firefox", at: T0 });
    const fr = await seed(db, "a", { country: "FR", browser: "Chrome", at: later(T0, minutes(30)) });
    const none = await seed(db, "b", { at: later(T0, minutes(60)) });
    const cases: [Record<string, unknown>, string[]][] = [
      [{ country: "de" }, [de]],
      [{ browser: "Firefox" }, [de]],
      [{ browser: "Chrome", country: "FR" }, [fr]],
      [{ signedInAfter: "2026-11-20T00:30" }, [fr, none]],
      [{ signedInBefore: "2026-11-20T00:30:00Z" }, [de]],
      [{ signedInAfter: "2026-11-20", signedInBefore: "2026-11-21" }, [de, fr, none]],
    ];
    for (const [filter, expected] of cases) {
      expect(await listed(db, config, filter), JSON.stringify(filter)).toEqual([...expected].sort());
      expect(await count(db, config, filter), JSON.stringify(filter)).toBe(expected.length);
    }
  });

  it("refuse invalid values with a readable message", () => {
    const messages = (input: Record<string, unknown>) => adminSessionsQuerySchema.safeParse(input).error?.issues.map((i) => i.message);
    expect(messages({ ip: "10.1.2.3/8" })).toEqual(["ip: 10.1.2.3/8 has address bits set past /8: did you mean 10.0.0.0/8?"]);
    expect(messages({ ip: "10.0.0.0/40" })).toEqual(["ip: the prefix length of 10.0.0.0/40 must be at most 32"]);
    expect(messages({ ip: "999.1.1.1" })).toEqual(["ip must be an IP address, the start of one, or a CIDR block (10.0.0.0/8)"]);
    expect(messages({ country: "Germany" })).toEqual(["country must be a two-letter country code (ISO 3166-1 alpha-2, e.g. DE)"]);
    expect(messages({ browser: "<script>" })).toEqual(["browser must be a browser name such as Firefox or Chrome"]);
    expect(messages({ signedInAfter: "yesterday" })).toEqual([
      "signedInAfter must be a date or time in ISO 8601 (2026-11-23, 2026-11-23T10:00 in UTC, or with Z or an offset), from year 1 to 9999",
    ]);
    expect(messages({ signedInAfter: "2026-11-21", signedInBefore: "2026-11-20" })).toEqual(["signedInAfter must be earlier than signedInBefore"]);
    expect(adminSessionCountQuerySchema.safeParse({}).error?.issues[0].message).toMatch(/at least one filter/);
  });
});

describe("DELETE /api/admin/sessions: which request it is", () => {
  const parse = (input: Record<string, string>) => adminBulkRevokeQuerySchema.safeParse(input);
  it("tells a user, a filter and everyone apart, and refuses what is ambiguous", () => {
    expect(parse({ user: "alice" }).data).toEqual({ scope: "user", user: "alice" });
    expect(parse({ scope: "all", confirm: "everyone" }).data).toEqual({ scope: "all", includeSelf: false });
    // As the page takes it: typed by a person, in any case.
    expect(parse({ scope: "all", confirm: " Everyone" }).data).toEqual({ scope: "all", includeSelf: false });
    expect(parse({ scope: "all", confirm: "yes" }).success).toBe(false);
    expect(parse({ user: "ali", match: "prefix", confirm: "3" }).data).toMatchObject({ scope: "filter", confirm: 3, filter: { user: "ali", match: "prefix" } });
    expect(parse({ user: "alice", confirm: "2" }).data).toMatchObject({ scope: "filter", confirm: 2, filter: { user: "alice", match: "exact" } });
    expect(parse({ ip: "10.0.0.0/8", confirm: "0" }).data).toMatchObject({ scope: "filter", confirm: 0 });
    const message = (input: Record<string, string>) => parse(input).error?.issues.map((i) => i.message).join("; ");
    // A filter never silently widens to all of a user's sessions.
    expect(message({ user: "alice", method: "oidc" })).toMatch(/pass confirm=<count>/);
    expect(message({ scope: "all", confirm: "everyone", method: "oidc" })).toMatch(/scope=all revokes everyone: leave out the filters/);
    expect(message({ country: "DE", confirm: "everyone" })).toMatch(/pass confirm=<count>/);
    expect(message({ country: "DE", confirm: "2", includeSelf: "true" })).toMatch(/includeSelf goes only with scope=all/);
    expect(message({ country: "DE", confirm: "2", cursor: "x" })).toMatch(/leave out cursor/);
    expect(message({})).toMatch(/pass \?user=NAME, filters with confirm=<count>, or \?scope=all&confirm=everyone/);
  });

  it("never takes a request without a filter for a revoke by filter: everyone is scope=all", () => {
    const message = (input: Record<string, string>) => parse(input).error?.issues.map((i) => i.message).join("; ");
    const inputs: Record<string, string>[] = [{ confirm: "7" }, { match: "exact", confirm: "7" }, { match: "prefix", confirm: "7" }];
    for (const input of inputs) {
      expect(parse(input).success).toBe(false);
      expect(message(input)).toMatch(/at least one filter/);
    }
  });

  it("refuses a parameter it does not know, rather than dropping it and revoking more", () => {
    // Misspelled or miscased, the browser filter would otherwise vanish and leave "all of bob's sessions".
    const inputs: Record<string, string>[] = [{ user: "bob", browsr: "Firefox" }, { user: "bob", Browser: "Firefox" }, { user: "bob", state: "ended" }];
    for (const input of inputs) {
      const result = parse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.message).join("; ")).toMatch(new RegExp(Object.keys(input)[1]));
    }
    // The dry run is held to the same parameters, so it cannot count more than the revoke would take.
    expect(adminSessionCountQuerySchema.safeParse({ user: "bob", browsr: "Firefox" }).success).toBe(false);
    expect(adminSessionCountQuerySchema.safeParse({ user: "bob", limit: "5" }).success).toBe(false);
  });
});

describe("admin bulk revoke by filter", () => {
  it("revokes exactly the count shown, never the admin's own session, audited as one event", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const admin = await signIn(db, config, "root", ADMIN_KEY, false, { ...request, ip: "10.9.9.9" }, T0);
    const inside = [await seed(db, "ann", { ip: "10.1.0.1" }), await seed(db, "bob", { ip: "10.2.0.1" }), await seed(db, "bob", { ip: "10.3.0.1" })];
    const outside = await seed(db, "bob", { ip: "11.0.0.1" });
    const filter = adminSessionCountQuerySchema.parse({ ip: "10.0.0.0/8" });
    const shown = await countAdminSessions(db, config, admin.session.id, filter, NOW);
    expect(shown).toBe(3);
    const actor = { username: "root", sessionId: admin.session.id };
    const revoked = await revokeFilteredSessionsAsAdmin(db, config, actor, filter, shown, "stolen laptops", request, NOW);
    expect(revoked).toBe(shown);
    const rows = await db.prisma.session.findMany({ select: { id: true, revokedAt: true, revokedBy: true, revokeReason: true } });
    const revokedIds = rows.filter((row) => row.revokedAt).map((row) => row.id);
    expect(revokedIds.sort()).toEqual([...inside].sort());
    expect(rows.find((row) => row.id === inside[0])).toMatchObject({ revokedBy: "root", revokeReason: "stolen laptops" });
    expect(revokedIds).not.toContain(outside);
    // The admin's own session matched the filter too, and survives.
    expect((await validateSessionCookie(db, config, admin.cookie, request, later(T0, minutes(1)))).status).toBe("active");
    const events = await db.prisma.authEvent.findMany({ where: { type: { in: ["sessions.bulk_revoked", "session.revoked"] } } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "sessions.bulk_revoked", actor: "root", count: 3, detail: "filter: IP in 10.0.0.0/8; count: 3; reason: stolen laptops" });
  });

  it("refuses, revoking nothing, when the count moved; and needs a reason", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    await seed(db, "ann", { country: "DE" });
    const filter = adminSessionCountQuerySchema.parse({ country: "DE" });
    const actor = { username: "root", sessionId: null };
    const shown = await countAdminSessions(db, config, null, filter, NOW);
    expect(shown).toBe(1);
    await seed(db, "bob", { country: "DE", at: later(T0, minutes(5)) });
    await expect(revokeFilteredSessionsAsAdmin(db, config, actor, filter, shown, "incident 42", request, NOW)).rejects.toMatchObject({
      code: "count_changed",
      status: 409,
      message: "Nothing was revoked: 2 sessions match these filters now, not the 1 you confirmed. Look at them again and confirm the new count.",
    });
    await expect(revokeFilteredSessionsAsAdmin(db, config, actor, filter, 2, "  ", request, NOW)).rejects.toMatchObject({ code: "reason_required", status: 400 });
    // No filter at all is never "the matching sessions": that would be everyone, which is a force logout.
    const none = adminSessionsQuerySchema.parse({});
    await expect(revokeFilteredSessionsAsAdmin(db, config, actor, none, 2, "incident 42", request, NOW)).rejects.toMatchObject({ code: "invalid_input", status: 400 });
    expect(await db.prisma.session.count({ where: { revokedAt: { not: null } } })).toBe(0);
    expect(await db.prisma.authEvent.count({ where: { type: "sessions.bulk_revoked" } })).toBe(0);
    // Looked at again: the new count goes through.
    expect(await revokeFilteredSessionsAsAdmin(db, config, actor, filter, await countAdminSessions(db, config, null, filter, NOW), "incident 42", request, NOW)).toBe(2);
  });

  it("counts and revokes with owners walked in code (more than N) and a CIDR block together", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const many: string[] = [];
    for (let i = 0; i < 4; i++) many.push(await seed(db, "heavy", { ip: `10.0.0.${i}` }));
    await seed(db, "heavy", { ip: "12.0.0.1" });
    await seed(db, "light", { ip: "10.0.0.99" });
    const filter = adminSessionCountQuerySchema.parse({ moreThan: 2, ip: "10.0.0.0/24" });
    expect(await countAdminSessions(db, config, null, filter, NOW)).toBe(4);
    expect(await listed(db, config, { moreThan: 2, ip: "10.0.0.0/24" }, 2)).toEqual([...many].sort());
    expect(await revokeFilteredSessionsAsAdmin(db, config, { username: "root", sessionId: null }, filter, 4, "cleanup", request, NOW)).toBe(4);
  });
});
