import { ConfirmPanel } from "@/components/confirm-panel";
import type { SessionRowView } from "@/lib/sessions/view-model";

type Props = {
  session: SessionRowView;
  /** The server action that revokes it (a form post, so it works without JavaScript). */
  action: (formData: FormData) => Promise<void>;
  cancelHref: string;
  /** Inside the session's row in the list, rather than standing alone on its page. */
  inset?: boolean;
};

/** The confirmation's id, the #fragment of the links that open it. */
export const revokeConfirmationId = (sessionId: string) => `revoke-${sessionId}`;

/** "Revoke this session?": the one confirmation for ending one of your sessions, in the list and on its page. */
export function RevokeConfirmation({ session, action, cancelHref, inset }: Props) {
  return (
    <ConfirmPanel
      id={revokeConfirmationId(session.id)}
      title="Revoke this session?"
      body={`${session.title} (${session.maskedToken}) will be signed out at its next request.`}
      action={action}
      fields={{ sessionId: session.id }}
      confirmLabel="Revoke session"
      pendingLabel="Revoking…"
      cancelHref={cancelHref}
      inset={inset}
    />
  );
}
