import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, BASE_URL, USER_KEY } from "./env";
import { currentSessionId, failSignIn, signIn, uniqueUser } from "./helpers";

/**
 * axe-core on every page — signed out, as a user and as an admin — at phone and desktop widths, in the
 * light and the dark colour scheme: no serious or critical violation (WCAG 2.x A and AA rules and axe's
 * best practices; colour contrast among them), and no skipped heading level.
 */

const WIDTHS = [375, 1280];
const SCHEMES = ["light", "dark"] as const;
type Scheme = (typeof SCHEMES)[number];

/** The page's background as the browser paints it, 0 (black) to 255 (white); -1 while it has none yet. */
async function backgroundBrightness(page: Page) {
  return page.evaluate(() => {
    // A canvas turns any CSS colour (oklch, hex, color-mix) into sRGB bytes.
    const context = document.createElement("canvas").getContext("2d")!;
    context.fillStyle = getComputedStyle(document.documentElement).backgroundColor;
    context.fillRect(0, 0, 1, 1);
    const [r, g, b, alpha] = context.getImageData(0, 0, 1, 1).data;
    return alpha === 0 ? -1 : (r! + g! + b!) / 3;
  });
}

async function expectNoSeriousViolations(page: Page, path: string, scheme: Scheme) {
  const response = await page.goto(path);
  expect(response?.status(), path).toBeLessThan(500);
  // The scheme did apply (a page that ignored it would pass the dark run vacuously).
  // Polled: a streamed page (the 404) may get its stylesheet a moment after the load event.
  await expect.poll(() => backgroundBrightness(page), path).toBeGreaterThanOrEqual(0);
  if (scheme === "dark") expect(await backgroundBrightness(page), path).toBeLessThan(60);
  else expect(await backgroundBrightness(page), path).toBeGreaterThan(200);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  // The rules did run on the page (a page axe could not read would pass vacuously).
  expect(results.passes.length, path).toBeGreaterThan(10);
  // The heading outline too (axe rates a skipped level "moderate"): screen reader users move by it.
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical" || violation.id === "heading-order")
    .map((violation) => ({ rule: violation.id, impact: violation.impact, help: violation.help, where: violation.nodes.map((node) => node.target.join(" ")).slice(0, 5) }));
  expect.soft(serious, `${path} at ${page.viewportSize()!.width} px, ${scheme}`).toEqual([]);
}

async function signedIn(browser: Browser, username: string, key: string, colorScheme: Scheme) {
  const context = await browser.newContext({ colorScheme });
  const page = await context.newPage();
  await signIn(page, username, key);
  await expect(page).toHaveURL("/");
  return { context, page, sessionId: await currentSessionId(context.request) };
}

// axe on a list page of many rows takes seconds on a busy machine. The tests share nothing (each its
// own user and browser context), so both workers may take them: two schemes at two widths are twelve.
test.describe.configure({ mode: "parallel", timeout: 300_000 });

const SIGNED_OUT = ["/login", "/login?error=invalid_credentials&username=alice", "/login?reason=revoked", "/report?token=not-a-real-token", "/no-such-page"];
const AS_USER = (other: string) => [
  "/",
  "/settings",
  "/settings/sessions",
  "/settings/sessions?confirm=others#sign-out-others",
  `/settings/sessions?confirm=${other}#revoke-${other}`,
  `/settings/sessions/${other}`,
  `/settings/sessions/${other}?confirm=1#revoke-${other}`,
  "/settings/no-such-page",
  "/admin/sessions",
];
const AS_ADMIN = (username: string, other: string) => [
  "/admin",
  "/admin/sessions?limit=25",
  "/admin/sessions?limit=25&confirmAll=1#confirm-all",
  `/admin/sessions?user=${username}&match=exact`,
  `/admin/sessions?user=${username}&match=exact&confirmFilter=1#confirm-filter`,
  `/admin/sessions?user=${username}&match=exact&confirm=${other}#confirm-session`,
  `/admin/sessions/${other}`,
  `/admin/sessions/${other}?confirm=1#confirm-session`,
  "/admin/users?limit=25",
  `/admin/users?prefix=${username}&confirmDisable=${username}#confirm-disable`,
  "/admin/events?limit=25",
  "/admin/webhooks",
  "/admin/sso",
];

for (const scheme of SCHEMES) {
  const named = (what: string, width: number) => `${what} at ${width} px${scheme === "dark" ? " in dark mode" : ""}`;
  for (const width of WIDTHS) {
    test(named("every page signed out", width), async ({ browser }) => {
      const context = await browser.newContext({ colorScheme: scheme });
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 800 });
      // So that /login?error=… shows its error in this browser.
      await failSignIn(page);
      for (const path of SIGNED_OUT) await expectNoSeriousViolations(page, path, scheme);
      await context.close();
    });

    for (const role of ["user", "admin"] as const) {
      test(named(`every page as ${role === "user" ? "a user" : "an admin"}`, width), async ({ browser, playwright }) => {
        const username = uniqueUser("axe");
        // Another device of the same person, so lists, confirmations and detail pages have something to show.
        const other = await playwright.request.newContext({ baseURL: BASE_URL });
        expect((await other.post("/api/auth/login", { data: { username, key: USER_KEY } })).status()).toBe(200);
        const otherId = await currentSessionId(other);
        const me = await signedIn(browser, role === "user" ? username : "root", role === "user" ? USER_KEY : ADMIN_KEY, scheme);
        await me.page.setViewportSize({ width, height: 800 });
        for (const path of role === "user" ? AS_USER(otherId) : AS_ADMIN(username, otherId)) await expectNoSeriousViolations(me.page, path, scheme);
        await other.dispose();
        await me.context.close();
      });
    }
  }
}

test("in forced colours (Windows High Contrast) fields and outlined buttons keep a visible edge", async ({ browser }) => {
  const context = await browser.newContext({ forcedColors: "active" });
  const page = await context.newPage();
  await page.goto("/login");
  const edge = (locator: ReturnType<Page["locator"]>) => locator.evaluate((element) => {
    const style = getComputedStyle(element);
    return `${style.outlineStyle} ${style.outlineWidth}`;
  });
  // Box-shadows (the rings these are drawn with) are not painted in forced colours: an outline is.
  expect(await edge(page.getByLabel("Username"))).toBe("solid 1px");
  await signIn(page, uniqueUser("contrast"), USER_KEY);
  await page.goto("/settings/sessions");
  expect(await edge(page.getByRole("link", { name: /^Details/ }).first())).toBe("solid 1px");
  await context.close();
});
