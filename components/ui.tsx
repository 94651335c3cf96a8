import type { ReactNode } from "react";

/** Marks an action's outcome message: focus starts there after the action (see FocusOnNavigation). */
export const OUTCOME_ATTRIBUTE = "data-outcome";

/** Small presentational building blocks shared by the pages. */
export function Card({ title, description, children }: { title?: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white shadow-sm">
      {title && (
        <header className="border-b border-slate-100 px-5 py-4">
          <h2 className="text-base font-semibold text-slate-900">{title}</h2>
          {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
        </header>
      )}
      <div className="px-5 py-4">{children}</div>
    </section>
  );
}

const alertStyles = {
  error: "border-red-200 bg-red-50 text-red-800",
  warning: "border-amber-200 bg-amber-50 text-amber-900",
  info: "border-sky-200 bg-sky-50 text-sky-900",
  success: "border-emerald-200 bg-emerald-50 text-emerald-900",
} as const;

/**
 * `id`: for a field or form that the message describes (aria-describedby). `outcome`: what an action
 * just did (or why it did nothing), where focus starts after it (FocusOnNavigation), so that it is
 * read out rather than left for someone to find.
 */
export function Alert({ tone, id, outcome, children }: { tone: keyof typeof alertStyles; id?: string; outcome?: boolean; children: ReactNode }) {
  return (
    <div
      id={id}
      role={tone === "error" ? "alert" : "status"}
      {...(outcome ? { [OUTCOME_ATTRIBUTE]: "", tabIndex: -1 } : {})}
      // wrap-anywhere: a username is one unbroken word of up to 64 characters (an email, say).
      className={`rounded-lg border px-4 py-3 text-sm wrap-anywhere ${alertStyles[tone]}`}
    >
      {children}
    </div>
  );
}

const badgeStyles = {
  green: "bg-emerald-100 text-emerald-800 ring-emerald-600/20",
  indigo: "bg-indigo-100 text-indigo-800 ring-indigo-600/20",
  slate: "bg-slate-100 text-slate-700 ring-slate-500/20",
  amber: "bg-amber-100 text-amber-900 ring-amber-600/20",
} as const;

export function Badge({ tone = "slate", children }: { tone?: keyof typeof badgeStyles; children: ReactNode }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${badgeStyles[tone]}`}>
      {children}
    </span>
  );
}

type DetailItem = { label: string; value: ReactNode };

/** Label/value pairs; `false` entries are skipped so callers can list optional details inline. */
export function DetailList({
  items,
  className = "grid grid-cols-1 gap-x-6 gap-y-3 sm:grid-cols-2",
}: {
  items: (DetailItem | false)[];
  className?: string;
}) {
  return (
    <dl className={className}>
      {items.filter((item): item is DetailItem => item !== false).map((item) => (
        <div key={item.label} className="min-w-0">
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{item.label}</dt>
          <dd className="mt-0.5 break-words text-sm text-slate-900">{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The one control height (36 px), so a form's fields line up with its buttons: fields are exactly
 * that tall; buttons and link-buttons at least (their words may wrap on a phone).
 */
export const controlHeight = { field: "h-9", button: "min-h-9" } as const;

/** Every text field and select: the control height, one ring, one focus. */
export const fieldClass =
  `block ${controlHeight.field} w-full rounded-lg border-0 bg-white px-3 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600`;

export const buttonClass = {
  primary:
    `inline-flex ${controlHeight.button} max-w-full items-center justify-center rounded-lg text-center wrap-anywhere bg-indigo-600 px-4 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:opacity-50`,
  secondary:
    `inline-flex ${controlHeight.button} max-w-full items-center justify-center rounded-lg text-center wrap-anywhere bg-white px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 disabled:opacity-50`,
  danger:
    `inline-flex ${controlHeight.button} max-w-full items-center justify-center rounded-lg text-center wrap-anywhere bg-red-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-red-500 disabled:opacity-50`,
  dangerOutline:
    `inline-flex ${controlHeight.button} max-w-full items-center justify-center rounded-lg text-center wrap-anywhere bg-white px-3 py-1.5 text-sm font-medium text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50`,
};
