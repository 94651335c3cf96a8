"use client";

import { useEffect, useRef } from "react";
import { Alert } from "@/components/ui";

/**
 * When the list cannot be loaded (e.g. the database is briefly unavailable): say so, offer a retry,
 * which asks the server again. The message takes focus, so it is read out.
 */
export default function SessionsError({ retry }: { error: Error; retry: () => void }) {
  const message = useRef<HTMLDivElement>(null);
  useEffect(() => message.current?.querySelector<HTMLElement>("[role]")?.focus(), []);
  return (
    <div ref={message} className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Sessions</h1>
      <Alert tone="error" outcome>
        Your sessions could not be loaded right now. Nothing was changed.{" "}
        <button type="button" onClick={() => retry()} className="font-medium underline">
          Try again
        </button>
      </Alert>
    </div>
  );
}
