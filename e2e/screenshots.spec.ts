import fs from "node:fs";
import { devices } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY } from "./env";
import { currentSessionId, failSignIn, signIn, uniqueUser, withDatabase } from "./helpers";

// Saved for people to look at (test-results/screenshots), at phone and desktop widths, light and dark.
const widths = [375, 1280];
const dir = "test-results/screenshots";
type Page = import("@playwright/test").Page;

/** Saves NAME.png as the page is, then NAME-dark.png in the dark colour scheme (the system setting). */
async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = { fullPage: true }) {
  await page.screenshot({ path: `${dir}/${name}.png`, ...options });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${dir}/${name}-dark.png`, ...options });
  await page.emulateMedia({ colorScheme: "light" });
}

// Each test loads several pages at two widths and saves full-page screenshots, light and dark.
test.describe.configure({ timeout: 180_000 });

async function expectNoSidewaysScroll(page: Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

test("login, not-found, report, home and settings pages render at phone and desktop widths", async ({ page }) => {
  fs.mkdirSync(dir, { recursive: true });
  // So that /login?error=… shows its error in this browser.
  await failSignIn(page);
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto("/login?error=invalid_credentials&username=alice");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await screenshot(page, `login-${width}`);
    await page.goto("/no-such-page");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await screenshot(page, `not-found-${width}`);
    await page.goto("/report?token=not-a-real-token");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await screenshot(page, `report-${width}`);
  }
  await signIn(page, uniqueUser("looks"), USER_KEY, { remember: true });
  await expect(page).toHaveURL("/");
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto("/");
    await expectNoSidewaysScroll(page, width);
    await screenshot(page, `home-${width}`);
    await page.goto("/settings");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoSidewaysScroll(page, width);
    await screenshot(page, `settings-${width}`);
  }
});

test("Settings > Sessions renders at phone and desktop widths", async ({ page, browser }) => {
  fs.mkdirSync(dir, { recursive: true });
  const username = uniqueUser("jordan");
  // Two other devices, one of them reported by a proxy as being in Munich.
  const others: string[] = [];
  for (const options of [devices["iPhone 13"], { userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0" }]) {
    const context = await browser.newContext(options);
    const other = await context.newPage();
    await signIn(other, username, USER_KEY, { remember: true });
    others.push(await currentSessionId(context.request));
    await context.close();
  }
  withDatabase((db) => db.prepare(`UPDATE "Session" SET country = 'DE', city = 'München', ipAddress = '2001:db8:4:2::17' WHERE id = ?`).run(others[0]));
  await signIn(page, username, USER_KEY);
  await expect(page).toHaveURL("/");

  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/settings/sessions");
    await expect(page.getByTestId("session-card")).toHaveCount(3);
    await expectNoSidewaysScroll(page, width);
    await screenshot(page, `sessions-${width}`);
    // Compact: three sessions take well under one phone screen (667 px tall, an iPhone SE).
    expect((await page.getByRole("list", { name: "Your active sessions" }).boundingBox())!.height).toBeLessThan(400);
    // The confirmation opens where the person is looking (the Revoke link's #fragment).
    await page.goto(`/settings/sessions?confirm=${others[0]}#revoke-${others[0]}`);
    await expect(page.getByRole("button", { name: "Revoke session" })).toBeInViewport();
    await expectNoSidewaysScroll(page, width);
    await screenshot(page, `sessions-confirm-${width}`, {});

    await page.goto(`/settings/sessions/${others[0]}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/on iOS/);
    await expectNoSidewaysScroll(page, width);
    await screenshot(page, `session-detail-${width}`);
    await page.goto(`/settings/sessions/${others[0]}?confirm=1#revoke-${others[0]}`);
    await expect(page.getByRole("button", { name: "Revoke session" })).toBeInViewport();
    await expectNoSidewaysScroll(page, width);
    await screenshot(page, `session-detail-confirm-${width}`);
  }
  await page.goto("/settings/sessions?confirm=others");
  await page.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(page.getByTestId("session-card")).toHaveCount(1);
  await page.setViewportSize({ width: 375, height: 800 });
  await expectNoSidewaysScroll(page, 375);
  await screenshot(page, `sessions-only-this-device-375`);
});

test("Admin Panel pages render at phone and desktop widths", async ({ page, browser }) => {
  fs.mkdirSync(dir, { recursive: true });
  const busy = uniqueUser("busy");
  for (let i = 0; i < 6; i++) {
    const context = await browser.newContext(i % 2 ? devices["iPhone 13"] : {});
    await signIn(await context.newPage(), busy, USER_KEY);
    await context.close();
  }
  await signIn(page, "root", ADMIN_KEY);
  await expect(page).toHaveURL("/");
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    for (const [name, path] of [
      ["admin-overview", "/admin"],
      ["admin-sessions", `/admin/sessions?user=${busy}&match=exact`],
      ["admin-sessions-all", "/admin/sessions?confirmAll=1"],
      ["admin-users", "/admin/users"],
      ["admin-events", "/admin/events"],
      ["admin-webhooks", "/admin/webhooks"],
      ["admin-sso", "/admin/sso"],
    ]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expectNoSidewaysScroll(page, width);
      await screenshot(page, `${name}-${width}`);
    }
  }
});
