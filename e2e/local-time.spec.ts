import { expect, test } from "./api-contract";
import { USER_KEY } from "./env";
import { signIn, uniqueUser } from "./helpers";

/** Exact times: the viewer's own time zone once the page runs, UTC on hover and without JavaScript. */
for (const javaScriptEnabled of [true, false]) {
  test(`exact times show in the viewer's time zone with UTC on hover (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }) => {
    const context = await browser.newContext({ timezoneId: "Asia/Kolkata", javaScriptEnabled });
    const page = await context.newPage();
    await signIn(page, uniqueUser("zone"), USER_KEY);
    await page.goto("/");
    const signedIn = page.locator("dt", { hasText: /^Signed in$/ }).locator("xpath=following-sibling::dd").locator("time");
    const iso = await signedIn.getAttribute("datetime");
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT/);
    // India is UTC+5:30 all year: the minutes differ from UTC's by 30.
    const utc = new Date(iso!);
    const utcText = `${utc.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC`;
    await expect(signedIn).toHaveAttribute("title", utcText);
    if (javaScriptEnabled) {
      const local = utc.toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short", timeZone: "Asia/Kolkata" });
      expect(local).toMatch(/GMT\+5:30$/);
      await expect(signedIn).toHaveText(local);
    } else {
      await expect(signedIn).toHaveText(utcText);
    }
    await context.close();
  });
}
