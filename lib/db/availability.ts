/**
 * Whether the database can answer, as far as this process knows. A failure that means "the
 * database is unreachable" (not a bug, not just slow) marks it down; from then on requests are answered with 503
 * until a ping succeeds — at most one ping at a time and one a second, so an outage is not made
 * worse by every request opening a connection. Failures are classified where they arise: only an
 * error the database layer marked on its way out (./boundary.ts) can say anything about the database.
 */
import { logger } from "../log";

/**
 * "down": the database cannot be reached (refused, dropped, shutting down). "busy": it is reachable
 * but did not answer in time (statement timeout, lock wait, no free pooled connection). Both get a
 * 503; only "down" starts an outage, so one slow query does not turn every request away.
 */
export type DatabaseFailure = "down" | "busy";

const CODES: Record<string, DatabaseFailure> = {
  // Node sockets
  ECONNREFUSED: "down", ECONNRESET: "down", ETIMEDOUT: "down", EPIPE: "down", ENOTFOUND: "down",
  EHOSTUNREACH: "down", ENETUNREACH: "down", EAI_AGAIN: "down",
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, the 08
  // class (connection exceptions); query_canceled (statement timeout). (55000, a database not
  // accepting connections, is matched with its message below: the code also covers bugs.)
  "57P01": "down", "57P02": "down", "57P03": "down", "53300": "down",
  "08000": "down", "08001": "down", "08003": "down", "08004": "down", "08006": "down", "08P01": "down",
  "57014": "busy",
  // Prisma: can't reach, server closed the connection, too many connections; timed out, pool timeout
  P1001: "down", P1002: "down", P1017: "down", P2037: "down", P1008: "busy", P2024: "busy",
  // Prisma's transaction API: could not start one in time (no connection, or BEGIN unanswered),
  // or it ran past its time limit
  P2028: "busy",
  // SQLite: cannot open, I/O error, disk full; locked beyond busy_timeout
  SQLITE_CANTOPEN: "down", SQLITE_IOERR: "down", SQLITE_FULL: "down", SQLITE_BUSY: "busy",
};

/** Prisma's driver-adapter error kinds for the same situations. */
const KINDS: Record<string, DatabaseFailure> = {
  DatabaseNotReachable: "down", ConnectionClosed: "down", SocketTimeout: "down", TooManyConnections: "down", DatabaseDoesNotExist: "down",
};

const MESSAGES: [RegExp, DatabaseFailure][] = [
  // "Query read timeout": pg's client-side query_timeout, set past the statement timeout, so the
  // server did not answer at all (not even to cancel the statement)
  [/Connection terminated|not queryable|Can't reach database|unable to open database|server closed the connection|terminating connection|Query read timeout|is not currently accepting connections/i, "down"],
  // pg's pool: no connection became free within connectionTimeoutMillis
  [/timeout exceeded when trying to connect|database is locked/i, "busy"],
];

/**
 * What kind of database failure `error` is, or null for anything else (a bug, bad input). Looks
 * through `cause` chains and Prisma's `meta.driverAdapterError`, where the driver's own code ends up.
 * A heuristic on codes and messages that any network client shares (ECONNREFUSED, ETIMEDOUT…), so
 * it is applied only where an error leaves the database layer (markDatabaseError); everything else
 * asks databaseFailureOf.
 */
export function classifyDatabaseFailure(error: unknown): DatabaseFailure | null {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 10; seen++) {
    const current = queue.shift();
    if (!current || typeof current !== "object") continue;
    const { code, kind, message, originalCode, cause, meta } = current as Record<string, unknown>;
    for (const value of [code, originalCode]) {
      if (typeof value !== "string") continue;
      const found = Object.hasOwn(CODES, value) ? CODES[value] : value.startsWith("SQLITE_BUSY") ? "busy" : undefined;
      if (found) return found;
    }
    if (typeof kind === "string" && Object.hasOwn(KINDS, kind)) return KINDS[kind];
    if (typeof message === "string") {
      const found = MESSAGES.find(([pattern]) => pattern.test(message));
      if (found) return found[1];
    }
    queue.push(cause, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
  }
  return null;
}

/**
 * The database layer's verdict on an error that left it: a failure kind, or null (a bug, a
 * constraint). A Symbol.for key rather than a class or a WeakSet, so that Next's separate bundles
 * (proxy, routes, pages), each with its own copy of this module, read the same mark.
 */
const VERDICT = Symbol.for("sessionboard.databaseVerdict");

type Marked = { [VERDICT]: DatabaseFailure | null };

const isMarked = (error: unknown): error is Marked => typeof error === "object" && error !== null && Object.hasOwn(error, VERDICT);

/**
 * For lib/db only: classifies an error at the point it leaves the database layer and marks it with
 * the verdict; returns the error to throw (the same object, or a wrapper when it cannot carry a mark).
 */
export function markDatabaseError(error: unknown): unknown {
  if (isMarked(error)) return error;
  const verdict = classifyDatabaseFailure(error);
  const target =
    typeof error === "object" && error !== null && Object.isExtensible(error)
      ? error
      : new Error(error instanceof Error ? error.message : String(error), { cause: error });
  Object.defineProperty(target, VERDICT, { value: verdict, enumerable: false });
  return target;
}

/**
 * What a failure means for the database: "down" or "busy" only when the database layer said so.
 * A connection error from anywhere else (an identity provider's fetch, say) is null.
 */
export const databaseFailureOf = (error: unknown): DatabaseFailure | null => (isMarked(error) ? error[VERDICT] : null);

/** Errors that mean "the database cannot answer right now" (a 503) rather than a bug. */
export const isDatabaseUnavailable = (error: unknown): boolean => databaseFailureOf(error) !== null;

const state = globalThis as unknown as {
  sessionboardDatabaseDown?: { since: Date; lastProbe: number; probe: Promise<boolean> | null };
  sessionboardDatabaseProbe?: () => Promise<void>;
};

/**
 * Records a failure; returns whether it meant the database is unavailable (answer 503). Only errors
 * the database layer marked count: nothing else can start an outage.
 */
export function reportDatabaseFailure(error: unknown): boolean {
  const failure = databaseFailureOf(error);
  if (failure === null) return false;
  if (failure === "down" && !state.sessionboardDatabaseDown) {
    state.sessionboardDatabaseDown = { since: new Date(), lastProbe: Date.now(), probe: null };
    const reason = error instanceof Error ? error.message.split("\n").find((line) => line.trim()) : String(error);
    logger().error({ reason }, `The session database is unavailable (${reason}); answering 503 until it is back`);
  }
  return true;
}

/** When the current outage began, or null while none is known. */
export const databaseDownSince = () => state.sessionboardDatabaseDown?.since ?? null;

/** Ends a known outage: something just reached the database. */
export function reportDatabaseReachable(): void {
  const down = state.sessionboardDatabaseDown;
  if (!down) return;
  state.sessionboardDatabaseDown = undefined;
  const seconds = Math.round((Date.now() - down.since.getTime()) / 1000);
  logger().info({ outageSeconds: seconds }, `The session database is reachable again (after ${seconds} s)`);
}

/** How availability is checked during an outage; registered by the database module. */
export function setAvailabilityProbe(ping: () => Promise<void>): void {
  state.sessionboardDatabaseProbe = ping;
}

/** How long a request waits for a running probe before it is answered 503 anyway. */
const PROBE_WAIT_MS = 250;

/**
 * True while no outage is known. During one, a ping decides (shared by concurrent callers, at most
 * once a second); the first success ends the outage. A caller waits for the ping only briefly, so
 * a database host that does not answer at all (dropped packets) never holds requests for the
 * whole connect timeout: they get their 503 at once while the ping runs on.
 */
export async function databaseAvailable(): Promise<boolean> {
  const down = state.sessionboardDatabaseDown;
  const ping = state.sessionboardDatabaseProbe;
  if (!down) return true;
  if (!down.probe && ping && Date.now() - down.lastProbe >= 1_000) {
    down.lastProbe = Date.now();
    const probe: Promise<boolean> = ping().then(
      () => {
        reportDatabaseReachable();
        return true;
      },
      () => false,
    );
    down.probe = probe;
    void probe.then(() => {
      if (down.probe === probe) down.probe = null;
    });
  }
  if (!down.probe) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_WAIT_MS);
  });
  try {
    return await Promise.race([down.probe, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}
