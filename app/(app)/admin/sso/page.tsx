import { Stat } from "@/components/admin/parts";
import { RelativeTime } from "@/components/time";
import { Alert, Badge, Card, DetailList } from "@/components/ui";
import { ssoStatus } from "@/lib/admin/sso";
import { getConfig } from "@/lib/config";
import { adminPageSession, withPageContext } from "@/lib/http/page";
import { ForbiddenMessage } from "@/components/forbidden-message";
import { timeView } from "@/lib/time-view";
import { adminPageTitle } from "../page-title";

export const generateMetadata = adminPageTitle("Single sign-on");

const minutesText = (minutes: number) => (minutes === 1 ? "1 minute" : `${minutes.toLocaleString("en")} minutes`);

/** Admin Panel > Single sign-on: is the provider reachable, are sessions being re-checked, and what has it ended. */
export default async function AdminSsoPage() {
  if (!(await adminPageSession())) return <ForbiddenMessage />;
  const config = getConfig();
  const status = await withPageContext(({ db }) => ssoStatus(db, config));
  const now = new Date();

  if (!status) {
    return (
      <div className="space-y-6">
        <h1 className="text-2xl font-semibold tracking-tight">Single sign-on</h1>
        <Alert tone="info">Single sign-on is not configured. Set DASHBOARD_OIDC_ISSUER and DASHBOARD_OIDC_CLIENT_ID to turn it on.</Alert>
      </div>
    );
  }
  const { discovery, sessions, endedByProvider } = status;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Single sign-on</h1>
        <p className="mt-1 text-sm text-slate-600">
          The identity provider, and how SSO sessions are kept in step with it: each is re-checked at the provider (a refresh) after a request, and ends when the
          provider refuses.
        </p>
      </div>
      {sessions.withoutRefreshToken > 0 && (
        <Alert tone="warning">
          The provider issued no refresh token for {sessions.withoutRefreshToken.toLocaleString("en")} active SSO session
          {sessions.withoutRefreshToken === 1 ? "" : "s"}: they are not re-checked and last their own expiry. Some providers issue one only when asked for
          the offline_access scope (DASHBOARD_OIDC_SCOPES).
        </Alert>
      )}
      {sessions.failing > 0 && sessions.failingSince && (
        <Alert tone="warning">
          {sessions.failing.toLocaleString("en")} session{sessions.failing === 1 ? " is" : "s are"} waiting for the provider, which could not be reached since{" "}
          <RelativeTime time={timeView(sessions.failingSince, now)} />. They end if it stays unreachable for {minutesText(status.recheckGraceMinutes)}.
        </Alert>
      )}
      <Card title="Identity provider">
        <DetailList
          items={[
            { label: "Issuer", value: <span className="font-mono text-xs">{status.issuer}</span> },
            {
              label: "Discovery",
              value: (
                <span className="flex flex-wrap items-center gap-2">
                  <Badge tone={discovery.ok ? "green" : "amber"}>{discovery.ok ? "Reached" : "Not reachable"}</Badge>
                  <RelativeTime time={timeView(discovery.at, now)} />
                  {discovery.detail && <span className="text-slate-600">{discovery.detail}</span>}
                </span>
              ),
            },
            { label: "Logout at the provider", value: discovery.endSession ? "Supported (end_session_endpoint, with id_token_hint)" : "Not offered by the provider" },
            {
              label: "Refresh tokens",
              value: discovery.refreshGrant === null ? "Not announced by the provider" : discovery.refreshGrant ? "Supported" : "Not supported: sessions are not re-checked",
            },
          ]}
        />
      </Card>
      <Card title="Re-check">
        <DetailList
          items={[
            { label: "Interval (DASHBOARD_OIDC_RECHECK_MINUTES)", value: status.recheckMinutes === 0 ? "Off" : `At most every ${minutesText(status.recheckMinutes)}` },
            { label: "Grace while unreachable (DASHBOARD_OIDC_RECHECK_GRACE_MINUTES)", value: minutesText(status.recheckGraceMinutes) },
            {
              label: "Last successful refresh (this server)",
              value: status.lastRefreshAt ? <RelativeTime time={timeView(status.lastRefreshAt, now)} /> : "None since it started",
            },
            { label: "Active SSO sessions with kept tokens", value: sessions.kept.toLocaleString("en") },
          ]}
        />
      </Card>
      <section aria-labelledby="ended-by-provider" className="space-y-3">
        <h2 id="ended-by-provider" className="text-base font-semibold text-slate-900">
          Sessions ended by the provider
        </h2>
        <dl className="grid grid-cols-1 gap-3 sm:grid-cols-3">
          <Stat label="Refused at a re-check" value={endedByProvider.refused} />
          <Stat label="Unreachable past the grace" value={endedByProvider.unreachable} />
          <Stat label="Back-channel logout" value={endedByProvider.backchannel} />
        </dl>
      </section>
    </div>
  );
}
