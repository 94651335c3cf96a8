import type { NextRequest } from "next/server";
import { listUsers } from "@/lib/admin/users";
import { apiContext, apiRoute, json, requireApiAdmin } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { adminUsersQuerySchema } from "@/lib/validation/admin";
import { queryObject } from "@/lib/validation/sessions";

/** Every known user with role, source, active session count, last sign-in and disabled state. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  await requireApiAdmin(request, context);
  const query = adminUsersQuerySchema.parse(queryObject(request.nextUrl.searchParams));
  return json(await listUsers(context.db, context.config, { prefix: query.prefix, after: query.cursor, limit: query.limit }));
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
