import { ConfigError, getConfig, type Config, type TracingConfig } from "./config";
import { closeDatabase, getDatabase } from "./db";
import { isDatabaseUnavailable } from "./db/availability";
import { lifecycle, onShutdown } from "./lifecycle";
import { countedSessionsPerMethod } from "./admin/active-counts";
import { serveMetricsOn, watchDatabase } from "./metrics/metrics";
import { startCleanupTimer, stopCleanupTimer } from "./sessions/cleanup";

export type StartOptions = {
  /**
   * Loads and starts the OpenTelemetry SDK; called only when traces are configured. Returns what
   * sends the spans still queued, run last at shutdown.
   */
  startTracing?: (tracing: TracingConfig) => Promise<() => Promise<void>>;
};

export async function startServer(options: StartOptions = {}): Promise<void> {
  // `next build` loads the server code too; generating keys or databases then would be wrong.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const fail = (error: unknown): never => {
    console.error(`\nSessionboard cannot start.\n${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  };
  let config: Config;
  try {
    config = getConfig();
  } catch (error) {
    return fail(error);
  }
  // Before the database opens, so its statements are traced from the first request on.
  const flushTraces = config.tracing && options.startTracing ? await options.startTracing(config.tracing) : null;
  try {
    await getDatabase();
  } catch (error) {
    // PostgreSQL not up yet is an outage, not a broken setup: answer 503 until it is (the first
    // request or health check after that opens and migrates it). A failed migration still stops.
    if (config.backend !== "postgres" || !isDatabaseUnavailable(error)) return fail(error);
    console.error("Sessionboard: PostgreSQL is not reachable yet; answering 503 until it is");
  }
  startCleanupTimer(config, getDatabase);
  watchDatabase({
    activeSessions: async () => countedSessionsPerMethod(await getDatabase(), config),
    ping: async () => (await getDatabase()).ping(),
  });
  if (config.metrics.port !== null && !serveMetricsOn(config.metrics.port)) {
    console.error("Sessionboard: DASHBOARD_METRICS_PORT is served by `npm start` (server.mjs) only; no metrics listener was opened");
  }
  lifecycle().timeoutMs = config.shutdownTimeoutSeconds * 1000;
  onShutdown(async () => {
    stopCleanupTimer();
    // Only a database that opened has pools to close; opening one now would be wasted.
    await closeDatabase();
  });
  // Last, so the spans of everything before are sent; a collector that hangs delays nothing else.
  if (flushTraces) onShutdown(flushTraces);
  console.log(`Sessionboard: sessions stored ${storageLabel(config)}; public URL ${config.publicUrl.origin}`);
  if (config.metrics.token) console.log("Sessionboard: metrics at /api/metrics (bearer token)");
  if (config.generated?.createdNow) console.log(signInHint(config));
  else if (config.generated) console.log(`Sessionboard: using generated keys from ${config.generated.file}`);
}

function storageLabel(config: Config): string {
  if (config.backend === "memory") return "in memory (nothing is kept)";
  if (!config.postgres) return config.sqlitePath;
  const url = new URL(config.postgres.url);
  // Never log the password.
  return `in PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname} (pool of ${config.postgres.poolSize})`;
}

/** Printed once, when first-run keys are generated: how to sign in as a user and as an admin. */
export function signInHint(config: Config): string {
  const admin = [...config.admins][0];
  return [
    "",
    "  No DASHBOARD_SECRET / DASHBOARD_KEY / DASHBOARD_ADMIN_KEY were set, so Sessionboard generated them",
    `  into ${config.generated?.file} (mode 0600). They are reused on every start.`,
    "",
    `  Sign in at ${config.publicUrl.origin}/login`,
    `    as a user:   any username (e.g. "alice") with key  ${config.userKey}`,
    admin ? `    as an admin: username "${admin}" with key           ${config.adminKey}` : "    (no admin usernames: set DASHBOARD_ADMINS)",
    "",
  ].join("\n");
}
