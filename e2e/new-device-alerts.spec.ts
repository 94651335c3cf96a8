import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "@playwright/test";
import BetterSqlite3 from "better-sqlite3";
import { reportLinkIn, startSmtpServer } from "../tests/support/smtp";
import { expect, test } from "./api-contract";
import { ALERTS_APP_PORT, USER_KEY } from "./env";
import { expectJsonError, hydrated, signIn, startApp, uniqueUser } from "./helpers";

/**
 * New-device alerts, behind a trusted proxy that reports each client's address and place: a
 * sign-in from a browser, OS and network the user has not used raises a banner on their other
 * sessions' pages, answered with "This was me" or "Sign it out".
 */
const BASE = `http://localhost:${ALERTS_APP_PORT}`;
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const FIREFOX_NEWER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const from = (ip: string, country: string, city: string) => ({ "x-forwarded-for": ip, "cf-ipcountry": country, "cf-ipcity": city });

let app: Awaited<ReturnType<typeof startApp>>;
let dir: string;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

test.describe.configure({ mode: "serial" });
test.use({ baseURL: BASE });

test.beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-alerts-"));
  smtp = await startSmtpServer();
  app = await startApp(ALERTS_APP_PORT, dir, { DASHBOARD_TRUST_PROXY: "1", DASHBOARD_SMTP_URL: smtp.url, DASHBOARD_SMTP_FROM: "Sessionboard <sessions@example.com>" });
});

test.afterAll(async () => {
  await app?.stop();
  await smtp?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function signInFrom(
  browser: Browser,
  username: string,
  userAgent: string,
  headers: Record<string, string>,
  options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {},
) {
  const context = await browser.newContext({ baseURL: BASE, userAgent, extraHTTPHeaders: headers, ...options });
  const page = await context.newPage();
  await signIn(page, username, USER_KEY);
  await expect(page).toHaveURL("/");
  const session = (await (await context.request.get("/api/auth/session")).json()) as { session: { id: string } };
  return { context, page, id: session.session.id };
}

type Alert = { id: string; sessionId: string; browser: string | null; os: string | null; ipAddress: string | null; country: string | null; city: string | null };

test("a sign-in from a new browser on a new network raises the banner on the older session; “Sign it out” ends the new one", async ({ browser }) => {
  const username = uniqueUser("alerted");
  const laptop = await signInFrom(browser, username, FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  // A first sign-in has nothing to compare with: no banner anywhere.
  await expect(laptop.page.getByTestId("new-device-alerts")).toHaveCount(0);

  const intruder = await signInFrom(browser, username, CHROME, from("198.51.100.7", "FR", "Paris"));
  // Not on the new session's own pages.
  await expect(intruder.page.getByTestId("new-device-alerts")).toHaveCount(0);
  expect(((await (await intruder.context.request.get("/api/alerts")).json()) as { alerts: Alert[] }).alerts).toEqual([]);

  // On the older one's: every signed-in page, and the API.
  await laptop.page.goto("/settings/sessions");
  const banner = laptop.page.getByTestId("new-device-alerts");
  await expect(banner).toContainText(/New sign-in: Chrome on Windows, 198\.51\.100\.7 \(Paris, FR\), (just now|1 minute ago)/);
  const listed = (await (await laptop.context.request.get("/api/alerts")).json()) as { alerts: Alert[] };
  expect(listed.alerts).toEqual([
    expect.objectContaining({ sessionId: intruder.id, browser: "Chrome", os: "Windows", ipAddress: "198.51.100.7", country: "FR", city: "Paris" }),
  ]);

  // "Sign it out", from the keyboard.
  await banner.getByRole("button", { name: "Sign it out" }).focus();
  await laptop.page.keyboard.press("Enter");
  await expect(laptop.page).toHaveURL(/\/settings\/sessions\?revoked=1&sealed=[^&#]+$/);
  await expect(laptop.page.getByTestId("new-device-alerts")).toHaveCount(0);
  expect(((await (await laptop.context.request.get("/api/alerts")).json()) as { alerts: Alert[] }).alerts).toEqual([]);

  // The new session is over, and says why.
  await intruder.page.goto("/");
  await expect(intruder.page).toHaveURL(/\/login/);
  await expect(intruder.page.getByText("Your session was revoked")).toBeVisible();
  // Reporting again: the alert is closed.
  await expectJsonError(await laptop.context.request.post(`/api/alerts/${listed.alerts[0].id}/report`), 404, "alert_not_found");
  for (const device of [laptop, intruder]) await device.context.close();
});

test("a sign-in from a known device raises nothing; “This was me” dismisses, without JavaScript too", async ({ browser }) => {
  const username = uniqueUser("known");
  const laptop = await signInFrom(browser, username, FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  // The same browser family in a newer version, another address in the same /24: a known device.
  const again = await signInFrom(browser, username, FIREFOX_NEWER, from("203.0.113.99", "DE", "Berlin"));
  await laptop.page.reload();
  await expect(laptop.page.getByTestId("new-device-alerts")).toHaveCount(0);
  expect(((await (await laptop.context.request.get("/api/alerts")).json()) as { alerts: Alert[] }).alerts).toEqual([]);

  // A phone on another network: new. The laptop, without JavaScript, answers "This was me".
  const phone = await signInFrom(browser, username, SAFARI, from("192.0.2.50", "GB", "London"));
  const noScript = await signInFrom(browser, username, FIREFOX, from("203.0.113.5", "DE", "Berlin"), { javaScriptEnabled: false });
  await noScript.page.goto("/settings/sessions");
  const banner = noScript.page.getByTestId("new-device-alerts");
  await expect(banner).toContainText("New sign-in: Mobile Safari on iOS, 192.0.2.50 (London, GB)");
  // Each button is named for the sign-in it answers (there may be several in the banner).
  for (const name of ["This was me", "Sign it out"]) {
    await expect(banner.getByRole("button", { name })).toHaveAccessibleName(new RegExp(`^${name}: the new sign-in from Mobile Safari on iOS, 192\\.0\\.2\\.50 \\(London, GB\\), `));
  }
  await banner.getByRole("button", { name: "This was me" }).click();
  await expect(noScript.page).toHaveURL(/\/settings\/sessions\?alertDismissed=1&sealed=[^&#]+$/);
  await expect(noScript.page.getByRole("status").filter({ hasText: "Alert dismissed: that sign-in was you." })).toBeVisible();
  await expect(noScript.page.getByTestId("new-device-alerts")).toHaveCount(0);
  // Dismissed for every session of the user; the phone stays signed in.
  await laptop.page.reload();
  await expect(laptop.page.getByTestId("new-device-alerts")).toHaveCount(0);
  expect((await phone.context.request.get("/api/auth/session")).status()).toBe(200);
  for (const device of [laptop, again, phone, noScript]) await device.context.close();
});

test("“This was me” from the keyboard says the alert was dismissed and leaves focus on that message, never on nothing", async ({ browser }) => {
  const username = uniqueUser("dismisskeys");
  const laptop = await signInFrom(browser, username, FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  const others = [await signInFrom(browser, username, SAFARI, from("192.0.2.50", "GB", "London")), await signInFrom(browser, username, CHROME, from("198.51.100.7", "FR", "Paris"))];
  // Once where the address changes, once on a page whose address already says it (then the same
  // address again, or one that differs only in its seal).
  let address = "/settings";
  for (let round = 0; round < 2; round++) {
    await laptop.page.goto(address);
    await hydrated(laptop.page);
    const answers = laptop.page.getByTestId("new-device-alerts").getByRole("button", { name: "This was me" });
    await expect(answers).toHaveCount(2 - round);
    await answers.first().focus();
    await laptop.page.keyboard.press("Enter");
    // In the second round the address said it before the press: the alert gone is what shows it worked.
    await expect(answers).toHaveCount(1 - round);
    // Focus is on the message, which is read out: not on nothing, nor past it on the page below.
    await expect(laptop.page.getByRole("status").filter({ hasText: "Alert dismissed: that sign-in was you." })).toBeFocused();
    address = laptop.page.url();
  }
  await expect(laptop.page.getByTestId("new-device-alerts")).toHaveCount(0);
  for (const device of [laptop, ...others]) await device.context.close();
});

test("the API dismisses one of your alerts, and refuses someone else's, a closed one and a cross-site request", async ({ browser }) => {
  const username = uniqueUser("api-alerts");
  const laptop = await signInFrom(browser, username, FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  const other = await signInFrom(browser, username, CHROME, from("198.51.100.7", "FR", "Paris"));
  const stranger = await signInFrom(browser, uniqueUser("stranger"), FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  const [alert] = ((await (await laptop.context.request.get("/api/alerts")).json()) as { alerts: Alert[] }).alerts;
  expect(alert.sessionId).toBe(other.id);

  await expectJsonError(await stranger.context.request.post(`/api/alerts/${alert.id}/dismiss`), 404, "alert_not_found");
  await expectJsonError(await other.context.request.post(`/api/alerts/${alert.id}/dismiss`), 404, "alert_not_found");
  await expectJsonError(await laptop.context.request.post(`/api/alerts/${alert.id}/dismiss`, { headers: { origin: "https://evil.example" } }), 403, "cross_site_request");
  await expectJsonError(await laptop.context.request.get(`/api/alerts/${alert.id}/dismiss`), 405, "method_not_allowed");
  await expectJsonError(await laptop.context.request.post("/api/alerts/not%20an%20id/dismiss"), 404, "alert_not_found");

  const dismissed = await laptop.context.request.post(`/api/alerts/${alert.id}/dismiss`);
  expect(dismissed.status()).toBe(200);
  expect(await dismissed.json()).toEqual({ dismissed: 1 });
  await expectJsonError(await laptop.context.request.post(`/api/alerts/${alert.id}/dismiss`), 404, "alert_not_found");
  expect((await other.context.request.get("/api/auth/session")).status()).toBe(200);
  for (const device of [laptop, other, stranger]) await device.context.close();
});

test("the banner fits a phone and a desktop", async ({ browser }) => {
  const username = uniqueUser("layout");
  for (const viewport of [{ width: 375, height: 740 }, { width: 1280, height: 800 }]) {
    const user = `${username}-${viewport.width}`;
    const laptop = await signInFrom(browser, user, FIREFOX, from("203.0.113.4", "DE", "Berlin"), { viewport });
    const other = await signInFrom(browser, user, CHROME, from("198.51.100.7", "FR", "Paris"));
    await laptop.page.goto("/");
    const banner = laptop.page.getByTestId("new-device-alerts");
    await expect(banner).toBeVisible();
    // Nothing wider than the screen, both buttons in view.
    const width = await laptop.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(viewport.width);
    for (const name of ["This was me", "Sign it out"]) await expect(banner.getByRole("button", { name })).toBeInViewport();
    await laptop.page.screenshot({ path: test.info().outputPath(`new-device-banner-${viewport.width}.png`) });
    for (const device of [laptop, other]) await device.context.close();
  }
});

/** What an SSO sign-in stores from the identity provider's claims: key users have no address. */
function giveEmail(username: string, email: string) {
  const db = new BetterSqlite3(path.join(dir, "sessions.db"));
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare(`UPDATE "User" SET "email" = ? WHERE "username" = ?`).run(email, username);
  } finally {
    db.close();
  }
}

test("the alert is mailed; its link's page signs that device out on POST only, once, without signing in", async ({ browser }) => {
  const username = uniqueUser("mailed");
  const laptop = await signInFrom(browser, username, FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  giveEmail(username, `${username}@example.com`);
  const before = smtp.messages.length;
  const intruder = await signInFrom(browser, username, CHROME, from("198.51.100.7", "FR", "Paris"));

  const mail = (await smtp.waitFor(before + 1))[before];
  expect(mail.subject).toBe("New sign-in to Sessionboard: Chrome on Windows");
  expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : null).toBe(`${username}@example.com`);
  const link = reportLinkIn(mail);
  expect(link.origin).toBe(BASE);

  // Opened in a browser that is signed in nowhere: a confirmation, and opening it ends nothing.
  const stranger = await browser.newContext({ baseURL: BASE, javaScriptEnabled: false, viewport: { width: 375, height: 667 } });
  const page = await stranger.newPage();
  await page.goto(link.pathname + link.search);
  await expect(page.getByRole("main")).toContainText("Chrome on Windows, 198.51.100.7 (Paris, FR)");
  await page.reload();
  await page.screenshot({ path: test.info().outputPath("report-link-page.png") });
  expect((await intruder.context.request.get("/api/auth/session")).status()).toBe(200);
  // The revoke answers POST only.
  await expectJsonError(await stranger.request.get("/api/alerts/report-link"), 405, "method_not_allowed");

  await page.getByRole("button", { name: "Sign that device out" }).click();
  await expect(page).toHaveURL(/\/report\?token=[^&]+&outcome=revoked$/);
  await expect(page.getByRole("main")).toContainText("That device is signed out");
  await intruder.page.goto("/");
  await expect(intruder.page.getByText("Your session was revoked")).toBeVisible();
  expect((await laptop.context.request.get("/api/auth/session")).status()).toBe(200);
  // Reported: the banner is gone from the laptop.
  expect(((await (await laptop.context.request.get("/api/alerts")).json()) as { alerts: Alert[] }).alerts).toEqual([]);

  // A second use: the page and the API say it was used.
  await page.goto(link.pathname + link.search);
  await expect(page.getByRole("main")).toContainText("That link was already used");
  await expect(page.getByRole("button", { name: "Sign that device out" })).toHaveCount(0);
  const token = link.searchParams.get("token") ?? "";
  await expectJsonError(await stranger.request.post("/api/alerts/report-link", { data: { token }, headers: { origin: BASE } }), 409, "report_link_used");
  await expectJsonError(await stranger.request.post("/api/alerts/report-link", { data: { token: "0".repeat(64) }, headers: { origin: BASE } }), 404, "report_link_invalid");
  // The server's log lines never carry the link's token.
  expect(app.output()).not.toContain(token);
  for (const context of [laptop.context, intruder.context, stranger]) await context.close();
});
