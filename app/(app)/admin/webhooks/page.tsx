import Link from "next/link";
import { actionClass, Cell, DataTable, rowClass, Stat } from "@/components/admin/parts";
import { RelativeTime } from "@/components/time";
import { Alert, Badge } from "@/components/ui";
import { pageContext, adminPageSession, withPageContext, pageQuery } from "@/lib/http/page";
import { ForbiddenMessage } from "@/components/forbidden-message";
import { timeView } from "@/lib/time-view";
import { DELIVERY_STATUSES, listWebhookDeliveries, type DeliveryStatus } from "@/lib/webhooks/delivery";
import { resendWebhookAction } from "../actions";
import { outcomeError, outcomeMessage } from "../outcomes";
import { adminPageTitle } from "../page-title";

export const generateMetadata = adminPageTitle("Webhooks");

const PAGE = "/admin/webhooks";
const SHOWN = 100;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const TONES: Record<string, "green" | "amber" | "slate"> = { delivered: "green", failed: "amber", pending: "slate" };
const isStatus = (value: string | undefined): value is DeliveryStatus => DELIVERY_STATUSES.some((status) => status === value);

export default async function AdminWebhooksPage({ searchParams }: { searchParams: SearchParams }) {
  if (!(await adminPageSession())) return <ForbiddenMessage />;
  const raw = await pageQuery(searchParams);
  const status = isStatus(raw.status) ? raw.status : undefined;
  const { config } = await pageContext();
  const now = new Date();
  const { deliveries, counts } = await withPageContext(({ db }) => listWebhookDeliveries(db, { status, limit: SHOWN }));
  const returnTo = status ? `${PAGE}?status=${status}` : PAGE;
  const message = outcomeMessage(raw);
  // One receiver (the usual case) needs no column of its own: it is named above the table.
  const manyReceivers = new Set(deliveries.map((delivery) => delivery.url)).size > 1 || (config.webhooks?.urls.length ?? 0) > 1;
  const tab = (value: DeliveryStatus | undefined, label: string) => (
    <Link
      href={value ? `${PAGE}?status=${value}` : PAGE}
      aria-current={status === value ? "page" : undefined}
      className={`rounded-md px-3 py-1.5 text-sm font-medium ${status === value ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"}`}
    >
      {label}
    </Link>
  );

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Webhooks</h1>
        <p className="mt-1 text-sm text-slate-600">
          Session and user events sent to your receivers, signed. A failed attempt is retried with growing pauses for 24 hours; resend sends an event again now.
        </p>
      </div>
      {message && <Alert tone="success" outcome>{message}</Alert>}
      {raw.error && <Alert tone="error" outcome>{outcomeError(raw.error)}</Alert>}
      {config.webhooks ? (
        <div className="rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm">
          <p className="font-medium text-slate-700">Receivers</p>
          <ul className="mt-1 space-y-0.5">
            {config.webhooks.urls.map((url) => (
              <li key={url} className="break-all font-mono text-xs text-slate-700">
                {url}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <Alert tone="info">Webhooks are off. Set DASHBOARD_WEBHOOK_URL and DASHBOARD_WEBHOOK_SECRET to send events (see the README, Webhooks).</Alert>
      )}
      <dl className="grid grid-cols-3 gap-3">
        <Stat label="Waiting or retrying" value={counts.pending} />
        <Stat label="Delivered" value={counts.delivered} />
        <Stat label="Failed" value={counts.failed} />
      </dl>
      <nav aria-label="Filter deliveries" className="flex flex-wrap gap-1">
        {tab(undefined, "All")}
        {tab("pending", "Waiting")}
        {tab("failed", "Failed")}
        {tab("delivered", "Delivered")}
      </nav>
      {deliveries.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 px-5 py-8 text-center text-sm text-slate-600">No deliveries{status ? ` ${status === "pending" ? "waiting" : status}` : ""}.</p>
      ) : (
        <DataTable caption={`The newest ${SHOWN} webhook deliveries`} head={["Event", "Status", "Attempts", "Last answer", "Created", ...(manyReceivers ? ["Receiver"] : []), ""]}>
          {deliveries.map((delivery) => (
            <tr key={delivery.seq} role="row" data-testid="webhook-delivery-row" className={rowClass}>
              <Cell wide>
                <div className="font-medium text-slate-900">{delivery.type}</div>
                <div className="break-all font-mono text-xs text-slate-500">{delivery.eventId}</div>
              </Cell>
              <Cell label="Status" className="lg:whitespace-nowrap">
                <Badge tone={TONES[delivery.status] ?? "slate"}>{delivery.status === "pending" ? (delivery.attempts > 0 ? "retrying" : "waiting") : delivery.status}</Badge>
                {delivery.status === "pending" && delivery.attempts > 0 && (
                  <div className="mt-1 text-xs text-slate-500">
                    next <RelativeTime time={timeView(delivery.nextAttemptAt, now)} />
                  </div>
                )}
              </Cell>
              <Cell label="Attempts" className="tabular-nums">
                {delivery.attempts}
              </Cell>
              <Cell label="Last answer" className="text-xs lg:min-w-48">
                {delivery.lastError ?? (delivery.lastStatus !== null ? `HTTP ${delivery.lastStatus}` : "—")}
                {delivery.lastAttemptAt && (
                  <div className="text-slate-500">
                    <RelativeTime time={timeView(delivery.lastAttemptAt, now)} />
                  </div>
                )}
              </Cell>
              <Cell label="Created" className="lg:whitespace-nowrap">
                <RelativeTime time={timeView(delivery.createdAt, now)} />
              </Cell>
              {manyReceivers && (
                <Cell label="Receiver" wide className="break-all font-mono text-xs lg:max-w-56">
                  {delivery.url}
                </Cell>
              )}
              <Cell actions>
                {delivery.status !== "pending" || delivery.attempts > 0 ? (
                  <form action={resendWebhookAction}>
                    <input type="hidden" name="delivery" value={delivery.seq} />
                    <input type="hidden" name="returnTo" value={returnTo} />
                    <button type="submit" className={actionClass.primary} aria-label={`Resend ${delivery.type} ${delivery.eventId} to ${delivery.url}`}>
                      Resend
                    </button>
                  </form>
                ) : null}
              </Cell>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
