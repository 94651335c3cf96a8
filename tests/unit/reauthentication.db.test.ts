import { describe, expect, it } from "vitest";
import { encodeSessionCookie } from "@/lib/sessions/cookie";
import { confirmFreshSignIn, reauthenticationFor } from "@/lib/auth/freshness";
import { signInWithKey } from "@/lib/auth/static-login";
import { reauthenticationRefusal } from "@/lib/auth/oidc";
import { signInSsoUser } from "@/lib/auth/sso-identity";
import type { Config } from "@/lib/config";
import type { Database } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { validateSessionCookie, type SessionCheck } from "@/lib/sessions/sessions";
import { ADMIN_KEY, USER_KEY, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

const oidcEnv = {
  DASHBOARD_OIDC_ISSUER: "https://id.example.test",
  DASHBOARD_OIDC_CLIENT_ID: "sessionboard",
  DASHBOARD_OIDC_ADMIN_GROUP: "sessionboard-admins",
  DASHBOARD_FRESH_MINUTES: "15",
  DASHBOARD_LOGIN_MAX_FAILURES_PER_USER: "3",
};

async function setup() {
  const { db, env } = await tempDatabase();
  return { db, config: testConfig({ ...env, ...oidcEnv }) };
}

/** The active session behind a cookie, as the API sees it `at` a given time. */
async function activeAt(db: Database, config: Config, cookie: string, at: Date) {
  const check = await validateSessionCookie(db, config, cookie, request, at);
  if (check.status !== "active") throw new Error(`session is ${check.status}`);
  return check;
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof DomainError ? { status: error.status, code: error.code, retryAfter: error.retryAfterSeconds } : error),
  );

describe("re-authentication for destructive admin actions", () => {
  it("a fresh sign-in needs nothing; a stale static admin must type the admin key, never the shared key", async () => {
    const { db, config } = await setup();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const signedIn = root.session.createdAt;
    const fresh = await activeAt(db, config, root.cookie, later(signedIn, minutes(14)));
    expect(await confirmFreshSignIn(db, config, fresh, undefined, request, later(signedIn, minutes(14)))).toBeNull();

    const at = later(signedIn, minutes(16));
    const stale = await activeAt(db, config, root.cookie, at);
    expect(reauthenticationFor(config, stale.session, at)).toBe("admin_key");
    expect(await refusal(confirmFreshSignIn(db, config, stale, undefined, request, at))).toMatchObject({ code: "reauthentication_required" });
    expect(await refusal(confirmFreshSignIn(db, config, stale, USER_KEY, request, at))).toMatchObject({ status: 403, code: "wrong_key" });
    const failed = await db.prisma.authEvent.findMany({ where: { type: "reauth.failed" } });
    expect(failed).toMatchObject([{ username: "root", sessionId: root.session.id, detail: "wrong admin key", actor: "root" }]);
    expect(JSON.stringify(failed)).not.toContain(USER_KEY);
  });

  it("the right admin key replaces the session's token: the old cookie ends, the new one is fresh", async () => {
    const { db, config } = await setup();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const at = later(root.session.createdAt, minutes(30));
    const stale = await activeAt(db, config, root.cookie, at);
    const rotated = await confirmFreshSignIn(db, config, stale, ADMIN_KEY, request, at);
    if (!rotated) throw new Error("expected a new token");
    expect(rotated.token).not.toBe(root.token);
    expect((await validateSessionCookie(db, config, root.cookie, request, at)).status).toBe("ended");
    const renewed = await activeAt(db, config, encodeSessionCookie(config, { token: rotated.token, persistent: false }), at);
    expect(renewed.session.id).toBe(root.session.id);
    expect(renewed.session.createdAt).toEqual(root.session.createdAt);
    expect(renewed.session.authenticatedAt).toEqual(at);
    expect(renewed.user.role).toBe("admin");
    expect(reauthenticationFor(config, renewed.session, at)).toBe("none");
    expect(await db.prisma.authEvent.findFirst({ where: { type: "session.reauthenticated" } })).toMatchObject({
      sessionId: root.session.id,
      detail: "admin key; session token replaced",
    });
  });

  it("replaces the token once when the same cookie confirms twice at once: the later one finds its session ended", async () => {
    // Two confirmations sent together with the stale cookie: both pass the session check before
    // either replaces the token. Only the first may hand out a new cookie.
    const { db, config } = await setup();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const at = later(root.session.createdAt, minutes(30));
    const [first, second] = [await activeAt(db, config, root.cookie, at), await activeAt(db, config, root.cookie, at)];
    const rotated = await confirmFreshSignIn(db, config, first, ADMIN_KEY, request, at);
    expect(rotated).not.toBeNull();
    expect(await refusal(confirmFreshSignIn(db, config, second, ADMIN_KEY, request, at))).toMatchObject({ status: 401, code: "session_ended" });
    await activeAt(db, config, encodeSessionCookie(config, { token: rotated!.token, persistent: false }), at);
    expect(await db.prisma.authEvent.count({ where: { type: "session.reauthenticated" } })).toBe(1);
  });

  it("wrong keys at the prompt count against the session and its client: 429 once exhausted, even for the right key", async () => {
    const { db, config } = await setup();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const at = later(root.session.createdAt, minutes(20));
    const stale = await activeAt(db, config, root.cookie, at);
    for (let i = 0; i < 3; i++) {
      expect(await refusal(confirmFreshSignIn(db, config, stale, `guess-${i}`, request, at))).toMatchObject({ code: "wrong_key" });
    }
    const limited = await refusal(confirmFreshSignIn(db, config, stale, ADMIN_KEY, request, at));
    expect(limited).toMatchObject({ status: 429, code: "rate_limited" });
    expect((limited as { retryAfter: number }).retryAfter).toBeGreaterThan(0);
    expect(await db.prisma.authEvent.count({ where: { type: "reauth.failed" } })).toBe(4);
    // Not the name's sign-in limit: from another network, root signs in.
    expect((await signIn(db, config, "root", ADMIN_KEY, false, { ...request, ip: "198.51.100.77" })).session.id).toBeTruthy();
  });

  it("a name's sign-in limit, which anyone can exhaust, does not stop its admin from confirming an action", async () => {
    const { db, config } = await setup();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const at = later(root.session.createdAt, minutes(20));
    const stale = await activeAt(db, config, root.cookie, at);
    // Someone anywhere sends wrong keys for "root" until sign-ins under that name get 429.
    const stranger = { ...request, ip: "192.0.2.200" };
    for (let i = 0; i < 5; i++) await signInWithKey(db, config, { username: "root", key: `guess-${i}`, rememberMe: false }, stranger, at);
    expect(await signInWithKey(db, config, { username: "root", key: ADMIN_KEY, rememberMe: false }, request, at)).toMatchObject({ ok: false, code: "rate_limited" });
    // The admin already signed in still confirms with the right key.
    expect(await confirmFreshSignIn(db, config, stale, ADMIN_KEY, request, at)).toMatchObject({ token: expect.any(String) });
  });

  it("a stale SSO admin cannot confirm with any key: only the identity provider re-authenticates them", async () => {
    const { db, config } = await setup();
    if (!config.oidc) throw new Error("OIDC not configured");
    const grace = await signInSsoUser(db, config, config.oidc, { iss: "https://id.example.test", sub: "grace-sub", preferred_username: "grace", groups: ["sessionboard-admins"] }, { rememberMe: false }, request);
    if (!grace.ok) throw new Error(grace.code);
    const cookie = encodeSessionCookie(config, { token: grace.token, persistent: false });
    const at = later(grace.session.createdAt, minutes(20));
    const stale = await activeAt(db, config, cookie, at);
    expect(stale.user.role).toBe("admin");
    expect(reauthenticationFor(config, stale.session, at)).toBe("identity_provider");
    for (const key of [USER_KEY, ADMIN_KEY, undefined]) {
      expect(await refusal(confirmFreshSignIn(db, config, stale, key, request, at))).toMatchObject({ code: "reauthentication_required" });
    }
    expect((await validateSessionCookie(db, config, cookie, request, at)).status).toBe("active");
  });
});

describe("an SSO re-authentication's callback", () => {
  const reauth = { sessionId: "s1", startedAt: 1_000_000 };
  const active = (id = "s1", authMethod: "oidc" | "static" = "oidc") =>
    ({ status: "active", session: { id, authMethod }, user: {}, cookiePersistent: false }) as unknown as SessionCheck;
  const owner = { oidcIssuer: "https://id.example.test", oidcSubject: "grace-sub" };
  const claims = { iss: "https://id.example.test", sub: "grace-sub", auth_time: 1_000_010 };

  it("proves the session's owner signed in again after the request began", () => {
    expect(reauthenticationRefusal(reauth, active(), owner, claims)).toBeNull();
    // A few seconds of clock skew between us and the provider are tolerated.
    expect(reauthenticationRefusal(reauth, active(), owner, { ...claims, auth_time: 999_996 })).toBeNull();
  });

  it("refuses another browser's session, an ended session, another account, and an old or missing auth_time", () => {
    expect(reauthenticationRefusal(reauth, active("s2"), owner, claims)).toMatch(/no longer holds/);
    expect(reauthenticationRefusal(reauth, active("s1", "static"), owner, claims)).toMatch(/no longer holds/);
    expect(reauthenticationRefusal(reauth, { status: "ended", reason: "revoked" }, owner, claims)).toMatch(/no longer holds/);
    expect(reauthenticationRefusal(reauth, active(), owner, { ...claims, sub: "mallory-sub" })).toBe("the identity provider signed in a different account");
    expect(reauthenticationRefusal(reauth, active(), owner, { ...claims, iss: "https://other.example.test" })).toMatch(/different account/);
    expect(reauthenticationRefusal(reauth, active(), owner, { ...claims, auth_time: 900_000 })).toMatch(/auth_time/);
    expect(reauthenticationRefusal(reauth, active(), owner, { iss: claims.iss, sub: claims.sub })).toMatch(/auth_time/);
  });
});
