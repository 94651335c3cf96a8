import type { NextRequest } from "next/server";
import { apiContext, apiRoute, json, requireApiAdmin } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { fail } from "@/lib/errors";
import { webhookDeliveryParamsSchema } from "@/lib/validation/admin";
import { resendWebhookDelivery } from "@/lib/webhooks/delivery";

/** POST /api/admin/webhooks/{id}/resend — sends that delivery's event again now, with a fresh 24 h of retries. */
export const POST = apiRoute<{ id: string }>(async (request: NextRequest, { params }) => {
  const context = await apiContext(request);
  await requireApiAdmin(request, context);
  const parsed = webhookDeliveryParamsSchema.safeParse(await params);
  // An id that is not one names no delivery, as a malformed session or alert id names no session or alert.
  if (!parsed.success) throw fail("webhook_delivery_not_found");
  const { id } = parsed.data;
  await resendWebhookDelivery(context.db, id);
  return json({ resent: 1 });
});

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ POST });
