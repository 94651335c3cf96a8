import http from "node:http";
import { expect, test } from "@playwright/test";
import { BASE_URL } from "./env";

/** The default of DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS. */
const KEEP_ALIVE_SECONDS = 125;

/** GET `path` through `agent`: the answer's status and Keep-Alive header, and whether it came on a connection used before. */
function get(agent: http.Agent, path: string): Promise<{ status: number; keepAlive: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const request = http.get(new URL(path, BASE_URL), { agent }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0, keepAlive: String(response.headers["keep-alive"]), reused: request.reusedSocket }));
    });
    request.on("error", reject);
  });
}

test("a kept-alive connection outlives the usual load balancers' idle timeouts, and says how long it stays open", async () => {
  // As a load balancer pools its connections to the app: one at a time, reused after a pause. Node
  // closes an idle connection after 5 s by default; a balancer that sends on it at that moment gets
  // a reset and answers 502. Here the second request comes 6.5 s after the first answer.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await get(agent, "/api/health/live");
    expect(first).toEqual({ status: 200, keepAlive: `timeout=${KEEP_ALIVE_SECONDS}`, reused: false });
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    expect(await get(agent, "/login")).toEqual({ status: 200, keepAlive: `timeout=${KEEP_ALIVE_SECONDS}`, reused: true });
  } finally {
    agent.destroy();
  }
});
