import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY } from "./env";
import { currentSessionId, signIn, uniqueUser } from "./helpers";

async function signedIn(browser: Browser, username: string, key: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, username, key);
  await expect(page).toHaveURL("/");
  return { context, page, sessionId: await currentSessionId(context.request) };
}

const main = (page: Page) => page.getByRole("main");

// What an action did comes back in the address; a page says it only to the session that did it.
test.describe("an outcome in a page's address", () => {
  test("the sign-in page says why a session ended as its row says, never as a link says", async ({ browser }) => {
    const username = uniqueUser("why");
    const mine = await signedIn(browser, username, USER_KEY);
    const other = await signedIn(browser, username, USER_KEY);
    expect((await mine.context.request.delete(`/api/sessions/${other.sessionId}`)).status()).toBe(200);
    // A link that claims the account was disabled, followed with the revoked session's cookie.
    await other.page.goto("/api/auth/ended?reason=disabled&next=/settings/sessions");
    await expect(other.page).toHaveURL(/\/login/);
    await expect(main(other.page).getByRole("status")).toHaveText("Your session was revoked");
    await expect(other.page.getByText(/disabled/)).toHaveCount(0);
    for (const c of [mine, other]) await c.context.close();
  });

  test("Settings > Sessions says nothing for a hand-written one, and a real one only to the session that revoked", async ({ browser }) => {
    const username = uniqueUser("outcome");
    const mine = await signedIn(browser, username, USER_KEY);
    const other = await signedIn(browser, username, USER_KEY);
    const third = await signedIn(browser, username, USER_KEY);

    // A link anyone could send: no "revoked", no "signed out", no error, no "alert dismissed".
    await mine.page.goto("/settings/sessions?revoked=1&signedOutOthers=3&error=current_session&alertDismissed=1");
    await expect(main(mine.page).getByTestId("session-card")).toHaveCount(3);
    await expect(main(mine.page).getByRole("alert")).toHaveCount(0);
    await expect(mine.page.getByText("Session revoked")).toHaveCount(0);
    await expect(mine.page.getByText(/Signed out \d+ other/)).toHaveCount(0);
    await expect(mine.page.getByText("Alert dismissed")).toHaveCount(0);

    // A real revocation says so, and still does after a reload.
    await main(mine.page).locator(`#session-${other.sessionId}`).getByRole("link", { name: /^Revoke session/ }).click();
    await mine.page.getByRole("group", { name: "Revoke this session?" }).getByRole("button", { name: "Revoke session" }).click();
    await expect(mine.page.getByText("Session revoked. That device is signed out at its next request.")).toBeVisible();
    const address = mine.page.url();
    expect(address).toMatch(/\?revoked=1&sealed=[^&#]+/);
    await mine.page.reload();
    await expect(mine.page.getByText("Session revoked. That device is signed out at its next request.")).toBeVisible();

    // The same address, opened by another session of the same person, says nothing.
    await third.page.goto(address);
    await expect(main(third.page).getByTestId("session-card")).toHaveCount(2);
    await expect(third.page.getByText("Session revoked")).toHaveCount(0);

    // Edited, it says nothing either.
    await mine.page.goto(address.replace("revoked=1", "signedOutOthers=9"));
    await expect(mine.page.getByText(/Signed out 9 other/)).toHaveCount(0);
    for (const device of [mine, other, third]) await device.context.close();
  });

  test("the Admin Panel says nothing for a hand-written outcome, and a real one only to the admin session that acted", async ({ browser }) => {
    const user = await signedIn(browser, uniqueUser("outcomeadmin"), USER_KEY);
    const admin = await signedIn(browser, "root", ADMIN_KEY);
    const otherAdmin = await signedIn(browser, "root", ADMIN_KEY);

    for (const forged of ["/admin/sessions?done=all&count=500", `/admin/sessions/${user.sessionId}?done=session`, "/admin/users?done=disabled&count=2&doneUser=bob"]) {
      await admin.page.goto(forged);
      await expect(main(admin.page).getByRole("status")).toHaveCount(0);
    }

    await admin.page.goto(`/admin/sessions/${user.sessionId}`);
    await main(admin.page).getByRole("link", { name: /^Revoke \S+'s session/ }).click();
    const panel = admin.page.getByRole("group", { name: /^Revoke this session of/ });
    await panel.getByLabel(/^Reason/).fill("left the team");
    await panel.getByRole("button", { name: "Revoke session" }).click();
    await expect(main(admin.page).getByRole("status")).toHaveText("Session revoked. That browser is signed out at its next request.");

    await otherAdmin.page.goto(admin.page.url());
    await expect(main(otherAdmin.page)).toContainText("Revoked by an administrator (root)");
    await expect(main(otherAdmin.page).getByRole("status")).toHaveCount(0);
    for (const device of [user, admin, otherAdmin]) await device.context.close();
  });

  test("the mailed link's page believes the link's state, not the address", async ({ page }) => {
    await page.goto("/report?outcome=revoked");
    await expect(page.getByRole("main")).toContainText("That link is not valid, or it has expired.");
    await expect(page.getByRole("main")).not.toContainText("signed out");
    await page.goto("/report?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&outcome=revoked");
    await expect(page.getByRole("main")).toContainText("That link is not valid, or it has expired.");
    await expect(page.getByRole("main")).not.toContainText("signed out");
  });

  test("the sign-in page says an error only to the browser whose sign-in failed so", async ({ browser }) => {
    const forged = await browser.newContext();
    const page = await forged.newPage();
    for (const code of ["account_disabled", "report_link_used", "rate_limited&retryAfter=600000", "invalid_credentials&username=alice"]) {
      await page.goto(`/login?error=${code}`);
      await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
      await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);
    }
    // A real failure says so, and the same address in another browser does not.
    const username = uniqueUser("wrongkey");
    await signIn(page, username, "not-the-key-at-all");
    await expect(page).toHaveURL(/\/login\?error=invalid_credentials&username=/);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Invalid username or key.");
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(page.url());
    await expect(otherPage.getByLabel("Username")).toHaveValue(username);
    await expect(otherPage.getByRole("main").getByRole("alert")).toHaveCount(0);
    await forged.close();
    await other.close();
  });
});
