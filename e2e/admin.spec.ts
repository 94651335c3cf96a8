import fs from "node:fs";
import { devices, type Browser, type Page } from "@playwright/test";
import { expect, test } from "./api-contract";
import { csvLine } from "../lib/admin/events";
import { ADMIN_KEY, BASE_URL, USER_KEY } from "./env";
import { ageAuthentication, currentSessionId, expectJsonError, hydrated, signIn, uniqueUser, withDatabase } from "./helpers";

async function signedIn(browser: Browser, username: string, key: string, options: Parameters<Browser["newContext"]>[0] = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, username, key);
  await expect(page).toHaveURL("/");
  return { context, page, sessionId: await currentSessionId(context.request) };
}

const main = (page: Page) => page.getByRole("main");

async function expectSignedOut(page: Page, message: string) {
  await page.goto("/settings/sessions");
  await expect(page).toHaveURL(/\/login/);
  await expect(main(page).getByRole("status")).toHaveText(message);
}

test.describe("Admin Panel", () => {
  test("an admin filters to a user, revokes one session and then all of them", async ({ browser }) => {
    const username = uniqueUser("target");
    const desktop = await signedIn(browser, username, USER_KEY);
    const phone = await signedIn(browser, username, USER_KEY, devices["iPhone 13"]);
    const admin = await signedIn(browser, "root", ADMIN_KEY);
    const page = admin.page;

    await page.getByRole("link", { name: "Admin Panel" }).click();
    await expect(page).toHaveURL("/admin");
    await page.getByRole("navigation", { name: "Admin Panel" }).getByRole("link", { name: "Sessions" }).click();
    await expect(page).toHaveURL("/admin/sessions");
    await expect(page.getByRole("heading", { name: "Sessions", level: 1 })).toBeVisible();
    await page.getByLabel("User", { exact: true }).fill(username);
    await page.getByRole("button", { name: "Apply filters" }).click();
    const rows = page.getByTestId("admin-session-row");
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText(username);

    await page.locator(`#session-${phone.sessionId}`).getByRole("link", { name: /^Revoke .*'s session ending in [0-9a-f]{8}$/ }).click();
    const confirm = page.getByRole("group", { name: `Revoke this session of ${username}?` });
    await expect(confirm).toContainText("Mobile Safari");
    await confirm.getByLabel(/Reason/).fill("phone reported lost");
    await confirm.getByRole("button", { name: "Revoke session" }).click();
    await expect(main(page).getByRole("status")).toHaveText(/Session revoked/);
    await expect(rows).toHaveCount(1);
    await expectSignedOut(phone.page, "Your session was revoked");

    await page.getByRole("link", { name: `Revoke all of ${username}'s sessions` }).first().click();
    const all = page.getByRole("group", { name: `Revoke every session of ${username}?` });
    await expect(all.getByLabel("Your admin key")).toHaveCount(0);
    await all.getByRole("button", { name: `Revoke all of ${username}'s sessions` }).click();
    await expect(main(page).getByRole("status")).toHaveText(`Revoked 1 session of ${username}. Those browsers are signed out at their next request.`);
    await expect(page.getByText("No active sessions match these filters")).toBeVisible();
    await expectSignedOut(desktop.page, "Your session was revoked");

    const events = withDatabase((db) =>
      db.prepare(`SELECT actor, sessionId, detail FROM "AuthEvent" WHERE type = 'session.revoked' AND username = ? ORDER BY at`).all(username),
    );
    expect(events).toEqual([
      { actor: "root", sessionId: phone.sessionId, detail: "scope: session; reason: phone reported lost" },
      { actor: "root", sessionId: desktop.sessionId, detail: `scope: user ${username}; reason: revoked by an administrator` },
    ]);
    for (const c of [desktop, phone, admin]) await c.context.close();
  });

  test("an admin whose sign-in is older than the freshness window re-enters the key to revoke a whole user", async ({ browser }) => {
    const username = uniqueUser("stale");
    const victim = await signedIn(browser, username, USER_KEY);
    const admin = await signedIn(browser, "root", ADMIN_KEY);
    ageAuthentication(admin.sessionId, 20);
    const cookieBefore = (await admin.context.cookies()).find((c) => c.name === "session_token")?.value;
    // The API says why and what to send.
    await expectJsonError(await admin.context.request.delete(`/api/admin/sessions?user=${username}`), 403, "reauthentication_required");
    await expectJsonError(
      await admin.context.request.delete(`/api/admin/sessions?user=${username}`, { data: { key: USER_KEY } }),
      403,
      "wrong_key",
    );

    const page = admin.page;
    await page.goto(`/admin/sessions?user=${username}&confirmUser=${username}`);
    const confirm = page.getByRole("group", { name: `Revoke every session of ${username}?` });
    // Focus starts at the first field, the reason; the key follows it.
    await expect(confirm.getByLabel(/^Reason/)).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(confirm.getByLabel("Your admin key")).toBeFocused();
    await confirm.getByLabel("Your admin key").fill("not-the-admin-key");
    await confirm.getByRole("button", { name: /^Revoke all/ }).click();
    await expect(main(page).getByRole("alert")).toHaveText("That key is not right. Enter your admin key to confirm.");
    await expect(victim.context.request.get("/api/auth/session").then((r) => r.status())).resolves.toBe(200);

    await page.getByRole("group", { name: `Revoke every session of ${username}?` }).getByLabel("Your admin key").fill(ADMIN_KEY);
    await page.getByRole("button", { name: /^Revoke all/ }).click();
    await expect(main(page).getByRole("status")).toHaveText(/Revoked 1 session of/);
    await expectSignedOut(victim.page, "Your session was revoked");
    // The re-authentication replaced the admin's token: same session, new cookie; the old value is dead.
    const cookieAfter = (await admin.context.cookies()).find((c) => c.name === "session_token")?.value;
    expect(cookieAfter).toBeTruthy();
    expect(cookieAfter).not.toBe(cookieBefore);
    expect(await currentSessionId(admin.context.request)).toBe(admin.sessionId);
    const replay = await admin.context.request.get("/api/auth/session", { headers: { cookie: `session_token=${cookieBefore}` } });
    await expectJsonError(replay, 401, "session_ended");
    for (const c of [victim, admin]) await c.context.close();
  });

  test("a wrong admin key keeps the Disable confirmation open, to try again, with the reason typed and the key field marked", async ({ browser }) => {
    const username = uniqueUser("disablestale");
    const user = await signedIn(browser, username, USER_KEY);
    const admin = await signedIn(browser, "root", ADMIN_KEY);
    ageAuthentication(admin.sessionId, 20);
    const page = admin.page;
    // On a phone, without and with JavaScript: the panel comes back in view, saying why, at the key.
    await page.setViewportSize({ width: 375, height: 700 });
    const confirm = () => page.getByRole("group", { name: `Disable ${username}?` });
    const wrongKey = "That key is not right. Enter your admin key to confirm.";
    for (const javaScript of [false, true]) {
      const tab = javaScript ? page : await (await browser.newContext({ javaScriptEnabled: false, storageState: await admin.context.storageState(), viewport: { width: 375, height: 700 } })).newPage();
      await tab.goto(`/admin/users?prefix=${username}&confirmDisable=${username}`);
      if (javaScript) await hydrated(tab);
      const panel = tab.getByRole("group", { name: `Disable ${username}?` });
      await panel.getByLabel(/^Reason/).fill("left the company");
      await panel.getByLabel("Your admin key").fill("not-the-admin-key");
      await panel.getByLabel("Your admin key").press("Enter");
      await expect(panel.getByRole("alert")).toHaveText(wrongKey);
      await expect(main(tab).getByRole("alert")).toHaveCount(1);
      await expect(tab).toHaveURL(/#confirm-disable$/);
      expect(tab.url()).not.toContain("not-the-admin-key");
      await expect(panel.getByLabel(/^Reason/)).toHaveValue("left the company");
      const key = panel.getByLabel("Your admin key");
      await expect(key).toHaveValue("");
      await expect(key).toHaveAttribute("aria-invalid", "true");
      await expect(key).toHaveAccessibleDescription(new RegExp(`^${wrongKey}`));
      await expect(key).toBeInViewport();
      // Without JavaScript the browser scrolls to #confirm-disable and starts the next Tab there (it skips autofocus on an address with a #fragment).
      if (javaScript) await expect(key).toBeFocused();
      if (!javaScript) await tab.context().close();
    }
    await expect(confirm()).toBeVisible();
    await confirm().getByLabel("Your admin key").fill(ADMIN_KEY);
    await confirm().getByRole("button", { name: `Disable ${username}` }).click();
    await expect(main(page).getByRole("status")).toHaveText(new RegExp(`^${username} is disabled`));
    await expect(confirm()).toHaveCount(0);
    for (const c of [user, admin]) await c.context.close();
  });

  test("revoking from a session's own page: a refused reason keeps the panel open there, and success says so on the same page", async ({ browser }) => {
    const username = uniqueUser("detailrevoke");
    const user = await signedIn(browser, username, USER_KEY);
    const admin = await signedIn(browser, "root", ADMIN_KEY);
    const page = admin.page;
    await page.goto(`/admin/sessions/${user.sessionId}`);
    await main(page).getByRole("link", { name: /^Revoke \S+'s session/ }).click();
    const panel = page.getByRole("group", { name: `Revoke this session of ${username}?` });
    // A right-to-left override would show the reason reversed in the audit trail: refused.
    await panel.getByLabel(/^Reason/).fill("lost \u202Eenohp");
    await panel.getByRole("button", { name: "Revoke session" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/sessions/${user.sessionId}\\?confirm=1&error=invalid_reason&keptReason=.*#confirm-session$`));
    await expect(panel.getByRole("alert")).toHaveText("A reason is one line of at most 200 characters, without control characters or invisible formatting (direction marks, zero-width spaces).");
    await expect(panel.getByLabel(/^Reason/)).toHaveAttribute("aria-invalid", "true");
    await expect(panel.getByLabel(/^Reason/)).toHaveValue("lost \u202Eenohp");
    await panel.getByLabel(/^Reason/).fill("phone lost");
    await panel.getByRole("button", { name: "Revoke session" }).click();
    await expect(main(page).getByRole("status")).toHaveText("Session revoked. That browser is signed out at its next request.");
    await expect(page).toHaveURL(new RegExp(`/admin/sessions/${user.sessionId}\\?done=session&sealed=[^&#]+$`));
    await expect(panel).toHaveCount(0);
    await expect(main(page)).toContainText("Revoked by an administrator (root)");
    await expectSignedOut(user.page, "Your session was revoked");
    for (const c of [user, admin]) await c.context.close();
  });

  test("a disabled user is signed out and cannot sign in until enabled", async ({ browser }) => {
    const username = uniqueUser("disabled");
    const user = await signedIn(browser, username, USER_KEY);
    const admin = await signedIn(browser, "root", ADMIN_KEY);
    const page = admin.page;
    await page.goto("/admin/users");
    await page.getByLabel("Username starts with").fill(username);
    await page.getByRole("button", { name: "Find" }).click();
    const row = page.getByTestId("admin-user-row").filter({ hasText: username });
    await expect(row).toContainText("1");
    await row.getByRole("link", { name: `Disable ${username}`, exact: true }).click();
    const confirm = page.getByRole("group", { name: `Disable ${username}?` });
    await confirm.getByLabel(/Reason/).fill("left the company");
    await confirm.getByRole("button", { name: `Disable ${username}` }).click();
    await expect(main(page).getByRole("status")).toHaveText(`${username} is disabled: 1 session ended, and sign-ins are refused until you enable the account.`);
    await expect(row).toContainText("Disabled by root");

    await expectSignedOut(user.page, "Your account has been disabled. Ask an administrator to enable it.");
    await signIn(user.page, username, USER_KEY);
    await expect(main(user.page).getByRole("alert")).toHaveText("Your account has been disabled. Ask an administrator to enable it.");
    const api = await user.context.request.post("/api/auth/login", { data: { username, key: USER_KEY } });
    await expectJsonError(api, 403, "account_disabled");

    await row.getByRole("button", { name: "Enable" }).click();
    await expect(main(page).getByRole("status")).toHaveText(`${username} is enabled and can sign in again.`);
    await signIn(user.page, username, USER_KEY);
    await expect(user.page).toHaveURL("/");
    for (const c of [user, admin]) await c.context.close();
  });

  test("an invalid parameter on the Users page is named and dropped, and the others still apply", async ({ browser }) => {
    const username = uniqueUser("lenient");
    const user = await signedIn(browser, username, USER_KEY);
    const admin = await signedIn(browser, "root", ADMIN_KEY);
    const page = admin.page;
    await page.goto(`/admin/users?prefix=${username}&cursor=${encodeURIComponent("not a name!")}`);
    await expect(main(page).getByRole("alert")).toHaveText(/^Some filters were not valid and were ignored, the others apply: cursor may contain only /);
    await expect(page.getByTestId("admin-user-row")).toHaveCount(1);
    await expect(page.getByTestId("admin-user-row")).toContainText(username);
    await expect(page.getByLabel("Username starts with")).toHaveValue(username);
    for (const c of [user, admin]) await c.context.close();
  });

  test("the audit page shows the events and the exports download", async ({ browser }) => {
    const username = uniqueUser("audited");
    const user = await signedIn(browser, username, USER_KEY);
    const admin = await signedIn(browser, "root", ADMIN_KEY);
    await admin.context.request.delete(`/api/admin/sessions/${user.sessionId}`, { data: { reason: "audit test" } });
    const page = admin.page;
    await page.goto(`/admin/events?user=${username}`);
    const rows = page.getByTestId("admin-event-row");
    await expect(rows).toHaveCount(2);
    // Each event in words, its code beside it (what the type filter, the API and the exports use);
    // who did it in its own column.
    const cell = (row: number, column: number) => rows.nth(row).locator("td").nth(column);
    await expect(cell(0, 1)).toHaveText("Session revokedsession.revoked");
    await expect(cell(0, 3)).toHaveText("root");
    await expect(rows.nth(0)).toContainText("scope: session; reason: audit test");
    await expect(cell(1, 1)).toHaveText("Signed inlogin.succeeded");
    // The user opens their sessions; a session still kept opens its page, shown by its masked token and named in words.
    await expect(rows.nth(0).getByRole("link", { name: `Sessions of ${username}` })).toHaveAttribute("href", `/admin/sessions?user=${username}&match=exact`);
    const sessionLink = rows.nth(0).getByRole("link", { name: /^Session ending in [0-9a-f]{8}$/ });
    await expect(sessionLink).toHaveText(/^••••••••[0-9a-f]{8}$/);
    await expect(sessionLink).toHaveAttribute("href", `/admin/sessions/${user.sessionId}`);
    await expect(sessionLink).toHaveAttribute("title", user.sessionId);
    await expect(rows.nth(0)).not.toContainText(user.sessionId);
    await page.getByLabel("Type").selectOption("login.succeeded");
    await expect(page.getByLabel("Type").locator("option:checked")).toHaveText("Signed in (login.succeeded)");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(rows).toHaveCount(1);

    const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    expect(csv.suggestedFilename()).toMatch(/^sessionboard-events-.*\.csv$/);
    const csvText = fs.readFileSync(await csv.path(), "utf8").trim().split("\r\n");
    expect(csvText[0]).toBe("at,type,username,actor,sessionId,authMethod,ip,userAgent,detail,count,userId,id");
    expect(csvText).toHaveLength(2);
    // The cells as the export writes them.
    expect(csvText[1]).toContain(`,${csvLine(["login.succeeded", username, username, user.sessionId, "static", "127.0.0.1"]).trimEnd()},`);

    await page.goto(`/admin/events?user=${username}`);
    const [jsonl] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export JSON lines" }).click()]);
    const lines = fs.readFileSync(await jsonl.path(), "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((e) => e.type)).toEqual(["session.revoked", "login.succeeded"]);

    // A filter the page could not read is left out of the list and of its exports alike.
    await page.goto(`/admin/events?user=${username}&from=yesterday`);
    await expect(page.getByText(/from must be/)).toBeVisible();
    // The field it came from says so, and is where focus starts.
    await expect(page.getByLabel("From (UTC)")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("From (UTC)")).toHaveAccessibleDescription(/from must be/);
    await expect(page.getByLabel("From (UTC)")).toBeFocused();
    await expect(page.getByLabel("To (UTC)")).not.toHaveAttribute("aria-invalid", "true");
    await expect(rows).toHaveCount(2);
    const exportHref = await page.getByRole("link", { name: "Export JSON lines" }).getAttribute("href");
    expect(exportHref).toBe(`/api/admin/events/export?user=${username}&format=jsonl`);
    expect((await admin.context.request.get(exportHref as string)).status()).toBe(200);

    // A session deleted from the database (past the history kept) has no page to link to: the start of its id.
    withDatabase((db) => {
      db.pragma("foreign_keys = ON");
      db.prepare('DELETE FROM "Session" WHERE id = ?').run(user.sessionId);
    });
    await page.reload();
    await expect(rows.nth(0).getByRole("link", { name: /^Session ending in/ })).toHaveCount(0);
    await expect(cell(0, 4)).toHaveText(`${user.sessionId.slice(0, 8)}…`);

    const apiPage = await (await admin.context.request.get(`/api/admin/events?user=${username}&limit=1`)).json();
    expect(apiPage.events).toHaveLength(1);
    expect(apiPage.nextCursor).toEqual(expect.any(String));
    await expectJsonError(await admin.context.request.get("/api/admin/events?type=nonsense"), 400, "invalid_input");
    for (const c of [user, admin]) await c.context.close();
  });

  test("a user with many sessions is flagged once, on their first row; filter fields and buttons are one height", async ({ browser, playwright }) => {
    const username = uniqueUser("crowded");
    for (let i = 0; i < 6; i++) {
      const login = await playwright.request.newContext({ baseURL: BASE_URL });
      expect((await login.post("/api/auth/login", { data: { username, key: USER_KEY } })).status()).toBe(200);
      await login.dispose();
    }
    const admin = await signedIn(browser, "root", ADMIN_KEY, { viewport: { width: 1280, height: 800 } });
    const page = admin.page;
    await page.goto(`/admin/sessions?user=${username}&match=exact`);
    const rows = page.getByTestId("admin-session-row");
    await expect(rows).toHaveCount(6);
    await expect(rows.first()).toContainText("6 sessions");
    await expect(main(page).getByText("6 sessions", { exact: true })).toHaveCount(1);
    await expect(main(page)).toContainText("Users with more than 5 active sessions are flagged (on their first row on the page).");

    // Every field, select and button of the filter forms is as tall as the form's submit button.
    for (const [path, form, submit] of [
      [`/admin/sessions?user=${username}&match=exact`, "Filter sessions", "Apply filters"],
      [`/admin/events?user=${username}`, "Filter events", "Apply"],
    ] as const) {
      await page.goto(path);
      const filters = page.getByRole("form", { name: form });
      const submitHeight = (await filters.getByRole("button", { name: submit }).boundingBox())!.height;
      expect(submitHeight).toBe(36);
      const controls = await filters.locator("input, select, button, a").evaluateAll((elements) =>
        elements.map((element) => `${element.getAttribute("name") ?? element.textContent}: ${element.getBoundingClientRect().height}`),
      );
      expect(controls.length).toBeGreaterThan(4);
      expect(controls, `${form}: the controls' heights`).toEqual(controls.map((control) => control.replace(/: [\d.]+$/, `: ${submitHeight}`)));
    }
    await admin.context.close();
  });

  test("non-admins get 403 on every admin page and API; strangers get 401 / the login page", async ({ browser }) => {
    const user = await signedIn(browser, uniqueUser("plain"), USER_KEY);
    await expect(user.page.getByRole("link", { name: "Admin Panel" })).toHaveCount(0);
    for (const path of ["/admin", "/admin/sessions", "/admin/users", "/admin/events"]) {
      const response = await user.page.goto(path);
      expect(response?.status(), path).toBe(403);
      await expect(user.page.getByRole("heading", { name: "Administrators only" })).toBeVisible();
    }
    const api = user.context.request;
    const calls = [
      api.get("/api/admin/sessions"),
      api.get("/api/admin/stats"),
      api.get("/api/admin/users"),
      api.get("/api/admin/events"),
      api.get("/api/admin/events/export?format=csv"),
      api.delete(`/api/admin/sessions/${user.sessionId}`),
      api.delete("/api/admin/sessions?user=root"),
      api.delete("/api/admin/sessions?scope=all&confirm=everyone"),
      api.post("/api/admin/users/root/disable"),
      api.post("/api/admin/users/root/enable"),
    ];
    for (const response of await Promise.all(calls)) await expectJsonError(response, 403, "forbidden");
    expect((await api.get("/api/auth/session")).status()).toBe(200);

    const stranger = await browser.newContext({ baseURL: BASE_URL });
    await expectJsonError(await stranger.request.get("/api/admin/sessions"), 401, "unauthenticated");
    const page = await stranger.newPage();
    await page.goto("/admin/users");
    await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fusers/);
    await stranger.close();
    await user.context.close();
  });

  test("the admin API validates input with clear 4xx errors", async ({ browser }) => {
    const admin = await signedIn(browser, "root", ADMIN_KEY);
    const api = admin.context.request;
    await expectJsonError(await api.get("/api/admin/sessions?sort=sideways"), 400, "invalid_input");
    await expectJsonError(await api.get("/api/admin/sessions?ip=not/an/ip"), 400, "invalid_input");
    await expectJsonError(await api.get("/api/admin/sessions?limit=5000"), 400, "invalid_input");
    await expectJsonError(await api.delete("/api/admin/sessions"), 400, "invalid_input");
    await expectJsonError(await api.delete("/api/admin/sessions?scope=all&confirm=yes"), 400, "invalid_input");
    await expectJsonError(await api.delete("/api/admin/sessions?user=nobody-at-all"), 404, "user_not_found");
    await expectJsonError(await api.delete(`/api/admin/sessions/${admin.sessionId}`), 409, "current_session");
    await expectJsonError(await api.delete("/api/admin/sessions/AAAAAAAAAAAAAAAAAAAAAA"), 404, "session_not_found");
    await expectJsonError(await api.post("/api/admin/users/root/disable"), 409, "cannot_disable_self");
    // Only disable and enable exist under a user: any other action is an address with nothing at it.
    await expectJsonError(await api.post("/api/admin/users/root/explode"), 404, "not_found");
    // A webhook delivery id that is not one names no delivery.
    for (const id of ["abc", "0", "01", "1.0"]) await expectJsonError(await api.post(`/api/admin/webhooks/${id}/resend`), 404, "webhook_delivery_not_found");
    await expectJsonError(await api.post("/api/admin/users/nobody-at-all/enable"), 404, "user_not_found");
    // The path is decoded once: "%2572oot" names "%72oot", which is no username, not "root".
    await expectJsonError(await api.post("/api/admin/users/%2572oot/disable"), 400, "invalid_input");
    await expectJsonError(await api.post("/api/admin/users/nobody%40example.test/enable"), 404, "user_not_found");
    await expectJsonError(await api.delete("/api/admin/sessions?user=root", { data: Buffer.from("{oops"), headers: { "content-type": "application/json" } }), 400, "malformed_json");
    // Hand-edited page links open nothing and claim nothing.
    await admin.page.goto(`/admin/sessions?confirmUser=${encodeURIComponent("<b>x</b> y")}&done=user&count=lots&doneUser=%3Cb%3E`);
    await expect(admin.page.getByRole("group")).toHaveCount(0);
    await expect(admin.page.getByRole("main").getByRole("status")).toHaveCount(0);
    const stats = await (await api.get("/api/admin/stats")).json();
    expect(stats).toEqual({
      activeSessions: expect.any(Number),
      activeUsers: expect.any(Number),
      createdLast24h: expect.any(Number),
      revokedLast24h: expect.any(Number),
      expiredLast24h: expect.any(Number),
    });
    await admin.context.close();
  });
});
