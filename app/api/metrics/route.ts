import type { NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { apiRoute } from "@/lib/http/api";
import { ApiError } from "@/lib/http/errors";
import { allowOnly } from "@/lib/http/methods";
import { metricsAccess } from "@/lib/metrics/access";
import { renderMetrics } from "@/lib/metrics/metrics";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics behind DASHBOARD_METRICS_TOKEN (Authorization: Bearer). Without a token
 * configured, 404 like any address no route serves. Answers during a database outage too: the
 * metrics report it (sessionboard_database_up 0).
 */
export const GET = apiRoute(
  async (request: NextRequest) => {
    const access = metricsAccess(getConfig(), request.headers.get("authorization"));
    if (access === "absent") throw ApiError.of("not_found");
    if (access === "denied") throw ApiError.withHeaders({ "WWW-Authenticate": 'Bearer realm="metrics"' }, "metrics_unauthorized");
    const { body, contentType } = await renderMetrics();
    return new Response(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
  },
  { duringOutage: "run" },
);

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
