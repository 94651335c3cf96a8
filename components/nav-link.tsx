"use client";

import { usePathname } from "next/navigation";
import { PendingLink } from "./pending-link";

/** A navigation link that marks itself as the current page (also for pages below it, unless `exact`). */
export function NavLink({ href, match = href, exact = match === "/", children }: { href: string; match?: string; exact?: boolean; children: React.ReactNode }) {
  const pathname = usePathname();
  const active = pathname === match || (!exact && pathname.startsWith(`${match}/`));
  return (
    <PendingLink
      href={href}
      aria-current={active ? "page" : undefined}
      className={`whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium ${
        // The current page is told by more than colour: a line under it, as well as its background.
        active ? "bg-slate-100 text-slate-900 underline decoration-2 underline-offset-4" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900"
      }`}
    >
      {children}
    </PendingLink>
  );
}
