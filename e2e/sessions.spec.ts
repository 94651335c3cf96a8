import { expect, test, devices, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { BASE_URL, USER_KEY } from "./env";
import { currentSessionId, expectJsonError, signIn, uniqueUser, withDatabase } from "./helpers";

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/** Three devices of one person: desktop Chrome, an iPhone (Safari) and Firefox on Linux. */
const DEVICES = {
  desktop: { options: devices["Desktop Chrome"], title: /^Chrome \d+ on Windows 10$/, device: "Desktop" },
  iphone: { options: devices["iPhone 13"], title: /^Mobile Safari \d+ on iOS [\d.]+$/, device: "Mobile" },
  firefox: { options: { userAgent: FIREFOX_LINUX }, title: "Firefox 128 on Linux", device: "Desktop" },
} as const;

type DeviceName = keyof typeof DEVICES;
type Signed = { context: BrowserContext; page: Page; sessionId: string };

async function signInOn(browser: Browser, name: DeviceName, username: string, options: { javaScriptEnabled?: boolean } = {}): Promise<Signed> {
  const context = await browser.newContext({ ...DEVICES[name].options, ...options });
  const page = await context.newPage();
  await signIn(page, username, USER_KEY);
  await expect(page).toHaveURL("/");
  return { context, page, sessionId: await currentSessionId(context.request) };
}

async function signInEverywhere(browser: Browser, username: string) {
  const desktop = await signInOn(browser, "desktop", username);
  const iphone = await signInOn(browser, "iphone", username);
  const firefox = await signInOn(browser, "firefox", username);
  return { desktop, iphone, firefox, all: [desktop, iphone, firefox] };
}

const cards = (page: Page) => page.getByRole("main").getByTestId("session-card");
const card = (page: Page, sessionId: string) => page.locator(`#session-${sessionId}`);

test.describe("Settings > Sessions", () => {
  test("each of three devices sees the same three sessions, labelled, with one 'This device'", async ({ browser }) => {
    const username = uniqueUser("devices");
    const { desktop, iphone, firefox, all } = await signInEverywhere(browser, username);
    // Another person's sessions never appear.
    const other = await signInOn(browser, "desktop", uniqueUser("other"));

    for (const [name, me] of [["desktop", desktop], ["iphone", iphone], ["firefox", firefox]] as const) {
      await me.page.getByRole("link", { name: "Settings" }).click();
      await expect(me.page).toHaveURL("/settings/sessions");
      await expect(me.page.getByRole("heading", { name: "Sessions", level: 1 })).toBeVisible();
      await expect(cards(me.page)).toHaveCount(3);
      await expect(me.page.getByText("This device", { exact: true })).toHaveCount(1);
      await expect(card(me.page, me.sessionId).getByText("This device", { exact: true })).toBeVisible();
      await expect(card(me.page, me.sessionId).getByRole("link", { name: /^Revoke/ })).toHaveCount(0);
      await expect(card(me.page, me.sessionId)).toContainText("Use Log out to end this session");
      await expect(card(me.page, other.sessionId)).toHaveCount(0);

      for (const [deviceName, device] of [["desktop", desktop], ["iphone", iphone], ["firefox", firefox]] as const) {
        const row = card(me.page, device.sessionId);
        await expect(row.getByRole("heading", { level: 3 })).toHaveText(DEVICES[deviceName].title);
        await expect(row.getByTestId("session-device")).toHaveText(DEVICES[deviceName].device);
        await expect(row).toContainText("127.0.0.1");
        await expect(row).toContainText("Key");
        await expect(row).toContainText(/••••••••[0-9a-f]{8}/);
        if (deviceName !== name) await expect(row.getByRole("link", { name: /^Revoke/ })).toBeVisible();
      }
      // The raw user agent is one click away (and on hover of the title).
      const mine = card(me.page, me.sessionId);
      await mine.getByText("Technical details").click();
      const userAgent = await me.page.evaluate(() => navigator.userAgent);
      await expect(mine.getByText(userAgent, { exact: true })).toBeVisible();
      await expect(mine.getByRole("heading", { level: 3 })).toHaveAttribute("title", userAgent);
    }

    // The API lists the same three, never a token or hash.
    const response = await desktop.context.request.get("/api/sessions");
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.nextCursor).toBeNull();
    expect(body.sessions.map((s: { id: string }) => s.id).sort()).toEqual(all.map((s) => s.sessionId).sort());
    expect(body.sessions.filter((s: { current: boolean }) => s.current).map((s: { id: string }) => s.id)).toEqual([desktop.sessionId]);
    expect(body.sessions.find((s: { id: string }) => s.id === iphone.sessionId)).toMatchObject({ deviceType: "mobile", os: expect.stringMatching(/^iOS/) });
    const token = (await desktop.context.cookies()).find((c) => c.name === "session_token")!.value.split(".")[0];
    expect(JSON.stringify(body)).not.toContain(token);
    expect(JSON.stringify(body)).not.toMatch(/tokenHash|[0-9a-f]{64}/);

    for (const s of [...all, other]) await s.context.close();
  });

  test("revoking the iPhone from the desktop signs the iPhone out at its next navigation, with the reason", async ({ browser }) => {
    const username = uniqueUser("revoke");
    const { desktop, iphone, firefox, all } = await signInEverywhere(browser, username);
    const page = desktop.page;
    await page.goto("/settings/sessions");

    await card(page, iphone.sessionId).getByRole("link", { name: /^Revoke/ }).click();
    const confirm = card(page, iphone.sessionId).getByRole("group", { name: "Revoke this session?" });
    await expect(confirm).toBeVisible();
    await expect(confirm.getByRole("button", { name: "Revoke session" })).toBeFocused();
    // Cancel changes nothing.
    await confirm.getByRole("link", { name: "Cancel" }).click();
    await expect(confirm).toHaveCount(0);
    await expect(cards(page)).toHaveCount(3);

    await card(page, iphone.sessionId).getByRole("link", { name: /^Revoke/ }).click();
    await card(page, iphone.sessionId).getByRole("button", { name: "Revoke session" }).click();
    await expect(page.getByRole("main").getByRole("status")).toHaveText(/Session revoked/);
    await expect(cards(page)).toHaveCount(2);
    await expect(card(page, iphone.sessionId)).toHaveCount(0);

    // The iPhone's very next request: back to /login with the reason.
    await iphone.page.getByRole("link", { name: "Settings" }).click();
    await expect(iphone.page).toHaveURL(/\/login/);
    await expect(iphone.page.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");
    // Firefox is untouched.
    await firefox.page.goto("/settings/sessions");
    await expect(cards(firefox.page)).toHaveCount(2);

    // The audit trail says who revoked what.
    const events = withDatabase((db) =>
      db.prepare(`SELECT actor, username, sessionId, detail FROM "AuthEvent" WHERE type = 'session.revoked' AND username = ?`).all(username),
    );
    expect(events).toEqual([
      { actor: username, username, sessionId: iphone.sessionId, detail: `revoked by its owner from session ${desktop.sessionId}` },
    ]);
    for (const s of all) await s.context.close();
  });

  test("'Sign out all other sessions' leaves only this device", async ({ browser }) => {
    const username = uniqueUser("others");
    const { desktop, iphone, firefox, all } = await signInEverywhere(browser, username);
    const page = firefox.page;
    await page.goto("/settings/sessions");
    await page.getByRole("link", { name: "Sign out all other sessions" }).click();
    const confirm = page.getByRole("group", { name: "Sign out all other sessions?" });
    await confirm.getByRole("button", { name: "Sign out all other sessions" }).click();
    await expect(page.getByRole("main").getByRole("status")).toHaveText("Signed out 2 other sessions. Only this device is still signed in.");
    await expect(cards(page)).toHaveCount(1);
    await expect(card(page, firefox.sessionId).getByText("This device", { exact: true })).toBeVisible();
    await expect(page.getByText("No other active sessions")).toBeVisible();
    await expect(page.getByRole("link", { name: "Sign out all other sessions" })).toHaveCount(0);

    for (const ended of [desktop, iphone]) {
      await ended.page.reload();
      await expect(ended.page).toHaveURL(/\/login/);
      await expect(ended.page.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");
    }
    for (const s of all) await s.context.close();
  });

  test("works without JavaScript and from the keyboard", async ({ browser }) => {
    const username = uniqueUser("nojs");
    const desktop = await signInOn(browser, "desktop", username, { javaScriptEnabled: false });
    const firefox = await signInOn(browser, "firefox", username);
    const page = desktop.page;
    await page.goto("/settings/sessions");
    await expect(cards(page)).toHaveCount(2);

    // Keyboard only: tab to Revoke, Enter; focus lands on the confirmation; Enter again.
    const revoke = card(page, firefox.sessionId).getByRole("link", { name: /^Revoke/ });
    for (let i = 0; i < 40 && !(await revoke.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    await expect(revoke).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`confirm=${firefox.sessionId}`));
    await expect(card(page, firefox.sessionId).getByRole("button", { name: "Revoke session" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL("/settings/sessions?revoked=1");
    await expect(cards(page)).toHaveCount(1);

    await firefox.page.reload();
    await expect(firefox.page.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");
    await desktop.context.close();
    await firefox.context.close();
  });

  test("shows the approximate location a trusted proxy reported", async ({ page }) => {
    await signIn(page, uniqueUser("where"), USER_KEY);
    const id = await currentSessionId(page.request);
    withDatabase((db) => db.prepare(`UPDATE "Session" SET country = 'DE', city = 'München' WHERE id = ?`).run(id));
    await page.goto("/settings/sessions");
    await expect(card(page, id)).toContainText("127.0.0.1 (München, Germany)");
    await expect(card(page, id)).toContainText("Location (approximate)");
  });

  test("a stale confirmation or bad page link gets a readable message, not an error page", async ({ page }) => {
    await signIn(page, uniqueUser("stale"), USER_KEY);
    await page.goto("/settings/sessions?cursor=not-a-cursor");
    await expect(page.getByRole("main").getByRole("alert")).toContainText("This page link is no longer valid");
    await page.goto("/settings/sessions?error=session_not_found");
    await expect(page.getByRole("main").getByRole("alert")).toContainText("That session is no longer active");
    // A confirmation for an id that is not one of yours shows nothing to confirm.
    await page.goto("/settings/sessions?confirm=somebody-elses-id");
    await expect(page.getByRole("button", { name: "Revoke session" })).toHaveCount(0);
  });
});

test.describe("sessions API", () => {
  test("revokes by public id: 404 for unknown and for others' ids alike, 409 for the current session", async ({ browser }) => {
    const username = uniqueUser("api");
    const { desktop, iphone, firefox, all } = await signInEverywhere(browser, username);
    const stranger = await signInOn(browser, "desktop", uniqueUser("stranger"));
    const api = desktop.context.request;

    await expectJsonError(await api.delete(`/api/sessions/${desktop.sessionId}`), 409, "current_session");
    const unknown = await api.delete("/api/sessions/AAAAAAAAAAAAAAAAAAAAAA");
    const foreign = await api.delete(`/api/sessions/${stranger.sessionId}`);
    await expectJsonError(unknown, 404, "session_not_found");
    await expectJsonError(foreign, 404, "session_not_found");
    expect(await foreign.json()).toEqual(await unknown.json());
    await expectJsonError(await api.delete("/api/sessions/%E2%9C%93"), 404, "session_not_found");
    expect((await stranger.context.request.get("/api/auth/session")).status()).toBe(200);

    const one = await api.delete(`/api/sessions/${iphone.sessionId}`);
    expect(one.status()).toBe(200);
    expect(await one.json()).toEqual({ revoked: 1 });
    await expectJsonError(await api.delete(`/api/sessions/${iphone.sessionId}`), 404, "session_not_found");
    await expectJsonError(await iphone.context.request.get("/api/sessions"), 401, "session_ended");

    await expectJsonError(await api.delete("/api/sessions"), 400, "invalid_input");
    await expectJsonError(await api.delete("/api/sessions?scope=all"), 400, "invalid_input");
    // Cross-site requests cannot revoke anything.
    await expectJsonError(await api.delete("/api/sessions?scope=others", { headers: { origin: "https://evil.example" } }), 403);
    const others = await api.delete("/api/sessions?scope=others", { headers: { origin: BASE_URL } });
    expect(await others.json()).toEqual({ revoked: 1 });
    await expectJsonError(await firefox.context.request.get("/api/auth/session"), 401, "session_ended");
    const left = await (await api.get("/api/sessions")).json();
    expect(left.sessions.map((s: { id: string }) => s.id)).toEqual([desktop.sessionId]);

    await expectJsonError(await api.get("/api/sessions?limit=0"), 400, "invalid_input");
    await expectJsonError(await api.get("/api/sessions?cursor=%%%"), 400, "invalid_input");
    const anonymous = await browser.newContext({ baseURL: BASE_URL });
    await expectJsonError(await anonymous.request.get("/api/sessions"), 401, "unauthenticated");
    for (const context of [anonymous, ...[...all, stranger].map((s) => s.context)]) await context.close();
  });
});
