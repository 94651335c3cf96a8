import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishOidcLogin, identityProviderLogoutUrl, sealLogoutHint, startOidcLogin } from "@/lib/auth/oidc";
import { recheckSsoSession, ssoRechecksSettled } from "@/lib/auth/sso-recheck";
import { openTokens, storedIdToken } from "@/lib/auth/sso-tokens";
import type { Config } from "@/lib/config";
import { openDatabase, type Database } from "@/lib/db";
import { sealedWithCurrentKey } from "@/lib/sealed";
import { encodeSessionCookie } from "@/lib/sessions/cookie";
import { END_REASONS } from "@/lib/sessions/end-reasons";
import { revokeListedSessions, revokeSessions } from "@/lib/sessions/revoke";
import { revokeEveryActiveSession } from "@/lib/sessions/force-logout";
import { ssoStatus } from "@/lib/admin/sso";
import { endSessionByLogout, validateSessionCookie } from "@/lib/sessions/sessions";
import { SYSTEM_ACTOR } from "@/lib/actor";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import { startTestIdp, type TestIdp } from "../support/test-idp";
import { later, minutes, request, SECRET_A, SECRET_B, tempDatabase, TEST_BACKEND, testConfig } from "./helpers";

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
}, 30_000);
afterAll(() => idp.stop());

const RECHECK_MINUTES = 2;

function ssoConfig(env: Record<string, string>, extra: Record<string, string> = {}): Config {
  return testConfig({
    ...env,
    DASHBOARD_URL: idp.appUrl,
    DASHBOARD_OIDC_ISSUER: idp.issuer,
    DASHBOARD_OIDC_CLIENT_ID: "sessionboard",
    DASHBOARD_OIDC_CLIENT_SECRET: "e2e-client-secret-0123456789",
    DASHBOARD_OIDC_ADMIN_GROUP: "sessionboard-admins",
    DASHBOARD_OIDC_RECHECK_MINUTES: String(RECHECK_MINUTES),
    DASHBOARD_OIDC_RECHECK_GRACE_MINUTES: "10",
    ...extra,
  });
}

let logins = 0;
const uniqueLogin = (prefix: string) => `${prefix}-${TEST_BACKEND}-${Date.now().toString(36)}-${logins++}`;

/** A real sign-in at the test provider, through the app's own code flow. */
async function ssoSignIn(db: Database, config: Config, login: string) {
  if (!config.oidc) throw new Error("SSO should be configured");
  const started = await startOidcLogin(config, config.oidc, { rememberMe: false, next: "/" });
  const callback = await idp.authorize(started.url, login);
  const result = await finishOidcLogin(db, config, config.oidc, { url: callback, transaction: started.transaction, sessionCookie: undefined }, request);
  if (!result.ok || "reauthenticated" in result) throw new Error(`SSO sign-in failed: ${JSON.stringify(result)}`);
  const cookie = encodeSessionCookie(config, { token: result.token, persistent: false });
  return { sessionId: result.session.id, userId: result.user.id, token: result.token, cookie, signedInAt: new Date() };
}

/** A request `ms` after the sign-in: it writes the activity, which schedules the re-check; waits for it. */
async function requestAt(db: Database, config: Config, cookie: string, at: Date) {
  const check = await validateSessionCookie(db, config, cookie, request, at);
  await ssoRechecksSettled();
  return check;
}

const refreshCount = async (login: string) => ((await (await idp.control("GET", `/test/refreshes?sub=${login}`)).json()) as { count: number }).count;

describe("SSO tokens kept per session", () => {
  it("are stored sealed (no token in clear anywhere in the database) and deleted when the session ends", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const login = uniqueLogin("sealed");
    const signed = await ssoSignIn(db, config, login);
    const row = await db.prisma.ssoTokens.findUniqueOrThrow({ where: { sessionId: signed.sessionId } });
    const tokens = openTokens(config, row);
    expect(tokens.refreshToken).toMatch(/\S{20,}/);
    expect(tokens.idToken).toMatch(/^ey/);
    // A refresh too, so the rotated token is checked as well.
    expect(await requestAt(db, config, signed.cookie, later(signed.signedInAt, minutes(RECHECK_MINUTES + 1)))).toMatchObject({ status: "active" });
    const after = openTokens(config, await db.prisma.ssoTokens.findUniqueOrThrow({ where: { sessionId: signed.sessionId } }));
    expect(after.refreshToken).not.toBe(tokens.refreshToken);

    const secrets = [tokens.refreshToken, tokens.idToken, after.refreshToken, after.idToken].filter((t): t is string => t !== null);
    // The ID token's payload alone would reveal the person's claims.
    secrets.push(...secrets.filter((t) => t.startsWith("ey")).map((t) => t.split(".")[1]));
    const dump = await databaseDump(db, env);
    for (const secret of secrets) expect(dump.includes(secret), "a token in clear in the database").toBe(false);

    const check = await validateSessionCookie(db, config, signed.cookie, request, later(signed.signedInAt, minutes(RECHECK_MINUTES + 1.5)));
    if (check.status !== "active") throw new Error("the session should be active");
    await endSessionByLogout(db, check.session, check.user, request);
    expect(await db.prisma.ssoTokens.count({ where: { sessionId: signed.sessionId } })).toBe(0);
  }, 60_000);

  it("are deleted when the session is revoked, though the revoked row stays", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const signed = await ssoSignIn(db, config, uniqueLogin("revoked"));
    await revokeSessions(db, { id: signed.sessionId }, { actor: SYSTEM_ACTOR, cause: "revoked_by_admin", reason: "test" }, request);
    expect(await db.prisma.session.count({ where: { id: signed.sessionId } })).toBe(1);
    expect(await db.prisma.ssoTokens.count({ where: { sessionId: signed.sessionId } })).toBe(0);
    await cleanupSessions(db, config);
  }, 60_000);

  it("are deleted by every other way a session ends: bulk revocation, force logout everyone, and cleanup of expired sessions", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const [bulk, everyone, expired] = [await ssoSignIn(db, config, uniqueLogin("bulk")), await ssoSignIn(db, config, uniqueLogin("all")), await ssoSignIn(db, config, uniqueLogin("old"))];
    const kept = (id: string) => db.prisma.ssoTokens.count({ where: { sessionId: id } });
    const by = { actor: SYSTEM_ACTOR, cause: "revoked_all" as const, reason: "test" };
    await revokeListedSessions(db, [bulk.sessionId], by, "sessions.bulk_revoked", request);
    expect(await kept(bulk.sessionId)).toBe(0);
    expect(await kept(everyone.sessionId)).toBe(1);
    // Past its expiry without anyone noticing: cleanup removes it and its tokens.
    await db.prisma.session.update({ where: { id: expired.sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await cleanupSessions(db, config);
    expect(await kept(expired.sessionId)).toBe(0);
    await revokeEveryActiveSession(db, by, null, request);
    expect(await kept(everyone.sessionId)).toBe(0);
    expect(await db.prisma.ssoTokens.count()).toBe(0);
  }, 60_000);

  it("are counted on the Single sign-on page only for active sessions: not those a pending force logout ends", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    await ssoSignIn(db, config, uniqueLogin("counted"));
    await ssoSignIn(db, config, uniqueLogin("counted"));
    expect((await ssoStatus(db, config))?.sessions).toMatchObject({ kept: 2, withoutRefreshToken: 0 });
    // A force logout whose rows are not marked yet: both sessions are refused from now on.
    await db.prisma.forceLogoutCutoff.create({
      data: { id: 1, at: new Date(), keepSessionId: null, revokedBy: "root", revokeReason: "incident", endReason: "revoked_all" },
    });
    expect((await ssoStatus(db, config))?.sessions).toMatchObject({ kept: 0, withoutRefreshToken: 0, failing: 0 });
  }, 60_000);

  it("rotating DASHBOARD_SECRET keeps the re-check working, and re-seals with the new secret", async () => {
    const { db, env } = await tempDatabase();
    const before = ssoConfig(env, { DASHBOARD_SECRET: SECRET_A });
    const login = uniqueLogin("rotate-secret");
    const signed = await ssoSignIn(db, before, login);
    const rotated = ssoConfig(env, { DASHBOARD_SECRET: `${SECRET_B},${SECRET_A}` });
    const cookie = encodeSessionCookie(rotated, { token: signed.token, persistent: false });
    expect(await requestAt(db, rotated, cookie, later(signed.signedInAt, minutes(RECHECK_MINUTES + 1)))).toMatchObject({ status: "active" });
    expect(await refreshCount(login)).toBe(1);
    const row = await db.prisma.ssoTokens.findUniqueOrThrow({ where: { sessionId: signed.sessionId } });
    expect(row.refreshToken && sealedWithCurrentKey(rotated, row.refreshToken)).toBe(true);
    // The old secret retired: the tokens, re-sealed, still work.
    const retired = ssoConfig(env, { DASHBOARD_SECRET: SECRET_B });
    expect(await recheckSsoSession(db, retired, signed.sessionId, later(signed.signedInAt, minutes(2 * RECHECK_MINUTES + 2)))).toBe("ok");
    expect(await storedIdToken(db, retired, signed.sessionId)).toMatch(/^ey/);
  }, 60_000);
});

describe("re-checking access at the identity provider", () => {
  it("a user disabled at the provider loses the session within one re-check interval, with the message and an audit row", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const login = uniqueLogin("disabled");
    const signed = await ssoSignIn(db, config, login);
    // Within the interval: no refresh.
    expect(await requestAt(db, config, signed.cookie, later(signed.signedInAt, minutes(1.5)))).toMatchObject({ status: "active" });
    expect(await refreshCount(login)).toBe(0);

    await idp.control("POST", `/test/disable?sub=${login}`);
    // The request that notices the due re-check is answered as before (nothing waits for the provider)…
    const at = later(signed.signedInAt, minutes(RECHECK_MINUTES + 0.5));
    expect(await validateSessionCookie(db, config, signed.cookie, request, at)).toMatchObject({ status: "active" });
    await ssoRechecksSettled();
    // …and the next one finds the session ended, with its own words.
    const ended = await validateSessionCookie(db, config, signed.cookie, request, later(at, 1_000));
    expect(ended).toEqual({ status: "ended", reason: "idp-revoked" });
    expect(END_REASONS["idp-revoked"]).toBe("Your identity provider ended this session");
    const event = await db.prisma.authEvent.findFirstOrThrow({ where: { type: "session.revoked", sessionId: signed.sessionId } });
    expect(event).toMatchObject({ actor: "idp", username: login });
    expect(event.detail).toMatch(/^SSO re-check: refresh refused \(invalid_grant/);
    expect(await db.prisma.ssoTokens.count({ where: { sessionId: signed.sessionId } })).toBe(0);
  }, 60_000);

  it("a provider that is down: the session survives the grace period, is re-checked when the provider is back, and ends after the grace", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const login = uniqueLogin("outage");
    const signed = await ssoSignIn(db, config, login);
    const t = (m: number) => later(signed.signedInAt, minutes(m));
    await idp.control("POST", "/test/down?on=1");
    try {
      for (const m of [3, 5, 8, 12]) expect(await requestAt(db, config, signed.cookie, t(m)), `at ${m} min`).toMatchObject({ status: "active" });
      expect((await db.prisma.ssoTokens.findUniqueOrThrow({ where: { sessionId: signed.sessionId } })).failingSince).toEqual(t(3));
    } finally {
      await idp.control("POST", "/test/down?on=0");
    }
    expect(await requestAt(db, config, signed.cookie, t(13.5))).toMatchObject({ status: "active" });
    expect(await refreshCount(login)).toBe(1);
    const row = await db.prisma.ssoTokens.findUniqueOrThrow({ where: { sessionId: signed.sessionId } });
    expect(row).toMatchObject({ failingSince: null, checkedAt: t(13.5) });

    // Down for longer than the grace (10 minutes here): the session ends, with its own words.
    await idp.control("POST", "/test/down?on=1");
    try {
      for (const m of [16, 20, 27]) await requestAt(db, config, signed.cookie, t(m));
    } finally {
      await idp.control("POST", "/test/down?on=0");
    }
    expect(await validateSessionCookie(db, config, signed.cookie, request, t(27.2))).toEqual({ status: "ended", reason: "idp-unconfirmed" });
  }, 60_000);

  it("a provider that does not answer in time gets the grace, as one that is down does", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const signed = await ssoSignIn(db, config, uniqueLogin("timeout"));
    const at = later(signed.signedInAt, minutes(RECHECK_MINUTES + 1));
    // Past the token endpoint's 5 s timeout.
    await idp.control("POST", "/test/delay?ms=6000");
    try {
      expect(await recheckSsoSession(db, config, signed.sessionId, at)).toBe("unreachable");
    } finally {
      await idp.control("POST", "/test/delay?ms=0");
    }
    expect(await db.prisma.ssoTokens.findUniqueOrThrow({ where: { sessionId: signed.sessionId } })).toMatchObject({ failingSince: at });
    expect(await db.prisma.session.findUniqueOrThrow({ where: { id: signed.sessionId }, select: { revokedAt: true } })).toEqual({ revokedAt: null });
  }, 60_000);

  it("a refusal other than invalid_grant ends the session at that re-check, without grace: a client the provider does not know (invalid_client), one not allowed the grant", async () => {
    const refusals = [
      { error: "invalid_client", env: { DASHBOARD_OIDC_CLIENT_ID: "sessionboard-removed" } },
      // A client without a secret, not allowed refresh tokens: answered 400 (invalid_request, by this provider).
      { error: "invalid_request", env: { DASHBOARD_OIDC_CLIENT_ID: "sessionboard-public" }, withoutSecret: true },
    ];
    for (const refusal of refusals) {
      const { db, env } = await tempDatabase();
      const login = uniqueLogin("refused");
      const signed = await ssoSignIn(db, ssoConfig(env), login);
      const base = ssoConfig(env, refusal.env);
      const changed = refusal.withoutSecret && base.oidc ? { ...base, oidc: { ...base.oidc, clientSecret: null } } : base;
      const at = later(signed.signedInAt, minutes(RECHECK_MINUTES + 1));
      expect(await recheckSsoSession(db, changed, signed.sessionId, at), refusal.error).toBe("revoked");
      expect(await validateSessionCookie(db, changed, signed.cookie, request, later(at, 1_000))).toEqual({ status: "ended", reason: "idp-revoked" });
      const event = await db.prisma.authEvent.findFirstOrThrow({ where: { type: "session.revoked", sessionId: signed.sessionId } });
      expect(event.detail).toMatch(new RegExp(`^SSO re-check: refresh refused \\(${refusal.error}`));
    }
  }, 60_000);

  it("a refresh answered without an ID token keeps the rotated refresh token though userinfo then fails; an admin's role is kept only for the grace, and follows at the next re-check", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const login = uniqueLogin("admin-userinfo");
    const signed = await ssoSignIn(db, config, login);
    const t = (m: number) => later(signed.signedInAt, minutes(m));
    const kept = async () => db.prisma.ssoTokens.findUniqueOrThrow({ where: { sessionId: signed.sessionId } });
    const first = openTokens(config, await kept()).refreshToken;
    idp.faults.refreshWithoutIdToken = true;
    idp.faults.userinfoFailures = 1;
    try {
      // The grant succeeded, so its rotated token is stored; the admin group could not be re-read,
      // so the admin role stands only for the grace, as while the provider cannot be reached.
      expect(await recheckSsoSession(db, config, signed.sessionId, t(RECHECK_MINUTES + 1))).toBe("unreachable");
      expect(idp.faults.userinfoFailures, "userinfo was asked").toBe(0);
      expect(await refreshCount(login)).toBe(1);
      const row = await kept();
      expect(openTokens(config, row).refreshToken).not.toBe(first);
      expect(row).toMatchObject({ failingSince: t(RECHECK_MINUTES + 1), checkedAt: t(RECHECK_MINUTES + 1) });
      expect(await validateSessionCookie(db, config, signed.cookie, request, t(RECHECK_MINUTES + 1.1))).toMatchObject({ status: "active", user: { role: "admin" } });

      // The next re-check uses the rotated token (the spent one would be refused), and userinfo answers.
      await idp.control("POST", `/test/account?sub=${login}`, { groups: ["staff"] });
      expect(await recheckSsoSession(db, config, signed.sessionId, t(2 * RECHECK_MINUTES + 2))).toBe("ok");
      expect(await refreshCount(login)).toBe(2);
      expect(await validateSessionCookie(db, config, signed.cookie, request, t(2 * RECHECK_MINUTES + 2.1))).toMatchObject({ status: "active", user: { role: "user" } });
    } finally {
      idp.faults.refreshWithoutIdToken = false;
      idp.faults.userinfoFailures = 0;
    }
  }, 60_000);

  it("a session of an issuer that is no longer the configured one ends without its refresh token reaching the new provider", async () => {
    const { db, env } = await tempDatabase();
    const login = uniqueLogin("old-issuer");
    const signed = await ssoSignIn(db, ssoConfig(env), login);
    const seen: string[] = [];
    const newProvider = http.createServer((incoming, response) => {
      seen.push(incoming.url ?? "");
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => newProvider.listen(0, "127.0.0.1", resolve));
    try {
      const moved = ssoConfig(env, { DASHBOARD_OIDC_ISSUER: `http://127.0.0.1:${(newProvider.address() as net.AddressInfo).port}` });
      const at = later(signed.signedInAt, minutes(RECHECK_MINUTES + 1));
      expect(await recheckSsoSession(db, moved, signed.sessionId, at)).toBe("issuer_changed");
      expect(seen).toEqual([]);
      expect(await validateSessionCookie(db, moved, signed.cookie, request, later(at, 1_000))).toEqual({ status: "ended", reason: "idp-unconfirmed" });
      const event = await db.prisma.authEvent.findFirstOrThrow({ where: { type: "session.revoked", sessionId: signed.sessionId } });
      expect(event.detail).toBe(`SSO re-check: the account's issuer ${idp.issuer} is no longer the configured one`);
      expect(await db.prisma.ssoTokens.count({ where: { sessionId: signed.sessionId } })).toBe(0);
      expect(await refreshCount(login)).toBe(0);
    } finally {
      await new Promise((resolve) => newProvider.close(resolve));
    }
  }, 60_000);

  it("never holds up a request: a slow provider is asked after the answer", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const login = uniqueLogin("slow");
    const signed = await ssoSignIn(db, config, login);
    await idp.control("POST", "/test/delay?ms=2000");
    try {
      const started = performance.now();
      const check = await validateSessionCookie(db, config, signed.cookie, request, later(signed.signedInAt, minutes(RECHECK_MINUTES + 1)));
      const answeredInMs = performance.now() - started;
      expect(check).toMatchObject({ status: "active" });
      expect(answeredInMs).toBeLessThan(500);
      // The re-check ran meanwhile, and finished once the provider answered.
      expect(await refreshCount(login)).toBe(0);
      await ssoRechecksSettled();
      expect(await refreshCount(login)).toBe(1);
    } finally {
      await idp.control("POST", "/test/delay?ms=0");
    }
  }, 60_000);

  it("refresh-token rotation with two replicas at once: one refreshes, the other uses the new token, nobody is signed out", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const replica = await openDatabase(config);
    try {
      const login = uniqueLogin("replicas");
      const signed = await ssoSignIn(db, config, login);
      const at = later(signed.signedInAt, minutes(RECHECK_MINUTES + 1));
      const outcomes = await Promise.all([recheckSsoSession(db, config, signed.sessionId, at), recheckSsoSession(replica, config, signed.sessionId, at)]);
      // Exactly one asks the provider. The other finds the lease taken ("busy") or, when it reads
      // after the winner has finished, the session just checked ("skipped"); both are right.
      expect(outcomes.filter((outcome) => outcome === "ok")).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome !== "ok")).toEqual([expect.stringMatching(/^(busy|skipped)$/)]);
      expect(await refreshCount(login)).toBe(1);
      // The next re-check, by the replica that lost, uses the rotated token (the old one would revoke the grant).
      expect(await recheckSsoSession(replica, config, signed.sessionId, later(at, minutes(RECHECK_MINUTES + 1)))).toBe("ok");
      expect(await refreshCount(login)).toBe(2);
      expect(await validateSessionCookie(replica, config, signed.cookie, request, later(at, minutes(RECHECK_MINUTES + 1.5)))).toMatchObject({ status: "active" });
    } finally {
      await replica.close();
    }
  }, 60_000);

  it("removing the admin group at the provider demotes the user within the interval", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const login = uniqueLogin("admin-demoted");
    const signed = await ssoSignIn(db, config, login);
    expect(await validateSessionCookie(db, config, signed.cookie, request)).toMatchObject({ status: "active", user: { role: "admin" } });
    await idp.control("POST", `/test/account?sub=${login}`, { groups: ["staff"] });
    await requestAt(db, config, signed.cookie, later(signed.signedInAt, minutes(RECHECK_MINUTES + 1)));
    expect(await validateSessionCookie(db, config, signed.cookie, request, later(signed.signedInAt, minutes(RECHECK_MINUTES + 1.1)))).toMatchObject({
      status: "active",
      user: { role: "user" },
    });
    const event = await db.prisma.authEvent.findFirstOrThrow({ where: { type: "sso.role_changed", userId: signed.userId } });
    expect(event).toMatchObject({ actor: "idp", detail: "admin → user: the groups claim at a refresh no longer includes sessionboard-admins" });
  }, 60_000);

  it("DASHBOARD_OIDC_RECHECK_MINUTES=0 turns the re-check off", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env, { DASHBOARD_OIDC_RECHECK_MINUTES: "0" });
    const login = uniqueLogin("off");
    const signed = await ssoSignIn(db, config, login);
    await idp.control("POST", `/test/disable?sub=${login}`);
    expect(await requestAt(db, config, signed.cookie, later(signed.signedInAt, minutes(60)))).toMatchObject({ status: "active" });
    expect(await refreshCount(login)).toBe(0);
  }, 60_000);
});

describe("RP-initiated logout", () => {
  it("sends the session's ID token as id_token_hint", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const signed = await ssoSignIn(db, config, uniqueLogin("logout-hint"));
    const idToken = await storedIdToken(db, config, signed.sessionId);
    if (!config.oidc || !idToken) throw new Error("an ID token should be kept");
    const url = await identityProviderLogoutUrl(config, config.oidc, await sealLogoutHint(config, idToken));
    expect(url?.searchParams.get("id_token_hint")).toBe(idToken);
    // A hint that is not ours is ignored: the provider then asks the person.
    const forged = await identityProviderLogoutUrl(config, config.oidc, "Fe26.2**garbage");
    expect(forged?.searchParams.has("id_token_hint")).toBe(false);
  }, 60_000);
});

/** Everything the database holds, as bytes or text: the SQLite files, or every row of PostgreSQL's tables. */
async function databaseDump(db: Database, env: Record<string, string>): Promise<string> {
  if (TEST_BACKEND === "sqlite") {
    const file = env.DASHBOARD_SESSION_SQLITE_PATH;
    return [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString("latin1")).join("\n");
  }
  const tables = await db.prisma.$queryRawUnsafe<{ tablename: string }[]>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
  const parts: string[] = [];
  for (const { tablename } of tables) {
    const rows = await db.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join("\n");
}
