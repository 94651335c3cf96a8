import type { NextRequest } from "next/server";
import { alertIdSchema, reportAlert } from "@/lib/alerts/alerts";
import { fail } from "@/lib/errors";
import { apiContext, apiRoute, json, requireApiSession } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import type { RevokedAnswer } from "@/lib/sessions/revoke";

/** "Sign it out": revoke the alert's session and mark it reported → {"revoked": 0|1}; 404 if not yours or no longer open. */
export const POST = apiRoute<{ id: string }>(async (request: NextRequest, { params }) => {
  const context = await apiContext(request);
  const owner = await requireApiSession(request, context);
  const id = alertIdSchema.safeParse((await params).id);
  if (!id.success) throw fail("alert_not_found");
  return json({ revoked: await reportAlert(context.db, context.config, owner, id.data, context.request) } satisfies RevokedAnswer);
});

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ POST });
