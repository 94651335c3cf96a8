import { devices, type Browser, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { expect, test } from "./api-contract";
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

/** Someone signed in on a desktop browser without JavaScript (its page) and in Firefox. */
async function desktopWithoutJavaScript(browser: Browser, prefix: string) {
  const username = uniqueUser(prefix);
  const desktop = await signInOn(browser, "desktop", username, { javaScriptEnabled: false });
  const firefox = await signInOn(browser, "firefox", username);
  return { desktop, firefox, page: desktop.page };
}

/**
 * With the confirmation just opened by Enter on Revoke: once the page has loaded and scrolled to it,
 * it is in view and the next Tab is its button; Enter revokes and leads back to the list. The form
 * posted to the confirming URL, so the redirect may keep its (now unmatched) fragment.
 */
async function confirmRevokeFromKeyboard(scope: Locator, sessionId: string) {
  const page = scope.page();
  await page.waitForLoadState();
  const confirm = scope.getByRole("group", { name: "Revoke this session?" });
  await expect(confirm).toBeInViewport();
  const button = confirm.getByRole("button", { name: "Revoke session" });
  await page.keyboard.press("Tab");
  await expect(button).toBeFocused();
  await expect(button).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/settings/sessions\\?revoked=1&sealed=[^&#]+(#revoke-${sessionId})?$`));
  await expect(cards(page)).toHaveCount(1);
}
/** Settings in the header: on a phone, behind its Menu. */
async function goToSettings(page: Page) {
  const menu = page.getByRole("banner").getByText("Menu", { exact: true });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole("banner").getByRole("link", { name: "Settings" }).click();
}
const card = (page: Page, sessionId: string) => page.locator(`#session-${sessionId}`);

test.describe("Settings > Sessions", () => {
  test("each of three devices sees the same three sessions, labelled, with one 'This device'", async ({ browser }) => {
    const username = uniqueUser("devices");
    const { desktop, iphone, firefox, all } = await signInEverywhere(browser, username);
    // Another person's sessions never appear.
    const other = await signInOn(browser, "desktop", uniqueUser("other"));

    for (const [name, me] of [["desktop", desktop], ["iphone", iphone], ["firefox", firefox]] as const) {
      await goToSettings(me.page);
      await expect(me.page).toHaveURL("/settings/sessions");
      await expect(me.page.getByRole("heading", { name: "Sessions", level: 1 })).toBeVisible();
      await expect(cards(me.page)).toHaveCount(3);
      // This device first, whichever was used last; then the others, most recently active first.
      await expect(cards(me.page).first()).toHaveAttribute("id", `session-${me.sessionId}`);
      const shownIds = await cards(me.page).evaluateAll((items) => items.map((item) => item.id.replace(/^session-/, "")));
      const othersNewestFirst = [firefox, iphone, desktop].map((s) => s.sessionId).filter((id) => id !== me.sessionId);
      expect(shownIds).toEqual([me.sessionId, ...othersNewestFirst]);
      await expect(me.page.getByText("This device", { exact: true })).toHaveCount(1);
      await expect(card(me.page, me.sessionId).getByText("This device", { exact: true })).toBeVisible();
      await expect(card(me.page, me.sessionId)).toContainText("Active now");
      await expect(card(me.page, me.sessionId).getByRole("link", { name: /^Revoke/ })).toHaveCount(0);
      await expect(card(me.page, other.sessionId)).toHaveCount(0);

      for (const [deviceName, device] of [["desktop", desktop], ["iphone", iphone], ["firefox", firefox]] as const) {
        const row = card(me.page, device.sessionId);
        await expect(row.getByRole("heading", { level: 3 })).toHaveText(DEVICES[deviceName].title);
        await expect(row.getByTestId("session-device")).toHaveText(DEVICES[deviceName].device);
        await expect(row).toContainText("127.0.0.1");
        await expect(row).toContainText("Key");
        // Named for a screen reader by device and token, the token in words ("•" would be read out eight times).
        const { session } = (await (await device.context.request.get("/api/auth/session")).json()) as { session: { tokenHint: string } };
        const named = `${await row.getByRole("heading", { level: 3 }).textContent()}, ending in ${session.tokenHint}`;
        await expect(row.getByRole("link", { name: `Details for ${named}` })).toHaveAttribute("href", `/settings/sessions/${device.sessionId}`);
        if (deviceName !== name) await expect(row.getByRole("link", { name: `Revoke session ${named}` })).toBeVisible();
        // Compact: one row, not a wall of fields (those are on the detail page).
        expect((await row.boundingBox())!.height).toBeLessThan(140);
        await expect(row).not.toContainText("Remember me");
      }
      // The raw user agent shows on hover of the title (and on the detail page).
      const userAgent = await me.page.evaluate(() => navigator.userAgent);
      await expect(card(me.page, me.sessionId).getByRole("heading", { level: 3 })).toHaveAttribute("title", userAgent);
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
    await expect(page).toHaveURL(new RegExp(`confirm=${iphone.sessionId}#revoke-${iphone.sessionId}$`));
    const confirm = card(page, iphone.sessionId).getByRole("group", { name: "Revoke this session?" });
    await expect(confirm).toBeVisible();
    // Inside the card, under its h3: the outline stays in order.
    await expect(confirm.getByRole("heading", { level: 4 })).toHaveText("Revoke this session?");
    await expect(confirm.getByRole("button", { name: "Revoke session" })).toBeFocused();
    await expect(confirm.getByRole("button", { name: "Revoke session" })).toBeInViewport();
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
    await goToSettings(iphone.page);
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
    const { desktop, firefox, page } = await desktopWithoutJavaScript(browser, "nojs");
    // A short window, so the second row's confirmation starts below the fold.
    await page.setViewportSize({ width: 375, height: 420 });
    await page.goto("/settings/sessions");
    await expect(cards(page)).toHaveCount(2);

    // Keyboard only: Tab reaches Details and Revoke with a visible focus ring, in row order.
    const outline = (el: Element) => getComputedStyle(el).outlineStyle;
    const details = card(page, firefox.sessionId).getByRole("link", { name: /^Details/ });
    const revoke = card(page, firefox.sessionId).getByRole("link", { name: /^Revoke/ });
    for (let i = 0; i < 40 && !(await details.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    await expect(details).toBeFocused();
    expect(await details.evaluate(outline)).not.toBe("none");
    await page.keyboard.press("Tab");
    await expect(revoke).toBeFocused();
    expect(await revoke.evaluate(outline)).not.toBe("none");
    // Enter opens the confirmation where the person is looking; the next Tab is its button, on screen.
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`confirm=${firefox.sessionId}#revoke-${firefox.sessionId}$`));
    await confirmRevokeFromKeyboard(card(page, firefox.sessionId), firefox.sessionId);

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
    await expect(card(page, id)).toContainText("München, Germany · 127.0.0.1");
    await page.goto(`/settings/sessions/${id}`);
    await expect(page.getByRole("main")).toContainText("Location (approximate)München, Germany");
  });

  test("Details opens the session's own page with every field, and Revoke works from there", async ({ browser }) => {
    const username = uniqueUser("detail");
    const desktop = await signInOn(browser, "desktop", username);
    const firefox = await signInOn(browser, "firefox", username);
    const page = desktop.page;
    await page.goto("/settings/sessions");
    await card(page, firefox.sessionId).getByRole("link", { name: /^Details/ }).click();
    await expect(page).toHaveURL(`/settings/sessions/${firefox.sessionId}`);
    const main = page.getByRole("main");
    await expect(main.getByRole("heading", { level: 1 })).toHaveText("Firefox 128 on Linux");
    for (const [label, value] of [
      ["Session", /^••••••••[0-9a-f]{8}$/],
      ["Browser", "Firefox 128"],
      ["Operating system", "Linux"],
      ["Device type", "Desktop"],
      ["IP address", "127.0.0.1"],
      ["Signed in with", "Key"],
      ["Remember me", /^No/],
      ["Signed in", /(just now|minute).*UTC$/],
      ["Last active", /(just now|minute).*UTC$/],
      ["Expires if idle", /in 7 days.*UTC$/],
      ["User agent", FIREFOX_LINUX],
    ] as const) {
      await expect(main.locator("dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd")).toHaveText(value);
    }
    await expect(main.getByText("This device", { exact: true })).toHaveCount(0);
    // Its audit trail: the sign-in, in words and with its code.
    await expect(main.getByRole("region", { name: "Audit events" }).getByRole("listitem")).toHaveText([/^Signed in login\.succeeded.*UTC$/]);

    // Revoke from the detail page: the same confirmation step, then back to the list.
    await main.getByRole("link", { name: /^Revoke/ }).click();
    await expect(page).toHaveURL(`/settings/sessions/${firefox.sessionId}?confirm=1#revoke-${firefox.sessionId}`);
    const confirm = main.getByRole("group", { name: "Revoke this session?" });
    await expect(confirm.getByRole("button", { name: "Revoke session" })).toBeInViewport();
    await confirm.getByRole("button", { name: "Revoke session" }).click();
    await expect(page).toHaveURL(/\/settings\/sessions\?revoked=1&sealed=[^&#]+$/);
    await expect(page.getByRole("main").getByRole("status")).toHaveText(/Session revoked/);
    await expect(cards(page)).toHaveCount(1);
    await firefox.page.reload();
    await expect(firefox.page.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");

    // The ended session's page stays, with how it ended and no Revoke; the current one has no
    // Revoke either, only the way to Log out.
    await page.goto(`/settings/sessions/${firefox.sessionId}`);
    await expect(page.getByRole("main").getByTestId("end-reason")).toHaveText("Revoked by you from another session");
    await expect(page.getByRole("main").getByRole("link", { name: /^Revoke/ })).toHaveCount(0);
    await page.goto(`/settings/sessions/${desktop.sessionId}`);
    await expect(page.getByRole("main").getByText("This device", { exact: true })).toBeVisible();
    await expect(page.getByRole("main").getByRole("link", { name: /^Revoke/ })).toHaveCount(0);
    await expect(page.getByRole("main")).toContainText("Use Log out to end it.");
    await desktop.context.close();
    await firefox.context.close();
  });

  test("the detail page's Revoke works without JavaScript and from the keyboard", async ({ browser }) => {
    const { desktop, firefox, page } = await desktopWithoutJavaScript(browser, "detailnojs");
    await page.setViewportSize({ width: 375, height: 420 });
    await page.goto("/settings/sessions");
    const details = card(page, firefox.sessionId).getByRole("link", { name: /^Details/ });
    for (let i = 0; i < 40 && !(await details.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(`/settings/sessions/${firefox.sessionId}`);
    const revoke = page.getByRole("main").getByRole("link", { name: /^Revoke/ });
    for (let i = 0; i < 40 && !(await revoke.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(`/settings/sessions/${firefox.sessionId}?confirm=1#revoke-${firefox.sessionId}`);
    await confirmRevokeFromKeyboard(page.getByRole("main"), firefox.sessionId);
    await desktop.context.close();
    await firefox.context.close();
  });

  test("another person's, an unknown or a malformed session id is a 404 that reveals nothing", async ({ browser }) => {
    const me = await signInOn(browser, "desktop", uniqueUser("mine"));
    const stranger = await signInOn(browser, "firefox", uniqueUser("theirs"));
    for (const id of [stranger.sessionId, "AAAAAAAAAAAAAAAAAAAAAA", "%E2%9C%93"]) {
      const response = await me.page.goto(`/settings/sessions/${id}`);
      expect(response?.status()).toBe(404);
      await expect(me.page.getByRole("heading", { name: "Page not found" })).toBeVisible();
      await expect(me.page.getByRole("main")).not.toContainText("Firefox");
    }
    await me.context.close();
    await stranger.context.close();
  });

  test("a stale confirmation or bad page link gets a readable message, not an error page", async ({ page }) => {
    await signIn(page, uniqueUser("stale"), USER_KEY);
    await page.goto("/settings/sessions?cursor=not-a-cursor");
    await expect(page.getByRole("main").getByRole("alert")).toContainText("This page link is no longer valid");
    // An error written into the address by hand claims nothing (only an action's own, sealed, does).
    await page.goto("/settings/sessions?error=session_not_found");
    await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);
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

    // GET one: the same object the list returns, for your own sessions only.
    const listed = (await (await api.get("/api/sessions")).json()).sessions as { id: string; ipAddress: string; browser: string }[];
    const own = await api.get(`/api/sessions/${iphone.sessionId}`);
    expect(own.status()).toBe(200);
    // The listed object, and where it has been used from: here, one place.
    const iphoneListed = listed.find((s) => s.id === iphone.sessionId);
    expect(await own.json()).toEqual({ session: { ...iphoneListed, activity: [expect.objectContaining({ ipAddress: iphoneListed?.ipAddress, browser: iphoneListed?.browser })] } });
    expect((await (await api.get(`/api/sessions/${desktop.sessionId}`)).json()).session).toMatchObject({ id: desktop.sessionId, current: true });
    const foreignGet = await api.get(`/api/sessions/${stranger.sessionId}`);
    await expectJsonError(foreignGet, 404, "session_not_found");
    await expectJsonError(await api.get("/api/sessions/AAAAAAAAAAAAAAAAAAAAAA"), 404, "session_not_found");
    await expectJsonError(await api.get("/api/sessions/%E2%9C%93"), 404, "session_not_found");
    expect((await api.fetch(`/api/sessions/${iphone.sessionId}`, { method: "OPTIONS" })).headers()["allow"]).toMatch(/GET.*DELETE|DELETE.*GET/);

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
    // Ended, it is still there to read, with its end.
    expect(await (await api.get(`/api/sessions/${iphone.sessionId}`)).json()).toMatchObject({ session: { endReason: "revoked_by_user" } });
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
    await expectJsonError(await anonymous.request.get(`/api/sessions/${desktop.sessionId}`), 401, "unauthenticated");
    for (const context of [anonymous, ...[...all, stranger].map((s) => s.context)]) await context.close();
  });
});
