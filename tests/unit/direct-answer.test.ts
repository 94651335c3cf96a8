import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { answerDirectly } from "@/server/direct-answer.mjs";

type Route = Parameters<typeof answerDirectly>[2];

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A server that answers every request as server.mjs answers a direct route, and what a client gets from it. */
async function answerFrom(route: Route) {
  const failures: unknown[] = [];
  const server = createServer((req, res) => {
    res.setHeader("X-Request-Id", "the-request-id");
    void answerDirectly(req, res, route, (error) => {
      failures.push(error);
      return { status: 500, headers: { "Content-Type": "application/json" }, body: '{"error":{"code":"internal_error","message":"Something went wrong"}}' };
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  const { port } = server.address() as AddressInfo;
  const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = httpRequest({ port, path: "/api/auth/session?x=1", headers: { cookie: "a=1" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
  return { ...answer, failures };
}

describe("a route's answer sent without Next's router (server.mjs)", () => {
  it("goes as Next sends it: every cookie, not Next's own copy of them, the id kept, whole with its length", async () => {
    let seen: { url: string; headers: IncomingHttpHeaders } | undefined;
    const headers = new Headers({ "Content-Type": "application/json", "X-Request-Id": "the-route-s-own", "X-Middleware-Set-Cookie": "s=; Max-Age=0", "Content-Length": "3" });
    headers.append("Set-Cookie", "s=; Path=/; Max-Age=0");
    headers.append("Set-Cookie", "t=1; Path=/");
    const answer = await answerFrom(async (request) => {
      seen = request;
      return new Response('{"error":"x"}', { status: 401, headers });
    });
    expect(seen).toMatchObject({ url: "/api/auth/session?x=1", headers: { cookie: "a=1" } });
    expect(answer.status).toBe(401);
    expect(answer.body).toBe('{"error":"x"}');
    expect(answer.headers["content-length"]).toBe("13");
    expect(answer.headers["transfer-encoding"]).toBeUndefined();
    expect(answer.headers["set-cookie"]).toEqual(["s=; Path=/; Max-Age=0", "t=1; Path=/"]);
    expect(answer.headers["x-middleware-set-cookie"]).toBeUndefined();
    expect(answer.headers["x-request-id"]).toBe("the-request-id");
    expect(answer.failures).toEqual([]);
  });

  it("answers a failure to hand the answer over, without the failed answer's headers: never an unanswered request", async () => {
    // A value fetch's Headers accept and Node refuses to send.
    const refused = await answerFrom(async () => new Response("{}", { headers: { "Set-Cookie": "a=1", "X-Odd": "a\u0001b" } }));
    expect(refused.status).toBe(500);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "internal_error" } });
    expect(refused.headers["set-cookie"]).toBeUndefined();
    expect(refused.headers["x-request-id"]).toBe("the-request-id");
    expect(refused.failures).toHaveLength(1);

    const thrown = await answerFrom(async () => {
      throw new TypeError("the request could not be built");
    });
    expect(thrown.status).toBe(500);
    expect(thrown.failures).toEqual([new TypeError("the request could not be built")]);
  });
});
