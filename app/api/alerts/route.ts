import type { NextRequest } from "next/server";
import { listOpenAlerts, type AlertList } from "@/lib/alerts/alerts";
import { apiContext, apiRoute, json, requireApiSession } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";

/** Your open new-device alerts (about your other, still active sessions) → {"alerts": [...]}, newest first. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const owner = await requireApiSession(request, context);
  return json({ alerts: await listOpenAlerts(context.db, context.config, owner) } satisfies AlertList);
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
