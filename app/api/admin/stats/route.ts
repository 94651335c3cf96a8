import type { NextRequest } from "next/server";
import { recentAdminCounters } from "@/lib/admin/sessions";
import { apiContext, apiRoute, json, requireApiAdmin } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";

/** The counters of /admin/sessions: active sessions and users, created / revoked / expired in 24 h, and when they were taken (`asOf`). */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  await requireApiAdmin(request, context);
  return json(await recentAdminCounters(context.db, context.config));
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
