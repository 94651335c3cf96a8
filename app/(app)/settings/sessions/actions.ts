"use server";

import type { FailureCode } from "@/lib/errors";
import { formAction } from "@/lib/http/page";
import { revokeOtherOwnSessions, revokeOwnSession } from "@/lib/sessions/own-sessions";
import { ownSessionForms } from "@/lib/validation/sessions";

const PAGE = "/settings/sessions";

/** A malformed id names no session of yours: the page says so as it would for one that ended. */
const refused = (code: FailureCode) => `${PAGE}?error=${code === "invalid_input" ? "session_not_found" : code}`;

/** The confirmation form's "Revoke session" (a plain form post without JavaScript). */
export const revokeSessionAction = formAction({ schema: ownSessionForms.revokeSession, refused }, async ({ sessionId }, owner, { db, request }) => {
  await revokeOwnSession(db, owner, sessionId, request);
  return `${PAGE}?revoked=1`;
});

/** "Sign out all other sessions", after its confirmation step. */
export const revokeOtherSessionsAction = formAction({ schema: ownSessionForms.revokeOthers, refused }, async (_form, owner, { db, request }) => {
  const count = await revokeOtherOwnSessions(db, owner, request);
  return `${PAGE}?signedOutOthers=${count}`;
});
