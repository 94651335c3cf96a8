"use server";

import { revalidatePath } from "next/cache";
import { dismissAlert, reportAlert } from "@/lib/alerts/alerts";
import { formAction } from "@/lib/http/page";
import { withoutOutcome } from "@/lib/http/outcome";
import { safeReturnPath } from "@/lib/request/return-path";
import { alertAnswerForm } from "@/lib/validation/alerts";
import { DISMISSED_PARAM } from "@/lib/alerts/words";

/** An alert that is no longer open has nothing left to do: back to the page, where it is gone. */
const back = (_code: unknown, fields: Record<string, string>) => withoutOutcome(safeReturnPath(fields.back));

/**
 * The banner's one form per alert, answered by the button pressed. "This was me": back to the page,
 * which says the alert was dismissed (DISMISSED_PARAM). "Sign it out": that session ends, and
 * Settings > Sessions says so. Either way the banner, which lives in the signed-in layout that the
 * client keeps across navigations, is rendered again.
 */
export const answerAlertAction = formAction({ schema: alertAnswerForm, refused: back }, async ({ alertId, answer, back: path }, owner, { db, config, request }) => {
  if (answer === "report") {
    await reportAlert(db, config, owner, alertId, request);
    revalidatePath("/", "layout");
    return "/settings/sessions?revoked=1";
  }
  await dismissAlert(db, config, owner, alertId);
  revalidatePath("/", "layout");
  const url = new URL(withoutOutcome(safeReturnPath(path)), "http://sessionboard.invalid");
  url.searchParams.set(DISMISSED_PARAM, "1");
  return url.pathname + url.search;
});
