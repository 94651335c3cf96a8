import type { NextRequest } from "next/server";
import { countAdminSessions } from "@/lib/admin/sessions";
import { apiContext, apiRoute, json, requireApiAdmin } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { adminSessionCountQuerySchema, type CountAnswer } from "@/lib/validation/admin";
import { queryObject } from "@/lib/validation/sessions";

/** The dry run of a bulk revoke: how many active sessions the filters match (the caller's own not included). */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const admin = await requireApiAdmin(request, context);
  const filter = adminSessionCountQuerySchema.parse(queryObject(request.nextUrl.searchParams));
  return json({ count: await countAdminSessions(context.db, context.config, admin.session.id, filter) } satisfies CountAnswer);
});

export const { HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly({ GET });
