import type { NextRequest } from "next/server";
import { getAdminSessionDetail, revokeSessionAsAdmin, type AdminSessionAnswer } from "@/lib/admin/sessions";
import { apiContext, apiRoute, json, requireApiAdmin } from "@/lib/http/api";
import { readOptionalBody } from "@/lib/http/body";
import { allowOnly } from "@/lib/http/methods";
import { sessionNotFound, type RevokedAnswer } from "@/lib/sessions/revoke";
import { adminActionBodySchema } from "@/lib/validation/admin";
import { sessionIdSchema } from "@/lib/validation/sessions";

/**
 * Any one session, active or ended (while its history is kept) → {"session": {...}} as GET
 * /api/admin/sessions lists it, with `activity`: where it has been used from. 404 for an unknown or
 * malformed id.
 */
export const GET = apiRoute<{ id: string }>(async (request: NextRequest, { params }) => {
  const context = await apiContext(request);
  const admin = await requireApiAdmin(request, context);
  const id = sessionIdSchema.safeParse((await params).id);
  const session = id.success ? await getAdminSessionDetail(context.db, context.config, admin.session.id, id.data) : null;
  if (!session) throw sessionNotFound();
  return json({ session } satisfies AdminSessionAnswer);
});

/** Revoke any one session by its public id → {"revoked": 1}; optional {"reason"}. */
export const DELETE = apiRoute<{ id: string }>(async (request: NextRequest, { params }) => {
  const context = await apiContext(request);
  const admin = await requireApiAdmin(request, context);
  const id = sessionIdSchema.safeParse((await params).id);
  if (!id.success) throw sessionNotFound();
  const body = adminActionBodySchema.parse((await readOptionalBody(request)).data);
  return json({
    revoked: await revokeSessionAsAdmin(context.db, admin.actor, id.data, body.reason, context.request),
  } satisfies RevokedAnswer);
});

export const { HEAD, POST, PUT, PATCH, OPTIONS } = allowOnly({ GET, DELETE });
