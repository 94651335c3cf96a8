import { getConfig } from "../config";
import { getDatabase } from "../db";
import { databaseDownSince, reportDatabaseFailure, reportDatabaseReachable } from "../db/availability";
import { json } from "./api";
import { unavailableHeaders } from "./unavailable-response";
import { logger } from "../log";

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
    return json({ status: "ok", database: { backend, status: "ok" } });
  } catch (error) {
    if (!reportDatabaseFailure(error)) logger().error({ err: error }, "The health check failed unexpectedly");
    const since = databaseDownSince();
    return json(
      { status: "unavailable", database: { backend, status: "unavailable", since: since?.toISOString() ?? null } },
      { status: 503, headers: unavailableHeaders() },
    );
  }
}
