import path from "node:path";
import { z } from "zod";
import { LOG_LEVELS, parseLogLevel, parseTrustProxy } from "../server/env-rules.mjs";
import { generatedCredentialsFile, loadGeneratedCredentials, loadOrCreateGeneratedCredentials, type GeneratedCredentials } from "./generated-credentials";
import { usernameOf } from "./validation/username";
import { ssoSubjectSchema } from "./validation/auth";
import { decimalNumber } from "./validation/number";

/** Thrown when the environment is unusable; the message names the variable. */
export class ConfigError extends Error {}

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

const adminUsername = usernameOf("An admin username");

/**
 * One entry of DASHBOARD_ADMINS: a username as sign-in reads it (lower-cased), or an SSO subject,
 * `oidc:<sub>`, which keeps its case. A name nobody could sign in with is a mistake to say now.
 */
function adminName(entry: string): { ok: true; name: string } | { ok: false; problem: string } {
  if (/^oidc:/i.test(entry)) {
    const subject = entry.slice(5);
    if (subject === "") return { ok: false, problem: `"${entry}" names no subject: write oidc:<sub>` };
    const parsed = ssoSubjectSchema.safeParse(subject);
    if (!parsed.success) return { ok: false, problem: `"${entry.slice(0, 40)}" is not an SSO subject: ${parsed.error.issues[0]?.message ?? "invalid"}` };
    return { ok: true, name: `oidc:${subject}` };
  }
  const parsed = adminUsername.safeParse(entry);
  if (parsed.success) return { ok: true, name: parsed.data };
  return { ok: false, problem: `"${entry.slice(0, 80)}" is not a username: ${parsed.error.issues[0]?.message ?? "invalid"}` };
}

const positiveInt = (fallback: number, max: number) => decimalNumber(z.number().int().min(1).max(max)).default(fallback);

const booleanish = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no", "on", "off"]))
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

const otlpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `must be the collector's http(s):// URL (${what})` }).transform((v) => new URL(v));
const otlpProtocol = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z.enum(["http/protobuf", "http/json"], {
      error: (issue) =>
        issue.input === "grpc"
          ? "grpc is not supported; use http/protobuf (the default, the collector's port 4318) or http/json"
          : "must be http/protobuf or http/json",
    }),
  );
const SAMPLERS = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const;
const PROPAGATORS = ["tracecontext", "baggage", "none"] as const;

/**
 * Traces: the OpenTelemetry SDK's own variables, read here like every other setting. Only the OTLP
 * exporters over HTTP are installed, so `grpc` is refused rather than silently ignored.
 */
const otelSchema = z.object({
  OTEL_SDK_DISABLED: booleanish.default(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl("/v1/traces is appended").optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl("used as given").optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.default("http/protobuf"),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).max(256).default("sessionboard"),
  OTEL_TRACES_SAMPLER: z
    .string()
    .trim()
    .toLowerCase()
    .default("parentbased_always_on")
    .pipe(z.enum(SAMPLERS, { error: `must be one of ${SAMPLERS.join(", ")}` })),
  OTEL_TRACES_SAMPLER_ARG: decimalNumber(z.number().min(0, "must be a ratio from 0 to 1").max(1, "must be a ratio from 0 to 1"), "must be a ratio from 0 to 1").default(1),
  // Incoming traceparent headers are ignored unless asked for: see README, Traces.
  OTEL_PROPAGATORS: z
    .string()
    .trim()
    .toLowerCase()
    .default("none")
    .transform(list)
    .pipe(z.array(z.enum(PROPAGATORS, { error: `must be a comma list of ${PROPAGATORS.join(", ")}` })))
    .transform((names) => names.filter((name) => name !== "none") as ("tracecontext" | "baggage")[]),
  OTEL_BSP_SCHEDULE_DELAY: decimalNumber(z.number().int().min(0).max(10 * 60_000)).default(5000),
});

/** Where and how spans are exported; null when no OTLP endpoint is set (or OTEL_SDK_DISABLED). */
function tracingConfig(e: z.output<typeof otelSchema>) {
  // The spec's rule: the signal-specific URL as is, else the base URL with /v1/traces appended.
  const endpoint =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (e.OTEL_EXPORTER_OTLP_ENDPOINT ? new URL(`${e.OTEL_EXPORTER_OTLP_ENDPOINT.href.replace(/\/+$/, "")}/v1/traces`) : null);
  if (e.OTEL_SDK_DISABLED || !endpoint) return null;
  return {
    endpoint: endpoint.toString(),
    protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL,
    serviceName: e.OTEL_SERVICE_NAME,
    sampler: { name: e.OTEL_TRACES_SAMPLER, ratio: e.OTEL_TRACES_SAMPLER_ARG },
    propagators: e.OTEL_PROPAGATORS,
    /** How long finished spans wait to be sent in one batch. */
    exportDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
  };
}

/** Whether a URL names no user or password (user:password@). */
const withoutCredentials = (url: URL) => !url.username && !url.password;

/** Where sessions are kept (DASHBOARD_SESSION_BACKEND); the health answers name it. */
export const SESSION_BACKENDS = ["sqlite", "memory", "postgres"] as const;

const envSchema = z.object({
  DASHBOARD_SECRET: z
    .string()
    .transform(list)
    .pipe(
      z
        .array(z.string().min(32, "every entry must be at least 32 characters"))
        .min(1, "must contain at least one secret of 32+ characters"),
    ),
  DASHBOARD_KEY: z.string().min(8, "must be at least 8 characters").max(1024),
  DASHBOARD_ADMIN_KEY: z.string().min(8, "must be at least 8 characters").max(1024),
  // Usernames are lower-cased; an SSO subject ("oidc:<sub>") keeps its case, since subjects are case-sensitive.
  DASHBOARD_ADMINS: z.string().transform((v, ctx) => {
    const admins = new Set<string>();
    for (const name of list(v)) {
      const admin = adminName(name);
      if (admin.ok) admins.add(admin.name);
      else ctx.addIssue({ code: "custom", message: admin.problem });
    }
    return admins;
  }),
  DASHBOARD_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .transform((v) => new URL(v))
    // Only the origin is used (the cookie, the same-origin rule): anything more would be dropped.
    .refine((url) => url.pathname === "/" && withoutCredentials(url) && !url.search && !url.hash, {
      message: "must be the address browsers use, scheme://host[:port], without a path, user, query or fragment: Sessionboard is served at the root of its address",
    }),
  DASHBOARD_TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const hops = parseTrustProxy(v);
      if (hops !== null) return hops;
      ctx.addIssue({ code: "custom", message: "must be true, false or a number of proxy hops" });
      return z.NEVER;
    }),
  DASHBOARD_LOG_LEVEL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const level = parseLogLevel(v);
      if (level !== null) return level;
      ctx.addIssue({ code: "custom", message: `must be one of ${LOG_LEVELS.join(", ")}` });
      return z.NEVER;
    }),
  DASHBOARD_LOCATION_HEADERS: z
    .string()
    .trim()
    .toLowerCase()
    .default("cf-ipcountry,cf-ipcity")
    .transform((v, ctx) => {
      if (["off", "false", "none"].includes(v)) return null;
      const names = list(v);
      if (names.length === 2 && names.every((name) => /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name))) {
        return { country: names[0], city: names[1] };
      }
      ctx.addIssue({ code: "custom", message: 'must be "<country header>,<city header>" or "off"' });
      return z.NEVER;
    }),
  SESSION_TIMEOUT_DAYS: positiveInt(7, 3650),
  SESSION_REMEMBER_DAYS: positiveInt(30, 3650),
  SESSION_MAX_DAYS: positiveInt(90, 3650),
  SESSION_MAX_PER_USER: decimalNumber(z.number().int().min(1).max(10_000)).optional(),
  // 0 keeps no history: ended sessions go at the next cleanup.
  SESSION_HISTORY_DAYS: decimalNumber(z.number().int().min(0).max(3650)).default(30),
  DASHBOARD_SESSION_BACKEND: z.enum(SESSION_BACKENDS).default("sqlite"),
  DASHBOARD_SESSION_SQLITE_PATH: z.string().min(1).default("data/sessions.db"),
  // Never echoed back: the URL may carry a password.
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => URL.canParse(v) && ["postgres:", "postgresql:"].includes(new URL(v).protocol), {
      message: "must be a postgres:// or postgresql:// connection URL",
    })
    .optional(),
  // At least 2: the cleanup job holds one connection for its lock while it works on another.
  DASHBOARD_DB_POOL_SIZE: decimalNumber(z.number().int().min(2).max(1000)).default(10),
  DASHBOARD_DB_STATEMENT_TIMEOUT_MS: positiveInt(5000, 10 * 60_000),
  DASHBOARD_FRESH_MINUTES: positiveInt(15, 24 * 60),
  DASHBOARD_CLEANUP_INTERVAL_MINUTES: decimalNumber(z.number().int().min(0).max(7 * 24 * 60)).default(60),
  DASHBOARD_SHUTDOWN_TIMEOUT_SECONDS: decimalNumber(z.number().int().min(0).max(600)).default(20),
  // Above the idle timeouts of the usual proxies (nginx and AWS ALB 60 s, Traefik 90 s, Caddy 120 s).
  DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS: decimalNumber(z.number().int().min(1).max(3600)).default(125),
  DASHBOARD_OIDC_ISSUER: z
    .url({ protocol: /^https?$/, error: "must be the issuer's http(s):// URL" })
    .refine((v) => new URL(v).protocol === "https:" || ["localhost", "127.0.0.1", "[::1]"].includes(new URL(v).hostname), {
      message: "must use https:// (plain http is accepted only for localhost, for testing)",
    })
    .optional(),
  DASHBOARD_OIDC_CLIENT_ID: z.string().min(1).max(512).optional(),
  DASHBOARD_OIDC_CLIENT_SECRET: z.string().min(1).max(2048).optional(),
  DASHBOARD_OIDC_SCOPES: z.string().trim().default("openid profile email"),
  DASHBOARD_OIDC_ADMIN_GROUP: z.string().trim().min(1).max(256).optional(),
  DASHBOARD_OIDC_GROUPS_CLAIM: z.string().trim().min(1).max(256).default("groups"),
  // Minutes; fractions allowed (a test sets seconds). 0 turns the re-check off.
  DASHBOARD_OIDC_RECHECK_MINUTES: decimalNumber(z.number().min(0, "must be 0 (off) or more").max(24 * 60, "must be at most 1440 (a day)"), "must be a number of minutes").default(15),
  DASHBOARD_OIDC_RECHECK_GRACE_MINUTES: decimalNumber(z.number().min(0, "must be 0 or more").max(7 * 24 * 60, "must be at most 10080 (a week)"), "must be a number of minutes").default(24 * 60),
  DASHBOARD_LOGIN_MAX_FAILURES_PER_USER: positiveInt(10, 100_000),
  DASHBOARD_LOGIN_MAX_FAILURES_PER_IP: positiveInt(50, 1_000_000),
  DASHBOARD_LOGIN_WINDOW_MINUTES: positiveInt(15, 24 * 60),
  DASHBOARD_METRICS_PORT: decimalNumber(
    z.number().int("must be a port number from 1 to 65535").min(1, "must be a port number from 1 to 65535").max(65535, "must be a port number from 1 to 65535"),
    "must be a port number from 1 to 65535",
  ).optional(),
  // Never echoed back: it is a credential.
  DASHBOARD_METRICS_TOKEN: z
    .string()
    .trim()
    .min(32, "must be at least 32 characters")
    .max(1024, "must be at most 1024 characters")
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces (it is sent in an Authorization header)")
    .optional(),
  // Never echoed back: it may carry the mail server's password.
  DASHBOARD_SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL (smtp://user:password@mail.example.com:587)" })
    .max(2048)
    .optional(),
  DASHBOARD_SMTP_FROM: z
    .string()
    .trim()
    .max(320)
    .regex(/^[^\r\n]*@[^\r\n]+$/, 'must be a sender address, e.g. "Sessionboard <sessions@example.com>"')
    .optional(),
  DASHBOARD_WEBHOOK_URL: z
    .string()
    .transform(list)
    .pipe(
      z
        .array(
          z
            .url({ protocol: /^https?$/, error: "must be a comma list of http:// or https:// URLs" })
            .max(2048)
            // fetch refuses such a URL, so every delivery to it would fail; the message names no part of it.
            .refine((v) => !URL.canParse(v) || withoutCredentials(new URL(v)), "must not carry a user or password (user:password@): a receiver's token goes in its path or query"),
        )
        .max(10, "must list at most 10 URLs"),
    )
    .transform((urls) => [...new Set(urls)])
    .optional(),
  // Never echoed back: it signs every webhook. The Standard Webhooks format: whsec_ + base64.
  DASHBOARD_WEBHOOK_SECRET: z
    .string()
    .trim()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, "must be whsec_ followed by base64 (e.g. whsec_$(openssl rand -base64 32))")
    .refine((v) => {
      const bytes = Buffer.from(v.slice("whsec_".length), "base64").length;
      return bytes >= 24 && bytes <= 64;
    }, "must encode 24 to 64 random bytes after whsec_ (e.g. whsec_$(openssl rand -base64 32))")
    .optional(),
  PORT: z.string().optional(),
  // OpenTelemetry's standard variables (traces only); see otelSchema.
  ...otelSchema.shape,
});

/** Rules between variables, each reported against the variable to change. */
const consistentEnvSchema = envSchema.superRefine((e, ctx) => {
  const fail = (variable: string, message: string) => ctx.addIssue({ code: "custom", path: [variable], message });
  if (e.DASHBOARD_KEY === e.DASHBOARD_ADMIN_KEY) fail("DASHBOARD_ADMIN_KEY", "must differ from DASHBOARD_KEY");
  if (Boolean(e.DASHBOARD_OIDC_ISSUER) !== Boolean(e.DASHBOARD_OIDC_CLIENT_ID)) {
    fail(
      e.DASHBOARD_OIDC_ISSUER ? "DASHBOARD_OIDC_CLIENT_ID" : "DASHBOARD_OIDC_ISSUER",
      "set both DASHBOARD_OIDC_ISSUER and DASHBOARD_OIDC_CLIENT_ID to enable single sign-on, or neither",
    );
  }
  if (e.DASHBOARD_OIDC_ISSUER && !e.DASHBOARD_OIDC_SCOPES.split(/\s+/).includes("openid")) fail("DASHBOARD_OIDC_SCOPES", 'must include "openid"');
  if (e.DASHBOARD_SESSION_BACKEND === "postgres" && !e.DATABASE_URL) {
    fail("DATABASE_URL", "required when DASHBOARD_SESSION_BACKEND=postgres (postgres://user:password@host:5432/database)");
  }
  if (e.DASHBOARD_METRICS_PORT !== undefined && String(e.DASHBOARD_METRICS_PORT) === (e.PORT ?? "3000")) {
    fail("DASHBOARD_METRICS_PORT", "must differ from the port the app listens on (PORT)");
  }
  if (e.DASHBOARD_SMTP_URL && !e.DASHBOARD_SMTP_FROM) fail("DASHBOARD_SMTP_FROM", "required when DASHBOARD_SMTP_URL is set (the sender of new-device alert mail)");
  if (e.DASHBOARD_WEBHOOK_URL?.length && !e.DASHBOARD_WEBHOOK_SECRET) {
    fail("DASHBOARD_WEBHOOK_SECRET", "required when DASHBOARD_WEBHOOK_URL is set (receivers verify every event with it)");
  }
  if (e.SESSION_MAX_DAYS < Math.max(e.SESSION_TIMEOUT_DAYS, e.SESSION_REMEMBER_DAYS)) {
    fail("SESSION_MAX_DAYS", "must be at least SESSION_TIMEOUT_DAYS and SESSION_REMEMBER_DAYS");
  }
});

/** The validated environment in the shape the code reads; the Config type is derived from it. */
const configSchema = consistentEnvSchema.transform((e) => ({
  secrets: e.DASHBOARD_SECRET,
  userKey: e.DASHBOARD_KEY,
  adminKey: e.DASHBOARD_ADMIN_KEY,
  admins: e.DASHBOARD_ADMINS,
  publicUrl: e.DASHBOARD_URL,
  /** Number of trusted reverse proxies in front of the app (0 = use the socket address). */
  trustedProxyHops: e.DASHBOARD_TRUST_PROXY,
  /** The least severe level logged (server.mjs reads the same variable by the same rule). */
  logLevel: e.DASHBOARD_LOG_LEVEL,
  /** Headers a trusted proxy sets with the client's approximate location; read only behind a proxy. */
  locationHeaders: e.DASHBOARD_LOCATION_HEADERS,
  timeoutDays: e.SESSION_TIMEOUT_DAYS,
  rememberDays: e.SESSION_REMEMBER_DAYS,
  maxDays: e.SESSION_MAX_DAYS,
  maxSessionsPerUser: e.SESSION_MAX_PER_USER ?? null,
  /** How long ended sessions are kept as history (Recently ended, state=ended) before cleanup deletes them. */
  historyDays: e.SESSION_HISTORY_DAYS,
  backend: e.DASHBOARD_SESSION_BACKEND,
  sqlitePath: e.DASHBOARD_SESSION_SQLITE_PATH,
  /** Set when the backend is postgres. */
  postgres:
    e.DASHBOARD_SESSION_BACKEND === "postgres" && e.DATABASE_URL
      ? {
          url: e.DATABASE_URL,
          /** Connections each process may open. */
          poolSize: e.DASHBOARD_DB_POOL_SIZE,
          /** Statements running longer are cancelled by the server. */
          statementTimeoutMs: e.DASHBOARD_DB_STATEMENT_TIMEOUT_MS,
        }
      : null,
  loginLimits: {
    perUser: e.DASHBOARD_LOGIN_MAX_FAILURES_PER_USER,
    perIp: e.DASHBOARD_LOGIN_MAX_FAILURES_PER_IP,
    windowMinutes: e.DASHBOARD_LOGIN_WINDOW_MINUTES,
  },
  /** OpenID Connect sign-in, when DASHBOARD_OIDC_ISSUER and DASHBOARD_OIDC_CLIENT_ID are set. */
  oidc:
    e.DASHBOARD_OIDC_ISSUER && e.DASHBOARD_OIDC_CLIENT_ID
      ? {
          issuer: new URL(e.DASHBOARD_OIDC_ISSUER),
          /** The issuer exactly as configured: what ID tokens carry as `iss` and SSO accounts are bound to. */
          issuerId: e.DASHBOARD_OIDC_ISSUER,
          clientId: e.DASHBOARD_OIDC_CLIENT_ID,
          /** Absent for a public client (PKCE only). */
          clientSecret: e.DASHBOARD_OIDC_CLIENT_SECRET ?? null,
          scopes: e.DASHBOARD_OIDC_SCOPES,
          adminGroup: e.DASHBOARD_OIDC_ADMIN_GROUP ?? null,
          groupsClaim: e.DASHBOARD_OIDC_GROUPS_CLAIM,
          /**
           * Each SSO session's access is re-checked at the provider (a refresh) at most this often,
           * in minutes, after a request that wrote its activity; 0: never (sessions last their own expiry).
           */
          recheckMinutes: e.DASHBOARD_OIDC_RECHECK_MINUTES,
          /** How long a session survives a provider that cannot be reached, in minutes, before it ends. */
          recheckGraceMinutes: e.DASHBOARD_OIDC_RECHECK_GRACE_MINUTES,
          /** DASHBOARD_URL + /api/auth/oidc/callback */
          redirectUri: new URL("/api/auth/oidc/callback", e.DASHBOARD_URL).toString(),
        }
      : null,
  /** Destructive admin actions need a sign-in at most this old (or the admin key typed again). */
  freshMinutes: e.DASHBOARD_FRESH_MINUTES,
  /**
   * Prometheus metrics: served on a second listener at `port` (GET /metrics, no token; for a private
   * network) and/or at /api/metrics with the bearer `token`; neither is on by default.
   */
  metrics: { port: e.DASHBOARD_METRICS_PORT ?? null, token: e.DASHBOARD_METRICS_TOKEN ?? null },
  /** How often the in-process job deletes expired rows; 0 turns it off (use the CLI from cron). */
  cleanupIntervalMinutes: e.DASHBOARD_CLEANUP_INTERVAL_MINUTES,
  /** On SIGTERM/SIGINT, how long requests in flight may take before the process exits anyway. */
  shutdownTimeoutSeconds: e.DASHBOARD_SHUTDOWN_TIMEOUT_SECONDS,
  /**
   * How long an idle kept-alive connection stays open. A proxy that pools connections must give up
   * on one first: one it reuses as the app closes it gets a reset (a 502 at the proxy).
   */
  keepAliveTimeoutSeconds: e.DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS,
  /** OpenTelemetry traces, exported over OTLP when an endpoint is set; null: off. */
  tracing: tracingConfig(e),
  /** Where new-device alerts are mailed from (to users with an email address); null: no mail. */
  smtp: e.DASHBOARD_SMTP_URL && e.DASHBOARD_SMTP_FROM ? { url: e.DASHBOARD_SMTP_URL, from: e.DASHBOARD_SMTP_FROM } : null,
  /** Where session and user events are posted, signed with `secret` (Standard Webhooks); null: off. */
  webhooks:
    e.DASHBOARD_WEBHOOK_URL?.length && e.DASHBOARD_WEBHOOK_SECRET ? { urls: e.DASHBOARD_WEBHOOK_URL, secret: e.DASHBOARD_WEBHOOK_SECRET } : null,
}));

export type Config = z.output<typeof configSchema> & {
  /** Where the SQLite file (and generated credentials) live. */
  dataDir: string;
  /** Set when some credentials were generated because the environment had none; `variables`: those taken from the file. */
  generated: (GeneratedCredentials & { variables: string[] }) | null;
};
export type OidcConfig = NonNullable<Config["oidc"]>;
export type PostgresConfig = NonNullable<Config["postgres"]>;
export type TracingConfig = NonNullable<Config["tracing"]>;

type Env = Record<string, string | undefined>;

/** The one way a configuration problem is reported: every offending variable, one per line. */
const configError = (issues: { variable: string; message: string }[]) =>
  new ConfigError(`Invalid configuration:\n${issues.map(({ variable, message }) => `  ${variable}: ${message}`).join("\n")}`);

/** Where the SQLite database lives unless DASHBOARD_SESSION_SQLITE_PATH says otherwise (relative to the working directory). */
export const DEFAULT_SQLITE_PATH = "data/sessions.db";

/**
 * How a process without DASHBOARD_SECRET / _KEY / _ADMIN_KEY gets them: the server generates them on
 * its first start ("create"); the CLI only reads what the server generated ("read"): keys of its own
 * would match no session, and a revoke-all would end none and report success.
 */
export type CredentialSource = "create" | "read";

/** Parses and validates the environment. Pure apart from the generated-credentials file. */
export function parseConfig(env: Env, credentials: CredentialSource = "create"): Config {
  if (env.NEXT_PHASE === "phase-production-build") {
    // The configuration belongs to the running server: read during the build, it would generate
    // keys into the build's data/ (and so into a Docker image), and the first start would not say
    // how to sign in. Whatever reads it at build time must wait for a request instead.
    throw new Error("The configuration was read during `next build`; it is read at run time only");
  }
  const raw = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ""),
  ) as Env;
  const sqlitePath = raw.DASHBOARD_SESSION_SQLITE_PATH ?? DEFAULT_SQLITE_PATH;
  const dataDir = path.dirname(path.resolve(/*turbopackIgnore: true*/ sqlitePath));

  const missing = ["DASHBOARD_SECRET", "DASHBOARD_KEY", "DASHBOARD_ADMIN_KEY"].filter((n) => !raw[n]);
  if (missing.length > 0 && raw.DASHBOARD_SESSION_BACKEND?.trim() === "postgres") {
    // Generated values would differ on every replica, and a cookie signed by one would fail on the next.
    throw configError(
      missing.map((variable) => ({ variable, message: "required with DASHBOARD_SESSION_BACKEND=postgres (every replica must share it)" })),
    );
  }
  const generated =
    missing.length === 0 ? null : credentials === "create" ? loadOrCreateGeneratedCredentials(dataDir) : loadGeneratedCredentials(dataDir);
  if (missing.length > 0 && !generated) {
    const message = `not set, and there is no ${generatedCredentialsFile(dataDir)} to read it from: give this the server's environment, or run it where the server's data/ directory is`;
    throw configError(missing.map((variable) => ({ variable, message })));
  }
  const input: Env = {
    DASHBOARD_ADMINS: "admin",
    DASHBOARD_URL: `http://localhost:${raw.PORT ?? 3000}`,
    ...raw,
    DASHBOARD_SECRET: raw.DASHBOARD_SECRET ?? generated?.secret,
    DASHBOARD_KEY: raw.DASHBOARD_KEY ?? generated?.key,
    DASHBOARD_ADMIN_KEY: raw.DASHBOARD_ADMIN_KEY ?? generated?.adminKey,
  };
  // An explicitly empty DASHBOARD_ADMINS means "no static-key admins".
  if (env.DASHBOARD_ADMINS !== undefined && env.DASHBOARD_ADMINS.trim() === "") input.DASHBOARD_ADMINS = "";

  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw configError(result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? ""), message: issue.message })));
  }
  return { ...result.data, dataDir, generated: generated && { ...generated, variables: missing } };
}

const cache = globalThis as unknown as { sessionboardConfig?: Config };

/** The process-wide configuration, read and validated once. */
export function getConfig(credentials: CredentialSource = "create"): Config {
  cache.sessionboardConfig ??= parseConfig(process.env, credentials);
  return cache.sessionboardConfig;
}

