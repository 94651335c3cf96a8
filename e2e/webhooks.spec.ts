import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, USER_KEY, WEBHOOK_APP_PORTS } from "./env";
import { expectJsonError, postgresDatabase, signIn, startApp, uniqueUser } from "./helpers";
import { freePort } from "../tests/support/ports";
import { startWebhookReceiver, TEST_WEBHOOK_SECRET, type ReceivedEvent } from "../tests/support/webhook-receiver";

const database = postgresDatabase("webhooks");
test.beforeAll(() => database.create());
test.afterAll(() => database.drop());

type App = Awaited<ReturnType<typeof startApp>>;

test("webhooks: with the receiver down through sign-ins, revocations and a restart, every event arrives once it is up, signed, in order per session", async ({ playwright, browser }) => {
  test.setTimeout(240_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-e2e-"));
  // The receiver's address is fixed now; nothing listens there until the end.
  const receiverPort = await freePort();
  const env = {
    DASHBOARD_SESSION_BACKEND: "postgres",
    DATABASE_URL: database.url,
    DASHBOARD_WEBHOOK_URL: `http://127.0.0.1:${receiverPort}/hooks`,
    DASHBOARD_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    DASHBOARD_ADMINS: "root",
  };
  const apps: App[] = [];
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | null = null;
  const contexts: APIRequestContext[] = [];
  const client = async (app: App) => {
    const context = await playwright.request.newContext({ baseURL: app.baseURL });
    contexts.push(context);
    return context;
  };
  const login = async (api: APIRequestContext, username: string, key = USER_KEY) => {
    const response = await api.post("/api/auth/login", { data: { username, key, rememberMe: false } });
    expect(response.status()).toBe(200);
    return ((await response.json()) as { session: { id: string } }).session.id;
  };
  try {
    let first = await startApp(WEBHOOK_APP_PORTS[0], dir, env);
    apps.push(first);
    const [alice, bob, carol] = [uniqueUser("alice"), uniqueUser("bob"), uniqueUser("carol")];
    const alicePhone = await client(first);
    const aliceLaptop = await client(first);
    const bobApi = await client(first);
    const admin = await client(first);
    const phoneId = await login(alicePhone, alice);
    const laptopId = await login(aliceLaptop, alice);
    const bobId = await login(bobApi, bob);
    const rootId = await login(admin, "root", ADMIN_KEY);
    // Alice ends her laptop from her phone; the admin disables bob.
    expect((await alicePhone.delete(`/api/sessions/${laptopId}`)).status()).toBe(200);
    expect((await admin.post(`/api/admin/users/${bob}/disable`, { data: { reason: "left" } })).status()).toBe(200);
    // Attempts fail meanwhile (nothing listens); the app restarts with all of it still queued.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await first.stop()).toBe(0);
    apps.length = 0;
    first = await startApp(WEBHOOK_APP_PORTS[0], dir, env);
    const second = await startApp(WEBHOOK_APP_PORTS[1], dir, env);
    apps.push(first, second);

    // After the restart, on the second replica: alice logs out, carol signs in and is revoked by the admin, bob is enabled.
    const carolApi = await client(second);
    const adminAgain = await client(second);
    // Cookies belong to the host, not the port: alice's phone carries its cookie to the second replica.
    expect((await alicePhone.post(`${second.baseURL}/api/auth/logout`)).status()).toBe(200);
    const carolId = await login(carolApi, carol);
    const rootAgainId = await login(adminAgain, "root", ADMIN_KEY);
    expect((await adminAgain.delete(`/api/admin/sessions?user=${carol}`)).status()).toBe(200);
    expect((await adminAgain.post(`/api/admin/users/${bob}/enable`)).status()).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET, receiverPort);
    const expected: [string, string | null, string | null][] = [
      ["session.created", phoneId, null],
      ["session.created", laptopId, null],
      ["session.created", bobId, null],
      ["session.created", rootId, null],
      ["session.ended", laptopId, "revoked_by_user"],
      ["user.disabled", null, null],
      ["session.ended", bobId, "disabled"],
      ["session.ended", phoneId, "logout"],
      ["session.created", carolId, null],
      ["session.created", rootAgainId, null],
      ["session.ended", carolId, "revoked_all"],
      ["user.enabled", null, null],
    ];
    // The backoff may have reached minutes; a new event reaches the receiver at once and brings the rest forward.
    const dave = await client(second);
    const daveId = await login(dave, uniqueUser("dave"));
    expected.push(["session.created", daveId, null]);
    const events = await receiver.waitFor(expected.length, 120_000);
    // Nothing more comes (no duplicates from the two replicas), and nothing failed verification.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(receiver.state.rejected).toBe(0);
    expect(events).toHaveLength(expected.length);
    expect(new Set(events.map((event) => event.id)).size).toBe(expected.length);
    const summary = (event: ReceivedEvent): [string, string | null, string | null] => [
      event.type,
      (event.data.sessionId as string | undefined) ?? null,
      (event.data.endReason as string | undefined) ?? null,
    ];
    expect(events.map(summary).sort()).toEqual([...expected].sort());
    // Per session: created before ended.
    for (const sessionId of [phoneId, laptopId, bobId, carolId]) {
      expect(events.filter((event) => event.data.sessionId === sessionId).map((event) => event.type)).toEqual(["session.created", "session.ended"]);
    }
    expect(events.find((event) => event.type === "session.ended" && event.data.sessionId === laptopId)?.data).toMatchObject({ username: alice, endedBy: alice });
    expect(events.find((event) => event.type === "session.ended" && event.data.sessionId === bobId)?.data).toMatchObject({ username: bob, endedBy: "root" });
    expect(events.find((event) => event.type === "user.disabled")?.data).toMatchObject({ username: bob, disabledBy: "root", reason: "left" });

    const api = await adminAgain.get(`${first.baseURL}/api/admin/webhooks?status=delivered`);
    expect(api.status()).toBe(200);
    expect(((await api.json()) as { counts: { delivered: number } }).counts.delivered).toBe(expected.length);

    // Admin Panel > Webhooks lists them, delivered after failed attempts, each with a resend button.
    const context = await browser.newContext({ baseURL: first.baseURL });
    const page = await context.newPage();
    await signIn(page, "root", ADMIN_KEY);
    // That sign-in is an event too (session.created): let it arrive first, so the one counted after
    // the resend below is the resent one and not this.
    await receiver.waitFor(expected.length + 1, 30_000);
    await page.goto("/admin/webhooks");
    await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();
    await expect(page.getByTestId("webhook-delivery-row")).toHaveCount(expected.length + 1);
    await expect(page.getByRole("navigation", { name: "Admin Panel" }).getByRole("link", { name: "Webhooks" })).toHaveAttribute("aria-current", "page");
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: test.info().outputPath(`admin-webhooks-${width}.png`), fullPage: true });
    }
    // Resend works without JavaScript: a plain form post.
    const before = receiver.events.length;
    await page.getByTestId("webhook-delivery-row").filter({ hasText: "user.enabled" }).getByRole("button", { name: /^Resend/ }).click();
    await expect(page.getByRole("status")).toContainText("queued to be sent again");
    await receiver.waitFor(before + 1, 30_000);
    expect(receiver.events.slice(before).map((event) => event.type)).toEqual(["user.enabled"]);
    await context.close();
  } finally {
    for (const context of contexts) await context.dispose().catch(() => undefined);
    for (const app of apps) await app.stop();
    await receiver?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("webhooks API: admins list deliveries and resend one; unknown ids and bad filters are explained", async ({ request }) => {
  expect((await request.get("/api/admin/webhooks")).status()).toBe(401);
  expect((await request.post("/api/auth/login", { data: { username: "root", key: ADMIN_KEY } })).status()).toBe(200);
  const listed = await request.get("/api/admin/webhooks?status=failed&limit=5");
  expect(listed.status()).toBe(200);
  expect(await listed.json()).toMatchObject({ deliveries: expect.any(Array), counts: { pending: expect.any(Number), delivered: expect.any(Number), failed: expect.any(Number) } });
  await expectJsonError(await request.get("/api/admin/webhooks?status=lost"), 400, "invalid_input");
  await expectJsonError(await request.post("/api/admin/webhooks/2147483000/resend"), 404, "webhook_delivery_not_found");
  // An id that is not one names no delivery either.
  await expectJsonError(await request.post("/api/admin/webhooks/abc/resend"), 404, "webhook_delivery_not_found");
});
