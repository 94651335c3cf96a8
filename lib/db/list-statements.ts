import type { PartBound, SessionListPart } from "./types";

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
};

type Params = [name: string, value: unknown][];

/** A statement under construction: `param` adds a parameter and gives its placeholder. */
function builder(dialect: ListDialect) {
  const params: Params = [];
  const param = (name: string, value: unknown) => dialect.placeholder(name, params.push([name, value]) - 1);
  const limit = (take: number) => {
    if (!Number.isSafeInteger(take) || take < 1) throw new RangeError(`a list reads a whole number of rows, not ${take}`);
    return dialect.literalLimit ? { sql: String(take), key: `-${take}` } : { sql: param("take", take), key: "" };
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

/** Database.userSessions: one part of a list of one person's sessions. */
export function userSessionsStatement(dialect: ListDialect, userId: string, part: SessionListPart, after: PartBound | null, take: number) {
  const { params, param, limit } = builder(dialect);
  const where = [`s."userId" = ${param("userId", userId)}`];
  switch (part.rows) {
    case "active":
      where.push(...activeConditions(dialect, param, "s", part));
      break;
    case "ended_marked":
      where.push(`s."revokedAt" IS NOT NULL`);
      break;
    case "expired_unmarked":
      where.push(dialect.notEnded("s"), `s."expiresAt" >= ${param("floor", dialect.date(part.floor))}`, `s."expiresAt" <= ${param("until", dialect.date(part.until))}`);
      break;
    case "all":
      break;
  }
  const order = `s."${part.order}"`;
  if (after) {
    const at = param("at", dialect.date(after.at));
    // The leading bound lets the index range start at the cursor (as rowsAfter in ../pagination/cursor).
    if (after.tie === "all") where.push(`${order} <= ${at}`);
    else if (after.tie === "none") where.push(`${order} < ${at}`);
    else where.push(`${order} <= ${at}`, `(${order} < ${at} OR (s."id" < ${param("idBelow", after.tie.idBelow)} AND ${order} = ${at}))`);
  }
  const rows = limit(take);
  const key = [part.rows, part.order, part.rows === "active" && part.pending ? "pending" : "", after ? (typeof after.tie === "string" ? after.tie : "id") : "start"].join("-") + rows.key;
  return { key, text: `SELECT ${SESSION_COLUMNS} FROM "Session" s WHERE ${where.join(" AND ")} ORDER BY ${order} DESC, s."id" DESC LIMIT ${rows.sql}`, params };
}

/** The columns of OpenAlertRow. */
const ALERT_COLUMNS = ["id", "sessionId", "browserFamily", "osFamily", "ipAddress", "country", "city", "createdAt"].map((column) => `a."${column}"`).join(", ");

/** Database.openAlerts: a person's open new-device alerts about sessions still active, newest first. */
export function openAlertsStatement(dialect: ListDialect, userId: string, exceptSessionId: string, since: Date, active: ActivePart, take: number) {
  const { params, param, limit } = builder(dialect);
  const user = param("userId", userId);
  const where = [
    `a."userId" = ${user}`,
    `a."createdAt" >= ${param("since", dialect.date(since))}`,
    `a."sessionId" <> ${param("except", exceptSessionId)}`,
    `a."dismissedAt" IS NULL`,
    `a."reportedAt" IS NULL`,
    `s."userId" = ${user}`,
    ...activeConditions(dialect, param, "s", active),
  ];
  const rows = limit(take);
  return {
    key: (active.pending ? "pending" : "plain") + rows.key,
    text: `SELECT ${ALERT_COLUMNS} FROM "SessionAlert" a JOIN "Session" s ON s."id" = a."sessionId" WHERE ${where.join(" AND ")} ORDER BY a."createdAt" DESC, a."id" DESC LIMIT ${rows.sql}`,
    params,
  };
}
