import type { ReactNode } from "react";
import { PendingLink } from "./pending-link";
import { buttonClass } from "./ui";

/** Keyset paging links: back to the first page (when not on it) and on to the next (when there is one). */
export function Pager({ firstHref, nextHref, firstLabel = "← First page", nextLabel = "Next page →", children }: {
  firstHref: string | null;
  nextHref: string | null;
  firstLabel?: string;
  nextLabel?: string;
  children?: ReactNode;
}) {
  if (!firstHref && !nextHref && !children) return null;
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
      {firstHref && (
        <PendingLink href={firstHref} className={buttonClass.secondary}>
          {firstLabel}
        </PendingLink>
      )}
      {nextHref && (
        <PendingLink href={nextHref} className={buttonClass.secondary}>
          {nextLabel}
        </PendingLink>
      )}
      {children}
    </nav>
  );
}
