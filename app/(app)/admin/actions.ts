"use server";

import { cookies } from "next/headers";
import { after } from "next/server";
import type { z } from "zod";
import { outcomeUrl } from "./outcomes";
import { forceLogoutEveryone, requiredReason, revokeFilteredSessionsAsAdmin, revokeSessionAsAdmin, revokeUserSessionsAsAdmin } from "@/lib/admin/sessions";
import { logMarkingFailure } from "@/lib/sessions/force-logout";
import { disableUser, enableUser } from "@/lib/admin/users";
import { confirmFreshSignIn } from "@/lib/auth/freshness";
import { fail } from "@/lib/errors";
import { formAction, type FormFields, type PageContext, type PageSession } from "@/lib/http/page";
import { setSessionCookie } from "@/lib/sessions/cookie";
import { adminForms, confirmsEveryone, hasFilter } from "@/lib/validation/admin";
import { resendWebhookDelivery } from "@/lib/webhooks/delivery";

/**
 * Admin actions: the admin check, the form's schema, the action, then back to the page the form
 * came from with the outcome — a refused rule keeps its confirmation open with the message.
 */
const adminAction = <S extends z.ZodType<{ returnTo?: string }>>(schema: S, run: (input: z.output<S>, admin: PageSession, context: PageContext) => Promise<Parameters<typeof outcomeUrl>[1]>) =>
  formAction(
    {
      schema,
      access: "admin",
      // A refused reason is the one field a person writes freely: say what a reason may be.
      refused: (code: string, fields: FormFields, invalidField?: string) =>
        outcomeUrl(fields.returnTo, { error: code === "invalid_input" && invalidField === "reason" ? "invalid_reason" : code }, fields),
    },
    async (input, admin, context) => outcomeUrl(input.returnTo, await run(input, admin, context)),
  );

/** The re-authentication gate; a typed admin key replaces the session's token, so the new cookie is set at once. */
async function fresh(admin: PageSession, key: string | undefined, { db, config, request }: PageContext) {
  const reauthenticated = await confirmFreshSignIn(db, config, admin, key, request);
  if (reauthenticated) setSessionCookie(await cookies(), config, { token: reauthenticated.token, persistent: admin.cookiePersistent });
}

export const adminRevokeSessionAction = adminAction(adminForms.revokeSession, async (form, admin, { db, request }) => {
  await revokeSessionAsAdmin(db, admin.actor, form.sessionId, form.reason, request);
  return { done: "session" };
});

export const adminRevokeUserAction = adminAction(adminForms.revokeUser, async (form, admin, context) => {
  await fresh(admin, form.key, context);
  const count = await revokeUserSessionsAsAdmin(context.db, admin.actor, form.username, form.reason, context.request);
  return { done: "user", count, user: form.username };
});

export const adminRevokeAllAction = adminAction(adminForms.revokeAll, async (form, admin, context) => {
  if (!confirmsEveryone(form.confirm)) throw fail("confirmation_mismatch");
  await fresh(admin, form.key, context);
  const { revoked, marked } = await forceLogoutEveryone(
    context.db,
    context.config,
    admin.actor,
    { includeSelf: form.includeSelf === "true", reason: form.reason },
    context.request,
  );
  // Back to the page once it holds for everyone; the rows are marked after the answer.
  after(logMarkingFailure(marked));
  return { done: "all", count: revoked };
});

export const adminRevokeFilteredAction = adminAction(adminForms.revokeFiltered, async (form, admin, context) => {
  const { user, match, method, ip, country, browser, signedInAfter, signedInBefore, moreThan } = form;
  const filter = { user, match, method, ip, country, browser, signedInAfter, signedInBefore, moreThan };
  // Before the re-authentication, so a missing reason or filter does not spend the typed key.
  const reason = requiredReason(form.reason);
  if (!hasFilter(filter)) throw fail("invalid_input");
  await fresh(admin, form.key, context);
  const count = await revokeFilteredSessionsAsAdmin(context.db, context.config, admin.actor, filter, form.confirm, reason, context.request);
  return { done: "filtered", count };
});

export const disableUserAction = adminAction(adminForms.disableUser, async (form, admin, context) => {
  await fresh(admin, form.key, context);
  const result = await disableUser(context.db, admin.actor, form.username, form.reason, context.request);
  return { done: "disabled", count: result.sessionsEnded, user: form.username };
});

export const enableUserAction = adminAction(adminForms.enableUser, async (form, admin, { db, request }) => {
  await enableUser(db, admin.actor, form.username, request);
  return { done: "enabled", user: form.username };
});

export const resendWebhookAction = adminAction(adminForms.resendWebhook, async (form, _admin, { db }) => {
  await resendWebhookDelivery(db, form.delivery);
  return { done: "resent" };
});
