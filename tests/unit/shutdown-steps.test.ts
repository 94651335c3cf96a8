import { describe, expect, it } from "vitest";
import { createLogger } from "@/server/log.mjs";
import { runShutdownSteps } from "@/server/shutdown-steps.mjs";

/** A logger whose lines land in `lines`, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}

describe("the shutdown steps (runShutdownSteps, as server.mjs runs the app's onShutdown hooks)", () => {
  it("run in order, a failing one logged and the next still run, and report that they finished", async () => {
    const { logger, lines } = capture();
    const ran: string[] = [];
    const finished = await runShutdownSteps(
      [
        { name: "timers", run: () => void ran.push("timers") },
        { name: "pools", run: () => Promise.reject(new Error("pool already closed")) },
        { name: "traces", run: async () => void ran.push("traces") },
      ],
      logger,
      1_000,
    );
    expect(finished).toBe(true);
    expect(ran).toEqual(["timers", "traces"]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "error", step: "pools", msg: expect.stringContaining("pools") });
  });

  it("stop waiting for one that hangs at the deadline, and log which one is still running and which never ran", async () => {
    const { logger, lines } = capture();
    const ran: string[] = [];
    const started = Date.now();
    const finished = await runShutdownSteps(
      [
        { name: "timers", run: () => void ran.push("timers") },
        // A pool whose end() waits on a client stuck in a query: never settles.
        { name: "database pools", run: () => new Promise<void>(() => {}) },
        { name: "traces", run: () => void ran.push("traces") },
      ],
      logger,
      200,
    );
    expect(finished).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(ran).toEqual(["timers"]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "error", running: "database pools", notRun: ["traces"] });
    expect(lines[0].msg).toMatch(/did not finish within 0\.2 s.*database pools/);
  });

  it("leave the steps logged as not run alone when the late one settles after the deadline", async () => {
    const { logger } = capture();
    const ran: string[] = [];
    let settle = () => {};
    const finished = await runShutdownSteps(
      [
        { name: "database pools", run: () => new Promise<void>((resolve) => (settle = resolve)) },
        { name: "traces", run: () => void ran.push("traces") },
      ],
      logger,
      100,
    );
    expect(finished).toBe(false);
    settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ran).toEqual([]);
  });
});
