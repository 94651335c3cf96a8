import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { freePort } from "../support/ports";
import { startTestIdp } from "../support/test-idp";
import { openDatabase } from "@/lib/db";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { ADMIN_KEY, SECRET_A, USER_KEY, request, signIn, tempDatabase, testConfig } from "./helpers";

const run = promisify(execFile);

/** Runs `npm run sessions -- …` the way an operator would, as a child process on the same database. */
async function cli(database: Record<string, string>, ...args: string[]) {
  return cliIn(process.cwd(), database, ...args);
}

/** The same, started from `cwd` (a cron job's, say). */
async function cliIn(cwd: string, database: Record<string, string>, ...args: string[]) {
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "production",
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DASHBOARD_SECRET: SECRET_A,
    DASHBOARD_KEY: USER_KEY,
    DASHBOARD_ADMIN_KEY: ADMIN_KEY,
    DASHBOARD_ADMINS: "root,admin",
    ...database,
  };
  try {
    const { stdout, stderr } = await run(path.resolve("node_modules", ".bin", "tsx"), [path.resolve("scripts", "sessions.ts"), ...args], { env, cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("operator CLI", () => {
  it("lists, revokes (one, a user, everyone), cleans up and reports stats, audited as 'cli'", async () => {
    const { db, env: database } = await tempDatabase();
    const config = testConfig(database);
    const alice = [await signIn(db, config, "alice", USER_KEY), await signIn(db, config, "alice", USER_KEY)];
    const bob = await signIn(db, config, "bob", USER_KEY, false, { ...request, userAgent: "curl/8.5.0" });
    const carol = await signIn(db, config, "carol", USER_KEY);

    const listed = await cli(database, "list", "--json");
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout) as { sessions: { id: string; user: { username: string } }[]; nextCursor: string | null };
    expect(page.sessions).toHaveLength(4);
    expect(page.sessions.map((s) => s.user.username).sort()).toEqual(["alice", "alice", "bob", "carol"]);
    expect(listed.stdout).not.toContain(bob.token);

    const table = await cli(database, "list", "--user", "alice");
    expect(table.stdout.split("\n")[0]).toMatch(/^id\s+user\s+method\s+ip\s+device\s+lastActive\s+expires$/);
    expect(table.stdout).toContain(alice[0].session.id);
    expect(table.stdout).not.toContain(bob.session.id);
    const inBlock = JSON.parse((await cli(database, "list", "--ip", "203.0.113.0/24", "--signed-in-after", "2000-01-01", "--json")).stdout) as typeof page;
    expect(inBlock.sessions).toHaveLength(4);
    expect(JSON.parse((await cli(database, "list", "--ip", "198.51.100.0/24", "--json")).stdout)).toMatchObject({ sessions: [] });
    expect((await cli(database, "list", "--ip", "203.0.113.9/24")).stderr).toContain("did you mean 203.0.113.0/24?");

    // Session ids are base64url: one that begins with "-" is still an id, not an option.
    const dashed = `-${bob.session.id.slice(1)}`;
    await db.prisma.session.update({ where: { id: bob.session.id }, data: { id: dashed } });
    bob.session.id = dashed;
    expect(await cli(database, "revoke", bob.session.id, "--reason", "lost phone")).toMatchObject({ code: 0, stdout: `Revoked session ${bob.session.id}.\n` });
    expect(await cli(database, "revoke", bob.session.id)).toMatchObject({ code: 1, stderr: "That session is no longer active: it may have expired or been revoked already.\n" });
    expect(await cli(database, "revoke-user", "alice", "--reason", "laptop stolen")).toMatchObject({ code: 0, stdout: "Revoked 2 sessions of alice.\n" });
    expect(await cli(database, "revoke-user", "nobody")).toMatchObject({ code: 1, stderr: "There is no user with that name.\n" });
    const refused = await cli(database, "revoke-all");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("confirm with --yes");
    expect(await cli(database, "revoke-all", "--yes")).toMatchObject({ code: 0, stdout: "Revoked 1 session.\n" });
    expect(await cli(database, "cleanup")).toMatchObject({ code: 0, stdout: "Marked 0 expired sessions ended; deleted 0 ended sessions and 0 stale login counters.\n" });
    const stats = JSON.parse((await cli(database, "stats", "--json")).stdout);
    expect(stats).toMatchObject({ activeSessions: 0, createdLast24h: 4, revokedLast24h: 4 });
    expect((await cli(database, "frobnicate")).code).toBe(2);
    expect((await cli(database, "list", "--method", "carrier-pigeon")).stderr).toContain('method must be "static" or "oidc"');

    const events = await db.prisma.authEvent.findMany({ where: { type: { in: ["session.revoked", "sessions.revoked_all"] } } });
    expect(events.map((e) => e.actor)).toEqual(["cli", "cli", "cli", "cli"]);
    expect(events.find((e) => e.username === "alice")?.detail).toBe("scope: user alice; reason: laptop stolen");
    expect(events.find((e) => e.sessionId === carol.session.id)).toBeUndefined();
    expect(events.find((e) => e.type === "sessions.revoked_all")).toMatchObject({ count: 1 });
  }, 60_000);

  it("works from any directory: a relative DASHBOARD_SESSION_SQLITE_PATH is the caller's, the migrations are the CLI's own", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-cli-"));
    try {
      // The server's databases, as its first start leaves them.
      for (const file of ["sessions.db", "here.db"]) await (await openDatabase(testConfig({ DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: path.join(dir, file) }))).close();
      const absolute = await cliIn(os.tmpdir(), { DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: path.join(dir, "sessions.db") }, "stats", "--json");
      expect(absolute.stderr).toBe("");
      expect(absolute.code).toBe(0);
      expect(JSON.parse(absolute.stdout)).toMatchObject({ activeSessions: 0 });
      const relative = await cliIn(dir, { DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: "here.db" }, "stats", "--json");
      expect(relative.code).toBe(0);
      expect(JSON.parse(relative.stdout)).toMatchObject({ activeSessions: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a usage error exits 2 and names what is wrong: a stray argument, a bad option value", async () => {
    const { env: database } = await tempDatabase();
    const usage = async (...args: string[]) => {
      const result = await cli(database, ...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout, args.join(" ")).toBe("");
      return result.stderr.split("\n")[0];
    };
    expect(await usage("revoke", "AbCdEfGhIjKlMnOpQrStUv", "extra")).toBe("Unexpected arguments: extra");
    expect(await usage("revoke-user", "alice", "extra")).toBe("Unexpected arguments: extra");
    expect(await usage("list", "foo")).toBe("Unexpected arguments: foo");
    expect(await usage("stats", "foo")).toBe("Unexpected arguments: foo");
    expect(await usage("cleanup", "foo")).toBe("Unexpected arguments: foo");
    expect(await usage("list", "--limit", "0")).toBe("limit must be at least 1");
    expect(await usage("list", "--limit", "0x10")).toBe("limit must be a number");
    expect(await usage("list", "--limit", "1e1")).toBe("limit must be a number");
    expect(await usage("list", "--method", "foo")).toBe('method must be "static" or "oidc"');
    // Named once, as the API names it.
    expect(await usage("list", "--ip", "10.1.2.3/8")).toBe("ip: 10.1.2.3/8 has address bits set past /8: did you mean 10.0.0.0/8?");
    expect(await usage("revoke-user", "bad name!")).toBe("Username may contain only letters, digits and . _ @ -");
    expect(await usage("revok", "x")).toBe('Unknown command "revok"');
    // Names every object has are not commands either.
    expect(await usage("constructor", "--json")).toBe('Unknown command "constructor"');
    expect(await usage("toString")).toBe('Unknown command "toString"');
    // An option word where the id or username goes is an option, and one no command takes is named.
    expect(await usage("revoke", "--bogus")).toMatch(/^Unknown option '--bogus'/);
    expect(await usage("revoke-user", "--bogus")).toMatch(/^Unknown option '--bogus'/);
    expect(await usage("revoke-user", "--force", "alice")).toMatch(/^Unknown option '--force'/);
    expect(await usage("list", "--prefix")).toBe("--prefix needs --user NAME: the start of the usernames to list");
    expect(await usage("link-sso", "ivan", "--subject= ivan-sub")).toBe("subject must not begin or end with a space");
    expect(await usage("link-sso", "ivan", `--subject=${"s".repeat(256)}`)).toBe("subject must be at most 255 characters");
    expect(await usage("link-sso", "ivan", "--subject=a\u0007b")).toBe("subject must not contain control characters");
    // A session id may begin with "--" (base64url): it is still the id.
    expect(await cli(database, "revoke", "--bCdEfGhIjKlMnOpQrStU")).toMatchObject({ code: 1, stderr: "That session is no longer active: it may have expired or been revoked already.\n" });
  }, 90_000);

  it("refuses an option that is not its command's, before it acts: revoke-all --user signs no one out", async () => {
    const { db, env: database } = await tempDatabase();
    const config = testConfig(database);
    const erin = await signIn(db, config, "erin", USER_KEY);
    const dave = await signIn(db, config, "dave", USER_KEY);
    for (const [args, first] of [
      [["revoke-all", "--yes", "--user", "erin"], "revoke-all does not take --user"],
      [["revoke-user", "dave", "--ip", "10.0.0.0/8", "--method", "oidc"], "revoke-user does not take --ip, --method"],
      [["revoke", erin.session.id, "--yes"], "revoke does not take --yes"],
      [["stats", "--user", "x"], "stats does not take --user"],
      [["cleanup", "--json"], "cleanup does not take --json"],
      [["list", "--yes"], "list does not take --yes"],
      [["link-sso", "dave", "--subject=x", "--reason", "r"], "link-sso does not take --reason"],
    ] as const) {
      const result = await cli(database, ...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.split("\n")[0], args.join(" ")).toBe(first);
    }
    for (const one of [erin, dave]) expect((await validateSessionCookie(db, config, one.cookie, request)).status).toBe("active");
  });

  it("holds a reason to the Admin Panel's rules: one line of at most 200 characters", async () => {
    const { db, env: database } = await tempDatabase();
    const config = testConfig(database);
    const erin = await signIn(db, config, "erin", USER_KEY);
    expect(await cli(database, "revoke-user", "erin", "--reason", "x".repeat(201))).toMatchObject({ code: 2, stderr: expect.stringMatching(/^reason must be at most 200 characters\n/) });
    expect(await cli(database, "revoke-all", "--yes", "--reason", "two\nlines")).toMatchObject({ code: 2, stderr: expect.stringMatching(/^reason must be one line of text/) });
    expect((await validateSessionCookie(db, config, erin.cookie, request)).status).toBe("active");
  });

  it("refuses a SQLite file that does not exist instead of making an empty one, and a database it cannot reach without a stack", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-cli-"));
    try {
      const file = path.join(dir, "typo", "sessions.db");
      const missing = await cli({ DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: file }, "revoke-all", "--yes");
      expect(missing).toMatchObject({ code: 1, stdout: "" });
      expect(missing.stderr).toBe(`There is no database at ${file} (DASHBOARD_SESSION_SQLITE_PATH): the server creates it on its first start; point the variable at that file.\n`);
      expect(fs.existsSync(path.join(dir, "typo"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const unreachable = await cli({ DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere` }, "stats");
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toBe("");
    expect(unreachable.stderr).toContain("The database cannot be reached");
    expect(unreachable.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it("without the server's secret and keys, and no generated ones to read, refuses instead of making new ones", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-cli-"));
    try {
      const database = { DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: path.join(dir, "sessions.db") };
      const refused = await cli({ ...database, DASHBOARD_SECRET: "", DASHBOARD_KEY: "", DASHBOARD_ADMIN_KEY: "" }, "revoke-all", "--yes", "--reason", "incident");
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("DASHBOARD_SECRET");
      expect(refused.stdout).not.toContain("Revoked");
      expect(fs.existsSync(path.join(dir, "generated-credentials.json"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("links an existing key user to an SSO subject, at the issuer the provider names", async () => {
    const { db, env: database } = await tempDatabase();
    const idp = await startTestIdp();
    onTestFinished(() => idp.stop());
    const sso = { DASHBOARD_OIDC_ISSUER: `${idp.issuer}/`, DASHBOARD_OIDC_CLIENT_ID: "sessionboard" };
    const config = testConfig({ ...database, ...sso });
    await signIn(db, config, "ivan", USER_KEY);
    // The provider cannot be asked for its issuer: nothing is linked.
    const down = { ...sso, DASHBOARD_OIDC_ISSUER: `http://127.0.0.1:${await freePort()}` };
    const refused = await cli({ ...database, ...down }, "link-sso", "ivan", "--subject=-Ivan-Sub-1");
    expect(refused).toMatchObject({ code: 1, stderr: `The identity provider at ${down.DASHBOARD_OIDC_ISSUER}/ cannot be reached, and the issuer to link to is the one it names: try again once it answers.\n` });
    expect(await db.prisma.user.findUnique({ where: { username: "ivan" } })).toMatchObject({ authSource: "static", oidcSubject: null });

    const linked = await cli({ ...database, ...sso }, "link-sso", "ivan", "--subject=-Ivan-Sub-1");
    expect(linked).toMatchObject({ code: 0, stdout: `ivan now signs in with SSO as subject -Ivan-Sub-1 at ${idp.issuer}; 1 earlier session ended.\n` });
    expect(await db.prisma.user.findUnique({ where: { username: "ivan" } })).toMatchObject({
      authSource: "oidc",
      oidcIssuer: idp.issuer,
      oidcSubject: "-Ivan-Sub-1",
    });
    expect((await cli({ ...database, ...sso }, "link-sso", "ivan")).code).toBe(2);
    expect(await cli({ ...database, ...sso }, "link-sso", "nobody", "--subject=x")).toMatchObject({ code: 1, stderr: "There is no user with that name.\n" });
    expect((await cli(database, "link-sso", "ivan", "--subject=x")).stderr).toContain("Single sign-on is not configured");
  }, 60_000);

  it("prints the commands and options that the README's runbook documents", async () => {
    const usage = await cli({}, "--help");
    expect(usage.code).toBe(0);
    const readme = fs.readFileSync("README.md", "utf8");
    const runbook = readme.slice(readme.indexOf("## Operator CLI"), readme.indexOf("Exit status:"));
    const rows = [...runbook.matchAll(/^\| `([a-z-]+)([^`]*)` \|/gm)];
    expect(rows.map((row) => row[1])).toEqual(["list", "revoke", "revoke-user", "revoke-all", "cleanup", "stats", "link-sso"]);
    const options = (text: string) => [...text.matchAll(/--[a-z-]+/g)].map((match) => match[0]).sort();
    for (const [, command, documented] of rows) {
      const line = usage.stdout.split("\n").find((l) => l.trim() === command || l.trim().startsWith(`${command} `));
      expect(line, command).toBeDefined();
      expect(options(line!), command).toEqual(options(documented));
    }
  });
});
