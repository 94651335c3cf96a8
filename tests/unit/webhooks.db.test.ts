import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { CLI_ACTOR, SYSTEM_ACTOR } from "@/lib/actor";
import { disableUser, enableUser } from "@/lib/admin/users";
import { openDatabase, type Database } from "@/lib/db";
import { metrics } from "@/lib/metrics/metrics";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import { revokeListedSessions, revokeSessions } from "@/lib/sessions/revoke";
import { revokeEveryActiveSession } from "@/lib/sessions/force-logout";
import { endSessionByLogout, validateSessionCookie } from "@/lib/sessions/sessions";
import { deliverDueWebhooks, resendWebhookDelivery, retryDelayMs } from "@/lib/webhooks/delivery";
import { signWebhook } from "@/lib/webhooks/signature";
import { drainDueWebhooks } from "@/lib/webhooks/worker";
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from "../support/webhook-receiver";
import { ADMIN_KEY, TEST_BACKEND, USER_KEY, days, later, minutes, request, signIn, tempDatabase, testConfig } from "./helpers";

const receivers: { stop: () => Promise<void> }[] = [];
afterEach(async () => {
  while (receivers.length) await receivers.pop()?.stop();
});

async function setup() {
  const receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  receivers.push(receiver);
  const { db, env, config, targets } = await setupFor([receiver.url]);
  const deliver = (at?: Date) => deliverDueWebhooks(db, targets, at ? { clock: () => at } : {});
  return { receiver, db, env, config, targets, deliver };
}

async function setupFor(urls: string[]) {
  const { db, env } = await tempDatabase({ webhookUrls: urls });
  const config = testConfig({ ...env, DASHBOARD_WEBHOOK_URL: urls.join(","), DASHBOARD_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET });
  return { db, env, config, targets: config.webhooks! };
}

/**
 * A receiver that records every request it gets, failed ones too, and answers each with the status
 * `answer` gives for its event (signatures are checked by the tests above).
 */
async function scriptedReceiver(answer: (event: { id: string; type: string }) => number) {
  const requests: { id: string; type: string; status: number }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const { type } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { type: string };
      const event = { id: String(req.headers["webhook-id"]), type };
      const status = answer(event);
      requests.push({ ...event, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receivers.push({ stop: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, requests };
}

/** sessionboard_webhook_deliveries_total by outcome. */
async function counted() {
  const values = (await metrics().webhookDeliveries.get()).values;
  return Object.fromEntries(values.map((value) => [value.labels.outcome, value.value])) as Record<string, number>;
}

const outbox = (db: Database) => db.prisma.webhookDelivery.findMany({ orderBy: { seq: "asc" } });

/** Makes every insert into AuthEvent fail, so the transaction writing it rolls back. */
async function breakAuditTrail(db: Database) {
  if (TEST_BACKEND === "postgres") {
    await db.prisma.$executeRawUnsafe(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
    await db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse BEFORE INSERT ON "AuthEvent" FOR EACH ROW EXECUTE FUNCTION refuse()`);
  } else {
    await db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse BEFORE INSERT ON "AuthEvent" BEGIN SELECT RAISE(ABORT, 'refused'); END`);
  }
}

describe("webhook signatures", () => {
  it("follow the Standard Webhooks specification, as its own implementation checks them", () => {
    const body = JSON.stringify({ type: "session.created", timestamp: "2026-12-02T10:00:00.000Z", data: {} });
    const now = Math.floor(Date.now() / 1000);
    const headers = { "webhook-id": "evt_1", "webhook-timestamp": String(now), "webhook-signature": signWebhook(TEST_WEBHOOK_SECRET, "evt_1", now, body) };
    expect(new Webhook(TEST_WEBHOOK_SECRET).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(TEST_WEBHOOK_SECRET).verify(body.replace("created", "ended"), headers)).toThrow();
  });
});

describe("webhook outbox", () => {
  it("writes and delivers session.created, session.alert, session.ended and user events, signed, without secrets", async () => {
    const { receiver, db, config, deliver } = await setup();
    const t0 = new Date();
    const first = await signIn(db, config, "alice", USER_KEY, false, request, t0);
    const away = { ip: "198.51.100.7", userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36" };
    const second = await signIn(db, config, "alice", USER_KEY, false, away, later(t0, 1000));
    await endSessionByLogout(db, first.session, { id: first.session.userId, username: "alice", displayName: null, email: null, role: "user" }, request, later(t0, 2000));
    await disableUser(db, { username: "root", sessionId: null }, "alice", "left the company", request, later(t0, 3000));
    await enableUser(db, { username: "root", sessionId: null }, "alice", request, later(t0, 4000));
    expect((await deliver(later(t0, 5000))).delivered).toBe(7);

    expect(receiver.events.map((event) => [event.type, event.data.sessionId ?? null])).toEqual([
      ["session.created", first.session.id],
      ["session.created", second.session.id],
      ["session.alert", second.session.id],
      ["session.ended", first.session.id],
      ["user.disabled", null],
      ["session.ended", second.session.id],
      ["user.enabled", null],
    ]);
    expect(receiver.state.rejected).toBe(0);
    const [, , alert, logout, disabled, byDisable, enabled] = receiver.events;
    expect(alert.data).toMatchObject({ username: "alice", ipAddress: "198.51.100.7", browserFamily: "Chrome", osFamily: "Windows" });
    expect(logout).toMatchObject({ id: `evt_ended_${first.session.id}`, data: { endReason: "logout", endedBy: "alice", authMethod: "static", username: "alice" } });
    expect(disabled.data).toMatchObject({ username: "alice", disabledBy: "root", reason: "left the company" });
    expect(byDisable.data).toMatchObject({ endReason: "disabled", endedBy: "root" });
    expect(enabled.data).toEqual({ userId: first.session.userId, username: "alice", enabledBy: "root" });
    const everything = JSON.stringify(receiver.events) + JSON.stringify(await outbox(db));
    for (const secret of [first.token, second.token, first.cookie, USER_KEY, ADMIN_KEY, TEST_WEBHOOK_SECRET]) expect(everything).not.toContain(secret);
    const hash = (await db.prisma.session.findFirstOrThrow({ where: { id: second.session.id } })).tokenHash;
    expect(everything).not.toContain(hash);
  });

  it("writes nothing when no webhook URL is configured", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    await signIn(db, config, "alice", USER_KEY);
    await revokeSessions(db, {}, { actor: SYSTEM_ACTOR, cause: "revoked_all", reason: "test" }, request);
    expect(await db.prisma.webhookDelivery.count()).toBe(0);
  });

  it("is written in the transaction of the change: a sign-in or revocation that rolls back leaves no event", async () => {
    const { db, config } = await setup();
    const alice = await signIn(db, config, "alice", USER_KEY);
    const before = await db.prisma.webhookDelivery.count();
    await breakAuditTrail(db);
    await expect(signIn(db, config, "bob", USER_KEY)).rejects.toThrow();
    await expect(revokeSessions(db, { id: alice.session.id }, { actor: SYSTEM_ACTOR, cause: "revoked_by_admin", reason: "test" }, request)).rejects.toThrow();
    expect(await db.prisma.webhookDelivery.count()).toBe(before);
    expect(await db.prisma.session.findUniqueOrThrow({ where: { id: alice.session.id } })).toMatchObject({ revokedAt: null });
  });

  it("writes one session.ended per session from the bulk statements: everyone's revocation, listed ids, cleanup", async () => {
    const { db, config } = await setup();
    const t0 = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await signIn(db, config, `user${i}`, USER_KEY, false, request, t0)).session.id);
    await db.prisma.webhookDelivery.deleteMany();

    expect(await revokeListedSessions(db, ids.slice(0, 1), { actor: { username: "root", sessionId: null }, cause: "revoked_all", reason: "bulk" }, "sessions.bulk_revoked", request, t0)).toBe(1);
    expect(await revokeEveryActiveSession(db, { actor: CLI_ACTOR, cause: "revoked_all", reason: "everyone" }, ids[4], request, t0, { batchSize: 2 })).toBe(3);
    const ended = await outbox(db);
    expect(ended.map((row) => row.sessionId).sort()).toEqual(ids.slice(0, 4).sort());
    expect(ended.map((row) => JSON.parse(row.payload).data.endedBy)).toEqual(["root", "cli", "cli", "cli"]);
    const sample = JSON.parse(ended[1].payload);
    expect(sample).toEqual({
      type: "session.ended",
      timestamp: t0.toISOString(),
      data: { sessionId: ended[1].sessionId, userId: expect.any(String), username: expect.stringMatching(/^user\d$/), authMethod: "static", endReason: "revoked_all", endedBy: "cli", endedAt: t0.toISOString() },
    });
    expect(ended[1].eventId).toBe(`evt_ended_${ended[1].sessionId}`);

    // Cleanup: the one session nobody revoked (ids[4]) expired unseen; the revoked ones end silently.
    await db.prisma.webhookDelivery.deleteMany();
    await cleanupSessions(db, config, { now: later(t0, days(400)), batchSize: 2 });
    const expired = await outbox(db);
    expect(expired.map((row) => [row.sessionId, JSON.parse(row.payload).data.endReason, JSON.parse(row.payload).data.endedBy])).toEqual([[ids[4], "expired_idle", "system"]]);
  });

  it("writes session.ended when the session check meets an expired session", async () => {
    const { db, config } = await setup();
    const t0 = new Date();
    const alice = await signIn(db, config, "alice", USER_KEY, false, request, t0);
    expect(await validateSessionCookie(db, config, alice.cookie, request, later(t0, days(8)))).toMatchObject({ status: "ended", reason: "expired" });
    const ended = (await outbox(db)).filter((row) => row.type === "session.ended");
    expect(ended.map((row) => JSON.parse(row.payload).data)).toMatchObject([{ sessionId: alice.session.id, endReason: "expired_idle", endedBy: "system" }]);
  });
});

describe("webhook delivery", () => {
  it("retries with exponential backoff and marks the delivery failed once 24 h have passed", async () => {
    const { receiver, db, config, deliver } = await setup();
    receiver.state.answer = 503;
    const before = await counted();
    const t0 = new Date();
    await signIn(db, config, "alice", USER_KEY, false, request, t0);
    const attemptsAt: number[] = [];
    let at = t0;
    for (let i = 0; i < 100; i++) {
      await deliver(at);
      const row = await db.prisma.webhookDelivery.findFirstOrThrow();
      attemptsAt.push(at.getTime() - t0.getTime());
      expect(row.lastError).toBe("HTTP 503: receiver says no");
      if (row.status === "failed") break;
      at = row.nextAttemptAt;
    }
    const row = await db.prisma.webhookDelivery.findFirstOrThrow();
    expect(row.status).toBe("failed");
    expect(await counted()).toMatchObject({ retrying: before.retrying + attemptsAt.length - 1, failed: before.failed + 1 });
    expect(attemptsAt.slice(0, 5)).toEqual([0, 5_000, 15_000, 35_000, 75_000]);
    const gaps = attemptsAt.slice(1).map((ms, i) => ms - attemptsAt[i]);
    expect(Math.max(...gaps)).toBe(retryDelayMs(100));
    expect(attemptsAt.at(-1)).toBeLessThanOrEqual(days(1));
    expect(attemptsAt.at(-1)! + retryDelayMs(row.attempts)).toBeGreaterThan(days(1));
    expect(row.attempts).toBe(attemptsAt.length);

    // An admin's resend: one more delivery, now that the receiver answers.
    receiver.state.answer = 200;
    await resendWebhookDelivery(db, row.seq);
    expect((await deliver()).delivered).toBe(1);
    expect(receiver.events).toHaveLength(1);
    expect(await db.prisma.webhookDelivery.findFirstOrThrow()).toMatchObject({ status: "delivered", lastStatus: 200 });
  });

  it("keeps what a failing receiver answered as one clean line: control and direction characters out, nothing PostgreSQL refuses", async () => {
    const { receiver, db, config, deliver } = await setup();
    receiver.state.answer = 500;
    receiver.state.errorBody = "bad\u0000 thing\r\nat\u202Eline 2\u0085";
    await signIn(db, config, "alice", USER_KEY, false, request, new Date());
    await deliver();
    const row = await db.prisma.webhookDelivery.findFirstOrThrow();
    expect(row).toMatchObject({ attempts: 1, status: "pending", lastError: "HTTP 500: bad thing atline 2" });
  });

  it("delivers a session's events in order even when the first needs a retry", async () => {
    const { receiver, db, config, deliver } = await setup();
    receiver.state.answer = 500;
    const t0 = new Date();
    const alice = await signIn(db, config, "alice", USER_KEY, false, request, t0);
    await deliver(t0);
    await revokeSessions(db, { id: alice.session.id }, { actor: SYSTEM_ACTOR, cause: "revoked_by_admin", reason: "test" }, request, t0);
    receiver.state.answer = 204;
    // The end is due at once, but waits for the creation, which waits for its retry.
    expect((await deliver(t0)).delivered).toBe(0);
    expect((await deliver(later(t0, 5_000))).delivered).toBe(2);
    expect(receiver.events.map((event) => event.type)).toEqual(["session.created", "session.ended"]);
  });

  it("gives each event to one worker: two processes on one database never send the same event twice", async () => {
    const { receiver, db, env, config, targets } = await setup();
    for (let i = 0; i < 30; i++) await signIn(db, config, `user${i}`, USER_KEY);
    const other = await openDatabase(testConfig(env), { webhookUrls: [receiver.url] });
    try {
      const rounds = await Promise.all([db, other, db, other].map((handle) => deliverDueWebhooks(handle, targets, { batchSize: 20 })));
      const drained = await Promise.all([deliverDueWebhooks(db, targets), deliverDueWebhooks(other, targets)]);
      expect([...rounds, ...drained].reduce((sum, round) => sum + round.delivered, 0)).toBe(30);
      const ids = receiver.events.map((event) => event.id);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
    } finally {
      await other.close();
    }
  });

  it("leaves a URL it does not know to the replicas that do (a rolling change); fails its rows once none has taken them for an hour", async () => {
    const [kept, added] = [await startWebhookReceiver(TEST_WEBHOOK_SECRET), await startWebhookReceiver(TEST_WEBHOOK_SECRET)];
    receivers.push(kept, added);
    // A replica already restarted with the added URL writes rows for both; one not yet restarted knows only the first.
    const { db, env } = await tempDatabase({ webhookUrls: [kept.url, added.url] });
    const config = testConfig({ ...env, DASHBOARD_WEBHOOK_URL: `${kept.url},${added.url}`, DASHBOARD_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET });
    const before = { urls: [kept.url], secret: TEST_WEBHOOK_SECRET };
    const after = { urls: [kept.url, added.url], secret: TEST_WEBHOOK_SECRET };
    const t0 = new Date();
    await signIn(db, config, "alice", USER_KEY, false, request, t0);
    const status = async () => (await outbox(db)).filter((row) => row.url === added.url).map((row) => [row.status, row.lastError]);

    expect(await deliverDueWebhooks(db, before, { clock: () => later(t0, 1_000) })).toMatchObject({ claimed: 1, delivered: 1, failed: 0 });
    expect(await status()).toEqual([["pending", null]]);
    expect(added.events).toHaveLength(0);
    expect(await deliverDueWebhooks(db, after, { clock: () => later(t0, 2_000) })).toMatchObject({ claimed: 1, delivered: 1 });
    expect(added.events.map((event) => event.type)).toEqual(["session.created"]);

    // The added receiver goes down with rows waiting: the replicas that have it keep taking them
    // (one attempt a round, the rest left for later), and a replica without it leaves them alone.
    added.state.answer = 503;
    const t1 = later(t0, minutes(1));
    await signIn(db, config, "bob", USER_KEY, false, request, t1);
    await signIn(db, config, "carol", USER_KEY, false, request, t1);
    await deliverDueWebhooks(db, after, { clock: () => later(t1, 1_000) });
    await deliverDueWebhooks(db, after, { clock: () => later(t1, minutes(50)) });
    await deliverDueWebhooks(db, before, { clock: () => later(t1, minutes(61)) });
    expect((await status()).map(([state]) => state)).toEqual(["delivered", "pending", "pending"]);

    // Removed everywhere: no replica takes its rows, and an hour after the last one did they are marked failed.
    await deliverDueWebhooks(db, before, { clock: () => later(t1, minutes(109)) });
    expect((await status()).slice(1).map(([state]) => state)).toEqual(["pending", "pending"]);
    await deliverDueWebhooks(db, before, { clock: () => later(t1, minutes(112)) });
    expect((await status()).slice(1)).toEqual([["failed", "URL no longer configured"], ["failed", "URL no longer configured"]]);
  });

  it("with no URL configured on any replica (no delivery rounds), cleanup fails the rows left an hour later", async () => {
    const { db, env, config } = await setup();
    const t0 = new Date();
    await signIn(db, config, "alice", USER_KEY, false, request, t0);
    const unset = testConfig(env);
    expect(unset.webhooks).toBeNull();
    await cleanupSessions(db, unset, { now: later(t0, minutes(30)) });
    expect((await outbox(db)).map((row) => row.status)).toEqual(["pending"]);
    await cleanupSessions(db, unset, { now: later(t0, minutes(61)) });
    expect((await outbox(db)).map((row) => [row.status, row.lastError])).toEqual([["failed", "URL no longer configured"]]);
  });

  it("takes a row back from a worker whose lease lapsed (it crashed mid-delivery)", async () => {
    const { receiver, db, config, deliver } = await setup();
    const t0 = new Date();
    await signIn(db, config, "alice", USER_KEY, false, request, t0);
    await db.prisma.webhookDelivery.updateMany({ data: { leaseUntil: later(t0, minutes(15)), leaseOwner: "crashed" } });
    expect((await deliver(later(t0, minutes(1)))).claimed).toBe(0);
    expect((await deliver(later(t0, minutes(16)))).delivered).toBe(1);
    expect(receiver.events).toHaveLength(1);
  });
});

describe("webhook worker ticks", () => {
  it("give a receiver that is down one attempt a tick, however long the backlog", async () => {
    const receiver = await scriptedReceiver(() => 500);
    const { db, config, targets } = await setupFor([receiver.url]);
    for (let i = 0; i < 10; i++) await signIn(db, config, `user${i}`, USER_KEY);
    await drainDueWebhooks(db, targets);
    expect(receiver.requests).toHaveLength(1);
    expect((await outbox(db)).map((row) => row.attempts)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("drain the backlog of a receiver that answers while trying one that is down once", async () => {
    const down = await scriptedReceiver(() => 503);
    const up = await scriptedReceiver(() => 204);
    const { db, config, targets } = await setupFor([down.url, up.url]);
    for (let i = 0; i < 6; i++) await signIn(db, config, `user${i}`, USER_KEY);
    await drainDueWebhooks(db, targets, { batchSize: 4 });
    expect(down.requests).toHaveLength(1);
    expect(up.requests).toHaveLength(6);
  });

  it("leave unclaimed a row that waits behind an older one of its session waiting for a retry", async () => {
    let answer = 500;
    const receiver = await scriptedReceiver(() => answer);
    const { db, config, targets } = await setupFor([receiver.url]);
    const t0 = new Date();
    const alice = await signIn(db, config, "alice", USER_KEY, false, request, t0);
    await deliverDueWebhooks(db, targets, { clock: () => t0 });
    await revokeSessions(db, { id: alice.session.id }, { actor: SYSTEM_ACTOR, cause: "revoked_by_admin", reason: "test" }, request, t0);
    answer = 204;

    const waiting = { clock: () => later(t0, 1_000) };
    expect(await deliverDueWebhooks(db, targets, waiting)).toMatchObject({ claimed: 0, delivered: 0 });
    expect(await drainDueWebhooks(db, targets, waiting)).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect((await outbox(db))[1]).toMatchObject({ type: "session.ended", status: "pending", attempts: 0, leaseUntil: null, leaseOwner: null });

    // The retry is due: both go, in order, in one tick.
    await drainDueWebhooks(db, targets, { clock: () => later(t0, 5_000) });
    expect(receiver.requests.map((sent) => [sent.type, sent.status])).toEqual([
      ["session.created", 500],
      ["session.created", 204],
      ["session.ended", 204],
    ]);
  });

  it("leave a row behind an older one of its session to the replicas with its URL while they retry that one", async () => {
    const kept = await scriptedReceiver(() => 204);
    const added = await scriptedReceiver(() => 503);
    const { db, config } = await setupFor([kept.url, added.url]);
    const before = { urls: [kept.url], secret: TEST_WEBHOOK_SECRET };
    const after = { urls: [kept.url, added.url], secret: TEST_WEBHOOK_SECRET };
    const t0 = new Date();
    const alice = await signIn(db, config, "alice", USER_KEY, false, request, t0);
    await revokeSessions(db, { id: alice.session.id }, { actor: SYSTEM_ACTOR, cause: "revoked_by_admin", reason: "test" }, request, t0);
    const status = async () => (await outbox(db)).filter((row) => row.url === added.url).map((row) => row.status);
    // Failing for a while already: its next retry is an hour away.
    await db.prisma.webhookDelivery.updateMany({ where: { url: added.url, type: "session.created" }, data: { attempts: 12 } });

    // A replica with the added URL retries the creation, and ticks on while the end waits behind it;
    // one without the URL must not take the end for abandoned.
    await drainDueWebhooks(db, after, { clock: () => t0 });
    await drainDueWebhooks(db, after, { clock: () => later(t0, minutes(30)) });
    await drainDueWebhooks(db, before, { clock: () => later(t0, minutes(61)) });
    expect(await status()).toEqual(["pending", "pending"]);
    // Once no replica has retried the creation for an hour past its time, both are failed.
    await drainDueWebhooks(db, before, { clock: () => later(t0, minutes(121)) });
    expect(await status()).toEqual(["failed", "failed"]);
  });
});

describe("webhook answers", () => {
  it("retry a refused event (a 4xx) on its own schedule, without holding back its session's later events or being sent again whenever others pass", async () => {
    let refused = "";
    const receiver = await scriptedReceiver((event) => (event.id === refused ? 403 : 204));
    const { db, config, targets } = await setupFor([receiver.url]);
    const t0 = new Date();
    const alice = await signIn(db, config, "alice", USER_KEY, false, request, t0);
    refused = `evt_created_${alice.session.id}`;
    await revokeSessions(db, { id: alice.session.id }, { actor: SYSTEM_ACTOR, cause: "revoked_by_admin", reason: "test" }, request, t0);

    await drainDueWebhooks(db, targets, { clock: () => t0 });
    const [created, ended] = await outbox(db);
    expect(created).toMatchObject({ status: "pending", attempts: 1, lastStatus: 403, lastError: "HTTP 403", nextAttemptAt: later(t0, 5_000) });
    expect(ended).toMatchObject({ status: "delivered", attempts: 1 });

    // Others pass meanwhile: the refused event keeps its own pace, not sent again with each.
    await signIn(db, config, "bob", USER_KEY, false, request, later(t0, 1_000));
    await drainDueWebhooks(db, targets, { clock: () => later(t0, 1_000) });
    await signIn(db, config, "carol", USER_KEY, false, request, later(t0, 2_000));
    await drainDueWebhooks(db, targets, { clock: () => later(t0, 2_000) });
    expect(receiver.requests.map((sent) => [sent.type, sent.status])).toEqual([
      ["session.created", 403],
      ["session.ended", 204],
      ["session.created", 204],
      ["session.created", 204],
    ]);

    // At its time it is tried again, with the same webhook-id; accepted now, nothing was lost.
    refused = "";
    await drainDueWebhooks(db, targets, { clock: () => later(t0, 5_000) });
    expect(receiver.requests.at(-1)).toEqual({ id: `evt_created_${alice.session.id}`, type: "session.created", status: 204 });
    expect((await outbox(db))[0]).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it.each([408, 429])("retry after %i, which asks to come back later", async (status) => {
    const receiver = await scriptedReceiver(() => status);
    const { db, config, targets } = await setupFor([receiver.url]);
    const t0 = new Date();
    await signIn(db, config, "alice", USER_KEY, false, request, t0);
    await drainDueWebhooks(db, targets, { clock: () => t0 });
    expect(await db.prisma.webhookDelivery.findFirstOrThrow()).toMatchObject({ status: "pending", attempts: 1, lastStatus: status, nextAttemptAt: later(t0, 5_000) });
  });
});
