import path from "node:path";
import { z } from "zod";
import { loadOrCreateGeneratedCredentials, type GeneratedCredentials } from "./generated-credentials";

/** Thrown when the environment is unusable; the message names the variable. */
export class ConfigError extends Error {}

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

const positiveInt = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

const booleanish = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no", "on", "off"]))
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

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
  DASHBOARD_ADMINS: z
    .string()
    .transform((v) => new Set(list(v).map((name) => (/^oidc:/i.test(name) ? `oidc:${name.slice(5)}` : name.toLowerCase())))),
  DASHBOARD_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .transform((v) => new URL(v)),
  DASHBOARD_TRUST_PROXY: z
    .string()
    .trim()
    .default("false")
    .transform((v, ctx) => {
      if (/^\d+$/.test(v)) return Number(v);
      const parsed = booleanish.safeParse(v);
      if (parsed.success) return parsed.data ? 1 : 0;
      ctx.addIssue({ code: "custom", message: "must be true, false or a number of proxy hops" });
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
  SESSION_MAX_PER_USER: z.coerce.number().int().min(1).max(10_000).optional(),
  DASHBOARD_SESSION_BACKEND: z.enum(["sqlite", "memory", "postgres"]).default("sqlite"),
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
  DASHBOARD_DB_POOL_SIZE: z.coerce.number().int().min(2).max(1000).default(10),
  DASHBOARD_DB_STATEMENT_TIMEOUT_MS: positiveInt(5000, 10 * 60_000),
  DASHBOARD_FRESH_MINUTES: positiveInt(15, 24 * 60),
  DASHBOARD_CLEANUP_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(60),
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
  DASHBOARD_LOGIN_MAX_FAILURES_PER_USER: positiveInt(10, 100_000),
  DASHBOARD_LOGIN_MAX_FAILURES_PER_IP: positiveInt(50, 1_000_000),
  DASHBOARD_LOGIN_WINDOW_MINUTES: positiveInt(15, 24 * 60),
});

export type Config = {
  secrets: string[];
  userKey: string;
  adminKey: string;
  admins: Set<string>;
  publicUrl: URL;
  /** Number of trusted reverse proxies in front of the app (0 = use the socket address). */
  trustedProxyHops: number;
  /** Headers a trusted proxy sets with the client's approximate location; read only behind a proxy. */
  locationHeaders: { country: string; city: string } | null;
  timeoutDays: number;
  rememberDays: number;
  maxDays: number;
  maxSessionsPerUser: number | null;
  backend: "sqlite" | "memory" | "postgres";
  sqlitePath: string;
  /** Set when the backend is postgres. */
  postgres: PostgresConfig | null;
  dataDir: string;
  loginLimits: { perUser: number; perIp: number; windowMinutes: number };
  /** OpenID Connect sign-in, when DASHBOARD_OIDC_ISSUER and DASHBOARD_OIDC_CLIENT_ID are set. */
  oidc: OidcConfig | null;
  /** Destructive admin actions need a sign-in at most this old (or the admin key typed again). */
  freshMinutes: number;
  /** How often the in-process job deletes expired rows; 0 turns it off (use the CLI from cron). */
  cleanupIntervalMinutes: number;
  /** Set when some credentials were generated because the environment had none. */
  generated: GeneratedCredentials | null;
};

export type OidcConfig = {
  issuer: URL;
  /** The issuer exactly as configured: what ID tokens carry as `iss` and SSO accounts are bound to. */
  issuerId: string;
  clientId: string;
  /** Absent for a public client (PKCE only). */
  clientSecret: string | null;
  scopes: string;
  adminGroup: string | null;
  groupsClaim: string;
  /** DASHBOARD_URL + /api/auth/oidc/callback */
  redirectUri: string;
};

export type PostgresConfig = {
  url: string;
  /** Connections each process may open. */
  poolSize: number;
  /** Statements running longer are cancelled by the server. */
  statementTimeoutMs: number;
};

type Env = Record<string, string | undefined>;

/** Parses and validates the environment. Pure apart from the generated-credentials file. */
export function parseConfig(env: Env): Config {
  if (env.NEXT_PHASE === "phase-production-build") {
    // The configuration belongs to the running server: read during the build, it would generate
    // keys into the build's data/ (and so into a Docker image), and the first start would not say
    // how to sign in. Whatever reads it at build time must wait for a request instead.
    throw new Error("The configuration was read during `next build`; it is read at run time only");
  }
  const raw = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ""),
  ) as Env;
  const sqlitePath = raw.DASHBOARD_SESSION_SQLITE_PATH ?? "data/sessions.db";
  const dataDir = path.dirname(path.resolve(/*turbopackIgnore: true*/ sqlitePath));

  const missing = ["DASHBOARD_SECRET", "DASHBOARD_KEY", "DASHBOARD_ADMIN_KEY"].filter((n) => !raw[n]);
  if (missing.length > 0 && raw.DASHBOARD_SESSION_BACKEND?.trim() === "postgres") {
    // Generated values would differ on every replica, and a cookie signed by one would fail on the next.
    throw new ConfigError(
      `Invalid configuration:\n${missing.map((name) => `  ${name}: required with DASHBOARD_SESSION_BACKEND=postgres (every replica must share it)`).join("\n")}`,
    );
  }
  const generated = missing.length > 0 ? loadOrCreateGeneratedCredentials(dataDir) : null;
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

  const result = envSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = result.data;
  if (e.DASHBOARD_KEY === e.DASHBOARD_ADMIN_KEY) {
    throw new ConfigError("Invalid configuration:\n  DASHBOARD_ADMIN_KEY: must differ from DASHBOARD_KEY");
  }
  if (Boolean(e.DASHBOARD_OIDC_ISSUER) !== Boolean(e.DASHBOARD_OIDC_CLIENT_ID)) {
    throw new ConfigError(
      "Invalid configuration:\n  DASHBOARD_OIDC_ISSUER / DASHBOARD_OIDC_CLIENT_ID: set both to enable single sign-on, or neither",
    );
  }
  if (e.DASHBOARD_OIDC_ISSUER && !e.DASHBOARD_OIDC_SCOPES.split(/\s+/).includes("openid")) {
    throw new ConfigError('Invalid configuration:\n  DASHBOARD_OIDC_SCOPES: must include "openid"');
  }
  if (e.DASHBOARD_SESSION_BACKEND === "postgres" && !e.DATABASE_URL) {
    throw new ConfigError(
      "Invalid configuration:\n  DATABASE_URL: required when DASHBOARD_SESSION_BACKEND=postgres (postgres://user:password@host:5432/database)",
    );
  }
  if (e.SESSION_MAX_DAYS < Math.max(e.SESSION_TIMEOUT_DAYS, e.SESSION_REMEMBER_DAYS)) {
    throw new ConfigError(
      "Invalid configuration:\n  SESSION_MAX_DAYS: must be at least SESSION_TIMEOUT_DAYS and SESSION_REMEMBER_DAYS",
    );
  }
  return {
    secrets: e.DASHBOARD_SECRET,
    userKey: e.DASHBOARD_KEY,
    adminKey: e.DASHBOARD_ADMIN_KEY,
    admins: e.DASHBOARD_ADMINS,
    publicUrl: e.DASHBOARD_URL,
    trustedProxyHops: e.DASHBOARD_TRUST_PROXY,
    locationHeaders: e.DASHBOARD_LOCATION_HEADERS,
    timeoutDays: e.SESSION_TIMEOUT_DAYS,
    rememberDays: e.SESSION_REMEMBER_DAYS,
    maxDays: e.SESSION_MAX_DAYS,
    maxSessionsPerUser: e.SESSION_MAX_PER_USER ?? null,
    backend: e.DASHBOARD_SESSION_BACKEND,
    sqlitePath: e.DASHBOARD_SESSION_SQLITE_PATH,
    postgres:
      e.DASHBOARD_SESSION_BACKEND === "postgres" && e.DATABASE_URL
        ? { url: e.DATABASE_URL, poolSize: e.DASHBOARD_DB_POOL_SIZE, statementTimeoutMs: e.DASHBOARD_DB_STATEMENT_TIMEOUT_MS }
        : null,
    dataDir,
    loginLimits: {
      perUser: e.DASHBOARD_LOGIN_MAX_FAILURES_PER_USER,
      perIp: e.DASHBOARD_LOGIN_MAX_FAILURES_PER_IP,
      windowMinutes: e.DASHBOARD_LOGIN_WINDOW_MINUTES,
    },
    oidc:
      e.DASHBOARD_OIDC_ISSUER && e.DASHBOARD_OIDC_CLIENT_ID
        ? {
            issuer: new URL(e.DASHBOARD_OIDC_ISSUER),
            issuerId: e.DASHBOARD_OIDC_ISSUER,
            clientId: e.DASHBOARD_OIDC_CLIENT_ID,
            clientSecret: e.DASHBOARD_OIDC_CLIENT_SECRET ?? null,
            scopes: e.DASHBOARD_OIDC_SCOPES,
            adminGroup: e.DASHBOARD_OIDC_ADMIN_GROUP ?? null,
            groupsClaim: e.DASHBOARD_OIDC_GROUPS_CLAIM,
            redirectUri: new URL("/api/auth/oidc/callback", e.DASHBOARD_URL).toString(),
          }
        : null,
    freshMinutes: e.DASHBOARD_FRESH_MINUTES,
    cleanupIntervalMinutes: e.DASHBOARD_CLEANUP_INTERVAL_MINUTES,
    generated,
  };
}

const cache = globalThis as unknown as { sessionboardConfig?: Config };

/** The process-wide configuration, read and validated once. */
export function getConfig(): Config {
  cache.sessionboardConfig ??= parseConfig(process.env);
  return cache.sessionboardConfig;
}

