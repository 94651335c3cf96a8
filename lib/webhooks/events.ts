/*
 * Webhook events: what each one says, and the outbox rows that carry it. An event is written in the
 * transaction of the change it reports, one row per receiver URL (see delivery.ts for the rest).
 * Payloads carry public ids and names only: never a token, its hash, a cookie, a key or a secret.
 */
import type { DatabaseClient, Prisma } from "../db/client";
import type { SessionEndCause } from "../sessions/end-reasons";
import { generateId } from "../sessions/token";

export const WEBHOOK_EVENT_TYPES = ["session.created", "session.ended", "session.alert", "user.disabled", "user.enabled"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A delivery's state: pending (waiting for its first attempt or a retry), delivered, or failed (gave up). */
export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Retries stop this long after the event (or after an admin's resend); the row is then marked failed. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

export type WebhookEvent = {
  /** webhook-id: the same for every receiver and attempt, so receivers can drop duplicates. */
  id: string;
  type: WebhookEventType;
  /** The session it is about: a receiver gets one session's events in the order they were written. */
  sessionId: string | null;
  at: Date;
  data: Record<string, string | number | boolean | null>;
};

/*
 * The ids of session events follow from the session (a session is created once and ends once), so
 * the bulk statements in lib/db build them in SQL the same way: see SESSION_EVENT_ID_PREFIX.
 */
export const SESSION_EVENT_ID_PREFIX = { created: "evt_created_", ended: "evt_ended_" } as const;

type SessionRef = { sessionId: string; userId: string; username: string; authMethod: string };

export function sessionCreatedEvent(session: SessionRef & { ipAddress: string | null; userAgent: string | null; country: string | null; city: string | null; rememberMe: boolean; expiresAt: Date }, at: Date): WebhookEvent {
  return {
    id: SESSION_EVENT_ID_PREFIX.created + session.sessionId,
    type: "session.created",
    sessionId: session.sessionId,
    at,
    data: {
      sessionId: session.sessionId,
      userId: session.userId,
      username: session.username,
      authMethod: session.authMethod,
      ipAddress: session.ipAddress,
      userAgent: session.userAgent,
      country: session.country,
      city: session.city,
      rememberMe: session.rememberMe,
      createdAt: at.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
    },
  };
}

/**
 * session.ended: `endReason` is the cause code (SESSION_END_CAUSES), `endedBy` the actor's username
 * ("system" for expiries, "idp", "cli"…). The same fields, in the same order, as the bulk statements
 * in lib/db/sqlite.ts and lib/db/postgres.ts write.
 */
export function sessionEndedEvent(session: SessionRef, endReason: SessionEndCause, endedBy: string, at: Date): WebhookEvent {
  return {
    id: SESSION_EVENT_ID_PREFIX.ended + session.sessionId,
    type: "session.ended",
    sessionId: session.sessionId,
    at,
    data: {
      sessionId: session.sessionId,
      userId: session.userId,
      username: session.username,
      authMethod: session.authMethod,
      endReason,
      endedBy,
      endedAt: at.toISOString(),
    },
  };
}

export function sessionAlertEvent(
  alert: { alertId: string; sessionId: string; userId: string; username: string; browserFamily: string | null; osFamily: string | null; ipAddress: string | null; country: string | null; city: string | null },
  at: Date,
): WebhookEvent {
  const { alertId, ...rest } = alert;
  return { id: `evt_alert_${alertId}`, type: "session.alert", sessionId: alert.sessionId, at, data: { alertId, ...rest, createdAt: at.toISOString() } };
}

export function userStateEvent(type: "user.disabled" | "user.enabled", user: { userId: string; username: string }, by: string, at: Date, reason: string | null = null): WebhookEvent {
  return {
    id: `evt_${generateId()}`,
    type,
    sessionId: null,
    at,
    data: type === "user.disabled" ? { ...user, disabledBy: by, reason } : { ...user, enabledBy: by },
  };
}

/** The JSON body receivers get (and the signature covers). */
export const webhookBody = (event: WebhookEvent) => JSON.stringify({ type: event.type, timestamp: event.at.toISOString(), data: event.data });

type OutboxClient = Pick<DatabaseClient, "webhookDelivery">;

/**
 * The outbox writes for `events`, one row per event and URL, to run in the transaction of the change
 * (an array transaction, or awaited inside an interactive one). None when no URL is configured.
 */
export function webhookWrites(client: OutboxClient, urls: readonly string[], events: WebhookEvent[]): Prisma.PrismaPromise<unknown>[] {
  if (urls.length === 0 || events.length === 0) return [];
  return [
    client.webhookDelivery.createMany({
      data: events.flatMap((event) =>
        urls.map((url) => ({
          eventId: event.id,
          type: event.type,
          payload: webhookBody(event),
          sessionId: event.sessionId,
          url,
          createdAt: event.at,
          nextAttemptAt: event.at,
          giveUpAt: new Date(event.at.getTime() + RETRY_WINDOW_MS),
        })),
      ),
    }),
  ];
}

/** webhookWrites inside an interactive transaction. */
export async function enqueueWebhookEvents(tx: OutboxClient, urls: readonly string[], events: WebhookEvent[]): Promise<void> {
  for (const write of webhookWrites(tx, urls, events)) await write;
}
