"use server";

import { revalidatePath } from "next/cache";
import { dismissAlert, reportAlert } from "@/lib/alerts/alerts";
import { formAction } from "@/lib/http/page";
import { withoutOutcome } from "@/lib/http/outcome";
import { safeReturnPath } from "@/lib/request/return-path";
import { alertForms } from "@/lib/validation/alerts";
import { DISMISSED_PARAM } from "@/lib/alerts/words";

/** An alert that is no longer open has nothing left to do: back to the page, where it is gone. */
const back = (_code: unknown, fields: Record<string, string>) => withoutOutcome(safeReturnPath(fields.back));

/** The banner's "This was me": back to the page, which says the alert was dismissed (DISMISSED_PARAM). */
export const dismissAlertAction = formAction({ schema: alertForms.dismiss, refused: back }, async ({ alertId, back: path }, owner, { db }) => {
  await dismissAlert(db, owner, alertId);
  // The banner lives in the signed-in layout, which the client keeps across navigations: render it again.
  revalidatePath("/", "layout");
  const url = new URL(withoutOutcome(safeReturnPath(path)), "http://sessionboard.invalid");
  url.searchParams.set(DISMISSED_PARAM, "1");
  return url.pathname + url.search;
});

/** The banner's "Sign it out": that session ends; Settings > Sessions says so. */
export const reportAlertAction = formAction({ schema: alertForms.report, refused: back }, async ({ alertId }, owner, { db, config, request }) => {
  await reportAlert(db, config, owner, alertId, request);
  revalidatePath("/", "layout");
  return "/settings/sessions?revoked=1";
});
