import { expect, test } from "./api-contract";
import { ADMIN_KEY, MAX_FAILURES_PER_USER, USER_KEY } from "./env";
import { currentSessionId, sessionCookie, signIn, uniqueUser, withDatabase } from "./helpers";

test.describe("static-key sign-in", () => {
  test("signs in, shows who you are and this session, with a browser-session cookie", async ({ page, context }) => {
    const username = uniqueUser("alice");
    await signIn(page, username, USER_KEY);
    await expect(page).toHaveURL("/");
    await expect(page.getByRole("heading", { name: `Welcome, ${username}` })).toBeVisible();
    await expect(page.getByTestId("signed-in-user")).toHaveText(username);
    await expect(page.getByText("No (ends when the browser closes)")).toBeVisible();

    const cookie = await sessionCookie(context);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false, expires: -1 });
    expect(cookie?.value).toMatch(/^[0-9a-f]{64}\.s\.[A-Za-z0-9_-]{43}$/);
  });

  test("people called on, true or false sign in from the form like anyone else (only the checkbox is read as a yes or no)", async ({ browser }) => {
    for (const username of ["on", "true", "false"]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, username, USER_KEY);
      await expect(page).toHaveURL("/");
      await expect(page.getByTestId("signed-in-user")).toHaveText(username);
      await context.close();
    }
  });

  test("Remember Me sets a persistent cookie that lasts about 30 days", async ({ page, context }) => {
    await signIn(page, uniqueUser("remember"), USER_KEY, { remember: true });
    await expect(page).toHaveURL("/");
    const cookie = await sessionCookie(context);
    const days = ((cookie?.expires ?? 0) * 1000 - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  });

  test("a wrong key is refused with a clear message and no cookie", async ({ page, context }) => {
    const username = uniqueUser("wrong");
    await signIn(page, username, "not-the-key");
    await expect(page).toHaveURL(/\/login\?error=invalid_credentials/);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Invalid username or key.");
    await expect(page.getByLabel("Username")).toHaveValue(username);
    // Focus waits in the key field, marked invalid and described by the message.
    const key = page.getByLabel("Key", { exact: true });
    await expect(key).toBeFocused();
    await expect(key).toHaveAttribute("aria-invalid", "true");
    await expect(key).toHaveAccessibleDescription("Invalid username or key.");
    expect(await sessionCookie(context)).toBeUndefined();
  });

  test("admin usernames need the admin key; the shared key never grants admin", async ({ page }) => {
    await signIn(page, "root", USER_KEY);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Invalid username or key.");
    await signIn(page, "root", ADMIN_KEY);
    await expect(page).toHaveURL("/");
    await expect(page.getByRole("banner").getByText("Admin", { exact: true }).filter({ visible: true })).toBeVisible();

    const response = await page.request.get("/api/auth/session");
    expect((await response.json()).user).toMatchObject({ username: "root", role: "admin" });
  });

  test("too many failures lock the username with a readable message and a 429 from the API", async ({ page, request }) => {
    const username = uniqueUser("locked");
    for (let i = 0; i < MAX_FAILURES_PER_USER; i++) {
      const r = await request.post("/api/auth/login", { data: { username, key: "bad-key-123", rememberMe: false } });
      expect(r.status()).toBe(401);
    }
    const locked = await request.post("/api/auth/login", { data: { username, key: USER_KEY, rememberMe: false } });
    expect(locked.status()).toBe(429);
    expect(Number(locked.headers()["retry-after"])).toBeGreaterThan(0);
    await signIn(page, username, USER_KEY);
    await expect(page.getByRole("main").getByRole("alert")).toContainText("Too many failed sign-in attempts");
    // Focus is where a new try starts, and the field says why: read out after the full page load.
    const field = page.getByLabel("Username");
    await expect(field).toBeFocused();
    await expect(field).toHaveAccessibleDescription(/Too many failed sign-in attempts/);
  });

  test("a signed-out visitor is sent to /login and returned to the page after signing in", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL("/login?next=%2F");
    await page.getByLabel("Username").fill(uniqueUser("return"));
    await page.getByLabel("Key", { exact: true }).fill(USER_KEY);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL("/");
  });
});

test.describe("logout and ended sessions", () => {
  test("Log out ends the session (kept as history), clears the cookie and the old cookie no longer works", async ({ page, context }) => {
    await signIn(page, uniqueUser("bye"), USER_KEY, { remember: true });
    const id = await currentSessionId(page.request);
    const old = await sessionCookie(context);
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL("/login?signedOut=1");
    await expect(page.getByText("You have signed out.")).toBeVisible();
    expect(await sessionCookie(context)).toBeUndefined();
    expect(withDatabase((db) => db.prepare('SELECT endReason FROM "Session" WHERE id = ? AND revokedAt IS NOT NULL').pluck().get(id))).toBe("logout");

    await context.addCookies([{ name: "session_token", value: old!.value, url: page.url() }]);
    const replay = await page.request.get("/api/auth/session");
    expect(replay.status()).toBe(401);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
  });

  const endings = [
    {
      name: "an idle-expired session",
      end: (id: string) =>
        withDatabase((db) => db.prepare(`UPDATE "Session" SET expiresAt = '2000-01-01T00:00:00.000+00:00' WHERE id = ?`).run(id)),
      message: "Session expired due to inactivity",
    },
    {
      name: "a session whose row was deleted with plain SQL",
      end: (id: string) => withDatabase((db) => db.prepare(`DELETE FROM "Session" WHERE id = ?`).run(id)),
      message: "Your session has ended. Please sign in again.",
    },
    {
      name: "a revoked session",
      end: (id: string) =>
        withDatabase((db) =>
          db.prepare(`UPDATE "Session" SET revokedAt = '2026-01-01T00:00:00.000+00:00', revokedBy = 'operator' WHERE id = ?`).run(id),
        ),
      message: "Your session was revoked",
    },
  ];
  for (const ending of endings) {
    test(`${ending.name} sends the browser to /login with the reason`, async ({ page, context }) => {
      await signIn(page, uniqueUser("ending"), USER_KEY);
      await expect(page).toHaveURL("/");
      ending.end(await currentSessionId(page.request));
      await page.reload();
      await expect(page).toHaveURL("/login");
      await expect(page.getByRole("main").getByRole("status")).toHaveText(ending.message);
      expect(await sessionCookie(context)).toBeUndefined();
      // The notice is for this browser only and the next sign-in works normally.
      await signIn(page, uniqueUser("again"), USER_KEY);
      await expect(page).toHaveURL("/");
    });
  }

  test("the API answers 401 session_ended for an ended session and clears the cookie", async ({ page, context }) => {
    await signIn(page, uniqueUser("api-end"), USER_KEY);
    const id = await currentSessionId(page.request);
    withDatabase((db) => db.prepare(`UPDATE "Session" SET expiresAt = '2000-01-01T00:00:00.000+00:00' WHERE id = ?`).run(id));
    const response = await page.request.get("/api/auth/session");
    expect(response.status()).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "session_ended", message: "Session expired due to inactivity" } });
    expect(await sessionCookie(context)).toBeUndefined();
    const event = withDatabase((db) => db.prepare(`SELECT type, detail FROM "AuthEvent" WHERE sessionId = ? AND type = 'session.expired'`).get(id));
    expect(event).toEqual({ type: "session.expired", detail: "idle timeout" });
  });
});
