import type { NextRequest } from "next/server";
import { apiContext, apiRoute, json, requireApiSession } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { listOwnSessions, revokeOtherOwnSessions } from "@/lib/sessions/own-sessions";
import type { RevokedAnswer } from "@/lib/sessions/revoke";
import { ownSessionsQuerySchema, queryObject, revokeOwnScopeSchema } from "@/lib/validation/sessions";

/** The signed-in user's active sessions, newest activity first: {"sessions": [...], "nextCursor"}. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const owner = await requireApiSession(request, context);
  const query = ownSessionsQuerySchema.parse(queryObject(request.nextUrl.searchParams));
  return json(await listOwnSessions(context.db, context.config, owner, query));
});

/** DELETE /api/sessions?scope=others: "Sign out all other sessions" → {"revoked": N}. */
export const DELETE = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const owner = await requireApiSession(request, context);
  revokeOwnScopeSchema.parse(queryObject(request.nextUrl.searchParams));
  return json({ revoked: await revokeOtherOwnSessions(context.db, owner, context.request) } satisfies RevokedAnswer);
});

export const { HEAD, POST, PUT, PATCH, OPTIONS } = allowOnly({ GET, DELETE });
