import fs from "node:fs";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY } from "./env";
import { loginAtTestIdp, signIn, uniqueUser } from "./helpers";

const dir = "test-results/screenshots";

test("Admin Panel > Single sign-on shows the provider, the re-check settings and what the provider ended", async ({ page, browser }) => {
  // An SSO session, so tokens are kept for at least one.
  const sso = await browser.newContext();
  const person = await sso.newPage();
  await person.goto("/login");
  await person.getByRole("button", { name: "Sign in with SSO" }).click();
  await loginAtTestIdp(person, uniqueUser("ssostatus"));
  await expect(person).toHaveURL("/");

  await signIn(page, "root", ADMIN_KEY);
  await page.goto("/admin/sso");
  await expect(page.getByRole("navigation", { name: "Admin Panel" }).getByRole("link", { name: "Single sign-on" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Single sign-on", level: 1 })).toBeVisible();
  await expect(page.getByText("Reached")).toBeVisible();
  await expect(page.getByText("At most every 15 minutes")).toBeVisible();
  await expect(page.getByText("1,440 minutes")).toBeVisible();
  await expect(page.getByText("Supported (end_session_endpoint, with id_token_hint)")).toBeVisible();
  for (const label of ["Refused at a re-check", "Unreachable past the grace", "Back-channel logout"]) await expect(page.getByText(label)).toBeVisible();

  fs.mkdirSync(dir, { recursive: true });
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: `${dir}/admin-sso-${width}.png`, fullPage: true });
  }
  await sso.close();
});

test("Admin Panel > Single sign-on is for admins only", async ({ page }) => {
  await signIn(page, uniqueUser("notadmin"), USER_KEY);
  const response = await page.goto("/admin/sso");
  expect(response?.status()).toBe(403);
});
