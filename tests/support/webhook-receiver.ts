import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export type ReceivedEvent = { id: string; type: string; timestamp: string; data: Record<string, unknown> };

/**
 * A real webhook receiver that checks every request with the standardwebhooks package (an
 * independent implementation of the specification): a bad or missing signature gets 401 and is
 * counted in `rejected`; a good one is recorded and answered with `answer` (default 204), with
 * `errorBody` when that is an error.
 */
export async function startWebhookReceiver(secret: string, port = 0) {
  const verifier = new Webhook(secret);
  const events: ReceivedEvent[] = [];
  const state = { answer: 204, rejected: 0, errorBody: "receiver says no" };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
        const payload = verifier.verify(body, headers) as { type: string; timestamp: string; data: Record<string, unknown> };
        if (state.answer >= 200 && state.answer < 300) events.push({ id: headers["webhook-id"], ...payload });
        response.writeHead(state.answer).end(state.answer >= 300 ? state.errorBody : undefined);
      } catch {
        state.rejected++;
        response.writeHead(401).end("bad signature");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/hooks`,
    port: address.port,
    events,
    state,
    async waitFor(count: number, timeoutMs = 30_000): Promise<ReceivedEvent[]> {
      const until = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} webhook events, got ${events.length}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return events;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A valid Standard Webhooks secret for tests. */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from("sessionboard-webhook-test-secret-32b").toString("base64")}`;
