import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config";
import { signInHint } from "@/lib/startup";
import { tempDir, testConfig } from "./helpers";

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

describe("configuration", () => {
  it("applies the documented defaults", () => {
    const config = testConfig();
    expect(config).toMatchObject({
      timeoutDays: 7,
      rememberDays: 30,
      maxDays: 90,
      maxSessionsPerUser: null,
      backend: "sqlite",
      trustedProxyHops: 0,
      logLevel: "info",
      shutdownTimeoutSeconds: 20,
      keepAliveTimeoutSeconds: 125,
    });
    expect(config.publicUrl.origin).toBe("http://localhost:3000");
    expect([...config.admins]).toEqual(["root", "admin"]);
  });

  it.each([
    [{ DASHBOARD_SECRET: "too-short" }, "DASHBOARD_SECRET"],
    [{ DASHBOARD_SECRET: `${"x".repeat(40)},short` }, "DASHBOARD_SECRET"],
    [{ SESSION_TIMEOUT_DAYS: "seven" }, "SESSION_TIMEOUT_DAYS"],
    [{ SESSION_REMEMBER_DAYS: "-1" }, "SESSION_REMEMBER_DAYS"],
    [{ SESSION_MAX_PER_USER: "0" }, "SESSION_MAX_PER_USER"],
    [{ SESSION_MAX_DAYS: "3" }, "SESSION_MAX_DAYS"],
    [{ DASHBOARD_URL: "ftp://example.com" }, "DASHBOARD_URL"],
    [{ DASHBOARD_TRUST_PROXY: "maybe" }, "DASHBOARD_TRUST_PROXY"],
    [{ DASHBOARD_LOG_LEVEL: "loud" }, "DASHBOARD_LOG_LEVEL"],
    [{ DASHBOARD_LOCATION_HEADERS: "cf-ipcountry" }, "DASHBOARD_LOCATION_HEADERS"],
    [{ DASHBOARD_LOCATION_HEADERS: "bad header,x" }, "DASHBOARD_LOCATION_HEADERS"],
    [{ DASHBOARD_OIDC_ISSUER: "https://idp.example.com" }, "DASHBOARD_OIDC_CLIENT_ID"],
    [{ DASHBOARD_OIDC_ISSUER: "http://idp.example.com", DASHBOARD_OIDC_CLIENT_ID: "x" }, "DASHBOARD_OIDC_ISSUER"],
    [{ DASHBOARD_OIDC_ISSUER: "https://idp.example.com", DASHBOARD_OIDC_CLIENT_ID: "x", DASHBOARD_OIDC_SCOPES: "profile" }, "DASHBOARD_OIDC_SCOPES"],
    [{ DASHBOARD_SESSION_BACKEND: "mysql" }, "DASHBOARD_SESSION_BACKEND"],
    [{ DASHBOARD_SESSION_BACKEND: "postgres" }, "DATABASE_URL"],
    [{ DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: "mysql://db/x" }, "DATABASE_URL"],
    [{ DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: "postgres://db/x", DASHBOARD_DB_POOL_SIZE: "0" }, "DASHBOARD_DB_POOL_SIZE"],
    [{ DASHBOARD_DB_STATEMENT_TIMEOUT_MS: "soon" }, "DASHBOARD_DB_STATEMENT_TIMEOUT_MS"],
    [{ DASHBOARD_ADMIN_KEY: "shared-user-key" }, "DASHBOARD_ADMIN_KEY"],
    [{ DASHBOARD_SHUTDOWN_TIMEOUT_SECONDS: "forever" }, "DASHBOARD_SHUTDOWN_TIMEOUT_SECONDS"],
    [{ DASHBOARD_SHUTDOWN_TIMEOUT_SECONDS: "601" }, "DASHBOARD_SHUTDOWN_TIMEOUT_SECONDS"],
    [{ DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS: "0" }, "DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS"],
    // Numbers are written in decimal: JavaScript would read these as 16 and 10.
    [{ SESSION_TIMEOUT_DAYS: "0x10" }, "SESSION_TIMEOUT_DAYS"],
    [{ DASHBOARD_DB_POOL_SIZE: "1e1" }, "DASHBOARD_DB_POOL_SIZE"],
    [{ DASHBOARD_TRUST_PROXY: "99999999999999999999999" }, "DASHBOARD_TRUST_PROXY"],
    // The address browsers use, nothing more: the app is served at the root.
    [{ DASHBOARD_URL: "https://sessions.example.com/board" }, "DASHBOARD_URL"],
    [{ DASHBOARD_URL: "https://user:pw@sessions.example.com" }, "DASHBOARD_URL"],
    [{ DASHBOARD_URL: "https://sessions.example.com/?x=1" }, "DASHBOARD_URL"],
    [{ DASHBOARD_URL: "https://sessions.example.com/#top" }, "DASHBOARD_URL"],
    [{ DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS: "3601" }, "DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS"],
    [{ DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS: "2.5" }, "DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS"],
    [{ DASHBOARD_METRICS_PORT: "nine" }, "DASHBOARD_METRICS_PORT"],
    [{ DASHBOARD_METRICS_PORT: "70000" }, "DASHBOARD_METRICS_PORT"],
    [{ DASHBOARD_METRICS_PORT: "3000" }, "DASHBOARD_METRICS_PORT"],
    [{ DASHBOARD_METRICS_PORT: "8080", PORT: "8080" }, "DASHBOARD_METRICS_PORT"],
    [{ DASHBOARD_METRICS_TOKEN: "short-token" }, "DASHBOARD_METRICS_TOKEN"],
    [{ DASHBOARD_METRICS_TOKEN: "has a space in it, and is long enough" }, "DASHBOARD_METRICS_TOKEN"],
    [{ DASHBOARD_SMTP_URL: "smtp://mail.example.com:587" }, "DASHBOARD_SMTP_FROM"],
    [{ DASHBOARD_SMTP_URL: "http://mail.example.com", DASHBOARD_SMTP_FROM: "a@example.com" }, "DASHBOARD_SMTP_URL"],
    [{ DASHBOARD_SMTP_URL: "smtp://mail.example.com", DASHBOARD_SMTP_FROM: "nobody" }, "DASHBOARD_SMTP_FROM"],
    [{ DASHBOARD_WEBHOOK_URL: "https://hooks.example.com/in" }, "DASHBOARD_WEBHOOK_SECRET"],
    [{ DASHBOARD_WEBHOOK_URL: "ftp://hooks.example.com/in", DASHBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET }, "DASHBOARD_WEBHOOK_URL"],
    [{ DASHBOARD_WEBHOOK_URL: "https://a.example.com, not a url", DASHBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET }, "DASHBOARD_WEBHOOK_URL"],
    // fetch refuses a URL with credentials: every delivery would fail for 24 h.
    [{ DASHBOARD_WEBHOOK_URL: "https://hook:s3cret@a.example.com/in", DASHBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET }, "DASHBOARD_WEBHOOK_URL"],
    [{ DASHBOARD_WEBHOOK_URL: "https://a.example.com", DASHBOARD_WEBHOOK_SECRET: "plain-secret-without-prefix-0123456789" }, "DASHBOARD_WEBHOOK_SECRET"],
    [{ DASHBOARD_WEBHOOK_URL: "https://a.example.com", DASHBOARD_WEBHOOK_SECRET: `whsec_${Buffer.alloc(16, 1).toString("base64")}` }, "DASHBOARD_WEBHOOK_SECRET"],
  ])("refuses %o with a message naming %s", (env, variable) => {
    expect(() => testConfig(env)).toThrow(ConfigError);
    expect(() => testConfig(env)).toThrow(variable);
  });

  it("never echoes a webhook URL's credentials back in an error", () => {
    expect(() => testConfig({ DASHBOARD_WEBHOOK_URL: "https://hook:s3cret@a.example.com/in", DASHBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("s3cret") }),
    );
  });

  it("configures PostgreSQL from DATABASE_URL, never echoing the URL back in an error", () => {
    expect(testConfig().postgres).toBeNull();
    expect(
      testConfig({ DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: "postgresql://app:pw@db:5432/sessions", DASHBOARD_DB_POOL_SIZE: "20" }).postgres,
    ).toEqual({ url: "postgresql://app:pw@db:5432/sessions", poolSize: 20, statementTimeoutMs: 5000 });
    expect(() => testConfig({ DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: "http://app:secret-pw@db/x" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("secret-pw") }),
    );
  });

  it("refuses to generate keys for PostgreSQL, where every replica must share them", () => {
    const dir = tempDir();
    const env = { DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: "postgres://db/x", DASHBOARD_SESSION_SQLITE_PATH: path.join(dir, "s.db") };
    expect(() => parseConfig(env)).toThrow(/DASHBOARD_SECRET: required with DASHBOARD_SESSION_BACKEND=postgres/);
    expect(() => parseConfig(env)).toThrow(/DASHBOARD_ADMIN_KEY/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("keeps metrics off unless DASHBOARD_METRICS_PORT or DASHBOARD_METRICS_TOKEN is set, and never echoes the token", () => {
    expect(testConfig().metrics).toEqual({ port: null, token: null });
    const token = "metrics-token-0123456789abcdef-0123";
    expect(testConfig({ DASHBOARD_METRICS_PORT: "9464", DASHBOARD_METRICS_TOKEN: token }).metrics).toEqual({ port: 9464, token });
    expect(() => testConfig({ DASHBOARD_METRICS_TOKEN: "secret-but-short" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("secret-but-short") }),
    );
  });

  it("mails new-device alerts only with DASHBOARD_SMTP_URL and DASHBOARD_SMTP_FROM, never echoing the URL back", () => {
    expect(testConfig().smtp).toBeNull();
    expect(testConfig({ DASHBOARD_SMTP_URL: "smtps://app:pw@mail.example.com:465", DASHBOARD_SMTP_FROM: "Sessionboard <s@example.com>" }).smtp).toEqual({
      url: "smtps://app:pw@mail.example.com:465",
      from: "Sessionboard <s@example.com>",
    });
    expect(() => testConfig({ DASHBOARD_SMTP_URL: "ftp://app:secret-pw@mail.example.com", DASHBOARD_SMTP_FROM: "s@example.com" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("secret-pw") }),
    );
  });

  it("posts webhooks only with DASHBOARD_WEBHOOK_URL and DASHBOARD_WEBHOOK_SECRET, never echoing the secret back", () => {
    expect(testConfig().webhooks).toBeNull();
    expect(testConfig({ DASHBOARD_WEBHOOK_URL: "https://a.example.com/in, http://b.internal:8080/hooks,https://a.example.com/in", DASHBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET }).webhooks).toEqual({
      urls: ["https://a.example.com/in", "http://b.internal:8080/hooks"],
      secret: WEBHOOK_SECRET,
    });
    const short = `whsec_${Buffer.from("sixteen-byte-key").toString("base64")}`;
    expect(() => testConfig({ DASHBOARD_WEBHOOK_URL: "https://a.example.com", DASHBOARD_WEBHOOK_SECRET: short })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(short) }),
    );
  });

  it("reads DASHBOARD_TRUST_PROXY as a number of hops", () => {
    expect(testConfig({ DASHBOARD_TRUST_PROXY: "true" }).trustedProxyHops).toBe(1);
    expect(testConfig({ DASHBOARD_TRUST_PROXY: "2" }).trustedProxyHops).toBe(2);
    expect(testConfig({ DASHBOARD_TRUST_PROXY: "off" }).trustedProxyHops).toBe(0);
  });

  it("enables single sign-on with an issuer and a client id, deriving the redirect URI from DASHBOARD_URL", () => {
    expect(testConfig().oidc).toBeNull();
    expect(
      testConfig({
        DASHBOARD_URL: "https://sessions.example.com",
        DASHBOARD_OIDC_ISSUER: "https://idp.example.com/realms/acme",
        DASHBOARD_OIDC_CLIENT_ID: "sessionboard",
        DASHBOARD_OIDC_ADMIN_GROUP: "admins",
      }).oidc,
    ).toEqual({
      issuer: new URL("https://idp.example.com/realms/acme"),
      issuerId: "https://idp.example.com/realms/acme",
      clientId: "sessionboard",
      clientSecret: null,
      scopes: "openid profile email",
      adminGroup: "admins",
      groupsClaim: "groups",
      recheckMinutes: 15,
      recheckGraceMinutes: 1440,
      redirectUri: "https://sessions.example.com/api/auth/oidc/callback",
    });
    // The re-check: fractions of a minute allowed, 0 turns it off; the grace is bounded.
    const sso = { DASHBOARD_OIDC_ISSUER: "https://idp.example.com", DASHBOARD_OIDC_CLIENT_ID: "x" };
    expect(testConfig({ ...sso, DASHBOARD_OIDC_RECHECK_MINUTES: "0" }).oidc?.recheckMinutes).toBe(0);
    expect(testConfig({ ...sso, DASHBOARD_OIDC_RECHECK_MINUTES: "0.5", DASHBOARD_OIDC_RECHECK_GRACE_MINUTES: "60" }).oidc).toMatchObject({ recheckMinutes: 0.5, recheckGraceMinutes: 60 });
    expect(() => testConfig({ ...sso, DASHBOARD_OIDC_RECHECK_MINUTES: "-1" })).toThrow(/DASHBOARD_OIDC_RECHECK_MINUTES/);
    expect(() => testConfig({ ...sso, DASHBOARD_OIDC_RECHECK_GRACE_MINUTES: "soon" })).toThrow(/DASHBOARD_OIDC_RECHECK_GRACE_MINUTES/);
    // An SSO subject in DASHBOARD_ADMINS keeps its case (subjects are case-sensitive); usernames are lower-cased.
    expect([...testConfig({ DASHBOARD_ADMINS: "Root, OIDC:Sub-Of-Grace" }).admins]).toEqual(["root", "oidc:Sub-Of-Grace"]);
    // A name nobody could sign in with (the login form refuses it) is a mistake, said at start-up, naming it.
    expect(() => testConfig({ DASHBOARD_ADMINS: "root,bad!name" })).toThrow(/DASHBOARD_ADMINS: "bad!name" is not a username/);
    expect(() => testConfig({ DASHBOARD_ADMINS: `root,${"a".repeat(65)}` })).toThrow(/DASHBOARD_ADMINS: .*at most 64 characters/);
    expect(() => testConfig({ DASHBOARD_ADMINS: "oidc:" })).toThrow(/DASHBOARD_ADMINS: "oidc:" names no subject/);
    expect(() => testConfig({ DASHBOARD_ADMINS: "oidc:a\u0007b" })).toThrow(/DASHBOARD_ADMINS/);
    // The variable by its name alone, not the position of an entry in its list.
    expect(() => testConfig({ DASHBOARD_SECRET: `${"s".repeat(40)},short` })).toThrow(/\bDASHBOARD_SECRET: every entry must be at least 32 characters/);
    // Plain http only for a loopback test provider.
    expect(testConfig({ DASHBOARD_OIDC_ISSUER: "http://localhost:8080", DASHBOARD_OIDC_CLIENT_ID: "x" }).oidc?.issuer.host).toBe("localhost:8080");
  });

  it("reads DASHBOARD_LOCATION_HEADERS as a country,city pair of header names", () => {
    expect(testConfig().locationHeaders).toEqual({ country: "cf-ipcountry", city: "cf-ipcity" });
    expect(testConfig({ DASHBOARD_LOCATION_HEADERS: " X-Geo-Country , X-Geo-City" }).locationHeaders).toEqual({
      country: "x-geo-country",
      city: "x-geo-city",
    });
    expect(testConfig({ DASHBOARD_LOCATION_HEADERS: "off" }).locationHeaders).toBeNull();
  });

  it("generates missing secrets once into the data directory (0600) and reuses them", () => {
    const dir = tempDir();
    const env = { DASHBOARD_SESSION_SQLITE_PATH: path.join(dir, "db", "sessions.db") };
    const first = parseConfig(env);
    expect(first.generated?.createdNow).toBe(true);
    const file = path.join(dir, "db", "generated-credentials.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.secrets[0].length).toBeGreaterThanOrEqual(32);
    expect(first.userKey).not.toBe(first.adminKey);
    expect([...first.admins]).toEqual(["admin"]);

    const second = parseConfig(env);
    expect(second.generated?.createdNow).toBe(false);
    expect([second.secrets, second.userKey, second.adminKey]).toEqual([first.secrets, first.userKey, first.adminKey]);

    // Configured values always win over generated ones.
    const explicit = parseConfig({ ...env, DASHBOARD_KEY: "operator-chosen-key" });
    expect(explicit.userKey).toBe("operator-chosen-key");
    expect(explicit.adminKey).toBe(first.adminKey);
  });

  it("says which values it generated, and signs in with the configured key when only the secret was missing", () => {
    const dir = tempDir();
    const env = { DASHBOARD_SESSION_SQLITE_PATH: path.join(dir, "sessions.db"), DASHBOARD_KEY: "operator-chosen-key", DASHBOARD_ADMIN_KEY: "operator-admin-key", DASHBOARD_SECRET: "   " };
    const config = parseConfig(env);
    expect(config.generated?.variables).toEqual(["DASHBOARD_SECRET"]);
    expect([config.userKey, config.adminKey]).toEqual(["operator-chosen-key", "operator-admin-key"]);
    const hint = signInHint(config);
    expect(hint).toContain(`DASHBOARD_SECRET was not set, so Sessionboard generated it into ${config.generated?.file}`);
    expect(hint).toContain("as any username with DASHBOARD_KEY (as admin: username admin with DASHBOARD_ADMIN_KEY)");
    expect(hint).not.toContain('"key" from that file');
    // Everything generated: the file's keys.
    const all = parseConfig({ DASHBOARD_SESSION_SQLITE_PATH: path.join(tempDir(), "sessions.db") });
    expect(all.generated?.variables).toEqual(["DASHBOARD_SECRET", "DASHBOARD_KEY", "DASHBOARD_ADMIN_KEY"]);
    expect(signInHint(all)).toContain('with the "key" from that file (as admin: username admin with its "adminKey")');
  });

  it("is never read while `next build` runs, so no keys or database are baked into a build", () => {
    const dir = tempDir();
    const env = { NEXT_PHASE: "phase-production-build", DASHBOARD_SESSION_SQLITE_PATH: path.join(dir, "data", "sessions.db") };
    expect(() => parseConfig(env)).toThrow(/next build/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("does not generate anything when everything is configured", () => {
    const dir = tempDir();
    const config = testConfig({ DASHBOARD_SESSION_SQLITE_PATH: path.join(dir, "sessions.db") });
    expect(config.generated).toBeNull();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("public URL default", () => {
  it("follows PORT when DASHBOARD_URL is not set", () => {
    expect(testConfig({ PORT: "4123" }).publicUrl.origin).toBe("http://localhost:4123");
    expect(testConfig({ PORT: "4123", DASHBOARD_URL: "https://s.example.com" }).publicUrl.origin).toBe("https://s.example.com");
  });
});
