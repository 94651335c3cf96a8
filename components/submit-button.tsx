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
  label,
}: {
  children: React.ReactNode;
  pendingText: string;
  className: string;
  autoFocus?: boolean;
  name?: string;
  value?: string;
  /** Its name for assistive technology when the text alone does not say what it acts on (several alike on a page); starts with the text. */
  label?: string;
}) {
  const { pending, data } = useFormStatus();
  const pressed = pending && (name === undefined || data?.get(name) === value);
  return (
    <button type="submit" name={name} value={value} disabled={pending} aria-disabled={pending} className={className} autoFocus={autoFocus} aria-label={pressed ? undefined : label}>
      {pressed ? pendingText : children}
    </button>
  );
}
