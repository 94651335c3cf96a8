import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY } from "./env";
import { ageAuthentication, currentSessionId, expectJsonError, signIn, uniqueUser, withDatabase } from "./helpers";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** A device signed in through the API with a given browser; its request context carries the cookie. */
async function device(browser: Browser, username: string, userAgent: string) {
  const context = await browser.newContext({ userAgent });
  const response = await context.request.post("/api/auth/login", { data: { username, key: USER_KEY } });
  expect(response.status()).toBe(200);
  return { context, sessionId: await currentSessionId(context.request) };
}

async function signedInAdmin(browser: Browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await signIn(page, "root", ADMIN_KEY);
  await expect(page).toHaveURL("/");
  return { context, page, sessionId: await currentSessionId(context.request) };
}

const stillActive = async (sessionIds: string[]) =>
  withDatabase((db) => sessionIds.map((id) => (db.prepare(`SELECT revokedAt FROM "Session" WHERE id = ?`).get(id) as { revokedAt: unknown }).revokedAt === null));

const main = (page: Page) => page.getByRole("main");

test.describe("Admin bulk revoke by filter", () => {
  test("the page shows the exact count, refuses when it moved, and revokes exactly what it showed", async ({ browser }) => {
    const prefix = uniqueUser("bulk");
    const firefox = [await device(browser, `${prefix}-a`, FIREFOX), await device(browser, `${prefix}-b`, FIREFOX)];
    const chrome = await device(browser, `${prefix}-a`, CHROME);
    const admin = await signedInAdmin(browser);
    const page = admin.page;

    await page.goto("/admin/sessions");
    const filters = page.getByRole("form", { name: "Filter sessions" });
    await filters.getByLabel("User", { exact: true }).fill(prefix);
    await filters.getByLabel("Match").selectOption("prefix");
    await filters.getByLabel("Browser").fill("Firefox");
    await filters.getByLabel("IP, prefix or CIDR").fill("127.0.0.0/8");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await expect(page.getByTestId("admin-session-row")).toHaveCount(2);

    // Keyboard: the action is a link, reachable and followed with Enter.
    await page.getByRole("link", { name: "Revoke all 2 matching" }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/confirmFilter=1/);
    const confirm = page.getByRole("group", { name: "Revoke all 2 matching sessions?" });
    await expect(confirm).toContainText(`user starts with ${prefix}, IP in 127.0.0.0/8, browser Firefox`);
    await expect(confirm.getByLabel(/Reason/)).toHaveAttribute("required", "");
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await confirm.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/screenshots/admin-bulk-revoke-confirm-${width}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    // Someone else signs in while the admin reads: the count moved, so nothing is revoked.
    const late = await device(browser, `${prefix}-c`, FIREFOX);
    await confirm.getByLabel(/Reason/).fill("incident 7: stolen Firefox profiles");
    await confirm.getByRole("button", { name: "Revoke 2 sessions" }).click();
    await expect(main(page).getByRole("alert")).toHaveText(/Nothing was revoked: the number of matching sessions changed since you looked/);
    expect(await stillActive([...firefox, late, chrome].map((d) => d.sessionId))).toEqual([true, true, true, true]);

    // Looked at again: the panel shows the new count, and confirming revokes exactly those.
    const again = page.getByRole("group", { name: "Revoke all 3 matching sessions?" });
    await again.getByLabel(/Reason/).fill("incident 7: stolen Firefox profiles");
    await again.getByRole("button", { name: "Revoke 3 sessions" }).click();
    await expect(main(page).getByRole("status")).toHaveText("Revoked 3 sessions matching the filters. Those browsers are signed out at their next request.");
    expect(await stillActive([...firefox, late, chrome].map((d) => d.sessionId))).toEqual([false, false, false, true]);
    await expect(page.getByText("No active sessions match these filters")).toBeVisible();

    const events = withDatabase((db) => db.prepare(`SELECT actor, count, detail FROM "AuthEvent" WHERE type = 'sessions.bulk_revoked' AND detail LIKE ?`).all(`%${prefix}%`));
    expect(events).toEqual([
      { actor: "root", count: 3, detail: `filter: user starts with ${prefix}, IP in 127.0.0.0/8, browser Firefox; count: 3; reason: incident 7: stolen Firefox profiles` },
    ]);
    for (const c of [...firefox, chrome, late, admin]) await c.context.close();
  });

  test("the API: a dry-run count, then DELETE with confirm=<count>, refused when the count moved", async ({ browser }) => {
    const prefix = uniqueUser("bulkapi");
    const users = [await device(browser, `${prefix}-a`, CHROME), await device(browser, `${prefix}-a`, CHROME)];
    const admin = await signedInAdmin(browser);
    const api = admin.context.request;
    const filter = `user=${prefix}&match=prefix&browser=Chrome&signedInAfter=2020-01-01`;

    const counted = await api.get(`/api/admin/sessions/count?${filter}`);
    expect(counted.status()).toBe(200);
    expect(await counted.json()).toEqual({ count: 2 });
    await expectJsonError(await api.get("/api/admin/sessions/count"), 400, "invalid_input");
    const badBlock = await api.get("/api/admin/sessions/count?ip=10.1.2.3/8");
    await expectJsonError(badBlock, 400, "invalid_input");

    await expectJsonError(await api.delete(`/api/admin/sessions?${filter}`, { data: { reason: "x" } }), 400, "invalid_input");
    await expectJsonError(await api.delete(`/api/admin/sessions?scope=all&confirm=everyone&${filter}`, { data: { reason: "x" } }), 400, "invalid_input");
    await expectJsonError(await api.delete(`/api/admin/sessions?${filter}&confirm=2`), 400, "reason_required");
    const third = await device(browser, `${prefix}-b`, CHROME);
    const moved = await api.delete(`/api/admin/sessions?${filter}&confirm=2`, { data: { reason: "cleanup" } });
    await expectJsonError(moved, 409, "count_changed");
    expect((await moved.json()).error.message).toBe("Nothing was revoked: 3 sessions match these filters now, not the 2 you confirmed. Look at them again and confirm the new count.");
    expect(await stillActive([...users, third].map((d) => d.sessionId))).toEqual([true, true, true]);

    const revoked = await api.delete(`/api/admin/sessions?${filter}&confirm=3`, { data: { reason: "cleanup" } });
    expect(revoked.status()).toBe(200);
    expect(await revoked.json()).toEqual({ revoked: 3 });
    expect(await stillActive([...users, third].map((d) => d.sessionId))).toEqual([false, false, false]);
    expect(await (await api.get(`/api/admin/sessions/count?${filter}`)).json()).toEqual({ count: 0 });
    for (const c of [...users, third, admin]) await c.context.close();
  });

  test("the API never revokes without a filter or past a parameter it does not know, and asks for the reason before the key", async ({ browser }) => {
    const prefix = uniqueUser("bulkstrict");
    const target = await device(browser, `${prefix}-a`, FIREFOX);
    const admin = await signedInAdmin(browser);
    const api = admin.context.request;
    // A count alone, or `match` alone, filters nothing: everyone is ?scope=all&confirm=everyone.
    for (const query of ["confirm=0", "match=exact&confirm=0", "match=prefix&confirm=0"]) {
      await expectJsonError(await api.delete(`/api/admin/sessions?${query}`, { data: { reason: "x" } }), 400, "invalid_input");
    }
    // A misspelled filter is refused, not dropped (which would leave all of the user's sessions).
    const misspelled = await api.delete(`/api/admin/sessions?user=${prefix}-a&browsr=Chrome`, { data: { reason: "x" } });
    await expectJsonError(misspelled, 400, "invalid_input");
    expect((await misspelled.json()).error.message).toContain("browsr");
    await expectJsonError(await api.get(`/api/admin/sessions/count?user=${prefix}-a&browsr=Chrome`), 400, "invalid_input");
    expect(await stillActive([target.sessionId, admin.sessionId])).toEqual([true, true]);

    // Not fresh: a missing reason is refused before the typed key is checked, so the key is not spent.
    ageAuthentication(admin.sessionId, 20);
    const noReason = await api.delete(`/api/admin/sessions?user=${prefix}-a&browser=Firefox&confirm=1`, { data: { key: ADMIN_KEY } });
    await expectJsonError(noReason, 400, "reason_required");
    expect(noReason.headers()["set-cookie"]).toBeUndefined();
    expect(await stillActive([target.sessionId, admin.sessionId])).toEqual([true, true]);
    const done = await api.delete(`/api/admin/sessions?user=${prefix}-a&browser=Firefox&confirm=1`, { data: { key: ADMIN_KEY, reason: "lost laptop" } });
    expect(done.status()).toBe(200);
    expect(await done.json()).toEqual({ revoked: 1 });
    expect(await stillActive([target.sessionId])).toEqual([false]);
    for (const c of [target, admin]) await c.context.close();
  });

  test("invalid filters are explained, and an admin whose sign-in is not fresh confirms with the key", async ({ browser }) => {
    const prefix = uniqueUser("bulkstale");
    const target = await device(browser, `${prefix}-a`, FIREFOX);
    const admin = await signedInAdmin(browser);
    const page = admin.page;
    await page.goto("/admin/sessions?ip=10.1.2.3/8&country=Germany");
    await expect(main(page).getByRole("alert")).toContainText("ip: 10.1.2.3/8 has address bits set past /8: did you mean 10.0.0.0/8?");
    await expect(main(page).getByRole("alert")).toContainText("country must be a two-letter country code");
    await expect(page.getByRole("link", { name: /^Revoke all \d+ matching$/ })).toHaveCount(0);

    ageAuthentication(admin.sessionId, 20);
    await page.goto(`/admin/sessions?user=${prefix}&match=prefix&signedInAfter=2020-01-01`);
    await page.getByRole("link", { name: "Revoke all 1 matching" }).click();
    const confirm = page.getByRole("group", { name: "Revoke all 1 matching session?" });
    await confirm.getByLabel(/Reason/).fill("offboarding");
    await confirm.getByLabel("Your admin key").fill(USER_KEY);
    await confirm.getByRole("button", { name: "Revoke 1 session" }).click();
    await expect(main(page).getByRole("alert")).toHaveText("That key is not right. Enter your admin key to confirm.");
    expect(await stillActive([target.sessionId])).toEqual([true]);
    await confirm.getByLabel(/Reason/).fill("offboarding");
    await confirm.getByLabel("Your admin key").fill(ADMIN_KEY);
    await confirm.getByRole("button", { name: "Revoke 1 session" }).click();
    await expect(main(page).getByRole("status")).toHaveText(/^Revoked 1 session matching the filters/);
    expect(await stillActive([target.sessionId])).toEqual([false]);
    for (const c of [target, admin]) await c.context.close();
  });
});
