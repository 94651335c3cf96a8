import { AppShell } from "@/components/app-shell";
import { NewDeviceAlerts } from "@/components/new-device-alerts";
import { listOpenAlerts } from "@/lib/alerts/alerts";
import { DISMISSED_PARAM, toAlertView } from "@/lib/alerts/words";
import { getCurrentSession, requestQuery, withPageContext } from "@/lib/http/page";
import { withoutOutcome } from "@/lib/http/outcome";
import { answerAlertAction } from "./alert-actions";

/** Shell for signed-in pages. Each page enforces the session itself (with its own return path). */
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const check = await getCurrentSession();
  if (check.status !== "active") return <AppShell user={null}>{children}</AppShell>;
  // New-device alerts about this person's other sessions, on every signed-in page.
  const { alerts, path } = await withPageContext(async ({ db, config, path }) => ({ alerts: await listOpenAlerts(db, config, check), path }));
  const now = new Date();
  // Back from "This was me" (sealed for this session): say so. The forms come back to the page
  // without any outcome, so it is not said again.
  const dismissed = DISMISSED_PARAM in (await requestQuery());
  // Nothing to say, nothing sent: no alerts component, and no references to its actions.
  const banner = (alerts.length > 0 || dismissed) && (
    <NewDeviceAlerts
      alerts={alerts.map((alert) => toAlertView(alert, now))}
      dismissed={dismissed}
      back={withoutOutcome(path)}
      answerAction={answerAlertAction}
    />
  );
  return (
    <AppShell user={check.user} banner={banner}>
      {children}
    </AppShell>
  );
}
