"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { outcomeUrl } from "@/lib/admin/outcomes";
import { revokeAllSessions, revokeSessionAsAdmin, revokeUserSessionsAsAdmin } from "@/lib/admin/sessions";
import { disableUser, enableUser } from "@/lib/admin/users";
import { confirmFreshSignIn } from "@/lib/auth/freshness";
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { DomainError, fail } from "@/lib/errors";
import { whileDatabaseAvailable } from "@/lib/http/page-guard";
import { setSessionCookie } from "@/lib/http/session-cookie";
import { getRequestInfo, requireAdminSession } from "@/lib/sessions/current";
import { reasonSchema, usernameFilter } from "@/lib/validation/admin";
import { sessionIdSchema } from "@/lib/validation/sessions";

const formSchema = z.object({
  returnTo: z.string().max(2048).optional(),
  reason: reasonSchema,
  key: z.string().max(1024).optional(),
  sessionId: sessionIdSchema.optional(),
  username: usernameFilter.optional(),
  confirm: z.string().max(64).optional(),
  includeSelf: z.literal("on").optional(),
});

type Form = z.infer<typeof formSchema>;
type Admin = Awaited<ReturnType<typeof requireAdminSession>>;

/**
 * The one wrapper every admin action runs through: admin check (403 page for others), input
 * validation, the action, then back to the page with the outcome — a refused rule becomes a message
 * there, anything else propagates to the error page.
 */
async function adminAction(formData: FormData, run: (admin: Admin, form: Form) => Promise<{ done: string; count?: number; user?: string }>) {
  const admin = await requireAdminSession("/admin/sessions");
  const fields = Object.fromEntries([...formData.entries()].filter(([name, value]) => typeof value === "string" && value !== "" && !name.startsWith("$")));
  const parsed = formSchema.safeParse(fields);
  if (!parsed.success) redirect(outcomeUrl(fields.returnTo, { error: "invalid_input" }));
  let target: string;
  try {
    target = outcomeUrl(parsed.data.returnTo, await whileDatabaseAvailable(() => run(admin, parsed.data)));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    target = outcomeUrl(parsed.data.returnTo, { error: error.code });
  }
  redirect(target);
}

/** The re-authentication gate; a typed admin key replaces the session's token, so the new cookie is set at once. */
async function fresh(admin: Admin, form: Form) {
  const config = getConfig();
  const reauthenticated = await confirmFreshSignIn(await getDatabase(), config, admin, form.key, await getRequestInfo());
  if (reauthenticated) setSessionCookie(await cookies(), config, { token: reauthenticated.token, persistent: admin.cookiePersistent });
}

const required = <T,>(value: T | undefined, code: "session_not_found" | "user_not_found"): T => {
  if (value === undefined) throw fail(code);
  return value;
};

export async function adminRevokeSessionAction(formData: FormData) {
  await adminAction(formData, async (admin, form) => {
    const id = required(form.sessionId, "session_not_found");
    await revokeSessionAsAdmin(await getDatabase(), getConfig(), admin.actor, id, form.reason, await getRequestInfo());
    return { done: "session" };
  });
}

export async function adminRevokeUserAction(formData: FormData) {
  await adminAction(formData, async (admin, form) => {
    const username = required(form.username, "user_not_found");
    await fresh(admin, form);
    const count = await revokeUserSessionsAsAdmin(await getDatabase(), getConfig(), admin.actor, username, form.reason, await getRequestInfo());
    return { done: "user", count, user: username };
  });
}

export async function adminRevokeAllAction(formData: FormData) {
  await adminAction(formData, async (admin, form) => {
    if (form.confirm?.trim().toLowerCase() !== "everyone") throw fail("confirmation_mismatch");
    await fresh(admin, form);
    const count = await revokeAllSessions(
      await getDatabase(),
      getConfig(),
      admin.actor,
      { includeSelf: form.includeSelf === "on", reason: form.reason },
      await getRequestInfo(),
    );
    return { done: "all", count };
  });
}

export async function disableUserAction(formData: FormData) {
  await adminAction(formData, async (admin, form) => {
    const username = required(form.username, "user_not_found");
    await fresh(admin, form);
    const result = await disableUser(await getDatabase(), admin.actor, username, form.reason, await getRequestInfo());
    return { done: "disabled", count: result.sessionsEnded, user: username };
  });
}

export async function enableUserAction(formData: FormData) {
  await adminAction(formData, async (admin, form) => {
    const username = required(form.username, "user_not_found");
    await enableUser(await getDatabase(), admin.actor, username, await getRequestInfo());
    return { done: "enabled", user: username };
  });
}
