"use client";

import Link, { useLinkStatus } from "next/link";
import type { ComponentProps } from "react";

/**
 * A link that shows it is loading while the next page is fetched (client navigation). Without
 * JavaScript it is a plain link and the browser shows its own progress.
 */
export function PendingLink({ children, ...props }: ComponentProps<typeof Link>) {
  return (
    <Link {...props}>
      {children}
      <PendingIndicator />
    </Link>
  );
}

function PendingIndicator() {
  const { pending } = useLinkStatus();
  if (!pending) return null;
  return <span aria-hidden="true" className="ml-2 inline-block size-3 animate-spin rounded-full border-2 border-current border-r-transparent" />;
}
