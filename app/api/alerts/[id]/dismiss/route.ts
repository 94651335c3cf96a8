import type { NextRequest } from "next/server";
import { alertIdSchema, dismissAlert, type DismissedAnswer } from "@/lib/alerts/alerts";
import { fail } from "@/lib/errors";
import { apiContext, apiRoute, json, requireApiSession } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";

/** "This was me": the alert goes away → {"dismissed": 1}; 404 if not yours or no longer open. */
export const POST = apiRoute<{ id: string }>(async (request: NextRequest, { params }) => {
  const context = await apiContext(request);
  const owner = await requireApiSession(request, context);
  const id = alertIdSchema.safeParse((await params).id);
  if (!id.success) throw fail("alert_not_found");
  await dismissAlert(context.db, context.config, owner, id.data);
  return json({ dismissed: 1 } satisfies DismissedAnswer);
});

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ POST });
