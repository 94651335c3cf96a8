"use client";

import { NotFoundMessage } from "@/components/not-found-message";

/**
 * 404 outside the signed-in layout. Unknown addresses reach app/(app)/[...missing], with the
 * header; this one only stands in for the root segment (Next.js's own is larger). A client
 * component: every page's payload carries the root's 404 for the router, and so carries only a
 * reference to it rather than its elements.
 */
export default function NotFound() {
  return (
    <main className="px-4">
      <NotFoundMessage />
    </main>
  );
}
