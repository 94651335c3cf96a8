/**
 * The process's life as the entry point (server.mjs) and the app share it. Next bundles the app
 * apart from server.mjs, so the state lives on globalThis under a registered symbol, whose name
 * server.mjs repeats: it flips `shuttingDown` on SIGTERM/SIGINT, waits up to `timeoutMs` for
 * requests in flight, then runs the hooks the app registered (stop timers, close pools), for at most
 * 10 s together (server/shutdown-steps.mjs), and exits 1 naming the one still running if they did not finish.
 */
import type { ShutdownStep } from "../server/shutdown-steps.mjs";

export type Lifecycle = {
  shuttingDown: boolean;
  timeoutMs: number;
  /** How long server.mjs keeps an idle connection open (DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS), once start-up set it. */
  keepAliveTimeoutMs?: number;
  hooks: ShutdownStep[];
  /** Set by server.mjs, which listens once the app's start-up (configuration, database) is done. */
  started?: () => void;
};

const KEY = Symbol.for("sessionboard.lifecycle");
const holder = globalThis as typeof globalThis & { [KEY]?: Lifecycle };

export function lifecycle(): Lifecycle {
  holder[KEY] ??= { shuttingDown: false, timeoutMs: 20_000, hooks: [] };
  return holder[KEY];
}

/** True once a shutdown has begun: readiness answers 503 so load balancers stop sending work. */
export const isShuttingDown = () => lifecycle().shuttingDown;

/**
 * Runs `hook` at shutdown, after the last request in flight has been answered. `name` is what the log
 * says of it if it fails or is still running at the deadline.
 */
export function onShutdown(hook: () => Promise<void> | void, name?: string): void {
  const hooks = lifecycle().hooks;
  hooks.push({ name: name ?? (hook.name || `shutdown step ${hooks.length + 1}`), run: hook });
}

/** The app's start-up is done (or stopped the process): server.mjs may listen. */
export const startupFinished = (): void => lifecycle().started?.();
