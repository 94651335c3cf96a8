import { describe, expect, it } from "vitest";
import { finishOidcLogin } from "@/lib/auth/oidc";
import { takeLoginAttempt } from "@/lib/auth/rate-limit";
import { signInWithKey } from "@/lib/auth/static-login";
import { AUDIT_DETAIL_MAX_LENGTH } from "@/lib/audit";
import { seal } from "@/lib/sealed";
import { ADMIN_KEY, USER_KEY, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

describe("static-key sign-in", () => {
  it("signs ordinary users in with DASHBOARD_KEY and never admits an admin name with it", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    expect(await signInWithKey(db, config, { username: "alice", key: USER_KEY, rememberMe: false }, request)).toMatchObject({ ok: true, user: { role: "user" } });
    expect(await signInWithKey(db, config, { username: "root", key: USER_KEY, rememberMe: false }, request)).toMatchObject({ ok: false, code: "invalid_credentials" });
    expect(await signInWithKey(db, config, { username: "root", key: ADMIN_KEY, rememberMe: false }, request)).toMatchObject({ ok: true, user: { role: "admin" } });
    expect(await signInWithKey(db, config, { username: "alice", key: ADMIN_KEY, rememberMe: false }, request)).toMatchObject({ ok: false });
  });

  it("refuses the shared key for a user who signs in with SSO, leaving their account alone", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    await db.prisma.user.create({
      data: { id: "u1", username: "carol", authSource: "oidc", oidcIssuer: "https://idp", oidcSubject: "c", role: "admin" },
    });
    const result = await signInWithKey(db, config, { username: "carol", key: USER_KEY, rememberMe: false }, request);
    expect(result).toMatchObject({ ok: false, code: "sso_account" });
    expect(await db.prisma.session.count()).toBe(0);
    expect(await db.prisma.user.findUnique({ where: { username: "carol" } })).toMatchObject({ authSource: "oidc", role: "admin" });
    // A wrong key still says only "invalid".
    expect(await signInWithKey(db, config, { username: "carol", key: "nope-nope", rememberMe: false }, request)).toMatchObject({ code: "invalid_credentials" });
  });

  it("records a sign-in's session and its login.succeeded event together, or neither", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const ok = await signInWithKey(db, config, { username: "alice", key: USER_KEY, rememberMe: true }, request);
    if (!ok.ok) throw new Error("sign-in failed");
    expect(await db.prisma.authEvent.findMany({ where: { type: "login.succeeded" } })).toMatchObject([
      { sessionId: ok.session.id, userId: ok.user.id, username: "alice", actor: "alice", authMethod: "static", at: ok.session.createdAt },
    ]);

    // The event cannot be written (a trigger refuses it): the session must not be left behind.
    if (db.backend === "postgres") {
      await db.prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_login() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`);
      await db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_login BEFORE INSERT ON "AuthEvent" FOR EACH ROW WHEN (NEW.type = 'login.succeeded') EXECUTE FUNCTION refuse_login()`);
    } else {
      await db.prisma.$executeRawUnsafe(
        `CREATE TRIGGER refuse_login BEFORE INSERT ON "AuthEvent" WHEN NEW.type = 'login.succeeded' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      );
    }
    await expect(signInWithKey(db, config, { username: "bob", key: USER_KEY, rememberMe: false }, request)).rejects.toThrow();
    expect(await db.prisma.session.count()).toBe(1);

    // Nor is the account touched: its last sign-in and role stay, and the attempt still counts
    // (the counters are given back with the session, in its one commit).
    const before = await db.prisma.user.findUniqueOrThrow({ where: { username: "alice" } });
    await expect(signInWithKey(db, config, { username: "alice", key: USER_KEY, rememberMe: false }, request, later(new Date(), minutes(5)))).rejects.toThrow();
    expect(await db.prisma.user.findUniqueOrThrow({ where: { username: "alice" } })).toEqual(before);
    expect(await db.prisma.loginAttempt.findUnique({ where: { key: "user:alice" } })).toMatchObject({ failures: 1 });
    expect(await db.prisma.session.count()).toBe(1);
  });

  it("audits failures with a reason but never the key typed", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    await signInWithKey(db, config, { username: "alice", key: "my-secret-guess-123", rememberMe: false }, request);
    const events = await db.prisma.authEvent.findMany();
    expect(events).toMatchObject([{ type: "login.failed", username: "alice", detail: "wrong key", ip: request.ip }]);
    expect(JSON.stringify(events)).not.toContain("my-secret-guess-123");
  });
});

describe("login rate limiting", () => {
  const config = testConfig({ DASHBOARD_LOGIN_MAX_FAILURES_PER_USER: "3", DASHBOARD_LOGIN_MAX_FAILURES_PER_IP: "5", DASHBOARD_LOGIN_WINDOW_MINUTES: "15" });
  const attempt = (db: Awaited<ReturnType<typeof tempDatabase>>["db"], username: string, key: string, ip = request.ip) =>
    signInWithKey(db, config, { username, key, rememberMe: false }, { ...request, ip });

  it("locks a username after too many failures, even for the right key, with a Retry-After", async () => {
    const { db } = await tempDatabase();
    for (let i = 0; i < 3; i++) expect(await attempt(db, "alice", "wrong-key-x")).toMatchObject({ code: "invalid_credentials" });
    const locked = await attempt(db, "alice", USER_KEY);
    expect(locked).toMatchObject({ ok: false, code: "rate_limited" });
    if (!locked.ok) expect(locked.error.retryAfterSeconds).toBeGreaterThan(14 * 60);
    // Other usernames are unaffected.
    expect(await attempt(db, "bob", USER_KEY)).toMatchObject({ ok: true });
  });

  it("locks an IP across usernames", async () => {
    const { db } = await tempDatabase();
    for (let i = 0; i < 5; i++) await attempt(db, `user${i}`, "wrong-key-x", "198.51.100.7");
    expect(await attempt(db, "fresh", USER_KEY, "198.51.100.7")).toMatchObject({ code: "rate_limited" });
    expect(await attempt(db, "fresh", USER_KEY, "198.51.100.8")).toMatchObject({ ok: true });
  });

  it("counts an IPv6 /64 as one address: a host given a /64 cannot take a new address for each guess", async () => {
    const { db } = await tempDatabase();
    for (let i = 0; i < 5; i++) await attempt(db, `user${i}`, "wrong-key-x", `2001:db8:1:2::${(i + 1).toString(16)}`);
    expect(await attempt(db, "fresh", USER_KEY, "2001:db8:1:2:abcd::7")).toMatchObject({ code: "rate_limited" });
    // The next /64 is someone else's.
    expect(await attempt(db, "fresh", USER_KEY, "2001:db8:1:3::1")).toMatchObject({ ok: true });
  });

  it("starts a new window once the old one has passed, and a success clears the username's count", async () => {
    const { db } = await tempDatabase();
    const keys = [{ kind: "user" as const, value: "alice" }];
    const start = new Date();
    for (let i = 0; i < 3; i++) expect(await takeLoginAttempt(db, config, keys, start)).toMatchObject({ allowed: true });
    expect(await takeLoginAttempt(db, config, keys, later(start, minutes(1)))).toEqual({ allowed: false, retryAfter: 14 * 60 });
    // A refused attempt gives its increment back.
    expect(await db.prisma.loginAttempt.findUnique({ where: { key: "user:alice" } })).toMatchObject({ failures: 3 });
    expect(await takeLoginAttempt(db, config, keys, later(start, minutes(15)))).toMatchObject({ allowed: true });
    expect(await db.prisma.loginAttempt.findUnique({ where: { key: "user:alice" } })).toMatchObject({ failures: 1 });

    await attempt(db, "bob", "wrong-key-x");
    await attempt(db, "bob", "wrong-key-x");
    await attempt(db, "bob", USER_KEY);
    expect(await db.prisma.loginAttempt.findUnique({ where: { key: "user:bob" } })).toBeNull();
  });
});

describe("anonymous failures are summarised", () => {
  const config = testConfig({
    DASHBOARD_LOGIN_MAX_FAILURES_PER_USER: "3",
    DASHBOARD_LOGIN_WINDOW_MINUTES: "15",
    DASHBOARD_OIDC_ISSUER: "https://id.example.test",
    DASHBOARD_OIDC_CLIENT_ID: "sessionboard",
  });
  const from = (ip: string) => ({ ...request, ip });

  it("90 failed sign-ins and SSO callbacks from one address cost one audit row per window, with the count and the first reason", async () => {
    const { db } = await tempDatabase();
    const start = new Date("2026-12-01T10:00:00Z");
    const oidc = config.oidc;
    if (!oidc) throw new Error("OIDC not configured");
    for (let i = 0; i < 60; i++) {
      // Wrong keys for many names, and rate-limited ones once a name's limit is reached.
      await signInWithKey(db, config, { username: `name${i % 5}`, key: "wrong-key-x", rememberMe: false }, from("198.51.100.7"), later(start, i * 1000));
    }
    for (let i = 0; i < 30; i++) {
      const callback = new URL(`https://sessions.example.test/api/auth/oidc/callback?error=made_up_${i}&state=x`);
      await finishOidcLogin(db, config, oidc, { url: callback, transaction: undefined, sessionCookie: undefined }, from("198.51.100.7"), later(start, 60_000 + i * 1000));
    }
    const rows = await db.prisma.authEvent.findMany({ where: { type: "login.failed" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ip: "198.51.100.7", count: 90, username: "name0", detail: "wrong key", at: start });

    // Another address has its own row; a new window starts a new one.
    await signInWithKey(db, config, { username: "alice", key: "wrong-key-x", rememberMe: false }, from("198.51.100.8"), later(start, 2000));
    await signInWithKey(db, config, { username: "bob", key: "wrong-key-x", rememberMe: false }, from("198.51.100.7"), later(start, minutes(16)));
    const all = await db.prisma.authEvent.findMany({ where: { type: "login.failed" }, orderBy: [{ ip: "asc" }, { at: "asc" }] });
    expect(all.map((e) => [e.ip, e.username, e.count])).toEqual([
      ["198.51.100.7", "name0", 90],
      ["198.51.100.7", "bob", 1],
      ["198.51.100.8", "alice", 1],
    ]);

    // Every address of one IPv6 /64 adds to one row (the first address's), as they share one limit.
    for (let i = 0; i < 20; i++) {
      await signInWithKey(db, config, { username: `v6name${i}`, key: "wrong-key-x", rememberMe: false }, from(`2001:db8:7:8::${(i + 1).toString(16)}`), later(start, 3000 + i));
    }
    expect(await db.prisma.authEvent.findMany({ where: { type: "login.failed", ip: { startsWith: "2001:db8:7:8:" } }, select: { ip: true, count: true } })).toEqual([
      { ip: "2001:db8:7:8::1", count: 20 },
    ]);
  });

  it("keeps what an SSO callback's error says to one clean, bounded line: no control or direction characters, nothing PostgreSQL refuses", async () => {
    const { db } = await tempDatabase();
    const oidc = config.oidc;
    if (!oidc) throw new Error("OIDC not configured");
    // The provider sends it, with the browser's state; so can whoever learnt that state.
    const error = `x\n\r\u202Egnp.exe\u202C\u0000${"e".repeat(5000)}`;
    const description = `line1\nline2\u202E\u0001${"d".repeat(300)}`;
    const callback = new URL("https://sessions.example.test/api/auth/oidc/callback?state=s1");
    callback.searchParams.set("error", error);
    callback.searchParams.set("error_description", description);
    const transaction = await seal(config, { state: "s1", nonce: "n1", codeVerifier: "v1", rememberMe: false, next: "/" }, 600);
    const result = await finishOidcLogin(db, config, oidc, { url: callback, transaction, sessionCookie: undefined }, from("198.51.100.9"), new Date("2026-12-01T10:00:00Z"));
    expect(result).toMatchObject({ ok: false, code: "sso_failed" });
    const [row] = await db.prisma.authEvent.findMany({ where: { type: "login.failed", ip: "198.51.100.9" } });
    expect(row.detail).toMatch(/^provider error: x\s*gnp\.exe/);
    expect(row.detail).not.toMatch(/[\p{Cc}\u202A-\u202E]/u);
    expect(row.detail?.length).toBeLessThanOrEqual(AUDIT_DETAIL_MAX_LENGTH);
  });

  it("believes an SSO callback's error only with the state of the sign-in in flight, which any other callback leaves in flight", async () => {
    const { db } = await tempDatabase();
    const oidc = config.oidc;
    if (!oidc) throw new Error("OIDC not configured");
    const transaction = await seal(config, { state: "s2", nonce: "n2", codeVerifier: "v2", rememberMe: false, next: "/settings" }, 600);
    const callback = (query: string) => finishOidcLogin(db, config, oidc, { url: new URL(`https://sessions.example.test/api/auth/oidc/callback?${query}`), transaction, sessionCookie: undefined }, from("198.51.100.10"));
    // Any site can send the browser to these: not the sign-in's answer, which may still come.
    expect(await callback("error=access_denied")).toEqual({ ok: false, code: "sso_state", next: "/settings", keepTransaction: true });
    expect(await callback("error=access_denied&state=forged")).toEqual({ ok: false, code: "sso_state", next: "/settings", keepTransaction: true });
    // The provider's own answer, with the state it was given: the person cancelled there, or it cannot answer now.
    expect(await callback("error=access_denied&state=s2")).toEqual({ ok: false, code: "sso_cancelled", next: "/settings" });
    expect(await callback("error=temporarily_unavailable&state=s2")).toEqual({ ok: false, code: "sso_unavailable", next: "/settings" });
  });

  it("authenticated actions stay one event each", async () => {
    const { db } = await tempDatabase();
    const alice = await signIn(db, config, "alice", USER_KEY);
    const bob = await signIn(db, config, "bob", USER_KEY);
    expect(await db.prisma.authEvent.count({ where: { type: "login.succeeded" } })).toBe(2);
    expect([alice.session.id, bob.session.id]).toHaveLength(2);
  });
});
