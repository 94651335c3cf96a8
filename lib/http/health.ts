import { z } from "zod";
import { getConfig, SESSION_BACKENDS } from "../config";
import { getDatabase } from "../db";
import { databaseDownSince, reportDatabaseFailure, reportDatabaseReachable } from "../db/availability";
import { isoTimeSchema } from "../sessions/present";
import { json } from "./api";
import { unavailableHeaders } from "./unavailable-response";
import { logger } from "../log";

/** GET /api/health/live: the process answers. */
export const liveAnswerSchema = z.object({ status: z.literal("ok") });
export type LiveAnswer = z.infer<typeof liveAnswerSchema>;

/** The database is reachable and migrated (/api/health, /api/health/ready: 200). */
export const healthyAnswerSchema = z.object({
  status: z.literal("ok"),
  database: z.object({ backend: z.enum(SESSION_BACKENDS), status: z.literal("ok") }),
});

/** The database does not answer (/api/health, /api/health/ready: 503). */
export const databaseDownAnswerSchema = z.object({
  status: z.literal("unavailable"),
  database: z.object({
    backend: z.enum(SESSION_BACKENDS),
    status: z.literal("unavailable"),
    since: isoTimeSchema.nullable().describe("When this replica first saw the outage"),
  }),
});

/** /api/health/ready once a shutdown has begun (503). */
export const shuttingDownAnswerSchema = z.object({ status: z.literal("shutting_down") });
export type ShuttingDownAnswer = z.infer<typeof shuttingDownAnswerSchema>;

/**
 * 200 when the database opens (migrations included: opening applies them) and answers a ping;
 * otherwise 503 with when the outage began. Shared by /api/health and the readiness probe.
 */
export async function databaseHealth(): Promise<Response> {
  const backend = getConfig().backend;
  try {
    const db = await getDatabase();
    await db.ping();
    reportDatabaseReachable();
    return json({ status: "ok", database: { backend, status: "ok" } } satisfies z.infer<typeof healthyAnswerSchema>);
  } catch (error) {
    if (!reportDatabaseFailure(error)) logger().error({ err: error }, "The health check failed unexpectedly");
    const since = databaseDownSince();
    return json(
      { status: "unavailable", database: { backend, status: "unavailable", since: since?.toISOString() ?? null } } satisfies z.infer<
        typeof databaseDownAnswerSchema
      >,
      { status: 503, headers: unavailableHeaders() },
    );
  }
}
