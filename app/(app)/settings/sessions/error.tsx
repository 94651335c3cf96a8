"use client";

import { Alert } from "@/components/ui";

/** When the list cannot be loaded (e.g. the database is briefly unavailable): say so, offer a retry. */
export default function SessionsError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Sessions</h1>
      <Alert tone="error">
        Your sessions could not be loaded right now. Nothing was changed.{" "}
        <button type="button" onClick={reset} className="font-medium underline">
          Try again
        </button>
      </Alert>
    </div>
  );
}
