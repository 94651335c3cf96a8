"use client";

/** Shown instead of a stack trace when a page fails unexpectedly. */
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <main className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-2 text-sm text-slate-600">
        The page could not be shown. If the session database is unavailable, try again in a moment.
      </p>
      <button type="button" onClick={reset} className="mt-6 text-sm font-medium text-indigo-600 hover:underline">
        Try again
      </button>
    </main>
  );
}
