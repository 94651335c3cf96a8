import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY } from "./env";
import { currentSessionId, signIn, uniqueUser } from "./helpers";

// Signs everyone out, so it runs in its own project after every other spec (playwright.config.ts).
test("force logout everyone: first keeping the admin's own session, then with 'me too'", async ({ browser }) => {
  const contexts = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()]);
  const [userPage, otherAdminPage, adminPage] = await Promise.all(contexts.map((c) => c.newPage()));
  await signIn(userPage, uniqueUser("everyone"), USER_KEY);
  await signIn(otherAdminPage, "root", ADMIN_KEY);
  await signIn(adminPage, "root", ADMIN_KEY);
  const adminSession = await currentSessionId(adminPage.request);

  await adminPage.goto("/admin/sessions");
  await adminPage.getByRole("link", { name: "Force logout everyone" }).click();
  const confirm = adminPage.getByRole("group", { name: "Force logout everyone?" });
  // No hint that looks like the answer; each button says whether the admin's own session is kept.
  await expect(confirm.getByLabel('Type "everyone" to confirm')).not.toHaveAttribute("placeholder");
  await expect(confirm.getByRole("button")).toHaveText(["Sign out everyone else", "Sign out everyone, me too"]);
  await expect(confirm.getByRole("checkbox")).toHaveCount(0);
  // The typed confirmation is checked on the server too.
  await confirm.getByLabel('Type "everyone" to confirm').fill("every one");
  await confirm.getByRole("button", { name: "Sign out everyone else" }).click();
  await expect(adminPage.getByRole("main").getByRole("alert")).toHaveText('Type "everyone" to confirm.');

  await adminPage.getByLabel('Type "everyone" to confirm').fill("everyone");
  await adminPage.getByLabel(/Reason/).fill("incident drill");
  // Enter in a field presses the first button: everyone else.
  await adminPage.getByLabel(/Reason/).press("Enter");
  await expect(adminPage.getByRole("main").getByRole("status")).toHaveText(/^Revoked \d+ sessions?: everyone is signed out/);
  await expect(adminPage.getByTestId("admin-session-row")).toHaveCount(1);
  expect(await currentSessionId(adminPage.request)).toBe(adminSession);
  for (const page of [userPage, otherAdminPage]) {
    await page.reload();
    await expect(page.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");
  }

  // "Me too", from a browser without JavaScript: the button pressed is posted with the form.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const plainPage = await plain.newPage();
  await signIn(plainPage, "root", ADMIN_KEY);
  await plainPage.goto("/admin/sessions");
  await plainPage.getByRole("link", { name: "Force logout everyone" }).click();
  await plainPage.getByLabel('Type "everyone" to confirm').fill("everyone");
  await plainPage.getByRole("button", { name: "Sign out everyone, me too" }).click();
  await expect(plainPage).toHaveURL(/\/login/);
  await expect(plainPage.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");
  await adminPage.reload();
  await expect(adminPage).toHaveURL(/\/login/);
  await expect(adminPage.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");
  for (const context of [...contexts, plain]) await context.close();
});
