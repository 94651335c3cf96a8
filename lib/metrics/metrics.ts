import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import packageJson from "../../package.json";
import { SESSION_END_CAUSES, type SessionEndCause } from "../sessions/end-reasons";

/**
 * The process's Prometheus metrics: one registry and every metric's definition, here only. The
 * domain reports what happens through the record* functions below and never touches prom-client.
 *
 * Next bundles the app apart from server.mjs, and may give route bundles their own copy of this
 * module, so the registry lives on globalThis under a registered symbol (server.mjs repeats its name
 * to serve it on DASHBOARD_METRICS_PORT): every copy, and the second listener, see the same one.
 * server.mjs, which cannot read lib/config.ts, puts a function under a second symbol that opens that
 * listener; start-up calls it with the validated port (serveMetricsOn).
 * Counters are per process; Prometheus sums them across replicas (README, "Metrics").
 */

export const METHODS = ["static", "oidc"] as const;
export type SignInMethod = (typeof METHODS)[number];
export const LOGIN_RESULTS = ["ok", "invalid", "rate_limited", "disabled", "sso_error"] as const;
export type LoginResult = (typeof LOGIN_RESULTS)[number];
export const BACKCHANNEL_RESULTS = ["ok", "invalid", "unavailable", "error"] as const;
export type BackchannelResult = (typeof BACKCHANNEL_RESULTS)[number];
export const WEBHOOK_OUTCOMES = ["delivered", "retrying", "failed"] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];
/** The bulk writes that run in timed batches (lib/sessions/bulk-batches.ts). */
export const BULK_OPERATIONS = ["force_logout", "cleanup_mark", "cleanup_delete"] as const;
export type BulkOperation = (typeof BULK_OPERATIONS)[number];

/** What the gauges read when scraped; set once at start-up (watchDatabase). */
type Sources = {
  /** Not-yet-revoked sessions per sign-in method (the per-user count table, summed). */
  activeSessions: () => Promise<{ method: string; sessions: number }[]>;
  /** Resolves when the database answers. */
  ping: () => Promise<void>;
  /** Webhook deliveries waiting for a first attempt or a retry; absent when webhooks are off. */
  webhookBacklog?: () => Promise<number>;
};

type Metrics = {
  registry: Registry;
  sessionsActive: Gauge<"method">;
  sessionsCreated: Counter<"method" | "remember_me">;
  sessionsEnded: Counter<"reason">;
  loginAttempts: Counter<"method" | "result">;
  sessionCheckDuration: Histogram;
  bulkBatchDuration: Histogram<"operation">;
  cleanupDeleted: Counter;
  backchannelLogout: Counter<"result">;
  webhookDeliveries: Counter<"outcome">;
  webhookBacklog: Gauge;
  ssoRechecks: Counter<"result">;
  databaseUp: Gauge;
  sources: Sources | null;
  /** The figures the last scrape read from the count table, and when (reset by watchDatabase). */
  active: { at: number; rows: { method: string; sessions: number }[] } | null;
};

/** A scrape reads the count table at most this often; scrapes in between get the last figures. */
const ACTIVE_SESSIONS_CACHE_MS = 5_000;
/** A database that has not answered the probe by then counts as down for this scrape. */
const PING_TIMEOUT_MS = 2_000;

const KEY = Symbol.for("sessionboard.metrics");
const LISTENER = Symbol.for("sessionboard.metrics-listener");
const holder = globalThis as typeof globalThis & { [KEY]?: Metrics; [LISTENER]?: (port: number) => void };

/** The process's metrics, created at first use. */
export function metrics(): Metrics {
  holder[KEY] ??= createMetrics();
  return holder[KEY];
}

function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const state: Metrics = {
    registry,
    sessionsActive: new Gauge({
      name: "sessionboard_sessions_active",
      help: "Sessions not ended, per sign-in method, from the per-user count table (expired ones cleanup has not marked ended yet included).",
      labelNames: ["method"],
      registers,
      async collect() {
        if (!state.sources) return;
        this.reset();
        let active = state.active;
        if (!active || Date.now() - active.at > ACTIVE_SESSIONS_CACHE_MS) {
          const rows = await inTime(state.sources.activeSessions());
          // The database did not answer (in time): no figure this time (sessionboard_database_up says why).
          state.active = active = rows ? { at: Date.now(), rows } : null;
          if (!active) return;
        }
        for (const method of METHODS) this.set({ method }, 0);
        for (const row of active.rows) this.set({ method: row.method }, row.sessions);
      },
    }),
    sessionsCreated: new Counter({
      name: "sessionboard_sessions_created_total",
      help: "Sessions created by a sign-in, per sign-in method and Remember Me choice.",
      labelNames: ["method", "remember_me"],
      registers,
    }),
    sessionsEnded: new Counter({
      name: "sessionboard_sessions_ended_total",
      help: "Sessions ended, each once, per cause (logout, revocations, expiry seen at a request or by cleanup, key change, disabled users, IdP logout or re-check, per-user limit).",
      labelNames: ["reason"],
      registers,
    }),
    loginAttempts: new Counter({
      name: "sessionboard_login_attempts_total",
      help: "Sign-in attempts (key form and SSO callbacks), per sign-in method and result.",
      labelNames: ["method", "result"],
      registers,
    }),
    sessionCheckDuration: new Histogram({
      name: "sessionboard_session_check_duration_seconds",
      help: "Time to check a signed session cookie against the database (the per-request session check).",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    bulkBatchDuration: new Histogram({
      name: "sessionboard_bulk_batch_duration_seconds",
      help: "Time each batch of a bulk write took (force logout, cleanup's marking and deletion): on SQLite, how long it held the one writer and this process.",
      // Not "job": Prometheus's own target label would rename it.
      labelNames: ["operation"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    cleanupDeleted: new Counter({
      name: "sessionboard_cleanup_deleted_total",
      help: "Session rows cleanup deleted because they had ended more than SESSION_HISTORY_DAYS ago.",
      registers,
    }),
    backchannelLogout: new Counter({
      name: "sessionboard_backchannel_logout_total",
      help: "OpenID Connect back-channel logout tokens checked, per result (ok, invalid token, identity provider unavailable, other error).",
      labelNames: ["result"],
      registers,
    }),
    webhookDeliveries: new Counter({
      name: "sessionboard_webhook_deliveries_total",
      help: "Webhook delivery attempts, per outcome (delivered; failed and retrying later; failed and given up after 24 h).",
      labelNames: ["outcome"],
      registers,
    }),
    webhookBacklog: new Gauge({
      name: "sessionboard_webhook_backlog",
      help: "Webhook deliveries waiting for their first attempt or a retry (the database's figure: every replica reports the same).",
      registers,
      async collect() {
        const backlog = state.sources?.webhookBacklog;
        if (!backlog) return;
        // The database did not answer (in time): the last figure stands; sessionboard_database_up says why.
        const waiting = await inTime(backlog());
        if (waiting !== undefined) this.set(waiting);
      },
    }),
    ssoRechecks: new Counter({
      name: "sessionboard_sso_rechecks_total",
      help: "SSO sessions re-checked at the identity provider (a refresh), per result (ok, refused by the provider, provider unreachable).",
      labelNames: ["result"],
      registers,
    }),
    databaseUp: new Gauge({
      name: "sessionboard_database_up",
      help: "1 when the session database answered a ping during this scrape, else 0.",
      registers,
      async collect() {
        if (!state.sources) return;
        this.set((await inTime(state.sources.ping().then(() => true))) ? 1 : 0);
      },
    }),
    sources: null,
    active: null,
  };
  new Gauge({
    name: "sessionboard_build_info",
    help: "Always 1; the running version in its label.",
    labelNames: ["version"],
    registers,
  }).set({ version: packageJson.version }, 1);

  // Every series exists from the start at 0, so rate() and increase() see the first event too.
  for (const method of METHODS) {
    for (const remember of ["true", "false"]) state.sessionsCreated.inc({ method, remember_me: remember }, 0);
    for (const result of LOGIN_RESULTS) state.loginAttempts.inc({ method, result }, 0);
  }
  for (const reason of Object.keys(SESSION_END_CAUSES)) state.sessionsEnded.inc({ reason }, 0);
  for (const result of SSO_RECHECK_RESULTS) state.ssoRechecks.inc({ result }, 0);
  for (const result of BACKCHANNEL_RESULTS) state.backchannelLogout.inc({ result }, 0);
  state.cleanupDeleted.inc(0);
  for (const operation of BULK_OPERATIONS) state.bulkBatchDuration.zero({ operation });
  for (const outcome of WEBHOOK_OUTCOMES) state.webhookDeliveries.inc({ outcome }, 0);
  return state;
}

/**
 * What `work` answers within PING_TIMEOUT_MS, else undefined (a failure too): a database that drops
 * packets must not hold a scrape past Prometheus's timeout, or database_up would go stale instead of 0.
 */
async function inTime<T>(work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), PING_TIMEOUT_MS)));
  try {
    return await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where the gauges read from when scraped: the process's database. */
export function watchDatabase(sources: Sources): void {
  const state = metrics();
  state.sources = sources;
  state.active = null;
}

/**
 * Asks server.mjs to serve GET /metrics on `port` (DASHBOARD_METRICS_PORT). False when the process
 * was not started by server.mjs (`next start`, `next dev`), which has no second listener.
 */
export function serveMetricsOn(port: number): boolean {
  metrics();
  const listen = holder[LISTENER];
  if (typeof listen !== "function") return false;
  listen(port);
  return true;
}

/** The metrics in Prometheus's text format. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}

export function recordSessionCreated(method: SignInMethod, rememberMe: boolean): void {
  metrics().sessionsCreated.inc({ method, remember_me: rememberMe ? "true" : "false" });
}

/** `count` sessions ended for `cause` (bulk revocations report how many they revoked). */
export function recordSessionsEnded(cause: SessionEndCause, count = 1): void {
  if (count > 0) metrics().sessionsEnded.inc({ reason: cause }, count);
}

export function recordLoginAttempt(method: SignInMethod, result: LoginResult): void {
  metrics().loginAttempts.inc({ method, result });
}

/** One session check that reached the database, begun at `startedAt` (performance.now()). */
export function recordSessionCheck(startedAt: number): void {
  metrics().sessionCheckDuration.observe((performance.now() - startedAt) / 1000);
}

/** One batch of a bulk write, `ms` long. */
export function recordBulkBatch(operation: BulkOperation, ms: number): void {
  metrics().bulkBatchDuration.observe({ operation }, ms / 1000);
}

export function recordCleanupDeleted(count: number): void {
  if (count > 0) metrics().cleanupDeleted.inc(count);
}

export const SSO_RECHECK_RESULTS = ["ok", "refused", "unreachable"] as const;

export function recordSsoRecheck(result: (typeof SSO_RECHECK_RESULTS)[number]): void {
  metrics().ssoRechecks.inc({ result });
}

export function recordBackchannelLogout(result: BackchannelResult): void {
  metrics().backchannelLogout.inc({ result });
}

/** The outcomes of one webhook delivery round. */
export function recordWebhookDeliveries(counts: Record<WebhookOutcome, number>): void {
  for (const outcome of WEBHOOK_OUTCOMES) if (counts[outcome] > 0) metrics().webhookDeliveries.inc({ outcome }, counts[outcome]);
}
