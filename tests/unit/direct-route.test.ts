import type { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { serveDirectly, type DirectRoute } from "@/lib/http/direct-route";

const table = () => (globalThis as Record<symbol, unknown>)[Symbol.for("sessionboard.direct-routes")] as Map<string, DirectRoute> | undefined;

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("sessionboard.direct-routes")];
});

describe("routes answered without Next's router (server.mjs)", () => {
  it("are registered by exact path, where server.mjs looks them up", () => {
    const answer = async () => Response.json({ ok: true });
    serveDirectly({ "/api/auth/session": answer }, "http://localhost:3000");
    expect([...table()!.keys()]).toEqual(["/api/auth/session"]);
    expect(table()!.get("/api/auth/session/")).toBeUndefined();
  });

  it("hand the route handler the request as Next would: GET, the public origin, every header, the cookies", async () => {
    let seen: NextRequest | undefined;
    serveDirectly(
      {
        "/api/auth/session": async (request) => {
          seen = request;
          return new Response("{}", { status: 401, headers: { "Set-Cookie": "a=1" } });
        },
      },
      "https://sessions.example.com",
    );
    const response = await table()!.get("/api/auth/session")!({
      url: "/api/auth/session?probe=1",
      headers: { cookie: "session_token=abc.def; other=x", "user-agent": "Tester/1", "x-sessionboard-peer": "10.0.0.5", "x-list": ["a/b", "c/d"], absent: undefined },
    });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual(["a=1"]);
    expect(seen!.method).toBe("GET");
    expect(seen!.url).toBe("https://sessions.example.com/api/auth/session?probe=1");
    expect(seen!.nextUrl.searchParams.get("probe")).toBe("1");
    expect(seen!.cookies.get("session_token")?.value).toBe("abc.def");
    expect(seen!.headers.get("user-agent")).toBe("Tester/1");
    expect(seen!.headers.get("x-sessionboard-peer")).toBe("10.0.0.5");
    expect(seen!.headers.get("x-list")).toBe("a/b, c/d");
    expect(seen!.headers.has("absent")).toBe(false);
  });
});
