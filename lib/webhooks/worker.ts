import type { Config } from "../config";
import type { Database } from "../db";
import { logger } from "../log";
import { generateId } from "../sessions/token";
import { deliverDueWebhooks } from "./delivery";

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
      const db = await getDb();
      for (let rounds = 0; rounds < MAX_ROUNDS && !stop.signal.aborted; rounds++) {
        const round = await deliverDueWebhooks(db, targets, { owner, signal: stop.signal });
        if (round.failed > 0) logger().warn({ failed: round.failed }, `Gave up on ${round.failed} webhook deliveries after 24 h of retries`);
        if (round.claimed === 0 && !round.receiverBack) break;
      }
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

/** Stops the worker (shutdown): attempts in flight are abandoned and their rows left for the next start. */
export async function stopWebhookWorker(): Promise<void> {
  const state = holder.sessionboardWebhooks;
  if (!state) return;
  holder.sessionboardWebhooks = undefined;
  clearInterval(state.timer);
  state.stop.abort();
  await state.running;
}
