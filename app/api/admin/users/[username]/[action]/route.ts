import type { NextRequest } from "next/server";
import { disableUser, enableUser, type UserStateAnswer } from "@/lib/admin/users";
import { apiContext, apiRoute, json, requireApiAdmin, withFreshSignIn } from "@/lib/http/api";
import { readOptionalBody } from "@/lib/http/body";
import { allowOnly } from "@/lib/http/methods";
import { adminActionBodySchema, isUserAction, userActionParamsSchema } from "@/lib/validation/admin";
import { ApiError } from "@/lib/http/errors";

/**
 * POST /api/admin/users/{username}/disable — ends the user's sessions and refuses sign-ins (needs a
 * fresh sign-in or {"key"}); POST …/enable lets them sign in again.
 */
export const POST = apiRoute<{ username: string; action: string }>(async (request: NextRequest, { params }) => {
  const raw = await params;
  // Only two addresses exist under a user; any other is nothing, as the catch-all answers.
  if (!isUserAction(raw.action)) throw ApiError.of("not_found");
  const context = await apiContext(request);
  const admin = await requireApiAdmin(request, context);
  const { username, action } = userActionParamsSchema.parse(raw);
  const body = adminActionBodySchema.parse((await readOptionalBody(request)).data);
  if (action === "enable") {
    const result = await enableUser(context.db, admin.actor, username, context.request);
    return json({ username, disabled: false, changed: !result.alreadyEnabled } satisfies UserStateAnswer);
  }
  return withFreshSignIn(context, admin, body.key, async () => {
    const result = await disableUser(context.db, admin.actor, username, body.reason, context.request);
    return json({ username, disabled: true, changed: !result.alreadyDisabled, sessionsEnded: result.sessionsEnded } satisfies UserStateAnswer);
  });
});

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ POST });
