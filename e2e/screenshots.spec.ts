import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { USER_KEY } from "./env";
import { signIn, uniqueUser } from "./helpers";

// Saved for people to look at (test-results/screenshots), at phone and desktop widths.
const widths = [375, 1280];
const dir = "test-results/screenshots";

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
    // Nothing may overflow sideways on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: `${dir}/home-${width}.png`, fullPage: true });
  }
});
