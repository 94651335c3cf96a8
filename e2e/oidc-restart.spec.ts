import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, EXTRA_APP_PORTS, OIDC_ISSUER, USER_KEY } from "./env";
import { closedPort } from "../tests/support/ports";
import { expectJsonError, loginAtTestIdp, signIn, startApp, uniqueUser } from "./helpers";

test.describe("single sign-on across restarts and outages", () => {
  test("an IdP that is down at start-up does not stop the app; SSO says so and key sign-in works", async ({ browser }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-e2e-"));
    // Nothing listens there: every request to the IdP is refused (ECONNREFUSED).
    const app = await startApp(EXTRA_APP_PORTS[0], dir, { DASHBOARD_OIDC_ISSUER: `http://localhost:${await closedPort()}` });
    try {
      // A page asks the provider first (the Admin Panel's Single sign-on page): the sign-in route,
      // bundled apart, still tells the provider's outage from a bug.
      const admin = await browser.newContext({ baseURL: app.baseURL });
      const adminPage = await admin.newPage();
      await signIn(adminPage, "root", ADMIN_KEY);
      await adminPage.goto("/admin/sso");
      await expect(adminPage.getByRole("heading", { name: "Single sign-on", level: 1 })).toBeVisible();
      await admin.close();
      const context = await browser.newContext({ baseURL: app.baseURL });
      const page = await context.newPage();
      await page.goto("/login");
      await page.getByRole("button", { name: "Sign in with SSO" }).click();
      await expect(page).toHaveURL(/\/login\?error=sso_unavailable/);
      await expect(page.getByRole("main").getByRole("alert")).toContainText("Single sign-on is unavailable right now");
      await signIn(page, uniqueUser("fallback"), USER_KEY);
      await expect(page).toHaveURL("/");

      // Anyone may post to the back-channel endpoint. Garbage is refused before the IdP is asked,
      // and the IdP being down is no database outage: key sign-ins right after still work.
      const api = context.request;
      const keySignIn = () => api.post("/api/auth/login", { data: { username: uniqueUser("afterbc"), key: USER_KEY } });
      for (let round = 0; round < 3; round++) {
        await expectJsonError(await api.post("/api/auth/oidc/backchannel-logout", { form: { logout_token: "garbage" } }), 400, "invalid_logout_token");
        expect((await keySignIn()).status()).toBe(200);
      }
      // A well-formed token cannot be checked without the IdP's keys: SSO is unavailable, nothing else.
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const wellFormed = `${b64({ alg: "RS256", kid: "k" })}.${b64({ sub: "someone", iat: Math.floor(Date.now() / 1000) })}.${"A".repeat(342)}`;
      const unavailable = await api.post("/api/auth/oidc/backchannel-logout", { form: { logout_token: wellFormed } });
      await expectJsonError(unavailable, 503, "sso_unavailable");
      expect(unavailable.headers()["retry-after"]).toBe("5");
      expect((await keySignIn()).status()).toBe(200);
      expect((await api.get("/api/sessions")).status()).toBe(200);
      expect((await api.get("/api/health")).status()).toBe(200);
      const login = await api.post("/api/auth/oidc/login", { form: { next: "/" }, maxRedirects: 0 });
      expect(login.status()).toBe(303);
      expect(login.headers().location).toBe("/login?error=sso_unavailable");
      await context.close();
    } finally {
      await app.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an SSO session survives an app restart and a change of DASHBOARD_KEY", async ({ browser }) => {
    test.setTimeout(120_000); // three app starts
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-e2e-"));
    let app = await startApp(EXTRA_APP_PORTS[1], dir, {});
    try {
      const context = await browser.newContext({ baseURL: app.baseURL });
      const page = await context.newPage();
      const login = uniqueUser("restart");
      await page.goto("/login");
      await page.getByRole("button", { name: "Sign in with SSO" }).click();
      await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
      await loginAtTestIdp(page, login);
      await expect(page).toHaveURL(`${app.baseURL}/`);
      // A key-signed session in the same app, to show what a key change does end.
      const keyContext = await browser.newContext({ baseURL: app.baseURL });
      const keyPage = await keyContext.newPage();
      await signIn(keyPage, uniqueUser("keyed"), USER_KEY);
      await expect(keyPage).toHaveURL(`${app.baseURL}/`);

      await app.stop();
      app = await startApp(EXTRA_APP_PORTS[1], dir, { DASHBOARD_KEY: "a-rotated-user-key-0123" });
      await page.goto("/settings/sessions");
      await expect(page.getByTestId("signed-in-user")).toHaveText(`Test ${login}`);
      await expect(page.getByTestId("session-card")).toContainText("SSO");
      await keyPage.goto("/");
      await expect(keyPage).toHaveURL(/\/login/);
      await expect(keyPage.getByRole("main").getByRole("status")).toHaveText("The sign-in key changed");

      // In a fresh process, a page asks the provider first (the Admin Panel's Single sign-on page);
      // the sign-in route then uses the same discovered configuration: SSO sign-in still works.
      await app.stop();
      app = await startApp(EXTRA_APP_PORTS[1], dir, {});
      await signIn(keyPage, "root", ADMIN_KEY);
      await keyPage.goto("/admin/sso");
      await expect(keyPage.getByText("Reached")).toBeVisible();
      const second = await browser.newContext({ baseURL: app.baseURL });
      const secondPage = await second.newPage();
      await secondPage.goto("/login");
      await secondPage.getByRole("button", { name: "Sign in with SSO" }).click();
      await loginAtTestIdp(secondPage, uniqueUser("afterpage"));
      await expect(secondPage).toHaveURL(`${app.baseURL}/`);
      await second.close();
      await context.close();
      await keyContext.close();
    } finally {
      await app.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a public client (no secret, PKCE only) signs in too", async ({ browser }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-e2e-"));
    const app = await startApp(EXTRA_APP_PORTS[2], dir, { DASHBOARD_OIDC_CLIENT_ID: "sessionboard-public", DASHBOARD_OIDC_CLIENT_SECRET: "" });
    try {
      const context = await browser.newContext({ baseURL: app.baseURL });
      const page = await context.newPage();
      const login = uniqueUser("public");
      await page.goto("/login");
      const [authorize] = await Promise.all([
        page.waitForRequest((r) => r.url().startsWith(`${OIDC_ISSUER}/auth?`)),
        page.getByRole("button", { name: "Sign in with SSO" }).click(),
      ]);
      const params = new URL(authorize.url()).searchParams;
      expect(params.get("client_id")).toBe("sessionboard-public");
      expect(params.get("code_challenge_method")).toBe("S256");
      expect(params.get("state")).toBeTruthy();
      expect(params.get("nonce")).toBeTruthy();
      await loginAtTestIdp(page, login);
      await expect(page).toHaveURL(`${app.baseURL}/`);
      await expect(page.getByTestId("signed-in-user")).toHaveText(`Test ${login}`);
      await context.close();
    } finally {
      await app.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
