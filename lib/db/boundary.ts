import { markDatabaseError } from "./availability";
import type { DatabaseClient } from "./client";
import type { Database } from "./types";

/**
 * The edge of the database layer: every error that leaves it is classified and marked here
 * (markDatabaseError), and only marked errors can count as a database outage. So a connection
 * error raised anywhere else — an identity provider that is down, say — is never taken for one.
 *
 * Covered: every Prisma model operation and raw query (a query extension, which also runs inside
 * interactive transactions), $transaction itself (starting, committing, timing out),
 * $connect/$disconnect, and the backend's own statements. Errors thrown by the caller's code
 * inside a transaction or an exclusive job pass through untouched: they did not come from here.
 */
export function guardDatabase(db: Database): Database {
  return {
    backend: db.backend,
    webhookUrls: db.webhookUrls,
    prisma: guardPrisma(db.prisma),
    findSessionByTokenHash: (tokenHash) => marked(() => db.findSessionByTokenHash(tokenHash)),
    forceLogoutCutoff: () => marked(() => db.forceLogoutCutoff()),
    touchSession: (id, touch) => marked(() => db.touchSession(id, touch)),
    endExpiredSessions: (now, limit, endedBy, from) => marked(() => db.endExpiredSessions(now, limit, endedBy, from)),
    expiryFloor: () => marked(() => db.expiryFloor()),
    raiseExpiryFloor: (read, to) => marked(() => db.raiseExpiryFloor(read, to)),
    deleteEndedSessions: (before, limit, from) => marked(() => db.deleteEndedSessions(before, limit, from)),
    revokeActiveSessionsBatch: (batch) => marked(() => db.revokeActiveSessionsBatch(batch)),
    lapsedSessionsPerUser: (now, keyFingerprints) => marked(() => db.lapsedSessionsPerUser(now, keyFingerprints)),
    lapsedSessionsPerUserUpTo: (now, keyFingerprints, atMost) => marked(() => db.lapsedSessionsPerUserUpTo(now, keyFingerprints, atMost)),
    openAlerts: (userId, since, active, take) => marked(() => db.openAlerts(userId, since, active, take)),
    userSessions: (userId, reads) => marked(() => db.userSessions(userId, reads)),
    roomForBulkWrite: () => marked(() => db.roomForBulkWrite()),
    vacuumSessions: () => marked(() => db.vacuumSessions()),
    runExclusive: (job, work) => {
      const own = new Set<unknown>();
      return marked(() => db.runExclusive(job, callerCode(work, own)), own);
    },
    ping: () => marked(() => db.ping()),
    close: () => marked(() => db.close()),
  };
}

/**
 * Runs database work and marks what it throws, except the caller's own errors (`own`). A `.catch`
 * rather than an async wrapper: the session check passes here at every request, and each async
 * layer is a promise more for the request's async context to track.
 */
function marked<T>(work: () => Promise<T>, own?: Set<unknown>): Promise<T> {
  const mark = (error: unknown) => (own?.has(error) ? error : markDatabaseError(error));
  try {
    return work().catch((error: unknown) => {
      throw mark(error);
    });
  } catch (error) {
    return Promise.reject(mark(error));
  }
}

/** Wraps the caller's callback so its errors are recognised as the caller's on the way out. */
function callerCode<A extends unknown[], R>(fn: (...args: A) => Promise<R>, own: Set<unknown>) {
  return async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (error) {
      own.add(error);
      throw error;
    }
  };
}

type Transaction = (input: unknown, options?: object) => Promise<unknown>;

function guardPrisma(prisma: DatabaseClient): DatabaseClient {
  const extended = prisma.$extends({
    name: "mark-database-errors",
    query: {
      // Called synchronously with the operation, so batch transactions ($transaction([...])) still
      // receive the operations they batch.
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (error) {
          throw markDatabaseError(error);
        }
      },
    },
  });
  // The extended client has the same API; the domain code is written against DatabaseClient.
  const client = extended as unknown as DatabaseClient;
  // $transaction and connection management are not operations the extension sees.
  return new Proxy(client, {
    get(target, property) {
      if (property === "$transaction") {
        // Both forms: a batch (an array of operations) and an interactive transaction (a callback).
        const transaction = (target.$transaction as Transaction).bind(target);
        return (input: unknown, options?: object) => {
          if (typeof input !== "function") return marked(() => transaction(input, options));
          const own = new Set<unknown>();
          return marked(() => transaction(callerCode(input as (tx: unknown) => Promise<unknown>, own), options), own);
        };
      }
      if (property === "$connect" || property === "$disconnect") {
        return () => marked(() => target[property]());
      }
      const value: unknown = Reflect.get(target, property);
      // Prisma's methods expect the client itself as `this`, not this proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
