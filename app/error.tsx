"use client";

import { useEffect, useRef } from "react";

/**
 * Shown instead of a stack trace when a page fails unexpectedly. Its heading takes focus, so the
 * failure is read out and focus is not left on the link that led here. "Try again" asks the server
 * again (`retry`; `reset` would only re-render what already failed).
 */
export default function ErrorPage({ retry }: { error: Error; retry: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <main className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 ref={heading} tabIndex={-1} className="text-2xl font-semibold outline-none">
        Something went wrong
      </h1>
      <p className="mt-2 text-sm text-slate-600">
        The page could not be shown. If the session database is unavailable, try again in a moment.
      </p>
      {/* It stands in for the whole page, header included: a way home as well as a retry. */}
      <div className="mt-6 flex justify-center gap-6 text-sm font-medium text-indigo-600">
        <button type="button" onClick={() => retry()} className="hover:underline">
          Try again
        </button>
        {/* A full load, not the client router: the page it replaces has just failed in it. */}
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
        <a href="/" className="hover:underline">
          Go to the dashboard
        </a>
      </div>
    </main>
  );
}
