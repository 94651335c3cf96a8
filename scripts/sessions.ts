/**
 * Operator CLI: `npm run sessions -- <command>` against the configured backend, with the same rules
 * and audit events as the UI (actor "cli").
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CLI_ACTOR } from "../lib/actor";
import { adminCounters, listAdminSessions, revokeAllSessions, revokeSessionAsAdmin, revokeUserSessionsAsAdmin } from "../lib/admin/sessions";
import { linkUserToSsoSubject } from "../lib/auth/sso-identity";
import { ConfigError, DEFAULT_SQLITE_PATH, getConfig } from "../lib/config";
import { getDatabase } from "../lib/db";
import { isDatabaseUnavailable } from "../lib/db/availability";
import { DomainError } from "../lib/errors";
import { cleanupSessions } from "../lib/sessions/cleanup";
import type { RequestInfo } from "../lib/request/types";
import { adminSessionsQuerySchema, reasonSchema } from "../lib/validation/admin";
import { ssoSubjectSchema, usernameSchema } from "../lib/validation/auth";
import { issueText } from "../lib/validation/issue-text";
import { z, ZodError } from "zod";
import { parseLogLevel } from "../server/env-rules.mjs";
import { createLogger, installLogger } from "../server/log.mjs";

// What this command prints is its interface, for people and scripts (plain stdout/stderr, below).
// Log lines from lib/ (a database outage, say) go to stderr, so stdout stays that output.
const LOG_LEVEL = parseLogLevel(process.env.DASHBOARD_LOG_LEVEL) ?? "info";
installLogger(createLogger({ level: LOG_LEVEL, destination: 2 }));

/** The app's directory: the CLI is scripts/sessions.ts, or dist/sessions.mjs once built. */
const APP_ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

const USAGE = `Usage: npm run sessions -- <command>

  list [--user NAME] [--prefix] [--method static|oidc] [--ip IP|PREFIX|CIDR] [--country CC] [--browser NAME] [--signed-in-after T] [--signed-in-before T] [--limit N] [--cursor C] [--json]
                        active sessions, most recently active first (times: ISO 8601, UTC)
  revoke ID [--reason TEXT]           revoke one session by its public id
  revoke-user NAME [--reason TEXT]    revoke every session of a user
  revoke-all --yes [--reason TEXT]    revoke every session of everyone
  cleanup                             mark expired sessions ended, delete ended ones past SESSION_HISTORY_DAYS and stale login counters now
  stats [--json]                      active sessions and users; created, revoked, expired in 24 h
  link-sso NAME --subject=SUB         make the existing user NAME the account of SSO subject SUB (the
                                      shared key then no longer signs in as NAME)`;

const CLI_REQUEST: RequestInfo = { ip: null, userAgent: "sessionboard-cli" };

class UsageError extends Error {}
/** What the CLI refuses to do for a reason other than how it was called: exit 1, the message alone. */
class Refusal extends Error {}

const OPTIONS = {
  user: { type: "string" },
  prefix: { type: "boolean", default: false },
  method: { type: "string" },
  ip: { type: "string" },
  country: { type: "string" },
  browser: { type: "string" },
  "signed-in-after": { type: "string" },
  "signed-in-before": { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  json: { type: "boolean", default: false },
  reason: { type: "string" },
  yes: { type: "boolean", default: false },
  subject: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The options each command takes (and --help, which every one does). */
const COMMAND_OPTIONS = {
  list: ["user", "prefix", "method", "ip", "country", "browser", "signed-in-after", "signed-in-before", "limit", "cursor", "json"],
  revoke: ["reason"],
  "revoke-user": ["reason"],
  "revoke-all": ["yes", "reason"],
  cleanup: [],
  stats: ["json"],
  "link-sso": ["subject"],
} as const satisfies Record<string, readonly (keyof typeof OPTIONS)[]>;

type Command = keyof typeof COMMAND_OPTIONS;
const isCommand = (name: string): name is Command => Object.hasOwn(COMMAND_OPTIONS, name);

const isOption = (arg: string) => arg === "-h" || (arg.startsWith("--") && Object.hasOwn(OPTIONS, arg.slice(2).split("=")[0]));

/** A session id as the product writes one: 22 base64url characters, which may begin with "-" or "--". */
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * Session ids are base64url and may begin with "-", which the option parser would read as flags.
 * The argument right after `revoke` / `revoke-user` is therefore passed behind "--", where
 * everything is positional — unless it is written as an option ("--bogus"; for revoke, one that is
 * not an id's shape), which the parser then names if no command takes it.
 */
function commandLine(argv: string[]): { args: string[]; argLast: boolean } {
  const [command, arg, ...rest] = argv;
  if ((command === "revoke" || command === "revoke-user") && arg !== undefined && !isOption(arg)) {
    const optionWord = arg.startsWith("--") && !(command === "revoke" && SESSION_ID.test(arg));
    if (!optionWord) return { args: [command, ...rest, "--", arg], argLast: true };
  }
  return { args: argv, argLast: false };
}

/** The commands that name what they act on; the others take options only. */
const TAKES_ARGUMENT = new Set<Command>(["revoke", "revoke-user", "link-sso"]);

async function main(argv: string[]): Promise<number> {
  const { args, argLast } = commandLine(argv);
  const { values, positionals, tokens } = parseArgs({ args, allowPositionals: true, options: OPTIONS, tokens: true });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  // One table of options for the parser, so each command's own are checked here: an option meant
  // for another command (revoke-all --user NAME) must not be ignored while the command acts.
  if (!isCommand(command)) throw new UsageError(`Unknown command "${command}"`);
  const allowed: readonly string[] = COMMAND_OPTIONS[command];
  const foreign = [...new Set(tokens.flatMap((token) => (token.kind === "option" && !allowed.includes(token.name) ? [`--${token.name}`] : [])))];
  if (foreign.length > 0) throw new UsageError(`${command} does not take ${foreign.join(", ")}`);
  // The Admin Panel's rules for a reason (one line, at most 200 characters), named as its field.
  const reason = z.object({ reason: reasonSchema }).parse({ reason: values.reason }).reason;
  const arg = TAKES_ARGUMENT.has(command) ? (argLast ? rest.pop() : rest.shift()) : undefined;
  if (rest.length > 0) throw new UsageError(`Unexpected arguments: ${rest.join(" ")}`);
  // A relative SQLite path is the caller's; the migrations ship beside the CLI, so it then works
  // from any directory (a cron job's).
  process.env.DASHBOARD_SESSION_SQLITE_PATH = path.resolve(process.env.DASHBOARD_SESSION_SQLITE_PATH?.trim() || DEFAULT_SQLITE_PATH);
  process.chdir(APP_ROOT);
  // Read before anything else opens the database, so the CLI never generates keys of its own.
  const config = getConfig("read");
  if (config.backend === "memory") {
    throw new UsageError("DASHBOARD_SESSION_BACKEND=memory lives inside the server process; the CLI needs a database it can open.");
  }
  // Opening would create it, empty, and the command would report having found nothing to do.
  if (config.backend === "sqlite" && !fs.existsSync(config.sqlitePath)) {
    throw new Refusal(`There is no database at ${config.sqlitePath} (DASHBOARD_SESSION_SQLITE_PATH): the server creates it on its first start; point the variable at that file.`);
  }
  const db = await getDatabase();
  try {
    switch (command) {
      case "list": {
        if (values.prefix && !values.user) throw new UsageError("--prefix needs --user NAME: the start of the usernames to list");
        const query = adminSessionsQuerySchema.parse({
          user: values.user,
          match: values.prefix ? "prefix" : "exact",
          method: values.method,
          ip: values.ip,
          country: values.country,
          browser: values.browser,
          signedInAfter: values["signed-in-after"],
          signedInBefore: values["signed-in-before"],
          limit: values.limit,
          cursor: values.cursor,
        });
        const page = await listAdminSessions(db, config, null, query);
        if (values.json) {
          console.log(JSON.stringify(page, null, 2));
        } else {
          printTable(page.sessions.map((s) => ({
            id: s.id,
            user: s.user.username + (s.flagged ? " (!)" : ""),
            method: s.authMethod,
            ip: s.ipAddress ?? "",
            device: [s.browser, s.os].filter(Boolean).join(" on ") || "unknown",
            lastActive: s.lastActiveAt,
            expires: s.expiresAt,
          })));
          // With "=": a cursor may begin with "-".
          if (page.nextCursor) console.log(`\nMore: --cursor=${page.nextCursor}`);
        }
        return 0;
      }
      case "revoke": {
        if (!arg) throw new UsageError("revoke needs a session id (see `list`)");
        await revokeSessionAsAdmin(db, CLI_ACTOR, arg, reason, CLI_REQUEST);
        console.log(`Revoked session ${arg}.`);
        return 0;
      }
      case "revoke-user": {
        if (!arg) throw new UsageError("revoke-user needs a username");
        const username = usernameSchema.parse(arg);
        const count = await revokeUserSessionsAsAdmin(db, CLI_ACTOR, username, reason, CLI_REQUEST);
        console.log(`Revoked ${count} session${count === 1 ? "" : "s"} of ${username}.`);
        return 0;
      }
      case "revoke-all": {
        if (!values.yes) throw new UsageError("revoke-all signs everyone out; confirm with --yes");
        const count = await revokeAllSessions(db, config, CLI_ACTOR, { includeSelf: true, reason }, CLI_REQUEST);
        console.log(`Revoked ${count} session${count === 1 ? "" : "s"}.`);
        return 0;
      }
      case "cleanup": {
        const result = await cleanupSessions(db, config, { actor: CLI_ACTOR });
        console.log(
          `Marked ${result.endedSessions} expired sessions ended; deleted ${result.expiredSessions} ended sessions and ${result.loginAttempts} stale login counters.`,
        );
        return 0;
      }
      case "stats": {
        const counters = await adminCounters(db, config);
        if (values.json) console.log(JSON.stringify(counters, null, 2));
        else printTable([counters]);
        return 0;
      }
      case "link-sso": {
        if (!arg || !values.subject) throw new UsageError("link-sso needs a username and --subject=SUB (the sub claim at the identity provider)");
        const subject = ssoSubjectSchema.parse(values.subject);
        if (!config.oidc) throw new UsageError("Single sign-on is not configured (DASHBOARD_OIDC_ISSUER, DASHBOARD_OIDC_CLIENT_ID)");
        const oidc = config.oidc;
        const linked = await linkUserToSsoSubject(db, oidc, usernameSchema.parse(arg), subject, CLI_ACTOR, CLI_REQUEST).catch((error: unknown) => {
          // The API's words for this are for someone at the login page ("sign in with a key").
          if (error instanceof DomainError && error.code === "sso_unavailable") {
            throw new Refusal(`The identity provider at ${oidc.issuer.href} cannot be reached, and the issuer to link to is the one it names: try again once it answers.`);
          }
          throw error;
        });
        console.log(`${linked.username} now signs in with SSO as subject ${linked.subject} at ${linked.issuer}; ${linked.sessionsEnded} earlier session${linked.sessionsEnded === 1 ? "" : "s"} ended.`);
        return 0;
      }
      default:
        // Every command in COMMAND_OPTIONS has its case: a new one without it does not compile.
        return command satisfies never;
    }
  } finally {
    await db.close();
  }
}

function printTable(rows: Record<string, string | number>[]) {
  if (rows.length === 0) {
    console.log("(none)");
    return;
  }
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((c) => String(row[c]))));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof ConfigError || error instanceof DomainError || error instanceof Refusal) console.error(error.message);
    else if (error instanceof ZodError) {
      // Only what was typed is parsed here (an argument, an option's value): a usage error.
      console.error(error.issues.map(issueText).join("\n"));
      process.exit(2);
    } else if (error instanceof Error && error.name === "TypeError" && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    } else if (isDatabaseUnavailable(error)) {
      console.error(`The database cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
    } else {
      // One line for the person at the terminal; the stack is for a debug log, not for them.
      console.error(`The command failed: ${error instanceof Error ? error.message : String(error)}`);
      if (LOG_LEVEL === "debug" || LOG_LEVEL === "trace") console.error(error);
    }
    process.exit(1);
  },
);
