import { lenientQuery } from "@/lib/validation/page-query";
import Link from "next/link";
import { Cell, DataTable, rowClass, Select, IgnoredFilters, ignoredFilter } from "@/components/admin/parts";
import { Field } from "@/components/confirm-panel";
import { Pager } from "@/components/pager";
import { Badge, buttonClass } from "@/components/ui";
import { ExactTime } from "@/components/time";
import { listEvents, sessionHints } from "@/lib/admin/events";
import { adminPageSession, withPageContext, pageQuery } from "@/lib/http/page";
import { ForbiddenMessage } from "@/components/forbidden-message";
import { pageUrl } from "../page-url";
import { timeView } from "@/lib/time-view";
import { AUTH_EVENT_TYPES, type AuthEventType } from "@/lib/audit";
import { AUDIT_EVENT_WORDS, auditEventWords } from "@/lib/audit-words";
import { maskToken, tokenEnding } from "@/lib/sessions/present";
import { eventsQuerySchema } from "@/lib/validation/admin";
import { adminPageTitle } from "../page-title";

export const generateMetadata = adminPageTitle("Events");

const PAGE = "/admin/events";
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

type Tone = "green" | "amber" | "slate" | "indigo";

/** Rows carry the stored type as text; the keys are checked against the event types. */
const TONES: Record<string, Tone> = {
  "login.succeeded": "green",
  "login.failed": "amber",
  "session.revoked": "indigo",
  "sessions.revoked_all": "indigo",
  "sessions.bulk_revoked": "indigo",
  "user.disabled": "amber",
  "session.reported": "amber",
} satisfies Partial<Record<AuthEventType, Tone>>;

/** The Admin Panel's sessions list, filtered to one user (the events name users exactly). */
const userSessionsHref = (username: string) => `/admin/sessions?${new URLSearchParams({ user: username, match: "exact" })}`;

/**
 * A session as the lists name it, its masked token, linking to its page while it exists; once
 * deleted, the start of its id (all of it on hover).
 */
function SessionLabel({ id, hint }: { id: string | null; hint: string | undefined }) {
  if (!id) return "—";
  if (hint === undefined) {
    return (
      <span className="font-mono text-xs text-slate-500" title={`${id} (no longer kept)`}>
        {id.slice(0, 8)}…
      </span>
    );
  }
  return (
    <Link href={`/admin/sessions/${id}`} title={id} aria-label={`Session ${tokenEnding(hint)}`} className="font-mono text-xs text-indigo-700 hover:underline">
      {/* The mask, then the hint: it may break between them, so the column stays narrow. */}
      {maskToken("")}
      <wbr />
      {hint}
    </Link>
  );
}

export default async function AdminEventsPage({ searchParams }: { searchParams: SearchParams }) {
  if (!(await adminPageSession())) return <ForbiddenMessage />;
  const raw = await pageQuery(searchParams);
  const {
    data: { cursor, limit, type, user, from, to },
    problems,
    valid,
    invalid,
  } = lenientQuery(eventsQuerySchema, raw);
  const now = new Date();
  const { page, hints } = await withPageContext(async ({ db }) => {
    const page = await listEvents(db, { type, user, from, to }, { cursor, limit });
    return { page, hints: await sessionHints(db, page.events) };
  });

  // Only the filters the list applied: the exports would refuse one it left out.
  const filters = new URLSearchParams(Object.entries(valid).filter(([name]) => ["type", "user", "from", "to"].includes(name)));
  const withFilters = (base: string, extra: Record<string, string> = {}) => pageUrl(base, filters, extra);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Events</h1>
          <p className="mt-1 text-sm text-slate-600">The audit trail: sign-ins, failures, logouts, revocations with who did them, expiries and cleanups.</p>
        </div>
        <div className="flex gap-2">
          <a href={withFilters("/api/admin/events/export", { format: "csv" })} className={buttonClass.secondary} download>
            Export CSV
          </a>
          <a href={withFilters("/api/admin/events/export", { format: "jsonl" })} className={buttonClass.secondary} download>
            Export JSON lines
          </a>
        </div>
      </div>
      <IgnoredFilters problems={problems} />
      <form method="get" action={PAGE} className="grid grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-5" aria-label="Filter events">
        <Select label="Type" name="type" value={type ?? ""} options={[["", "Any"], ...AUTH_EVENT_TYPES.map((t): [string, string] => [t, `${AUDIT_EVENT_WORDS[t]} (${t})`])]} />
        <Field label="User (subject or actor)" name="user" defaultValue={raw.user} errorId={ignoredFilter(invalid, "user")} />
        <Field label="From (UTC)" name="from" defaultValue={raw.from} errorId={ignoredFilter(invalid, "from")} placeholder="2026-11-01" />
        <Field label="To (UTC)" name="to" defaultValue={raw.to} errorId={ignoredFilter(invalid, "to")} placeholder="2026-11-30" />
        <div className="col-span-2 flex items-end gap-2 sm:col-span-1">
          <button type="submit" className={buttonClass.primary}>
            Apply
          </button>
          {filters.size > 0 && (
            <Link href={PAGE} className={buttonClass.secondary}>
              Clear
            </Link>
          )}
        </div>
      </form>
      {page.events.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 px-5 py-8 text-center text-sm text-slate-600">No events match.</p>
      ) : (
        <DataTable caption="Audit events" head={["When", "Event", "User", "By", "Session", "IP", "Detail"]}>
          {page.events.map((event) => {
            const when = timeView(event.at, now);
            return (
              <tr key={event.id} role="row" data-testid="admin-event-row" className={rowClass}>
                <Cell label="When" className="lg:whitespace-nowrap">
                  <ExactTime time={when} />
                </Cell>
                <Cell label="Event">
                  {/* Who did it has its own column, By. */}
                  <Badge tone={TONES[event.type] ?? "slate"}>{auditEventWords({ type: event.type, detail: event.detail })}</Badge>
                  <div className="mt-1 font-mono text-xs text-slate-500">{event.type}</div>
                  {event.count !== null && event.count !== 1 && <div className="mt-1 text-xs text-slate-500">{event.count.toLocaleString("en")} {event.type === "login.failed" ? "attempts from this address" : "sessions"}</div>}
                </Cell>
                <Cell label="User" className="wrap-break-word">
                  {event.username ? (
                    <Link href={userSessionsHref(event.username)} className="text-indigo-700 hover:underline" aria-label={`Sessions of ${event.username}`}>
                      {event.username}
                    </Link>
                  ) : (
                    "—"
                  )}
                </Cell>
                <Cell label="By" className="wrap-break-word">
                  {event.actor ?? "—"}
                </Cell>
                <Cell label="Session">
                  <SessionLabel id={event.sessionId} hint={event.sessionId ? hints.get(event.sessionId) : undefined} />
                </Cell>
                <Cell label="IP" className="break-all lg:whitespace-nowrap lg:break-normal">{event.ip ?? "—"}</Cell>
                <Cell label="Detail" wide className="wrap-anywhere lg:min-w-40">
                  {event.detail ?? "—"}
                </Cell>
              </tr>
            );
          })}
        </DataTable>
      )}
      <Pager
        firstHref={cursor ? withFilters(PAGE) : null}
        nextHref={page.nextCursor ? withFilters(PAGE, { cursor: page.nextCursor }) : null}
        firstLabel="← Newest"
        nextLabel="Older →"
      />
    </div>
  );
}
