import { CancelLink } from "@/components/cancel-link";
import type { ReactNode } from "react";
import { Field } from "@/components/confirm-panel";
import { Alert, buttonClass, controlHeight, fieldClass } from "@/components/ui";
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

/** A confirmation's optional reason, focused when it opens; after a refusal, refilled and marked when it is what was wrong. */
export function ReasonField({ reason, errorId }: { reason?: string; errorId?: string }) {
  return <Field label="Reason (recorded in the audit trail)" name="reason" autoFocus placeholder="optional" defaultValue={reason} errorId={errorId} />;
}

/**
 * The reason and — for a static admin whose sign-in is not fresh — admin key inputs of a destructive
 * action. Focus starts at the first, the reason, so nobody is placed past a field they would miss;
 * after a refusal, at the field it was about (`invalid`, described by the message `errorId`), with
 * the reason typed before filled in again.
 */
export function ReasonAndKey({
  reauthentication,
  freshMinutes,
  autoFocus,
  reasonRequired,
  reason,
  invalid,
  errorId,
}: {
  reauthentication: Reauthentication;
  freshMinutes: number;
  autoFocus?: boolean;
  reasonRequired?: boolean;
  reason?: string;
  invalid?: "key" | "reason" | "confirm" | null;
  errorId?: string;
}) {
  const needsKey = reauthentication === "admin_key";
  const inError = (field: "key" | "reason") => (invalid === field ? errorId : undefined);
  return (
    <>
      <Field
        label={reasonRequired ? "Reason (required, recorded in the audit trail)" : "Reason (recorded in the audit trail)"}
        name="reason"
        required={reasonRequired}
        placeholder="e.g. laptop reported stolen"
        autoFocus={autoFocus && !invalid}
        defaultValue={reason}
        errorId={inError("reason")}
      />
      {needsKey && (
        <Field
          label="Your admin key"
          name="key"
          type="password"
          required
          hint={`You signed in more than ${freshMinutes} minutes ago, so confirm with your key.`}
          errorId={inError("key")}
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
        <CancelLink href={cancelHref} className={buttonClass.secondary} />
      </div>
    </form>
  );
}

/**
 * A table on a wide screen; below the lg breakpoint (1024 px) each row becomes a card (every cell labelled,
 * the actions on their own line), so nothing is cut off or hidden sideways on a phone. The roles
 * keep it a table for screen readers whatever the CSS display of its parts.
 */
export function DataTable({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white shadow-sm lg:overflow-x-auto">
      <table role="table" className="block w-full text-left text-sm lg:table lg:min-w-full lg:divide-y lg:divide-slate-200">
        <caption className="sr-only">{caption}</caption>
        <thead role="rowgroup" className="hidden bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500 lg:table-header-group">
          <tr role="row">
            {head.map((cell, index) => (
              <th key={index} role="columnheader" scope="col" className="whitespace-nowrap px-3 py-2">
                {cell === "" ? <span className="sr-only">Actions</span> : cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup" className="block divide-y divide-slate-200 lg:table-row-group lg:divide-slate-100">
          {children}
        </tbody>
      </table>
    </div>
  );
}

// A row's actions: small outlined buttons, easy to tap on a phone; plain links in a table row.
const action = `inline-flex ${controlHeight.button} items-center whitespace-nowrap rounded-md px-3 py-1.5 text-sm ring-1 ring-inset hover:underline lg:min-h-0 lg:px-0 lg:py-0 lg:ring-0`;
export const actionClass = {
  danger: `${action} font-medium text-red-700 ring-red-300`,
  primary: `${action} font-medium text-indigo-700 ring-indigo-300`,
  quiet: `${action} text-slate-600 ring-slate-300`,
};

/** A row: a two-column card on a phone, a table row from lg up. */
export const rowClass = "grid grid-cols-2 gap-x-4 gap-y-2 px-4 py-3 sm:grid-cols-4 lg:table-row lg:p-0";

/**
 * A cell. On a phone it shows its column's `label` above the value (the header row is hidden
 * there); `wide` cells take the card's full width, and `actions` sit on a line of their own (in a
 * table row side by side, or "stacked" one under the other where the table is wide already).
 */
export function Cell({
  label,
  wide,
  actions,
  className = "",
  children,
}: {
  label?: string;
  wide?: boolean;
  actions?: true | "stacked";
  className?: string;
  children: ReactNode;
}) {
  const phone = actions ? "col-span-2 sm:col-span-4" : `min-w-0 break-words ${wide ? "col-span-2" : ""}`;
  const labelled = label
    ? "before:block before:text-xs before:font-medium before:text-slate-500 before:content-[attr(data-label)] lg:before:content-none"
    : "";
  return (
    <td role="cell" data-label={label} className={`${phone} ${labelled} lg:table-cell lg:px-3 lg:py-2 lg:align-top ${className}`}>
      {actions ? (
        <div className={`flex flex-wrap items-center gap-x-4 gap-y-2 lg:flex-nowrap lg:justify-end ${actions === "stacked" ? "lg:flex-col lg:items-end lg:gap-1" : ""}`}>
          {children}
        </div>
      ) : (
        children
      )}
    </td>
  );
}

const selectClass = `mt-1 ${fieldClass}`;

/** A filter form's setting that the other choices fix (nothing is submitted for it). */
export function FixedSetting({ label, text }: { label: string; text: string }) {
  return (
    <div>
      <p className="block text-xs font-medium text-slate-700">{label}</p>
      <p className="mt-1 py-2 text-sm text-slate-600">{text}</p>
    </div>
  );
}

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

const IGNORED_FILTERS_ID = "ignored-filters";

/** Which filters of a page's address were left out, and why (lenientQuery); nothing when all apply. */
export function IgnoredFilters({ problems }: { problems: string[] }) {
  if (problems.length === 0) return null;
  return (
    <Alert tone="error" id={IGNORED_FILTERS_ID} outcome>
      Some filters were not valid and were ignored, the others apply: {problems.join("; ")}.
    </Alert>
  );
}

/** A filter field's errorId: the IgnoredFilters message, when lenientQuery left this field's value out. */
export const ignoredFilter = (invalid: string[], name: string) => (invalid.includes(name) ? IGNORED_FILTERS_ID : undefined);
