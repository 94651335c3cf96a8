import Link from "next/link";
import type { ReactNode } from "react";
import { Field } from "@/components/confirm-panel";
import { buttonClass } from "@/components/ui";
import type { Reauthentication } from "@/lib/auth/freshness";

/** One figure in the counters row. */
export function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-sm">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{value.toLocaleString("en")}</dd>
    </div>
  );
}

/** The reason and — for a static admin whose sign-in is not fresh — admin key inputs of a destructive action. */
export function ReasonAndKey({
  reauthentication,
  freshMinutes,
  autoFocus,
  reasonRequired,
}: {
  reauthentication: Reauthentication;
  freshMinutes: number;
  autoFocus?: boolean;
  reasonRequired?: boolean;
}) {
  const needsKey = reauthentication === "admin_key";
  return (
    <>
      <Field
        label={reasonRequired ? "Reason (required, recorded in the audit trail)" : "Reason (recorded in the audit trail)"}
        name="reason"
        required={reasonRequired}
        placeholder="e.g. laptop reported stolen"
        autoFocus={autoFocus && !needsKey}
      />
      {needsKey && (
        <Field
          label="Your admin key"
          name="key"
          type="password"
          required
          autoFocus={autoFocus}
          hint={`You signed in more than ${freshMinutes} minutes ago, so confirm with your key.`}
        />
      )}
    </>
  );
}

/**
 * What a confirmation shows an SSO admin whose sign-in is not fresh, instead of its form: a new
 * sign-in at the identity provider (a post, so another site cannot start it) that comes back to
 * `returnTo`, this confirmation.
 */
export function ReauthenticateWithSso({ freshMinutes, returnTo, cancelHref }: { freshMinutes: number; returnTo: string; cancelHref: string }) {
  return (
    <form action="/api/auth/oidc/login" method="post" className="mt-3 space-y-3">
      <input type="hidden" name="reauth" value="true" />
      <input type="hidden" name="next" value={returnTo} />
      <p className="text-sm text-red-900">
        You signed in more than {freshMinutes} minutes ago. Confirm it is you at your identity provider; you come back here to confirm.
      </p>
      <div className="flex flex-wrap gap-3">
        <button type="submit" className={buttonClass.primary} autoFocus>
          Confirm with single sign-on
        </button>
        <Link href={cancelHref} className={buttonClass.secondary}>
          Cancel
        </Link>
      </div>
    </form>
  );
}

/** A table that scrolls sideways inside its card on narrow screens instead of widening the page. */
export function DataTable({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
          <tr>
            {head.map((cell) => (
              <th key={cell} scope="col" className="whitespace-nowrap px-3 py-2">
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

export const cellClass = "px-3 py-2 align-top";

const selectClass =
  "mt-1 block w-full rounded-lg border-0 bg-white px-3 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-inset focus:ring-indigo-600";

export function Select({ label, name, value, options }: { label: string; name: string; value?: string; options: [string, string][] }) {
  return (
    <div>
      <label htmlFor={`field-${name}`} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      <select id={`field-${name}`} name={name} defaultValue={value} className={selectClass}>
        {options.map(([optionValue, text]) => (
          <option key={optionValue} value={optionValue}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
