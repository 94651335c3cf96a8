import type { Browser, Locator, Page } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, BASE_URL, USER_KEY } from "./env";
import { currentSessionId, signIn, uniqueUser } from "./helpers";

/**
 * Every confirmation opens where the person is looking: opened by mouse or by keyboard from the
 * last item of a long list, its confirm button is inside the viewport, and nothing focused is ever
 * off-screen (the trap: a focused button far below the visible area that the next Enter presses
 * unseen). At phone and desktop widths, with and without JavaScript. Nothing is confirmed here.
 */

const VIEWPORTS = [
  { width: 375, height: 667 },
  { width: 1280, height: 800 },
];
const MANY = 30;

type Seed = { username: string; newest: string; oldest: string; prefix: string; lastUser: string };
let seed: Seed;

test.beforeAll(async ({ playwright }) => {
  const username = uniqueUser("many");
  const ids: string[] = [];
  // Sign-ins from a script, each its own session (the API answers with the session's id).
  for (let i = 0; i < MANY; i++) {
    const login = await playwright.request.newContext({ baseURL: BASE_URL });
    expect((await login.post("/api/auth/login", { data: { username, key: USER_KEY } })).status()).toBe(200);
    ids.push(await currentSessionId(login));
    await login.dispose();
  }
  // A dozen users with one prefix, so the admin's Users page has a long list to reach the end of.
  const prefix = uniqueUser("crowd");
  let lastUser = "";
  for (let i = 10; i < 22; i++) {
    lastUser = `${prefix}-${i}`;
    const login = await playwright.request.newContext({ baseURL: BASE_URL });
    expect((await login.post("/api/auth/login", { data: { username: lastUser, key: USER_KEY } })).status()).toBe(200);
    await login.dispose();
  }
  seed = { username, newest: ids.at(-1)!, oldest: ids[0], prefix, lastUser };
});

type Confirmation = {
  name: string;
  who: "user" | "admin";
  /** The page the person starts on. */
  start: () => string;
  /** What they activate to open the confirmation (usually on the last row). */
  opener: (page: Page) => Locator;
  /** The button that would carry the action out. */
  confirm: (page: Page) => Locator;
};

const lastRow = (page: Page, testId: string) => page.getByRole("main").getByTestId(testId).last();

const CONFIRMATIONS: Confirmation[] = [
  {
    name: "revoke one of your sessions (last of the list)",
    who: "user",
    start: () => "/settings/sessions",
    opener: (page) => lastRow(page, "session-card").getByRole("link", { name: /^Revoke/ }),
    confirm: (page) => page.getByRole("group", { name: "Revoke this session?" }).getByRole("button", { name: "Revoke session" }),
  },
  {
    name: "sign out all other sessions",
    who: "user",
    start: () => "/settings/sessions",
    opener: (page) => page.getByRole("main").getByRole("link", { name: "Sign out all other sessions" }),
    confirm: (page) => page.getByRole("group", { name: "Sign out all other sessions?" }).getByRole("button", { name: "Sign out all other sessions" }),
  },
  {
    name: "revoke from a session's own page",
    who: "user",
    start: () => `/settings/sessions/${seed.oldest}`,
    opener: (page) => page.getByRole("main").getByRole("link", { name: /^Revoke/ }),
    confirm: (page) => page.getByRole("group", { name: "Revoke this session?" }).getByRole("button", { name: "Revoke session" }),
  },
  {
    name: "admin: revoke one session (last row)",
    who: "admin",
    start: () => `/admin/sessions?user=${seed.username}&match=exact`,
    opener: (page) => lastRow(page, "admin-session-row").getByRole("link", { name: /^Revoke \S+'s session/ }),
    confirm: (page) => page.getByRole("group", { name: /^Revoke this session of/ }).getByRole("button", { name: "Revoke session" }),
  },
  {
    name: "admin: revoke all of a user's sessions (last row)",
    who: "admin",
    start: () => `/admin/sessions?user=${seed.username}&match=exact`,
    opener: (page) => lastRow(page, "admin-session-row").getByRole("link", { name: /^Revoke all of/ }),
    confirm: (page) => page.getByRole("group", { name: /^Revoke every session of/ }).getByRole("button", { name: /^Revoke all of/ }),
  },
  {
    name: "admin: force logout everyone",
    who: "admin",
    start: () => `/admin/sessions?user=${seed.username}&match=exact`,
    opener: (page) => page.getByRole("main").getByRole("link", { name: "Force logout everyone" }),
    confirm: (page) => page.getByRole("group", { name: "Force logout everyone?" }).getByRole("button", { name: "Sign out everyone else" }),
  },
  {
    name: "admin: bulk revoke by filter",
    who: "admin",
    start: () => `/admin/sessions?user=${seed.username}&match=exact`,
    opener: (page) => page.getByRole("main").getByRole("link", { name: /^Revoke all \d+ matching/ }),
    confirm: (page) => page.getByRole("group", { name: /^Revoke all \d+ matching/ }).getByRole("button", { name: /^Revoke \d+ session/ }),
  },
  {
    name: "admin: revoke from a session's own page",
    who: "admin",
    start: () => `/admin/sessions/${seed.oldest}`,
    opener: (page) => page.getByRole("main").getByRole("link", { name: /^Revoke \S+'s session/ }),
    confirm: (page) => page.getByRole("group", { name: /^Revoke this session of/ }).getByRole("button", { name: "Revoke session" }),
  },
  {
    name: "admin: disable a user (last row)",
    who: "admin",
    start: () => `/admin/users?prefix=${seed.prefix}`,
    opener: (page) => lastRow(page, "admin-user-row").getByRole("link", { name: /^Disable/ }),
    confirm: (page) => page.getByRole("group", { name: `Disable ${seed.lastUser}?` }).getByRole("button", { name: `Disable ${seed.lastUser}` }),
  },
  {
    name: "admin: revoke all of a user's sessions from Users (last row)",
    who: "admin",
    start: () => `/admin/users?prefix=${seed.prefix}`,
    opener: (page) => lastRow(page, "admin-user-row").getByRole("link", { name: /^Revoke all/ }),
    confirm: (page) => page.getByRole("group", { name: `Revoke every session of ${seed.lastUser}?` }).getByRole("button", { name: /^Revoke all of/ }),
  },
];

// Every confirmation is checked even when one fails, so a run names them all.
const soft = expect.configure({ soft: true });

/** The element's box lies wholly inside the visible area (what a person sees without scrolling). */
async function expectWithinViewport(page: Page, locator: Locator, what: string) {
  const { width, height } = page.viewportSize()!;
  await soft
    .poll(
      async () => {
        const box = await locator.boundingBox();
        return box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height;
      },
      { message: `${what} is inside the ${width}×${height} viewport`, timeout: 3_000 },
    )
    .toBe(true);
}

/** Whatever has focus (if anything does) is on screen. */
async function expectFocusVisible(page: Page, what: string) {
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const box = el.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, left: box.left, right: box.right, text: (el.textContent ?? "").trim().slice(0, 60) };
  });
  if (!focused) return;
  const { width, height } = page.viewportSize()!;
  soft(
    focused.top >= 0 && focused.bottom <= height && focused.left >= 0 && focused.right <= width,
    `${what}: the focused element "${focused.text}" (${Math.round(focused.top)}–${Math.round(focused.bottom)} px) is inside the viewport`,
  ).toBe(true);
}

async function signedIn(browser: Browser, username: string, key: string, options: { viewport: { width: number; height: number }; javaScriptEnabled: boolean }) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, username, key);
  await expect(page).toHaveURL("/");
  return { context, page };
}

for (const viewport of VIEWPORTS) {
  for (const javaScriptEnabled of [true, false]) {
    test(`every confirmation opens in view at ${viewport.width} px ${javaScriptEnabled ? "with" : "without"} JavaScript, by mouse and by keyboard`, async ({ browser }) => {
      test.setTimeout(180_000);
      const user = await signedIn(browser, seed.username, USER_KEY, { viewport, javaScriptEnabled });
      const admin = await signedIn(browser, "root", ADMIN_KEY, { viewport, javaScriptEnabled });
      for (const confirmation of CONFIRMATIONS) {
        const page = confirmation.who === "user" ? user.page : admin.page;
        for (const input of ["mouse", "keyboard"] as const) {
          const what = `${confirmation.name}, by ${input}`;
          await page.goto(confirmation.start());
          const opener = confirmation.opener(page);
          await expect(opener, what).toBeVisible();
          if (input === "mouse") {
            await opener.click();
          } else {
            // As someone who tabbed down to it: focused (so scrolled into view), then Enter.
            await opener.focus();
            await page.keyboard.press("Enter");
          }
          const button = confirmation.confirm(page);
          await expect(button, what).toBeVisible();
          await page.waitForLoadState();
          await expectWithinViewport(page, button, `${what}: the confirm button`);
          await expectFocusVisible(page, what);
          if (input === "keyboard") {
            // Tab on to the confirm button: every stop on the way is on screen, the button within a few.
            for (let i = 0; i < 6 && !(await button.evaluate((el) => el === document.activeElement)); i++) {
              await page.keyboard.press("Tab");
              await expectFocusVisible(page, `${what}, Tab ${i + 1}`);
            }
            await soft(button, what).toBeFocused();
          }
        }
      }
      await user.context.close();
      await admin.context.close();
    });
  }
}

test("the seeded user still has every session (nothing above was confirmed)", async ({ request }) => {
  // Guards the spec itself: a confirmation must only be opened, never carried out.
  expect((await request.post("/api/auth/login", { data: { username: seed.username, key: USER_KEY } })).status()).toBe(200);
  const list = await request.get("/api/sessions?limit=100");
  expect((await list.json()).sessions.length).toBeGreaterThan(MANY);
});
