import type { NextRequest } from "next/server";
import { listEvents } from "@/lib/admin/events";
import { apiContext, apiRoute, json, requireApiAdmin } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { eventsQuerySchema } from "@/lib/validation/admin";
import { queryObject } from "@/lib/validation/sessions";

/** The audit trail, newest first: ?type=&user=&from=&to=&cursor=&limit= → {"events": [...], "nextCursor"}. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  await requireApiAdmin(request, context);
  const { cursor, limit, ...filter } = eventsQuerySchema.parse(queryObject(request.nextUrl.searchParams));
  return json(await listEvents(context.db, filter, { cursor, limit }));
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
