import type { Browser, Locator, Page, PlaywrightWorkerArgs } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY } from "./env";
import { hydrated, signIn, uniqueUser } from "./helpers";

/**
 * After a client-side navigation focus starts at the page's content, as after a full page load: not
 * left on a link far down a page scrolled back to the top, nor lost to <body> with a button that is gone.
 */
test("following Next page → moves focus to the new page's content, not a link off-screen", async ({ browser, playwright }) => {
  const username = uniqueUser("paged");
  const context = await browser.newContext({ viewport: { width: 375, height: 700 } });
  const page = await context.newPage();
  for (let i = 0; i < 3; i++) {
    const device = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
    expect((await device.post("/api/auth/login", { data: { username, key: USER_KEY } })).status()).toBe(200);
    await device.dispose();
  }
  await signIn(page, "root", ADMIN_KEY);
  await page.goto(`/admin/sessions?user=${username}&limit=1`);
  await hydrated(page);
  const next = page.getByRole("link", { name: "Next page →" });
  await next.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/cursor=/);
  await expect(page.locator("main#content")).toBeFocused();
  await context.close();
});

test("after revoking a session from the keyboard focus is on the message that says it was revoked", async ({ browser }) => {
  const username = uniqueUser("focus");
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, username, USER_KEY);
  expect((await context.request.post("/api/auth/login", { data: { username, key: USER_KEY }, headers: { "user-agent": "curl/8.5.0" } })).status()).toBe(200);
  await page.goto("/settings/sessions");
  await hydrated(page);
  await page.getByRole("link", { name: /^Revoke/ }).first().click();
  const confirm = page.getByRole("group", { name: /^Revoke/ });
  await expect(confirm.getByRole("button", { name: /^Revoke/ })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("main").getByRole("status")).toHaveText("Session revoked. That device is signed out at its next request.");
  await expect(page.getByRole("main").getByRole("status")).toBeFocused();
  // The next Tab goes on from the message, into the page.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: /^Details/ }).first()).toBeFocused();
  await context.close();
});

/** A phone-sized browser signed in as a new user who is also signed in from curl, on Settings > Sessions. */
async function onSessionsWithAnother(browser: Browser, prefix: string) {
  const username = uniqueUser(prefix);
  const context = await browser.newContext({ viewport: { width: 375, height: 700 } });
  const page = await context.newPage();
  await signIn(page, username, USER_KEY);
  expect((await context.request.post("/api/auth/login", { data: { username, key: USER_KEY }, headers: { "user-agent": "curl/8.5.0" } })).status()).toBe(200);
  await page.goto("/settings/sessions");
  await hydrated(page);
  return { context, page };
}

/** A session of `username` from a script (not a browser): something for an admin to act on. */
async function signInFromScript(playwright: PlaywrightWorkerArgs["playwright"], username: string) {
  const device = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  expect((await device.post("/api/auth/login", { data: { username, key: USER_KEY } })).status()).toBe(200);
  await device.dispose();
}

/** The admin, signed in, on Admin > Users filtered to `username`, hydrated. */
async function adminOnUsers(browser: Browser, username: string, viewport: { width: number; height: number }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await signIn(page, "root", ADMIN_KEY);
  await page.goto(`/admin/users?prefix=${username}`);
  await hydrated(page);
  return { context, page };
}

/** Opens a confirmation from the keyboard, then cancels it the same way. */
async function openAndCancel(page: Page, opener: Locator, panel: string | RegExp) {
  await opener.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("group", { name: panel }).getByRole("link", { name: "Cancel" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("group", { name: panel })).toHaveCount(0);
}

test("Escape in an open confirmation cancels it as Cancel does, from its button or from a field", async ({ browser, playwright }) => {
  const { context, page } = await onSessionsWithAnother(browser, "escape");
  const revoke = page.getByRole("link", { name: /^Revoke session/ }).first();
  const row = page.getByTestId("session-card").filter({ has: revoke });
  const rowId = await row.getAttribute("id");
  await revoke.focus();
  await page.keyboard.press("Enter");
  const panel = page.getByRole("group", { name: /^Revoke/ });
  await expect(panel.getByRole("button", { name: "Revoke session" })).toBeFocused();
  // The phone's Menu, opened over it, takes the first Escape; the confirmation stays open.
  const menu = page.getByRole("banner").getByText("Menu", { exact: true });
  await menu.click();
  await expect(page.getByRole("banner").getByRole("button", { name: "Log out" })).toBeInViewport();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("banner").getByRole("button", { name: "Log out" })).toBeHidden();
  await expect(menu).toBeFocused();
  await expect(panel).toHaveCount(1);
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/settings/sessions#${rowId}$`));
  await expect(page.locator(`#${rowId}`)).toBeFocused();
  // Nothing was revoked.
  await expect(revoke).toBeVisible();
  await context.close();

  // An admin's confirmation with a reason field focused: Escape there cancels too.
  const username = uniqueUser("escapeadmin");
  await signInFromScript(playwright, username);
  const { context: adminContext, page: admin } = await adminOnUsers(browser, username, { width: 1280, height: 800 });
  const userRow = admin.getByTestId("admin-user-row").filter({ hasText: username });
  await userRow.getByRole("link", { name: `Disable ${username}` }).click();
  const disable = admin.getByRole("group", { name: `Disable ${username}?` });
  await expect(disable.getByLabel(/^Reason/)).toBeFocused();
  await admin.keyboard.type("changed my mind");
  await admin.keyboard.press("Escape");
  await expect(disable).toHaveCount(0);
  await expect(userRow).toBeFocused();
  await expect(userRow.getByRole("link", { name: `Disable ${username}` })).toBeVisible();
  await adminContext.close();
});

test("Escape after the confirm button is pressed does not hide what the action did", async ({ browser }) => {
  const { context, page } = await onSessionsWithAnother(browser, "escapesent");
  // The action's answer held back a moment, so the Escape comes while the form is being sent.
  await page.route("**/settings/sessions**", async (route) => {
    if (route.request().method() === "POST") await new Promise((resolve) => setTimeout(resolve, 700));
    await route.continue();
  });
  await page.getByRole("link", { name: /^Revoke session/ }).first().click();
  const confirm = page.getByRole("group", { name: /^Revoke/ }).getByRole("button", { name: "Revoke session" });
  await expect(confirm).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("group", { name: /^Revoke/ }).getByRole("button", { name: "Revoking…" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("main").getByRole("status")).toHaveText("Session revoked. That device is signed out at its next request.");
  await expect(page.getByRole("link", { name: /^Revoke session/ })).toHaveCount(0);
  await context.close();
});

test("Cancel in a session's confirmation puts focus back on its row, not the top of the page", async ({ browser }) => {
  const { context, page } = await onSessionsWithAnother(browser, "cancel");
  const revoke = page.getByRole("link", { name: /^Revoke session/ }).first();
  const row = page.getByTestId("session-card").filter({ has: revoke });
  const rowId = await row.getAttribute("id");
  await openAndCancel(page, revoke, /^Revoke/);
  await expect(page.locator(`#${rowId}`)).toBeFocused();
  // The next Tab stays in that row.
  await page.keyboard.press("Tab");
  await expect(page.locator(`#${rowId}`).getByRole("link", { name: /^Details/ })).toBeFocused();
  await context.close();
});

test("Cancel in an Admin Panel confirmation puts focus back on what opened it: the user's row, or its button", async ({ browser, playwright }) => {
  const username = uniqueUser("admincancel");
  await signInFromScript(playwright, username);
  const { context, page } = await adminOnUsers(browser, username, { width: 375, height: 700 });
  const row = page.getByTestId("admin-user-row").filter({ hasText: username });
  const rowId = await row.getAttribute("id");
  await openAndCancel(page, row.getByRole("link", { name: `Disable ${username}` }), `Disable ${username}?`);
  await expect(page.locator(`[id="${rowId}"]`)).toBeFocused();
  // "Revoke all" asks on the Users page itself, and Cancel stays there, on the row.
  await openAndCancel(page, row.getByRole("link", { name: `Revoke all of ${username}'s sessions` }), `Revoke every session of ${username}?`);
  await expect(page).toHaveURL(new RegExp(`/admin/users\\?prefix=${username}#${rowId}$`));
  await expect(page.locator(`[id="${rowId}"]`)).toBeFocused();
  // Confirmed there, the outcome is said on the Users page, whose row then has nothing left to revoke.
  await row.getByRole("link", { name: `Revoke all of ${username}'s sessions` }).click();
  await page.getByRole("group", { name: `Revoke every session of ${username}?` }).getByRole("button", { name: `Revoke all of ${username}'s sessions` }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText(`Revoked 1 session of ${username}. Those browsers are signed out at their next request.`);
  await expect(page).toHaveURL(/\/admin\/users\?/);
  await expect(row.getByRole("link", { name: `0 active sessions of ${username}` })).toBeVisible();
  await expect(row.getByRole("link", { name: `Revoke all of ${username}'s sessions` })).toHaveCount(0);
  // A new sign-in, for the Admin > Sessions part below.
  await signInFromScript(playwright, username);

  await page.goto(`/admin/sessions?user=${username}`);
  await hydrated(page);
  const sessionRow = page.getByTestId("admin-session-row").first();
  for (const [opener, panel, back] of [
    [page.getByRole("link", { name: "Force logout everyone" }), "Force logout everyone?", null],
    [page.getByRole("link", { name: /^Revoke all 1 matching/ }), "Revoke all 1 matching session?", null],
    [page.getByRole("link", { name: `Revoke all of ${username}'s sessions` }).first(), `Revoke every session of ${username}?`, null],
    // A row's own "Revoke all" (named the same as the filter's button): back on that row.
    [sessionRow.getByRole("link", { name: `Revoke all of ${username}'s sessions` }), `Revoke every session of ${username}?`, sessionRow],
    [sessionRow.getByRole("link", { name: new RegExp(`^Revoke ${username}'s session `) }), `Revoke this session of ${username}?`, sessionRow],
  ] as const) {
    await openAndCancel(page, opener, panel);
    await expect(back ?? opener).toBeFocused();
  }

  // A session's own page: back on its Revoke.
  await sessionRow.getByRole("link", { name: /^Details/ }).click();
  await expect(page).toHaveURL(/\/admin\/sessions\/[^/?#]+$/);
  await hydrated(page);
  const revoke = page.getByRole("link", { name: new RegExp(`^Revoke ${username}'s session `) });
  await openAndCancel(page, revoke, /^Revoke/);
  await expect(revoke).toBeFocused();
  await context.close();
});

test("Cancel in Sign out all other sessions, and on a session's own page, puts focus back on the button that opened it", async ({ browser }) => {
  const { context, page } = await onSessionsWithAnother(browser, "cancelothers");
  const others = page.getByRole("link", { name: "Sign out all other sessions" });
  await openAndCancel(page, others, "Sign out all other sessions?");
  await expect(others).toBeFocused();

  // The other session (curl's): its own page.
  await page.getByTestId("session-card").filter({ has: page.getByRole("link", { name: /^Revoke session/ }) }).getByRole("link", { name: /^Details/ }).click();
  // A client-side navigation: wait for the session's own page, whose Revoke is named like the list's.
  await expect(page).toHaveURL(/\/settings\/sessions\/[^/?#]+$/);
  await hydrated(page);
  const revoke = page.getByRole("link", { name: /^Revoke session/ });
  await openAndCancel(page, revoke, /^Revoke/);
  await expect(revoke).toBeFocused();
  await context.close();
});
