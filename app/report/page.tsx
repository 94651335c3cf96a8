import type { Metadata } from "next";
import { Alert, buttonClass } from "@/components/ui";
import { RelativeTime } from "@/components/time";
import { JUST_USED, readReportLink } from "@/lib/alerts/report-link";
import { deviceWords, whereWords } from "@/lib/alerts/words";
import { pageMessage } from "@/lib/errors";
import { withPageContext } from "@/lib/http/page";
import { timeView } from "@/lib/time-view";

// The address carries the link's token: requests from this page name only the origin ("no-referrer"
// would also make the form's Origin null, which the same-origin rule refuses).
export const metadata: Metadata = { title: "Sign out a new sign-in", referrer: "origin" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Where a mailed new-device alert's "This wasn't me" link leads (?token=…), signed in or not:
 * opening it only shows the sign-in and a button; the button's POST signs that device out.
 */
export default async function ReportPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const token = one(params.token) ?? "";
  const link = await withPageContext(({ db }) => readReportLink(db, token));
  // Anyone can write the query: it only chooses the words for a link that is used.
  const justUsed = link.state === "used" && one(params.outcome) === JUST_USED;

  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-md space-y-6">
        <div className="text-center">
          <p className="text-lg font-semibold tracking-tight text-slate-900">Sessionboard</p>
          <h1 className="mt-2 text-2xl font-semibold tracking-tight">Sign out a new sign-in</h1>
        </div>
        {justUsed && <Alert tone="success" outcome>That device is signed out. Change your key or password too, if someone else may know it.</Alert>}
        {link.state === "used" && !justUsed && <Alert tone="error">{pageMessage("report_link_used")}</Alert>}
        {link.state === "invalid" && <Alert tone="error">{pageMessage("report_link_invalid")}</Alert>}
        {link.state === "valid" && (
          <form action="/api/alerts/report-link" method="post" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <p className="text-sm text-slate-700">
              Your account was signed in to from <strong>{deviceWords(link.alert)}</strong>, {whereWords(link.alert)},{" "}
              <RelativeTime time={timeView(link.alert.createdAt, new Date())} />.
            </p>
            <p className="text-sm text-slate-700">If this wasn&apos;t you, sign that device out: each of its sessions ends. Nothing else is changed.</p>
            <input type="hidden" name="token" value={token} />
            <button type="submit" className={`${buttonClass.danger} w-full`}>
              Sign that device out
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
