import { request as http, type Browser, type Page } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, BASE_URL, MAX_FAILURES_PER_USER, OIDC_ISSUER, USER_KEY } from "./env";
import { ageAuthentication, currentSessionId, expectJsonError, loginAtTestIdp, signIn, uniqueUser, withDatabase } from "./helpers";

const origin = { origin: BASE_URL };

async function keyUser(browser: Browser, username: string, key = USER_KEY) {
  const context = await browser.newContext({ baseURL: BASE_URL });
  const page = await context.newPage();
  await signIn(page, username, key);
  await expect(page).toHaveURL("/");
  return { context, page, sessionId: await currentSessionId(context.request) };
}

async function ssoUser(browser: Browser, login: string) {
  const context = await browser.newContext({ baseURL: BASE_URL });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByRole("form", { name: "Single sign-on" }).getByRole("button", { name: "Sign in with SSO" }).click();
  await loginAtTestIdp(page, login);
  await expect(page).toHaveURL("/");
  return { context, page, sessionId: await currentSessionId(context.request) };
}

/** A user signed in with a key, and an SSO admin whose sign-in is 30 minutes old: too old for a destructive action. */
async function staleSsoAdminAndVictim(browser: Browser, adminLogin: string) {
  const victimName = uniqueUser("victim");
  const victim = await keyUser(browser, victimName);
  const admin = await ssoUser(browser, uniqueUser(adminLogin));
  ageAuthentication(admin.sessionId, 30);
  return { victimName, victim, admin };
}

const cookieValue = async (page: Page) => (await page.context().cookies()).find((c) => c.name === "session_token")?.value;

test.describe("re-authentication before destructive admin actions", () => {
  test("a stale SSO admin cannot confirm with the shared key, and re-authenticates at the identity provider", async ({ browser }) => {
    const { victimName, victim, admin } = await staleSsoAdminAndVictim(browser, "admin-reauth");

    // The shared key (or any key) is no proof for an SSO admin.
    for (const key of [USER_KEY, ADMIN_KEY]) {
      const refused = await admin.context.request.delete(`/api/admin/sessions?user=${victimName}`, { headers: origin, data: { key } });
      await expectJsonError(refused, 403, "reauthentication_required");
    }
    const disable = await admin.context.request.post(`/api/admin/users/${victimName}/disable`, { headers: origin, data: { key: USER_KEY } });
    await expectJsonError(disable, 403, "reauthentication_required");
    expect((await victim.context.request.get("/api/auth/session")).status()).toBe(200);

    // On the page: no key field, a way to the identity provider that comes back to this confirmation.
    const page = admin.page;
    const before = await cookieValue(page);
    await page.goto(`/admin/sessions?user=${victimName}&confirmUser=${victimName}`);
    const confirm = page.getByRole("group", { name: `Revoke every session of ${victimName}?` });
    await expect(confirm.getByLabel("Your admin key")).toHaveCount(0);
    await expect(confirm.getByRole("button", { name: /^Revoke all/ })).toHaveCount(0);
    let authorize = "";
    page.on("request", (request) => {
      if (request.url().startsWith(`${OIDC_ISSUER}/auth?`)) authorize = request.url();
    });
    await confirm.getByRole("button", { name: "Confirm with single sign-on" }).click();
    // The provider is asked for a new sign-in, whatever session it holds.
    await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
    expect(new URL(authorize).searchParams.get("prompt")).toBe("login");
    expect(new URL(authorize).searchParams.get("max_age")).toBe("0");
    await loginAtTestIdp(page, withDatabase((db) => (db.prepare(`SELECT u.oidcSubject AS sub FROM "Session" s JOIN "User" u ON u.id = s.userId WHERE s.id = ?`).get(admin.sessionId) as { sub: string }).sub), { consent: false });

    // Back at the confirmation, now fresh: the token was replaced and the old cookie no longer works.
    await expect(page).toHaveURL(new RegExp(`/admin/sessions\\?.*confirmUser=${victimName}`));
    const after = await cookieValue(page);
    expect(after).not.toBe(before);
    expect(await currentSessionId(admin.context.request)).toBe(admin.sessionId);
    // (From a separate client: the browser's own jar would store the answer's cookie clearing.)
    const thief = await http.newContext({ baseURL: BASE_URL, extraHTTPHeaders: { cookie: `session_token=${before}` } });
    await expectJsonError(await thief.get("/api/auth/session"), 401, "session_ended");
    await thief.dispose();

    const fresh = page.getByRole("group", { name: `Revoke every session of ${victimName}?` });
    await fresh.getByRole("button", { name: /^Revoke all/ }).click();
    await expect(page.getByRole("main").getByRole("status")).toHaveText(/Revoked 1 session of/);
    expect((await victim.context.request.get("/api/auth/session")).status()).toBe(401);
    const events = withDatabase((db) => db.prepare(`SELECT detail FROM "AuthEvent" WHERE type = 'session.reauthenticated' AND sessionId = ?`).all(admin.sessionId));
    expect(events).toEqual([{ detail: "identity provider (prompt=login); session token replaced" }]);
    for (const c of [victim, admin]) await c.context.close();
  });

  test("re-authenticated in a new session at the identity provider, the dashboard session follows it: signing out there ends it", async ({ browser }) => {
    const { victimName, victim, admin } = await staleSsoAdminAndVictim(browser, "admin-newidp");
    const page = admin.page;
    const subject = withDatabase((db) => db.prepare(`SELECT u.oidcSubject FROM "Session" s JOIN "User" u ON u.id = s.userId WHERE s.id = ?`).pluck().get(admin.sessionId)) as string;
    // The provider's own session has ended meanwhile (say, it timed out): the sign-in it asks for starts a new one.
    await admin.context.clearCookies({ name: /^_session/ });
    await page.goto(`/admin/sessions?user=${victimName}&confirmUser=${victimName}`);
    await page.getByRole("group", { name: `Revoke every session of ${victimName}?` }).getByRole("button", { name: "Confirm with single sign-on" }).click();
    await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
    await loginAtTestIdp(page, subject);
    await expect(page).toHaveURL(new RegExp(`/admin/sessions\\?.*confirmUser=${victimName}`));
    expect(await currentSessionId(admin.context.request)).toBe(admin.sessionId);

    // Signing out at the provider: it posts a logout token naming its new session, which must end this one.
    await page.goto(`${OIDC_ISSUER}/session/end`);
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await expect.poll(() => withDatabase((db) => db.prepare(`SELECT revokedBy FROM "Session" WHERE id = ?`).pluck().get(admin.sessionId))).toBe("idp");
    for (const c of [victim, admin]) await c.context.close();
  });

  test("cancelled at the identity provider: back at the confirmation, which says nothing was done", async ({ browser }) => {
    const { victimName, victim, admin } = await staleSsoAdminAndVictim(browser, "admin-cancel");
    const page = admin.page;
    await page.goto(`/admin/sessions?user=${victimName}&confirmUser=${victimName}`);
    await page.getByRole("button", { name: "Confirm with single sign-on" }).click();
    await page.getByRole("link", { name: "[ Cancel ]" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/sessions\\?.*confirmUser=${victimName}.*&error=sso_reauthentication_failed&sealed=`));
    const confirm = page.getByRole("group", { name: `Revoke every session of ${victimName}?` });
    await expect(confirm.getByRole("alert")).toHaveText("Your identity provider did not confirm it is you, so nothing was done. Try again.");
    expect(await currentSessionId(admin.context.request)).toBe(admin.sessionId);
    expect((await victim.context.request.get("/api/auth/session")).status()).toBe(200);
    for (const c of [victim, admin]) await c.context.close();
  });

  test("signing in as someone else at the identity provider re-authenticates nobody", async ({ browser }) => {
    const { victimName, victim, admin } = await staleSsoAdminAndVictim(browser, "admin-reauth");
    const page = admin.page;
    const before = await cookieValue(page);
    await page.goto(`/admin/sessions?user=${victimName}&confirmUser=${victimName}`);
    await page.getByRole("button", { name: "Confirm with single sign-on" }).click();
    await loginAtTestIdp(page, uniqueUser("admin-other"));
    // The provider switched its session to the other account and told us (back-channel logout), so
    // the admin's session ended; the callback refuses to re-authenticate a session that is gone.
    await expect(page).toHaveURL(/\/login/);
    expect(await cookieValue(page)).not.toBe(before);
    const failed = withDatabase((db) => db.prepare(`SELECT detail FROM "AuthEvent" WHERE type = 'reauth.failed' AND sessionId = ?`).all(admin.sessionId));
    expect(failed).toEqual([{ detail: "re-authentication for a session this browser no longer holds" }]);
    const reauthenticated = withDatabase((db) => db.prepare(`SELECT count(*) AS n FROM "AuthEvent" WHERE type = 'session.reauthenticated' AND sessionId = ?`).get(admin.sessionId));
    expect(reauthenticated).toEqual({ n: 0 });
    expect((await victim.context.request.get("/api/auth/session")).status()).toBe(200);
    for (const c of [victim, admin]) await c.context.close();
  });

  test("wrong admin keys at the prompt are limited and audited; a stolen stale cookie cannot guess on", async ({ browser }) => {
    const admin = await keyUser(browser, "chief", ADMIN_KEY);
    ageAuthentication(admin.sessionId, 30);
    const victimName = uniqueUser("victim");
    for (let i = 0; i < MAX_FAILURES_PER_USER; i++) {
      const wrong = await admin.context.request.delete(`/api/admin/sessions?user=${victimName}`, { headers: origin, data: { key: `guess-${i}-wrong` } });
      await expectJsonError(wrong, 403, "wrong_key");
    }
    const limited = await admin.context.request.delete(`/api/admin/sessions?user=${victimName}`, { headers: origin, data: { key: ADMIN_KEY } });
    await expectJsonError(limited, 429, "rate_limited");
    expect(Number(limited.headers()["retry-after"])).toBeGreaterThan(0);
    const events = withDatabase((db) => db.prepare(`SELECT detail FROM "AuthEvent" WHERE type = 'reauth.failed' AND sessionId = ? ORDER BY at`).all(admin.sessionId));
    expect(events).toHaveLength(MAX_FAILURES_PER_USER + 1);
    expect(events.at(-1)).toEqual({ detail: "rate limited" });
    await admin.context.close();
  });
});
