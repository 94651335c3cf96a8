import type { NextRequest } from "next/server";
import { adminCounters } from "@/lib/admin/sessions";
import { apiContext, apiRoute, json, requireApiAdmin } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";

/** The counters of /admin/sessions: active sessions and users, created / revoked / expired in 24 h, exact at the request. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  await requireApiAdmin(request, context);
  return json(await adminCounters(context.db, context.config));
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
