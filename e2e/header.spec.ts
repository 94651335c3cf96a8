import type { Browser } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY } from "./env";
import { hydrated, signIn, uniqueUser } from "./helpers";

/**
 * The header on a phone stays one row, with the navigation, who you are and Log out behind one
 * Menu (a native disclosure: keyboard and no-JavaScript alike); on every width the first Tab
 * offers "Skip to content".
 */
async function adminOnPhone(browser: Browser, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, javaScriptEnabled });
  const page = await context.newPage();
  await signIn(page, `root`, ADMIN_KEY);
  await page.goto("/settings/sessions");
  return { context, page };
}

for (const javaScriptEnabled of [true, false]) {
  test(`on a phone the header is one row and its Menu shows the navigation and Log out (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }) => {
    const { context, page } = await adminOnPhone(browser, javaScriptEnabled);
    const header = page.getByRole("banner");
    const box = await header.boundingBox();
    expect(box?.height).toBeLessThanOrEqual(64);
    await expect(header.getByRole("button", { name: "Log out" })).toBeHidden();
    await expect(header.getByRole("link", { name: "Admin Panel" })).toBeHidden();

    // Opened from the keyboard: Tab past "Skip to content" and the product name to Menu.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await expect(header.getByText("Menu", { exact: true })).toBeFocused();
    await page.keyboard.press("Enter");
    for (const name of ["Home", "Settings", "Admin Panel"]) await expect(header.getByRole("link", { name })).toBeInViewport();
    await expect(header.getByRole("button", { name: "Log out" })).toBeInViewport();
    await expect(header.getByTestId("signed-in-user")).toHaveText("root");
    await expect(header.getByTestId("signed-in-user")).toBeInViewport();

    await header.getByRole("link", { name: "Admin Panel" }).click();
    await expect(page).toHaveURL(/\/admin$/);
    // The page it opened is not covered by a menu left open.
    await expect(page.getByRole("banner").getByRole("button", { name: "Log out" })).toBeHidden();
    await context.close();
  });
}

test("on a phone without JavaScript the open Menu covers nothing: Tab past Log out lands on something in view and on top", async ({ browser }) => {
  const { context, page } = await adminOnPhone(browser, false);
  const header = page.getByRole("banner");
  await header.getByText("Menu", { exact: true }).click();
  const logOut = header.getByRole("button", { name: "Log out" });
  await expect(logOut).toBeInViewport();
  await logOut.focus();
  await page.keyboard.press("Tab");
  // Without JavaScript nothing closes the Menu on the way out: what gets focus must not lie under it.
  const covered = await page.evaluate(() => {
    const focused = document.activeElement as HTMLElement | null;
    if (!focused || focused === document.body) return "nothing focused";
    const box = focused.getBoundingClientRect();
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!top) return `"${focused.textContent?.trim()}" is off-screen`;
    return focused === top || focused.contains(top) ? null : `"${focused.textContent?.trim()}" lies under "${top.textContent?.trim().slice(0, 40)}"`;
  });
  expect(covered).toBeNull();
  await context.close();
});

test("on a phone Escape closes the Menu and returns to it, and tabbing out of it or clicking elsewhere closes it too", async ({ browser }) => {
  const { context, page } = await adminOnPhone(browser, true);
  await hydrated(page);
  const header = page.getByRole("banner");
  const summary = header.getByText("Menu", { exact: true });
  const logOut = header.getByRole("button", { name: "Log out" });
  await summary.click();
  await expect(logOut).toBeInViewport();
  await header.getByRole("link", { name: "Home" }).focus();
  await page.keyboard.press("Escape");
  await expect(logOut).toBeHidden();
  await expect(summary).toBeFocused();

  // Tab past its last item: the menu closes, so focus never sits under it.
  await page.keyboard.press("Enter");
  await logOut.focus();
  await page.keyboard.press("Tab");
  await expect(logOut).toBeHidden();

  await summary.click();
  await expect(logOut).toBeInViewport();
  await page.mouse.click(20, 500);
  await expect(logOut).toBeHidden();

  // Escape closes it with focus nowhere in it too (after a click on the panel's text, say).
  await summary.click();
  await expect(logOut).toBeInViewport();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press("Escape");
  await expect(logOut).toBeHidden();
  await expect(summary).toBeFocused();
  await context.close();
});

test("the first Tab offers Skip to content, which moves focus to the page's content", async ({ page }) => {
  await signIn(page, uniqueUser("skip"), USER_KEY);
  await page.goto("/settings/sessions");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#content")).toBeFocused();
  // On a wide screen the header shows everything at once.
  await expect(page.getByRole("banner").getByRole("button", { name: "Log out" })).toBeVisible();
});

test("between phone and desktop widths a long name is cut short, never widening the page", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 640, height: 600 } });
  const page = await context.newPage();
  await signIn(page, `${uniqueUser("a-rather-long-name")}@people.example.org`, USER_KEY);
  for (const width of [640, 667, 760]) {
    await page.setViewportSize({ width, height: 600 });
    const header = page.getByRole("banner");
    await expect(header.getByRole("button", { name: "Log out" }), `at ${width} px`).toBeInViewport();
    await expect(header.getByRole("link", { name: "Settings" }), `at ${width} px`).toBeInViewport();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `at ${width} px`).toBe(0);
  }
  await context.close();
});
