import { randomUUID } from "node:crypto";
import http from "node:http";
import type net from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_ACTOR, type Actor } from "@/lib/actor";
import { countedSessionsPerMethod } from "@/lib/admin/active-counts";
import { revokeAllSessions, revokeSessionAsAdmin, revokeUserSessionsAsAdmin } from "@/lib/admin/sessions";
import { disableUser } from "@/lib/admin/users";
import { backchannelLogout } from "@/lib/auth/backchannel";
import { finishOidcLogin } from "@/lib/auth/oidc";
import { signInWithKey } from "@/lib/auth/static-login";
import type { Config } from "@/lib/config";
import { openDatabase, type Database } from "@/lib/db";
import { metricsAccess } from "@/lib/metrics/access";
import { renderMetrics, watchDatabase } from "@/lib/metrics/metrics";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import { revokeOtherOwnSessions, revokeOwnSession } from "@/lib/sessions/own-sessions";
import { createSession, endSessionByLogout, validateSessionCookie } from "@/lib/sessions/sessions";
import { generateId } from "@/lib/sessions/token";
import { added, series } from "../support/metrics";
import { closedPort } from "../support/ports";
import { ADMIN_KEY, USER_KEY, days, later, request, signIn, tempDatabase, testConfig } from "./helpers";

const ended = (work: () => Promise<unknown>) => added("sessionboard_sessions_ended_total", work);
const attempts = (work: () => Promise<unknown>) => added("sessionboard_login_attempts_total", work);

/** The signed-in session of a fresh sign-in, as the session check gives it. */
async function signedIn(db: Database, config: Config, username: string, key = USER_KEY) {
  const { cookie } = await signIn(db, config, username, key);
  const check = await validateSessionCookie(db, config, cookie, request);
  if (check.status !== "active") throw new Error("the new session should be active");
  return { ...check, cookie };
}

const admin = (session: { user: { username: string }; session: { id: string } }): Actor => ({ username: session.user.username, sessionId: session.session.id });

describe("session metrics count each ended session once, by cause", () => {
  it("logout, own revocations, admin revocations and force logout", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const alice = await signedIn(db, config, "alice");
    expect(await ended(() => endSessionByLogout(db, alice.session, alice.user, request))).toEqual({ "reason=logout": 1 });
    // Its row is gone: a second logout (another tab) ends nothing more.
    expect(await ended(() => endSessionByLogout(db, alice.session, alice.user, request))).toEqual({});

    const owner = await signedIn(db, config, "bob");
    const others = await Promise.all([1, 2, 3].map(() => signIn(db, config, "bob", USER_KEY)));
    expect(await ended(() => revokeOwnSession(db, owner, others[0].session.id, request))).toEqual({ "reason=revoked_by_user": 1 });
    expect(await ended(() => revokeOtherOwnSessions(db, owner, request))).toEqual({ "reason=revoked_all": 2 });
    // The revoked device is told at its next request; that is not a second end.
    expect(await ended(() => validateSessionCookie(db, config, others[1].cookie, request))).toEqual({});

    const root = await signedIn(db, config, "root", ADMIN_KEY);
    const carol = await Promise.all([1, 2, 3].map(() => signIn(db, config, "carol", USER_KEY)));
    expect(await ended(() => revokeSessionAsAdmin(db, admin(root), carol[0].session.id, undefined, request))).toEqual({ "reason=revoked_by_admin": 1 });
    expect(await ended(() => revokeUserSessionsAsAdmin(db, admin(root), "carol", undefined, request))).toEqual({ "reason=revoked_all": 2 });
    // Everyone's: the owner's session, dave's two and the admin's own; only the rows actually revoked count.
    await Promise.all([1, 2].map(() => signIn(db, config, "dave", USER_KEY)));
    expect(await ended(() => revokeAllSessions(db, config, CLI_ACTOR, { includeSelf: true, batchSize: 2 }, request))).toEqual({ "reason=revoked_all": 4 });
    expect(await ended(() => revokeAllSessions(db, config, CLI_ACTOR, { includeSelf: true }, request))).toEqual({});
  });

  it("expiry, key change, disabled users and the per-user limit", async () => {
    const { db } = await tempDatabase();
    const config = testConfig({ SESSION_MAX_PER_USER: "2" });
    const idle = await signIn(db, config, "alice", USER_KEY);
    const at = later(idle.session.createdAt, days(7));
    expect(await ended(() => validateSessionCookie(db, config, idle.cookie, request, at))).toEqual({ "reason=expired_idle": 1 });
    expect(await ended(() => validateSessionCookie(db, config, idle.cookie, request, at))).toEqual({});

    const capped = await signIn(db, config, "bob", USER_KEY);
    await db.prisma.session.update({ where: { id: capped.session.id }, data: { absoluteExpiresAt: new Date(Date.now() - 1000) } });
    expect(await ended(() => validateSessionCookie(db, config, capped.cookie, request))).toEqual({ "reason=expired_absolute": 1 });

    const old = await signIn(db, config, "carol", USER_KEY);
    const rotated = testConfig({ SESSION_MAX_PER_USER: "2", DASHBOARD_KEY: "a-new-user-key" });
    expect(await ended(() => validateSessionCookie(db, rotated, old.cookie, request))).toEqual({ "reason=key_changed": 1 });

    // A third sign-in of dave pushes his oldest session out.
    await signIn(db, config, "dave", USER_KEY);
    await signIn(db, config, "dave", USER_KEY);
    expect(await ended(() => signIn(db, config, "dave", USER_KEY))).toEqual({ "reason=per_user_limit": 1 });

    // Disabling ends all of erin's sessions (two, the limit); met later, they are not counted again.
    const erin = await signIn(db, config, "erin", USER_KEY);
    await signIn(db, config, "erin", USER_KEY);
    expect(await ended(() => disableUser(db, CLI_ACTOR, "erin", undefined, request))).toEqual({ "reason=disabled": 2 });
    expect(await ended(() => validateSessionCookie(db, config, erin.cookie, request))).toEqual({});
    // A session the revocation did not reach (disabled by hand in the database) ends when met.
    const frank = await signIn(db, config, "frank", USER_KEY);
    await db.prisma.user.update({ where: { username: "frank" }, data: { disabledAt: new Date() } });
    expect(await ended(() => validateSessionCookie(db, config, frank.cookie, request))).toEqual({ "reason=disabled": 1 });
  });

  it("counts the expiries nobody saw when cleanup marks them ended, and a revoked row's end only once", async () => {
    const { db } = await tempDatabase();
    // No history kept: every ended row is deleted in the same run.
    const config = testConfig({ SESSION_HISTORY_DAYS: "0" });
    await Promise.all(["alice", "bob", "carol", "dave", "erin"].map((name) => signIn(db, config, name, USER_KEY)));
    const past = new Date(Date.now() - 1000);
    // Idle expiry (alice, bob), the absolute cap (carol: both expiries are the cap), a revocation
    // counted when it happened and expired since (dave), and a session still active (erin).
    await db.prisma.session.updateMany({ where: { user: { username: { in: ["alice", "bob"] } } }, data: { expiresAt: past } });
    await db.prisma.session.updateMany({ where: { user: { username: "carol" } }, data: { expiresAt: past, absoluteExpiresAt: past } });
    await db.prisma.session.updateMany({ where: { user: { username: "dave" } }, data: { expiresAt: past, revokedAt: past, revokedBy: "root" } });
    let endsSeen: Record<string, number> = {};
    const deleted = await added("sessionboard_cleanup_deleted_total", async () => {
      endsSeen = await ended(() => cleanupSessions(db, config, { batchSize: 1 }));
    });
    expect(deleted).toEqual({ "": 4 });
    expect(endsSeen).toEqual({ "reason=expired_idle": 2, "reason=expired_absolute": 1 });
  });

  it("counts an expiry the session check met once, not again when cleanup deletes it", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { cookie, session } = await signIn(db, config, "alice", USER_KEY);
    const afterExpiry = new Date(session.expiresAt.getTime() + 1000);
    expect(await ended(() => validateSessionCookie(db, config, cookie, request, afterExpiry))).toEqual({ "reason=expired_idle": 1 });
    expect(await ended(() => validateSessionCookie(db, config, cookie, request, afterExpiry))).toEqual({});
    const deleted = await added("sessionboard_cleanup_deleted_total", async () => {
      expect(await ended(() => cleanupSessions(db, config, { now: later(afterExpiry, days(31)) }))).toEqual({});
    });
    expect(deleted).toEqual({ "": 1 });
  });
});

describe("login attempt metrics", () => {
  it("count each key sign-in by result", async () => {
    const { db } = await tempDatabase();
    const config = testConfig({ DASHBOARD_LOGIN_MAX_FAILURES_PER_USER: "2" });
    const attempt = (username: string, key: string, rememberMe = false) => signInWithKey(db, config, { username, key, rememberMe }, request);
    expect(await attempts(() => attempt("alice", USER_KEY))).toEqual({ "method=static,result=ok": 1 });
    expect(await attempts(async () => [await attempt("bob", "wrong-key"), await attempt("bob", "wrong-key")])).toEqual({ "method=static,result=invalid": 2 });
    expect(await attempts(() => attempt("bob", USER_KEY))).toEqual({ "method=static,result=rate_limited": 1 });
    // An admin name with the shared key is a wrong key.
    expect(await attempts(() => attempt("root", USER_KEY))).toEqual({ "method=static,result=invalid": 1 });

    await attempt("carol", USER_KEY);
    await disableUser(db, CLI_ACTOR, "carol", undefined, request);
    expect(await attempts(() => attempt("carol", USER_KEY))).toEqual({ "method=static,result=disabled": 1 });
    // The shared key refused for an SSO account counts as a wrong credential for it.
    await db.prisma.user.create({ data: { id: generateId(), username: "sso-dan", authSource: "oidc", oidcIssuer: "https://idp.example.com", oidcSubject: "dan" } });
    expect(await attempts(() => attempt("sso-dan", USER_KEY))).toEqual({ "method=static,result=invalid": 1 });
  });

  it("count sign-ins by method and Remember Me", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const created = await added("sessionboard_sessions_created_total", async () => {
      await signIn(db, config, "alice", USER_KEY, true);
      await signIn(db, config, "alice", USER_KEY, false);
      await signIn(db, config, "bob", USER_KEY, false);
    });
    expect(created).toEqual({ "method=static,remember_me=true": 1, "method=static,remember_me=false": 2 });
  });

  it("count an SSO callback that fails as sso_error", async () => {
    const { db } = await tempDatabase();
    const config = testConfig({ DASHBOARD_OIDC_ISSUER: `http://127.0.0.1:${await closedPort()}`, DASHBOARD_OIDC_CLIENT_ID: "sessionboard" });
    if (!config.oidc) throw new Error("SSO should be configured");
    const oidc = config.oidc;
    const callback = { url: new URL("http://localhost:3000/api/auth/oidc/callback?code=c&state=s"), transaction: undefined, sessionCookie: undefined };
    expect(await attempts(() => finishOidcLogin(db, config, oidc, callback, request))).toEqual({ "method=oidc,result=sso_error": 1 });
  });
});

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A provider with discovery and a JWKS, signing logout tokens with its key. */
async function identityProvider() {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const server = http.createServer((incoming, response) => {
    const json = (body: unknown) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (incoming.url === "/.well-known/openid-configuration") {
      return json({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
      });
    }
    if (incoming.url === "/jwks") return json({ keys: [jwk] });
    response.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const logoutToken = (sub: string) =>
    new SignJWT({ events: { "http://schemas.openid.net/event/backchannel-logout": {} } })
      .setProtectedHeader({ alg: "RS256", kid: "k1", typ: "logout+jwt" })
      .setIssuer(issuer)
      .setAudience("sessionboard")
      .setSubject(sub)
      .setIssuedAt()
      .setJti(randomUUID())
      .sign(privateKey);
  return { issuer, logoutToken };
}

describe("back-channel logout metrics", () => {
  it("count each logout token by result, and the sessions it ends as idp_logout", async () => {
    const { db } = await tempDatabase();
    const { issuer, logoutToken } = await identityProvider();
    const config = testConfig({ DASHBOARD_OIDC_ISSUER: issuer, DASHBOARD_OIDC_CLIENT_ID: "sessionboard" });
    if (!config.oidc) throw new Error("SSO should be configured");
    const oidc = config.oidc;
    const user = await db.prisma.user.create({ data: { id: generateId(), username: "sso-ann", authSource: "oidc", oidcIssuer: oidc.issuerId, oidcSubject: "ann" } });
    const sso = { userId: user.id, username: user.username, authMethod: "oidc" as const, rememberMe: false, keyFingerprint: null };
    await createSession(db, config, sso, request);
    await createSession(db, config, sso, request);

    const token = await logoutToken("ann");
    let endedByIdp: Record<string, number> = {};
    const results = await added("sessionboard_backchannel_logout_total", async () => {
      endedByIdp = await ended(() => backchannelLogout(db, oidc, token, request));
      await expect(backchannelLogout(db, oidc, "garbage", request)).rejects.toMatchObject({ code: "invalid_logout_token" });
    });
    expect(endedByIdp).toEqual({ "reason=idp_logout": 2 });
    expect(results).toEqual({ "result=ok": 1, "result=invalid": 1 });
    // The same token again (a replay within its five minutes) ends no session signed in since it was issued.
    const later = await createSession(db, config, sso, request, new Date(Date.now() + 60_000));
    expect(await backchannelLogout(db, oidc, token, request)).toBe(0);
    expect(await db.prisma.session.findUniqueOrThrow({ where: { id: later.session.id } })).toMatchObject({ revokedAt: null, endReason: null });

    const down = testConfig({ DASHBOARD_OIDC_ISSUER: `http://127.0.0.1:${await closedPort()}`, DASHBOARD_OIDC_CLIENT_ID: "sessionboard" });
    if (!down.oidc) throw new Error("SSO should be configured");
    const unreachable = down.oidc;
    expect(
      await added("sessionboard_backchannel_logout_total", () => expect(backchannelLogout(db, unreachable, token, request)).rejects.toMatchObject({ code: "sso_unavailable" })),
    ).toEqual({ "result=unavailable": 1 });
  });
});

describe("gauges and the session check histogram", () => {
  it("sessions_active reads the per-user count table by method; database_up pings", async () => {
    const { db, env } = await tempDatabase();
    const config = testConfig();
    watchDatabase({ activeSessions: () => countedSessionsPerMethod(db, config), ping: () => db.ping() });
    await signIn(db, config, "alice", USER_KEY);
    await signIn(db, config, "bob", USER_KEY);
    const carol = await signIn(db, config, "carol", USER_KEY);
    const user = await db.prisma.user.create({ data: { id: generateId(), username: "sso-ann", authSource: "oidc", oidcIssuer: "https://idp.example.com", oidcSubject: "ann" } });
    await createSession(db, config, { userId: user.id, username: user.username, authMethod: "oidc", rememberMe: true, keyFingerprint: null }, request);
    // Revoked sessions leave the count; expired ones stay until cleanup deletes them.
    await revokeSessionAsAdmin(db, CLI_ACTOR, carol.session.id, undefined, request);
    await db.prisma.session.updateMany({ where: { user: { username: "bob" } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await series("sessionboard_sessions_active")).toEqual(new Map([["method=static", 2], ["method=oidc", 1]]));
    expect(await series("sessionboard_database_up")).toEqual(new Map([["", 1]]));

    // The figure is the count table's, not a count of "Session": what the table says is what is shown.
    await db.prisma.userSessionCount.updateMany({ where: { authMethod: "oidc" }, data: { sessions: { increment: 40 } } });
    watchDatabase({ activeSessions: () => countedSessionsPerMethod(db, config), ping: () => db.ping() });
    expect((await series("sessionboard_sessions_active")).get("method=oidc")).toBe(41);

    const text = (await renderMetrics()).body;
    expect(text).toContain('sessionboard_sessions_active{method="static"} 2');
    expect(text).toMatch(/^sessionboard_build_info\{version="\d+\.\d+\.\d+"\} 1$/m);
    expect(text).toContain("process_cpu_seconds_total");
    // No user, address or token reaches a label.
    expect(text).not.toMatch(/alice|bob|carol|sso-ann|203\.0\.113\.9/);

    // A second handle on the same database, closed: its pings fail.
    const closed = await openDatabase(testConfig(env));
    await closed.close();
    watchDatabase({ activeSessions: () => countedSessionsPerMethod(closed, config), ping: () => closed.ping() });
    expect(await series("sessionboard_database_up")).toEqual(new Map([["", 0]]));
    watchDatabase({ activeSessions: () => countedSessionsPerMethod(db, config), ping: () => db.ping() });
  });

  it("a scrape never waits on a database that does not answer: database_up is 0 within the ping's limit, the session figures left out", async () => {
    // Packets to the database dropped: nothing ever answers, nor fails.
    const never = <T>() => new Promise<T>(() => {});
    watchDatabase({ activeSessions: never, ping: never, webhookBacklog: never });
    const started = Date.now();
    const text = (await renderMetrics()).body;
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(text).toMatch(/^sessionboard_database_up 0$/m);
    expect(text).not.toMatch(/^sessionboard_sessions_active\{/m);
    const { db } = await tempDatabase();
    watchDatabase({ activeSessions: () => countedSessionsPerMethod(db, testConfig()), ping: () => db.ping() });
  }, 15_000);

  it("times every session check that reaches the database, and no cookie that is not ours", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { cookie } = await signIn(db, config, "alice", USER_KEY);
    const checked = await added("sessionboard_session_check_duration_seconds", async () => {
      await validateSessionCookie(db, config, cookie, request);
      await validateSessionCookie(db, config, "garbage", request);
      await validateSessionCookie(db, config, undefined, request);
    });
    expect(checked["_count"]).toBe(1);
    expect(checked["_sum"]).toBeGreaterThan(0);
  });
});

describe("/api/metrics access", () => {
  const token = "metrics-token-0123456789abcdef-0123";
  it("does not exist without a token; needs that exact bearer token with one", () => {
    expect(metricsAccess(testConfig(), `Bearer ${token}`)).toBe("absent");
    const config = testConfig({ DASHBOARD_METRICS_TOKEN: token });
    expect(metricsAccess(config, `Bearer ${token}`)).toBe("allowed");
    expect(metricsAccess(config, `bearer ${token}`)).toBe("allowed");
    for (const header of [null, "", token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, "Bearer "]) {
      expect(metricsAccess(config, header), String(header)).toBe("denied");
    }
  });
});
