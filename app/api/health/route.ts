import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { databaseDownSince, reportDatabaseFailure, reportDatabaseReachable } from "@/lib/db/availability";
import { apiRoute, json } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { unavailableHeaders } from "@/lib/http/unavailable-response";

/** Liveness and database reachability, for load balancers and monitors; no session check. */
export const GET = apiRoute(
  async () => {
    const backend = getConfig().backend;
    try {
      const db = await getDatabase();
      await db.ping();
      reportDatabaseReachable();
      return json({ status: "ok", database: { backend, status: "ok" } });
    } catch (error) {
      if (!reportDatabaseFailure(error)) console.error(error);
      const since = databaseDownSince();
      return json(
        { status: "unavailable", database: { backend, status: "unavailable", since: since?.toISOString() ?? null } },
        { status: 503, headers: unavailableHeaders() },
      );
    }
  },
  // It reports an outage itself (503 with when it began), so it runs during one.
  { duringOutage: "run" },
);

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
