"use server";

import { redirect } from "next/navigation";
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { whileDatabaseAvailable } from "@/lib/http/page-guard";
import { getRequestInfo, requireSession } from "@/lib/sessions/current";
import { revokeOtherOwnSessions, revokeOwnSession } from "@/lib/sessions/own-sessions";
import { sessionNotFound } from "@/lib/sessions/revoke";
import { sessionIdSchema } from "@/lib/validation/sessions";

const PAGE = "/settings/sessions";

/** The confirmation form's "Revoke session" (a plain form post without JavaScript). */
export async function revokeSessionAction(formData: FormData) {
  const owner = await requireSession(PAGE);
  const id = sessionIdSchema.safeParse(formData.get("sessionId"));
  const error = await domainErrorOf(async () => {
    if (!id.success) throw sessionNotFound();
    await whileDatabaseAvailable(async () => revokeOwnSession(await getDatabase(), getConfig(), owner, id.data, await getRequestInfo()));
  });
  redirect(error ? `${PAGE}?error=${error.code}` : `${PAGE}?revoked=1`);
}

/** "Sign out all other sessions", after its confirmation step. */
export async function revokeOtherSessionsAction() {
  const owner = await requireSession(PAGE);
  const count = await whileDatabaseAvailable(async () => revokeOtherOwnSessions(await getDatabase(), getConfig(), owner, await getRequestInfo()));
  redirect(`${PAGE}?signedOutOthers=${count}`);
}

/** Runs `fn`; a refused domain rule becomes a value for the page to explain, anything else propagates. */
async function domainErrorOf(fn: () => Promise<void>): Promise<DomainError | null> {
  try {
    await fn();
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}
