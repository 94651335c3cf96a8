import type { Page } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, BASE_URL, USER_KEY } from "./env";
import { signIn, uniqueUser } from "./helpers";

/**
 * Sessions, Users and Events on a phone (cards) and a desktop (tables): every row whole, its actions
 * on screen, no sideways scrolling.
 */

const VIEWPORTS = [
  { width: 375, height: 667 },
  { width: 1280, height: 800 },
];

async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${page.url()} is no wider than the screen`).toBeLessThanOrEqual(innerWidth);
}

/** Each row's actions can be brought on screen by scrolling down alone, whole, and no cell's text is cut. */
async function expectRowsUsable(page: Page, testId: string, minimumRows: number) {
  const rows = page.getByTestId(testId);
  expect(await rows.count()).toBeGreaterThanOrEqual(minimumRows);
  for (const row of await rows.all()) {
    for (const action of await row.locator("a, button").all()) {
      // Scrolling the page down only (never a table sideways), as a thumb would.
      await action.evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().top - window.innerHeight / 2));
      // Whole inside the viewport, not clipped by a scrolling table.
      await expect(action).toBeInViewport({ ratio: 1 });
      const box = (await action.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(page.viewportSize()!.width);
    }
    // No cell's text overflows it, and no cell sticks out of the table's card (to be scrolled to).
    const cut = await row.locator("td").evaluateAll((cells) => {
      const card = cells[0].closest("table")!.parentElement!.getBoundingClientRect();
      return cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1 || cell.getBoundingClientRect().right > card.right + 1).map((cell) => cell.textContent);
    });
    expect(cut, "cells cut off").toEqual([]);
  }
  await expectNoSidewaysScroll(page);
}

test("at 375 and 1280 px every admin row's actions are on screen without sideways scrolling", async ({ browser, playwright }) => {
  test.setTimeout(180_000);
  const prefix = uniqueUser("phone");
  const username = `${prefix}-with-a-rather-long-name`;
  for (const name of [username, username, username, `${prefix}-b`, `${prefix}-c`]) {
    const login = await playwright.request.newContext({ baseURL: BASE_URL });
    expect((await login.post("/api/auth/login", { data: { username: name, key: USER_KEY } })).status()).toBe(200);
    await login.dispose();
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "root", ADMIN_KEY);
  await expect(page).toHaveURL("/");

  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await page.goto("/admin/sessions");
    await expectRowsUsable(page, "admin-session-row", 3);
    await page.goto(`/admin/sessions?user=${username}&match=exact`);
    await expectRowsUsable(page, "admin-session-row", 3);
    await page.goto(`/admin/users?prefix=${prefix}`);
    await expectRowsUsable(page, "admin-user-row", 3);
    await page.goto("/admin/events?limit=25");
    await expectRowsUsable(page, "admin-event-row", 3);
  }
  await context.close();
});
