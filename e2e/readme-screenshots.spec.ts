import fs from "node:fs";
import { expect, test } from "./api-contract";
import { USER_KEY } from "./env";
import { currentSessionId, signIn, withDatabase } from "./helpers";

// The README's pictures: one person's devices as they would look after a few weeks of use —
// places, addresses, last activity spread over days, two recently ended sessions. Saved to
// test-results/screenshots/readme-*.png; the README's copies in docs/screenshots are taken from there.
const dir = "test-results/screenshots";
const USERNAME = "maya";
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

type Device = { userAgent: string; ip: string; country: string; city: string; signedIn: number; active: number; ended?: { reason: string; by: string; ago: number } };

// `signedIn` and `active` are how long ago, in ms.
const OTHER_DEVICES: Device[] = [
  {
    userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    ip: "198.51.100.23", country: "DE", city: "Berlin", signedIn: 12 * DAY, active: 2 * HOUR,
  },
  {
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ip: "192.0.2.141", country: "DE", city: "Hamburg", signedIn: 21 * DAY, active: 3 * DAY,
  },
  {
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    ip: "203.0.113.77", country: "DE", city: "Munich", signedIn: 4 * DAY, active: 1 * DAY + 3 * HOUR,
    ended: { reason: "logout", by: USERNAME, ago: 1 * DAY + 2 * HOUR },
  },
  {
    userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    ip: "198.51.100.200", country: "PT", city: "Lisbon", signedIn: 9 * DAY, active: 6 * DAY,
    ended: { reason: "revoked_by_user", by: USERNAME, ago: 5 * DAY },
  },
];
const THIS_DEVICE = { userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0", ip: "198.51.100.23", country: "DE", city: "Berlin" };

const sqliteDate = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

test.describe.configure({ timeout: 120_000 });

test("README screenshots: one person's devices after a few weeks", async ({ browser }) => {
  fs.mkdirSync(dir, { recursive: true });
  // The picture shows only what this test signs in (a retry starts from none).
  withDatabase((db) => db.prepare(`DELETE FROM "Session" WHERE userId IN (SELECT id FROM "User" WHERE username = ?)`).run(USERNAME));

  const now = Date.now();
  for (const device of OTHER_DEVICES) {
    const context = await browser.newContext({ userAgent: device.userAgent });
    const page = await context.newPage();
    await signIn(page, USERNAME, USER_KEY, { remember: true });
    await expect(page).toHaveURL("/");
    const id = await currentSessionId(context.request);
    await context.close();
    withDatabase((db) =>
      db
        .prepare(
          `UPDATE "Session" SET ipAddress = @ip, lastIpAddress = @ip, country = @country, city = @city, lastCountry = @country, lastCity = @city,
                  createdAt = @signedIn, authenticatedAt = @signedIn, lastActiveAt = @active, expiresAt = @expires, absoluteExpiresAt = @cap,
                  revokedAt = @endedAt, revokedBy = @endedBy, endReason = @endReason
            WHERE id = @id`,
        )
        .run({
          id,
          ip: device.ip,
          country: device.country,
          city: device.city,
          signedIn: sqliteDate(now - device.signedIn),
          active: sqliteDate(now - device.active),
          expires: sqliteDate(now - device.active + 30 * DAY),
          cap: sqliteDate(now - device.signedIn + 90 * DAY),
          endedAt: device.ended ? sqliteDate(now - device.ended.ago) : null,
          endedBy: device.ended?.by ?? null,
          endReason: device.ended?.reason ?? null,
        }),
    );
  }

  const context = await browser.newContext({ userAgent: THIS_DEVICE.userAgent });
  const page = await context.newPage();
  await signIn(page, USERNAME, USER_KEY, { remember: true });
  await expect(page).toHaveURL("/");
  const current = await currentSessionId(context.request);
  withDatabase((db) => {
    db.prepare(`UPDATE "Session" SET ipAddress = @ip, lastIpAddress = @ip, country = @country, city = @city, lastCountry = @country, lastCity = @city WHERE id = @id`).run({ id: current, ...THIS_DEVICE });
    // The new-device banner is its own picture elsewhere; here the person has seen them all.
    db.prepare(`UPDATE "SessionAlert" SET dismissedAt = ? WHERE userId IN (SELECT id FROM "User" WHERE username = ?)`).run(sqliteDate(now), USERNAME);
  });

  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: width === 375 ? 812 : 860 });
      await page.goto("/settings/sessions");
      await expect(page.getByTestId("session-card")).toHaveCount(3);
      await expect(page.getByRole("heading", { name: "Recently ended" })).toBeVisible();
      await page.screenshot({ path: `${dir}/readme-sessions-${width}-${scheme}.png`, fullPage: true });
    }
  }
  await context.close();
});
