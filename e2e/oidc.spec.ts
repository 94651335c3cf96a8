import type { Page } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, BASE_URL, OIDC_ISSUER, USER_KEY } from "./env";
import { currentSessionId, expectJsonError, loginAtTestIdp, sessionCookie, signIn, uniqueUser, withDatabase } from "./helpers";

/** Failed sign-ins audited for this machine's address (summarised: one row per address and window, with a count). */
const anonymousFailures = () =>
  withDatabase((db) => (db.prepare(`SELECT COALESCE(SUM(count), 0) AS n FROM "AuthEvent" WHERE type = 'login.failed' AND ip = '127.0.0.1'`).get() as { n: number }).n);

/** Starts SSO from /login and signs in at the test IdP's development login and consent pages. */
async function ssoSignIn(page: Page, login: string, options: { remember?: boolean } = {}) {
  await page.goto("/login");
  const sso = page.getByRole("form", { name: "Single sign-on" });
  if (options.remember) await sso.getByLabel("Remember me on this device").check();
  await sso.getByRole("button", { name: "Sign in with SSO" }).click();
  await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
  await loginAtTestIdp(page, login);
}

test.describe("single sign-on (OpenID Connect)", () => {
  test("signs in through the IdP with a browser-session cookie, listed as SSO", async ({ page, context }) => {
    const login = uniqueUser("sso");
    await ssoSignIn(page, login);
    await expect(page).toHaveURL("/");
    await expect(page.getByTestId("signed-in-user")).toHaveText(`Test ${login}`);
    expect(await sessionCookie(context)).toMatchObject({ expires: -1 });
    await page.goto("/settings/sessions");
    await expect(page.getByTestId("session-card")).toContainText("SSO");
    const id = await currentSessionId(page.request);
    const row = withDatabase((db) => db.prepare(`SELECT authMethod, keyFingerprint, rememberMe FROM "Session" WHERE id = ?`).get(id));
    expect(row).toEqual({ authMethod: "oidc", keyFingerprint: null, rememberMe: 0 });
    const user = withDatabase((db) => db.prepare(`SELECT authSource, email, oidcIssuer FROM "User" WHERE username = ?`).get(login));
    expect(user).toEqual({ authSource: "oidc", email: `${login}@example.test`, oidcIssuer: OIDC_ISSUER });

    // Holding the shared key is not enough to sign in as an SSO user.
    const asThem = await page.request.post("/api/auth/login", { data: { username: login, key: USER_KEY } });
    await expectJsonError(asThem, 403, "sso_account");
  });

  test("Remember Me carries through the IdP round trip", async ({ page, context }) => {
    await ssoSignIn(page, uniqueUser("ssoremember"), { remember: true });
    await expect(page).toHaveURL("/");
    const cookie = await sessionCookie(context);
    expect(((cookie?.expires ?? 0) * 1000 - Date.now()) / 86_400_000).toBeGreaterThan(29.9);
  });

  test("the admin group claim makes an admin", async ({ page }) => {
    await ssoSignIn(page, uniqueUser("admin-sso"));
    await expect(page).toHaveURL("/");
    await expect(page.getByRole("link", { name: "Admin Panel" })).toBeVisible();
    expect((await page.goto("/admin/sessions"))?.status()).toBe(200);
  });

  test("only this site can start a sign-in (a post under the same-origin rule), and the way back stays small", async ({ page }) => {
    const crossSite = await page.request.post("/api/auth/oidc/login", { headers: { origin: "https://evil.example" }, form: { next: "/" }, maxRedirects: 0 });
    await expectJsonError(crossSite, 403, "cross_site_request");
    expect((await page.request.get("/api/auth/oidc/login", { maxRedirects: 0 })).status()).toBe(405);
    // A return path too long for the sealed transaction cookie falls back to "/" instead of breaking the sign-in.
    const long = await page.request.post("/api/auth/oidc/login", { headers: { origin: BASE_URL }, form: { next: `/settings/sessions?x=${"a".repeat(600)}` }, maxRedirects: 0 });
    expect(long.status()).toBe(303);
    const txCookie = long.headers()["set-cookie"] ?? "";
    expect(txCookie).toMatch(/^oidc_tx=/);
    expect(txCookie.length).toBeLessThan(1500);
  });

  test("cancelling at the IdP comes back to /login with a message", async ({ page }) => {
    await page.goto("/login");
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    await page.getByRole("link", { name: "[ Cancel ]" }).click();
    await expect(page).toHaveURL(/\/login\?error=sso_cancelled/);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Single sign-on was cancelled.");
  });

  test("a tampered state, a replayed callback and an expired transaction are refused with messages", async ({ page: first, browser }) => {
    let callback = "";
    first.on("request", (request) => {
      if (request.url().includes("/api/auth/oidc/callback")) callback = request.url();
    });
    await ssoSignIn(first, uniqueUser("replay"));
    await expect(first).toHaveURL("/");
    const failuresBefore = anonymousFailures();

    // In another browser a sign-in is in flight, and callbacks arrive that it did not ask for: one
    // with someone else's state, and a bare error any site could send the browser to.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
    const interaction = page.url();
    const tampered = new URL(callback);
    tampered.searchParams.set("state", "forged-state");
    await page.goto(tampered.toString());
    await expect(page).toHaveURL(/\/login\?error=sso_state/);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("That sign-in response did not match this browser. Please start again.");
    await page.goto("/api/auth/oidc/callback?error=access_denied");
    await expect(page).toHaveURL(/\/login\?error=sso_state/);
    // Neither cancelled the sign-in in flight: it still completes.
    await page.goto(interaction);
    await loginAtTestIdp(page, uniqueUser("inflight"));
    await expect(page).toHaveURL("/");
    await context.clearCookies(); // a browser with no sign-in in flight, here or at the provider

    // The first sign-in's genuine callback URL, replayed: its transaction is gone.
    await page.goto(callback);
    await expect(page).toHaveURL(/\/login\?error=sso_expired/);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("That sign-in took too long or was already used. Please start again.");

    // The transaction cookie expires (Max-Age 10 minutes) while the person is at the IdP.
    await page.goto("/login");
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
    await context.clearCookies({ name: "oidc_tx" });
    await loginAtTestIdp(page, uniqueUser("slow"));
    await expect(page).toHaveURL(/\/login\?error=sso_expired/);
    expect(await sessionCookie(context)).toBeUndefined();

    // All three are audited: failures from one address are counted on that address's summary row.
    expect(anonymousFailures() - failuresBefore).toBeGreaterThanOrEqual(3);
    await context.close();
  });

  test("a completed sign-in's callback URL cannot be used again in another browser", async ({ page, browser }) => {
    let callback = "";
    page.on("request", (request) => {
      if (request.url().includes("/api/auth/oidc/callback")) callback = request.url();
    });
    await ssoSignIn(page, uniqueUser("once"));
    await expect(page).toHaveURL("/");
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(callback);
    await expect(otherPage).toHaveURL(/\/login\?error=sso_expired/);
    await other.close();
  });

  test("an SSO account naming itself after a static admin gets its own account, not the admin's", async ({ page, browser }) => {
    const subject = uniqueUser("mallory");
    const set = await page.request.post(`${OIDC_ISSUER}/test/account?sub=${subject}`, {
      data: { preferred_username: "ROOT", email: "root@example.test", email_verified: false },
    });
    expect(set.status()).toBe(204);
    await ssoSignIn(page, subject);
    await expect(page).toHaveURL("/");
    const me = await (await page.request.get("/api/auth/session")).json();
    expect(me.user.username).not.toBe("root");
    expect(me.user.role).toBe("user");
    expect((await page.goto("/admin/sessions"))?.status()).toBe(403);
    const stored = withDatabase((db) => db.prepare(`SELECT email, oidcSubject FROM "User" WHERE id = ?`).get(me.user.id));
    // An unverified email is not kept.
    expect(stored).toEqual({ email: null, oidcSubject: subject });

    // The real root still signs in with the admin key, as an admin.
    const admin = await browser.newContext({ baseURL: BASE_URL });
    const asRoot = await admin.request.post("/api/auth/login", { data: { username: "root", key: ADMIN_KEY } });
    expect(asRoot.status()).toBe(200);
    expect((await asRoot.json()).user).toMatchObject({ username: "root", role: "admin" });
    await admin.close();
  });

  test("a disabled user cannot sign in with SSO either", async ({ page, browser }) => {
    const login = uniqueUser("ssodisabled");
    await ssoSignIn(page, login);
    await expect(page).toHaveURL("/");
    const admin = await browser.newContext({ baseURL: BASE_URL });
    const adminPage = await admin.newPage();
    await signIn(adminPage, "root", ADMIN_KEY);
    const disabled = await admin.request.post(`/api/admin/users/${login}/disable`, { headers: { origin: BASE_URL } });
    expect(await disabled.json()).toMatchObject({ disabled: true, sessionsEnded: 1 });
    await page.goto("/");
    await expect(page.getByRole("main").getByRole("status")).toHaveText("Your account has been disabled. Ask an administrator to enable it.");
    // The IdP still knows the person, but the dashboard refuses them.
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    await expect(page).toHaveURL(/\/login\?error=account_disabled/);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Your account has been disabled. Ask an administrator to enable it.");
    await admin.close();
  });
});
