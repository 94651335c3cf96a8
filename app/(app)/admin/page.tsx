import { ActivityCharts } from "@/components/charts/activity-charts";
import { CategoryBars, CHART_COLOURS } from "@/components/charts/bar-chart";
import { Stat } from "@/components/admin/parts";
import { adminOverview } from "@/lib/admin/activity-stats";
import { pageContext, adminPageSession, withPageContext } from "@/lib/http/page";
import { ForbiddenMessage } from "@/components/forbidden-message";
import { DEVICE_LABELS, METHOD_LABELS } from "@/lib/sessions/view-model";
import { DEVICE_TYPES } from "@/lib/sessions/present";
import { adminPageTitle } from "./page-title";

export const generateMetadata = adminPageTitle("Overview");

/** The Admin Panel opens on activity over time and the active sessions by method and device. */
export default async function AdminOverviewPage() {
  if (!(await adminPageSession())) return <ForbiddenMessage />;
  const { config } = await pageContext();
  const now = new Date();
  const overview = await withPageContext(({ db }) => adminOverview(db, config, now));
  const activeSessions = Object.values(overview.active.byMethod).reduce((sum, count) => sum + count, 0);
  const methods = Object.keys(METHOD_LABELS).map((method) => ({ label: METHOD_LABELS[method]!, value: overview.active.byMethod[method] ?? 0 }));
  const devices = DEVICE_TYPES.map((type) => ({ label: DEVICE_LABELS[type], value: overview.active.byDevice[type] ?? 0 })).filter(
    (item, index) => item.value > 0 || index < 3,
  );
  const last24h = overview.hourly.reduce((sum, bucket) => ({ signIns: sum.signIns + bucket.signIns, failed: sum.failed + bucket.failedSignIns, revoked: sum.revoked + bucket.revocations }), {
    signIns: 0,
    failed: 0,
    revoked: 0,
  });

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
        <p className="mt-1 text-sm text-slate-600">Sign-ins, failures and revocations over time, and who is signed in now. Times are UTC.</p>
      </div>

      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Stat label="Active sessions" value={activeSessions} />
        <Stat label="Sign-ins (24 h)" value={last24h.signIns} />
        <Stat label="Failed sign-ins (24 h)" value={last24h.failed} />
        <Stat label="Revocations (24 h)" value={last24h.revoked} />
      </dl>

      <section aria-labelledby="activity-heading" className="space-y-3">
        <h2 id="activity-heading" className="text-lg font-semibold">
          Activity
        </h2>
        <ActivityCharts hourly={overview.hourly} daily={overview.daily} />
      </section>

      <section aria-labelledby="active-heading" className="space-y-3">
        <h2 id="active-heading" className="text-lg font-semibold">
          Active sessions
        </h2>
        <div className="grid gap-4 sm:grid-cols-2">
          <CategoryBars id="active-method" title="By sign-in method" caption="Now" items={methods} fill={CHART_COLOURS[0].fill} />
          <CategoryBars id="active-device" title="By device type" caption="Now, from the browser at sign-in" items={devices} fill={CHART_COLOURS[0].fill} />
        </div>
      </section>
    </div>
  );
}
