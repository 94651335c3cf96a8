"use client";

import type { AlertView } from "@/lib/alerts/words";
import { SubmitButton } from "./submit-button";
import { RelativeTime } from "./time";
import { buttonClass } from "./ui";

/**
 * The banner on a person's other sessions' pages for each sign-in from a new device: "This was me"
 * dismisses it, "Sign it out" ends that session. Plain forms (server actions): no JavaScript needed.
 * A client component, like OwnSessionsView: the server sends the alerts' words, not this markup.
 */
export function NewDeviceAlerts({
  alerts,
  dismissed,
  back,
  dismissAction,
  reportAction,
}: {
  alerts: AlertView[];
  /** Just back from "This was me". */
  dismissed: boolean;
  /** The page's own path: where the forms come back to. */
  back: string;
  dismissAction: (form: FormData) => Promise<void>;
  reportAction: (form: FormData) => Promise<void>;
}) {
  const done = dismissed && (
    <p role="status" className="border-b border-emerald-200 bg-emerald-50">
      <span className="mx-auto block max-w-5xl px-4 py-2 text-sm text-emerald-900 sm:px-6">Alert dismissed: that sign-in was you.</span>
    </p>
  );
  if (alerts.length === 0) return done || null;
  return (
    <>
      {done}
      <section aria-label="New sign-ins" className="border-b border-amber-200 bg-amber-50" data-testid="new-device-alerts">
        <ul className="mx-auto max-w-5xl divide-y divide-amber-200 px-4 sm:px-6">
          {alerts.map((alert) => (
            <li key={alert.id} className="flex flex-col gap-3 py-3 sm:flex-row sm:items-center sm:justify-between">
              <p id={`new-sign-in-${alert.id}`} className="text-sm text-amber-950">
                <strong className="font-semibold">New sign-in:</strong> {alert.device}, {alert.where},{" "}
                <RelativeTime time={alert.at} />
              </p>
              <div className="flex shrink-0 gap-2">
                <AlertAnswer action={dismissAction} alertId={alert.id} back={back} className={buttonClass.secondary} pendingText="Dismissing…">
                  This was me
                </AlertAnswer>
                <AlertAnswer action={reportAction} alertId={alert.id} back={back} className={buttonClass.danger} pendingText="Signing out…">
                  Sign it out
                </AlertAnswer>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** One answer to an alert: a form posting its id and the page to come back to, its button described by the alert's words. */
function AlertAnswer({
  action,
  alertId,
  back,
  className,
  pendingText,
  children,
}: {
  action: (form: FormData) => Promise<void>;
  alertId: string;
  back: string;
  className: string;
  pendingText: string;
  children: React.ReactNode;
}) {
  return (
    <form action={action}>
      <input type="hidden" name="alertId" value={alertId} />
      <input type="hidden" name="back" value={back} />
      <SubmitButton className={className} pendingText={pendingText} describedBy={`new-sign-in-${alertId}`}>
        {children}
      </SubmitButton>
    </form>
  );
}
