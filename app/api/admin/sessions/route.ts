import { after, type NextRequest } from "next/server";
import { forceLogoutEveryone, listAdminSessions, requiredReason, revokeFilteredSessionsAsAdmin, revokeUserSessionsAsAdmin } from "@/lib/admin/sessions";
import { logMarkingFailure } from "@/lib/sessions/force-logout";
import { apiContext, apiRoute, json, requireApiAdmin, withFreshSignIn } from "@/lib/http/api";
import { readOptionalBody } from "@/lib/http/body";
import type { RevokedAnswer } from "@/lib/sessions/revoke";
import { allowOnly } from "@/lib/http/methods";
import { adminActionBodySchema, adminBulkRevokeQuerySchema, adminSessionsQuerySchema } from "@/lib/validation/admin";
import { queryObject } from "@/lib/validation/sessions";

/**
 * Every active session with its owner: filters ?user=&match=&method=&ip=&country=&browser=
 * &signedInAfter=&signedInBefore=&moreThan=, ?sort=, ?cursor=&limit=.
 */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const admin = await requireApiAdmin(request, context);
  const query = adminSessionsQuerySchema.parse(queryObject(request.nextUrl.searchParams));
  return json(await listAdminSessions(context.db, context.config, admin.session.id, query));
});

/**
 * ?user=NAME revokes all of a user's sessions; ?<filters>&confirm=<count> the sessions matching the
 * filters, if there are still exactly that many; ?scope=all&confirm=everyone[&includeSelf=true]
 * revokes everyone's (see adminBulkRevokeQuerySchema). Both need a fresh sign-in or {"key": admin key} (which replaces the session's
 * token: the answer sets the new cookie); {"reason"} is recorded.
 */
export const DELETE = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const admin = await requireApiAdmin(request, context);
  const scope = adminBulkRevokeQuerySchema.parse(queryObject(request.nextUrl.searchParams));
  const body = adminActionBodySchema.parse((await readOptionalBody(request)).data);
  // Before the re-authentication, as on the page: a missing reason does not spend the typed key.
  const reason = scope.scope === "filter" ? requiredReason(body.reason) : body.reason;
  return withFreshSignIn(context, admin, body.key, async () => {
    const { db, config, request: from } = context;
    if (scope.scope === "all") {
      // Answered once it holds for everyone; the rows are marked after the answer.
      const { revoked, marked } = await forceLogoutEveryone(db, config, admin.actor, { includeSelf: scope.includeSelf, reason: body.reason }, from);
      after(logMarkingFailure(marked));
      return json({ revoked } satisfies RevokedAnswer);
    }
    const revoked =
      scope.scope === "user"
        ? await revokeUserSessionsAsAdmin(db, admin.actor, scope.user, body.reason, from)
        : await revokeFilteredSessionsAsAdmin(db, config, admin.actor, scope.filter, scope.confirm, reason, from);
    return json({ revoked } satisfies RevokedAnswer);
  });
});

export const { HEAD, POST, PUT, PATCH, OPTIONS } = allowOnly({ GET, DELETE });
