import { createHash } from "node:crypto";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./api-contract";
import { OIDC_ISSUER, serverEnv, TRACES_APP_PORT, USER_KEY } from "./env";
import { loginAtTestIdp, startApp, uniqueUser } from "./helpers";

/** A span as OTLP/JSON carries it, with its attributes flattened. */
type ReceivedSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, unknown>;
};
type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpSpan = Omit<ReceivedSpan, "attributes" | "scope"> & { attributes?: { key: string; value: OtlpValue }[] };
type OtlpBody = { resourceSpans: { scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[] };

const SERVER_KIND = 2;

/** A small OTLP/HTTP collector (JSON protocol): keeps every body as sent, and the spans in them. */
async function startReceiver() {
  const bodies: string[] = [];
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces" || !req.headers["content-type"]?.startsWith("application/json")) {
        res.writeHead(404).end();
        return;
      }
      bodies.push(body);
      for (const resource of (JSON.parse(body) as OtlpBody).resourceSpans) {
        for (const scope of resource.scopeSpans) {
          for (const span of scope.spans) {
            const attributes = Object.fromEntries((span.attributes ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
            spans.push({ ...span, scope: scope.scope.name, attributes });
          }
        }
      }
      res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    spans,
    /** The first span `match` accepts, once it has arrived. */
    async span(match: (span: ReceivedSpan) => boolean): Promise<ReceivedSpan> {
      await expect.poll(() => spans.some(match), { timeout: 15_000 }).toBe(true);
      return spans.find(match)!;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The span's ancestors, nearest first, up to its trace's root. */
function ancestors(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let current = span; current.parentSpanId; ) {
    const parent = spans.find((s) => s.spanId === current.parentSpanId && s.traceId === current.traceId);
    if (!parent) throw new Error(`span ${current.name}: parent ${current.parentSpanId} never arrived`);
    chain.push(parent);
    current = parent;
  }
  return chain;
}

/** The root of the span's trace: the request span Next.js opens (kind SERVER), once it has arrived. */
async function requestSpanOf(receiver: Awaited<ReturnType<typeof startReceiver>>, span: ReceivedSpan, name: string) {
  // The request span ends (and is exported) after the answer is written: wait for it.
  await receiver.span((s) => s.traceId === span.traceId && !s.parentSpanId);
  const chain = ancestors(receiver.spans, span);
  const root = chain.at(-1)!;
  expect(root.name).toBe(name);
  expect(root.kind).toBe(SERVER_KIND);
  return { root, chain };
}

test.describe("traces", () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let app: Awaited<ReturnType<typeof startApp>>;

  test.beforeAll(async () => {
    receiver = await startReceiver();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-e2e-"));
    app = await startApp(TRACES_APP_PORT, dir, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "200",
    });
  });

  test.afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  test("a key sign-in and a signed-in request export their spans as trees, without a secret in them", async ({ playwright }) => {
    const api = await playwright.request.newContext({ baseURL: app.baseURL });
    const username = uniqueUser("traced");
    const login = await api.post("/api/auth/login", { data: { username, key: USER_KEY, rememberMe: false } });
    expect(login.status()).toBe(200);
    const { session, user } = (await login.json()) as { session: { id: string }; user: { id: string } };
    const cookie = (await api.storageState()).cookies.find((c) => c.name === "session_token")!.value;
    const token = cookie.split(".")[0];
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    // A client's own trace context is ignored by default (OTEL_PROPAGATORS=none).
    const clientTraceId = "0af7651916cd43dd8448eb211c80319c";
    const traceparent = `00-${clientTraceId}-b7ad6b7169203331-01`;
    expect((await api.get("/api/auth/session", { headers: { traceparent } })).status()).toBe(200);

    // Sign-in: POST request span → … → auth.sign_in → Prisma's statements, the session's INSERT among them.
    const signIn = await receiver.span((s) => s.name === "auth.sign_in" && s.attributes["session.id"] === session.id);
    expect(signIn.attributes).toMatchObject({ "auth.method": "static", "auth.result": "ok", "user.id": user.id });
    await requestSpanOf(receiver, signIn, "POST /api/auth/login");
    const insert = await receiver.span(
      (s) => s.traceId === signIn.traceId && s.name === "prisma:client:db_query" && /INSERT INTO `main`\.`Session`/.test(String(s.attributes["db.query.text"])),
    );
    expect(ancestors(receiver.spans, insert)).toContainEqual(signIn);

    // The signed-in request: its own trace; the session check under its request span, the lookup under the check.
    const check = await receiver.span((s) => s.name === "session.check" && s.attributes["session.id"] === session.id);
    expect(check.traceId).not.toBe(signIn.traceId);
    expect(check.traceId).not.toBe(clientTraceId);
    expect(check.attributes).toMatchObject({ "session.check.result": "active", "session.auth_method": "static", "user.id": user.id });
    await requestSpanOf(receiver, check, "GET /api/auth/session");
    const lookup = await receiver.span((s) => s.name === "db findSessionByTokenHash" && s.parentSpanId === check.spanId);
    expect(lookup.traceId).toBe(check.traceId);
    expect(lookup.attributes).toMatchObject({ "db.system.name": "sqlite", "db.response.returned_rows": 1 });

    // Nothing exported carries the cookie, the token, its stored hash, the key or the secrets.
    const exported = receiver.bodies.join("\n");
    const hash = createHash("sha256").update(token).digest("hex");
    for (const secret of [cookie, token, hash, USER_KEY, serverEnv.DASHBOARD_ADMIN_KEY, serverEnv.DASHBOARD_SECRET, serverEnv.DASHBOARD_OIDC_CLIENT_SECRET]) {
      expect(exported).not.toContain(secret);
    }
    await api.dispose();
  });

  test("an SSO sign-in traces the identity provider's calls under the sign-in", async ({ browser }) => {
    const context = await browser.newContext({ baseURL: app.baseURL });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByRole("form", { name: "Single sign-on" }).getByRole("button", { name: "Sign in with SSO" }).click();
    await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
    await loginAtTestIdp(page, uniqueUser("traced-sso"));
    await expect(page).toHaveURL(`${app.baseURL}/`);

    const signIn = await receiver.span((s) => s.name === "auth.sign_in" && s.attributes["auth.method"] === "oidc");
    expect(signIn.attributes["auth.result"]).toBe("ok");
    await requestSpanOf(receiver, signIn, "GET /api/auth/oidc/callback");
    // The request to the token endpoint, inside the exchange.
    const exchange = await receiver.span((s) => s.name === "idp.token_exchange" && s.parentSpanId === signIn.spanId);
    const token = await receiver.span((s) => s.name === "idp.request" && s.parentSpanId === exchange.spanId);
    expect(token.attributes).toMatchObject({ "http.request.method": "POST", "url.path": "/token", "http.response.status_code": 200 });
    // Discovery ran once, when the first SSO sign-in began.
    const discovery = await receiver.span((s) => s.name === "idp.discovery");
    const start = ancestors(receiver.spans, discovery)[0];
    expect(start.name).toBe("auth.sso.start");
    await receiver.span((s) => s.name === "idp.request" && s.parentSpanId === discovery.spanId && s.attributes["url.path"] === "/.well-known/openid-configuration");

    // The callback's query (authorization code, state) stays out of the request span.
    const callbackTarget = ancestors(receiver.spans, signIn).at(-1)!.attributes["http.target"];
    expect(callbackTarget).toBe("/api/auth/oidc/callback");
    const exported = receiver.bodies.join("\n");
    expect(exported).not.toContain(serverEnv.DASHBOARD_OIDC_CLIENT_SECRET);
    expect(exported).not.toMatch(/[?&]code=/);
    await context.close();
  });
});
