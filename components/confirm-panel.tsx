import type { ReactNode } from "react";
import { CancelLink } from "./cancel-link";
import { SubmitButton } from "./submit-button";
import { buttonClass, fieldClass } from "./ui";

type Props = ConfirmButtons & {
  id: string;
  title: string;
  body: ReactNode;
  /** A server action; the form posts to it, with or without client JavaScript. */
  action: (formData: FormData) => Promise<void>;
  /** Hidden form fields (what to act on, where to return). */
  fields?: Record<string, string>;
  pendingLabel: string;
  cancelHref: string;
  /** Inside a card headed by an h3 (a top border, an h4) rather than standing alone (a rounded box, an h2). */
  inset?: boolean;
  /** Extra inputs: a reason, a typed confirmation, the admin key. */
  children?: ReactNode;
  /** Shown instead of the form while something must happen first (a new sign-in at the identity provider). */
  instead?: ReactNode;
  /** Why the last try was refused, said in the panel (its id: confirmationErrorId); the field it is about says so too. */
  error?: string | null;
};

/** The id of a confirmation's error message, which the field in error is described by. */
export const confirmationErrorId = (panelId: string) => `${panelId}-error`;

/**
 * One confirm button, or one per choice, each posting `name=value` (the first is what Enter in a
 * field presses): then the words on each button say what happens.
 */
type ConfirmButtons =
  | { confirmLabel: string; choices?: undefined }
  | { confirmLabel?: undefined; choices: { name: string; options: { value: string; label: string }[] } };

/**
 * Where a link that opens a confirmation leads: the page with it open, ending in the panel's #id.
 * The browser (or the client router) then scrolls the panel into view wherever the link was — the
 * bottom of a long list, a phone's small screen — so its button is never focused off-screen.
 */
export function confirmationHref(pageHref: string, panelId: string) {
  return `${pageHref}#${panelId}`;
}

/**
 * Where Cancel leads: the page with the panel closed, ending in the #id of what opened it (its row or
 * its button), so focus (FocusOnNavigation) and, without JavaScript, the next Tab start there again.
 */
export function cancelHref(pageHref: string, openerId: string | undefined) {
  return openerId ? `${pageHref}#${openerId}` : pageHref;
}

/**
 * The confirmation step of a destructive action: a real form, so it works without JavaScript.
 * Without extra inputs its button takes focus (which also scrolls it into view). A link that opens
 * it may end in #<id> instead: browsers then skip autofocus on a full page load but scroll the
 * panel into view and start the next Tab from it, so the confirm button is one Tab away and never
 * focused off-screen. The scroll margin keeps what it is about in sight above it.
 */
export function ConfirmPanel(props: Props) {
  // Inset, it sits in a card headed by an h3 (a session's row): one level below, so the outline stays in order.
  const Heading = props.inset ? "h4" : "h2";
  return (
    <section
      id={props.id}
      role="group"
      aria-labelledby={`${props.id}-title`}
      className={`scroll-mt-24 border-red-200 bg-red-50 px-4 py-4 wrap-anywhere sm:px-5 ${props.inset ? "border-t" : "rounded-xl border"}`}
    >
      <Heading id={`${props.id}-title`} className="text-sm font-semibold text-red-900">
        {props.title}
      </Heading>
      <div className="mt-1 text-sm text-red-900">{props.body}</div>
      {props.error && (
        <p id={confirmationErrorId(props.id)} role="alert" className="mt-3 rounded-lg border border-red-300 bg-white px-3 py-2 text-sm font-medium text-red-800">
          {props.error}
        </p>
      )}
      {props.instead ?? (
        <form action={props.action} className="mt-3 space-y-3">
          {/* Which confirmation this is: a refusal comes back to it (#id). */}
          <input type="hidden" name="panel" value={props.id} />
          {Object.entries(props.fields ?? {}).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {props.children}
          <div className="flex flex-wrap gap-3">
            {props.choices ? (
              props.choices.options.map((option, index) => (
                <SubmitButton
                  key={option.value}
                  name={props.choices?.name}
                  value={option.value}
                  className={index === 0 ? buttonClass.danger : buttonClass.dangerOutline}
                  pendingText={props.pendingLabel}
                  autoFocus={index === 0 && !props.children}
                >
                  {option.label}
                </SubmitButton>
              ))
            ) : (
              <SubmitButton className={buttonClass.danger} pendingText={props.pendingLabel} autoFocus={!props.children}>
                {props.confirmLabel}
              </SubmitButton>
            )}
            <CancelLink href={props.cancelHref} className={buttonClass.secondary} />
          </div>
        </form>
      )}
    </section>
  );
}

const inputClass = `${fieldClass} max-w-sm`;

/** A labelled text input for confirmation panels and filter forms. */
export function Field({
  label,
  name,
  type = "text",
  hint,
  required,
  autoFocus,
  defaultValue,
  placeholder,
  errorId,
}: {
  label: string;
  name: string;
  type?: "text" | "password" | "number";
  hint?: string;
  required?: boolean;
  autoFocus?: boolean;
  defaultValue?: string;
  placeholder?: string;
  /** The message saying what is wrong with this field: it is marked invalid, described by it, and focused. */
  errorId?: string;
}) {
  const id = `field-${name}`;
  const describedBy = [errorId, hint && `${id}-hint`].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        required={required}
        autoFocus={autoFocus || Boolean(errorId)}
        defaultValue={defaultValue}
        placeholder={placeholder}
        autoComplete={type === "password" ? "current-password" : "off"}
        className={`mt-1 bg-white ${inputClass}`}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
    </div>
  );
}
