import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext } from "@playwright/test";
import BetterSqlite3 from "better-sqlite3";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, PROXIED_APP_PORT, USER_KEY } from "./env";
import { expectJsonError, signIn, startApp, uniqueUser } from "./helpers";

/**
 * Where a session has been used from, behind a trusted proxy that reports each client's address
 * (X-Forwarded-For) and place (CF-IPCountry / CF-IPCity): the detail page and the API list every
 * (address, browser) pair with first and last seen.
 */
const BASE = `http://localhost:${PROXIED_APP_PORT}`;
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const from = (ip: string, country: string, city: string) => ({ "x-forwarded-for": ip, "cf-ipcountry": country, "cf-ipcity": city });

/** Above what any other test here signs one person in with at once. */
const SESSION_LIMIT = 12;

let app: Awaited<ReturnType<typeof startApp>>;
let dir: string;

test.describe.configure({ mode: "serial" });
test.use({ baseURL: BASE });

test.beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-activity-"));
  app = await startApp(PROXIED_APP_PORT, dir, { DASHBOARD_TRUST_PROXY: "1", SESSION_MAX_PER_USER: String(SESSION_LIMIT) });
});

test.afterAll(async () => {
  await app?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function signInFrom(browser: Browser, username: string, userAgent: string, headers: Record<string, string>, key = USER_KEY) {
  const context = await browser.newContext({ baseURL: BASE, userAgent, extraHTTPHeaders: headers });
  const page = await context.newPage();
  await signIn(page, username, key);
  await expect(page).toHaveURL("/");
  const session = (await (await context.request.get("/api/auth/session")).json()) as { session: { id: string } };
  return { context, page, id: session.session.id };
}

/**
 * The device's next requests come from another place. A move is written at the session's next
 * request once a few seconds have passed since its last write (MOVED_WRITE_MIN_INTERVAL_MS), so it
 * keeps being used until its detail lists the new address.
 */
async function moveTo(device: { context: BrowserContext; id: string }, headers: Record<string, string>) {
  await device.context.setExtraHTTPHeaders(headers);
  await expect
    .poll(
      async () => {
        expect((await device.context.request.get("/api/auth/session")).status()).toBe(200);
        const detail = (await (await device.context.request.get(`/api/sessions/${device.id}`)).json()) as { session: { activity: Activity[] } };
        return detail.session.activity[0].ipAddress;
      },
      { timeout: 15_000, intervals: [500] },
    )
    .toBe(headers["x-forwarded-for"]);
}

type Activity = { ipAddress: string; country: string; city: string; browser: string; os: string; firstSeenAt: string; lastSeenAt: string };

test("a session used from a second address lists both, with first and last seen, on its page and in the API", async ({ browser }) => {
  const username = uniqueUser("activity");
  const laptop = await signInFrom(browser, username, FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  const phone = await signInFrom(browser, username, SAFARI, from("198.51.100.7", "FR", "Paris"));
  const office = await signInFrom(browser, username, CHROME, from("192.0.2.55", "GB", "London"));

  // The laptop moves to a café: its next requests come from another address.
  await moveTo(laptop, from("198.51.100.200", "NL", "Amsterdam"));

  // Seen from the phone: the laptop's session through the API...
  const answer = await phone.context.request.get(`/api/sessions/${laptop.id}`);
  expect(answer.status()).toBe(200);
  const { session } = (await answer.json()) as { session: { ipAddress: string; activity: Activity[] } };
  expect(session.ipAddress).toBe("203.0.113.4");
  expect(session.activity.map((a) => [a.ipAddress, a.country, a.city, a.browser, a.os])).toEqual([
    ["198.51.100.200", "NL", "Amsterdam", "Firefox 128", "Linux"],
    ["203.0.113.4", "DE", "Berlin", "Firefox 128", "Linux"],
  ]);
  const [cafe, home] = session.activity;
  expect(cafe.firstSeenAt).toBe(cafe.lastSeenAt);
  expect(Date.parse(home.firstSeenAt)).toBeLessThan(Date.parse(cafe.firstSeenAt));
  expect(Date.parse(home.lastSeenAt)).toBeLessThanOrEqual(Date.parse(cafe.firstSeenAt));

  // ...and on its page, most recent first.
  await phone.page.goto(`/settings/sessions/${laptop.id}`);
  const rows = phone.page.getByTestId("session-activity").getByRole("listitem");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("198.51.100.200");
  await expect(rows.nth(0)).toContainText("Amsterdam, Netherlands · Firefox 128 on Linux");
  await expect(rows.nth(1)).toContainText("203.0.113.4");
  await expect(rows.nth(1)).toContainText("Berlin, Germany");

  // The other sessions were used from one place each.
  for (const other of [phone, office]) {
    const detail = (await (await laptop.context.request.get(`/api/sessions/${other.id}`)).json()) as { session: { activity: Activity[] } };
    expect(detail.session.activity).toHaveLength(1);
  }
  for (const device of [laptop, phone, office]) await device.context.close();
});

test("an admin sees any session's detail with its owner and history, and revokes it from there", async ({ browser }) => {
  const username = uniqueUser("watched");
  const laptop = await signInFrom(browser, username, FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  await moveTo(laptop, from("198.51.100.200", "NL", "Amsterdam"));
  const admin = await signInFrom(browser, "root", CHROME, from("192.0.2.1", "GB", "London"), ADMIN_KEY);

  // Not for the owner through the admin API, nor for anyone but admins.
  await expectJsonError(await laptop.context.request.get(`/api/admin/sessions/${laptop.id}`), 403, "forbidden");
  const answer = await admin.context.request.get(`/api/admin/sessions/${laptop.id}`);
  expect(answer.status()).toBe(200);
  const { session } = (await answer.json()) as { session: { user: { username: string }; activity: Activity[] } };
  expect(session.user.username).toBe(username);
  expect(session.activity.map((a) => a.ipAddress)).toEqual(["198.51.100.200", "203.0.113.4"]);
  await expectJsonError(await admin.context.request.get("/api/admin/sessions/AAAAAAAAAAAAAAAAAAAAAA"), 404, "session_not_found");

  // From the list, the session's title opens its page.
  await admin.page.goto(`/admin/sessions?user=${username}&match=exact`);
  await admin.page.getByRole("link", { name: new RegExp(`^Details of ${username}'s session Firefox 128 on Linux`) }).click();
  await expect(admin.page).toHaveURL(`/admin/sessions/${laptop.id}`);
  await expect(admin.page.getByRole("main")).toContainText(username);
  const rows = admin.page.getByTestId("session-activity").getByRole("listitem");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("Amsterdam, Netherlands");
  await expect(admin.page.getByRole("region", { name: "Audit events" })).toContainText("Signed in login.succeeded");

  // Revoke, from the keyboard: the confirmation opens with the reason focused.
  await admin.page.getByRole("link", { name: new RegExp(`^Revoke ${username}'s session`) }).press("Enter");
  await expect(admin.page).toHaveURL(new RegExp(`/admin/sessions/${laptop.id}\\?confirm=1`));
  await expect(admin.page.getByLabel("Reason (recorded in the audit trail)")).toBeFocused();
  await admin.page.keyboard.type("laptop reported stolen");
  await admin.page.keyboard.press("Enter");
  // Back on its page, which says so, tells how it ended and offers no Revoke.
  await expect(admin.page).toHaveURL(new RegExp(`/admin/sessions/${laptop.id}\\?done=session&sealed=[^&#]+$`));
  await expect(admin.page.getByRole("main").getByRole("status")).toHaveText("Session revoked. That browser is signed out at its next request.");
  await expectJsonError(await laptop.context.request.get("/api/auth/session"), 401, "session_ended");
  await expect(admin.page.getByRole("main").getByTestId("end-reason")).toHaveText("Revoked by an administrator (root)");
  await expect(admin.page.getByRole("main").getByRole("link", { name: /^Revoke/ })).toHaveCount(0);
  for (const device of [laptop, admin]) await device.context.close();
});

type Ended = { id: string; endedAt: string | null; endReason: string | null; endedBy: string | null };

/** What the clock or an operator would do to a session row, in this app's own SQLite file. */
function inAppDatabase(sql: string, ...params: unknown[]) {
  const db = new BetterSqlite3(path.join(dir, "sessions.db"));
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

/** Prisma's SQLite DateTime text. */
const sqliteTime = (date: Date) => date.toISOString().replace("Z", "+00:00");

test("each way a session ends shows under Recently ended and in the API, with when, why and by whom", async ({ browser }) => {
  // Eleven browsers sign in.
  test.setTimeout(180_000);
  const username = uniqueUser("ended");
  const main = await signInFrom(browser, username, FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  const admin = await signInFrom(browser, "root", CHROME, from("192.0.2.1", "GB", "London"), ADMIN_KEY);
  const device = (ip: string) => signInFrom(browser, username, SAFARI, from(ip, "FR", "Paris"));
  const [loggedOut, revokedByOwner, revokedByAdmin, idle, capped, keyChanged, other] = await Promise.all(
    ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5", "198.51.100.6", "198.51.100.7"].map(device),
  );

  // Log out; revoked by the owner from the laptop; by an admin.
  expect((await loggedOut.context.request.post("/api/auth/logout")).status()).toBe(200);
  expect((await main.context.request.delete(`/api/sessions/${revokedByOwner.id}`)).status()).toBe(200);
  expect((await admin.context.request.delete(`/api/admin/sessions/${revokedByAdmin.id}`, { data: { reason: "lost phone" } })).status()).toBe(200);
  // Idle past its expiry, met at its next request; past the absolute cap, never seen again (cleanup
  // has not marked it: it ends all the same); a static key no longer configured.
  const past = new Date(Date.now() - 60_000);
  inAppDatabase(`UPDATE "Session" SET expiresAt = ? WHERE id = ?`, sqliteTime(past), idle.id);
  await expectJsonError(await idle.context.request.get("/api/auth/session"), 401, "session_ended");
  inAppDatabase(`UPDATE "Session" SET expiresAt = ?, absoluteExpiresAt = ? WHERE id = ?`, sqliteTime(past), sqliteTime(past), capped.id);
  inAppDatabase(`UPDATE "Session" SET keyFingerprint = 'a-key-no-longer-configured' WHERE id = ?`, keyChanged.id);
  await expectJsonError(await keyChanged.context.request.get("/api/auth/session"), 401, "session_ended");
  // Last, "Sign out all other sessions" ends the one still going.
  expect(await (await main.context.request.delete("/api/sessions?scope=others")).json()).toEqual({ revoked: 1 });
  await revokedByOwner.page.goto("/");
  await expect(revokedByOwner.page.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");

  const expected: Record<string, { endReason: string; endedBy: string; words: string }> = {
    [loggedOut.id]: { endReason: "logout", endedBy: username, words: "Signed out" },
    [revokedByOwner.id]: { endReason: "revoked_by_user", endedBy: username, words: "Revoked by you from another session" },
    [revokedByAdmin.id]: { endReason: "revoked_by_admin", endedBy: "root", words: "Revoked by an administrator (root)" },
    [idle.id]: { endReason: "expired_idle", endedBy: "system", words: "Expired after inactivity" },
    [capped.id]: { endReason: "expired_absolute", endedBy: "system", words: "Reached its maximum length" },
    [keyChanged.id]: { endReason: "key_changed", endedBy: "system", words: "The sign-in key changed" },
    [other.id]: { endReason: "revoked_all", endedBy: username, words: "Signed out by you with all other sessions" },
  };

  // The API: ended ones with their end, the active list without them, and both with state=all.
  const list = async (query: string) => ((await (await main.context.request.get(`/api/sessions?${query}`)).json()) as { sessions: Ended[] }).sessions;
  const ended = await list("state=ended");
  expect(Object.fromEntries(ended.map((s) => [s.id, { endReason: s.endReason, endedBy: s.endedBy }]))).toEqual(
    Object.fromEntries(Object.entries(expected).map(([id, end]) => [id, { endReason: end.endReason, endedBy: end.endedBy }])),
  );
  for (const session of ended) expect(Date.parse(session.endedAt ?? "")).toBeLessThanOrEqual(Date.now());
  expect((await list("")).map((s) => [s.id, s.endedAt])).toEqual([[main.id, null]]);
  expect(await list("state=all")).toHaveLength(8);
  await expectJsonError(await main.context.request.get("/api/sessions?state=gone"), 400, "invalid_input");

  // Settings > Sessions: Recently ended, each with the reason in words.
  await main.page.goto("/settings/sessions");
  const recent = main.page.getByRole("list", { name: "Your recently ended sessions" }).getByTestId("ended-session");
  await expect(recent).toHaveCount(7);
  await expect(main.page.getByRole("list", { name: "Your active sessions" }).getByRole("listitem")).toHaveCount(1);
  expect((await recent.getByTestId("end-reason").allTextContents()).sort()).toEqual(Object.values(expected).map((end) => end.words).sort());
  await expect(recent.filter({ has: main.page.getByTestId("end-reason").getByText("Signed out", { exact: true }) })).toContainText("Paris, France · 198.51.100.1");
  for (const width of [375, 1280]) {
    await main.page.setViewportSize({ width, height: 900 });
    await main.page.screenshot({ path: test.info().outputPath(`recently-ended-${width}.png`), fullPage: true });
  }
  // An ended session's page tells how it ended.
  await recent.filter({ hasText: "Revoked by an administrator (root)" }).getByRole("link").click();
  await expect(main.page).toHaveURL(`/settings/sessions/${revokedByAdmin.id}`);
  await expect(main.page.getByRole("main").getByTestId("end-reason")).toHaveText("Revoked by an administrator (root)");
  await expect(main.page.getByRole("main").getByRole("link", { name: /^Revoke/ })).toHaveCount(0);

  // The Admin Panel: the same, with ?state=ended.
  const adminEnded = (await (await admin.context.request.get(`/api/admin/sessions?user=${username}&state=ended`)).json()) as { sessions: Ended[] };
  expect(adminEnded.sessions.map((s) => s.id).sort()).toEqual(Object.keys(expected).sort());
  // Both lists: most recently ended first.
  for (const sessions of [ended, adminEnded.sessions]) {
    const ends = sessions.map((s) => Date.parse(s.endedAt ?? ""));
    expect(ends).toEqual([...ends].sort((a, b) => b - a));
  }
  await expectJsonError(await admin.context.request.get("/api/admin/sessions?state=revoked"), 400, "invalid_input");
  await admin.page.goto(`/admin/sessions?user=${username}&state=ended`);
  const rows = admin.page.getByTestId("admin-session-row");
  await expect(rows).toHaveCount(7);
  expect(await rows.getByTestId("end-reason").allTextContents()).toContain("Signed out by its owner with all other sessions");
  await expect(rows.getByRole("link", { name: new RegExp(`^Revoke ${username}'s session `) })).toHaveCount(0);
  await expect(admin.page.getByLabel("Show")).toHaveValue("ended");
  // Ended sessions have one order; the choice is for active ones.
  await expect(admin.page.getByLabel("Sort by")).toHaveCount(0);
  await expect(admin.page.getByText("Most recently ended")).toBeVisible();
  for (const width of [375, 1280]) {
    await admin.page.setViewportSize({ width, height: 900 });
    await admin.page.screenshot({ path: test.info().outputPath(`admin-ended-${width}.png`), fullPage: true });
  }

  // Disabling the account ends the rest; after it is enabled again, the history says so.
  const disabled = await admin.context.request.post(`/api/admin/users/${username}/disable`, { data: {} });
  expect(disabled.status()).toBe(200);
  expect((await admin.context.request.post(`/api/admin/users/${username}/enable`, { data: {} })).status()).toBe(200);
  const again = await signInFrom(browser, username, FIREFOX, from("203.0.113.4", "DE", "Berlin"));
  const afterDisable = ((await (await again.context.request.get("/api/sessions?state=ended")).json()) as { sessions: Ended[] }).sessions;
  expect(afterDisable.find((s) => s.id === main.id)).toMatchObject({ endReason: "disabled", endedBy: "root" });
  for (const context of [main, admin, again, loggedOut, revokedByOwner, revokedByAdmin, idle, capped, keyChanged, other]) await context.context.close();
});

test("a sign-in past SESSION_MAX_PER_USER ends the oldest session, and Recently ended says so", async ({ browser }) => {
  test.setTimeout(60_000);
  const username = uniqueUser("limit");
  const oldest = await signInFrom(browser, username, FIREFOX, from("203.0.113.9", "DE", "Berlin"));
  // Up to the limit through the API, then one more in a browser.
  for (let i = 1; i < SESSION_LIMIT; i++) {
    const response = await fetch(`${BASE}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE, "user-agent": CHROME, ...from(`198.51.100.${20 + i}`, "FR", "Paris") },
      body: JSON.stringify({ username, key: USER_KEY }),
    });
    expect(response.status).toBe(200);
  }
  expect((await oldest.context.request.get("/api/auth/session")).status()).toBe(200);
  const newest = await signInFrom(browser, username, SAFARI, from("192.0.2.50", "GB", "London"));

  await expectJsonError(await oldest.context.request.get("/api/auth/session"), 401, "session_ended");
  const ended = ((await (await newest.context.request.get("/api/sessions?state=ended")).json()) as { sessions: Ended[] }).sessions;
  expect(ended.map((s) => ({ id: s.id, endReason: s.endReason, endedBy: s.endedBy }))).toEqual([{ id: oldest.id, endReason: "per_user_limit", endedBy: "system" }]);
  expect(((await (await newest.context.request.get("/api/sessions")).json()) as { sessions: Ended[] }).sessions).toHaveLength(SESSION_LIMIT);

  await newest.page.goto("/settings/sessions");
  const recent = newest.page.getByRole("list", { name: "Your recently ended sessions" }).getByTestId("ended-session");
  await expect(recent).toHaveCount(1);
  await expect(recent.getByTestId("end-reason")).toHaveText("Ended by a newer sign-in (session limit)");
  await expect(recent).toContainText("Berlin, Germany · 203.0.113.9");
  for (const context of [oldest, newest]) await context.context.close();
});
