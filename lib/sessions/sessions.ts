/*
 * A session's whole life, in reading order: token.ts (the secret and the hash stored for it) →
 * cookie.ts (what the browser holds: encoding, name, attributes, set and clear) → this file
 * (create, validate and slide, rotate, end by logout; the expiry math in expiry.ts, the end
 * reasons and the columns every end writes in end-reasons.ts) → revoke.ts (ended by someone else; everyone at once: force-logout.ts)
 * → cleanup.ts (unseen expiries marked ended, ended rows deleted after SESSION_HISTORY_DAYS). Listing and showing sessions: active.ts, own-sessions.ts, present.ts, view-model.ts.
 */
import { SYSTEM_ACTOR } from "../actor";
import type { Config } from "../config";
import { authEventRow, recordAuthEvent } from "../audit";
import { decodeSessionCookie } from "./cookie";
import { roleFor, signedInWithCurrentKey, type Role } from "../auth/roles";
import { generateId, generateSessionToken, hashSessionToken, tokenHint } from "./token";
import { TRANSACTION_LIMITS, type Database, type Prisma, type SessionWithUser } from "../db";
import { fail } from "../errors";
import type { RequestInfo } from "../request/types";
import { endedColumns, endReasonOfCause, type EndReason, type SessionEndCause } from "./end-reasons";
import { expiryReason, initialExpiry, slideExpiry } from "./expiry";
import { deviceFamilies, storedDeviceType } from "./user-agent";
import { signInDevice } from "../alerts/new-device";
import { holdUser } from "../db/user-hold";
import { notifyNewDevice } from "../alerts/mail";
import { revokeSessions } from "./revoke";
import { activeSessionWhere, type PendingForceLogout, pendingForceLogout, asForceLogout } from "./active";
import { asMarked, endIfForceLoggedOut } from "./force-logout";
import { scheduleSsoRecheck } from "../auth/sso-recheck";
import { deleteSsoTokens, sealedTokens, type ProviderTokens } from "../auth/sso-tokens";
import { recordSessionCheck, recordSessionCreated, recordSessionsEnded } from "../metrics/metrics";
import { tracingEnabled, withSpan } from "../tracing";
import { enqueueWebhookEvents, sessionAlertEvent, sessionCreatedEvent, sessionEndedEvent, webhookWrites } from "../webhooks/events";

export type CurrentUser = { id: string; username: string; displayName: string | null; email: string | null; role: Role };
/** The session row as the check reads it, without the force logout that comes with it. */
type StoredSession = Omit<SessionWithUser, "forceLogout">;
export type CurrentSession = Omit<StoredSession, "user">;

export type SessionCheck =
  | { status: "active"; session: CurrentSession; user: CurrentUser; cookiePersistent: boolean; forceLogout: PendingForceLogout | null }
  | { status: "ended"; reason: EndReason }
  /** No cookie, or one that is not ours (bad signature, garbage). */
  | { status: "none" };

/**
 * The per-request session check, used by every page and API route: verify the cookie's signature
 * (no database work for garbage), then one indexed lookup by token hash joined with the user.
 * A session found ended (expired, key changed, user disabled) is marked ended when met and the end
 * audited; a row already ended answers its end's reason at every later request until cleanup.
 */
export function validateSessionCookie(
  db: Database,
  config: Config,
  cookieValue: string | undefined,
  request: RequestInfo,
  now = new Date(),
): Promise<SessionCheck> {
  // The hot path: with tracing off, not even a closure is made.
  if (!tracingEnabled()) return checkSessionCookie(db, config, cookieValue, request, now);
  return withSpan("session.check", async (span) => {
    const check = await checkSessionCookie(db, config, cookieValue, request, now);
    span?.setAttribute("session.check.result", check.status);
    if (check.status === "active") {
      span?.setAttribute("session.id", check.session.id);
      span?.setAttribute("session.auth_method", check.session.authMethod);
      span?.setAttribute("user.id", check.user.id);
    } else if (check.status === "ended") {
      span?.setAttribute("session.end_reason", check.reason);
    }
    return check;
  });
}

async function checkSessionCookie(
  db: Database,
  config: Config,
  cookieValue: string | undefined,
  request: RequestInfo,
  now: Date,
): Promise<SessionCheck> {
  const cookie = decodeSessionCookie(config, cookieValue);
  if (!cookie) return { status: "none" };

  // Timed from here: the histogram is about the database work, not about cookies that are not ours.
  const started = performance.now();
  const found = await db.findSessionByTokenHash(cookie.tokenHash);
  // A vanished row (cleanup, or an operator's DELETE) is an ended session.
  if (!found) {
    recordSessionCheck(started);
    return { status: "ended", reason: "ended" };
  }
  // A force logout still marking its rows ends this session already, marked or not.
  const { forceLogout: held, ...stored } = found;
  const forceLogout = asForceLogout(held);
  const row = asMarked(forceLogout, stored);

  const reason = endReasonFor(config, row, now);
  if (reason) {
    await endMetSession(db, row, reason, request, now);
    recordSessionCheck(started);
    return { status: "ended", reason };
  }

  // The activity write: once a minute, or at once when the session is used from another address or
  // browser than last time, so every place it is used from is recorded (SessionActivity).
  const moved = request.ip !== row.lastIpAddress || request.userAgent !== row.lastUserAgent;
  const slid = slideExpiry(config, row, now, moved);
  if (slid) {
    const seen = { ipAddress: request.ip, userAgent: request.userAgent, country: request.location?.country ?? null, city: request.location?.city ?? null };
    await db.touchSession(row.id, { ...slid, seen });
    row.lastActiveAt = slid.lastActiveAt;
    row.expiresAt = slid.expiresAt;
    row.lastIpAddress = request.ip;
    row.lastUserAgent = request.userAgent;
    // Piggybacks on the activity write; runs after this request, never on its path.
    if (row.authMethod === "oidc") scheduleSsoRecheck(db, config, row.id, now);
  }
  recordSessionCheck(started);
  const { user, ...session } = row;
  const { oidcIssuer, oidcSubject, ...person } = user;
  return {
    status: "active",
    session,
    user: {
      ...person,
      role: roleFor(config, { authMethod: session.authMethod, keyFingerprint: session.keyFingerprint, username: user.username, oidcIssuer, oidcSubject, storedRole: user.role }),
    },
    cookiePersistent: cookie.persistent,
    forceLogout,
  };
}

function endReasonFor(config: Config, row: StoredSession, now: Date): EndReason | null {
  if (row.user.disabledAt) return "disabled";
  if (row.revokedAt) return endReasonOfCause(row.endReason);
  if (!signedInWithCurrentKey(config, row, row.user.username)) return "key-changed";
  return expiryReason(row, now);
}

/** The cause of an end the session check discovers; rows ended before were counted when they ended. */
const DISCOVERED_CAUSES: Partial<Record<EndReason, SessionEndCause>> = {
  expired: "expired_idle",
  "max-age": "expired_absolute",
  "key-changed": "key_changed",
  disabled: "disabled",
};

/**
 * Marks ended a session the check found expired, key-changed or disabled, with its expiry audited
 * in the same transaction. Ended once: by whichever request (or cleanup) marks it first; rows
 * already ended were counted and audited when they ended. An expiry ended when it expired.
 */
async function endMetSession(db: Database, row: StoredSession, reason: EndReason, request: RequestInfo, now: Date) {
  const cause = DISCOVERED_CAUSES[reason];
  if (row.revokedAt || !cause) return;
  const expired = cause === "expired_idle" || cause === "expired_absolute";
  const at = expired ? new Date(Math.min(row.expiresAt.getTime(), row.absoluteExpiresAt.getTime(), now.getTime())) : now;
  // Disabling was audited when it happened; expiries and key changes here, once.
  const audited = cause !== "disabled";
  const ref = sessionRef(row.id, row.user, row.authMethod);
  await endSession(db, { id: row.id, ref, cause, by: SYSTEM_ACTOR.username, at }, audited ? authEventRow({
    type: reason === "key-changed" ? "session.key_changed" : "session.expired",
    username: row.user.username,
    userId: row.userId,
    sessionId: row.id,
    authMethod: row.authMethod,
    ip: request.ip,
    userAgent: request.userAgent,
    actor: SYSTEM_ACTOR.username,
    detail: reason === "max-age" ? "absolute lifetime reached" : reason === "expired" ? "idle timeout" : null,
    count: 1,
    at: now,
  }) : null);
}

/**
 * Ends ONE session (log out, or an end the session check discovers): marks it ended (endedColumns)
 * if it is not already, with its audit event and its webhook session.ended event in the same
 * transaction, counts the end once and drops its identity provider tokens. Returns whether this
 * call ended it. (Revocations: revoke.ts; unseen expiries: cleanup.ts.)
 */
export async function endSession(
  db: Database,
  end: { id: string; ref: SessionRef; cause: SessionEndCause; by: string; at: Date },
  event: ReturnType<typeof authEventRow> | null,
): Promise<boolean> {
  const ended = await db.prisma.$transaction(async (tx) => {
    const { count } = await tx.session.updateMany({ where: { id: end.id, revokedAt: null }, data: endedColumns(end) });
    if (count === 0) return false;
    if (event) await tx.authEvent.create({ data: event });
    await enqueueWebhookEvents(tx, db.webhookUrls, [sessionEndedEvent(end.ref, end.cause, end.by, end.at)]);
    return true;
  }, TRANSACTION_LIMITS);
  if (!ended) return false;
  recordSessionsEnded(end.cause);
  // Said explicitly, not left to the cascade: the ended row is kept as history.
  if (end.ref.authMethod === "oidc") await deleteSsoTokens(db, [end.id]);
  return true;
}

type SessionRef = ReturnType<typeof sessionRef>;
const sessionRef = (sessionId: string, user: { id: string; username: string }, authMethod: string) => ({ sessionId, userId: user.id, username: user.username, authMethod });

export type NewSession = {
  userId: string;
  username: string;
  authMethod: "static" | "oidc";
  rememberMe: boolean;
  keyFingerprint: string | null;
  /** The IdP's session id, for back-channel logout (OIDC only). */
  oidcSid?: string | null;
  /** Who signs in (OIDC only): the account must still be that issuer's subject's when the session is written. */
  identity?: { issuer: string; subject: string };
  /** Extra words for the login.succeeded event, e.g. "admin via SSO". */
  loginDetail?: string | null;
  /** The identity provider's tokens, kept sealed with the session (OIDC only). */
  providerTokens?: ProviderTokens | null;
  /**
   * The sign-in's other writes (the account's profile and last sign-in, the login rate limiter's
   * give-back), made on the session's transaction (`client`): a sign-in is recorded whole or not at all.
   */
  commitWith?: (client: Prisma.TransactionClient) => Prisma.PrismaPromise<unknown>[];
};

/**
 * Creates a fresh session (a new token on every sign-in: no fixation) together with its
 * login.succeeded event, in one transaction, so a sign-in is never half recorded. Then enforces
 * SESSION_MAX_PER_USER by revoking the user's oldest sessions. Returns the raw token, which is
 * never stored.
 */
export async function createSession(db: Database, config: Config, input: NewSession, request: RequestInfo, now = new Date()) {
  const token = generateSessionToken();
  const { expiresAt, absoluteExpiresAt } = initialExpiry(config, input.rememberMe, now);
  const id = generateId();
  // Where it signed in from: the session's first and (for now) last place, and its webhook event's.
  const from = { ipAddress: request.ip, userAgent: request.userAgent, country: request.location?.country ?? null, city: request.location?.city ?? null };
  // One transaction, so a sign-in is never half recorded, under a hold on the user's row, so that
  // of one person's sign-ins at the same moment each finds the devices the one before recorded: a
  // new device signing in eight times at once raises one alert, and two first sign-ins one.
  const { created, device, formerEmail } = await db.prisma.$transaction(async (tx) => {
    const held = await holdUser(tx, db.backend, input.userId);
    // Read again under the hold: the account may have been disabled since the sign-in looked (the
    // disable's marking would not see a session written after it), or changed hands — an SSO
    // sign-in that created the name, or a link to single sign-on — and must not open to the key,
    // nor to a subject it is no longer linked to.
    if (held?.disabledAt != null) throw fail("account_disabled");
    if (input.authMethod === "static" && held?.authSource === "oidc") throw fail("sso_account");
    if (input.identity && (held?.oidcIssuer !== input.identity.issuer || held.oidcSubject !== input.identity.subject)) {
      throw fail("sso_account_conflict", { owner: input.username });
    }
    const device = await signInDevice(tx, input.userId, request, now);
    for (const write of input.commitWith?.(tx) ?? []) await write;
    const created = await tx.session.create({
      data: {
        id,
        tokenHash: hashSessionToken(token),
        tokenHint: tokenHint(token),
        userId: input.userId,
        authMethod: input.authMethod,
        ...from,
        lastIpAddress: from.ipAddress,
        lastCountry: from.country,
        lastCity: from.city,
        lastUserAgent: from.userAgent,
        ...deviceFamilies(request.userAgent),
        deviceType: storedDeviceType(request.userAgent),
        activity: {
          create: {
            ...from,
            ipAddress: from.ipAddress ?? "",
            userAgent: from.userAgent ?? "",
            firstSeenAt: now,
            lastSeenAt: now,
          },
        },
        rememberMe: input.rememberMe,
        keyFingerprint: input.keyFingerprint,
        oidcSid: input.oidcSid ?? null,
        ...(input.providerTokens ? { ssoTokens: { create: { ...sealedTokens(config, id, input.providerTokens), checkedAt: now } } } : {}),
        createdAt: now,
        authenticatedAt: now,
        lastActiveAt: now,
        expiresAt,
        absoluteExpiresAt,
      },
    });
    await tx.authEvent.create({
      data: authEventRow({
        type: "login.succeeded",
        authMethod: input.authMethod,
        username: input.username,
        userId: input.userId,
        sessionId: id,
        actor: input.username,
        ip: request.ip,
        userAgent: request.userAgent,
        detail: input.loginDetail ?? null,
        at: now,
      }),
    });
    for (const write of device.writes(id)) await write;
    const events = [
      sessionCreatedEvent({ sessionId: id, userId: input.userId, username: input.username, authMethod: input.authMethod, ...from, rememberMe: input.rememberMe, expiresAt }, now),
      ...(device.alertId ? [sessionAlertEvent({ alertId: device.alertId, sessionId: id, userId: input.userId, username: input.username, ...device.seen }, now)] : []),
    ];
    for (const write of webhookWrites(tx, db.webhookUrls, events)) await write;
    return { created, device, formerEmail: held?.email ?? null };
  }, TRANSACTION_LIMITS);
  recordSessionCreated(input.authMethod, input.rememberMe);
  // Begun before a force logout it was written after: ended as that force logout ended the others.
  const session = (await endIfForceLoggedOut(db, created)) ? await db.prisma.session.findUniqueOrThrow({ where: { id } }) : created;
  // To the address on file before this sign-in: one it brought (SSO claims) could redirect or silence its own alert.
  notifyNewDevice(db, config, device.alertId, formerEmail);
  if (config.maxSessionsPerUser !== null) {
    await revokeSessionsOverLimit(db, config, config.maxSessionsPerUser, input, request, now);
  }
  return { token, session, alertId: device.alertId };
}

/**
 * Only active sessions take a place: one expired but not marked yet, or one a pending force logout
 * ends, is not "the oldest session" to end again (and would push a live one out in its stead).
 */
async function revokeSessionsOverLimit(db: Database, config: Config, limit: number, user: NewSession, request: RequestInfo, now: Date) {
  const excess = await db.prisma.session.findMany({
    where: { AND: [{ userId: user.userId }, activeSessionWhere(config, now, await pendingForceLogout(db))] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: limit,
    select: { id: true },
  });
  if (excess.length === 0) return;
  await revokeSessions(
    db,
    { id: { in: excess.map((s) => s.id) } },
    { actor: SYSTEM_ACTOR, cause: "per_user_limit", reason: "session limit reached", detail: `SESSION_MAX_PER_USER=${limit} reached; oldest session ended` },
    request,
    now,
  );
}

/**
 * After a re-authentication (admin key, or a new sign-in at the identity provider): the session
 * keeps its id, history and expiry but gets a new token — the old cookie ends at once (ASVS 5
 * 7.2.4) — and a new authenticatedAt. Audited as session.reauthenticated. Returns the raw token.
 */
export async function rotateSessionToken(
  db: Database,
  holder: { session: CurrentSession; user: CurrentUser },
  /** What proved it (for the audit); the key's fingerprint, or the provider session an SSO re-authentication signed in (its `sid`). */
  proof: { proof: string; keyFingerprint?: string | null; oidcSid?: string | null },
  request: RequestInfo,
  now = new Date(),
): Promise<{ token: string }> {
  const token = generateSessionToken();
  const { session, user } = holder;
  const rotated = await db.prisma.$transaction(async (tx) => {
    // Only the token the request came with: of two confirmations sent with one cookie, the second
    // finds it replaced, as a request sent with it afterwards would.
    const { count } = await tx.session.updateMany({
      where: { id: session.id, tokenHash: session.tokenHash, revokedAt: null },
      data: {
        tokenHash: hashSessionToken(token),
        tokenHint: tokenHint(token),
        authenticatedAt: now,
        ...(proof.keyFingerprint !== undefined ? { keyFingerprint: proof.keyFingerprint } : {}),
        ...(proof.oidcSid !== undefined ? { oidcSid: proof.oidcSid } : {}),
      },
    });
    if (count === 0) return false;
    await tx.authEvent.create({
      data: authEventRow({
        type: "session.reauthenticated",
        username: user.username,
        userId: user.id,
        sessionId: session.id,
        authMethod: session.authMethod,
        actor: user.username,
        ip: request.ip,
        userAgent: request.userAgent,
        detail: `${proof.proof}; session token replaced`,
        at: now,
      }),
    });
    return true;
  });
  if (!rotated) throw fail("session_ended", { reason: "revoked" });
  return { token };
}

/**
 * Log out: the session ends at once (kept as history, "Signed out"), and the logout is audited —
 * also when the row had ended meanwhile, as the person did ask to log out.
 */
export async function endSessionByLogout(db: Database, session: CurrentSession, user: CurrentUser, request: RequestInfo, now = new Date()) {
  const event = authEventRow({
    type: "logout",
    username: user.username,
    userId: user.id,
    sessionId: session.id,
    authMethod: session.authMethod,
    ip: request.ip,
    userAgent: request.userAgent,
    actor: user.username,
    at: now,
  });
  const ref = sessionRef(session.id, user, session.authMethod);
  const ended = await endSession(db, { id: session.id, ref, cause: "logout", by: user.username, at: now }, event);
  if (!ended) await recordAuthEvent(db, event);
}
