import type { NextRequest } from "next/server";
import { apiContext, apiRoute, json, requireApiAdmin } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { webhookDeliveriesQuerySchema } from "@/lib/validation/admin";
import { queryObject } from "@/lib/validation/sessions";
import { webhookDeliveriesJson } from "@/lib/webhooks/delivery";

/** GET /api/admin/webhooks?status=&limit= — the newest webhook deliveries and the count of each status. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  await requireApiAdmin(request, context);
  const query = webhookDeliveriesQuerySchema.parse(queryObject(request.nextUrl.searchParams));
  return json(await webhookDeliveriesJson(context.db, query));
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
