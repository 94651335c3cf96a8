import type { Span } from "@opentelemetry/api";
import { withSpan } from "../tracing";
import type { Database } from "./types";

/**
 * Spans for the statements each backend runs on its own driver (the session check's lookup and
 * touch, cleanup and force-logout batches); Prisma's instrumentation reports the rest. Named by
 * operation, with the database system: never the values, which include token hashes.
 */
export function traceDatabase(db: Database): Database {
  const system = db.backend === "postgres" ? "postgresql" : "sqlite";
  const statement = <T>(operation: string, work: () => Promise<T>, after?: (span: Span, result: T) => void) =>
    withSpan(
      `db ${operation}`,
      async (span) => {
        span?.setAttribute("db.system.name", system);
        span?.setAttribute("db.operation.name", operation);
        const result = await work();
        if (span && after) after(span, result);
        return result;
      },
      { kind: "client" },
    );
  return {
    backend: db.backend,
    webhookUrls: db.webhookUrls,
    prisma: db.prisma,
    findSessionByTokenHash: (tokenHash) =>
      statement("findSessionByTokenHash", () => db.findSessionByTokenHash(tokenHash), (span, row) => span.setAttribute("db.response.returned_rows", row ? 1 : 0)),
    forceLogoutCutoff: () => statement("forceLogoutCutoff", () => db.forceLogoutCutoff()),
    touchSession: (id, touch) => statement("touchSession", () => db.touchSession(id, touch)),
    endExpiredSessions: (now, limit, endedBy, from) =>
      statement("endExpiredSessions", () => db.endExpiredSessions(now, limit, endedBy, from), (span, result) => span.setAttribute("db.response.affected_rows", result.marked)),
    expiryFloor: () => statement("expiryFloor", () => db.expiryFloor()),
    raiseExpiryFloor: (read, to) => statement("raiseExpiryFloor", () => db.raiseExpiryFloor(read, to)),
    deleteEndedSessions: (before, limit, from) =>
      statement("deleteEndedSessions", () => db.deleteEndedSessions(before, limit, from), (span, result) => span.setAttribute("db.response.affected_rows", result.deleted)),
    revokeActiveSessionsBatch: (batch) =>
      statement("revokeActiveSessionsBatch", () => db.revokeActiveSessionsBatch(batch), (span, result) => span.setAttribute("db.response.affected_rows", result.revoked)),
    lapsedSessionsPerUser: (now, keyFingerprints) => statement("lapsedSessionsPerUser", () => db.lapsedSessionsPerUser(now, keyFingerprints)),
    lapsedSessionsPerUserUpTo: (now, keyFingerprints, atMost) =>
      statement("lapsedSessionsPerUserUpTo", () => db.lapsedSessionsPerUserUpTo(now, keyFingerprints, atMost)),
    openAlerts: (userId, since, active, take) =>
      statement("openAlerts", () => db.openAlerts(userId, since, active, take), (span, rows) => span.setAttribute("db.response.returned_rows", rows.length)),
    userSessions: (userId, reads) =>
      statement("userSessions", () => db.userSessions(userId, reads), (span, rows) => span.setAttribute("db.response.returned_rows", rows.flat().length)),
    // Not traced: a wait before each batch, its time in the batches' own spans' gaps.
    roomForBulkWrite: () => db.roomForBulkWrite(),
    vacuumSessions: () => statement("vacuumSessions", () => db.vacuumSessions()),
    runExclusive: (job, work) => db.runExclusive(job, work),
    // Not traced: health checks ping every few seconds, a span each would drown the rest.
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
