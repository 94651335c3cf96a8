import type { Config } from "../config";
import type { Database } from "../db";
import { logger } from "../log";
import { generateId } from "../sessions/token";
import { deliverDueWebhooks, type DeliveryOptions, type WebhookTargets } from "./delivery";

/** How often each process looks for due deliveries (one indexed query when there are none). */
const POLL_MS = 2_000;
/** Rounds in a row while a backlog drains, before yielding to the next tick. */
const MAX_ROUNDS = 100;

type WorkerState = { timer: NodeJS.Timeout; stop: AbortController; running: Promise<void> | null };
const holder = globalThis as unknown as { sessionboardWebhooks?: WorkerState };

/**
 * The in-process webhook worker (when DASHBOARD_WEBHOOK_URL is set): every POLL_MS, delivers what is
 * due, round after round while a backlog drains. Every replica runs one; the claim shares the work.
 */
export function startWebhookWorker(config: Config, getDb: () => Promise<Database>): void {
  const targets = config.webhooks;
  if (!targets || holder.sessionboardWebhooks) return;
  const owner = generateId();
  const stop = new AbortController();
  const drain = async () => {
    try {
      await drainDueWebhooks(await getDb(), targets, { owner, signal: stop.signal });
    } catch (error) {
      logger().error({ err: error }, "Webhook delivery failed; it will run again shortly");
    }
  };
  const state: WorkerState = {
    stop,
    running: null,
    timer: setInterval(() => {
      if (state.running) return;
      state.running = drain().finally(() => {
        state.running = null;
      });
    }, POLL_MS),
  };
  state.timer.unref();
  holder.sessionboardWebhooks = state;
}

/**
 * One tick of the worker: rounds while they attempt something (a backlog drains at once), at most
 * MAX_ROUNDS; returns how many ran. A URL whose receiver failed an attempt is left for the next
 * tick, so a receiver that is down gets one attempt a tick while the others drain. A round that
 * attempted nothing ends the tick: what is left waits for a retry, an older event of its session,
 * or another worker.
 */
export async function drainDueWebhooks(db: Database, targets: WebhookTargets, options: Omit<DeliveryOptions, "skipUrls"> = {}): Promise<number> {
  const failing = new Set<string>();
  let rounds = 0;
  while (rounds < MAX_ROUNDS && !options.signal?.aborted) {
    rounds++;
    const round = await deliverDueWebhooks(db, targets, { ...options, skipUrls: failing });
    if (round.failed > 0) logger().warn({ failed: round.failed }, `Gave up on ${round.failed} webhook deliveries after 24 h of retries`);
    for (const url of round.failing) failing.add(url);
    if (round.delivered + round.retrying + round.failed === 0) break;
  }
  return rounds;
}

/** Stops the worker (shutdown): attempts in flight are abandoned and their rows left for the next start. */
export async function stopWebhookWorker(): Promise<void> {
  const state = holder.sessionboardWebhooks;
  if (!state) return;
  holder.sessionboardWebhooks = undefined;
  clearInterval(state.timer);
  state.stop.abort();
  await state.running;
}
