import type { Browser } from "@playwright/test";
import { expect, test } from "./api-contract";
import { BASE_URL, OIDC_ISSUER } from "./env";
import { currentSessionId, expectJsonError, loginAtTestIdp, uniqueUser, withDatabase } from "./helpers";

async function ssoSession(browser: Browser, login: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with SSO" }).click();
  await loginAtTestIdp(page, login);
  await expect(page).toHaveURL("/");
  return { context, page, sessionId: await currentSessionId(context.request) };
}

const mint = async (params: Record<string, string>) =>
  (await fetch(`${OIDC_ISSUER}/test/logout-token?${new URLSearchParams(params)}`)).text();

type EndSession = { idTokenHint: boolean; confirmationPage: boolean };
const endSessionsAtIdp = async () => (await (await fetch(`${OIDC_ISSUER}/test/end-sessions`)).json()) as EndSession[];

test.describe("logging out of an SSO session", () => {
  test("Log out ends the dashboard session; signing out at the IdP sends id_token_hint and needs no confirmation", async ({ browser }) => {
    const signed = await ssoSession(browser, uniqueUser("rplogout"));
    const page = signed.page;
    expect(withDatabase((db) => db.prepare(`SELECT COUNT(*) FROM "SsoTokens" WHERE sessionId = ?`).pluck().get(signed.sessionId))).toBe(1);
    // Here the IdP shares the host "localhost" with the app, so Log out's Clear-Site-Data also removes
    // the IdP's cookie. Put it back, as a provider on its own host would still have it.
    const idpCookies = (await signed.context.cookies(OIDC_ISSUER)).filter((c) => c.name.startsWith("_session"));
    expect(idpCookies.length).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL(/\/login\?signedOut=sso&hint=/);
    // The session's kept tokens are gone with it.
    expect(withDatabase((db) => db.prepare(`SELECT COUNT(*) FROM "SsoTokens" WHERE sessionId = ?`).pluck().get(signed.sessionId))).toBe(0);
    await signed.context.addCookies(idpCookies);

    const before = (await endSessionsAtIdp()).length;
    const [endSession] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith(`${OIDC_ISSUER}/session/end?`)),
      page.getByRole("link", { name: "Also sign out of your identity provider" }).click(),
    ]);
    const url = new URL(endSession.url());
    expect(url.searchParams.get("client_id")).toBe("sessionboard");
    expect(url.searchParams.get("post_logout_redirect_uri")).toBe(`${BASE_URL}/login?signedOut=1`);
    expect(url.searchParams.get("id_token_hint")).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    // Straight back, never shown "Do you want to sign-out?".
    await expect(page).toHaveURL("/login?signedOut=1");
    await expect(page.getByRole("main").getByRole("status")).toHaveText("You have signed out.");
    expect((await endSessionsAtIdp()).slice(before)).toEqual([{ idTokenHint: true, confirmationPage: false }]);
    // The IdP's own session ended too: signing in again asks for a login.
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    await expect(page.getByPlaceholder("Enter any login")).toBeVisible();
    await signed.context.close();
  });

  test("without a valid hint (expired, tampered) the IdP asks the person to confirm", async ({ browser }) => {
    const signed = await ssoSession(browser, uniqueUser("rpnohint"));
    const idpCookies = (await signed.context.cookies(OIDC_ISSUER)).filter((c) => c.name.startsWith("_session"));
    await signed.page.getByRole("button", { name: "Log out" }).click();
    await expect(signed.page).toHaveURL(/signedOut=sso/);
    await signed.context.addCookies(idpCookies);
    await signed.page.goto("/api/auth/oidc/logout?hint=Fe26.2**tampered");
    await expect(signed.page.getByRole("button", { name: "Yes, sign me out" })).toBeVisible();
    expect(new URL(signed.page.url()).searchParams.has("id_token_hint")).toBe(false);
    await signed.context.close();
  });
});

test.describe("OpenID Connect back-channel logout", () => {
  test("signing out at the IdP ends the dashboard session at once (by sid)", async ({ browser }) => {
    const login = uniqueUser("bclogout");
    const signed = await ssoSession(browser, login);
    const sid = withDatabase((db) => db.prepare(`SELECT oidcSid FROM "Session" WHERE id = ?`).pluck().get(signed.sessionId));
    expect(typeof sid).toBe("string");

    // RP-initiated logout at the IdP's end_session endpoint; the IdP then posts the logout token to us.
    await signed.page.goto(`${OIDC_ISSUER}/session/end`);
    await signed.page.getByRole("button", { name: "Yes, sign me out" }).click();
    await expect
      .poll(() => withDatabase((db) => db.prepare(`SELECT revokedBy FROM "Session" WHERE id = ?`).pluck().get(signed.sessionId)))
      .toBe("idp");
    await signed.page.goto(`${BASE_URL}/settings/sessions`);
    await expect(signed.page).toHaveURL(/\/login/);
    await expect(signed.page.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");
    const event = withDatabase((db) =>
      db.prepare(`SELECT actor, detail FROM "AuthEvent" WHERE type = 'session.revoked' AND sessionId = ?`).get(signed.sessionId),
    );
    expect(event).toEqual({ actor: "idp", detail: `back-channel logout: IdP session ${sid}` });
    await signed.context.close();
  });

  test("a logout token ends the right sessions: one IdP session by sid, or all of a subject by sub", async ({ browser, request }) => {
    const login = uniqueUser("bcsub");
    const [first, second, third] = [await ssoSession(browser, login), await ssoSession(browser, login), await ssoSession(browser, login)];
    const bystander = await ssoSession(browser, uniqueUser("bystander"));
    const sidOf = (id: string) => withDatabase((db) => db.prepare(`SELECT oidcSid FROM "Session" WHERE id = ?`).pluck().get(id)) as string;

    const bySid = await request.post("/api/auth/oidc/backchannel-logout", { form: { logout_token: await mint({ sub: login, sid: sidOf(first.sessionId) }) } });
    expect(bySid.status()).toBe(200);
    expect(await bySid.json()).toEqual({ revoked: 1 });
    expect((await first.context.request.get("/api/auth/session")).status()).toBe(401);
    expect((await second.context.request.get("/api/auth/session")).status()).toBe(200);
    // The ended one is kept as history, with what ended it, for the person's other sessions to see.
    const history = await second.context.request.get("/api/sessions?state=ended");
    expect((await history.json()).sessions).toEqual([expect.objectContaining({ id: first.sessionId, endReason: "idp_logout", endedBy: "idp" })]);
    await second.page.goto(`${BASE_URL}/settings/sessions`);
    await expect(second.page.getByRole("region", { name: "Recently ended" })).toContainText("Signed out at the identity provider");

    const bySub = await request.post("/api/auth/oidc/backchannel-logout", { form: { logout_token: await mint({ sub: login }) } });
    expect(await bySub.json()).toEqual({ revoked: 2 });
    for (const ended of [second, third]) expect((await ended.context.request.get("/api/auth/session")).status()).toBe(401);
    expect((await bystander.context.request.get("/api/auth/session")).status()).toBe(200);
    for (const s of [first, second, third, bystander]) await s.context.close();
  });

  test("forged or malformed logout tokens are refused with 400 and end nothing", async ({ browser, request }) => {
    const login = uniqueUser("bcforged");
    const signed = await ssoSession(browser, login);
    const post = (logout_token: string) => request.post("/api/auth/oidc/backchannel-logout", { form: { logout_token } });
    for (const token of [
      await mint({ sub: login, forged: "1" }),
      await mint({ sub: login, nonce: "1" }),
      await mint({ sub: login, aud: "another-client" }),
      await mint({ sub: login, noEvent: "1" }),
      // Issued just now, but already past its own expiry.
      await mint({ sub: login, expired: "1" }),
      await mint({}),
      "not.a.jwt",
      "garbage",
    ]) {
      await expectJsonError(await post(token), 400, "invalid_logout_token");
    }
    await expectJsonError(await request.post("/api/auth/oidc/backchannel-logout", { form: { other: "x" } }), 400, "invalid_input");
    expect((await signed.context.request.get("/api/auth/session")).status()).toBe(200);
    await signed.context.close();
  });
});
