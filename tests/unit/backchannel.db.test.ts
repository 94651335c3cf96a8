import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backchannelLogout } from "@/lib/auth/backchannel";
import { finishOidcLogin, startOidcLogin } from "@/lib/auth/oidc";
import type { Config } from "@/lib/config";
import type { Database } from "@/lib/db";
import { errorResponse } from "@/lib/http/errors";
import { startTestIdp, type TestIdp } from "../support/test-idp";
import { request, tempDatabase, TEST_BACKEND, testConfig, thrownBy } from "./helpers";

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
}, 30_000);
afterAll(() => idp.stop());

function ssoConfig(env: Record<string, string>): Config {
  return testConfig({
    ...env,
    DASHBOARD_URL: idp.appUrl,
    DASHBOARD_OIDC_ISSUER: idp.issuer,
    DASHBOARD_OIDC_CLIENT_ID: "sessionboard",
    DASHBOARD_OIDC_CLIENT_SECRET: "e2e-client-secret-0123456789",
  });
}

let logins = 0;
const uniqueLogin = (prefix: string) => `${prefix}-${TEST_BACKEND}-${Date.now().toString(36)}-${logins++}`;

/** A real sign-in at the test provider, through the app's own code flow; returns the session id. */
async function ssoSignIn(db: Database, config: Config, login: string): Promise<string> {
  if (!config.oidc) throw new Error("SSO should be configured");
  const started = await startOidcLogin(config, config.oidc, { rememberMe: false, next: "/" });
  const callback = await idp.authorize(started.url, login);
  const result = await finishOidcLogin(db, config, config.oidc, { url: callback, transaction: started.transaction, sessionCookie: undefined }, request);
  if (!result.ok || "reauthenticated" in result) throw new Error(`SSO sign-in failed: ${JSON.stringify(result)}`);
  return result.session.id;
}

/** A logout token for every session of `login`, issued now by the provider's clock. */
const logoutToken = async (login: string) => (await idp.control("GET", `/test/logout-token?sub=${login}`)).text();

describe("back-channel logout from a provider whose clock is ahead of ours", () => {
  it("accepts a token issued a few seconds in our future, and ends the sessions signed in before it", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    if (!config.oidc) throw new Error("SSO should be configured");
    const login = uniqueLogin("ahead");
    const sessions = [await ssoSignIn(db, config, login), await ssoSignIn(db, config, login)];
    const token = await logoutToken(login);
    // Our clock 3 s behind the provider's: its iat is 3 s in our future.
    const ourNow = new Date(Date.now() - 3_000);
    expect(await backchannelLogout(db, config.oidc, token, request, ourNow)).toBe(2);
    const ended = await db.prisma.session.findMany({ where: { id: { in: sessions } }, select: { endReason: true } });
    expect(ended).toEqual([{ endReason: "idp_logout" }, { endReason: "idp_logout" }]);
  }, 60_000);

  it("refuses a token issued far in our future (400 invalid_logout_token), and ends nothing", async () => {
    const { db, env } = await tempDatabase();
    const config = ssoConfig(env);
    const oidc = config.oidc;
    if (!oidc) throw new Error("SSO should be configured");
    const login = uniqueLogin("far-ahead");
    const session = await ssoSignIn(db, config, login);
    const token = await logoutToken(login);
    const response = errorResponse(await thrownBy(() => backchannelLogout(db, oidc, token, request, new Date(Date.now() - 60_000))));
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("invalid_logout_token");
    expect(await db.prisma.session.findUniqueOrThrow({ where: { id: session }, select: { revokedAt: true } })).toEqual({ revokedAt: null });
  }, 60_000);
});
