import type { NextRequest } from "next/server";
import { apiContext, apiRoute, json, requireApiSession } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { getOwnSessionDetail, revokeOwnSession, type OwnSessionAnswer } from "@/lib/sessions/own-sessions";
import { sessionNotFound, type RevokedAnswer } from "@/lib/sessions/revoke";
import { sessionIdSchema } from "@/lib/validation/sessions";

/**
 * One of your sessions, active or ended (while its history is kept) → {"session": {...}} as GET
 * /api/sessions lists it, with `activity`: where it has been used from. 404 if not yours.
 */
export const GET = apiRoute<{ id: string }>(async (request: NextRequest, { params }) => {
  const context = await apiContext(request);
  const owner = await requireApiSession(request, context);
  const id = sessionIdSchema.safeParse((await params).id);
  const session = id.success ? await getOwnSessionDetail(context.db, context.config, owner, id.data) : null;
  if (!session) throw sessionNotFound();
  return json({ session } satisfies OwnSessionAnswer);
});

/** Revoke one of your other sessions by its public id → {"revoked": 1}; 404 if not yours, 409 if current. */
export const DELETE = apiRoute<{ id: string }>(async (request: NextRequest, { params }) => {
  const context = await apiContext(request);
  const owner = await requireApiSession(request, context);
  const id = sessionIdSchema.safeParse((await params).id);
  if (!id.success) throw sessionNotFound();
  await revokeOwnSession(context.db, owner, id.data, context.request);
  return json({ revoked: 1 } satisfies RevokedAnswer);
});

export const { HEAD, POST, PUT, PATCH, OPTIONS } = allowOnly({ GET, DELETE });
