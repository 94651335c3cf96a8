import type { AlertJson } from "@/lib/alerts/alerts";
import { deviceWords, whereWords } from "@/lib/alerts/words";
import { timeView } from "@/lib/sessions/view-model";
import { SubmitButton } from "./submit-button";
import { RelativeTime } from "./time";
import { buttonClass } from "./ui";

/**
 * The banner on a person's other sessions' pages for each sign-in from a new device: "This was me"
 * dismisses it, "Sign it out" ends that session. Plain forms (server actions): no JavaScript needed.
 */
export function NewDeviceAlerts({
  alerts,
  dismissed,
  back,
  now,
  dismissAction,
  reportAction,
}: {
  alerts: AlertJson[];
  /** Just back from "This was me". */
  dismissed: boolean;
  /** The page's own path: where the forms come back to. */
  back: string;
  now: Date;
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
                <strong className="font-semibold">New sign-in:</strong> {deviceWords(alert)}, {whereWords(alert)},{" "}
                <RelativeTime time={timeView(alert.createdAt, now)} />
              </p>
              <div className="flex shrink-0 gap-2">
                <form action={dismissAction}>
                  <input type="hidden" name="alertId" value={alert.id} />
                  <input type="hidden" name="back" value={back} />
                  <SubmitButton className={buttonClass.secondary} pendingText="Dismissing…" describedBy={`new-sign-in-${alert.id}`}>
                    This was me
                  </SubmitButton>
                </form>
                <form action={reportAction}>
                  <input type="hidden" name="alertId" value={alert.id} />
                  <input type="hidden" name="back" value={back} />
                  <SubmitButton className={buttonClass.danger} pendingText="Signing out…" describedBy={`new-sign-in-${alert.id}`}>
                    Sign it out
                  </SubmitButton>
                </form>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
