import { afterEach, describe, expect, it } from "vitest";
import { parseLogLevel, parseTrustProxy } from "@/server/env-rules.mjs";
import { createLogger, redact, routeConsoleTo } from "@/server/log.mjs";
import { requestScope } from "@/server/request-scope.mjs";

/** A logger whose lines land in `lines`, parsed. */
function capture(level: "info" | "debug" | "warn" = "info") {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = createLogger({
    level,
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines, raw };
}

describe("log lines", () => {
  it("are one JSON object per line with level, time and msg", () => {
    const { logger, lines, raw } = capture();
    logger.info({ sessionId: "pub-1" }, "something happened");
    expect(raw).toHaveLength(1);
    expect(raw[0].trimEnd()).not.toContain("\n");
    expect(lines[0]).toMatchObject({ level: "info", msg: "something happened", sessionId: "pub-1" });
    expect(new Date(lines[0].time as string).toISOString()).toBe(lines[0].time);
  });

  it("carry the moment they were written, to the millisecond, also across a second's boundary", async () => {
    const { logger, lines } = capture();
    // Start a few milliseconds before the next full second: the time's formatting is kept per second.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) - 8 + 1000 * Number(Date.now() % 1000 > 992)));
    const bounds: [number, number][] = [];
    for (let i = 0; i < 8; i++) {
      const before = Date.now();
      logger.info("tick");
      bounds.push([before, Date.now()]);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    expect(new Set(lines.map((line) => (line.time as string).slice(0, 19))).size).toBeGreaterThan(1);
    lines.forEach((line, i) => {
      const time = line.time as string;
      expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(new Date(time).getTime()).toBeGreaterThanOrEqual(bounds[i][0]);
      expect(new Date(time).getTime()).toBeLessThanOrEqual(bounds[i][1]);
    });
  });

  it("hide credentials passed by mistake: header bags and fields named token, key, secret", () => {
    const { logger, raw, lines } = capture();
    logger.info(
      {
        token: "tok-1",
        key: "key-1",
        secret: "sec-1",
        user: { key: "key-2", password: "pw-1" },
        headers: { cookie: "session_token=ck-1", authorization: "Bearer au-1", "set-cookie": "session_token=ck-2", host: "example.com" },
        request: { headers: { Cookie: "ck-3" }, tokenHash: "hash-1" },
      },
      "oops",
    );
    for (const value of ["tok-1", "key-1", "sec-1", "key-2", "pw-1", "ck-1", "au-1", "ck-2", "ck-3", "hash-1"]) expect(raw[0]).not.toContain(value);
    expect(lines[0]).toMatchObject({
      token: "[redacted]",
      headers: { cookie: "[redacted]", "set-cookie": "[redacted]", host: "example.com" },
      request: { headers: { Cookie: "[redacted]" }, tokenHash: "[redacted]" },
    });
  });

  it("leave what they were given untouched, and a line without credentials as it is", () => {
    const { logger, lines } = capture();
    const fields = { requestId: "r-1", headers: { cookie: "ck-4", host: "example.com" } };
    logger.info(fields, "first");
    expect(fields.headers.cookie).toBe("ck-4");
    const plain = { requestId: "r-2", status: 200 };
    expect(redact(plain)).toBe(plain);
    expect(lines[0]).toMatchObject({ requestId: "r-1", headers: { cookie: "[redacted]" } });
  });

  it("carry an error's stack at error level", () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error("disk on fire") }, "Unexpected error while answering a request");
    expect(lines[0]).toMatchObject({ level: "error", err: { type: "Error", message: "disk on fire" } });
    expect((lines[0].err as { stack: string }).stack).toMatch(/Error: disk on fire\n\s+at /);
  });

  it("carry the request id of the request being handled, and none outside one", async () => {
    const { logger, lines } = capture();
    await requestScope().run({ requestId: "req-7", sessionId: null, status: null }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info("inside");
    });
    logger.info("outside");
    expect(lines[0]).toMatchObject({ msg: "inside", requestId: "req-7" });
    expect(lines[1]).not.toHaveProperty("requestId");
  });

  it("leave out what is below the level", () => {
    const { logger, lines } = capture("warn");
    logger.info("chatter");
    logger.warn("worth knowing");
    expect(lines.map((line) => line.msg)).toEqual(["worth knowing"]);
  });

  describe("console output routed to the logger", () => {
    const original = { ...console };
    afterEach(() => Object.assign(console, original));

    it("becomes JSON lines, an Error with its stack", () => {
      const { logger, lines } = capture("debug");
      routeConsoleTo(logger);
      console.log("ready on %d", 3000);
      console.warn("\u001b[33mcareful\u001b[39m");
      console.error("failed:", new Error("boom"));
      expect(lines).toMatchObject([
        { level: "info", msg: "ready on 3000" },
        { level: "warn", msg: "careful" },
        { level: "error", msg: "failed:", err: { message: "boom" } },
      ]);
    });
  });
});

describe("the variables server.mjs reads itself", () => {
  it.each([[undefined, "info"], ["", "info"], ["debug", "debug"], [" WARN ", "warn"], ["silent", "silent"], ["loud", null], ["30", null]])(
    "DASHBOARD_LOG_LEVEL=%j is %j",
    (raw, level) => expect(parseLogLevel(raw)).toBe(level),
  );

  it.each([[undefined, 0], ["false", 0], ["true", 1], ["yes", 1], ["2", 2], ["0", 0], ["maybe", null], ["-1", null]])(
    "DASHBOARD_TRUST_PROXY=%j is %j hops",
    (raw, hops) => expect(parseTrustProxy(raw)).toBe(hops),
  );
});
