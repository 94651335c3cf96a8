"use client";

import { useFormStatus } from "react-dom";

/**
 * A form's submit button that says what is happening while the form is in flight. Without
 * JavaScript it is a plain submit button and the browser's own loading state applies.
 */
export function SubmitButton({
  children,
  pendingText,
  className,
  autoFocus,
}: {
  children: React.ReactNode;
  pendingText: string;
  className: string;
  autoFocus?: boolean;
}) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending} aria-disabled={pending} className={className} autoFocus={autoFocus}>
      {pending ? pendingText : children}
    </button>
  );
}
