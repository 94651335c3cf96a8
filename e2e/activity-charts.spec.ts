import fs from "node:fs";
import { devices, type Browser, type Locator, type Page } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY } from "./env";
import { currentSessionId, signIn, uniqueUser } from "./helpers";

const dir = "test-results/screenshots";
const widths = [375, 1280];

test.describe.configure({ timeout: 120_000 });

async function signedIn(browser: Browser, username: string, key: string, options: Parameters<Browser["newContext"]>[0] = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, username, key);
  await expect(page).toHaveURL("/");
  return { context, page, sessionId: await currentSessionId(context.request) };
}

const chart = (page: Page, name: string) => page.getByRole("figure", { name });

/** The numbers of a chart's last bucket (the current hour or day), read from its table fallback. */
async function lastRow(figure: Locator): Promise<number[]> {
  const details = figure.locator("details");
  if (!(await details.getAttribute("open"))) await figure.getByText("Show as table").click();
  const cells = figure.getByRole("row").last().getByRole("cell");
  await expect(cells.first()).toBeVisible();
  return (await cells.allInnerTexts()).map((text) => Number(text.replace(/,/g, "")));
}

test("the Admin Panel overview and a person's Settings show sign-ins, failures and revocations", async ({ browser }) => {
  const admin = await signedIn(browser, "root", ADMIN_KEY);
  await admin.page.getByRole("link", { name: "Admin Panel" }).click();
  await expect(admin.page).toHaveURL("/admin");
  await expect(admin.page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  await expect(admin.page.getByRole("navigation", { name: "Admin Panel" }).getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  const [signInsBefore, failedBefore, revokedBefore] = await lastRow(chart(admin.page, "Last 24 hours"));

  // A sign-in on a phone, one on a desktop, a wrong key, and the admin revoking the desktop session.
  const username = uniqueUser("charted");
  const phone = await signedIn(browser, username, USER_KEY, devices["iPhone 13"]);
  const desktop = await signedIn(browser, username, USER_KEY);
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await signIn(strangerPage, username, "not-the-key");
  await expect(strangerPage).toHaveURL(/error=invalid_credentials/);
  expect((await admin.context.request.delete(`/api/admin/sessions/${desktop.sessionId}`, { data: { reason: "chart test" } })).status()).toBe(200);

  await admin.page.reload();
  const hours = chart(admin.page, "Last 24 hours");
  // Other tests may sign in at the same time: at least ours are there.
  const [signIns, failed, revoked] = await lastRow(hours);
  expect(signIns).toBeGreaterThanOrEqual(signInsBefore! + 2);
  expect(failed).toBeGreaterThanOrEqual(failedBefore! + 1);
  expect(revoked).toBeGreaterThanOrEqual(revokedBefore! + 1);
  await expect(hours.getByRole("img")).toHaveAccessibleName(/Last 24 hours, Per hour, UTC/);
  await expect(hours.getByRole("columnheader", { name: "Hour (UTC)" })).toBeVisible();
  const [daySignIns] = await lastRow(chart(admin.page, "Last 30 days"));
  expect(daySignIns).toBeGreaterThanOrEqual(signIns!);
  const devicesFigure = chart(admin.page, "By device type");
  await expect(devicesFigure.getByRole("term").filter({ hasText: "Mobile" })).toBeVisible();

  // The person's own page: their two sign-ins today, newest first, with device and address network.
  await phone.page.goto("/settings");
  await expect(phone.page.getByRole("heading", { name: "Your sign-ins", level: 1 })).toBeVisible();
  const list = phone.page.getByTestId("sign-in-list").getByRole("listitem");
  await expect(list).toHaveCount(2);
  await expect(list.last()).toContainText("Mobile Safari");
  await expect(list.first()).toContainText(/network (127\.0\.0\.0\/24|::\/48)/);
  expect((await lastRow(chart(phone.page, "Sign-ins, last 30 days")))[0]).toBe(2);

  fs.mkdirSync(dir, { recursive: true });
  for (const width of widths) {
    for (const [page, name] of [[admin.page, "admin-overview"], [phone.page, "settings-overview"]] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.reload();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
      // The tables scroll inside their charts: the page itself still does not scroll sideways.
      for (const summary of await page.getByText("Show as table").all()) await summary.click();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
  }
  for (const context of [admin.context, phone.context, desktop.context, stranger]) await context.close();
});
