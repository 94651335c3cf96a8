"use client";

import { useFormStatus } from "react-dom";

/**
 * A form's submit button that says what is happening while the form is in flight. Without
 * JavaScript it is a plain submit button and the browser's own loading state applies. Of several
 * buttons that post a `name` with different values, the one pressed says it; all wait.
 */
export function SubmitButton({
  children,
  pendingText,
  className,
  autoFocus,
  name,
  value,
  describedBy,
}: {
  children: React.ReactNode;
  pendingText: string;
  className: string;
  autoFocus?: boolean;
  name?: string;
  value?: string;
  /** The id of what the button acts on, when its label alone does not say (several alike on a page). */
  describedBy?: string;
}) {
  const { pending, data } = useFormStatus();
  const pressed = pending && (name === undefined || data?.get(name) === value);
  return (
    <button type="submit" name={name} value={value} disabled={pending} aria-disabled={pending} className={className} autoFocus={autoFocus} aria-describedby={describedBy}>
      {pressed ? pendingText : children}
    </button>
  );
}
