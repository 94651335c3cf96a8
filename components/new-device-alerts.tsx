"use client";

import type { AlertAnswer, AlertView } from "@/lib/alerts/words";
import { SubmitButton } from "./submit-button";
import { RelativeTime } from "./time";
import { buttonClass, OUTCOME_ATTRIBUTE } from "./ui";

/**
 * The banner on a person's other sessions' pages for each sign-in from a new device: "This was me"
 * dismisses it, "Sign it out" ends that session. A plain form (a server action): no JavaScript needed.
 * A client component, like OwnSessionsView: the server sends the alerts' words, not this markup.
 */
export function NewDeviceAlerts({
  alerts,
  dismissed,
  back,
  answerAction,
}: {
  alerts: AlertView[];
  /** Just back from "This was me". */
  dismissed: boolean;
  /** The page's own path: where the form comes back to. */
  back: string;
  /** Posted by either button, which names the answer (ALERT_ANSWERS). */
  answerAction: (form: FormData) => Promise<void>;
}) {
  const done = dismissed && (
    <p role="status" {...{ [OUTCOME_ATTRIBUTE]: "" }} tabIndex={-1} className="border-b border-emerald-200 bg-emerald-50">
      <span className="mx-auto block max-w-5xl px-4 py-2 text-sm text-emerald-900 sm:px-6">Alert dismissed: that sign-in was you.</span>
    </p>
  );
  if (alerts.length === 0) return done || null;
  return (
    <>
      {done}
      <section aria-label="New sign-ins" className="border-b border-amber-200 bg-amber-50" data-testid="new-device-alerts">
        <ul className="mx-auto max-w-5xl divide-y divide-amber-200 px-4 sm:px-6">
          {alerts.map((alert) => {
            // Each button names the sign-in it answers: a banner may hold several.
            const which = `the new sign-in from ${alert.device}, ${alert.where}, ${alert.at.relative}`;
            return (
              <li key={alert.id} className="flex flex-col gap-3 py-3 sm:flex-row sm:items-center sm:justify-between">
                <p className="text-sm text-amber-950">
                  <strong className="font-semibold">New sign-in:</strong> {alert.device}, {alert.where},{" "}
                  <RelativeTime time={alert.at} />
                </p>
                {/* One form, two answers: the button pressed posts its own. */}
                <form action={answerAction} className="flex shrink-0 gap-2">
                  <input type="hidden" name="alertId" value={alert.id} />
                  <input type="hidden" name="back" value={back} />
                  <SubmitButton name="answer" value={"dismiss" satisfies AlertAnswer} className={buttonClass.secondary} pendingText="Dismissing…" label={`This was me: ${which}`}>
                    This was me
                  </SubmitButton>
                  <SubmitButton name="answer" value={"report" satisfies AlertAnswer} className={buttonClass.danger} pendingText="Signing out…" label={`Sign it out: ${which}`}>
                    Sign it out
                  </SubmitButton>
                </form>
              </li>
            );
          })}
        </ul>
      </section>
    </>
  );
}
