import fs from "node:fs";
import { devices } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY } from "./env";
import { currentSessionId, signIn, uniqueUser, withDatabase } from "./helpers";

// Saved for people to look at (test-results/screenshots), at phone and desktop widths.
const widths = [375, 1280];
const dir = "test-results/screenshots";

// Each test loads several pages at two widths and saves full-page screenshots.
test.describe.configure({ timeout: 120_000 });

async function expectNoSidewaysScroll(page: import("@playwright/test").Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

test("login and home pages render at phone and desktop widths", async ({ page }) => {
  fs.mkdirSync(dir, { recursive: true });
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto("/login?error=invalid_credentials&username=alice");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.screenshot({ path: `${dir}/login-${width}.png`, fullPage: true });
  }
  await signIn(page, uniqueUser("looks"), USER_KEY, { remember: true });
  await expect(page).toHaveURL("/");
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    await page.reload();
    await expectNoSidewaysScroll(page, width);
    await page.screenshot({ path: `${dir}/home-${width}.png`, fullPage: true });
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
    await page.screenshot({ path: `${dir}/sessions-${width}.png`, fullPage: true });
    // Compact: three sessions take well under one phone screen (667 px tall, an iPhone SE).
    expect((await page.getByRole("list", { name: "Your active sessions" }).boundingBox())!.height).toBeLessThan(400);
    // The confirmation opens where the person is looking (the Revoke link's #fragment).
    await page.goto(`/settings/sessions?confirm=${others[0]}#revoke-${others[0]}`);
    await expect(page.getByRole("button", { name: "Revoke session" })).toBeInViewport();
    await expectNoSidewaysScroll(page, width);
    await page.screenshot({ path: `${dir}/sessions-confirm-${width}.png` });

    await page.goto(`/settings/sessions/${others[0]}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/on iOS/);
    await expectNoSidewaysScroll(page, width);
    await page.screenshot({ path: `${dir}/session-detail-${width}.png`, fullPage: true });
    await page.goto(`/settings/sessions/${others[0]}?confirm=1#revoke-${others[0]}`);
    await expect(page.getByRole("button", { name: "Revoke session" })).toBeInViewport();
    await expectNoSidewaysScroll(page, width);
    await page.screenshot({ path: `${dir}/session-detail-confirm-${width}.png`, fullPage: true });
  }
  await page.goto("/settings/sessions?confirm=others");
  await page.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(page.getByTestId("session-card")).toHaveCount(1);
  await page.setViewportSize({ width: 375, height: 800 });
  await expectNoSidewaysScroll(page, 375);
  await page.screenshot({ path: `${dir}/sessions-only-this-device-375.png`, fullPage: true });
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
      ["admin-sessions", `/admin/sessions?user=${busy}&match=exact`],
      ["admin-sessions-all", "/admin/sessions?confirmAll=1"],
      ["admin-users", "/admin/users"],
      ["admin-events", "/admin/events"],
    ]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expectNoSidewaysScroll(page, width);
      await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
    }
  }
});
