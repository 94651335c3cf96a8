import { ConfigError, getConfig, type Config, type TracingConfig } from "./config";
import { closeDatabase, getDatabase } from "./db";
import { isDatabaseUnavailable } from "./db/availability";
import { lifecycle, onShutdown, startupFinished } from "./lifecycle";
import { countedSessionsPerMethod } from "./admin/active-counts";
import { serveMetricsOn, watchDatabase } from "./metrics/metrics";
import { logger } from "./log";
import { startCleanupTimer, stopCleanupTimer } from "./sessions/cleanup";
import { webhookBacklog } from "./webhooks/delivery";
import { startWebhookWorker, stopWebhookWorker } from "./webhooks/worker";

export type StartOptions = {
  /**
   * Loads and starts the OpenTelemetry SDK; called only when traces are configured. Returns what
   * sends the spans still queued, run last at shutdown.
   */
  startTracing?: (tracing: TracingConfig) => Promise<() => Promise<void>>;
  /**
   * Registers the GET routes server.mjs answers without Next's router (lib/http/direct-route.ts),
   * given the public origin; called before server.mjs listens, and not with traces on: then Next's
   * request span is the root of every request's trace.
   */
  serveDirectly?: (origin: string) => Promise<void>;
};

/** Stops the process: a start-up step failed (server.mjs is still waiting to listen). */
function fail(error: unknown): never {
  // A configuration problem is the operator's to fix (its message names the variables); anything
  // else is logged with its stack.
  if (error instanceof ConfigError) logger().fatal(`Sessionboard cannot start. ${error.message}`);
  else logger().fatal({ err: error }, `Sessionboard cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

export async function startServer(options: StartOptions = {}): Promise<void> {
  // `next build` loads the server code too; generating keys or databases then would be wrong.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  // Any step that fails stops start-up, saying why: never a server left waiting to listen.
  await start(options).catch(fail);
}

async function start(options: StartOptions): Promise<void> {
  const config = getConfig();
  // Before the database opens, so its statements are traced from the first request on.
  const flushTraces = config.tracing && options.startTracing ? await options.startTracing(config.tracing) : null;
  try {
    await getDatabase();
  } catch (error) {
    // PostgreSQL not up yet is an outage, not a broken setup: answer 503 until it is (the first
    // request or health check after that opens and migrates it). A failed migration still stops.
    if (config.backend !== "postgres" || !isDatabaseUnavailable(error)) throw error;
    logger().error("PostgreSQL is not reachable yet; answering 503 until it is");
  }
  startCleanupTimer(config, getDatabase);
  startWebhookWorker(config, getDatabase);
  watchDatabase({
    activeSessions: async () => countedSessionsPerMethod(await getDatabase(), config),
    ping: async () => (await getDatabase()).ping(),
    ...(config.webhooks ? { webhookBacklog: async () => webhookBacklog(await getDatabase()) } : {}),
  });
  if (config.metrics.port !== null && !serveMetricsOn(config.metrics.port)) {
    logger().warn("DASHBOARD_METRICS_PORT is served by `npm start` (server.mjs) only; no metrics listener was opened");
  }
  if (!flushTraces && options.serveDirectly) await options.serveDirectly(config.publicUrl.origin);
  lifecycle().timeoutMs = config.shutdownTimeoutSeconds * 1000;
  lifecycle().keepAliveTimeoutMs = config.keepAliveTimeoutSeconds * 1000;
  onShutdown(async () => {
    stopCleanupTimer();
    // Before the pools close: a delivery in flight is abandoned, its row sent again after the restart.
    await stopWebhookWorker();
    // Only a database that opened has pools to close; opening one now would be wasted.
    await closeDatabase();
  }, "cleanup timer, webhook worker and database pools");
  // Last, so the spans of everything before are sent; a collector that hangs delays nothing else.
  if (flushTraces) onShutdown(flushTraces, "trace export");
  logger().info({ storage: storageLabel(config), publicUrl: config.publicUrl.origin }, `Sessions stored ${storageLabel(config)}; public URL ${config.publicUrl.origin}`);
  if (config.metrics.token) logger().info("Metrics at /api/metrics (bearer token)");
  if (config.generated) logger().warn({ file: config.generated.file }, signInHint(config));
  startupFinished();
}

function storageLabel(config: Config): string {
  if (config.backend === "memory") return "in memory (nothing is kept)";
  if (!config.postgres) return config.sqlitePath;
  const url = new URL(config.postgres.url);
  // Never log the password.
  return `in PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname} (pool of ${config.postgres.poolSize})`;
}

/**
 * Logged at every start on generated keys: where they are and how to sign in. The keys themselves
 * never go into the log (log lines travel to collectors); the file is readable by the server's user only.
 */
export function signInHint(config: Config): string {
  const admin = [...config.admins][0];
  const file = config.generated?.file;
  const generated = config.generated?.variables ?? [];
  const one = generated.length === 1;
  // Each key as it was given: from the file only when the environment had none.
  const key = generated.includes("DASHBOARD_KEY") ? 'the "key" from that file' : "DASHBOARD_KEY";
  const adminKey = generated.includes("DASHBOARD_ADMIN_KEY") ? 'its "adminKey"' : "DASHBOARD_ADMIN_KEY";
  return [
    config.generated?.createdNow
      ? `${generated.join(" / ")} ${one ? "was" : "were"} not set, so Sessionboard generated ${one ? "it" : "them"} into ${file} (mode 0600); ${one ? "it is" : "they are"} reused on every start.`
      : `Using the generated ${generated.join(" / ")} in ${file}.`,
    `Sign in at ${config.publicUrl.origin}/login as any username with ${key}`,
    admin ? `(as admin: username ${admin} with ${adminKey}).` : "(no admin usernames: set DASHBOARD_ADMINS).",
    `To read them: cat ${file}`,
  ].join(" ");
}
