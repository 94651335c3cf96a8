import { apiRoute, json } from "@/lib/http/api";
import { databaseHealth, type ShuttingDownAnswer } from "@/lib/http/health";
import { allowOnly } from "@/lib/http/methods";
import { unavailableHeaders } from "@/lib/http/unavailable-response";
import { isShuttingDown } from "@/lib/lifecycle";

export const dynamic = "force-dynamic";

/**
 * Readiness: send this replica work? 200 when the database is reachable and migrated and the
 * process is not shutting down; 503 otherwise, so a load balancer or Kubernetes takes it out of
 * rotation (a liveness probe, /api/health/live, never restarts it for that).
 */
export const GET = apiRoute(
  async () => (isShuttingDown() ? json({ status: "shutting_down" } satisfies ShuttingDownAnswer, { status: 503, headers: unavailableHeaders() }) : databaseHealth()),
  { duringOutage: "run" },
);

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
