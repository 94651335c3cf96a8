import { createHash } from "node:crypto";
import { SpanStatusCode } from "@opentelemetry/api";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-node";
import { PrismaInstrumentation } from "@prisma/instrumentation";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signInWithKey } from "@/lib/auth/static-login";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import { revokeOtherOwnSessions } from "@/lib/sessions/own-sessions";
import { revokeEveryActiveSession } from "@/lib/sessions/force-logout";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { fail } from "@/lib/errors";
import { setTracingEnabled, withSpan } from "@/lib/tracing";
import { ADMIN_KEY, SECRET_A, USER_KEY, days, later, request, signIn, tempDatabase, testConfig } from "./helpers";

// A real SDK pipeline into memory: what an OTLP exporter would be handed.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register({ propagator: null });
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new PrismaInstrumentation()] });
  setTracingEnabled(true);
});
afterAll(async () => {
  setTracingEnabled(false);
  await provider.shutdown();
});
beforeEach(() => exporter.reset());

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((span) => span.name === name);
const childrenOf = (parent: ReadableSpan) => spans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
/** Everything the spans carry (names, attributes, events, status), as one text to search. */
const exportedText = () =>
  JSON.stringify(spans().map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })));

describe("traces of the session code", () => {
  it("a sign-in and a session check: outcome and public ids, statements under them, no secret anywhere", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const refused = await signInWithKey(db, config, { username: "alice", key: "wrong-key-123", rememberMe: false }, request);
    expect(refused).toMatchObject({ ok: false });
    // A refusal is an outcome, not a failure of the system.
    expect(named("auth.sign_in")[0].attributes).toMatchObject({ "auth.method": "static", "auth.result": "invalid_credentials" });
    expect(named("auth.sign_in")[0].status.code).toBe(SpanStatusCode.UNSET);

    exporter.reset();
    const alice = await signIn(db, config, "alice", USER_KEY);
    const [signInSpan] = named("auth.sign_in");
    expect(signInSpan.attributes).toEqual({ "auth.method": "static", "auth.result": "ok", "session.id": alice.session.id, "user.id": alice.user.id });
    // Prisma's statements (the session's INSERT among them) are descendants of the sign-in.
    const statements = named("prisma:client:db_query").filter((span) => span.spanContext().traceId === signInSpan.spanContext().traceId);
    expect(statements.map((span) => String(span.attributes["db.query.text"])).join("\n")).toMatch(/INSERT INTO .*Session/);

    const check = await validateSessionCookie(db, config, alice.cookie, request);
    expect(check.status).toBe("active");
    const [checkSpan] = named("session.check");
    expect(checkSpan.attributes).toMatchObject({ "session.check.result": "active", "session.id": alice.session.id, "user.id": alice.user.id });
    expect(childrenOf(checkSpan).map((span) => span.name)).toContain("db findSessionByTokenHash");

    await validateSessionCookie(db, config, "garbage", request);
    expect(named("session.check")[1].attributes).toEqual({ "session.check.result": "none" });

    const text = exportedText();
    const token = alice.cookie.split(".")[0];
    for (const secret of [alice.cookie, token, createHash("sha256").update(token).digest("hex"), USER_KEY, ADMIN_KEY, SECRET_A, "wrong-key-123"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("revocations and cleanup: one span each with the count, a child span per batch", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const now = new Date();
    const phone = await signIn(db, config, "bob", USER_KEY, false, request, now);
    await signIn(db, config, "bob", USER_KEY, false, request, now);
    await signIn(db, config, "bob", USER_KEY, false, request, now);
    exporter.reset();

    expect(await revokeOtherOwnSessions(db, { user: phone.user, session: phone.session }, request)).toBe(2);
    expect(named("session.revoke")[0].attributes).toEqual({
      "session.end_cause": "revoked_all",
      "session.revoke.actor": "user",
      "session.revoke.actor_session_id": phone.session.id,
      "session.revoked_count": 2,
    });

    for (const name of ["carol", "dave", "erin"]) await signIn(db, config, name, USER_KEY, false, request, now);
    exporter.reset();
    const admin = { actor: { username: "root", sessionId: null }, cause: "revoked_all" as const, reason: "incident" };
    expect(await revokeEveryActiveSession(db, admin, null, request, now, { batchSize: 2 })).toBe(4);
    const [everyone] = named("session.revoke_all");
    expect(everyone.attributes).toMatchObject({ "session.end_cause": "revoked_all", "session.revoke.actor": "user", "session.revoked_count": 4 });
    const batches = childrenOf(everyone).filter((span) => span.name === "db revokeActiveSessionsBatch");
    expect(batches.map((span) => span.attributes["db.response.affected_rows"])).toEqual([2, 2, 0]);

    exporter.reset();
    // Every session is past its idle expiry a year on.
    const result = await cleanupSessions(db, config, { now: later(now, days(365)), batchSize: 2 });
    expect(result.expiredSessions).toBe(6);
    const [cleanup] = named("session.cleanup");
    expect(cleanup.attributes).toMatchObject({ "session.cleanup.expired_sessions": 6 });
    expect(cleanup.parentSpanContext).toBeUndefined();
    // All six had ended (revoked) already: nothing to mark, and a year is past the history kept.
    const markings = childrenOf(cleanup).filter((span) => span.name === "db endExpiredSessions");
    expect(markings.map((span) => span.attributes["db.response.affected_rows"])).toEqual([0]);
    const deletions = childrenOf(cleanup).filter((span) => span.name === "db deleteEndedSessions");
    expect(deletions.map((span) => span.attributes["db.response.affected_rows"])).toEqual([2, 2, 2, 0]);
  });

  it("a failure: status error and the exception's type or catalog code, never its message", async () => {
    await expect(
      withSpan("work", async () => {
        throw new Error("could not use key e2e-shared-user-key");
      }),
    ).rejects.toThrow();
    await expect(
      withSpan("work", async () => {
        throw fail("session_not_found");
      }),
    ).rejects.toThrow();
    const [plain, domain] = named("work");
    expect(plain.status).toEqual({ code: SpanStatusCode.ERROR, message: "Error" });
    expect(domain.status).toEqual({ code: SpanStatusCode.ERROR, message: "session_not_found" });
    expect(plain.events.map((event) => event.attributes)).toEqual([{ "exception.type": "Error", "exception.message": "Error" }]);
    expect(exportedText()).not.toContain("e2e-shared-user-key");
  });

  it("with tracing off, no span is made even with a provider registered", async () => {
    setTracingEnabled(false);
    try {
      const { db } = await tempDatabase();
      const config = testConfig();
      const alice = await signIn(db, config, "alice", USER_KEY);
      let given: unknown = "unset";
      await withSpan("work", async (span) => {
        given = span;
      });
      expect(given).toBeUndefined();
      await validateSessionCookie(db, config, alice.cookie, request);
      // Only Prisma's own spans (its instrumentation is registered here) remain.
      expect(spans().filter((span) => !span.name.startsWith("prisma:"))).toEqual([]);
    } finally {
      setTracingEnabled(true);
    }
  });
});
