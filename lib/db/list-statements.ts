import { withTimes, type TimesAsText } from "./row-times";
import type { ListedSessionRow, OpenAlertRow, SessionListPart, UserSessionsRead } from "./types";

/**
 * The statements that read what a signed-in page lists (Database.userSessions, openAlerts), written
 * once for both backends: each is its text, which depends only on its `key` (so a backend prepares
 * it once), and its parameters in order. The rules are lib/sessions/active.ts's, whose Prisma form
 * (partWhere) the tests hold these to.
 */

/** What differs between the backends: how parameters are written and passed. */
export type ListDialect = {
  /** The placeholder of the `index`-th parameter (0-based) named `name`. */
  placeholder(name: string, index: number): string;
  /** A session not ended, in the form the backend's indexes match (see activeSessionWhere). */
  notEnded(alias: string): string;
  /** "`column` is one of the list in parameter `list`". */
  oneOf(column: string, list: string): string;
  date(value: Date): unknown;
  list(values: string[]): unknown;
  /**
   * Whether LIMIT is written into the text rather than passed (then each row count is a statement
   * of its own). SQLite: measured, a bound LIMIT made the active list ≈ 30 µs slower than a literal.
   */
  literalLimit: boolean;
  /**
   * Whether each row comes back as one JSON column, "row" (in the same order): PostgreSQL, where pg's
   * per-column setup and its timestamp parsing in JavaScript cost more than the columns' JSON.
   */
  jsonRows: boolean;
};

/** `text` as the dialect wants its rows: with jsonRows, one JSON column per row, sorted again by `order` (`alias` for the table). */
function rowsOf(dialect: ListDialect, text: string, order: (alias: string) => string): string {
  // A subquery's order is not the outer query's: the JSON rows are sorted again.
  return dialect.jsonRows ? `SELECT row_to_json(t) AS "row" FROM (${text}) t ORDER BY ${order("t")}` : text;
}

type Params = [name: string, value: unknown][];

/** A statement under construction: `param` adds a parameter and gives its placeholder. */
function builder(dialect: ListDialect) {
  const params: Params = [];
  const param = (name: string, value: unknown) => dialect.placeholder(name, params.push([name, value]) - 1);
  const limit = (take: number, name = "take") => {
    if (!Number.isSafeInteger(take) || take < 1) throw new RangeError(`a list reads a whole number of rows, not ${take}`);
    return dialect.literalLimit ? { sql: String(take), key: `-${take}` } : { sql: param(name, take), key: "" };
  };
  return { params, param, limit };
}

type Param = ReturnType<typeof builder>["param"];
type ActivePart = SessionListPart & { rows: "active" };

/** The session `s` still works (activeSessionWhere's rule). */
function activeConditions(dialect: ListDialect, param: Param, s: string, part: ActivePart): string[] {
  const now = param("now", dialect.date(part.now));
  const conditions = [dialect.notEnded(s), `${s}."expiresAt" > ${now}`, `${s}."absoluteExpiresAt" > ${now}`];
  conditions.push(`(${s}."authMethod" = 'oidc' OR ${dialect.oneOf(`${s}."keyFingerprint"`, param("prints", dialect.list(part.keyFingerprints)))})`);
  if (part.pending) conditions.push(`(${s}."createdAt" > ${param("pendingAt", dialect.date(part.pending.at))} OR ${s}."id" = ${param("keep", part.pending.keepSessionId)})`);
  return conditions;
}

/** The columns of ListedSessionRow. */
const SESSION_COLUMNS = [
  "id", "tokenHint", "authMethod", "ipAddress", "country", "city", "userAgent", "rememberMe", "createdAt", "lastActiveAt",
  "expiresAt", "absoluteExpiresAt", "revokedAt", "revokedBy", "revokeReason", "endReason",
].map((column) => `s."${column}"`).join(", ");

/**
 * Database.userSessions: parts of lists of one person's sessions, in one statement. One read is a
 * plain SELECT; several are each a SELECT of their own (its own index range and LIMIT) joined by
 * UNION ALL, each row tagged with its read ("read") and the time its part orders by ("listAt"), and
 * sorted by those — a subquery's order is not the union's. Each read's parameters are named after
 * it (SQLite binds by name).
 */
export function userSessionsStatement(dialect: ListDialect, userId: string, reads: UserSessionsRead[]) {
  if (reads.length === 0) throw new RangeError("a list statement reads at least one part");
  const { params, param, limit } = builder(dialect);
  const tagged = reads.length > 1;
  const selects = reads.map(({ part, after, take }, read) => {
    const named: Param = (name, value) => param(tagged ? `${name}${read}` : name, value);
    const where = [`s."userId" = ${named("userId", userId)}`];
    switch (part.rows) {
      case "active":
        where.push(...activeConditions(dialect, named, "s", part));
        break;
      case "ended_marked":
        where.push(`s."revokedAt" IS NOT NULL`);
        break;
      case "expired_unmarked":
        where.push(dialect.notEnded("s"), `s."expiresAt" >= ${named("floor", dialect.date(part.floor))}`, `s."expiresAt" <= ${named("until", dialect.date(part.until))}`);
        break;
      case "all":
        break;
    }
    const order = `s."${part.order}"`;
    if (after) {
      const at = named("at", dialect.date(after.at));
      // The leading bound lets the index range start at the cursor (as rowsAfter in ../pagination/cursor).
      if (after.tie === "all") where.push(`${order} <= ${at}`);
      else if (after.tie === "none") where.push(`${order} < ${at}`);
      else where.push(`${order} <= ${at}`, `(${order} < ${at} OR (s."id" < ${named("idBelow", after.tie.idBelow)} AND ${order} = ${at}))`);
    }
    const rows = limit(take, tagged ? `take${read}` : "take");
    const key = [part.rows, part.order, part.rows === "active" && part.pending ? "pending" : "", after ? (typeof after.tie === "string" ? after.tie : "id") : "start"].join("-") + rows.key;
    const columns = tagged ? `${SESSION_COLUMNS}, ${read} AS "read", ${order} AS "listAt"` : SESSION_COLUMNS;
    const sorted = (alias: string) => `${alias}."${part.order}" DESC, ${alias}."id" DESC`;
    return { key, sorted, text: `SELECT ${columns} FROM "Session" s WHERE ${where.join(" AND ")} ORDER BY ${sorted("s")} LIMIT ${rows.sql}` };
  });
  if (!tagged) return { key: selects[0].key, text: rowsOf(dialect, selects[0].text, selects[0].sorted), params };
  const union = `${selects.map((select, read) => `SELECT * FROM (${select.text}) AS r${read}`).join(" UNION ALL ")} ORDER BY "read", "listAt" DESC, "id" DESC`;
  return {
    key: selects.map((select) => select.key).join("+"),
    text: rowsOf(dialect, union, (alias) => `${alias}."read", ${alias}."listAt" DESC, ${alias}."id" DESC`),
    params,
  };
}

/** userSessionsStatement's rows, read by read, without the columns that sorted them. */
export function splitReads<Row extends object>(rows: (Row & { read?: number; listAt?: unknown })[], reads: number): Row[][] {
  if (reads === 1) return [rows];
  const split: Row[][] = Array.from({ length: reads }, () => []);
  for (const row of rows) {
    const read = row.read ?? 0;
    delete row.read;
    delete row.listAt;
    split[read].push(row);
  }
  return split;
}

/** The times among the columns of ListedSessionRow. ("listAt", when a union is sorted by it, is dropped by splitReads.) */
export const LISTED_TIMES = ["createdAt", "lastActiveAt", "expiresAt", "absoluteExpiresAt", "revokedAt"] as const satisfies readonly (keyof ListedSessionRow)[];
export type ListedTime = (typeof LISTED_TIMES)[number];

/** The columns of OpenAlertRow. */
const ALERT_COLUMNS = ["id", "sessionId", "browserFamily", "osFamily", "ipAddress", "country", "city", "createdAt"].map((column) => `a."${column}"`).join(", ");

/** The times among them. */
export const ALERT_TIMES = ["createdAt"] as const satisfies readonly (keyof OpenAlertRow)[];
export type AlertTime = (typeof ALERT_TIMES)[number];

/** An OpenAlertRow as either backend reads it: times as text, whether its session works as 1 or 0. */
export type AlertRowAsRead = Omit<TimesAsText<OpenAlertRow, AlertTime>, "sessionActive"> & { sessionActive: number };

export const toOpenAlert = ({ sessionActive, ...row }: AlertRowAsRead): OpenAlertRow => ({
  ...withTimes<Omit<OpenAlertRow, "sessionActive">, AlertTime>(row, ALERT_TIMES),
  sessionActive: sessionActive === 1,
});

const newestFirst = (alias: string) => `${alias}."createdAt" DESC, ${alias}."id" DESC`;

/**
 * Database.openAlerts: a person's open new-device alerts, newest first, each with whether its
 * session is still active (1 or 0; the session may be gone). lib/alerts decides who sees what.
 */
export function openAlertsStatement(dialect: ListDialect, userId: string, since: Date, active: ActivePart, take: number) {
  const { params, param, limit } = builder(dialect);
  const user = param("userId", userId);
  const where = [`a."userId" = ${user}`, `a."createdAt" >= ${param("since", dialect.date(since))}`, `a."dismissedAt" IS NULL`, `a."reportedAt" IS NULL`];
  const works = [`s."id" IS NOT NULL`, ...activeConditions(dialect, param, "s", active)].join(" AND ");
  const rows = limit(take);
  return {
    key: (active.pending ? "pending" : "plain") + rows.key,
    text: rowsOf(
      dialect,
      `SELECT ${ALERT_COLUMNS}, CASE WHEN ${works} THEN 1 ELSE 0 END AS "sessionActive" ` +
        `FROM "SessionAlert" a LEFT JOIN "Session" s ON s."id" = a."sessionId" AND s."userId" = ${user} ` +
        `WHERE ${where.join(" AND ")} ORDER BY ${newestFirst("a")} LIMIT ${rows.sql}`,
      newestFirst,
    ),
    params,
  };
}
