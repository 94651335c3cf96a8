import { expect, test } from "./api-contract";
import { USER_KEY } from "./env";
import { signIn, uniqueUser } from "./helpers";

test.describe("the 404 page", () => {
  test("is rendered per request: every script carries the response's CSP nonce", async ({ request }) => {
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const response = await request.get("/no-such-page");
      expect(response.status()).toBe(404);
      const csp = response.headers()["content-security-policy"];
      const nonce = csp.match(/script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/)?.[1];
      expect(nonce, csp).toBeTruthy();
      nonces.add(nonce!);
      const html = await response.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(2);
  });

  test("addresses that merely start like a static file are pages: the proxy's rules apply", async ({ request }) => {
    for (const address of ["/robots.txtx", "/favicon.ico.bak", "/robots.txt/x"]) {
      const response = await request.get(address, { headers: { "x-sessionboard-path": "//evil.example/" } });
      expect(response.status(), address).toBe(404);
      expect(response.headers()["content-security-policy"], address).toContain("script-src 'self' 'nonce-");
    }
    expect((await request.get("/robots.txt")).status()).toBe(200);
  });

  test("is in the page itself, without JavaScript too: unknown addresses, a session that is not yours, the Admin Panel for a user (403)", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const heading = (name: string) => page.getByRole("heading", { name, level: 1 });
    expect((await page.goto("/no-such-page"))?.status()).toBe(404);
    await expect(heading("Page not found")).toBeVisible();
    await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
    await expect(page.locator("link[rel=stylesheet]")).not.toHaveCount(0);

    const username = uniqueUser("nojs404");
    await signIn(page, username, USER_KEY);
    await expect(page).toHaveURL("/");
    for (const [address, status, name] of [
      ["/settings/no-such-page", 404, "Page not found"],
      ["/settings/sessions/AAAAAAAAAAAAAAAAAAAAAA", 404, "Page not found"],
      ["/settings/sessions/not-an-id", 404, "Page not found"],
      ["/admin", 403, "Administrators only"],
      ["/admin/sessions", 403, "Administrators only"],
    ] as const) {
      expect((await page.goto(address))?.status(), address).toBe(status);
      await expect(heading(name), address).toBeVisible();
      // The title says it too: it is what a screen reader announces first.
      await expect(page, address).toHaveTitle(status === 404 ? "Page not found · Sessionboard" : "Administrators only · Sessionboard");
      await expect(page.getByRole("banner").getByTestId("signed-in-user"), address).toHaveText(username);
    }
    await context.close();
  });

  test("Next's files and image endpoint: a missing file is a 404 with a CSP, and the unused image optimiser answers 404, not 500", async ({ request }) => {
    const missing = await request.get("/_next/static/chunks/no-such-file.js");
    expect(missing.status()).toBe(404);
    expect(missing.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    for (const url of ["/", "/settings", "/favicon.ico"]) {
      const image = await request.get(`/_next/image?url=${encodeURIComponent(url)}&w=64&q=75`);
      expect(image.status(), url).toBe(404);
      expect(image.headers()["content-security-policy"], url).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  test("runs its scripts and shows the app's header, signed out and signed in", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) violations.push(message.text());
    });
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    const header = page.getByRole("banner");
    await expect(header.getByRole("link", { name: "Sessionboard" })).toBeVisible();
    await expect(header.getByRole("link", { name: "Sign in" })).toBeVisible();
    // The client-side router is running (its scripts were allowed): a link navigates without a reload.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await header.getByRole("link", { name: "Sign in" }).click();
    await expect(page).toHaveURL("/login");
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);

    const username = uniqueUser("notfound");
    await signIn(page, username, USER_KEY);
    await expect(page).toHaveURL("/");
    expect((await page.goto("/settings/no-such-page"))?.status()).toBe(404);
    await expect(page.getByRole("banner").getByTestId("signed-in-user")).toHaveText(username);
    await expect(page.getByRole("banner").getByRole("button", { name: "Log out" })).toBeVisible();
    expect(violations).toEqual([]);
  });
});
